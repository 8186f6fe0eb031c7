"""Reads for the staff pages (coordinators and the central office's readers): rounds by programme and
year, progress per organisation, results with a server-drawn chart, trends and the audit log. Every
function issues a fixed number of queries whatever the number of organisations."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Case, CharField, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from .models import (
    ROUND_COORDINATOR_FIELDS,
    ROUND_TEMPLATE_FIELDS,
    AccessToken,
    Activity,
    Assignment,
    AuditEvent,
    Contact,
    IndexResult,
    Organisation,
    OutboundEmail,
    Programme,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ScoringScheme,
    SurveyRound,
)
from .selectors import comparable_versions, rounds_with_progress
from .selectors_results import activity_report, round_summary

# The finer statuses a coordinator follows: "opened" is a link opened with nothing saved yet.
PROGRESS_STATUSES = {
    "not_opened": "Inte öppnad",
    "opened": "Öppnad",
    "draft": "Utkast",
    "submitted": "Inskickad",
    "reopened": "Återöppnad",
}
STATUS_ORDER = list(PROGRESS_STATUSES)

# Column → (ascending order, descending order); the organisation's name breaks ties.
SORTS = {
    "organisation": (["organisation__name"], ["-organisation__name"]),
    "status": (["status_rank"], ["-status_rank"]),
    "senast": ([F("last_activity_at").asc(nulls_first=True)], [F("last_activity_at").desc(nulls_last=True)]),
    "besvarade": (["answered"], ["-answered"]),
}


def rounds_by_programme() -> list[tuple[Programme | None, list[SurveyRound]]]:
    """[(programme or None, [round, ...]), ...]: every round with its progress counts, grouped by
    programme (name order) and newest year first. One query."""
    rounds = (
        rounds_with_progress()
        .select_related("programme")
        .order_by("programme__name", "programme_id", "-year", "name", "pk")
    )
    groups = {}
    for survey_round in rounds:
        groups.setdefault(survey_round.programme_id, (survey_round.programme, []))[1].append(survey_round)
    return sorted(groups.values(), key=lambda g: (g[0] is None, g[0].name if g[0] else ""))


def round_for_page(pk: int) -> SurveyRound:
    """The round with its progress counts, questionnaire and programme; DoesNotExist when unknown."""
    return rounds_with_progress().select_related("programme", "created_by").get(pk=pk)


def _status_case() -> Case:
    started = Q(response__version__gt=0)
    whens = [
        When(response__state=Response.State.SUBMITTED, then=Value("submitted")),
        When(response__state=Response.State.REOPENED, then=Value("reopened")),
        When(started, then=Value("draft")),
        When(first_opened_at__isnull=False, then=Value("opened")),
    ]
    return Case(*whens, default=Value("not_opened"), output_field=CharField())


def progress_rows(
    survey_round: SurveyRound,
    *,
    status: str | None = None,
    sort: str = "organisation",
    descending: bool = False,
) -> list[Assignment]:
    """The round's organisations (removed ones last) with their status, how many questions they have
    answered, their last activity, active contacts and every e-mail (newest first). Three queries."""
    rank = Case(
        *[When(status=s, then=Value(i)) for i, s in enumerate(STATUS_ORDER)],
        output_field=IntegerField(),
    )
    rows = (
        Assignment.objects.filter(round=survey_round)
        .select_related("organisation", "response")
        .annotate(
            status=_status_case(),
            answered=Count(
                "response__answers",
                filter=Q(response__answers__value__isnull=False, response__answers__prefilled=False),
            ),
        )
        .annotate(status_rank=rank)
        .prefetch_related(
            Prefetch(
                "organisation__contacts",
                queryset=Contact.objects.filter(is_active=True).order_by("name"),
                to_attr="active_contacts",
            ),
            Prefetch(
                "emails", queryset=OutboundEmail.objects.order_by("-created_at", "-id"), to_attr="mails"
            ),
        )
    )
    if status in PROGRESS_STATUSES:
        rows = rows.filter(status=status)
    ascending, downward = SORTS.get(sort, SORTS["organisation"])
    order = downward if descending else ascending
    rows = list(rows.order_by(F("removed_at").asc(nulls_first=True), *order, "organisation__name", "pk"))
    for row in rows:
        row.status_label = PROGRESS_STATUSES[row.status]
    return rows


def question_total(survey_round: SurveyRound) -> int | None:
    """How many questions the round's version has; None for activity questionnaires, where each
    organisation answers only its own part."""
    if survey_round.version.questionnaire.kind == Questionnaire.Kind.ACTIVITY:
        return None
    return Question.objects.filter(version_id=survey_round.version_id).count()


def status_counts(survey_round: SurveyRound) -> dict[str, int]:
    """{status: n} over the round's organisations still in it, in the finer statuses. One query."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    found = (
        Assignment.objects.filter(round=survey_round, removed_at=None)
        .annotate(status=_status_case())
        .values("status")
        .annotate(n=Count("pk"))
    )
    for item in found:
        counts[item["status"]] = item["n"]
    return counts


