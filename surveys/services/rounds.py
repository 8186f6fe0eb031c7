"""Round life cycle and the tick: the database says what is due; the tick claims it and records it."""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from ..models import SurveyRound

logger = logging.getLogger(__name__)

State = SurveyRound.State


def rounds_to_open(*, now):
    return SurveyRound.objects.filter(state=State.SCHEDULED, opens_at__lte=now)


def rounds_to_close(*, now):
    """Open rounds whose deadline and grace period have passed (per-assignment extensions keep a round
    open until the latest of them)."""
    due = []
    for survey_round in SurveyRound.objects.filter(state=State.OPEN, deadline__lte=now).prefetch_related(
        "assignments"
    ):
        latest = max(
            [survey_round.deadline]
            + [a.deadline_override for a in survey_round.assignments.all() if a.deadline_override]
        )
        if latest + timedelta(hours=survey_round.grace_hours) <= now:
            due.append(survey_round)
    return due


def round_open(*, survey_round, now):
    """Scheduled → open. The conditional update makes this safe if two ticks ever run at once."""
    with transaction.atomic():
        won = SurveyRound.objects.filter(pk=survey_round.pk, state__in=[State.SCHEDULED, State.DRAFT]).update(
            state=State.OPEN, opened_at=now
        )
        if won and survey_round.version.frozen_at is None:
            survey_round.version.__class__.objects.filter(pk=survey_round.version_id, frozen_at=None).update(
                frozen_at=now
            )
    return bool(won)


def round_close(*, survey_round, now):
    won = SurveyRound.objects.filter(pk=survey_round.pk, state=State.OPEN).update(
        state=State.CLOSED, closed_at=now
    )
    if won:
        _final_index(survey_round, now=now)
    return bool(won)


def _final_index(survey_round, *, now):
    """A closed index round gets its final results at once; the close stands whatever happens here."""
    from .scoring import ScoringRefused, compute_round_index

    try:
        compute_round_index(survey_round, now=now)
    except ScoringRefused:
        pass  # no scoring scheme: an activity report or another questionnaire without an index
    except Exception:
        logger.exception("index of round %s not computed at close", survey_round.pk)


def tick(*, now=None):
    """Find what is due and do it. Returns counts, for the log and for tests."""
    now = now or timezone.now()
    opened = sum(
        round_open(survey_round=r, now=now) for r in rounds_to_open(now=now).select_related("version")
    )
    closed = sum(round_close(survey_round=r, now=now) for r in rounds_to_close(now=now))
    result = {"opened": opened, "closed": closed}
    logger.info("tick processed at %s: %s", now.isoformat(timespec="seconds"), result)
    return result
