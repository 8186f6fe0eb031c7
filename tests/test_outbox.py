"""The outbox: each row is sent once, transient failures are retried with backoff, a killed sender's
row is taken over after its lease, and the coordinator sees the error after the last attempt."""

import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from surveys.models import AccessToken, OutboundEmail, Response
from surveys.services import outbox
from tests import factories
from tests.support.mail import FailingBackend
from workers import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing(settings):
    settings.EMAIL_BACKEND = "tests.support.mail.FailingBackend"
    FailingBackend.failures = FailingBackend.calls = 0
    FailingBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    yield FailingBackend
    FailingBackend.failures = 0


def recipient(assignment, contact):
    return {
        "assignment_id": assignment.pk,
        "round_id": assignment.round_id,
        "contact_id": contact.pk,
        "email": contact.email,
    }


def status_of(row):
    row.refresh_from_db()
    return row.status


def test_send_task_sends_each_row_once_even_if_given_twice():
    rows = [factories.OutboundEmailFactory() for _ in range(3)]
    ids = [r.pk for r in rows]
    assert tasks.send_emails.delay(ids).get() == {"sent": 3, "failed": 0, "retry": 0, "skipped": 0}
    assert tasks.send_emails.delay(ids).get()["skipped"] == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.to_email for r in rows)
    assert all(status_of(r) == "sent" for r in rows)
    rows[0].refresh_from_db()
    assert abs((timezone.now() - rows[0].sent_at).total_seconds()) < 60 and rows[0].claimed_at is None
    assert mail.outbox[0].extra_headers["Message-ID"].startswith("<test.")


def test_queueing_the_same_key_twice_creates_one_row():
    row = lambda: outbox.OutboundEmail(key="receipt:1:1:1", kind="receipt", to_email="a@example.se")  # noqa: E731
    assert outbox.queue([row()]) == 1
    assert outbox.queue([row()]) == 0
    assert OutboundEmail.objects.count() == 1


def test_transient_failure_is_retried_with_backoff_by_the_tick(failing, django_capture_on_commit_callbacks):
    failing.failures = 2
    start = timezone.now()
    row = factories.OutboundEmailFactory(next_attempt_at=start)
    with time_machine.travel(start, tick=False):
        assert tasks.send_emails.delay([row.pk]).get()["retry"] == 1
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1 and "SMTPServerDisconnected" in row.last_error
    assert row.next_attempt_at == start + timedelta(seconds=60)

    def tick_at(moment):
        with time_machine.travel(moment, tick=False), django_capture_on_commit_callbacks(execute=True):
            tasks.tick.delay()

    tick_at(start + timedelta(seconds=30))  # too early: nothing is tried
    assert failing.calls == 1
    tick_at(start + timedelta(seconds=61))  # second attempt fails too: wait four times longer
    row.refresh_from_db()
    assert row.attempts == 2 and row.next_attempt_at == start + timedelta(seconds=61 + 240)
    tick_at(start + timedelta(seconds=61 + 240))
    assert status_of(row) == "sent" and len(mail.outbox) == 1 and row.last_error == ""


def test_a_lost_server_stops_the_batch_and_gives_the_rest_back_untried(failing):
    failing.failures = 1
    rows = [factories.OutboundEmailFactory() for _ in range(4)]
    assert outbox.send_emails([r.pk for r in rows]) == {"sent": 0, "failed": 0, "retry": 4, "skipped": 0}
    assert failing.calls == 1  # not one timeout per message
    attempts = []
    for row in rows:
        row.refresh_from_db()
        attempts.append((row.status, row.attempts))
    assert attempts == [("pending", 1)] + [("pending", 0)] * 3


