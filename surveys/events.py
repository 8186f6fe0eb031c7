"""What happens after a respondent's action, in one place the respondent pages and the API both call.

Each step is a plain service call; none of them may undo the submission if it fails (the submission is
committed first and the follow-up work runs on commit)."""

import logging

from django.db import transaction

from .models import ScoringScheme, SurveyRound
from .services.outbox import send_receipt
from .services.scoring import ScoringRefused, compute_assignment_index

logger = logging.getLogger(__name__)


def response_submitted(response):
    """Called once per submission (not for a repeated click), inside the submitting transaction."""

    def follow_up():
        for step in (send_receipt, _preliminary_index):
            try:
                step(response=response)
            except Exception:  # each step on its own: a failed receipt must not stop the index
                logger.exception("%s failed after response %s was submitted", step.__name__, response.pk)

    transaction.on_commit(follow_up, robust=True)


def _preliminary_index(*, response):
    """The respondent may see a preliminary index at once when the coordinator allows it."""
    survey_round = SurveyRound.objects.filter(assignments__response=response).first()
    if survey_round is None or not survey_round.show_preliminary_result:
        return
    if not ScoringScheme.objects.filter(version_id=survey_round.version_id).exists():
        return  # an activity report or another questionnaire without an index
    try:
        compute_assignment_index(response)
    except ScoringRefused as refused:
        logger.info("no preliminary index for response %s: %s", response.pk, refused)
