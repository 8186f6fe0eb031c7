"""Password guessing is throttled and locked out per account and per client, on every login path that goes
through authenticate(): the admin's login form and the API's token endpoint."""

import pytest
from django.test import Client

from backend.client import client_ip_or_none
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "secret-pass-123"
SWEDISH = "För många misslyckade inloggningar"


@pytest.fixture(autouse=True)
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 10


def _admin_login(ip, username, password):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post("/admin/login/", {"username": username, "password": password})


def _token(ip, username, password):
    return Client(REMOTE_ADDR=ip).post(
        "/api/auth/token/", {"username": username, "password": password}, content_type="application/json"
    )


def test_thirty_wrong_passwords_lock_the_admin_login_and_refuse_the_right_one():
    factories.UserFactory(username="chef", is_staff=True, is_superuser=True, role="admin")
    statuses = [_admin_login("10.0.0.1", "chef", f"fel-{n}")[1].status_code for n in range(30)]
    assert statuses[0] == 200 and statuses[-1] == 429
    client, page = _admin_login("10.0.0.1", "chef", PASSWORD)
    assert page.status_code == 429 and SWEDISH in page.content.decode()
    assert client.get("/admin/").status_code == 302  # not signed in


def test_thirty_wrong_passwords_lock_the_api_token_and_refuse_the_right_one():
    factories.UserFactory(username="chef", role="admin")
    statuses = [_token("10.0.0.2", "chef", f"fel-{n}").status_code for n in range(30)]
    assert statuses[0] == 400 and statuses[-1] == 429
    page = _token("10.0.0.2", "chef", PASSWORD)
    assert page.status_code == 429 and SWEDISH in page.json()["detail"]
    assert "token" not in page.json()


def test_an_account_is_locked_whichever_client_guesses():
    factories.UserFactory(username="chef", role="admin")
    for n in range(12):
        _token(f"10.1.0.{n}", "chef", "fel")
    assert _token("10.9.9.9", "chef", PASSWORD).status_code == 429


def test_a_client_that_guesses_many_accounts_is_locked():
    factories.UserFactory(username="kollega", role="coordinator")
    for n in range(12):
        _admin_login("10.0.0.3", f"gissning{n}", "fel")
    assert _admin_login("10.0.0.3", "kollega", PASSWORD)[1].status_code == 429


def test_another_account_from_another_client_is_unaffected():
    factories.UserFactory(username="chef", is_staff=True, role="admin")
    factories.UserFactory(username="kollega", is_staff=True, role="coordinator")
    for n in range(30):
        _admin_login("10.0.0.4", "chef", f"fel-{n}")
        _token("10.0.0.4", "chef", f"fel-{n}")
    client, page = _admin_login("10.0.0.5", "kollega", PASSWORD)
    assert page.status_code == 302 and client.get("/admin/").status_code == 200
    answer = _token("10.0.0.5", "kollega", PASSWORD)
    assert answer.status_code == 200 and answer.json()["token"]


def test_behind_the_trusted_proxy_one_guessing_client_does_not_lock_out_everyone(settings):
    """Every request reaches us from the proxy's address: the lockout counts the client the proxy names,
    so a colleague behind the same proxy still logs in while the guesser is locked."""
    settings.TRUSTED_PROXY_COUNT = 1
    factories.UserFactory(username="kollega", role="coordinator")

    def via_proxy(client_ip, username, password):
        return Client(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=client_ip).post(
            "/api/auth/token/", {"username": username, "password": password}, content_type="application/json"
        )

    for n in range(12):
        via_proxy("203.0.113.7", f"gissning{n}", "fel")
    assert via_proxy("203.0.113.7", "kollega", PASSWORD).status_code == 429
    assert via_proxy("198.51.100.20", "kollega", PASSWORD).status_code == 200


def test_a_login_made_in_code_records_no_address_rather_than_a_word(rf):
    """A request without a peer (force_login, a management command) must not put "unknown" into the
    lockout's IP address column, which PostgreSQL refuses."""
    request = rf.get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip_or_none(request) is None
    assert client_ip_or_none(rf.get("/", REMOTE_ADDR="192.0.2.4")) == "192.0.2.4"
