"""Celery tasks. Each takes ids, calls one service, and is safe to run twice.

Services ask for background work by name through surveys.services.background; the bottom of this module
says which task does each named piece of work."""

from celery import shared_task

from surveys.models import SurveyRound
from surveys.services import background, data_protection, export_jobs, outbox, rounds, scoring

from . import heartbeat  # noqa: F401 - connects the worker's heartbeat to its start and stop


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def tick():
    """Every minute (beat): ask the database what is due and do it."""
    return rounds.tick()


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=900, soft_time_limit=880)
def send_emails(ids):
    """Send a batch of outbox rows. Failures are recorded on the rows (and retried by the tick with
    backoff), never raised: a raised error would only make Celery redeliver rows already handled."""
    return outbox.send_emails(ids)


@shared_task(acks_late=True, time_limit=900, soft_time_limit=870)
def compute_round_index(round_id):
    """Compute (or recompute) the index of every submitted response of a round; idempotent."""
    survey_round = SurveyRound.objects.filter(pk=round_id).first()
    if survey_round is None:
        return 0
    try:
        return scoring.compute_round_index(survey_round)
    except scoring.ScoringRefused as refused:
        return str(refused)


@shared_task(acks_late=True)
def build_export(job_id):
    """Build one export job's workbook (the time limits are the Celery defaults in settings)."""
    return export_jobs.build_export(job_id=job_id)


@shared_task(acks_late=True, time_limit=600, soft_time_limit=570)
def expire_exports():
    """Hourly (beat): delete exported files past EXPORT_RETENTION_DAYS."""
    return export_jobs.expire_exports()


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1740)
def apply_retention():
    """Daily (beat): anonymise contacts past CONTACT_RETENTION_MONTHS, prune old outbox rows."""
    return data_protection.retention_apply()


def _provide(task_name, task):
    # Looked up at call time, so a test (or a reload) that replaces `delay` is honoured.
    background.provide(task_name, lambda **ids: task.delay(**ids))


_provide(background.SEND_EMAILS, send_emails)
_provide(background.BUILD_EXPORT, build_export)
_provide(background.COMPUTE_ROUND_INDEX, compute_round_index)