def assignment_for_page(survey_round: SurveyRound, assignment_id: int) -> Assignment:
    """One organisation of a round with contacts (active first), e-mails and personal links."""
    assignment = (
        Assignment.objects.filter(round=survey_round, pk=assignment_id)
        .select_related("organisation", "response", "round")
        .annotate(status=_status_case())
        .prefetch_related(
            Prefetch(
                "organisation__contacts",
                queryset=Contact.objects.order_by("-is_active", "name"),
                to_attr="all_contacts",
            ),
            Prefetch(
                "emails",
                queryset=OutboundEmail.objects.select_related("contact").order_by("-created_at", "-id"),
                to_attr="mails",
            ),
            Prefetch(
                "access_tokens",
                queryset=AccessToken.objects.select_related("contact").order_by("-created_at", "-id"),
                to_attr="links",
            ),
        )
        .get()
    )
    assignment.status_label = PROGRESS_STATUSES[assignment.status]
    return assignment


def organisations_to_add(survey_round: SurveyRound) -> QuerySet[Organisation]:
    """Active organisations that are not (or no longer) recipients of the round."""
    current = Assignment.objects.filter(round=survey_round, removed_at=None).values("organisation_id")
    return Organisation.objects.filter(is_active=True).exclude(pk__in=current).order_by("name")


def audit_log(survey_round: SurveyRound, *, limit: int = 100) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(round=survey_round).select_related("actor")[:limit])


# --------------------------------------------------------------------------------------------------
# Results: the index of every organisation, a chart, the trend over comparable years
# --------------------------------------------------------------------------------------------------


CHART_LABEL = 330  # the chart's left part holds the names; bars get CHART_BAR of the 1000-wide view box
CHART_BAR = 600


@dataclass
class Bar:
    """One bar of a chart drawn on the server as SVG (attributes, no inline style)."""

    label: str
    value: float | None
    percent: float
    y: int

    @property
    def width(self) -> float:
        return round(self.percent * CHART_BAR / 100, 1)

    @property
    def text_x(self) -> float:
        return round(CHART_LABEL + self.width + 6, 1)


def _percent(value: float | None, maximum: float | None) -> float:
    if value is None or not maximum:
        return 0.0
    return max(0.0, min(100.0, round(float(value) / float(maximum) * 100, 1)))


def round_results(survey_round: SurveyRound) -> dict[str, Any] | None:
    """The round's index figures (round_summary), every organisation's row with its top-level
    categories, and bars for a chart drawn on the server (SVG). None when the round has no results."""
    summary = round_summary(survey_round, with_rows=True)
    if not summary["n"]:
        return None
    scheme = ScoringScheme.objects.filter(version_id=survey_round.version_id).first()
    scale_to = float(scheme.scale_to) if scheme else 100.0
    top = [c for c in summary["categories"] if c["parent"] is None]
    rows = sorted(summary["results"], key=lambda r: (r["rank"] or 10**6, r["organisation"]["name"]))
    for result in rows:
        result["top"] = [result["categories"].get(c["code"]) for c in top]
    bars = [
        Bar(
            label=r["organisation"]["name"],
            value=r["scaled"],
            percent=_percent(r["scaled"], scale_to),
            y=i * 28,
        )
        for i, r in enumerate(rows)
    ]
    mean = summary["scaled"]["mean"]
    return {
        **summary,
        "top_categories": top,
        "rows": rows,
        "scale_to": scale_to,
        "bars": bars,
        "chart_height": len(bars) * 28 + 30,
        "mean_x": round(CHART_LABEL + _percent(mean, scale_to) * CHART_BAR / 100, 1),
        "bar_x": CHART_LABEL,
    }


def round_trend(survey_round: SurveyRound) -> dict[str, Any]:
    """Years of rounds with a version comparable with this round's: the mean, n, and each organisation's
    index per year. Three queries plus the comparability walk."""
    versions = comparable_versions(survey_round.version)
    rounds = list(
        SurveyRound.objects.filter(version__in=versions).order_by("year", "pk").values("pk", "year", "name")
    )
    values = IndexResult.objects.filter(assignment__round__in=[r["pk"] for r in rounds]).values_list(
        "assignment__round_id", "assignment__organisation__name", "scaled"
    )
    by_round = defaultdict(dict)
    for round_id, organisation, scaled in values:
        by_round[round_id][organisation] = float(scaled)
    years = []
    for r in rounds:
        results = by_round.get(r["pk"])
        if results:
            mean = round(sum(results.values()) / len(results), 1)
            years.append({"year": r["year"], "round": r["pk"], "n": len(results), "mean": mean})
    names = sorted({name for r in years for name in by_round[r["round"]]})
    organisations = [
        {"name": name, "values": [by_round[y["round"]].get(name) for y in years]} for name in names
    ]
    return {"years": years, "organisations": organisations}


