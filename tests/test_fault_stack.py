"""Faults in the running stack (the docker-compose services, run natively; see tests/support/stack.py).

- The worker is killed with SIGKILL while it builds a workbook: after a restart the export completes
  and downloads with every organisation in it.
- Redis is stopped (losing every queued message: compose runs it without persistence) while a round is
  open: a respondent still answers and submits meanwhile; when Redis is back the receipt goes out, the
  reminder that fell due is sent once to each person who has not answered, and nobody is invited twice."""

import io
import time
from datetime import timedelta

import openpyxl
import pytest
import requests
from django.utils import timezone
from rest_framework.authtoken.models import Token

from surveys.models import Answer, Assignment, ExportJob, Organisation, OutboundEmail, Response
from tests import factories
from tests.support.stack import answer_and_submit, link_in, running_stack

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ORGANISATIONS = 600
QUESTIONS = 60


def wait_until(predicate, *, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout}s")


def staff_session():
    coordinator = factories.UserFactory(role="coordinator", username="samordnare")
    session = requests.Session()
    session.headers["Authorization"] = f"Token {Token.objects.create(user=coordinator).key}"
    return session


def closed_round_with_answers():
    """A closed round of ORGANISATIONS × QUESTIONS answers: big enough that the build takes seconds."""
    version = factories.VersionFactory()
    section = factories.SectionFactory(version=version, order=1)
    questions = [
        factories.QuestionFactory(version=version, section=section, order=n, code=f"Q{n}", type="integer")
        for n in range(QUESTIONS)
    ]
    survey_round = factories.SurveyRoundFactory(version=version, state="closed")
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Organisation {n:04}", kind="forvaltning") for n in range(ORGANISATIONS)
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(round=survey_round, organisation=o) for o in organisations
    )
    now = timezone.now()
    responses = Response.objects.bulk_create(
        Response(assignment=a, state="submitted", submitted_at=now, version=1) for a in assignments
    )
    Answer.objects.bulk_create(
        (Answer(response=r, question=q, value=n) for r in responses for n, q in enumerate(questions)),
        batch_size=5000,
    )
    return survey_round


def test_worker_killed_mid_export_then_restarted_completes_the_export(postgres):
    survey_round = closed_round_with_answers()
    api = staff_session()
    with running_stack(
        postgres,
        prefix="arsrunda-fault-export-",
        extra_env={"EXPORT_STALE_SECONDS": "4", "TICK_SECONDS": "1"},
    ) as (stack, smtp, redis):
        job = api.post(f"{stack.base}/api/rounds/{survey_round.pk}/exports/", timeout=10).json()
        running = wait_until(
            lambda: ExportJob.objects.filter(pk=job["id"], state="running", progress__gte=5).first(),
            timeout=60,
            what="the export reaching 5 %",
        )
        stack.kill("worker")
        running.refresh_from_db()
        assert running.state == "running" and running.progress < 100, "killed before it finished"

        time.sleep(2)
        stack.start("worker")
        done = wait_until(
            lambda: ExportJob.objects.filter(pk=job["id"], state="done").first(),
            timeout=120,
            what="the export finishing after the restart",
        )
        assert "stalled" in stack.log("worker") + stack.log("scheduler")
        download = api.get(f"{stack.base}/api/exports/{done.pk}/download/", timeout=60)
        assert download.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(download.content), read_only=True)["Svar"]
        names = {row[0] for row in sheet.iter_rows(min_row=3, values_only=True)}
        assert len(names) == ORGANISATIONS


def test_redis_restart_during_an_open_round_loses_no_reminder(postgres):
    now = timezone.now()
    version = factories.VersionFactory()
    factories.QuestionFactory(version=version, code="PLAN", type="yes_no")
    survey_round = factories.SurveyRoundFactory(
        version=version,
        state="scheduled",
        opens_at=now - timedelta(minutes=1),
        deadline=now + timedelta(hours=23),
        reminder_offsets=[-1],
    )
    people = []
    for n in range(6):
        assignment = factories.AssignmentFactory(round=survey_round)
        people.append(
            factories.ContactFactory(organisation=assignment.organisation, email=f"person{n}@example.se")
        )
    api = staff_session()
    with running_stack(
        postgres,
        prefix="arsrunda-fault-redis-",
        extra_env={"TICK_SECONDS": "1", "OUTBOX_REDISPATCH_SECONDS": "5"},
    ) as (stack, smtp, redis):
        smtp.wait_for(lambda m: len(smtp.messages) >= len(people), what="the invitations")

        # Redis goes away; meanwhile a respondent submits and the coordinator sends a reminder to
        # everyone who has not answered (planned reminders go out at the reminder hour on their day).
        redis.stop()
        answered = people[0]
        answer_and_submit(stack.base, link_in(smtp.to(answered.email)[0]["body"]), {"q_PLAN": "ja"})
        reminded_now = api.post(f"{stack.base}/api/rounds/{survey_round.pk}/remind/", json={}, timeout=10)
        assert reminded_now.status_code == 200, reminded_now.text
        time.sleep(6)
        assert len(smtp.messages) == len(people), "nothing can be sent while Redis is down"
        redis.start()

        smtp.wait_for(
            lambda m: len(smtp.messages) >= 2 * len(people),
            timeout=120,
            what="the reminders after Redis came back",
        )
        time.sleep(3)  # a few more ticks: nothing more may arrive
        for person in people:
            subjects = [m["subject"] for m in smtp.to(person.email)]
            assert len(subjects) == 2, (person.email, subjects)
        sent = OutboundEmail.objects.filter(status="sent")
        assert sent.filter(kind="invitation").count() == len(people)
        assert sent.filter(kind="receipt").get().to_email == answered.email, "submitted while Redis was down"
        reminded = set(sent.filter(kind="reminder").values_list("to_email", flat=True))
        assert reminded == {p.email for p in people[1:]}, "everyone but the one who answered, once each"
