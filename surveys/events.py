"""What happens after a respondent's action, in one place the respondent pages and the API both call.

Each step is a plain service call; none of them may undo the submission if it fails (the submission is
committed first and the follow-up work runs on commit)."""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def response_submitted(response):
    """Called once per submission (not for a repeated click), inside the submitting transaction."""

    def follow_up():
        from .services.outbox import send_receipt

        send_receipt(response=response)

    transaction.on_commit(follow_up)
