"""/healthz tells an operator whether the database and the broker answer."""

from unittest import mock

import pytest
from django.db import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_ok_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok" and response.json()["broker"] == "ok"


def test_healthz_stays_ready_when_only_the_broker_is_unreachable(client):
    """Respondents can still answer without Redis: the web process is ready; the body says what is down."""
    from backend.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = original
    assert response.status_code == 200
    assert response.json() == {**response.json(), "status": "ok", "broker": "down", "database": "ok"}


def test_healthz_503_when_the_database_fails(client):
    with mock.patch(
        "surveys.views_health.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"
