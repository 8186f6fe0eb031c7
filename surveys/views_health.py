"""/healthz: is the database reachable, is the broker reachable? 503 when either is not."""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from backend.celery import app

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
def healthz(request):
    errors = {"database": check_database(), "broker": check_broker()}
    status = 200 if not any(errors.values()) else 503
    if status != 200:
        logger.warning("healthz failing: %s", {k: v for k, v in errors.items() if v})
    body = {
        "status": "ok" if status == 200 else "unavailable",
        "database": "ok" if errors["database"] is None else "down",
        "broker": "ok" if errors["broker"] is None else "down",
    }
    if settings.DEBUG:
        body["errors"] = {k: v for k, v in errors.items() if v}
    return JsonResponse(body, status=status)
