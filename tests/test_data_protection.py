"""Personal data of contacts: erasure keeps the organisation's answers and removes the person; retention
anonymises only contacts outside open rounds; old outbox rows lose address and text."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from surveys.models import (
    AccessToken,
    Answer,
    AuditEvent,
    Contact,
    IndexResult,
    OutboundEmail,
    Response,
    ResponseRevision,
    SurveyRound,
)
from surveys.services import data_protection, outbox
from surveys.services.tokens import issue_token
from tests import factories
from workers import tasks

pytestmark = pytest.mark.django_db
State = SurveyRound.State


def _database_text():
    """Every row of the project's tables and the sessions, as one text to search for personal data."""
    from django.apps import apps

    models = [m for m in apps.get_app_config("surveys").get_models()] + [Session]
    text = serializers.serialize("json", [obj for model in models for obj in model.objects.all()])
    sessions = " ".join(str(s.get_decoded()) for s in Session.objects.all())
    return text + sessions


@pytest.fixture
def erasure_world(demo):
    current = demo["current_round"]
    assignment = (
        current.assignments.filter(response__state=Response.State.SUBMITTED)
        .select_related("organisation", "response")
        .first()
    )
    contact = assignment.organisation.contacts.order_by("pk").first()
    Contact.objects.filter(pk=contact.pk).update(name="Petronella Raderasson", phone="070-123 45 67")
    contact.refresh_from_db()
    response = assignment.response
    Response.objects.filter(pk=response.pk).update(submitted_by=contact)
    response.refresh_from_db()
    ResponseRevision.objects.create(
        response=response, version=response.version + 1, action="save", contact=contact, changes={}
    )
    outbox.queue_receipt(response=response)
    # A link opened in a browser: the session remembers it.
    raw = issue_token(assignment=assignment, contact=contact)
    browser = Client()
    assert browser.get(f"/l/{raw}/").status_code == 302
    assert browser.get(f"/enkat/{assignment.pk}/kvitto/").status_code == 200
    return {"demo": demo, "assignment": assignment, "contact": contact, "raw": raw, "browser": browser}


def _answers():
    return sorted(Answer.objects.values_list("response_id", "question_id", "value"), key=str)


def _index():
    return sorted(IndexResult.objects.values_list("assignment_id", "total", "scaled", "categories"), key=str)


def test_erasing_a_contact_keeps_every_answer_and_the_index_and_removes_the_person(
    erasure_world, coordinator
):
    contact, assignment = erasure_world["contact"], erasure_world["assignment"]
    email, name = contact.email, contact.name
    answers, index = _answers(), _index()
    revisions = ResponseRevision.objects.filter(response__assignment=assignment).count()
    assert OutboundEmail.objects.filter(contact=contact).exclude(body="").exists()
    assert email in _database_text() and name in _database_text()

    api = APIClient()
    api.force_authenticate(coordinator)
    reply = api.post(f"/api/contacts/{contact.pk}/erase/")

    assert reply.status_code == 200, reply.content
    assert reply.json()["sessions_ended"] == 1
    # The organisation's answers, revisions, receipt and index are untouched.
    assert _answers() == answers
    assert _index() == index
    assert ResponseRevision.objects.filter(response__assignment=assignment).count() == revisions
    response = Response.objects.select_related("submitted_by").get(assignment=assignment)
    assert response.state == Response.State.SUBMITTED
    assert response.submitted_by_id == contact.pk
    today = timezone.localdate()
    assert response.submitted_by.name == f"Kontakt borttagen {today:%Y-%m-%d}"
    # Nothing of the person is left anywhere in the database, the outbox and the sessions included.
    text = _database_text()
    assert email not in text
    assert name not in text, text[max(0, text.find(name) - 300) : text.find(name) + 50]
    assert "070-123 45 67" not in text
    assert not OutboundEmail.objects.filter(contact=contact).exclude(to_email="", body="").exists()
    # The audit trail says who erased whom and when.
    event = AuditEvent.objects.get(action="contact.erase")
    assert event.actor == coordinator and event.target.startswith(f"Kontakt {contact.pk} ")


