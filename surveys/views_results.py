"""The respondent's result page (/enkat/resultat/): their organisation's index beside the city mean and
their earlier comparable years, once a round is published. Server-rendered, no JavaScript."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .selectors_results import respondent_overview
from .services.respondent_access import latest_assignment_id, respondent_access
from .views_answer import respondent_page


def _session_assignment(request):
    """The assignment whose magic link opened this session, while that link is still valid (the same
    rule as the questionnaire pages: a revoked link or a deactivated contact ends access)."""
    assignment_id = latest_assignment_id(request.session)
    if assignment_id is None:
        return None
    try:
        return respondent_access(request.session, assignment_id).assignment
    except Http404:
        return None


@require_GET
@never_cache
@respondent_page
def results(request):
    assignment = _session_assignment(request)
    if assignment is None:
        return render(request, "surveys/link_refused.html", {"reason": "no_session"}, status=403)
    overview = (
        respondent_overview(organisation=assignment.organisation, version=assignment.round.version) or {}
    )
    if overview:
        overview["rows_caption"] = (
            f"Index och områden {overview['round'].year}: er organisation jämförd med stadens medelvärde "
            "(medelvärdet av alla organisationers resultat)"
        )
    context = {
        "organisation": assignment.organisation,
        "questionnaire": assignment.round.version.questionnaire,
        "coordinator": assignment.round.coordinator_contact(),
    }
    return render(request, "surveys/results.html", {**context, **overview})
