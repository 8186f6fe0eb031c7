"""Load the demo world (surveys/demo/data.py) through the services a coordinator's and a respondent's
requests use: the plan and questionnaires are uploaded workbooks, rounds are created, scheduled, opened,
closed and published, answers are saved and submitted. Loading twice changes nothing: what exists is
found by its natural key and left alone."""

import io
import random
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import Contact, Organisation, Programme, Questionnaire, QuestionnaireVersion, SurveyRound, User
from ..services import outbox, rounds
from ..services.activity_reports import generate_activity_version
from ..services.deadlines import deadline_from_date
from ..services.programmes import import_plan, new_programme
from ..services.questionnaires import import_questionnaire
from ..services.responses import load_questionnaire, save_input, submit_response
from ..services.roles import user_set_role
from . import data, workbooks
from .answers import answers_for

State = SurveyRound.State


@transaction.atomic
def load_demo(*, today: date | None = None) -> dict[str, Any]:
    """Create (or find) the whole demo world. Returns a dict of the objects a caller may want."""
    today = today or timezone.localdate()
    orgs = _organisations()
    coordinator = _users()
    programme = _programme()
    pi = _questionnaire(data.PI_MINI, programme)
    pi_v1, pi_v2 = (_imported_version(pi, *version) for version in data.PI_VERSIONS)
    activity_version = _activity_version(_questionnaire(data.ACTIVITY_QUESTIONNAIRE, programme), programme)
    districts = [orgs[name] for name in data.DISTRICTS]
    responsible = sorted({name for *_, lead, co, _ in data.ACTIVITIES for name in [lead, *co]})
    last_year, current_opens = today.year - 1, today - timedelta(days=10)
    last_round = _round(
        pi_v2,
        "Preventionsindex mini",
        last_year,
        opens=date(last_year, 11, 1),
        deadline=date(last_year, 11, 30),
        until=State.PUBLISHED,
        answers=(len(districts), 0),
        seed=2025,
        recipients=districts,
        coordinator=coordinator,
    )
    current_round = _round(
        pi_v2,
        "Preventionsindex mini",
        today.year,
        opens=current_opens,
        deadline=current_opens + timedelta(days=30),
        until=State.OPEN,
        answers=(3, 4),
        seed=2026,
        recipients=districts,
        coordinator=coordinator,
    )
    activity_round = _round(
        activity_version,
        "Aktivitetsuppföljning",
        last_year,
        opens=date(last_year, 12, 1),
        deadline=date(last_year, 12, 20),
        until=State.CLOSED,
        answers=(len(responsible), 0),
        seed=2024,
        recipients=[orgs[name] for name in responsible],
        coordinator=coordinator,
    )
    return {
        "organisations": orgs,
        "coordinator": coordinator,
        "programme": programme,
        "pi_v1": pi_v1,
        "pi_v2": pi_v2,
        "activity_version": activity_version,
        "activity_round": activity_round,
        "last_round": last_round,
        "current_round": current_round,
    }


def _require(ok: bool, what: str, problems: list) -> None:
    if not ok:
        raise RuntimeError(f"The demo's {what} is refused: " + "; ".join(map(str, problems)))


def _organisations() -> dict[str, Organisation]:
    # No service writes organisations or contacts (the API and the admin save the models as they are).
    orgs: dict[str, Organisation] = {}
    for name, kind, parent, short, aliases in data.ORGANISATIONS:
        orgs[name], _ = Organisation.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "parent": orgs.get(parent), "short_name": short, "aliases": aliases},
        )
    for organisation, name, email in data.CONTACTS:
        Contact.objects.get_or_create(organisation=orgs[organisation], email=email, defaults={"name": name})
    return orgs


def _users() -> User:
    """The demo's logins, created as the admin's "add user" does; the role service gives each its group."""
    for username, password, role, fields in data.USERS:
        if not User.objects.filter(username=username).exists():
            user = User.objects.create_user(username=username, password=password, role=role, **fields)
            user_set_role(user=user, role=role, actor=None)
    return User.objects.get(username=data.COORDINATOR)


def _programme() -> Programme:
    """The programme and its plan, imported from a plan workbook as a coordinator uploads one."""
    found = Programme.objects.filter(
        **{k: data.PROGRAMME[k] for k in ("name", "owner", "start_year")}
    ).first()
    if found is not None:
        return found
    programme = new_programme(**data.PROGRAMME)
    upload = workbooks.plan(data.GOALS, data.ACTIVITIES, due=date(programme.end_year, 12, 31))
    report = import_plan(upload=io.BytesIO(upload), programme=programme, dry_run=False)
    _require(report.ok, "plan", report.errors)
    return programme


