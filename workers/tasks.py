"""Celery tasks. Each takes ids, calls one service, and is safe to run twice."""

from celery import shared_task

from surveys.services import exports, rounds


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def tick():
    """Every minute (beat): ask the database what is due and do it."""
    return rounds.tick()


@shared_task(acks_late=True)
def build_export(job_id):
    """Build one export job's workbook (the time limits are the Celery defaults in settings)."""
    return exports.build_export(job_id=job_id)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=570)
def expire_exports():
    """Hourly (beat): delete exported files past EXPORT_RETENTION_DAYS."""
    return exports.expire_exports()
