"""Header text that cannot break an e-mail, failed e-mails that can be sent again once fixed, receipts that
go out promptly after a broker outage, exports that say when they stalled, and health endpoints that say
what is really down."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from surveys.models import Heartbeat, OutboundEmail, Response, SurveyRound
from surveys.services import health, outbox, rounds
from tests import factories
from workers import heartbeat

pytestmark = pytest.mark.django_db
BREAKS = ["Enkät\n2026", "Enkät\r\nBcc: x@example.se", "Enkät\u20282026", "Enkät\x0b2026", "Enkät\x852026"]


@pytest.mark.parametrize("name", BREAKS)
def test_round_name_with_a_line_break_is_refused_at_input(api, name):
    survey_round = factories.SurveyRoundFactory()
    reply = api.patch(f"/api/rounds/{survey_round.pk}/", {"name": name}, format="json")
    assert reply.status_code == 400 and "radbrytningar" in str(reply.json())
    version = factories.VersionFactory()
    created = api.post(
        "/api/rounds/",
        {
            "version": version.pk,
            "year": 2026,
            "name": name,
            "opens_at": timezone.now().isoformat(),
            "deadline": (timezone.now() + timedelta(days=30)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 400 and "radbrytningar" in str(created.json()["name"])


@pytest.mark.parametrize("field", ["invitation_subject", "reminder_subject"])
def test_subject_template_with_a_line_break_is_refused(api, field):
    survey_round = factories.SurveyRoundFactory()
    reply = api.patch(f"/api/rounds/{survey_round.pk}/", {field: "Hej\n{round}"}, format="json")
    assert reply.status_code == 400 and field in reply.json()


def test_contact_and_organisation_names_with_a_line_break_are_refused(api):
    organisation = factories.OrganisationFactory()
    reply = api.post(
        "/api/contacts/",
        {"organisation": organisation.pk, "name": "Anna\nBcc: x@example.se", "email": "anna@example.se"},
        format="json",
    )
    assert reply.status_code == 400 and "name" in reply.json()
    reply = api.post(
        "/api/organisations/", {"name": "Skol\r\nförvaltningen", "kind": "forvaltning"}, format="json"
    )
    assert reply.status_code == 400 and "name" in reply.json()


def _submitted_response():
    assignment = factories.AssignmentFactory()
    contact = factories.ContactFactory(organisation=assignment.organisation, email="anna@example.se")
    Response.objects.filter(assignment=assignment).update(
        state="submitted", submitted_at=timezone.now(), version=1
    )
    response = Response.objects.select_related("assignment__round", "assignment__organisation").get(
        assignment=assignment
    )
    return response, contact


def test_failed_receipt_is_sent_with_the_fixed_round_name_when_retried(
    api, django_capture_on_commit_callbacks
):
    response, contact = _submitted_response()
    survey_round = response.assignment.round
    SurveyRound.objects.filter(pk=survey_round.pk).update(name="Trasig\nrubrik")  # stored before the rule
    outbox.queue_receipt(response=response)
    row = OutboundEmail.objects.get(kind="receipt")
    OutboundEmail.objects.filter(pk=row.pk).update(status="failed", last_error="BadHeaderError")
    SurveyRound.objects.filter(pk=survey_round.pk).update(name="Preventionsindex")  # the cause is fixed
    with django_capture_on_commit_callbacks(execute=True):
        reply = api.post(f"/api/emails/{row.pk}/retry/")
    assert reply.status_code in (200, 202), reply.content
    row.refresh_from_db()
    assert row.status == "sent"
    assert mail.outbox[-1].subject == f"Kvitto: Preventionsindex {survey_round.year} är inskickad"
    assert "Preventionsindex" in mail.outbox[-1].body


def test_a_line_break_stored_before_the_rule_cannot_fail_a_receipt(django_capture_on_commit_callbacks):
    response, _ = _submitted_response()
    SurveyRound.objects.filter(pk=response.assignment.round_id).update(name="Gammal\nrubrik")
    response.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.send_receipt(response=Response.objects.select_related("assignment__round").get(pk=response.pk))
    assert OutboundEmail.objects.get(kind="receipt").status == "sent"
    assert "\n" not in mail.outbox[-1].subject


# --------------------------------------------------------------------------------------------------
# A broker outage: what could not be handed over is due again at once
# --------------------------------------------------------------------------------------------------


def test_receipt_of_a_submission_during_a_broker_outage_goes_out_at_the_next_tick(
    django_capture_on_commit_callbacks,
):
    response, contact = _submitted_response()
    with mock.patch("workers.tasks.send_emails.delay", side_effect=BrokerDown("redis down")):
        with django_capture_on_commit_callbacks(execute=True):
            outbox.send_receipt(response=response)
    row = OutboundEmail.objects.get(kind="receipt")
    assert row.status == "pending" and row.next_attempt_at <= timezone.now()
    assert mail.outbox == []
    # The broker is back: the very next tick (a minute later, not ten) sends it.
    with django_capture_on_commit_callbacks(execute=True):
        rounds.tick(now=timezone.now() + timedelta(seconds=60))
    row.refresh_from_db()
    assert row.status == "sent" and [m.to for m in mail.outbox] == [[contact.email]]


# --------------------------------------------------------------------------------------------------
# Exports whose worker died
# --------------------------------------------------------------------------------------------------


def test_export_whose_worker_died_shows_stalled_not_running(api, settings):
    settings.EXPORT_STALLED_SECONDS = 120
    job = factories.ExportJobFactory(
        state="running", progress=20, heartbeat_at=timezone.now() - timedelta(minutes=3)
    )
    fresh = factories.ExportJobFactory(state="running", progress=40, heartbeat_at=timezone.now())
    data = {j["id"]: j for j in api.get(f"/api/rounds/{job.round_id}/exports/").json()["results"]}
    data.update({j["id"]: j for j in api.get(f"/api/rounds/{fresh.round_id}/exports/").json()["results"]})
    assert data[job.pk]["stalled"] is True and "står still" in data[job.pk]["status_text"]
    assert data[fresh.pk]["stalled"] is False and data[fresh.pk]["status_text"] == "Pågår (40 %)"


# --------------------------------------------------------------------------------------------------
# Health endpoints
# --------------------------------------------------------------------------------------------------


def test_liveness_answers_without_the_database(client):
    with mock.patch("surveys.views_health.check_database", side_effect=AssertionError("not asked")):
        assert client.get("/healthz/live").json() == {"status": "ok"}


def test_readiness_stays_200_while_only_redis_is_down(client):
    from backend.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        ready, alias = client.get("/healthz/ready"), client.get("/healthz")
    finally:
        app.conf.broker_url = original
    for reply in (ready, alias):
        assert reply.status_code == 200
        assert reply.json()["database"] == "ok" and reply.json()["broker"] == "down"


def test_status_shows_a_dead_worker_and_a_dead_scheduler_as_stale(client, settings):
    settings.SCHEDULER_STALE_SECONDS, settings.WORKER_STALE_SECONDS = 180, 120
    assert client.get("/healthz/status").status_code == 503  # nothing has ever run
    rounds.tick()
    heartbeat.beat_once("worker:w1@host")
    heartbeat.beat_once("worker:w2@host")
    body = client.get("/healthz/status").json()
    assert body["status"] == "ok" and body["scheduler"]["state"] == "ok"
    assert [w["state"] for w in body["workers"]] == ["ok", "ok"]
    old = timezone.now() - timedelta(minutes=5)
    Heartbeat.objects.filter(name="worker:w2@host").update(last_seen_at=old)
    reply = client.get("/healthz/status")
    assert reply.status_code == 503
    assert {w["name"]: w["state"] for w in reply.json()["workers"]} == {
        "worker:w1@host": "ok",
        "worker:w2@host": "stale",
    }
    Heartbeat.objects.filter(name=health.TICK).update(last_seen_at=old)
    assert Client().get("/healthz/status").json()["scheduler"]["state"] == "stale"


def test_a_worker_that_stops_cleanly_is_no_longer_expected():
    class Sender:
        hostname = "w3@host"

    heartbeat.beat_once(heartbeat.worker_name(Sender.hostname))
    heartbeat.stop_heartbeat(sender=Sender())
    assert not Heartbeat.objects.filter(name="worker:w3@host").exists()
