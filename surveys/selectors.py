"""Read-only queries shared by the API, the pages, the tasks and the exports."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.utils import timezone

from .compiled import compiled_version
from .models import (
    Answer,
    Assignment,
    OutboundEmail,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    SurveyRound,
)
from .questiontypes import get as get_kind
from .questiontypes.breakdown import Breakdown
from .selectors_plan import LEAD, question_answerers, questions_answered_by


def comparable_versions(version: QuestionnaireVersion) -> QuerySet[QuestionnaireVersion]:
    """Every version whose results may be compared with `version`: itself and the versions linked to it
    through declared comparability, in either direction and transitively (V3 comparable with V2, V2 with
    V1 → all three). Versions of other questionnaires are never comparable."""
    seen = {version.pk}
    frontier = [version.pk]
    while frontier:
        linked = QuestionnaireVersion.comparable_with.through.objects.filter(
            from_questionnaireversion_id__in=frontier
        )
        back = QuestionnaireVersion.comparable_with.through.objects.filter(
            to_questionnaireversion_id__in=frontier
        )
        found = set(linked.values_list("to_questionnaireversion_id", flat=True))
        found |= set(back.values_list("from_questionnaireversion_id", flat=True))
        frontier = [pk for pk in found if pk not in seen]
        seen.update(frontier)
    return QuestionnaireVersion.objects.filter(
        pk__in=seen, questionnaire_id=version.questionnaire_id
    ).order_by("number")


def questions_for_assignment(assignment: Assignment) -> QuerySet[Question]:
    """The questions an assignment's organisation answers, in page order, with what rendering and
    scoring need prefetched. Activity questionnaires show an organisation only the plan rows it answers
    for (selectors_plan, the frozen table once a round has opened); other questionnaires show every
    question."""
    questions = (
        Question.objects.filter(version_id=assignment.round.version_id)
        .select_related("section", "condition_question", "activity", "indicator")
        .prefetch_related("options")
        .order_by("section__order", "order")
    )
    version_id = assignment.round.version_id
    if not QuestionnaireVersion.objects.filter(
        pk=version_id, questionnaire__kind=Questionnaire.Kind.ACTIVITY
    ).exists():
        return questions
    mine = questions_answered_by(version_id=version_id, organisation_id=assignment.organisation_id)
    return questions.filter((Q(activity__isnull=True) & Q(indicator__isnull=True)) | Q(pk__in=mine))


def assignment_questions(assignment: Assignment) -> list[Question]:
    """questions_for_assignment as a list, taken from the version's compiled questionnaire (built once
    per frozen version): no query for an index or general questionnaire, nor for an activity
    questionnaire once who answers what is stored with the version (the three of `responsibilities`
    once per organisation and process). The questions are shared: read-only."""
    compiled = compiled_version(assignment.round.version)
    if not compiled.is_activity:
        return list(compiled.questions)

    def select(organisation_id: int) -> tuple:
        activity_ids, indicator_ids = responsibilities(organisation_id, version_id=compiled.version_id)
        return tuple(
            q
            for q in compiled.questions
            if q.activity_id is None
            or (q.indicator_id is None and q.activity_id in activity_ids)
            or q.indicator_id in indicator_ids
        )

    return list(compiled.questions_for(assignment.organisation_id, select))


# --------------------------------------------------------------------------------------------------
# Progress of rounds: counts by status, response rate, days left
# --------------------------------------------------------------------------------------------------

ASSIGNMENT_STATUSES = ["not_opened", "in_progress", "submitted", "reopened"]


def _status_q(status: str, prefix: str = "") -> Q:
    """The condition for one progress status, on Assignment (prefix "") or through a relation."""
    started = Q(**{f"{prefix}first_opened_at__isnull": False}) | Q(**{f"{prefix}response__version__gt": 0})
    draft = Q(**{f"{prefix}response__state": Response.State.DRAFT}) | Q(**{f"{prefix}response__isnull": True})
    return {
        "submitted": Q(**{f"{prefix}response__state": Response.State.SUBMITTED}),
        "reopened": Q(**{f"{prefix}response__state": Response.State.REOPENED}),
        "in_progress": draft & started,
        "not_opened": draft & ~started,
    }[status]


def rounds_with_progress() -> QuerySet[SurveyRound]:
    """Rounds annotated with the number of (not removed) assignments in each status."""
    live = Q(assignments__removed_at__isnull=True)
    counts = {
        f"n_{status}": Count("assignments", filter=live & _status_q(status, "assignments__"), distinct=True)
        for status in ASSIGNMENT_STATUSES
    }
    return SurveyRound.objects.select_related("version__questionnaire").annotate(
        n_total=Count("assignments", filter=live, distinct=True), **counts
    )


def calendar_days_left(deadline: datetime, *, now: datetime) -> int:
    """Calendar days from today to the deadline's day, both in Stockholm: 0 on the last day, whatever
    the clock says; never negative."""
    stockholm = ZoneInfo("Europe/Stockholm")
    return max(0, (deadline.astimezone(stockholm).date() - now.astimezone(stockholm).date()).days)


def days_left_in(survey_round: SurveyRound, deadline: datetime, *, now: datetime) -> int | None:
    """Calendar days to `deadline` (the round's, or one organisation's extended one) while the round runs;
    None before it is scheduled and once it has ended."""
    if survey_round.state not in SurveyRound.RUNNING:
        return None
    return calendar_days_left(deadline, now=now)


def progress_of(survey_round: SurveyRound, *, now: datetime | None = None) -> dict[str, Any]:
    """The figures of an annotated round (from rounds_with_progress)."""
    now = now or timezone.now()
    total = survey_round.n_total
    figures = {status: getattr(survey_round, f"n_{status}") for status in ASSIGNMENT_STATUSES}
    days_left = days_left_in(survey_round, survey_round.deadline, now=now)
    return {
        "total": total,
        **figures,
        "response_rate": round(figures["submitted"] / total, 4) if total else 0.0,
        "days_left": days_left,
    }


def round_progress(survey_round: SurveyRound, *, now: datetime | None = None) -> dict[str, Any]:
    return progress_of(rounds_with_progress().get(pk=survey_round.pk), now=now)


def assignments_with_progress() -> QuerySet[Assignment]:
    """Assignments with their status and the e-mails sent and failed, in one query."""
    whens = [When(_status_q(status), then=Value(status)) for status in ASSIGNMENT_STATUSES]
    return Assignment.objects.select_related("organisation", "round", "response").annotate(
        status=Case(*whens, default=Value("not_opened"), output_field=CharField()),
        emails_sent=Count("emails", filter=Q(emails__status=OutboundEmail.Status.SENT), distinct=True),
        emails_failed=Count("emails", filter=Q(emails__status=OutboundEmail.Status.FAILED), distinct=True),
    )


def responsibilities(organisation_id: int, *, version_id: int) -> tuple[set[int], set[int]]:
    """(activity ids, indicator ids) of a version's plan rows that the organisation answers for (the one
    rule in selectors_plan)."""
    activity_ids, indicator_ids = set(), set()
    linked = dict(
        (pk, (a, i))
        for pk, a, i in Question.objects.filter(version_id=version_id).values_list(
            "pk", "activity_id", "indicator_id"
        )
    )
    for pk in questions_answered_by(version_id=version_id, organisation_id=organisation_id):
        activity_id, indicator_id = linked[pk]
        if indicator_id:
            indicator_ids.add(indicator_id)
        elif activity_id:
            activity_ids.add(activity_id)
    return activity_ids, indicator_ids


@dataclass
class Contribution:
    """A co-responsible organisation's answer to a question the assignment's organisation leads."""

    organisation: str
    value: object
    question_type: str
    submitted: bool
    updated_at: object

    @property
    def display(self) -> str:
        if isinstance(self.value, dict):
            # In the parts' usual order (PostgreSQL's jsonb keeps no key order), own parts after them.
            return ", ".join(f"{label} {count}" for label, count in Breakdown.parts_in_order(self.value))
        kind = get_kind(self.question_type)
        labels = {code: str(label) for code, label in kind.fixed_choices or []}
        return kind.display(None, self.value, labels)

    @property
    def state_label(self) -> str:
        return "inskickat" if self.submitted else "utkast"


def contributions_for(assignment: Assignment) -> dict[int, list[Contribution]]:
    """{question id: [Contribution, ...]} for the questions whose activity (or indicator) the assignment's
    organisation leads: the answers other organisations in the same round gave to them. The lead's own
    answer is the official one; these are shown beside it while the lead answers. Two queries."""
    organisation_id = assignment.organisation_id
    led = [
        pk
        for pk, who in question_answerers(version_id=assignment.round.version_id).items()
        if who.get(organisation_id) == LEAD
    ]
    answers = (
        Answer.objects.filter(
            question__in=led,
            response__assignment__round_id=assignment.round_id,
            response__assignment__removed_at__isnull=True,
        )
        .exclude(response__assignment_id=assignment.pk)
        .exclude(value__isnull=True)
        .select_related("question", "response__assignment__organisation")
        .order_by("response__assignment__organisation__name", "pk")
    )
    result = {}
    for answer in answers:
        contribution = Contribution(
            organisation=answer.response.assignment.organisation.name,
            value=answer.value,
            question_type=answer.question.type,
            submitted=answer.response.state == Response.State.SUBMITTED,
            updated_at=answer.updated_at,
        )
        if contribution.display:
            result.setdefault(answer.question_id, []).append(contribution)
    return result


def attach_contributions(questions: list[Question], assignment: Assignment) -> list[Question]:
    """Set `question.contributions` on each question, for `surveys/_contributions.html`."""
    found = contributions_for(assignment)
    for question in questions:
        question.contributions = found.get(question.pk, [])
    return questions
