"""Freezing who answers which question with a questionnaire version, and refusing plan deletes that would
change an opened round."""

from collections.abc import Iterable

from ..models import QuestionnaireVersion, QuestionResponsibility, SurveyRound
from ..selectors_plan import question_answerers


def version_freeze_responsibilities(*, version: QuestionnaireVersion) -> bool:
    """Store, per plan-linked question of `version`, the organisations that answer it and their role, as
    the plan says now. Done once, when the version's first round opens; later calls change nothing."""
    if QuestionnaireVersion.objects.filter(pk=version.pk, responsibilities_frozen=True).exists():
        return False
    table = question_answerers(version_id=version.pk)
    QuestionResponsibility.objects.bulk_create(
        QuestionResponsibility(question_id=question_id, organisation_id=org_id, role=role)
        for question_id, who in table.items()
        for org_id, role in who.items()
    )
    QuestionnaireVersion.objects.filter(pk=version.pk).update(responsibilities_frozen=True)
    return True


def rounds_using(*, activity_ids: Iterable[int] = (), indicator_ids: Iterable[int] = ()) -> list[SurveyRound]:
    """Rounds of frozen versions whose questions refer to these plan rows (a delete would change them)."""
    from django.db.models import Q

    return list(
        SurveyRound.objects.filter(version__frozen_at__isnull=False)
        .filter(
            Q(version__questions__activity_id__in=list(activity_ids))
            | Q(version__questions__indicator_id__in=list(indicator_ids))
            | Q(version__questions__indicator__activity_id__in=list(activity_ids))
        )
        .distinct()
        .order_by("year", "name")
    )


def plan_delete_refusal(*, activity_ids: Iterable[int] = (), indicator_ids: Iterable[int] = ()) -> str:
    """The Swedish reason a plan row may not be deleted, naming the rounds, or "" when it may."""
    rounds = rounds_using(activity_ids=activity_ids, indicator_ids=indicator_ids)
    if not rounds:
        return ""
    names = ", ".join(f"{r.name} ({r.year})" for r in rounds)
    return (
        f"Raden används av enkätomgångar som har öppnats: {names}. Den kan inte tas bort, men den kan "
        "arkiveras (den finns då kvar för omgångarnas svar men kommer inte med i nya enkäter)."
    )
