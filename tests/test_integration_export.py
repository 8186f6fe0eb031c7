"""A real Celery worker builds a round's workbook from a job queued over Redis, into the shared storage."""

import time
import uuid

import pytest
from openpyxl import load_workbook

from backend.celery import app as celery_app
from surveys.models import ExportJob
from surveys.services import export_jobs
from tests.export_world import index_round
from tests.test_integration_worker import start_worker, worker_env

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_real_worker_builds_the_workbook_and_the_job_reports_progress(
    postgres, redis_url, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    world = index_round(organisations=40)
    # The job row directly: request_export would run the task eagerly in this process on commit.
    job = ExportJob.objects.create(round=world["round"], kind=export_jobs.KIND)
    env = {**worker_env(postgres, redis_url, queue), "MEDIA_ROOT": str(settings.MEDIA_ROOT)}
    worker = start_worker(env, queue)
    seen = []
    try:
        celery_app.conf.task_always_eager = False
        with celery_app.connection_for_write(redis_url) as conn:
            celery_app.send_task("workers.tasks.build_export", args=[job.pk], queue=queue, connection=conn)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            job.refresh_from_db()
            seen.append(job.progress)
            if job.state in (ExportJob.State.DONE, ExportJob.State.FAILED):
                break
            time.sleep(0.05)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert job.state == ExportJob.State.DONE, (job.error, output[-3000:])
    assert seen == sorted(seen) and seen[-1] == 100
    workbook = load_workbook(job.file.path, read_only=True)
    assert [row[0] for row in workbook["Svar"].iter_rows(min_row=3, max_row=4, values_only=True)] == [
        "Alfa",
        "Beta",
    ]
