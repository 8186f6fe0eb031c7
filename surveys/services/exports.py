"""Export jobs: ask for a round's workbook, build it in the worker, hand out the file, expire old files.

The job row is the truth (the kpi shape): the API polls it, the task claims it with a conditional update
and fills it in. An unchanged round reuses its fresh file instead of building the same workbook again."""

import hashlib
import json
import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.text import slugify

from exports.rows import fingerprint_parts
from exports.workbook import build_round_workbook

from ..models import Contact, ExportJob, IndexResult, SurveyRound
from ..selectors import comparable_versions

logger = logging.getLogger(__name__)

KIND = "round_workbook"
# The archive package of a closed or published round (surveys.services.archive): same job, same download.
ARCHIVE_KIND = "round_archive"
KINDS = (KIND, ARCHIVE_KIND)
# Bump when the workbook's layout changes: files built by older code are then not reused.
WORKBOOK_LAYOUT = 1
State = ExportJob.State
ARCHIVABLE = (SurveyRound.State.CLOSED, SurveyRound.State.PUBLISHED)


def round_fingerprint(survey_round):
    """A hash of everything the workbook shows that can change: the round's own fields, counts and last
    changes of answers, responses, recipients and index results (the trend's too)."""
    trend = IndexResult.objects.filter(
        assignment__round__version__in=comparable_versions(survey_round.version)
    )
    parts = {
        "layout": WORKBOOK_LAYOUT,
        "round": [
            survey_round.pk,
            survey_round.name,
            survey_round.year,
            survey_round.state,
            survey_round.opens_at,
            survey_round.deadline,
            survey_round.closed_at,
            survey_round.published_at,
        ],
        "rows": fingerprint_parts(survey_round.pk),
        "trend": trend.aggregate(n=Count("id"), last=Max("computed_at")),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _fingerprint(survey_round, kind):
    fingerprint = round_fingerprint(survey_round)
    if kind == ARCHIVE_KIND:
        # The package names who submitted and who changed what: an erased contact makes it stale.
        erased = Contact.objects.filter(organisation__assignments__round=survey_round).aggregate(
            last=Max("erased_at")
        )
        fingerprint = hashlib.sha256(f"{kind}:{fingerprint}:{erased['last']}".encode()).hexdigest()
    return fingerprint


def request_export(*, survey_round, user, kind=KIND, now=None):
    """The job that will hold (or holds) the workbook (or the archive package) of the round as it is now.
    Returns (job, created): a queued, running or fresh finished job for the same data is reused; otherwise
    a new job is queued. The archive package exists only for a closed or published round."""
    now = now or timezone.now()
    if kind not in KINDS:
        raise ValidationError({"kind": [f"Okänd exporttyp {kind!r}. Välj {' eller '.join(KINDS)}."]})
    if kind == ARCHIVE_KIND and survey_round.state not in ARCHIVABLE:
        raise ValidationError(
            {"kind": ["Arkivpaketet kan bara skapas för en stängd eller publicerad omgång."]}
        )
    fingerprint = _fingerprint(survey_round, kind)
    reusable = (
        ExportJob.objects.filter(round=survey_round, kind=kind, fingerprint=fingerprint)
        .filter(Q(state__in=[State.QUEUED, State.RUNNING]) | Q(state=State.DONE, expires_at__gt=now))
        .exclude(state=State.DONE, file="")
        .order_by("-created_at")
        .first()
    )
    if reusable:
        return reusable, False
    job = ExportJob.objects.create(
        round=survey_round, kind=kind, requested_by=user, fingerprint=fingerprint, created_at=now
    )
    _dispatch([job.pk], now=now)
    return job, True


def _dispatch(job_ids, *, now):
    """Hand jobs to the workers once the transaction commits; the heartbeat says when it was done."""
    from workers import tasks  # the worker layer imports the services, not the other way at import time

    ExportJob.objects.filter(pk__in=job_ids).update(heartbeat_at=now)
    # robust: with the broker down the request still succeeds; the tick dispatches the job again later.
    transaction.on_commit(lambda: [tasks.build_export.delay(pk) for pk in job_ids], robust=True)


def _stale(now):
    return now - timedelta(seconds=settings.EXPORT_STALE_SECONDS)


def redispatch_stalled(*, now=None):
    """Called by the tick. A queued job whose message was lost (Redis restarted) and a running job whose
    worker died (SIGKILL, out of memory) have a heartbeat older than EXPORT_STALE_SECONDS: send them to a
    worker again. The claim lets only one worker build a job, so a late duplicate does nothing."""
    now = now or timezone.now()
    stalled = list(
        ExportJob.objects.filter(
            state__in=[State.QUEUED, State.RUNNING], heartbeat_at__lt=_stale(now)
        ).values_list("pk", flat=True)
    )
    if stalled:
        logger.warning("export jobs %s stalled; dispatched again", stalled)
        ExportJob.objects.filter(pk__in=stalled).update(state=State.QUEUED, progress=0)
        _dispatch(stalled, now=now)
    return len(stalled)


def _claim(job_id, now):
    """QUEUED → RUNNING for exactly one worker (a job whose worker died is queued again by the tick)."""
    return ExportJob.objects.filter(state=State.QUEUED, pk=job_id).update(
        state=State.RUNNING, started_at=now, heartbeat_at=now, progress=1, error=""
    )


def record_progress(job_id, percent):
    ExportJob.objects.filter(pk=job_id, state=State.RUNNING).update(
        progress=min(int(percent), 99), heartbeat_at=timezone.now()
    )


def workbook_filename(job):
    survey_round = job.round
    if job.kind == ARCHIVE_KIND:
        return f"{slugify(survey_round.name) or 'omgang'}-{survey_round.year}-arkiv-{job.pk}.zip"
    return f"{slugify(survey_round.name) or 'omgang'}-{survey_round.year}-export-{job.pk}.xlsx"


def content_type(job):
    if job.kind == ARCHIVE_KIND:
        return "application/zip"
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_export(*, job_id, now=None):
    """Build the workbook of a queued job into the default storage. Returns the job's final state.
    A failure is recorded on the job as a readable message (the details go to the log)."""
    now = now or timezone.now()
    if not _claim(job_id, now):
        return ExportJob.objects.filter(pk=job_id).values_list("state", flat=True).first()
    job = ExportJob.objects.select_related("round__version", "requested_by").get(pk=job_id)
    try:
        fingerprint = _fingerprint(job.round, job.kind)
        user = job.requested_by
        generated_by = (user.get_full_name() or user.get_username()) if user else ""
        with tempfile.TemporaryDirectory(prefix="export-") as folder:
            path = Path(folder) / "export.bin"
            if job.kind == ARCHIVE_KIND:
                from .archive import build_round_archive

                build_round_archive(
                    survey_round_id=job.round_id,
                    path=path,
                    generated_by=generated_by,
                    now=now,
                    progress=lambda percent: record_progress(job_id, percent),
                )
            else:
                build_round_workbook(
                    job.round_id,
                    path,
                    generated_by=generated_by,
                    now=now,
                    progress=lambda percent: record_progress(job_id, percent),
                )
            with path.open("rb") as handle:
                job.file.save(workbook_filename(job), File(handle), save=False)
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        message = f"Exporten kunde inte byggas ({exc.__class__.__name__}): {exc}"[:2000]
        ExportJob.objects.filter(pk=job_id).update(
            state=State.FAILED, error=message, finished_at=timezone.now()
        )
        return State.FAILED
    ExportJob.objects.filter(pk=job_id).update(
        state=State.DONE,
        progress=100,
        file=job.file.name,
        fingerprint=fingerprint,
        finished_at=timezone.now(),
        expires_at=now + timedelta(days=settings.EXPORT_RETENTION_DAYS),
    )
    return State.DONE


def expire_exports(*, now=None):
    """Remove finished files past their expiry from the storage; the job rows stay as a record."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(state=State.DONE, expires_at__lte=now):
        if job.file:
            job.file.storage.delete(job.file.name)
        expired += ExportJob.objects.filter(pk=job.pk, state=State.DONE).update(state=State.EXPIRED, file="")
    if expired:
        logger.info("expired %s export files", expired)
    return expired
