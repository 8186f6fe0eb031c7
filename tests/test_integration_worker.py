"""A real Celery worker process consumes a task from Redis and writes to PostgreSQL."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from backend.celery import app as celery_app
from surveys.models import SurveyRound
from tests import factories

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def worker_env(database, redis_url, queue):
    """The environment a worker needs to see the test database and a private queue."""
    user = database.get("USER") or "postgres"
    host = database.get("HOST") or "127.0.0.1"
    port = database.get("PORT") or 5432
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{user}@{host}:{port}/{database['NAME']}",
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    if database.get("PASSWORD"):
        env["DATABASE_URL"] = f"postgres://{user}:{database['PASSWORD']}@{host}:{port}/{database['NAME']}"
    return env


def start_worker(env, queue):
    """A worker on a private queue, in its own process group (so SIGKILL takes its pool children too)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "1",
            "--pool",
            "prefork",
            "--queues",
            queue,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def test_real_worker_consumes_tick_from_redis_and_writes_to_postgres(postgres, redis_url):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    now = timezone.now()
    survey_round = factories.SurveyRoundFactory(
        state="scheduled", opens_at=now - timedelta(minutes=1), deadline=now + timedelta(days=20)
    )
    worker = start_worker(worker_env(postgres, redis_url, queue), queue)
    try:
        celery_app.conf.task_always_eager = False
        with celery_app.connection_for_write(redis_url) as conn:
            celery_app.send_task("workers.tasks.tick", queue=queue, connection=conn)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            survey_round.refresh_from_db()
            if survey_round.state == SurveyRound.State.OPEN:
                break
            time.sleep(0.5)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert survey_round.state == SurveyRound.State.OPEN, output[-3000:]
    assert "tick processed" in output
