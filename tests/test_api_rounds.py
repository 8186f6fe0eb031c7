"""Rounds over the API: coordinators create, schedule and steer rounds; readers only read; bad input
gets a 400 with a message per field and changes nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.models import Assignment, OutboundEmail, Response, SurveyRound
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    sdfs = [factories.OrganisationFactory(name=f"SDF {n}", kind="sdf") for n in range(3)]
    for org in sdfs:
        factories.ContactFactory(organisation=org)
    namnd = factories.OrganisationFactory(name="Socialnämnden", kind="namnd")
    return sdfs, namnd


def payload(**overrides):
    now = timezone.now()
    return {
        "version": factories.VersionFactory().pk,
        "year": 2026,
        "opens_at": (now + timedelta(days=1)).isoformat(),
        "deadline": (now + timedelta(days=31)).isoformat(),
        "kinds": ["sdf"],
        **overrides,
    }


def test_coordinator_creates_a_round_for_every_sdf_with_the_default_reminder_plan(api, orgs):
    response = api.post("/api/rounds/", payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["state"] == "draft" and body["reminder_offsets"] == [-14, -7, -2, 1]
    assert body["progress"]["total"] == 3 and body["progress"]["not_opened"] == 3
    assert set(Assignment.objects.values_list("organisation__kind", flat=True)) == {"sdf"}
    assert Response.objects.count() == 3


def test_bad_input_gets_a_message_per_field_and_changes_nothing(api, orgs):
    now = timezone.now()
    response = api.post(
        "/api/rounds/",
        payload(
            opens_at=(now + timedelta(days=5)).isoformat(),
            deadline=(now + timedelta(days=1)).isoformat(),
            invitation_body="Hej {organistion}",
        ),
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"deadline", "invitation_body"}
    assert "Okänd platshållare {organistion}" in response.json()["invitation_body"][0]
    unknown = api.post(
        "/api/rounds/", payload(kinds=[], organisations=[orgs[0][0].pk, 999999]), format="json"
    )
    assert unknown.status_code == 400 and "999999" in unknown.json()["organisations"][0]
    assert SurveyRound.objects.count() == 0 and Assignment.objects.count() == 0


def test_the_version_of_an_open_round_cannot_change(api):
    survey_round = factories.SurveyRoundFactory(state="open")
    other = factories.VersionFactory()
    response = api.patch(
        f"/api/rounds/{survey_round.pk}/", {"version": other.pk, "name": "Nytt"}, format="json"
    )
    assert response.status_code == 400 and "version" in response.json()
    survey_round.refresh_from_db()
    assert survey_round.version_id != other.pk and survey_round.name != "Nytt"


def test_illegal_transitions_say_why(api):
    survey_round = factories.SurveyRoundFactory(state="draft")
    response = api.post(f"/api/rounds/{survey_round.pk}/publish/")
    assert response.status_code == 400
    assert response.json()["state"] == ["Bara en stängd omgång kan publiceras (omgången är utkast)."]


def test_the_whole_state_machine_over_the_api(api, orgs, django_capture_on_commit_callbacks):
    survey_round = api.post("/api/rounds/", payload(), format="json").json()
    url = f"/api/rounds/{survey_round['id']}/"
    assert api.post(url + "schedule/").json()["state"] == "scheduled"
    assert api.post(url + "unschedule/").json()["state"] == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        opened = api.post(url + "open/").json()
    assert opened["state"] == "open" and len(mail.outbox) == 3
    assert opened["progress"]["days_left"] in (30, 31)
    assert api.post(url + "close/").json()["state"] == "closed"
    assert api.post(url + "publish/").json()["state"] == "published"


def test_preview_renders_the_templates_with_an_example_link(api, orgs):
    survey_round = api.post("/api/rounds/", payload(), format="json").json()
    response = api.post(
        f"/api/rounds/{survey_round['id']}/preview/",
        {"invitation_body": "Hej {organisation}! Svara senast {deadline}: {link}"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()["invitation"]["body"]
    assert body.startswith("Hej SDF 0! Svara senast ") and "/l/EXEMPEL-PERSONLIG-LANK/" in body
    assert "Påminnelse" in response.json()["reminder"]["subject"]
    assert SurveyRound.objects.get(pk=survey_round["id"]).invitation_body == ""


def test_recipients_are_added_and_removed_while_open(api, orgs, django_capture_on_commit_callbacks):
    sdfs, namnd = orgs
    factories.ContactFactory(organisation=namnd, email="soc@example.se")
    survey_round = factories.SurveyRoundFactory(state="open")
    url = f"/api/rounds/{survey_round.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        added = api.post(url + "recipients/add/", {"organisations": [namnd.pk]}, format="json")
    assert added.json()["progress"]["total"] == 1
    assert [m.to for m in mail.outbox] == [["soc@example.se"]]
    removed = api.post(url + "recipients/remove/", {"organisations": [namnd.pk]}, format="json")
    assert removed.json()["progress"]["total"] == 0
    assert Assignment.objects.get(organisation=namnd).removed_at is not None


def test_extend_a_round_or_one_assignment(api):
    assignment = factories.AssignmentFactory()
    survey_round = assignment.round
    later = survey_round.deadline + timedelta(days=7)
    earlier = survey_round.deadline - timedelta(days=1)
    assert (
        api.post(f"/api/rounds/{survey_round.pk}/extend/", {"deadline": earlier.isoformat()}).status_code
        == 400
    )
    one = api.post(f"/api/assignments/{assignment.pk}/extend/", {"deadline": later.isoformat()})
    assert one.status_code == 200
    assert one.json()["deadline"] == timezone.localtime(later).isoformat()
    survey_round.refresh_from_db()
    assert survey_round.deadline < later


def test_reopen_one_submitted_response(api):
    assignment = factories.AssignmentFactory()
    assert api.post(f"/api/assignments/{assignment.pk}/reopen/").status_code == 400
    Response.objects.filter(pk=assignment.response.pk).update(state="submitted", submitted_at=timezone.now())
    response = api.post(f"/api/assignments/{assignment.pk}/reopen/")
    assert response.status_code == 200 and response.json()["status"] == "reopened"
    assert assignment.response.revisions.get().action == "reopen"


def test_reader_reads_progress_but_cannot_change_anything(reader):
    survey_round = factories.SurveyRoundFactory(state="open")
    client = APIClient()
    client.force_authenticate(reader)
    assert client.get("/api/rounds/").status_code == 200
    assert client.get("/api/assignments/").status_code == 200
    assert client.post(f"/api/rounds/{survey_round.pk}/close/").status_code == 403
    assert client.patch(f"/api/rounds/{survey_round.pk}/", {"name": "x"}).status_code == 403
    assert client.get("/api/emails/").status_code == 403


def test_respondent_sees_no_rounds():
    client = APIClient()
    client.force_authenticate(factories.UserFactory(role="respondent", username="resp"))
    assert client.get("/api/rounds/").status_code == 403


def _round_with_assignments(n, states):
    survey_round = factories.SurveyRoundFactory(state="open")
    for i in range(n):
        assignment = factories.AssignmentFactory(round=survey_round)
        state = states[i % len(states)]
        Response.objects.filter(assignment=assignment).update(
            state=state, submitted_at=timezone.now() if state == "submitted" else None
        )
        factories.OutboundEmailFactory(assignment=assignment, round=survey_round, status="sent")
    return survey_round


def test_progress_counts_and_rate(api):
    survey_round = _round_with_assignments(8, ["submitted", "draft", "reopened", "submitted"])
    Assignment.objects.filter(round=survey_round, response__state="draft").update(
        first_opened_at=timezone.now()
    )
    factories.AssignmentFactory(round=survey_round)  # never opened
    progress = api.get(f"/api/rounds/{survey_round.pk}/").json()["progress"]
    assert progress == {
        "total": 9,
        "not_opened": 1,
        "in_progress": 2,
        "submitted": 4,
        "reopened": 2,
        "response_rate": round(4 / 9, 4),
        "days_left": 29,
    }
    listing = api.get(f"/api/assignments/?round={survey_round.pk}&status=submitted").json()
    assert listing["count"] == 4 and all(a["emails_sent"] == 1 for a in listing["results"])


def test_list_endpoints_use_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    for _ in range(3):
        _round_with_assignments(5, ["submitted", "draft"])
    for url in ("/api/rounds/", "/api/assignments/", "/api/emails/"):
        with django_assert_max_num_queries(4):
            response = api.get(url)
        assert response.status_code == 200 and response.json()["count"] > 0


def test_digest_is_sent_when_the_round_closes(api, django_capture_on_commit_callbacks):
    survey_round = _round_with_assignments(2, ["submitted", "draft"])
    url = f"/api/rounds/{survey_round.pk}/"
    assert api.post(url + "digest/", {"email": "samordnare@example.se"}).status_code == 200
    assert not OutboundEmail.objects.filter(kind="digest").exists()
    with django_capture_on_commit_callbacks(execute=True):
        api.post(url + "close/")
    digest = [m for m in mail.outbox if m.to == ["samordnare@example.se"]]
    assert len(digest) == 1 and "Inskickade: 1 (50%)" in digest[0].body


def test_failed_email_is_visible_and_can_be_retried(api, django_capture_on_commit_callbacks):
    row = factories.OutboundEmailFactory(status="failed", attempts=5, last_error="SMTPDataError: 554")
    listed = api.get("/api/emails/?status=failed").json()["results"]
    assert [e["last_error"] for e in listed] == ["SMTPDataError: 554"]
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/emails/{row.pk}/retry/").json()["status"] in ("pending", "sent")
    row.refresh_from_db()
    assert row.status == "sent" and len(mail.outbox) == 1
