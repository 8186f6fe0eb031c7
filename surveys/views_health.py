"""Health endpoints for the load balancer and the operator.

- /healthz/live: the process answers (no database, no broker): restart it when this fails.
- /healthz/ready (and /healthz, kept for existing deployment files): what the web process needs to serve,
  the database. The broker is reported but does not fail it: respondents can answer while Redis is down.
- /healthz/status: the scheduler's last tick and each worker's last heartbeat, "ok" or "stale"."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from backend.celery import app

from .services.health import background_status

logger = logging.getLogger(__name__)


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return None
    except Exception as exc:  # any driver error means "down"; the message goes to the operator
        return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


def check_broker():
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return None
    except Exception as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__


@never_cache
def live(request):
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request):
    errors = {"database": check_database(), "broker": check_broker()}
    status = 200 if errors["database"] is None else 503
    if any(errors.values()):
        logger.warning("healthz: %s", {k: v for k, v in errors.items() if v})
    body = {
        "status": "ok" if status == 200 else "unavailable",
        "database": "ok" if errors["database"] is None else "down",
        "broker": "ok" if errors["broker"] is None else "down",
    }
    if settings.DEBUG:
        body["errors"] = {k: v for k, v in errors.items() if v}
    return JsonResponse(body, status=status)


healthz = ready


@never_cache
def background(request):
    """The scheduler and the workers: 200 when all are fresh, 503 (with the same body) when one is stale,
    so a monitor can alert on the code alone."""
    body = background_status()
    return JsonResponse(body, status=200 if body["status"] == "ok" else 503)
