"""A respondent's session: it ends with its link, it can be ended, it is short, and it follows the link
opened last."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import AccessToken, SurveyRound
from surveys.services.tokens import issue_token
from tests import factories

pytestmark = pytest.mark.django_db


def opened(client, assignment, contact=None):
    contact = contact or factories.ContactFactory(organisation=assignment.organisation)
    assert client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/").status_code == 302
    return contact


@pytest.fixture
def assignment():
    assignment = factories.AssignmentFactory()
    section = factories.SectionFactory(version=assignment.round.version, order=1)
    factories.QuestionFactory(section=section, code="PLAN", order=1)
    return assignment


def test_an_expired_link_ends_the_session_it_opened(client, assignment):
    opened(client, assignment)
    assert client.get(f"/enkat/{assignment.pk}/").status_code == 200
    SurveyRound.objects.filter(pk=assignment.round_id).update(
        deadline=timezone.now() - timedelta(days=60), opens_at=timezone.now() - timedelta(days=90)
    )
    for path in ("", "avsnitt/1/", "granska/"):
        page = client.get(f"/enkat/{assignment.pk}/{path}")
        assert page.status_code == 410 and "slutat gälla" in page.content.decode()
    posted = client.post(f"/enkat/{assignment.pk}/avsnitt/1/", {"version": 0, "q_PLAN": "ja"})
    assert posted.status_code == 410
    api = client.get(f"/api/respondent/assignments/{assignment.pk}/")
    assert api.status_code == 410 and "slutat gälla" in api.json()["detail"]
    assert client.get("/enkat/resultat/").status_code == 410


def test_a_revoked_link_ends_the_api_session_too(client, assignment):
    opened(client, assignment)
    AccessToken.objects.update(revoked_at=timezone.now())
    api = client.get(f"/api/respondent/assignments/{assignment.pk}/")
    assert api.status_code == 403 and "spärrats" in api.json()["detail"]


def test_logout_ends_the_respondents_session(client, assignment):
    opened(client, assignment)
    page = client.get(f"/enkat/{assignment.pk}/").content.decode()
    assert "Logga ut" in page and "/enkat/logga-ut/" in page
    out = client.post("/enkat/logga-ut/")
    assert out.status_code == 200 and "utloggad" in out.content.decode()
    assert client.get(f"/enkat/{assignment.pk}/").status_code == 404
    assert client.get("/enkat/").status_code == 403


def test_respondent_session_cookie_lasts_a_working_day_not_two_weeks(client, assignment, settings):
    settings.RESPONDENT_SESSION_SECONDS = 8 * 3600
    opened(client, assignment)
    assert client.session.get_expiry_age() == 8 * 3600
    assert client.cookies["sessionid"]["max-age"] == 8 * 3600


def test_start_and_results_follow_the_link_opened_last(client, assignment):
    later = factories.AssignmentFactory(round=assignment.round)
    opened(client, later)
    opened(client, assignment)  # a lower id, opened last
    assert client.get("/enkat/")["Location"] == f"/enkat/{assignment.pk}/"
    html = client.get("/enkat/resultat/").content.decode()
    assert assignment.organisation.name in html and later.organisation.name not in html


def test_respondent_cannot_tell_which_result_ids_exist(demo):
    from rest_framework.test import APIClient

    bromma = demo["organisations"]["Bromma"]
    user = factories.UserFactory(role="respondent", username="bromma-resp")
    user.organisations.add(bromma)
    client = APIClient()
    client.force_authenticate(user)
    last = demo["last_round"]
    other = last.assignments.exclude(organisation=bromma).first()
    other_org = demo["organisations"]["Kommunstyrelsen"]
    pairs = [
        (f"/api/results/assignments/{other.pk}/", "/api/results/assignments/99999999/"),
        (f"/api/results/rounds/{demo['current_round'].pk}/", "/api/results/rounds/99999999/"),
        (
            f"/api/results/organisations/{other_org.pk}/trend/?version=1",
            "/api/results/organisations/99999999/trend/?version=1",
        ),
    ]
    for existing, missing in pairs:
        a, b = client.get(existing), client.get(missing)
        assert (a.status_code, a.json()) == (b.status_code, b.json()) == (404, {"detail": "Inget resultat."})
