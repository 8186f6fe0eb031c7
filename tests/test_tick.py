"""The tick asks the database what is due; running it twice does nothing more."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.models import SurveyRound
from surveys.services.rounds import tick
from tests import factories
from workers import tasks

pytestmark = pytest.mark.django_db


def test_tick_opens_a_scheduled_round_once_and_freezes_its_version():
    now = timezone.now()
    round_ = factories.SurveyRoundFactory(
        state="scheduled", opens_at=now - timedelta(minutes=1), deadline=now + timedelta(days=30)
    )
    assert tick(now=now)["opened"] == 1
    assert tick(now=now)["opened"] == 0
    round_.refresh_from_db()
    round_.version.refresh_from_db()
    assert round_.state == SurveyRound.State.OPEN and round_.version.is_frozen


def test_tick_leaves_a_round_open_during_its_grace_period_then_closes_it():
    now = timezone.now()
    round_ = factories.SurveyRoundFactory(
        opens_at=now - timedelta(days=30), deadline=now - timedelta(hours=1), grace_hours=24
    )
    assert tick(now=now)["closed"] == 0
    assert tick(now=now + timedelta(hours=24))["closed"] == 1
    round_.refresh_from_db()
    assert round_.state == SurveyRound.State.CLOSED


def test_tick_task_runs_through_celery(caplog):
    now = timezone.now()
    factories.SurveyRoundFactory(
        state="scheduled", opens_at=now - timedelta(minutes=5), deadline=now + timedelta(days=3)
    )
    with caplog.at_level("INFO"):
        result = tasks.tick.delay()
    assert result.get()["opened"] == 1
    assert "tick processed" in caplog.text
