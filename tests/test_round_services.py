"""Round services directly: the rules the API, the admin and the tick share."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveys.models import AccessToken, Assignment, OutboundEmail, Response
from surveys.services import email_templates, rounds, tokens
from tests import factories

pytestmark = pytest.mark.django_db


def test_recipients_by_kind_take_active_organisations_of_that_kind_only():
    factories.OrganisationFactory(kind="sdf", name="Aktiv")
    factories.OrganisationFactory(kind="sdf", name="Nedlagd", is_active=False)
    factories.OrganisationFactory(kind="namnd", name="Nämnd")
    now = timezone.now()
    survey_round = rounds.round_create(
        version=factories.VersionFactory(),
        year=2026,
        opens_at=now,
        deadline=now + timedelta(days=9),
        kinds=["sdf"],
    )
    assert list(survey_round.assignments.values_list("organisation__name", flat=True)) == ["Aktiv"]


def test_unknown_placeholder_and_unpaired_brace_are_explained():
    assert email_templates.template_errors("Hej {namn}")[0].startswith("Okänd platshållare {namn}.")
    assert "Klammerparenteserna" in email_templates.template_errors("Hej {organisation")[0]
    assert email_templates.template_errors("Hej {organisation}, {{inte en platshållare}}") == []


def test_open_round_keeps_its_schedule_fields_but_takes_new_templates():
    survey_round = factories.SurveyRoundFactory(state="open")
    with pytest.raises(ValidationError) as error:
        rounds.round_update(survey_round=survey_round, opens_at=timezone.now() + timedelta(days=2))
    assert error.value.message_dict == {"opens_at": ["Kan inte ändras när omgången är öppen."]}
    rounds.round_update(
        survey_round=survey_round, reminder_subject="Glöm inte {round}", reminder_offsets=[1, -3]
    )
    survey_round.refresh_from_db()
    assert survey_round.reminder_subject == "Glöm inte {round}" and survey_round.reminder_offsets == [-3, 1]


def test_removing_a_recipient_while_open_keeps_answers_and_stops_links_and_emails():
    assignment = factories.AssignmentFactory()
    contact = factories.ContactFactory(organisation=assignment.organisation)
    raw = tokens.issue_token(assignment=assignment, contact=contact)
    pending = factories.OutboundEmailFactory(assignment=assignment, kind="reminder")
    rounds.remove_recipient(survey_round=assignment.round, organisation=assignment.organisation)
    assert Assignment.objects.get(pk=assignment.pk).removed_at is not None
    assert Response.objects.filter(assignment=assignment).exists()
    assert AccessToken.objects.get(token_hash=tokens.hash_token(raw)).revoked_at is not None
    pending.refresh_from_db()
    assert pending.status == "cancelled"
    # Adding it back makes it a recipient again.
    rounds.add_recipient(survey_round=assignment.round, organisation=assignment.organisation)
    assert Assignment.objects.get(pk=assignment.pk).removed_at is None


def test_removing_a_recipient_from_a_draft_deletes_its_empty_assignment():
    survey_round = factories.SurveyRoundFactory(state="draft")
    assignment = factories.AssignmentFactory(round=survey_round)
    rounds.remove_recipient(survey_round=survey_round, organisation=assignment.organisation)
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_nothing_changes_in_a_closed_round():
    assignment = factories.AssignmentFactory(round__state="closed")
    survey_round = assignment.round
    Response.objects.filter(assignment=assignment).update(state="submitted", submitted_at=timezone.now())
    for call in (
        lambda: rounds.extend_deadline(
            survey_round=survey_round, deadline=survey_round.deadline + timedelta(days=1)
        ),
        lambda: rounds.add_recipient(survey_round=survey_round, organisation=factories.OrganisationFactory()),
        lambda: rounds.reopen_response(assignment=assignment),
        lambda: rounds.round_update(survey_round=survey_round, name="x"),
        lambda: rounds.round_open_now(survey_round=survey_round),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert "state" in error.value.message_dict


def test_extending_one_assignment_keeps_the_round_open_until_its_new_deadline():
    now = timezone.now()
    assignment = factories.AssignmentFactory(
        round__opens_at=now - timedelta(days=10), round__deadline=now + timedelta(days=1)
    )
    later = now + timedelta(days=5)
    rounds.extend_deadline(survey_round=assignment.round, assignment=assignment, deadline=later)
    assert rounds.tick(now=now + timedelta(days=2))["closed"] == 0
    assert rounds.tick(now=later + timedelta(minutes=1))["closed"] == 1


def test_closing_cancels_waiting_reminders_and_queues_the_digest():
    survey_round = factories.SurveyRoundFactory(digest_to="samordnare@example.se")
    factories.AssignmentFactory(round=survey_round)
    waiting = factories.OutboundEmailFactory(round=survey_round, kind="reminder")
    rounds.round_close_early(survey_round=survey_round)
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"
    digest = OutboundEmail.objects.get(kind="digest")
    assert digest.key == f"digest:{survey_round.pk}:samordnare@example.se"
    assert "Har inte skickat in:" in digest.body and "Inskickade: 0 (0%)" in digest.body


def test_each_submission_gets_its_own_receipt_to_every_active_contact(django_capture_on_commit_callbacks):
    from django.core import mail

    from surveys.events import response_submitted

    assignment = factories.AssignmentFactory(organisation__name="Norrmalm")
    factories.ContactFactory(organisation=assignment.organisation, email="a@norrmalm.se")
    factories.ContactFactory(organisation=assignment.organisation, email="b@norrmalm.se")
    factories.ContactFactory(
        organisation=assignment.organisation, email="slutat@norrmalm.se", is_active=False
    )
    response = assignment.response

    def submit(version):
        response.state, response.submitted_at, response.version = "submitted", timezone.now(), version
        response.save()
        with django_capture_on_commit_callbacks(execute=True):
            response_submitted(response)

    submit(4)
    submit(4)  # the same submission reported twice: still one receipt each
    rounds.reopen_response(assignment=assignment)
    submit(7)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@norrmalm.se",
        "a@norrmalm.se",
        "b@norrmalm.se",
        "b@norrmalm.se",
    ]
    assert "Norrmalm" in mail.outbox[0].body
    assert sorted(OutboundEmail.objects.values_list("key", flat=True))[
        0
    ] == f"receipt:{response.pk}:4:" + str(assignment.organisation.contacts.get(email="a@norrmalm.se").pk)
