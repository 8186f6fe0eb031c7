"""API fuzzing: schemathesis generates requests from the OpenAPI schema and calls the app in-process.

Every operation is exercised as a coordinator and as a respondent's browser session. The checks are the
ones the API promises: no server error, and every documented response matches its schema. (Undocumented
4xx answers to nonsense input are fine: DRF answers 400/403/404 with a message.)

Every operation is fuzzed for each caller: API_FUZZ_EXAMPLES generated requests (default 4). The
coverage phase (every boundary and wrong type the schema defines, thousands of requests) runs where the
caller gets past the permission check: the staff operations as the coordinator, the respondent's
operations with the respondent's session; the other way round every input is refused with the same 403,
so a few requests show it. A deep run before a release, with the coverage phase for both callers too:

    API_FUZZ_EXAMPLES=100 API_FUZZ_DEEP=1 pytest tests/test_api_fuzz.py
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance
from schemathesis.config import SchemathesisConfig

from backend.wsgi import application
from surveys.demo import load_demo
from surveys.services.tokens import issue_token
from tests import factories

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


RESPONDENT_API = "^/api/respondent/"
DEEP = os.environ.get("API_FUZZ_DEEP", "") not in ("", "0")


def _schema(coverage_skipped_for):
    """The API's schema for one caller: the coverage phase left out of the operations it cannot reach.
    Loaded at collection: producing the schema touches no database."""
    no_coverage = {"phases": {"coverage": {"enabled": False}}}
    operations = [] if DEEP else [{**coverage_skipped_for, **no_coverage}]
    config = SchemathesisConfig.from_dict({"operations": operations})
    return schemathesis.openapi.from_wsgi("/api/schema/", application, config=config)


coordinator_schema = _schema({"include-path-regex": RESPONDENT_API})
respondent_schema = _schema({"exclude-path-regex": RESPONDENT_API})


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo (programme, questionnaires, rounds) plus a coordinator with an API token and a
    respondent's session cookie for one organisation of the open round. Loaded once for the module in
    an outer transaction (each test runs in a savepoint inside it) and rolled back at the end.

    Schemathesis calls the WSGI handler directly, whose end-of-request signal would close the connection
    (on PostgreSQL: inside that transaction, so every later request would fail); Django's own test client
    turns the same signal off for the same reason (and back on after each of its requests, so this is done
    after the world's own test-client request)."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = _world(load_demo())
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            yield world
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        transaction.set_rollback(True)


def _world(demo):
    coordinator = factories.UserFactory(role="coordinator", username="fuzz-coordinator")
    token = Token.objects.create(user=coordinator)
    assignment = demo["current_round"].assignments.select_related("organisation").first()
    contact = assignment.organisation.contacts.first()
    from django.test import Client

    browser = Client()
    browser.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/")
    browser.get(f"/api/respondent/assignments/{assignment.pk}/")  # sets the CSRF cookie, as for a client
    csrf = browser.cookies["csrftoken"].value
    return {
        "coordinator": {"headers": {"Authorization": f"Token {token.key}"}},
        # As cookies, not a Cookie header (the WSGI client sends its own cookies only); with the CSRF
        # token the respondent's saves and submit are fuzzed too, not only refused.
        "respondent": {
            "cookies": {"sessionid": browser.cookies["sessionid"].value, "csrftoken": csrf},
            "headers": {"X-CSRFToken": csrf},
        },
        "assignment": assignment.pk,
    }


FUZZ = settings(
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", "4")),
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@coordinator_schema.parametrize()
@FUZZ
def test_api_as_coordinator(case, world):
    case.call_and_validate(**world["coordinator"], checks=CHECKS)


@respondent_schema.parametrize()
@FUZZ
def test_api_as_respondent(case, world):
    if case.operation.path.startswith("/api/respondent/"):  # the assignment this session opened
        case.path_parameters = {**case.path_parameters, "assignment_id": world["assignment"]}
    case.call_and_validate(**world["respondent"], checks=CHECKS)
