"""Reading index results: one assignment, a round's figures (mean, median, min, max, n — per category
too), an organisation over the years of comparable versions, and activity reports (no index).

The city mean is the unweighted mean of the organisations' results (as Kolada does for groups). Every
function issues a fixed number of queries whatever the number of organisations."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from .models import (
    Activity,
    Answer,
    Assignment,
    IndexResult,
    Organisation,
    Question,
    QuestionnaireVersion,
    Response,
    ScoringCategory,
    ScoringScheme,
    SurveyRound,
)
from .questiontypes import kind_of, to_number
from .questiontypes.activity_status import ActivityStatus
from .questiontypes.breakdown import Breakdown
from .selectors import comparable_versions
from .selectors_plan import activity_roles
from .visibility import deciding_question_ids, visible_answers


class IncomparableVersions(Exception):
    """A comparison across versions that were not declared comparable; the message names them."""


def _num(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _figures(values: Iterable[Decimal | float | None]) -> dict[str, Any]:
    values = [float(v) for v in values if v is not None]
    if not values:
        return {"n": 0, "mean": None, "median": None, "min": None, "max": None}
    return {
        "n": len(values),
        "mean": round(statistics.fmean(values), 1),
        "median": round(statistics.median(values), 1),
        "min": min(values),
        "max": max(values),
    }


def _category_names(scheme_ids: list[int]) -> dict[tuple[int, str], ScoringCategory]:
    rows = ScoringCategory.objects.filter(scheme_id__in=scheme_ids).order_by("order", "code")
    return {(c.scheme_id, c.code): c for c in rows}


def assignment_result(assignment: Assignment) -> dict[str, Any] | None:
    """The index of one assignment, or None when it has none: points per category (raw = before its
    cap, capped = what counts), total, the most the scheme can give, scaled, and rank among n."""
    result = (
        IndexResult.objects.select_related("assignment__organisation", "assignment__round", "scheme")
        .filter(assignment=assignment)
        .first()
    )
    if result is None:
        return None
    survey_round = result.assignment.round
    names = _category_names([result.scheme_id])
    n = IndexResult.objects.filter(assignment__round=survey_round).count()
    categories = []
    for (_, code), category in names.items():
        figures = result.categories.get(code, {})
        categories.append(
            {
                "code": code,
                "name": category.name,
                "parent": _parent_code(category, names),
                "cap": _num(category.cap),
                "raw": figures.get("raw"),
                "capped": figures.get("capped"),
                "max": figures.get("max"),
                "missing": figures.get("missing", []),
            }
        )
    return {
        "assignment": result.assignment_id,
        "organisation": {
            "id": result.assignment.organisation_id,
            "name": result.assignment.organisation.name,
        },
        "round": {"id": survey_round.pk, "name": survey_round.name, "year": survey_round.year},
        "version": survey_round.version_id,
        "categories": categories,
        "total": _num(result.total),
        "max_total": sum(c["max"] or 0 for c in categories if c["parent"] is None),
        "scaled": _num(result.scaled),
        "scale_to": _num(result.scheme.scale_to),
        "rank": result.rank,
        "of": n,
        "preliminary": result.preliminary,
        "computed_at": result.computed_at,
    }


def _parent_code(category: ScoringCategory, names: dict[tuple[int, str], ScoringCategory]) -> str | None:
    if category.parent_id is None:
        return None
    parent = next((c for c in names.values() if c.pk == category.parent_id), None)
    return parent.code if parent else None


def round_summary(survey_round: SurveyRound, *, with_rows: bool = False) -> dict[str, Any]:
    """A round's figures: n, total and scaled (mean, median, min, max) and the same per category of
    capped points; with `with_rows`, every organisation's total, scaled and rank as well."""
    results = list(
        IndexResult.objects.filter(assignment__round=survey_round)
        .select_related("assignment__organisation")
        .order_by("rank", "assignment__organisation__name")
    )
    scheme_id = results[0].scheme_id if results else getattr(_scheme_of(survey_round), "pk", None)
    names = _category_names([scheme_id]) if scheme_id else {}
    per_category = defaultdict(list)
    for result in results:
        for code, figures in result.categories.items():
            per_category[code].append(figures.get("capped"))
    summary = {
        "round": {"id": survey_round.pk, "name": survey_round.name, "year": survey_round.year},
        "version": survey_round.version_id,
        "state": survey_round.state,
        "n": len(results),
        "preliminary": any(r.preliminary for r in results),
        "total": _figures(r.total for r in results),
        "scaled": _figures(r.scaled for r in results),
        "categories": [
            {
                "code": code,
                "name": category.name,
                "parent": _parent_code(category, names),
                **_figures(per_category[code]),
            }
            for (_, code), category in names.items()
        ],
    }
    if with_rows:
        summary["results"] = [
            {
                "assignment": r.assignment_id,
                "organisation": {"id": r.assignment.organisation_id, "name": r.assignment.organisation.name},
                "total": _num(r.total),
                "scaled": _num(r.scaled),
                "rank": r.rank,
                "preliminary": r.preliminary,
                "categories": {code: f.get("capped") for code, f in r.categories.items()},
            }
            for r in results
        ]
    return summary


