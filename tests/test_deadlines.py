"""What a deadline means and when reminders go out: a date alone is the end of that day in Stockholm;
every page and e-mail shows weekday, date and time; reminders go at the reminder hour on weekdays,
across summer time; "days left" counts calendar days and each organisation's own deadline."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from surveys.models import OutboundEmail, SurveyRound
from surveys.selectors import calendar_days_left, round_progress
from surveys.services import deadlines, email_templates, responses, rounds
from surveys.services.tokens import issue_token
from tests import factories
from workers import tasks

pytestmark = pytest.mark.django_db
STOCKHOLM = ZoneInfo("Europe/Stockholm")
UTC = ZoneInfo("UTC")


def local(*args):
    return datetime(*args, tzinfo=STOCKHOLM)


def test_a_date_only_deadline_is_the_end_of_that_day_in_stockholm():
    assert deadlines.deadline_from_date(date(2026, 12, 2)) == local(2026, 12, 2, 23, 59, 59)
    # in summer time too: 23:59:59 CEST is 21:59:59 UTC
    assert deadlines.deadline_from_date(date(2026, 6, 30)).astimezone(UTC).hour == 21


def test_the_api_reads_a_date_only_deadline_as_the_end_of_the_day(api):
    organisation = factories.OrganisationFactory()
    version = factories.VersionFactory()
    created = api.post(
        "/api/rounds/",
        {
            "version": version.pk,
            "year": 2026,
            "opens_at": "2026-11-02T08:00:00+01:00",
            "deadline": "2026-12-02",
            "organisations": [organisation.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    survey_round = SurveyRound.objects.get(pk=created.json()["id"])
    assert survey_round.deadline == local(2026, 12, 2, 23, 59, 59)
    # The last day is a whole day: a draft can still be changed at 23:30 that evening.
    assignment = survey_round.assignments.get()
    response = responses.response_for_assignment(assignment)
    SurveyRound.objects.filter(pk=survey_round.pk).update(state=SurveyRound.State.OPEN)
    response.refresh_from_db()
    with time_machine.travel(local(2026, 12, 2, 23, 30), tick=False):
        assert responses.is_editable(response)
    extended = api.post(
        f"/api/assignments/{assignment.pk}/extend/", {"deadline": "2026-12-09"}, format="json"
    )
    assert extended.status_code in (200, 201), extended.content
    assignment.refresh_from_db()
    assert assignment.deadline_override == local(2026, 12, 9, 23, 59, 59)
    bad = api.post(f"/api/rounds/{survey_round.pk}/extend/", {"deadline": "2026-13-40"}, format="json")
    assert bad.status_code == 400 and "deadline" in bad.json()


def test_deadlines_are_shown_with_weekday_date_and_time():
    assert deadlines.format_deadline(local(2026, 12, 2, 23, 59, 59)) == "onsdag 2 december 2026 kl. 23.59"
    assert deadlines.format_deadline(local(2026, 6, 1, 8, 5).astimezone(UTC)) == "måndag 1 juni 2026 kl. 08.05"


def test_invitation_reminder_and_overview_say_senast_with_the_time(settings):
    organisation = factories.OrganisationFactory(name="Bromma")
    contact = factories.ContactFactory(organisation=organisation)
    survey_round = factories.SurveyRoundFactory(
        deadline=local(2026, 12, 2, 23, 59, 59), opens_at=local(2026, 11, 1, 8)
    )
    assignment = factories.AssignmentFactory(round=survey_round, organisation=organisation)
    for kind in ("invitation", "reminder"):
        subject, body = email_templates.render(
            kind, survey_round=survey_round, assignment=assignment, link="L"
        )
        assert "senast onsdag 2 december 2026 kl. 23.59" in body, kind
    client = Client()
    with time_machine.travel(local(2026, 11, 30, 12), tick=False):
        assert client.get(f"/l/{issue_token(assignment=assignment, contact=contact)}/").status_code == 302
        html = client.get(f"/enkat/{assignment.pk}/").content.decode()
    assert "senast onsdag 2 december 2026 kl. 23.59" in html
    assert "2 dagar kvar" in html


def test_an_organisations_own_deadline_is_the_one_it_is_shown_and_reminded_of():
    survey_round = factories.SurveyRoundFactory(
        deadline=local(2026, 12, 2, 23, 59, 59), opens_at=local(2026, 11, 1, 8)
    )
    assignment = factories.AssignmentFactory(round=survey_round, deadline_override=local(2026, 12, 9, 23, 59, 59))
    _, body = email_templates.render("reminder", survey_round=survey_round, assignment=assignment, link="L")
    assert "onsdag 9 december 2026 kl. 23.59" in body
    assert calendar_days_left(assignment.deadline, now=local(2026, 12, 2, 12)) == 7


def test_days_left_counts_calendar_days_in_stockholm():
    deadline = local(2026, 12, 2, 23, 59, 59)
    assert calendar_days_left(deadline, now=local(2026, 12, 1, 23, 0)) == 1  # hours/24 would say 2
    assert calendar_days_left(deadline, now=local(2026, 12, 2, 0, 30)) == 0
    assert calendar_days_left(deadline, now=local(2026, 12, 3, 9)) == 0
    # across the end of summer time (25 October 2026) a day is still a day
    assert calendar_days_left(local(2026, 10, 28, 8), now=local(2026, 10, 24, 9)) == 4
    survey_round = factories.SurveyRoundFactory(deadline=deadline, opens_at=local(2026, 11, 1, 8))
    factories.AssignmentFactory(round=survey_round)
    assert round_progress(survey_round, now=local(2026, 12, 1, 23, 0))["days_left"] == 1


def test_the_assignments_api_gives_each_organisations_own_days_left(api):
    survey_round = factories.SurveyRoundFactory(deadline=timezone.now() + timedelta(days=3), opens_at=timezone.now())
    late = factories.AssignmentFactory(
        round=survey_round, deadline_override=survey_round.deadline + timedelta(days=7)
    )
    factories.AssignmentFactory(round=survey_round)
    rows = api.get("/api/assignments/", {"round": survey_round.pk}).json()
    rows = rows.get("results", rows)
    days = {r["id"]: r["days_left"] for r in rows}
    assert days[late.pk] - min(days.values()) == 7


@pytest.mark.parametrize(
    "deadline, offset, expected",
    [
        (local(2026, 12, 2, 23, 59, 59), -2, local(2026, 11, 30, 8)),  # Monday, at 08:00 not 23:59
        (local(2026, 12, 8, 23, 0), -2, local(2026, 12, 7, 8)),  # Sunday → Monday
        (local(2026, 12, 8, 23, 0), -3, local(2026, 12, 7, 8)),  # Saturday → Monday
        (local(2026, 10, 28, 23, 59, 59), -7, local(2026, 10, 21, 8)),  # summer time: 06:00 UTC
        (local(2026, 10, 28, 23, 59, 59), -2, local(2026, 10, 26, 8)),  # winter time: 07:00 UTC
        (local(2027, 3, 30, 23, 59, 59), -7, local(2027, 3, 23, 8)),  # before the spring change
        (local(2027, 3, 30, 23, 59, 59), -1, local(2027, 3, 29, 8)),  # after it
    ],
)
def test_reminders_go_out_at_the_reminder_hour_on_weekdays(deadline, offset, expected):
    assert deadlines.reminder_time(deadline=deadline, offset=offset) == expected
    assert expected.weekday() < 5 and expected.astimezone(STOCKHOLM).hour == 8


def test_the_reminder_hour_is_a_setting(settings):
    settings.REMINDER_HOUR = 10
    assert deadlines.reminder_time(deadline=local(2026, 12, 2, 23, 0), offset=-2) == local(2026, 11, 30, 10)


def _tick(capture, at):
    mail.outbox.clear()
    with time_machine.travel(at, tick=False), capture(execute=True):
        tasks.tick.delay()
    return [m.to[0] for m in mail.outbox if m.subject.startswith("Påminnelse")]


def test_reminders_by_the_clock_across_the_end_of_summer_time(django_capture_on_commit_callbacks):
    """A round with its deadline on Wednesday 28 October 2026 (summer time ends on the 25th): the
    reminder a week before goes at 08:00 CEST (06:00 UTC), the one two days before at 08:00 CET
    (07:00 UTC): never at the deadline's clock time, never an hour off."""
    organisation = factories.OrganisationFactory()
    factories.ContactFactory(organisation=organisation, email="a@example.se")
    survey_round = rounds.round_create(
        version=factories.VersionFactory(),
        year=2026,
        opens_at=local(2026, 10, 1, 8),
        deadline=deadlines.deadline_from_date(date(2026, 10, 28)),
        organisation_ids=[organisation.pk],
        reminder_offsets=[-7, -2],
    )
    rounds.round_schedule(survey_round=survey_round)
    _tick(django_capture_on_commit_callbacks, local(2026, 10, 1, 8, 1))
    assert OutboundEmail.objects.filter(kind="invitation").count() == 1
    assert _tick(django_capture_on_commit_callbacks, datetime(2026, 10, 21, 5, 59, tzinfo=UTC)) == []
    assert _tick(django_capture_on_commit_callbacks, datetime(2026, 10, 21, 6, 0, tzinfo=UTC)) == [
        "a@example.se"
    ]
    assert _tick(django_capture_on_commit_callbacks, datetime(2026, 10, 26, 6, 59, tzinfo=UTC)) == []
    assert _tick(django_capture_on_commit_callbacks, datetime(2026, 10, 26, 7, 0, tzinfo=UTC)) == [
        "a@example.se"
    ]
    # The last day is whole: the round is still open at 23:30 on the 28th and closed after midnight.
    _tick(django_capture_on_commit_callbacks, local(2026, 10, 28, 23, 30))
    survey_round.refresh_from_db()
    assert survey_round.state == SurveyRound.State.OPEN
    _tick(django_capture_on_commit_callbacks, local(2026, 10, 29, 0, 0, 30))
    survey_round.refresh_from_db()
    assert survey_round.state == SurveyRound.State.CLOSED


def test_a_reminder_due_on_a_weekend_goes_on_monday_morning(django_capture_on_commit_callbacks):
    organisation = factories.OrganisationFactory()
    factories.ContactFactory(organisation=organisation, email="b@example.se")
    survey_round = rounds.round_create(
        version=factories.VersionFactory(),
        year=2026,
        opens_at=local(2026, 11, 2, 8),
        deadline=deadlines.deadline_from_date(date(2026, 12, 8)),  # a Tuesday; -2 days is Sunday
        organisation_ids=[organisation.pk],
        reminder_offsets=[-2],
    )
    rounds.round_schedule(survey_round=survey_round)
    _tick(django_capture_on_commit_callbacks, local(2026, 11, 2, 8, 1))
    assert _tick(django_capture_on_commit_callbacks, local(2026, 12, 6, 12)) == []  # Sunday
    assert _tick(django_capture_on_commit_callbacks, local(2026, 12, 7, 7, 59)) == []
    assert _tick(django_capture_on_commit_callbacks, local(2026, 12, 7, 8, 0)) == ["b@example.se"]