def test_error_is_recorded_after_the_last_attempt(failing, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    failing.failures = 99
    row = factories.OutboundEmailFactory()
    for _ in range(3):
        OutboundEmail.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        outbox.send_emails([row.pk])
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 3 and "Connection unexpectedly closed" in row.last_error
    assert outbox.send_emails([row.pk])["skipped"] == 1 and mail.outbox == []


def test_rejected_address_fails_at_once(failing):
    failing.failures = 1
    failing.error = smtplib.SMTPRecipientsRefused({"x@example.se": (550, b"No such user")})
    row = factories.OutboundEmailFactory()
    assert outbox.send_emails([row.pk])["failed"] == 1
    row.refresh_from_db()
    assert row.status == "failed" and row.attempts == 1


def test_failed_invitation_revokes_the_link_it_carried(failing):
    failing.failures = 1
    assignment = factories.AssignmentFactory()
    contact = factories.ContactFactory(organisation=assignment.organisation)
    outbox.queue([outbox.invitation(**recipient(assignment, contact), now=timezone.now())])
    outbox.send_emails(list(OutboundEmail.objects.values_list("pk", flat=True)))
    token = AccessToken.objects.get()
    assert token.revoked_at is not None


def test_a_killed_senders_row_is_sent_after_its_lease_not_before(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_LEASE_SECONDS = 300
    row = factories.OutboundEmailFactory()
    claimed, _ = outbox.claim([row.pk])  # a worker claims it … and is killed before sending
    assert claimed == [row] and outbox.claim([row.pk])[0] == []
    start = timezone.now()
    with time_machine.travel(start + timedelta(seconds=60), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert outbox.dispatch_due(now=timezone.now()) == 0
    assert mail.outbox == []
    with time_machine.travel(start + timedelta(seconds=301), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert outbox.dispatch_due(now=timezone.now()) == 1
    assert status_of(row) == "sent" and len(mail.outbox) == 1


def test_reminder_to_an_assignment_submitted_meanwhile_is_cancelled_not_sent():
    assignment = factories.AssignmentFactory()
    contact = factories.ContactFactory(organisation=assignment.organisation)
    outbox.queue([outbox.reminder(**recipient(assignment, contact), step=-7, now=timezone.now())])
    assignment.response.state, assignment.response.submitted_at = "submitted", timezone.now()
    assignment.response.save()
    row = OutboundEmail.objects.get()
    outbox.send_emails([row.pk])
    assert status_of(row) == "cancelled" and mail.outbox == []


def test_a_long_batch_renews_its_lease_so_no_other_worker_takes_its_rows(settings):
    settings.OUTBOX_LEASE_SECONDS = 10
    rows = [factories.OutboundEmailFactory() for _ in range(3)]
    start, stolen = timezone.now(), []
    with time_machine.travel(start, tick=True) as traveller:
        original = outbox.build_message

        def slow(row, raw=None):
            traveller.shift(timedelta(seconds=6))  # each message takes six seconds
            stolen.extend(outbox.claim([r.pk for r in rows])[0])  # another worker tries to take over
            return original(row, raw)

        outbox.build_message = slow
        try:
            assert outbox.send_emails([r.pk for r in rows])["sent"] == 3
        finally:
            outbox.build_message = original
    assert stolen == [] and len(mail.outbox) == 3


def test_dispatched_rows_are_not_enqueued_again_by_every_tick(django_capture_on_commit_callbacks):
    factories.OutboundEmailFactory()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert outbox.dispatch_due(now=now) == 1
        assert outbox.dispatch_due(now=now + timedelta(minutes=1)) == 0
    assert len(callbacks) == 1


def test_reminder_to_a_draft_says_how_many_required_questions_are_left():
    assignment = factories.AssignmentFactory()
    section = factories.SectionFactory(version=assignment.round.version)
    q1 = factories.QuestionFactory(section=section, required=True)
    factories.QuestionFactory(section=section, required=True)  # unanswered
    factories.QuestionFactory(section=section, required=True)  # unanswered
    factories.QuestionFactory(  # hidden while q1 is "nej": never counts as missing
        section=section,
        required=True,
        condition_question=q1,
        condition_operator="equals",
        condition_value="ja",
    )
    factories.QuestionFactory(section=section, required=False)
    response = assignment.response
    factories.AnswerFactory(response=response, question=q1, value="nej")  # so `hidden` is not shown
    Response.objects.filter(pk=response.pk).update(version=1)
    contact = factories.ContactFactory(organisation=assignment.organisation)
    outbox.queue([outbox.reminder(**recipient(assignment, contact), step=-2, now=timezone.now())])
    outbox.send_emails(list(OutboundEmail.objects.values_list("pk", flat=True)))
    body = mail.outbox[0].body
    assert (
        "Ni har påbörjat ett svar som ännu inte är inskickat. 2 obligatoriska frågor är obesvarade." in body
    )