def _scheme_of(survey_round: SurveyRound) -> ScoringScheme | None:
    return ScoringScheme.objects.filter(version_id=survey_round.version_id).first()


def check_comparable(versions: list[QuestionnaireVersion]) -> None:
    """Raise IncomparableVersions naming the versions when `versions` are not all comparable."""
    versions = list(versions)
    if len(versions) < 2:
        return
    allowed = set(comparable_versions(versions[0]).values_list("pk", flat=True))
    outside = [v for v in versions[1:] if v.pk not in allowed]
    if outside:
        named = ", ".join(f"”{v}”" for v in [versions[0], *outside])
        raise IncomparableVersions(
            f"Versionerna {named} är inte jämförbara; en trend över dem visas inte. "
            "Jämför bara år med samma eller jämförbar version."
        )


def trend_versions(
    *,
    version_ids: tuple[int, ...] | list[int] = (),
    questionnaire_id: int | None = None,
    from_year: int | None = None,
    to_year: int | None = None,
) -> list[QuestionnaireVersion]:
    """The versions a trend spans: named explicitly (each must be comparable with the others), the
    versions used by a questionnaire's rounds in a span of years (likewise), or, for one version, every
    version comparable with it."""
    if version_ids:
        versions = list(
            QuestionnaireVersion.objects.filter(pk__in=version_ids).select_related("questionnaire")
        )
        if len(versions) != len(set(version_ids)):
            raise ValueError("Okänd version.")
    else:
        rounds = SurveyRound.objects.filter(version__questionnaire_id=questionnaire_id)
        if from_year:
            rounds = rounds.filter(year__gte=from_year)
        if to_year:
            rounds = rounds.filter(year__lte=to_year)
        versions = list(
            QuestionnaireVersion.objects.filter(pk__in=rounds.values("version_id"))
            .select_related("questionnaire")
            .order_by("number")
        )
    versions.sort(key=lambda v: (v.questionnaire_id, v.number))
    check_comparable(versions)
    if len(versions) == 1 and version_ids:
        return list(comparable_versions(versions[0]).select_related("questionnaire"))
    return versions


