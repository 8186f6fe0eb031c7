"""A whole round by moving the clock: schedule → open → invitations → reminders to non-responders only →
close, asserting exactly which e-mails exist at each step."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from surveys.events import response_submitted
from surveys.models import AccessToken, OutboundEmail, Response, SurveyRound
from surveys.services import rounds, tokens
from tests import factories
from workers import tasks

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
OPENS = datetime(2026, 11, 2, 8, 0, tzinfo=STOCKHOLM)
DEADLINE = datetime(2026, 12, 2, 23, 0, tzinfo=STOCKHOLM)
LINK = re.compile(r"http://[^/\s]+/l/([\w-]{43})/")


@pytest.fixture
def world():
    version = factories.VersionFactory()
    alpha, beta, gamma = (
        factories.OrganisationFactory(name=n) for n in ("Alfa SDF", "Beta SDF", "Gamma SDF")
    )
    factories.ContactFactory(organisation=alpha, email="anna@alfa.se")
    factories.ContactFactory(organisation=alpha, email="arne@alfa.se")
    factories.ContactFactory(organisation=beta, email="berit@beta.se")
    factories.ContactFactory(organisation=gamma, email="gun@gamma.se")
    factories.ContactFactory(organisation=gamma, email="gammal@gamma.se", is_active=False)
    survey_round = rounds.round_create(
        version=version,
        year=2026,
        name="Preventionsindex mini",
        opens_at=OPENS,
        deadline=DEADLINE,
        organisation_ids=[alpha.pk, beta.pk, gamma.pk],
    )
    return survey_round, {o.name.split()[0].lower(): o for o in (alpha, beta, gamma)}


def run_tick(capture, at):
    """The beat's tick at a given moment, through Celery (eager), with its on-commit sends."""
    mail.outbox.clear()
    with time_machine.travel(at, tick=False), capture(execute=True):
        tasks.tick.delay()
    return sorted((m.subject.split(":")[0], m.to[0]) for m in mail.outbox)


def submit(assignment, at):
    with time_machine.travel(at, tick=False):
        response = assignment.response
        response.state, response.submitted_at, response.version = Response.State.SUBMITTED, timezone.now(), 3
        response.save()
        response_submitted(response)


def test_a_whole_round_by_the_clock(world, django_capture_on_commit_callbacks):
    survey_round, orgs = world
    assignments = {a.organisation.name.split()[0].lower(): a for a in survey_round.assignments.all()}
    rounds.round_schedule(survey_round=survey_round)

    # Before it opens nothing happens.
    assert run_tick(django_capture_on_commit_callbacks, OPENS - timedelta(minutes=1)) == []
    # It opens: one invitation per active contact, each with a working personal link.
    assert run_tick(django_capture_on_commit_callbacks, OPENS + timedelta(seconds=30)) == [
        ("Enkät", "anna@alfa.se"),
        ("Enkät", "arne@alfa.se"),
        ("Enkät", "berit@beta.se"),
        ("Enkät", "gun@gamma.se"),
    ]
    survey_round.refresh_from_db()
    assert survey_round.state == SurveyRound.State.OPEN
    invitations = OutboundEmail.objects.filter(kind="invitation")
    assert all(e.status == "sent" and e.key.startswith("invite:") for e in invitations)
    # The next minute sends nothing again.
    assert run_tick(django_capture_on_commit_callbacks, OPENS + timedelta(minutes=1)) == []

    # Beta submits and gets a receipt.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        submit(assignments["beta"], OPENS + timedelta(days=3))
    assert [(m.subject.split(":")[0], m.to[0]) for m in mail.outbox] == [("Kvitto", "berit@beta.se")]

    # 14 days before the deadline: Alfa and Gamma are reminded, Beta is not.
    first = [("Påminnelse", "anna@alfa.se"), ("Påminnelse", "arne@alfa.se"), ("Påminnelse", "gun@gamma.se")]
    assert run_tick(django_capture_on_commit_callbacks, DEADLINE - timedelta(days=14)) == first
    assert "Ni har inte börjat" in mail.outbox[0].body
    assert run_tick(django_capture_on_commit_callbacks, DEADLINE - timedelta(days=14, minutes=-1)) == []

    # Gamma submits; 7 and 2 days before, only Alfa is reminded.
    with django_capture_on_commit_callbacks(execute=True):
        submit(assignments["gamma"], DEADLINE - timedelta(days=10))
    only_alfa = [("Påminnelse", "anna@alfa.se"), ("Påminnelse", "arne@alfa.se")]
    assert run_tick(django_capture_on_commit_callbacks, DEADLINE - timedelta(days=7)) == only_alfa
    assert run_tick(django_capture_on_commit_callbacks, DEADLINE - timedelta(days=2)) == only_alfa

    # At the deadline the round closes (no grace period) and the "1 day after" step never goes out.
    assert run_tick(django_capture_on_commit_callbacks, DEADLINE + timedelta(minutes=1)) == []
    survey_round.refresh_from_db()
    assert survey_round.state == SurveyRound.State.CLOSED
    assert run_tick(django_capture_on_commit_callbacks, DEADLINE + timedelta(days=1, minutes=1)) == []

    keys = sorted(OutboundEmail.objects.filter(kind="reminder").values_list("step", "to_email"))
    assert keys == sorted(
        [(-14, "anna@alfa.se"), (-14, "arne@alfa.se"), (-14, "gun@gamma.se")]
        + [(s, e) for s in (-7, -2) for e in ("anna@alfa.se", "arne@alfa.se")]
    )
    assert OutboundEmail.objects.exclude(status="sent").count() == 0


