"""Signs of life of the background processes: the scheduler's tick and each worker record a heartbeat in
the database (it survives a Redis restart); the status judges each against a threshold."""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from ..models import Heartbeat

Kind = Heartbeat.Kind
TICK = "tick"


def record_heartbeat(*, kind: str, name: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if not Heartbeat.objects.filter(name=name).update(last_seen_at=now, kind=kind):
        Heartbeat.objects.get_or_create(name=name, defaults={"kind": kind, "last_seen_at": now})


def forget_heartbeat(*, name: str) -> None:
    """A worker that stops cleanly is no longer expected."""
    Heartbeat.objects.filter(name=name).delete()


def _judge(beat: Heartbeat, limit: float, now: datetime) -> dict[str, Any]:
    age = (now - beat.last_seen_at).total_seconds()
    return {
        "name": beat.name,
        "last_seen_at": beat.last_seen_at.isoformat(timespec="seconds"),
        "age_seconds": int(age),
        "state": "ok" if age <= limit else "stale",
    }


def background_status(*, now: datetime | None = None) -> dict[str, Any]:
    """{"status": "ok" | "stale", "scheduler": {...}, "workers": [...]}: the scheduler is stale when its
    tick has not run for SCHEDULER_STALE_SECONDS, a worker when it has not beaten for
    WORKER_STALE_SECONDS; no worker at all, or no tick yet, counts as stale too."""
    now = now or timezone.now()
    beats = list(Heartbeat.objects.all())
    tick = next((b for b in beats if b.kind == Kind.SCHEDULER), None)
    scheduler = (
        _judge(tick, settings.SCHEDULER_STALE_SECONDS, now)
        if tick
        else {"name": TICK, "last_seen_at": None, "age_seconds": None, "state": "stale"}
    )
    workers = [_judge(b, settings.WORKER_STALE_SECONDS, now) for b in beats if b.kind == Kind.WORKER]
    healthy = scheduler["state"] == "ok" and any(w["state"] == "ok" for w in workers)
    healthy = healthy and all(w["state"] == "ok" for w in workers)
    return {
        "status": "ok" if healthy else "stale",
        "checked_at": now.isoformat(timespec="seconds"),
        "scheduler": scheduler,
        "workers": workers,
        "thresholds": {
            "scheduler_seconds": settings.SCHEDULER_STALE_SECONDS,
            "worker_seconds": settings.WORKER_STALE_SECONDS,
        },
    }