def organisation_trend(
    *,
    organisation: Organisation,
    versions: list[QuestionnaireVersion],
    published_only: bool = False,
    from_year: int | None = None,
    to_year: int | None = None,
) -> dict[str, Any]:
    """The organisation's index per year over rounds of `versions` (already checked comparable), in year
    order, each beside the round's mean (scaled and per category)."""
    check_comparable(versions)
    rounds = SurveyRound.objects.filter(version__in=versions).order_by("year", "pk")
    if published_only:
        rounds = rounds.filter(state=SurveyRound.State.PUBLISHED)
    if from_year:
        rounds = rounds.filter(year__gte=from_year)
    if to_year:
        rounds = rounds.filter(year__lte=to_year)
    rounds = list(rounds.select_related("version__questionnaire"))
    all_results = IndexResult.objects.filter(assignment__round__in=rounds).values_list(
        "assignment__round_id", "assignment__organisation_id", "total", "scaled", "categories", "rank"
    )
    by_round = defaultdict(list)
    own = {}
    for round_id, organisation_id, total, scaled, categories, rank in all_results:
        by_round[round_id].append((scaled, categories))
        if organisation_id == organisation.pk:
            own[round_id] = {
                "total": _num(total),
                "scaled": _num(scaled),
                "rank": rank,
                "categories": categories,
            }
    points = []
    for survey_round in rounds:
        mine = own.get(survey_round.pk)
        if mine is None:
            continue
        others = by_round[survey_round.pk]
        mean_categories = defaultdict(list)
        for _, categories in others:
            for code, figures in categories.items():
                mean_categories[code].append(figures.get("capped"))
        points.append(
            {
                "year": survey_round.year,
                "round": {"id": survey_round.pk, "name": survey_round.name},
                "version": {"id": survey_round.version_id, "label": str(survey_round.version)},
                "total": mine["total"],
                "scaled": mine["scaled"],
                "rank": mine["rank"],
                "of": len(others),
                "categories": {code: figures.get("capped") for code, figures in mine["categories"].items()},
                "mean_scaled": _figures(s for s, _ in others)["mean"],
                "mean_categories": {
                    code: _figures(values)["mean"] for code, values in mean_categories.items()
                },
            }
        )
    return {
        "organisation": {"id": organisation.pk, "name": organisation.name},
        "versions": [{"id": v.pk, "label": str(v)} for v in versions],
        "points": points,
    }


# --------------------------------------------------------------------------------------------------
# Activity reports (no index)
# --------------------------------------------------------------------------------------------------

STATUS_CODES = ["genomford", "delvis", "ej_genomford", "ej_aktuell"]
GENDER_PARTS = ["flickor", "pojkar", "kvinnor", "man"]


def activity_report(survey_round: SurveyRound) -> dict[str, Any]:
    """Per activity of the round's questionnaire: how many responsible organisations reported each
    status and its share of those responsible (ej aktuell included; not answered counted apart), and
    each indicator's values summed over submitted responses with the gender split."""
    every_question = list(
        Question.objects.filter(version_id=survey_round.version_id)
        .select_related("activity", "indicator")
        .order_by("section__order", "order")
    )
    questions = [q for q in every_question if q.activity_id]
    # The answers that count are those the conditions show (the one visibility rule): read the activity
    # questions' answers and those of the questions their conditions (and chains of them) depend on.
    needed = deciding_question_ids(every_question, [q.pk for q in questions])
    activity_ids = {q.activity_id for q in questions}
    activities = {
        a.pk: a
        for a in Activity.objects.filter(pk__in=activity_ids)
        .select_related("lead")
        .prefetch_related("co_responsible")
        .order_by("goal_area__order", "order", "number")
    }
    roles = activity_roles(version_id=survey_round.version_id)
    assigned = set(
        Assignment.objects.filter(round=survey_round, removed_at=None).values_list(
            "organisation_id", flat=True
        )
    )
    answers = Answer.objects.filter(
        question_id__in=needed,
        response__state=Response.State.SUBMITTED,
        response__assignment__round=survey_round,
        response__assignment__removed_at=None,
    ).values_list("question_id", "response__assignment__organisation_id", "value")
    by_organisation = defaultdict(dict)  # organisation id → {question id: value}
    for question_id, organisation_id, value in answers:
        by_organisation[organisation_id][question_id] = value
    relevant = [q for q in every_question if q.pk in needed]
    values = defaultdict(dict)  # question id → {organisation id: value}, shown answers only
    for organisation_id, given in by_organisation.items():
        for question_id, value in visible_answers(relevant, given).items():
            values[question_id][organisation_id] = value
    rows = []
    for activity in activities.values():
        responsible = set(roles.get(activity.pk, {}))
        responsible &= assigned  # only those asked can report
        status_question = next(
            (q for q in questions if q.activity_id == activity.pk and isinstance(kind_of(q), ActivityStatus)),
            None,
        )
        counts = dict.fromkeys(STATUS_CODES, 0)
        reported = values[status_question.pk] if status_question else {}
        for organisation_id in responsible:
            status = reported.get(organisation_id)
            if status in counts:
                counts[status] += 1
        n = len(responsible)
        rows.append(
            {
                "activity": {"id": activity.pk, "number": activity.number, "title": activity.title},
                "lead": activity.lead.name if activity.lead else None,
                "responsible": n,
                "status": {
                    code: {"count": counts[code], "share": round(counts[code] / n, 3) if n else None}
                    for code in STATUS_CODES
                },
                "not_reported": n - sum(counts.values()),
                "indicators": [
                    _indicator_sum(q, values[q.pk])
                    for q in questions
                    if q.activity_id == activity.pk and q.indicator_id is not None
                ],
            }
        )
    return {
        "round": {"id": survey_round.pk, "name": survey_round.name, "year": survey_round.year},
        "organisations": len(assigned),
        "activities": rows,
    }


