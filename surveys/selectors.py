"""Read-only queries shared by the API, the pages, the tasks and the exports."""

from .models import Question, QuestionnaireVersion


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
