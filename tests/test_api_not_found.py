"""Under /api/ a path that names nothing, or an id that is not a whole number, is a JSON 404 like every
other API answer, never Django's HTML page: from the URL patterns, the routers' id patterns, the `<int:>`
converters, the views, and with DEBUG off as in production."""

import pytest

from surveys.services.tokens import issue_token
from tests import factories

pytestmark = pytest.mark.django_db

MALFORMED = [
    "/api/finns-inte/",
    "/api/finns-inte",
    "/api/rounds/abc/",
    "/api/rounds/abc",
    "/api/rounds/1.5/",
    "/api/rounds/-1/",
    "/api/rounds/%D9%A1/",  # an Arabic-Indic digit one: not an id
    "/api/rounds/1/x/",
    "/api/rounds/abc/schedule/",
    "/api/rounds/x/exports/",
    "/api/exports/abc/download/",
    "/api/results/rounds/abc/",
    "/api/results/rounds/%D9%A1/",
    "/api/results/assignments/%D9%A1/",
    "/api/results/organisations/%D9%A1/trend/",
    "/api/respondent/assignments/x/",
    "/api/respondent/assignments/x/answers/",
    "/api/respondent/assignments/1.5/submit/",
    "/api/respondent/assignments/%D9%A1/",
]
MISSING = [
    "/api/rounds/999999/",
    "/api/rounds/99999999999999999999999/",
    "/api/rounds/999999/exports/",
    "/api/exports/999999/download/",
    "/api/results/rounds/999999/",
]


def _assert_json_404(response):
    assert response.status_code == 404, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


@pytest.fixture
def coordinator(client):
    client.force_login(factories.UserFactory(role="coordinator"))
    return client


@pytest.mark.parametrize("path", MALFORMED)
@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_a_malformed_id_is_a_json_404_whatever_the_method(coordinator, method, path):
    _assert_json_404(getattr(coordinator, method)(path))


@pytest.mark.parametrize("path", MISSING)
def test_an_id_of_nothing_is_a_json_404(coordinator, path):
    _assert_json_404(coordinator.get(path))


@pytest.mark.parametrize("path", MALFORMED)
def test_a_malformed_id_is_a_json_404_before_any_login(client, path):
    _assert_json_404(client.get(path))


def test_an_assignment_this_session_never_opened_is_a_json_404(client):
    assignment = factories.AssignmentFactory()
    contact = factories.ContactFactory(organisation=assignment.organisation)
    client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/")
    assert client.get(f"/api/respondent/assignments/{assignment.pk}/").status_code == 200
    _assert_json_404(client.get(f"/api/respondent/assignments/{assignment.pk + 1000}/"))
    _assert_json_404(client.get("/api/respondent/assignments/99999999999999999999999/"))


def test_a_path_without_its_slash_is_redirected_not_answered_with_a_page(coordinator):
    response = coordinator.get("/api/rounds/1")
    assert response.status_code == 301
    assert response["Location"] == "/api/rounds/1/"
    assert response.content == b""