def test_an_erased_contacts_link_answers_410_and_their_session_ends(erasure_world, coordinator):
    contact, assignment, browser = (
        erasure_world["contact"],
        erasure_world["assignment"],
        erasure_world["browser"],
    )
    data_protection.contact_erase(contact=contact, actor=coordinator)

    page = Client().get(f"/l/{erasure_world['raw']}/")
    assert page.status_code == 410
    assert "personuppgifterna" in page.content.decode()
    # The browser that had opened the link lost its session: the questionnaire is closed to it.
    assert browser.get(f"/enkat/{assignment.pk}/").status_code == 404
    assert not AccessToken.objects.filter(contact=contact, revoked_at=None).exists()


def test_only_coordinators_erase_contacts_and_only_once(reader, coordinator):
    contact = factories.ContactFactory()
    as_reader = APIClient()
    as_reader.force_authenticate(reader)
    assert as_reader.post(f"/api/contacts/{contact.pk}/erase/").status_code == 403
    assert APIClient().post(f"/api/contacts/{contact.pk}/erase/").status_code in (401, 403)
    contact.refresh_from_db()
    assert contact.erased_at is None

    api = APIClient()
    api.force_authenticate(coordinator)
    assert api.post(f"/api/contacts/{contact.pk}/erase/").status_code == 200
    again = api.post(f"/api/contacts/{contact.pk}/erase/")
    assert again.status_code == 409 and "togs bort" in again.json()["detail"]
    # An erased contact cannot be given its data back over the API.
    edit = api.patch(f"/api/contacts/{contact.pk}/", {"name": "Tillbaka"}, format="json")
    assert edit.status_code == 400


def _round(state, *, published_months_ago=None, now):
    survey_round = factories.SurveyRoundFactory(state=state)
    if published_months_ago is not None:
        survey_round.published_at = now - timedelta(days=31 * published_months_ago)
        survey_round.save(update_fields=["published_at"])
    return survey_round


def test_retention_anonymises_only_contacts_outside_open_rounds(settings):
    settings.CONTACT_RETENTION_MONTHS = 24
    now = timezone.now()
    long_ago = now - timedelta(days=365 * 3)
    old = _round(State.PUBLISHED, published_months_ago=30, now=now)
    recent = _round(State.PUBLISHED, published_months_ago=3, now=now)
    running = {
        state: _round(state, now=now) for state in (State.DRAFT, State.SCHEDULED, State.OPEN, State.CLOSED)
    }

    def contact_in(*rounds, created=long_ago):
        contact = factories.ContactFactory(created_at=created)
        for survey_round in rounds:
            factories.AssignmentFactory(round=survey_round, organisation=contact.organisation)
        return contact

    gone = contact_in(old)
    in_running = {state: contact_in(old, r) for state, r in running.items()}
    in_recent = contact_in(old, recent)
    added_lately = contact_in(old, created=now - timedelta(days=10))
    never_in_a_round = contact_in()

    result = tasks.apply_retention.delay().get()

    assert result["contacts_erased"] == 1
    assert list(Contact.objects.filter(erased_at__isnull=False)) == [gone]
    for kept in [*in_running.values(), in_recent, added_lately, never_in_a_round]:
        kept.refresh_from_db()
        assert kept.erased_at is None and "@example.se" in kept.email
    gone.refresh_from_db()
    assert gone.name.startswith("Kontakt borttagen") and not gone.is_active
    assert AuditEvent.objects.get(action="contact.erase").detail["reason"] == "retention"
    # A second run finds nothing more to do.
    assert data_protection.retention_apply()["contacts_erased"] == 0


def test_retention_prunes_address_and_text_of_old_outbox_rows_only(settings):
    settings.OUTBOX_RETENTION_DAYS = 90
    now = timezone.now()
    old = factories.OutboundEmailFactory(
        status=OutboundEmail.Status.SENT, created_at=now - timedelta(days=91), body="Hej Petronella"
    )
    old_digest = factories.OutboundEmailFactory(
        key="digest:1:chef@example.se",
        kind=OutboundEmail.Kind.DIGEST,
        status=OutboundEmail.Status.SENT,
        created_at=now - timedelta(days=100),
    )
    old_pending = factories.OutboundEmailFactory(
        status=OutboundEmail.Status.PENDING, created_at=now - timedelta(days=91)
    )
    fresh = factories.OutboundEmailFactory(
        status=OutboundEmail.Status.SENT, created_at=now - timedelta(days=5)
    )

    call_command("apply_retention")

    for row in (old, old_digest, old_pending, fresh):
        row.refresh_from_db()
    assert (old.to_email, old.body) == ("", "")
    assert old_digest.to_email == "" and "@" not in old_digest.key
    assert old_pending.to_email and fresh.to_email and fresh.body == "Text"
