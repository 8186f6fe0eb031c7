"""Celery tasks. Each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from surveys.services import rounds


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def tick():
    """Every minute (beat): ask the database what is due and do it."""
    return rounds.tick()


@shared_task(acks_late=True)
def ping(marker):
    """Writes a row through the ORM; used by the integration test that a real worker consumes a task."""
    from surveys.models import Organisation

    Organisation.objects.get_or_create(name=marker, defaults={"kind": Organisation.Kind.EXTERN})
    return marker
