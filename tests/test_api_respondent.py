"""The respondent's questionnaire over the API: same rules as the pages, bound to the opened link."""

import pytest
from django.test import Client

from surveys.models import Answer, QuestionType, Response
from surveys.services.tokens import issue_token
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    assignment = factories.AssignmentFactory()
    section = factories.SectionFactory(version=assignment.round.version, order=1)
    factories.QuestionFactory(section=section, code="PLAN", order=1, required=True)
    factories.QuestionFactory(section=section, code="ANTAL", order=2, type=QuestionType.INTEGER, max_value=10)
    contact = factories.ContactFactory(organisation=assignment.organisation)
    return assignment, contact


def opened(assignment, contact, **kwargs):
    client = Client(**kwargs)
    assert client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/").status_code == 302
    return client


def api(assignment, tail=""):
    return f"/api/respondent/assignments/{assignment.pk}/{tail}"


def test_read_save_and_submit_over_the_api(setup):
    assignment, contact = setup
    client = opened(assignment, contact)
    data = client.get(api(assignment)).json()
    assert [q["code"] for q in data["questions"]] == ["PLAN", "ANTAL"] and data["version"] == 0
    assert data["questions"][0]["options"] == [{"code": "ja", "label": "Ja"}, {"code": "nej", "label": "Nej"}]
    bad = client.post(
        api(assignment, "answers/"),
        {"version": 0, "answers": {"PLAN": "ja", "ANTAL": "11"}},
        "application/json",
    )
    assert bad.status_code == 400 and bad.json() == {
        "errors": {"ANTAL": "Värdet får inte vara större än 10."}
    }
    assert not Answer.objects.exists()  # all or nothing
    ok = client.post(
        api(assignment, "answers/"), {"version": 0, "answers": {"PLAN": "ja", "ANTAL": 3}}, "application/json"
    )
    assert ok.status_code == 200 and ok.json()["version"] == 1
    colleague = opened(assignment, factories.ContactFactory(organisation=assignment.organisation))
    stale = colleague.post(
        api(assignment, "answers/"), {"version": 0, "answers": {"PLAN": "nej"}}, "application/json"
    )
    assert stale.status_code == 409 and stale.json()["conflicts"] == [
        {"code": "PLAN", "theirs": "ja", "mine": "nej"}
    ]
    first = client.post(api(assignment, "submit/"))
    again = client.post(api(assignment, "submit/"))
    assert first.json() == {"state": "submitted", "first_submission": True}
    assert again.json()["first_submission"] is False
    assert Response.objects.get(assignment=assignment).revisions.filter(action="submit").count() == 1


def test_submit_lists_missing_required_codes(setup):
    assignment, contact = setup
    answer = opened(assignment, contact).post(api(assignment, "submit/"))
    assert answer.status_code == 400 and answer.json() == {"missing": ["PLAN"]}


def test_other_organisations_assignment_is_not_found(setup):
    assignment, contact = setup
    other = factories.AssignmentFactory(round=assignment.round)
    client = opened(other, factories.ContactFactory(organisation=other.organisation))
    assert client.get(api(assignment)).status_code == 404
    assert (
        client.post(
            api(assignment, "answers/"), {"version": 0, "answers": {"PLAN": "ja"}}, "application/json"
        ).status_code
        == 404
    )
    assert client.post(api(assignment, "submit/")).status_code == 404


def test_without_a_link_session_the_api_refuses(setup):
    assignment, _ = setup
    assert Client().get(api(assignment)).status_code in (401, 403)


def test_unsafe_calls_need_the_csrf_token(setup):
    assignment, contact = setup
    client = opened(assignment, contact, enforce_csrf_checks=True)
    refused = client.post(
        api(assignment, "answers/"), {"version": 0, "answers": {"PLAN": "ja"}}, "application/json"
    )
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert not Answer.objects.exists()