def _questionnaire(fields: dict[str, Any], programme: Programme) -> Questionnaire:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        name=fields["name"], defaults={**fields, "programme": programme}
    )
    return questionnaire


def _imported_version(
    questionnaire: Questionnaire, number: int, label: str, scheme: str, categories: list, sections: list
) -> QuestionnaireVersion:
    """Version `number`, imported once from a questionnaire workbook, as a coordinator would."""
    version = questionnaire.versions.filter(number=number).first()
    if version is None:
        upload = io.BytesIO(workbooks.questionnaire(scheme, categories, sections))
        report = import_questionnaire(upload=upload, questionnaire=questionnaire, label=label)
        _require(report.ok, "questionnaire", report.errors)
        version = report.version
    return version


def _activity_version(questionnaire: Questionnaire, programme: Programme) -> QuestionnaireVersion:
    """The Västerås shape, generated from the plan as a coordinator's request does."""
    version = questionnaire.versions.filter(number=1).first()
    if version is None:
        label = f"Aktivitetsuppföljning {programme.start_year}–{programme.end_year}"
        version = generate_activity_version(programme, questionnaire=questionnaire, label=label)
    return version


def _round(
    version: QuestionnaireVersion,
    name: str,
    year: int,
    *,
    opens: date,
    deadline: date,
    recipients: list[Organisation],
    coordinator: User,
    until: str,
    answers: tuple[int, int],
    seed: int,
) -> SurveyRound:
    """A round as it went: created, scheduled, opened by the tick (which queues the invitations), answered,
    then closed by the tick (which computes the index) and published, as `until` says. Its e-mails
    (invitations, receipts, the news of the results) went out when they were queued."""
    found = SurveyRound.objects.filter(version=version, year=year).first()
    if found is not None:
        return found
    survey_round = rounds.round_create(
        version=version,
        year=year,
        name=name,
        opens_at=timezone.make_aware(datetime.combine(opens, time(8))),
        deadline=deadline_from_date(deadline),  # a date means the end of that day
        organisation_ids=[o.pk for o in recipients],
        grace_hours=48,
        created_by=coordinator,
    )
    rounds.round_schedule(survey_round=survey_round)
    rounds.round_open(survey_round=survey_round, now=survey_round.opens_at)
    survey_round.refresh_from_db()
    rounds.create_invitations(now=survey_round.opens_at, rounds=[survey_round])
    outbox.mark_sent_when_queued(survey_round=survey_round)
    _answer(survey_round, *answers, seed=seed, coordinator=coordinator)
    if until in (State.CLOSED, State.PUBLISHED):
        closes = survey_round.deadline + timedelta(hours=survey_round.grace_hours)
        rounds.round_close(survey_round=survey_round, now=closes)
    if until == State.PUBLISHED:
        published = min(timezone.now(), survey_round.deadline + timedelta(days=20))
        rounds.round_publish(survey_round=survey_round, now=published)
    outbox.mark_sent_when_queued(survey_round=survey_round)
    survey_round.refresh_from_db()
    return survey_round


def _answer(survey_round: SurveyRound, complete: int, partial: int, *, seed: int, coordinator: User) -> None:
    """The first `complete` organisations (by name) answer everything they are shown and submit three days
    after the round opened, or a few days later; the next `partial` save about half as a draft. An
    organisation without contacts (a partner) is answered for by the coordinator."""
    rng = random.Random(seed)
    assignments = survey_round.assignments.select_related("response", "organisation", "round__version")
    for index, assignment in enumerate(assignments.order_by("organisation__name")[: complete + partial]):
        response, done = assignment.response, index < complete
        contact = assignment.organisation.contacts.order_by("email").first()
        who = {"contact": contact} if contact else {"user": coordinator}
        when = survey_round.opens_at + timedelta(days=3 + index % 5)
        questionnaire = load_questionnaire(response)
        raw = answers_for(questionnaire.questions, rng, complete=done)
        _, errors = save_input(
            questionnaire=questionnaire,
            raw_by_code=raw,
            base_version=response.version,
            all_or_nothing=True,
            now=when,
            **who,
        )
        _require(not errors, "answer", [f"{code}: {error}" for code, error in errors.items()])
        if done:
            submit_response(response=response, now=when, **who)
            outbox.queue_receipt(response=response, now=when)  # the receipt went out at the submission