def test_links_are_issued_at_send_time_and_only_their_hash_is_stored(
    world, django_capture_on_commit_callbacks
):
    survey_round, _ = world
    rounds.round_schedule(survey_round=survey_round)
    run_tick(django_capture_on_commit_callbacks, OPENS)
    message = next(m for m in mail.outbox if m.to == ["berit@beta.se"])
    raw = LINK.search(message.body).group(1)
    assert not AccessToken.objects.filter(token_hash=raw).exists()
    with time_machine.travel(OPENS + timedelta(hours=1), tick=False):
        token = tokens.resolve_token(raw)
    assert token.contact.email == "berit@beta.se" and token.assignment.organisation.name == "Beta SDF"
    row = OutboundEmail.objects.get(to_email="berit@beta.se")
    assert raw not in row.body and raw not in row.subject


def test_after_an_outage_only_the_latest_missed_reminder_is_sent_once(
    world, django_capture_on_commit_callbacks
):
    survey_round, _ = world
    rounds.round_schedule(survey_round=survey_round)
    run_tick(django_capture_on_commit_callbacks, OPENS)
    # The scheduler was down from the day after opening until a day before the deadline.
    sent = run_tick(django_capture_on_commit_callbacks, DEADLINE - timedelta(days=1))
    assert len(sent) == 4
    assert set(OutboundEmail.objects.filter(kind="reminder").values_list("step", flat=True)) == {-2}
    assert run_tick(django_capture_on_commit_callbacks, DEADLINE - timedelta(hours=23)) == []


def test_after_deadline_reminder_goes_out_during_the_grace_period(world, django_capture_on_commit_callbacks):
    survey_round, _ = world
    rounds.round_update(survey_round=survey_round, grace_hours=72)
    rounds.round_schedule(survey_round=survey_round)
    run_tick(django_capture_on_commit_callbacks, OPENS)
    run_tick(django_capture_on_commit_callbacks, DEADLINE - timedelta(days=2))
    sent = run_tick(django_capture_on_commit_callbacks, DEADLINE + timedelta(days=1))
    assert len(sent) == 4 and all(s == "Påminnelse" for s, _ in sent)
    assert "svara senast onsdag 2 december 2026 kl. 23.00" in mail.outbox[0].subject


def test_a_contact_added_while_open_is_invited_by_the_next_tick(world, django_capture_on_commit_callbacks):
    survey_round, orgs = world
    rounds.round_schedule(survey_round=survey_round)
    run_tick(django_capture_on_commit_callbacks, OPENS)
    factories.ContactFactory(organisation=orgs["beta"], email="ny@beta.se")
    assert run_tick(django_capture_on_commit_callbacks, OPENS + timedelta(days=1)) == [
        ("Enkät", "ny@beta.se")
    ]


def test_running_the_tick_twice_at_once_creates_each_email_once(world, django_capture_on_commit_callbacks):
    survey_round, _ = world
    rounds.round_schedule(survey_round=survey_round)
    with time_machine.travel(OPENS, tick=False):
        first = rounds.tick(now=OPENS)
        second = rounds.tick(now=OPENS)
    assert first["invitations"] == 4 and second["invitations"] == 0
    assert OutboundEmail.objects.count() == 4
