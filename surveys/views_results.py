"""The respondent's result page (/enkat/resultat/): their organisation's index beside the city mean and
their earlier comparable years, once a round is published. Server-rendered, no JavaScript."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Assignment, Contact
from .selectors_results import respondent_overview
from .views import SESSION_ASSIGNMENT, SESSION_CONTACT


def _session_assignment(request):
    """The assignment whose magic link opened this session, if its contact is still active."""
    assignment_id = request.session.get(SESSION_ASSIGNMENT)
    contact_id = request.session.get(SESSION_CONTACT)
    if not assignment_id or not contact_id:
        return None
    assignment = (
        Assignment.objects.select_related("round__version__questionnaire", "organisation")
        .filter(pk=assignment_id, removed_at=None)
        .first()
    )
    if assignment is None:
        return None
    active = Contact.objects.filter(pk=contact_id, organisation_id=assignment.organisation_id, is_active=True)
    return assignment if active.exists() else None


@require_GET
@never_cache
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
    }
    return render(request, "surveys/results.html", {**context, **overview})
