"""A real Celery worker on Redis sends invitations, or reminders, to a real SMTP server (aiosmtpd on
loopback); the worker is killed with SIGKILL in the middle of a batch and restarted: afterwards every
person has exactly one invitation (or one reminder)."""

import os
import signal
import time
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from backend.celery import app as celery_app
from surveys.models import OutboundEmail, SurveyRound
from tests import factories
from tests.support.smtp import RecordingHandler, SMTPServer
from tests.test_integration_worker import start_worker, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PEOPLE = 24


def send_tick(redis_url, queue):
    with celery_app.connection_for_write(redis_url) as conn:
        celery_app.send_task("workers.tasks.tick", queue=queue, connection=conn)


def round_due_for(kind, now):
    """A round whose next tick sends PEOPLE e-mails of `kind`: it opens now (invitations), or it was
    opened three days ago, everyone was invited then, and the reminder two days before the deadline
    has just fallen due."""
    if kind == "invitation":
        survey_round = factories.SurveyRoundFactory(
            state="scheduled", opens_at=now - timedelta(minutes=1), deadline=now + timedelta(days=20)
        )
    else:
        survey_round = factories.SurveyRoundFactory(
            state="open",
            opens_at=now - timedelta(days=3),
            deadline=now + timedelta(days=2, minutes=-1),
            reminder_offsets=[-2],
        )
    for n in range(PEOPLE):
        assignment = factories.AssignmentFactory(round=survey_round)
        contact = factories.ContactFactory(
            organisation=assignment.organisation, email=f"person{n}@example.se"
        )
        if kind == "reminder":
            OutboundEmail.objects.create(
                key=f"invite:{assignment.pk}:{contact.pk}",
                kind="invitation",
                to_email=contact.email,
                contact=contact,
                assignment=assignment,
                round=survey_round,
                status="sent",
                created_at=now - timedelta(days=3),
            )
    return survey_round


@pytest.mark.parametrize("kind", ["invitation", "reminder"])
def test_sigkill_mid_batch_loses_no_email_and_duplicates_none(postgres, redis_url, kind):
    queue = f"test-outbox-{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    survey_round = round_due_for(kind, now)
    sent = OutboundEmail.objects.filter(kind=kind, status="sent")
    handler = RecordingHandler(rcpt_delay=0.02, pause_at=8, pause_seconds=5)
    with SMTPServer(handler) as smtp:
        env = {
            **worker_env(postgres, redis_url, queue),
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": "10",
            "OUTBOX_BATCH_SIZE": "10",
            "OUTBOX_LEASE_SECONDS": "3",
            "OUTBOX_REDISPATCH_SECONDS": "3",
        }
        celery_app.conf.task_always_eager = False
        first = start_worker(env, queue)
        try:
            send_tick(redis_url, queue)
            assert handler.paused.wait(60), "the worker never reached the 8th message"
        finally:
            os.killpg(first.pid, signal.SIGKILL)  # mid-batch: the 8th message is at the SMTP server's RCPT
            first_output = first.communicate(timeout=30)[0]
        survey_round.refresh_from_db()
        assert survey_round.state == SurveyRound.State.OPEN, first_output[-3000:]
        assert len(handler.per_recipient()) == 7
        # The killed batch's unsent rows stay claimed until their lease runs out; none is marked sent.
        assert sent.count() == 7
        assert OutboundEmail.objects.filter(kind=kind, status="sending").count() == 3  # messages 8–10

        second = start_worker(env, queue)
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                send_tick(redis_url, queue)  # the beat's job: re-dispatch what the database says is due
                time.sleep(2)
                if sent.count() == PEOPLE:
                    break
        finally:
            second.terminate()
            second_output = second.communicate(timeout=30)[0]
    received = handler.per_recipient()
    assert sent.count() == PEOPLE, second_output[-3000:]
    assert received == {f"person{n}@example.se": 1 for n in range(PEOPLE)}