def _indicator_sum(question: Question, values_by_organisation: dict[int, Any]) -> dict[str, Any]:
    total = Decimal("0")
    parts = dict.fromkeys(GENDER_PARTS, Decimal("0"))
    reported = 0
    split = isinstance(kind_of(question), Breakdown)
    for value in values_by_organisation.values():
        if split and isinstance(value, dict):
            numbers = {k: to_number(v) for k, v in value.items()}
            for part in GENDER_PARTS:
                parts[part] += numbers.get(part) or 0
            given_total = numbers.get("total")
            total += (
                given_total if given_total is not None else sum(numbers.get(p) or 0 for p in GENDER_PARTS)
            )
            reported += 1
        elif to_number(value) is not None:
            total += to_number(value)
            reported += 1
    return {
        "indicator": {
            "id": question.indicator_id,
            "text": question.indicator.text,
            "unit": question.indicator.unit,
            "target": question.indicator.target,
        },
        "question": question.code,
        "reported_by": reported,
        "total": float(total),
        "gender": {part: float(parts[part]) for part in GENDER_PARTS} if split else None,
    }


# --------------------------------------------------------------------------------------------------
# The respondent's result page
# --------------------------------------------------------------------------------------------------


def has_published_results(*, organisation: Organisation, version: QuestionnaireVersion) -> bool:
    """True when the organisation has an index in a published round comparable with `version` (one query)."""
    return IndexResult.objects.filter(
        assignment__organisation=organisation,
        assignment__round__version__in=comparable_versions(version),
        assignment__round__state=SurveyRound.State.PUBLISHED,
    ).exists()


def respondent_overview(
    *, organisation: Organisation, version: QuestionnaireVersion
) -> dict[str, Any] | None:
    """What the respondent's page shows for `organisation`: the latest published round of a version
    comparable with `version` that has its index, its categories beside the city mean, and the earlier
    comparable years. None when nothing is published yet."""
    versions = list(comparable_versions(version))
    latest = (
        IndexResult.objects.filter(
            assignment__organisation=organisation,
            assignment__round__version__in=versions,
            assignment__round__state=SurveyRound.State.PUBLISHED,
        )
        .select_related("assignment__round")
        .order_by("-assignment__round__year", "-assignment__round_id")
        .first()
    )
    if latest is None:
        return None
    survey_round = latest.assignment.round
    own = assignment_result(latest.assignment)
    city = round_summary(survey_round)
    # Below the minimum group size a mean, the category means or a rank would let one organisation work
    # out another's figures: show only the organisation's own.
    comparable = group_large_enough(survey_round, city["n"])
    city_means = {c["code"]: c["mean"] for c in city["categories"]} if comparable else {}
    if not comparable:
        own["rank"] = None
        city["scaled"] = {**city["scaled"], "mean": None, "median": None, "min": None, "max": None}
    scale_to = own["scale_to"] or 100
    rows = [
        _bar_row(
            label="Index",
            own=own["scaled"],
            mean=city["scaled"]["mean"],
            maximum=scale_to,
            level=0,
        )
    ]
    depth = {}
    for category in own["categories"]:
        depth[category["code"]] = depth.get(category["parent"], -1) + 1 if category["parent"] else 1
        rows.append(
            _bar_row(
                label=category["name"],
                own=category["capped"],
                mean=city_means.get(category["code"]),
                maximum=category["max"] or category["cap"] or 0,
                level=depth[category["code"]],
            )
        )
    trend = organisation_trend(organisation=organisation, versions=versions, published_only=True)
    minimum = dict(
        SurveyRound.objects.filter(pk__in=[p["round"]["id"] for p in trend["points"]]).values_list(
            "pk", "min_group_size"
        )
    )
    years = [
        _bar_row(
            label=str(point["year"])
            if _one_round_a_year(trend, point)
            else f"{point['year']} {point['round']['name']}",
            own=point["scaled"],
            mean=point["mean_scaled"] if point["of"] >= minimum.get(point["round"]["id"], 1) else None,
            maximum=scale_to,
            level=0,
        )
        for point in trend["points"]
    ]
    return {
        "round": survey_round,
        "result": own,
        "city": city,
        "comparable": comparable,
        "min_group_size": survey_round.min_group_size,
        "rows": rows,
        "years": years,
    }


