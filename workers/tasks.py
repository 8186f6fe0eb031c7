"""Celery tasks. Each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from surveys.services import outbox, rounds


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def tick():
    """Every minute (beat): ask the database what is due and do it."""
    return rounds.tick()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=900, soft_time_limit=880)
def send_emails(ids):
    """Send a batch of outbox rows. Failures are recorded on the rows (and retried by the tick with
    backoff), never raised: a raised error would only make Celery redeliver rows already handled."""
    return outbox.send_emails(ids)