def activity_report_by_goal(survey_round: SurveyRound) -> dict[str, Any]:
    """The activity report (status counts, indicator values split by gender) grouped by målområde."""
    report = activity_report(survey_round)
    ids = [row["activity"]["id"] for row in report["activities"]]
    goals = {
        pk: (number, title)
        for pk, number, title in Activity.objects.filter(pk__in=ids).values_list(
            "pk", "goal_area__number", "goal_area__title"
        )
    }
    groups = []
    for row in report["activities"]:
        goal = goals.get(row["activity"]["id"], ("", ""))
        if not groups or groups[-1]["goal"] != goal:
            groups.append({"goal": goal, "number": goal[0], "title": goal[1], "activities": []})
        groups[-1]["activities"].append(row)
    return {**report, "goals": groups}


# --------------------------------------------------------------------------------------------------
# A new round: what to choose from, and last year's round copied
# --------------------------------------------------------------------------------------------------


def versions_to_choose() -> QuerySet[QuestionnaireVersion]:
    return QuestionnaireVersion.objects.select_related("questionnaire__programme").order_by(
        "questionnaire__name", "-number"
    )


def rounds_to_copy() -> list[SurveyRound]:
    """The latest round of each questionnaire (the one a coordinator copies for next year)."""
    latest = {}
    for survey_round in SurveyRound.objects.select_related("version__questionnaire").order_by("-year", "-pk"):
        latest.setdefault(survey_round.version.questionnaire_id, survey_round)
    return sorted(latest.values(), key=lambda r: r.version.questionnaire.name)


def next_comparable_version(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """The newest later version declared comparable with `version`, or `version` itself."""
    later = comparable_versions(version).filter(number__gt=version.number).order_by("-number").first()
    return later or version


def _one_year_on(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    try:
        moved = local.replace(year=local.year + 1)
    except ValueError:  # 29 February
        moved = local.replace(year=local.year + 1, day=28)
    return timezone.make_aware(moved.replace(tzinfo=None))


def round_form_values(
    survey_round: SurveyRound, *, opens: datetime | None = None, deadline: datetime | None = None
) -> dict[str, Any]:
    """A round's fields as the round forms show them: dates split into a date and a clock time (none for
    a deadline at the end of its day), reminders as days before and after, texts and coordinator."""
    opens = opens or timezone.localtime(survey_round.opens_at)
    deadline = deadline or timezone.localtime(survey_round.deadline)
    offsets = survey_round.reminder_offsets or []
    before = sorted((-d for d in offsets if d < 0), reverse=True)
    after = sorted(d for d in offsets if d >= 0)
    return {
        "name": survey_round.name,
        "opens_on": opens.date(),
        "opens_time": opens.time().replace(second=0, microsecond=0),
        "deadline_on": deadline.date(),
        "deadline_time": None if _end_of_day(deadline) else deadline.time().replace(second=0, microsecond=0),
        "remind_before": ", ".join(str(d) for d in before),
        "remind_after": ", ".join(str(d) for d in after),
        "grace_hours": survey_round.grace_hours,
        **{name: getattr(survey_round, name) for name in (*ROUND_TEMPLATE_FIELDS, *ROUND_COORDINATOR_FIELDS)},
    }


def copy_of(source: SurveyRound) -> dict[str, Any]:
    """The new-round form's initial values for next year's copy of `source`: the same recipients,
    reminders and texts, the next comparable version, and the dates one year on."""
    values = round_form_values(
        source, opens=_one_year_on(source.opens_at), deadline=_one_year_on(source.deadline)
    )
    for name in ROUND_COORDINATOR_FIELDS:
        values.pop(name)
    return {
        **values,
        "version": next_comparable_version(source.version).pk,
        "year": source.year + 1,
        "organisations": list(
            source.assignments.filter(removed_at=None).values_list("organisation_id", flat=True)
        ),
    }


def _end_of_day(moment: datetime) -> bool:
    local = timezone.localtime(moment)
    return (local.hour, local.minute) == (23, 59)


def programmes_and_questionnaires() -> tuple[list[Programme], list[Questionnaire]]:
    """For the workbook page: programmes, and questionnaires with their versions (newest first)."""
    programmes = list(Programme.objects.order_by("name", "-start_year"))
    questionnaires = list(
        Questionnaire.objects.order_by("name").prefetch_related(
            Prefetch("versions", queryset=QuestionnaireVersion.objects.order_by("-number"))
        )
    )
    return programmes, questionnaires


def today() -> date:
    return timezone.localdate()


def progress_of_round(survey_round: SurveyRound) -> dict[str, Any]:
    """Counts, response rate and days left of a round from round_for_page."""
    from .selectors import progress_of

    return progress_of(survey_round)


def answered_count(assignment: Assignment) -> int:
    return assignment.response.answers.filter(value__isnull=False, prefilled=False).count()
