"""Export jobs: ask for a round's workbook, build it in the worker, hand out the file, expire old files.

The job row is the truth (the kpi shape): the API polls it, the task claims it with a conditional update
and fills it in. An unchanged round reuses its fresh file instead of building the same workbook again."""

import hashlib
import json
import logging
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify

from exports.rows import RoundExport
from exports.workbook import build_round_workbook

from ..models import Contact, ExportJob, SurveyRound, User
from . import background

logger = logging.getLogger(__name__)

KIND = "round_workbook"
# The archive package of a closed or published round (surveys.services.archive): same job, same download.
ARCHIVE_KIND = "round_archive"
KINDS = (KIND, ARCHIVE_KIND)
# Bump when the workbook's layout changes: files built by older code are then not reused.
WORKBOOK_LAYOUT = 2
JobState = ExportJob.State


def round_fingerprint(survey_round: SurveyRound) -> str:
    """A hash of everything the workbook shows, read by the same class the builder reads from
    (exports.rows.RoundExport), so what the workbook shows and what the hash covers cannot drift."""
    parts = {"layout": WORKBOOK_LAYOUT, "data": RoundExport(survey_round.pk).fingerprint_parts()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _fingerprint(survey_round: SurveyRound, kind: str) -> str:
    fingerprint = round_fingerprint(survey_round)
    if kind == ARCHIVE_KIND:
        # The package names who submitted and who changed what: an erased contact makes it stale.
        erased = Contact.objects.filter(organisation__assignments__round=survey_round).aggregate(
            last=Max("erased_at")
        )
        fingerprint = hashlib.sha256(f"{kind}:{fingerprint}:{erased['last']}".encode()).hexdigest()
    return fingerprint


def request_export(
    *, survey_round: SurveyRound, user: User | None, kind: str = KIND, now: datetime | None = None
) -> tuple[ExportJob, bool]:
    """The job that will hold (or holds) the workbook (or the archive package) of the round as it is now.
    Returns (job, created): a queued, running or fresh finished job for the same data is reused; otherwise
    a new job is queued. The archive package exists only for a closed or published round."""
    now = now or timezone.now()
    if kind not in KINDS:
        raise ValidationError({"kind": [f"Okänd exporttyp {kind!r}. Välj {' eller '.join(KINDS)}."]})
    if kind == ARCHIVE_KIND and survey_round.state not in SurveyRound.ENDED:
        raise ValidationError(
            {"kind": ["Arkivpaketet kan bara skapas för en stängd eller publicerad omgång."]}
        )
    fingerprint = _fingerprint(survey_round, kind)
    reusable = (
        ExportJob.objects.filter(round=survey_round, kind=kind, fingerprint=fingerprint)
        .filter(Q(state__in=[JobState.QUEUED, JobState.RUNNING]) | Q(state=JobState.DONE, expires_at__gt=now))
        .exclude(state=JobState.DONE, file="")
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


def _dispatch(job_ids: list[int], *, now: datetime) -> None:
    """Hand jobs to the workers once the transaction commits; the heartbeat says when it was done."""
    ExportJob.objects.filter(pk__in=job_ids).update(heartbeat_at=now)
    # With the broker down the request still succeeds; the tick dispatches the job again later.
    for pk in job_ids:
        background.enqueue(background.BUILD_EXPORT, job_id=pk)


def _stale(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.EXPORT_STALE_SECONDS)


def redispatch_stalled(*, now: datetime | None = None) -> int:
    """Called by the tick. A queued job whose message was lost (Redis restarted) and a running job whose
    worker died (SIGKILL, out of memory) have a heartbeat older than EXPORT_STALE_SECONDS: send them to a
    worker again. The claim lets only one worker build a job, so a late duplicate does nothing."""
    now = now or timezone.now()
    stalled = list(
        ExportJob.objects.filter(
            state__in=[JobState.QUEUED, JobState.RUNNING], heartbeat_at__lt=_stale(now)
        ).values_list("pk", flat=True)
    )
    if stalled:
        logger.warning("export jobs %s stalled; dispatched again", stalled)
        ExportJob.objects.filter(pk__in=stalled).update(state=JobState.QUEUED, progress=0)
        _dispatch(stalled, now=now)
    return len(stalled)


def is_stalled(job: ExportJob, *, now: datetime | None = None) -> bool:
    """A queued or running job that has shown no sign of life for EXPORT_STALLED_SECONDS: its worker was
    killed or no worker is running. Shown as stalled instead of its last progress (the tick hands it to
    a worker again after EXPORT_STALE_SECONDS)."""
    if job.state not in (JobState.QUEUED, JobState.RUNNING) or job.heartbeat_at is None:
        return False
    now = now or timezone.now()
    return job.heartbeat_at < now - timedelta(seconds=settings.EXPORT_STALLED_SECONDS)


def status_text(job: ExportJob, *, now: datetime | None = None) -> str:
    """The job's state in Swedish words, as staff pages and the API show it."""
    if is_stalled(job, now=now):
        return "Avbruten – står still (ingen arbetsprocess har rapporterat på länge); startas om automatiskt"
    return {
        JobState.QUEUED: "I kö",
        JobState.RUNNING: f"Pågår ({job.progress} %)",
        JobState.DONE: "Klar",
        JobState.FAILED: "Misslyckades",
        JobState.EXPIRED: "Filen är borttagen",
    }.get(job.state, job.get_state_display())


def _claim(job_id: int, now: datetime) -> int:
    """QUEUED → RUNNING for exactly one worker (a job whose worker died is queued again by the tick)."""
    return ExportJob.objects.filter(state=JobState.QUEUED, pk=job_id).update(
        state=JobState.RUNNING, started_at=now, heartbeat_at=now, progress=1, error=""
    )


def record_progress(job_id: int, percent: int) -> None:
    ExportJob.objects.filter(pk=job_id, state=JobState.RUNNING).update(
        progress=min(int(percent), 99), heartbeat_at=timezone.now()
    )


def workbook_filename(job: ExportJob) -> str:
    survey_round = job.round
    if job.kind == ARCHIVE_KIND:
        return f"{slugify(survey_round.name) or 'omgang'}-{survey_round.year}-arkiv-{job.pk}.zip"
    return f"{slugify(survey_round.name) or 'omgang'}-{survey_round.year}-export-{job.pk}.xlsx"


def content_type(job: ExportJob) -> str:
    if job.kind == ARCHIVE_KIND:
        return "application/zip"
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def build_export(*, job_id: int, now: datetime | None = None) -> str | None:
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
            state=JobState.FAILED, error=message, finished_at=timezone.now()
        )
        return JobState.FAILED
    ExportJob.objects.filter(pk=job_id).update(
        state=JobState.DONE,
        progress=100,
        file=job.file.name,
        fingerprint=fingerprint,
        finished_at=timezone.now(),
        expires_at=now + timedelta(days=settings.EXPORT_RETENTION_DAYS),
    )
    return JobState.DONE


def expire_exports(*, now: datetime | None = None) -> int:
    """Remove finished files past their expiry from the storage; the job rows stay as a record."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(state=JobState.DONE, expires_at__lte=now):
        if job.file:
            job.file.storage.delete(job.file.name)
        expired += ExportJob.objects.filter(pk=job.pk, state=JobState.DONE).update(
            state=JobState.EXPIRED, file=""
        )
    if expired:
        logger.info("expired %s export files", expired)
    return expired