def group_large_enough(survey_round: SurveyRound, n: int) -> bool:
    """True when `n` organisations with a result are enough to show respondents the city mean, the
    category means and a rank (the round's minimum group size)."""
    return n >= survey_round.min_group_size


SMALL_GROUP_MESSAGE = (
    "Stadens medelvärde, områdenas medelvärden och placering visas inte: bara {n} organisationer har ett "
    "resultat i omgången, och de visas först när minst {minimum} har det."
)


def for_respondent_round(summary: dict[str, Any], survey_round: SurveyRound) -> dict[str, Any]:
    """A round's figures as a respondent may see them: below the minimum group size only n and why."""
    if group_large_enough(survey_round, summary["n"]):
        return summary
    empty = {"n": summary["n"], "mean": None, "median": None, "min": None, "max": None}
    return {
        **summary,
        "total": empty,
        "scaled": empty,
        "categories": [{**c, **empty, "n": c["n"]} for c in summary["categories"]],
        "hidden": SMALL_GROUP_MESSAGE.format(n=summary["n"], minimum=survey_round.min_group_size),
    }


def for_respondent_result(result: dict[str, Any] | None, survey_round: SurveyRound) -> dict[str, Any] | None:
    """One organisation's own result for a respondent: no rank below the minimum group size."""
    if result is None or group_large_enough(survey_round, result["of"]):
        return result
    return {
        **result,
        "rank": None,
        "hidden": SMALL_GROUP_MESSAGE.format(n=result["of"], minimum=survey_round.min_group_size),
    }


def for_respondent_trend(trend: dict[str, Any]) -> dict[str, Any]:
    """A trend for a respondent: the round mean and rank only for rounds with enough organisations."""
    minimum = dict(
        SurveyRound.objects.filter(pk__in=[p["round"]["id"] for p in trend["points"]]).values_list(
            "pk", "min_group_size"
        )
    )
    points = []
    for point in trend["points"]:
        if point["of"] < minimum.get(point["round"]["id"], 1):
            point = {**point, "rank": None, "mean_scaled": None, "mean_categories": {}}
        points.append(point)
    return {**trend, "points": points}


def _one_round_a_year(trend: dict[str, Any], point: dict[str, Any]) -> bool:
    return sum(1 for p in trend["points"] if p["year"] == point["year"]) == 1


def _percent(value: float | None, maximum: float | None) -> float:
    if value is None or not maximum:
        return 0
    return max(0, min(100, round(value / maximum * 100, 1)))


def _bar_row(
    *, label: str, own: float | None, mean: float | None, maximum: float, level: int
) -> dict[str, Any]:
    """One row of bars: both bars on one scale from 0 to the row's maximum, drawn in one box so a larger
    figure is always the longer bar."""
    return {
        "label": label,
        "own": own,
        "mean": mean,
        "max": maximum,
        "level": level,
        "own_width": _percent(own, maximum),
        "mean_width": _percent(mean, maximum),
    }
