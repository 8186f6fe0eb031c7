"""The index of the demo's Preventionsindex mini V2, computed by hand (struktur ≤ 22 = organisation ≤ 10
+ samverkan ≤ 6 + kunskap ≤ 6; aktiviteter ≤ 33; 55 points → 100)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys import events
from surveys.models import IndexResult, Response, ScoringCategory, ScoringRule, SurveyRound
from surveys.services.scoring import (
    ScoringRefused,
    compile_scheme,
    compute_assignment_index,
    compute_round_index,
)
from tests.scoring_helpers import make_round, max_answers, submitted
from workers import tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def v2(demo):
    return demo["pi_v2"]


def _index(v2, values):
    survey_round = make_round(v2)
    assignment = submitted(survey_round, values)
    return compute_assignment_index(assignment)


def test_all_answers_at_maximum_give_100(v2):
    result = _index(v2, max_answers(v2))
    assert result.total == Decimal("55")
    assert result.scaled == Decimal("100.0")
    assert result.categories["struktur"]["capped"] == 22
    assert result.categories["aktiviteter"]["capped"] == 33


def test_only_struktur_at_maximum_gives_40(v2):
    result = _index(v2, max_answers(v2, categories=["struktur"]))
    assert result.total == Decimal("22")
    assert result.scaled == Decimal("40.0")  # 22 / 55
    assert result.categories["aktiviteter"]["capped"] == 0


def test_category_over_its_cap_is_capped(v2):
    # Organisation, policy och resurser: 11 yes/no questions and ORG_3's threshold give 12 points, cap 10.
    result = _index(v2, max_answers(v2, categories=["organisation"]))
    organisation = result.categories["organisation"]
    assert organisation["raw"] == 12
    assert organisation["capped"] == 10
    assert result.categories["struktur"]["raw"] == 10
    assert result.total == 10
    assert result.scaled == Decimal("18.2")


def test_nested_caps_bind_at_each_level(v2):
    struktur = ScoringCategory.objects.get(scheme__version=v2, code="struktur")
    struktur.cap = 20
    struktur.save()
    result = _index(v2, max_answers(v2, categories=["struktur"]))
    cats = result.categories
    assert (cats["organisation"]["raw"], cats["organisation"]["capped"]) == (12, 10)
    assert (cats["samverkan"]["raw"], cats["samverkan"]["capped"]) == (10, 6)
    assert (cats["kunskap"]["raw"], cats["kunskap"]["capped"]) == (8, 6)
    assert (cats["struktur"]["raw"], cats["struktur"]["capped"]) == (22, 20)
    assert result.total == 20
    assert result.scaled == Decimal("37.7")  # 20 / (20 + 33)


def test_three_levels_of_nesting(v2):
    organisation = ScoringCategory.objects.get(scheme__version=v2, code="organisation")
    policy = ScoringCategory.objects.create(
        scheme=organisation.scheme, code="policy", name="Policy", cap=1, parent=organisation
    )
    ScoringRule.objects.filter(scheme=organisation.scheme, question__code__in=["ORG_9", "ORG_10"]).update(
        category=policy
    )
    values = {"ORG_9": "ja", "ORG_10": "ja", "ORG_1": "ja"}
    cats = _index(v2, values).categories
    assert (cats["policy"]["raw"], cats["policy"]["capped"]) == (2, 1)
    assert cats["organisation"]["capped"] == 2
    assert cats["struktur"]["capped"] == 2


def test_an_unanswered_question_scores_zero_and_is_missing(v2):
    values = max_answers(v2)
    del values["AKT_1"]
    result = _index(v2, values)
    assert result.total == 53
    assert "AKT_1" in result.categories["aktiviteter"]["missing"]


def test_a_hidden_question_scores_zero_and_is_not_missing(v2):
    values = max_answers(v2)
    values["KUN_1"] = "nej"  # hides KUN_2 (number trained), worth 2 points
    values["KUN_2"] = 500  # a stale answer from before KUN_1 changed is ignored
    result = _index(v2, values)
    kunskap = result.categories["kunskap"]
    assert kunskap["raw"] == 5  # 8 − KUN_1 − KUN_2
    assert kunskap["missing"] == []
    assert result.total == 54  # kunskap 5 of 6


def test_thresholds_give_the_points_of_the_highest_reached(v2):
    cats = _index(v2, {"KUN_1": "ja", "KUN_2": 99}).categories
    assert cats["kunskap"]["raw"] == 2  # KUN_1 + (≥ 30 → 1)
    cats = _index(v2, {"KUN_1": "ja", "KUN_2": 100}).categories
    assert cats["kunskap"]["raw"] == 3  # KUN_1 + (≥ 100 → 2)


def test_round_index_reads_answers_in_bulk_and_ranks(v2):
    survey_round = make_round(v2)
    full = max_answers(v2)
    submitted(survey_round, full)
    submitted(survey_round, max_answers(v2, categories=["struktur"]))
    submitted(survey_round, full)
    submitted(survey_round, full, state=Response.State.DRAFT)
    with CaptureQueriesContext(connection) as few:
        assert compute_round_index(survey_round) == 3
    for _ in range(20):
        submitted(survey_round, full)
    with CaptureQueriesContext(connection) as many:
        assert compute_round_index(survey_round) == 23
    assert len(many) == len(few) <= 12
    ranks = sorted(IndexResult.objects.filter(assignment__round=survey_round).values_list("rank", "scaled"))
    assert ranks[0] == (1, Decimal("100.0"))
    assert ranks[-1] == (23, Decimal("40.0"))
    assert all(r.preliminary for r in IndexResult.objects.filter(assignment__round=survey_round))


def test_reopened_response_loses_its_result_on_recompute(v2):
    survey_round = make_round(v2, state=SurveyRound.State.CLOSED)
    assignment = submitted(survey_round, max_answers(v2))
    compute_round_index(survey_round)
    assert IndexResult.objects.get(assignment=assignment).preliminary is False
    Response.objects.filter(assignment=assignment).update(state=Response.State.REOPENED)
    compute_round_index(survey_round)
    assert not IndexResult.objects.filter(assignment=assignment).exists()


def test_recompute_after_a_scheme_fix_and_refused_after_publish(v2):
    survey_round = make_round(v2, state=SurveyRound.State.CLOSED)
    assignment = submitted(survey_round, {"AKT_5": "ja"})
    compute_round_index(survey_round)
    assert IndexResult.objects.get(assignment=assignment).total == 1
    ScoringRule.objects.filter(scheme__version=v2, question__code="AKT_5").update(points=3)
    compute_round_index(survey_round)
    assert IndexResult.objects.get(assignment=assignment).total == 3
    survey_round.state = SurveyRound.State.PUBLISHED
    survey_round.save()
    with pytest.raises(ScoringRefused, match="publicerad"):
        compute_round_index(survey_round)
    with pytest.raises(ScoringRefused, match="publicerad"):
        compute_assignment_index(assignment)


def test_celery_task_computes_the_round(v2):
    survey_round = make_round(v2)
    submitted(survey_round, max_answers(v2))
    assert tasks.compute_round_index.delay(survey_round.pk).get() == 1
    assert IndexResult.objects.get(assignment__round=survey_round).scaled == Decimal("100.0")


def test_preliminary_index_on_submit_only_when_the_round_allows(v2, django_capture_on_commit_callbacks):
    allowed = make_round(v2, show_preliminary_result=True)
    hidden = make_round(v2, year=2031)
    for survey_round in (allowed, hidden):
        assignment = submitted(survey_round, {"AKT_5": "ja"})
        with django_capture_on_commit_callbacks(execute=True):
            events.response_submitted(assignment.response)
    assert IndexResult.objects.get(assignment__round=allowed).total == 1
    assert not IndexResult.objects.filter(assignment__round=hidden).exists()


def test_the_demo_published_round_has_final_results(demo):
    results = IndexResult.objects.filter(assignment__round=demo["last_round"])
    assert results.count() == 12
    assert not results.filter(preliminary=True).exists()
    assert sorted(r.rank for r in results)[0] == 1


def test_compiled_scheme_knows_its_maximum(v2):
    assert compile_scheme(v2).max_total == 55


def test_closing_a_round_computes_its_final_index(v2):
    from datetime import timedelta

    from surveys.services.rounds import tick

    survey_round = make_round(v2, show_preliminary_result=True)
    assignment = submitted(survey_round, max_answers(v2))
    compute_assignment_index(assignment)
    assert IndexResult.objects.get(assignment=assignment).preliminary is True
    closed_at = survey_round.deadline + timedelta(minutes=1)
    assert tick(now=closed_at)["closed"] >= 1  # the demo's open round closes too
    result = IndexResult.objects.get(assignment=assignment)
    assert result.preliminary is False and result.rank == 1 and result.scaled == Decimal("100.0")
    assert result.computed_at == closed_at
