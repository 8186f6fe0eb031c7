"""The docker-compose topology, tested without Docker: migrate, web (gunicorn), worker and scheduler
(Celery beat) start with the commands and environment of docker-compose.yml and .env.example, against
PostgreSQL, a private Redis and an SMTP server in the test. A small round then runs end to end through
them over HTTP: the coordinator schedules it, the scheduler opens it and the worker sends invitations,
one organisation answers through its e-mailed link, the other is reminded, the coordinator downloads
the workbook."""

import io
import time
from datetime import timedelta

import openpyxl
import pytest
import requests
from django.utils import timezone
from rest_framework.authtoken.models import Token

from tests import factories
from tests.support.stack import answer_and_submit, compose_services, link_in, running_stack

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_compose_file_describes_the_topology():
    services = compose_services()
    assert {"postgres", "redis", "migrate", "web", "worker", "scheduler", "mailpit"} <= set(services)
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "backend", "worker"]
    assert services["scheduler"]["command"][:4] == ["celery", "-A", "backend", "beat"]
    assert services["scheduler"]["deploy"]["replicas"] == 1, "exactly one scheduler"
    for name in ("web", "worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["environment"]["DEBUG"] == "false"
    assert "healthcheck" in services["web"] and "healthcheck" in services["postgres"]


def small_round_world():
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, order=1, title="Struktur")
    factories.QuestionFactory(
        version=version,
        section=section,
        order=1,
        code="PLAN",
        type="yes_no",
        required=True,
        text="Finns en antagen plan?",
    )
    factories.QuestionFactory(
        version=version,
        section=section,
        order=2,
        code="KOMMENTAR",
        type="text",
        required=False,
        text="Kommentar",
    )
    org_a = factories.OrganisationFactory(name="Bromma stadsdelsförvaltning")
    org_b = factories.OrganisationFactory(name="Kista stadsdelsförvaltning")
    contact_a = factories.ContactFactory(organisation=org_a, email="anna@bromma.example.se")
    contact_b = factories.ContactFactory(organisation=org_b, email="bo@kista.example.se")
    coordinator = factories.UserFactory(role="coordinator", username="samordnare")
    token = Token.objects.create(user=coordinator)
    return version, org_a, org_b, contact_a, contact_b, {"Authorization": f"Token {token.key}"}


def test_a_round_runs_end_to_end_through_the_compose_services(postgres):
    version, org_a, org_b, contact_a, contact_b, staff = small_round_world()
    with running_stack(postgres, prefix="arsrunda-compose-") as (stack, smtp, _redis):
        api = requests.Session()
        api.headers.update(staff)
        assert api.get(f"{stack.base}/healthz", timeout=10).status_code == 200
        run_round(stack, smtp, version, org_a, org_b, contact_a, contact_b, api)


def run_round(stack, smtp, version, org_a, org_b, contact_a, contact_b, api):

    # The coordinator creates and schedules the round; it opens on the next tick.
    now = timezone.now()
    created = api.post(
        f"{stack.base}/api/rounds/",
        json={
            "version": version.pk,
            "year": now.year,
            "name": "Uppföljning",
            "opens_at": (now - timedelta(minutes=1)).isoformat(),
            "deadline": (now + timedelta(hours=23)).isoformat(),
            "organisations": [org_a.pk, org_b.pk],
            "reminder_offsets": [-1],
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    round_id = created.json()["id"]
    assert api.post(f"{stack.base}/api/rounds/{round_id}/schedule/", timeout=10).status_code == 200

    invitation_a = smtp.wait_for(lambda m: contact_a.email in m["to"], what="invitation to A")[0]
    smtp.wait_for(lambda m: contact_b.email in m["to"], what="invitation to B")

    # Organisation A answers through its link, over HTTP, with CSRF and a session like a browser.
    overview, submitted = answer_and_submit(
        stack.base,
        link_in(invitation_a["body"]),
        {"q_PLAN": "ja", "q_KOMMENTAR": '=HYPERLINK("http://x")'},
    )
    assert "Bromma" in overview.text
    assert submitted.url.endswith("/kvitto/") and "Finns en antagen plan?" in submitted.text
    smtp.wait_for(
        lambda m: contact_a.email in m["to"] and len(smtp.to(contact_a.email)) == 2,
        what="receipt to A",
    )

    # The coordinator moves the deadline, then sends a reminder now: it reaches B only (A has
    # submitted). Planned reminders go out at the reminder hour on their day (tests/test_deadlines.py).
    extended = api.post(
        f"{stack.base}/api/rounds/{round_id}/extend/",
        json={"deadline": (timezone.now() + timedelta(days=1, seconds=4)).isoformat()},
        timeout=10,
    )
    assert extended.status_code == 200, extended.text
    reminded = api.post(f"{stack.base}/api/rounds/{round_id}/remind/", json={}, timeout=10)
    assert reminded.status_code == 200, reminded.text
    smtp.wait_for(lambda m: len(smtp.to(contact_b.email)) == 2, what="reminder to B")

    progress = api.get(f"{stack.base}/api/rounds/{round_id}/", timeout=10).json()["progress"]
    assert progress["submitted"] == 1 and progress["total"] == 2

    download_and_check_workbook(api, stack.base, round_id)

    assert len(smtp.to(contact_a.email)) == 2, "A: invitation and receipt, no reminder"
    assert len(smtp.to(contact_b.email)) == 2, "B: invitation and one reminder"


def download_and_check_workbook(api, base, round_id):
    """The export runs on the worker; the finished file downloads through the API."""
    requested = api.post(f"{base}/api/rounds/{round_id}/exports/", timeout=10)
    assert requested.status_code in (200, 201, 202), requested.text
    job = requested.json()
    for _ in range(120):
        job = api.get(f"{base}/api/exports/{job['id']}/", timeout=10).json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.5)
    assert job["state"] == "done", job
    download = api.get(job["download_url"], timeout=30)
    assert download.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True)
    rows = list(workbook["Svar"].iter_rows(values_only=True))
    flat = [str(v) for row in rows for v in row if v is not None]
    assert "Bromma stadsdelsförvaltning" in flat
    assert '=HYPERLINK("http://x")' in flat, "typed text comes back as text, not as a formula"
