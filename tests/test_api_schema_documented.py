"""Every API operation is documented for the developers who integrate with it: a summary, a description,
and the error answers it can give (at least one 4xx; 401 or 403 where a login is needed)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        f"{method.upper()} {path}": operation
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def _assert_all(operations, check, lacking):
    failing = sorted(name for name, operation in operations.items() if not check(operation))
    assert not failing, f"{len(failing)} operations without {lacking}:\n" + "\n".join(failing)


def test_the_schema_has_the_whole_api(operations):
    assert len(operations) > 100


def test_every_operation_has_a_summary(operations):
    _assert_all(operations, lambda op: (op.get("summary") or "").strip(), "a summary")


def test_every_operation_has_a_description(operations):
    _assert_all(operations, lambda op: (op.get("description") or "").strip(), "a description")


def test_every_operation_declares_its_client_errors(operations):
    _assert_all(
        operations, lambda op: any(str(code).startswith("4") for code in op["responses"]), "a 4xx response"
    )


def _needs_login(operation):
    security = operation.get("security")
    return bool(security) and {} not in security


def test_every_operation_that_needs_a_login_declares_its_refusal(operations):
    _assert_all(
        operations,
        lambda op: not _needs_login(op) or {"401", "403"} & set(op["responses"]),
        "a 401 or 403 response although they need a login",
    )


def test_every_declared_error_has_a_body_and_a_description(operations):
    def described(operation):
        return all(
            response.get("description") and response.get("content")
            for code, response in operation["responses"].items()
            if str(code).startswith("4")
        )

    _assert_all(operations, described, "a body and a description for each error")


def test_an_erased_emails_empty_address_and_a_round_without_a_named_coordinator_match_the_schema():
    """Values a round and an e-mail really hold once personal data are removed (an empty address) are
    documented as text, not as an e-mail format that "" would break."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert "format" not in components["Round"]["properties"]["coordinator_email"]
    assert "format" not in components["Email"]["properties"]["to_email"]
