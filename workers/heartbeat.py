"""Each worker records a heartbeat in the database every WORKER_HEARTBEAT_SECONDS from a small thread of
its main process, so /healthz/status shows a dead worker within minutes (and a Redis restart loses none)."""

import logging
import threading

from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)
_stop = threading.Event()


def worker_name(hostname):
    return f"worker:{hostname}"


def beat_once(name):
    from surveys.services import health

    try:
        health.record_heartbeat(kind=health.Kind.WORKER, name=name)
    except Exception as exc:  # noqa: BLE001 - the database may be down for a while; keep beating
        logger.warning("worker heartbeat not recorded: %s", exc)


def _run(name):
    while not _stop.is_set():
        beat_once(name)
        connections.close_all()  # this thread's own connection; a fresh one next time
        _stop.wait(settings.WORKER_HEARTBEAT_SECONDS)


@worker_ready.connect
def start_heartbeat(sender=None, **kwargs):
    name = worker_name(getattr(sender, "hostname", None) or "worker")
    _stop.clear()
    threading.Thread(target=_run, args=(name,), name="heartbeat", daemon=True).start()


@worker_shutdown.connect
def stop_heartbeat(sender=None, **kwargs):
    from surveys.services import health

    _stop.set()
    try:
        health.forget_heartbeat(name=worker_name(getattr(sender, "hostname", None) or "worker"))
    except Exception:  # noqa: BLE001 - shutting down; the row then shows as stale, which is true
        pass
