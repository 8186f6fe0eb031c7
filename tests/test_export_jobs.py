"""Export jobs: asked for over the API or the admin, built by the worker (eagerly here), downloaded only by
those allowed, reused while the round is unchanged, expired by the housekeeping task."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from surveys.models import ExportJob
from surveys.services import export_jobs
from tests import factories
from tests.export_world import index_round
from workers import tasks

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world():
    return index_round()


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def ask(client, survey_round, capture):
    with capture(execute=True):
        return client.post(f"/api/rounds/{survey_round.pk}/exports/")


def test_coordinator_asks_polls_and_downloads_the_workbook(api, world, django_capture_on_commit_callbacks):
    response = ask(api, world["round"], django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    job = api.get(f"/api/exports/{response.json()['id']}/").json()
    assert (job["state"], job["progress"], job["error"]) == ("done", 100, "")
    assert job["requested_by"] == "coord" and job["year"] == 2026
    download = api.get(job["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert 'attachment; filename="preventionsindex-mini-2026-export-' in download["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook["Svar"]["A3"].value == "Alfa"
    overview = {row[0]: row[1] for row in workbook["Översikt"].iter_rows(values_only=True)}
    assert overview["Skapad av"] == "coord"
    listed = api.get(f"/api/rounds/{world['round'].pk}/exports/").json()
    assert [j["id"] for j in listed["results"]] == [job["id"]]


def test_reader_may_ask_for_and_download_a_workbook(reader, world, django_capture_on_commit_callbacks):
    client = client_for(reader)
    response = ask(client, world["round"], django_capture_on_commit_callbacks)
    assert response.status_code == 202
    job = client.get(f"/api/exports/{response.json()['id']}/").json()
    assert client.get(job["download_url"]).status_code == 200


@pytest.mark.parametrize("who", ["respondent", "anonymous"])
def test_respondents_and_strangers_never_get_the_file(who, api, world, django_capture_on_commit_callbacks):
    job_id = ask(api, world["round"], django_capture_on_commit_callbacks).json()["id"]
    user = factories.UserFactory(role="respondent", username="resp") if who == "respondent" else None
    client = client_for(user)
    for url in (f"/api/exports/{job_id}/download/", f"/api/exports/{job_id}/", "/api/exports/"):
        response = client.get(url)
        assert response.status_code in (401, 403), url
        assert not response.content.startswith(b"PK")
    assert client.post(f"/api/rounds/{world['round'].pk}/exports/").status_code in (401, 403)
    assert ExportJob.objects.count() == 1


def test_unknown_job_or_round_is_404(api):
    assert api.get("/api/exports/999999/download/").status_code == 404
    assert api.post("/api/rounds/999999/exports/").status_code == 404
    assert api.get("/api/rounds/999999/exports/").status_code == 404


def test_round_id_beyond_the_database_range_is_404(api):
    assert api.get("/api/rounds/1113858498428263333888/exports/").status_code == 404


def test_asking_twice_for_an_unchanged_round_reuses_the_file(api, world, django_capture_on_commit_callbacks):
    first = ask(api, world["round"], django_capture_on_commit_callbacks)
    second = ask(api, world["round"], django_capture_on_commit_callbacks)
    assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
    assert ExportJob.objects.count() == 1
    answer = world["assignments"][1].response.answers.first()
    answer.value = "ja"
    answer.save()
    third = ask(api, world["round"], django_capture_on_commit_callbacks)
    assert third.status_code == 202 and third.json()["id"] != first.json()["id"]
    assert ExportJob.objects.filter(state="done").count() == 2


def test_a_queued_job_is_reused_rather_than_queued_again(coordinator, world):
    job, created = export_jobs.request_export(survey_round=world["round"], user=coordinator)
    again, created_again = export_jobs.request_export(survey_round=world["round"], user=coordinator)
    assert created and not created_again and again == job and job.state == "queued"


def test_an_expired_file_is_not_reused(coordinator, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job, _ = export_jobs.request_export(survey_round=world["round"], user=coordinator)
    later = timezone.now() + timedelta(days=31)
    again, created = export_jobs.request_export(survey_round=world["round"], user=coordinator, now=later)
    assert created and again != job


def test_a_failed_job_records_a_readable_error(api, world, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise ValueError("disken är full")

    monkeypatch.setattr(export_jobs, "build_round_workbook", broken)
    job_id = ask(api, world["round"], django_capture_on_commit_callbacks).json()["id"]
    job = api.get(f"/api/exports/{job_id}/").json()
    assert job["state"] == "failed"
    assert job["error"] == "Exporten kunde inte byggas (ValueError): disken är full"
    assert "Traceback" not in job["error"]
    assert job["download_url"] is None
    assert api.get(f"/api/exports/{job_id}/download/").status_code == 409


def test_progress_moves_from_start_to_100_in_steps(coordinator):
    world = index_round(organisations=30)
    job, _ = export_jobs.request_export(survey_round=world["round"], user=coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert tasks.build_export(job.pk) == "done"
    seen = [int(n) for q in queries.captured_queries for n in re.findall(r'"progress" = (\d+)', q["sql"])]
    assert seen[0] == 1 and seen[-1] == 100
    assert seen == sorted(seen) and len(set(seen)) >= 5


def test_a_job_is_built_once_even_if_the_task_runs_twice(coordinator, world):
    job, _ = export_jobs.request_export(survey_round=world["round"], user=coordinator)
    assert tasks.build_export(job.pk) == "done"
    name = ExportJob.objects.get(pk=job.pk).file.name
    assert tasks.build_export(job.pk) == "done"
    assert ExportJob.objects.get(pk=job.pk).file.name == name
    assert len(default_storage.listdir(name.rsplit("/", 1)[0])[1]) == 1


def test_housekeeping_deletes_expired_files_and_keeps_the_record(
    api, world, django_capture_on_commit_callbacks
):
    job_id = ask(api, world["round"], django_capture_on_commit_callbacks).json()["id"]
    name = ExportJob.objects.get(pk=job_id).file.name
    assert default_storage.exists(name)
    assert export_jobs.expire_exports(now=timezone.now() + timedelta(days=29)) == 0
    assert export_jobs.expire_exports(now=timezone.now() + timedelta(days=31)) == 1
    assert not default_storage.exists(name)
    assert api.get(f"/api/exports/{job_id}/").json()["state"] == "expired"
    assert api.get(f"/api/exports/{job_id}/download/").status_code == 410


def test_housekeeping_task_is_scheduled(settings):
    assert settings.CELERY_BEAT_SCHEDULE["expire-exports"]["task"] == "workers.tasks.expire_exports"
    assert tasks.expire_exports() == 0


def test_admin_action_asks_for_a_workbook(client, world, django_capture_on_commit_callbacks):
    admin = factories.UserFactory(role="admin", username="sysadmin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/surveys/surveyround/",
            {"action": "request_workbook", "_selected_action": [world["round"].pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert "är beställd" in response.content.decode()
    job = ExportJob.objects.get()
    assert (job.state, job.requested_by) == ("done", admin)
    listing = client.get("/admin/surveys/exportjob/").content.decode()
    assert f"/api/exports/{job.pk}/download/" in listing
    assert client.get(f"/api/exports/{job.pk}/download/").status_code == 200


def test_job_list_queries_do_not_grow_with_the_number_of_jobs(api, world, django_assert_max_num_queries):
    for _ in range(15):
        factories.ExportJobFactory(round=world["round"], requested_by=factories.UserFactory())
    with django_assert_max_num_queries(3):
        response = api.get("/api/exports/")
    assert response.json()["count"] == 15
    with django_assert_max_num_queries(3):
        assert api.get(f"/api/rounds/{world['round'].pk}/exports/").json()["count"] == 15


def test_a_file_missing_from_the_storage_answers_gone_not_an_error(
    api, world, django_capture_on_commit_callbacks
):
    job_id = ask(api, world["round"], django_capture_on_commit_callbacks).json()["id"]
    default_storage.delete(ExportJob.objects.get(pk=job_id).file.name)
    assert api.get(f"/api/exports/{job_id}/download/").status_code == 410


def test_the_tick_hands_a_stalled_export_to_a_worker_again(world, django_capture_on_commit_callbacks):
    """A queued job whose message was lost with Redis, and a running job whose worker was killed, stop
    reporting progress; the tick sends them to a worker again and they finish. A job that is still
    reporting progress is left alone."""
    from surveys.services.rounds import tick

    survey_round = world["round"]
    now = timezone.now()
    long_ago = now - timedelta(minutes=30)
    lost = factories.ExportJobFactory(round=survey_round, state="queued", heartbeat_at=long_ago)
    killed = factories.ExportJobFactory(
        round=survey_round, state="running", progress=40, heartbeat_at=long_ago
    )
    busy = factories.ExportJobFactory(round=survey_round, state="running", progress=40, heartbeat_at=now)

    with django_capture_on_commit_callbacks(execute=True):
        counts = tick(now=now)

    assert counts["exports_redispatched"] == 2
    for job in (lost, killed, busy):
        job.refresh_from_db()
    assert (lost.state, killed.state) == ("done", "done")
    assert default_storage.exists(lost.file.name) and default_storage.exists(killed.file.name)
    assert (busy.state, busy.progress) == ("running", 40)


def _rename_organisation(world):
    organisation = world["assignments"][0].organisation
    organisation.name = "Alfa stadsdelsförvaltning"
    organisation.save()


def _change_question(world):
    question = world["questions"]["ORG_1"]
    question.text = "Finns en antagen plan?"
    question.save()


def _change_option(world):
    option = world["questions"]["ORG_2"].options.get(code="ofta")
    option.label = "Varje vecka"
    option.save()


def _change_scheme(world):
    from surveys.models import ScoringCategory, ScoringRule

    ScoringRule.objects.filter(question=world["questions"]["ORG_1"]).update(points=3)
    ScoringCategory.objects.filter(code="struktur").update(name="Struktur och ledning")


def _confirm_prefilled(world):
    from surveys.models import Answer

    Answer.objects.filter(response=world["assignments"][0].response).update(prefilled=True)


def _extend_one_deadline(world):
    assignment = world["assignments"][1]
    assignment.deadline_override = world["round"].deadline + timedelta(days=7)
    assignment.save()


def _change_state(world):
    response = world["assignments"][1].response
    response.state = "reopened"
    response.save()


def _change_result(world):
    from surveys.models import IndexResult

    IndexResult.objects.filter(assignment=world["assignments"][0]).update(rank=2)


def _rename_round(world):
    world["round"].name = "PI mini (höst)"
    world["round"].save()


def _change_plan_row(world):
    from tests.export_world import activity_round

    survey_round = activity_round()
    before = export_jobs.round_fingerprint(survey_round)
    question = survey_round.version.questions.filter(activity__isnull=False).first()
    question.activity.title = "Kontrollköp av tobak"
    question.activity.save()
    return survey_round, before


@pytest.mark.parametrize(
    "change",
    [
        _rename_organisation,
        _change_question,
        _change_option,
        _change_scheme,
        _confirm_prefilled,
        _extend_one_deadline,
        _change_state,
        _change_result,
        _rename_round,
    ],
)
def test_any_change_the_workbook_shows_gives_a_new_file(world, change):
    """The 'unchanged round' check covers everything the workbook shows: after a rename the old file
    (kept 30 days) must not be served again."""
    before = export_jobs.round_fingerprint(world["round"])
    assert export_jobs.round_fingerprint(world["round"]) == before, "unchanged round, same fingerprint"
    change(world)
    world["round"].refresh_from_db()
    assert export_jobs.round_fingerprint(world["round"]) != before


def test_a_renamed_plan_row_gives_a_new_file(db):
    survey_round, before = _change_plan_row(None)
    assert export_jobs.round_fingerprint(survey_round) != before


def test_a_renamed_organisation_is_not_served_the_old_file(api, world, django_capture_on_commit_callbacks):
    first = ask(api, world["round"], django_capture_on_commit_callbacks).json()
    _rename_organisation(world)
    second = ask(api, world["round"], django_capture_on_commit_callbacks).json()
    assert second["id"] != first["id"]
    job = ExportJob.objects.get(pk=second["id"])
    names = [r[0] for r in load_workbook(job.file.open("rb"))["Svar"].iter_rows(min_row=3, values_only=True)]
    assert "Alfa stadsdelsförvaltning" in names
