"""Celery tasks. Each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from surveys.services import rounds


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def tick():
    """Every minute (beat): ask the database what is due and do it."""
    return rounds.tick()
