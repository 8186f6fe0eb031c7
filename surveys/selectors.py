"""Read-only queries shared by the API, the pages, the tasks and the exports."""

import math

from django.db.models import Case, CharField, Count, Q, Value, When
from django.utils import timezone

from .models import Assignment, OutboundEmail, Question, QuestionnaireVersion, Response, SurveyRound


def comparable_versions(version):
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


def questions_for_assignment(assignment):
    """The questions an assignment's organisation answers, in page order, with what rendering and
    scoring need prefetched. Activity questionnaires show an organisation only the activities it leads
    or shares; other questionnaires show every question."""
    return (
        Question.objects.filter(version_id=assignment.round.version_id)
        .select_related("section", "condition_question", "activity", "indicator")
        .prefetch_related("options")
        .order_by("section__order", "order")
    )


# --------------------------------------------------------------------------------------------------
# Progress of rounds: counts by status, response rate, days left
# --------------------------------------------------------------------------------------------------

ASSIGNMENT_STATUSES = ["not_opened", "in_progress", "submitted", "reopened"]


def _status_q(status, prefix=""):
    """The condition for one progress status, on Assignment (prefix "") or through a relation."""
    p = prefix
    started = Q(**{f"{p}first_opened_at__isnull": False}) | Q(**{f"{p}response__version__gt": 0})
    draft = Q(**{f"{p}response__state": Response.State.DRAFT}) | Q(**{f"{p}response__isnull": True})
    return {
        "submitted": Q(**{f"{p}response__state": Response.State.SUBMITTED}),
        "reopened": Q(**{f"{p}response__state": Response.State.REOPENED}),
        "in_progress": draft & started,
        "not_opened": draft & ~started,
    }[status]


def rounds_with_progress():
    """Rounds annotated with the number of (not removed) assignments in each status."""
    live = Q(assignments__removed_at__isnull=True)
    counts = {
        f"n_{status}": Count("assignments", filter=live & _status_q(status, "assignments__"), distinct=True)
        for status in ASSIGNMENT_STATUSES
    }
    return SurveyRound.objects.select_related("version__questionnaire").annotate(
        n_total=Count("assignments", filter=live, distinct=True), **counts
    )


def progress_of(survey_round, *, now=None):
    """The figures of an annotated round (from rounds_with_progress)."""
    now = now or timezone.now()
    total = survey_round.n_total
    figures = {status: getattr(survey_round, f"n_{status}") for status in ASSIGNMENT_STATUSES}
    days_left = None
    if survey_round.state in (SurveyRound.State.SCHEDULED, SurveyRound.State.OPEN):
        days_left = max(0, math.ceil((survey_round.deadline - now).total_seconds() / 86400))
    return {
        "total": total,
        **figures,
        "response_rate": round(figures["submitted"] / total, 4) if total else 0.0,
        "days_left": days_left,
    }


def round_progress(survey_round, *, now=None):
    return progress_of(rounds_with_progress().get(pk=survey_round.pk), now=now)


def assignments_with_progress():
    """Assignments with their status and the e-mails sent and failed, in one query."""
    whens = [When(_status_q(status), then=Value(status)) for status in ASSIGNMENT_STATUSES]
    return Assignment.objects.select_related("organisation", "round", "response").annotate(
        status=Case(*whens, default=Value("not_opened"), output_field=CharField()),
        emails_sent=Count("emails", filter=Q(emails__status=OutboundEmail.Status.SENT), distinct=True),
        emails_failed=Count("emails", filter=Q(emails__status=OutboundEmail.Status.FAILED), distinct=True),
    )
