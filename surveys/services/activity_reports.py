"""Activity questionnaires generated from a plan (the Västerås/Norsjö/Kronoberg follow-up).

Per activity: its status, one question per indicator (a breakdown flickor/pojkar/kvinnor/män/totalt when the
indicator is split by gender, a number otherwise) and a comment, each linked to its activity or indicator.
Which organisation sees which of these questions is decided by the one rule in surveys/selectors_plan.py;
archived plan rows and activities nobody answers (only external partners) get no questions."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max, Prefetch

from ..models import (
    Activity,
    Indicator,
    Programme,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    QuestionType,
    Section,
    User,
)
from ..selectors_plan import plan_answerers
from .audit import audit_record


def _code_base(activity: Activity, used: set[str]) -> str:
    """A stable code from the activity number (A1_1 for 1.1), unique within the version."""
    if activity.number:
        base = "A" + "".join(ch if ch.isalnum() else "_" for ch in activity.number).strip("_")
        if base not in used:
            return base
        base = f"M{activity.goal_area.number}_{base}".replace(".", "_")
        if base not in used:
            return base
    return f"AKT{activity.pk}"


def _indicator_help(indicator: Indicator) -> str:
    parts = []
    if indicator.unit:
        parts.append(f"Enhet: {indicator.unit}.")
    if indicator.target:
        due = f" (senast {indicator.due_date.isoformat()})" if indicator.due_date else ""
        parts.append(f"Mål: {indicator.target}{due}.")
    if indicator.gender_split:
        parts.append("Redovisa fördelat på flickor, pojkar, kvinnor och män där det går.")
    return " ".join(parts)


@transaction.atomic
def generate_activity_version(
    programme: Programme,
    *,
    questionnaire: Questionnaire | None = None,
    label: str = "",
    actor: User | None = None,
) -> QuestionnaireVersion:
    """A new draft version of the programme's activity questionnaire (created if needed), with the
    status/indicator/comment questions of every activity of the plan, in plan order."""
    if questionnaire is None:
        questionnaire, _ = Questionnaire.objects.get_or_create(
            programme=programme,
            kind=Questionnaire.Kind.ACTIVITY,
            defaults={"name": f"Uppföljning av {programme.name} {programme.start_year}–{programme.end_year}"},
        )
    number = (questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=number, label=label or f"Aktivitetsuppföljning version {number}"
    )
    plan = Activity.objects.filter(goal_area__programme=programme, archived_at__isnull=True)
    answerers = plan_answerers(activities=plan)
    activities = [
        activity
        for activity in plan.select_related("goal_area")
        .prefetch_related(Prefetch("indicators", queryset=Indicator.objects.filter(archived_at__isnull=True)))
        .order_by("goal_area__order", "goal_area__number", "order", "number", "pk")
        if answerers.activities.get(activity.pk)
    ]
    sections, used, statuses, pending = {}, set(), [], []
    for activity in activities:
        goal = activity.goal_area
        if goal.pk not in sections:
            sections[goal.pk] = Section.objects.create(
                version=version, order=len(sections) + 1, title=f"Mål {goal.number}: {goal.title}"[:300]
            )
        section = sections[goal.pk]
        base = _code_base(activity, used)
        used.add(base)
        title = f"{activity.number} {activity.title}".strip()
        status = Question(
            version=version,
            section=section,
            code=f"{base}_STATUS",
            type=QuestionType.ACTIVITY_STATUS,
            text=f"{title}: har aktiviteten genomförts?",
            help_text=f"När: {activity.frequency}" if activity.frequency else "",
            required=True,
            activity=activity,
        )
        statuses.append(status)
        followers = [
            Question(
                version=version,
                section=section,
                code=f"{base}_IND{i}",
                type=QuestionType.BREAKDOWN if indicator.gender_split else QuestionType.DECIMAL,
                text=indicator.text,
                help_text=_indicator_help(indicator),
                min_value=0,
                activity=activity,
                indicator=indicator,
                condition_operator=Question.ConditionOperator.NOT_EQUALS,
                condition_value="ej_aktuell",
            )
            for i, indicator in enumerate(activity.indicators.all(), start=1)
            if answerers.indicators.get(indicator.pk)
        ]
        followers.append(
            Question(
                version=version,
                section=section,
                code=f"{base}_KOMMENTAR",
                type=QuestionType.TEXT,
                text=f"{title}: kommentar",
                max_length=4000,
                activity=activity,
            )
        )
        pending.append((status, followers))
    # Order within each section follows the plan; status questions first get their ids, so the
    # indicator questions can be hidden when the activity is "ej aktuell".
    counters = {}
    for status, followers in pending:
        for question in [status, *followers]:
            counters[question.section.pk] = counters.get(question.section.pk, 0) + 1
            question.order = counters[question.section.pk]
    Question.objects.bulk_create(statuses)
    rest = []
    for status, followers in pending:
        for question in followers:
            if question.indicator is not None:
                question.condition_question = status
            rest.append(question)
    Question.objects.bulk_create(rest)
    audit_record(
        actor=actor,
        action="questionnaire.generate",
        target=str(version),
        detail={
            "message": f"Skapade en ny version av aktivitetsenkäten från planen för {programme}.",
            "programme": programme.pk,
        },
    )
    return version
