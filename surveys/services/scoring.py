"""Index computation: answers become points per category (nested caps), a total and a scaled index.

Scoring is data (ScoringScheme → ScoringCategory tree → ScoringRule); this module is the one place that
reads it. Answers are read in bulk (one query per round, whatever the number of answers) and scored in
Python; hidden questions (see surveys/visibility.py) score 0 and never count as missing."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import (
    Answer,
    Assignment,
    IndexResult,
    Question,
    QuestionnaireVersion,
    Response,
    ScoringCategory,
    ScoringRule,
    ScoringScheme,
    SurveyRound,
)
from ..questiontypes import QuestionKind, is_answered, kind_of
from ..questiontypes import get as get_kind
from ..visibility import condition_holds
from . import background

ZERO = Decimal("0")


class ScoringRefused(Exception):
    """Why an index cannot be computed, in words for the coordinator."""


@dataclass
class Category:
    pk: int
    code: str
    name: str
    cap: Decimal | None
    parent_id: int | None
    order: int
    children: list = field(default_factory=list)
    uncapped: Decimal = ZERO  # the most points its questions and children can give, before its cap
    reachable: Decimal = ZERO  # the same after its cap


@dataclass
class QuestionRules:
    """The rules of one question for one category: points per answer code and per numeric threshold."""

    category_id: int
    kind: QuestionKind  # the question's type: which codes and which number an answer scores with
    options: dict = field(default_factory=dict)
    thresholds: list = field(default_factory=list)  # [(min_value, points)], highest threshold first

    def points(self, value: Any) -> Decimal:
        if value.__class__ is str and not self.thresholds:  # the common case: a code, looked up once
            return self.options.get(value, ZERO)
        best = ZERO
        if self.options:
            best = sum((self.options.get(code, ZERO) for code in self.kind.score_codes(value)), ZERO)
        if self.thresholds:
            number = self.kind.score_number(value)
            if number is not None:
                for minimum, points in self.thresholds:
                    if number >= minimum:
                        best = max(best, points)
                        break
        return best

    def maximum(self) -> Decimal:
        positive = [p for p in self.options.values() if p > 0]
        from_options = sum(positive, ZERO) if self.kind.multi_valued else max(positive, default=ZERO)
        from_thresholds = max((p for _, p in self.thresholds), default=ZERO)
        return max(from_options, from_thresholds)


@dataclass
class CompiledScheme:
    """A scheme read once (four queries) and ready to score any number of responses."""

    scheme: ScoringScheme
    categories: list  # in tree order: parents before children
    by_id: dict
    roots: list
    questions: list  # every question of the version in page order (for conditions)
    rules: dict  # question id → [QuestionRules]
    max_total: Decimal
    scored: list = field(default_factory=list)  # [(id, code, [QuestionRules])] in page order
    conditional: list = field(default_factory=list)  # questions with a condition, in page order

    def __post_init__(self) -> None:
        # Plain tuples and only the conditional questions: scoring runs once per response, so the
        # per-question work is kept to dictionary lookups.
        self.scored = [(q.id, q.code, self.rules[q.id]) for q in self.questions if q.id in self.rules]
        self.conditional = [q for q in self.questions if q.condition_question_id]

    def score(self, values_by_question_id: Mapping[int, Any]) -> ScoreCard:
        """Points per category for one response's answers: {code: {raw, capped, max, missing}}, total,
        scaled and the codes of visible scored questions left unanswered."""
        # The one rule for conditions, evaluated in page order so chains of conditions hold; questions
        # without a condition are always shown.
        shown = {}
        for question in self.conditional:
            shown[question.id] = condition_holds(question, values_by_question_id, shown=shown)
        direct = dict.fromkeys(self.by_id, ZERO)
        missing = {pk: [] for pk in self.by_id}
        for question_id, code, entries in self.scored:
            if shown.get(question_id) is False:
                continue  # hidden by its condition: 0 points and not missing
            value = values_by_question_id.get(question_id)
            if not is_answered(value):
                for entry in entries:
                    if code not in missing[entry.category_id]:
                        missing[entry.category_id].append(code)
                continue
            for entry in entries:
                direct[entry.category_id] += entry.points(value)
        capped = {}
        categories = {}
        for category in reversed(self.categories):  # children before parents
            raw = direct[category.pk] + sum((capped[c.pk] for c in category.children), ZERO)
            capped[category.pk] = raw if category.cap is None else min(raw, category.cap)
            categories[category.code] = {
                "raw": float(raw),
                "capped": float(capped[category.pk]),
                "max": float(category.reachable),
                "missing": missing[category.pk],
            }
        total = sum((capped[c.pk] for c in self.roots), ZERO)
        return ScoreCard(
            categories={c.code: categories[c.code] for c in self.categories},
            total=total,
            scaled=self.scale(total),
            missing=[code for c in self.categories for code in missing[c.pk]],
        )

    def scale(self, total: Decimal) -> Decimal:
        if not self.max_total:
            return ZERO
        scaled = total / self.max_total * self.scheme.scale_to
        return scaled.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class ScoreCard:
    categories: dict
    total: Decimal
    scaled: Decimal
    missing: list


def compile_scheme(version: QuestionnaireVersion) -> CompiledScheme:
    """Read a version's scheme, categories, rules and questions (four queries)."""
    scheme = ScoringScheme.objects.filter(version=version).first()
    if scheme is None:
        raise ScoringRefused(f"Versionen {version} har ingen poängsättning.")
    rows = list(ScoringCategory.objects.filter(scheme=scheme).order_by("order", "code"))
    by_id = {row.pk: Category(row.pk, row.code, row.name, row.cap, row.parent_id, row.order) for row in rows}
    roots = []
    for category in by_id.values():
        parent = by_id.get(category.parent_id)
        (parent.children if parent else roots).append(category)
    ordered = []

    def walk(nodes: list[Category], path: frozenset[int]) -> None:
        for node in nodes:
            if node.pk in path:
                raise ScoringRefused(f"Kategorin {node.code} ingår i sig själv.")
            ordered.append(node)
            walk(node.children, path | {node.pk})

    walk(roots, frozenset())
    questions = list(
        Question.objects.filter(version=version)
        .only("id", "code", "type", "condition_question_id", "condition_operator", "condition_value")
        .order_by("section__order", "order")
    )
    kinds = {q.pk: kind_of(q) for q in questions}
    rules = {}
    grouped = {}
    for rule in ScoringRule.objects.filter(scheme=scheme).order_by("question_id", "category_id"):
        if rule.category_id not in by_id:
            continue  # a category of another scheme: reported by scheme_problems, never scored
        entry = grouped.get((rule.question_id, rule.category_id))
        if entry is None:
            kind = kinds.get(rule.question_id) or get_kind("")  # a question of another version: never scored
            entry = grouped[(rule.question_id, rule.category_id)] = QuestionRules(rule.category_id, kind)
            rules.setdefault(rule.question_id, []).append(entry)
        if rule.option_code:
            entry.options[rule.option_code] = rule.points
        else:
            entry.thresholds.append((rule.min_value, rule.points))
    for entry in grouped.values():
        entry.thresholds.sort(reverse=True)
    compiled = CompiledScheme(scheme, ordered, by_id, roots, questions, rules, ZERO)
    _reachable(compiled)
    compiled.max_total = sum((c.reachable for c in roots), ZERO)
    return compiled


def _reachable(compiled: CompiledScheme) -> None:
    """The most points each category can give: its questions' best answers plus its children, capped."""
    direct = {pk: ZERO for pk in compiled.by_id}
    for entries in compiled.rules.values():
        for entry in entries:
            if entry.category_id in direct:
                direct[entry.category_id] += entry.maximum()
    for category in reversed(compiled.categories):
        category.uncapped = direct[category.pk] + sum((c.reachable for c in category.children), ZERO)
        category.reachable = (
            category.uncapped if category.cap is None else min(category.uncapped, category.cap)
        )


def _refuse_if_published(survey_round: SurveyRound) -> None:
    if survey_round.state == SurveyRound.State.PUBLISHED:
        raise ScoringRefused(
            f"Omgången {survey_round} är publicerad; dess index räknas inte om. "
            "Återkalla publiceringen först om poängsättningen måste rättas."
        )


def request_round_index(*, survey_round: SurveyRound) -> None:
    """Recompute a round's index in the background (after a scheme fix). Refused once published
    (ScoringRefused); BackgroundUnavailable when the workers cannot be reached now."""
    if survey_round.state == SurveyRound.State.PUBLISHED:
        raise ScoringRefused(f"Omgången {survey_round} är publicerad; dess index räknas inte om.")
    background.enqueue_now(background.COMPUTE_ROUND_INDEX, round_id=survey_round.pk)


def _is_preliminary(survey_round: SurveyRound) -> bool:
    return survey_round.state not in SurveyRound.ENDED


def _result(
    assignment_id: int,
    compiled: CompiledScheme,
    card: ScoreCard,
    *,
    preliminary: bool,
    now: datetime,
    rank: int | None = None,
) -> IndexResult:
    return IndexResult(
        assignment_id=assignment_id,
        scheme=compiled.scheme,
        categories=card.categories,
        total=card.total,
        scaled=card.scaled,
        rank=rank,
        preliminary=preliminary,
        computed_at=now,
    )


_UPDATE_FIELDS = ["scheme", "categories", "total", "scaled", "rank", "preliminary", "computed_at"]


def compute_assignment_index(
    assignment_or_response: Assignment | Response, *, now: datetime | None = None
) -> IndexResult:
    """(Re)compute one submitted response's index; returns the IndexResult. Its rank is left empty:
    ranks are set when the whole round is computed."""
    if isinstance(assignment_or_response, Response):
        response = assignment_or_response
        assignment = Assignment.objects.select_related("round__version").get(pk=response.assignment_id)
    else:
        assignment = Assignment.objects.select_related("round__version").get(pk=assignment_or_response.pk)
        response = Response.objects.filter(assignment=assignment).first()
    survey_round = assignment.round
    _refuse_if_published(survey_round)
    if response is None or response.state != Response.State.SUBMITTED:
        raise ScoringRefused(f"Uppdraget {assignment} har inget inskickat svar.")
    compiled = compile_scheme(survey_round.version)
    values = dict(Answer.objects.filter(response=response).values_list("question_id", "value"))
    card = compiled.score(values)
    row = _result(
        assignment.pk, compiled, card, preliminary=_is_preliminary(survey_round), now=now or timezone.now()
    )
    IndexResult.objects.bulk_create(
        [row], update_conflicts=True, unique_fields=["assignment"], update_fields=_UPDATE_FIELDS
    )
    return IndexResult.objects.get(assignment=assignment)


def scored_responses(survey_round: SurveyRound) -> QuerySet[Response]:
    """Responses of a round that get an index: submitted, of assignments still in the round."""
    return Response.objects.filter(
        state=Response.State.SUBMITTED, assignment__round=survey_round, assignment__removed_at=None
    )


def competition_ranks(totals: dict[Any, Decimal]) -> dict[Any, int]:
    """{key: rank} with ties sharing a rank (1, 2, 2, 4), highest total first."""
    ranks = {}
    ordered = sorted(totals.items(), key=lambda item: item[1], reverse=True)
    previous, rank = None, 0
    for position, (key, total) in enumerate(ordered, start=1):
        if total != previous:
            rank, previous = position, total
        ranks[key] = rank
    return ranks


def _answer_rows(values_list: QuerySet, chunk_size: int = 5000) -> Iterator[tuple[int, int, Any]]:
    """(response id, question id, value) rows read through a server-side cursor where the database has
    one. Decoding the JSON here skips Django's per-row converters, and short raw values ("ja", a
    status code, a number) repeat so often that each is decoded once; the decoded values are only read."""
    sql, params = values_list.query.sql_with_params()
    decoded = {}
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk_size):
            for response_id, question_id, raw in rows:
                if not isinstance(raw, str | bytes):
                    yield response_id, question_id, raw
                    continue
                value = decoded.get(raw, _MISSING)
                if value is _MISSING:
                    value = json.loads(raw)
                    if len(raw) <= 40 and len(decoded) < 10_000:
                        decoded[raw] = value
                yield response_id, question_id, value


_MISSING = object()


def compute_round_index(
    survey_round: SurveyRound,
    *,
    now: datetime | None = None,
    batch_size: int = 1000,
) -> int:
    """(Re)compute every submitted response of a round, set ranks, and drop results of assignments that
    no longer qualify (removed or reopened). Returns the number of results written. A published round
    is refused: its results are final."""
    survey_round = SurveyRound.objects.select_related("version").get(pk=survey_round.pk)
    _refuse_if_published(survey_round)
    compiled = compile_scheme(survey_round.version)
    now = now or timezone.now()
    # A plain subquery on responses: PostgreSQL plans it far better than a filter through
    # response__assignment__in (0.6 s instead of 3 s for 570,000 answers).
    responses = scored_responses(survey_round)
    with transaction.atomic():  # inside a transaction the chunked cursor streams instead of materialising
        assignment_of = dict(responses.values_list("id", "assignment_id"))
        answers = (
            Answer.objects.filter(response__in=responses)
            .order_by("response_id")
            .values_list("response_id", "question_id", "value")
        )
        cards = dict.fromkeys(assignment_of.values())
        for response_id, rows in groupby(_answer_rows(answers), key=lambda row: row[0]):
            cards[assignment_of[response_id]] = compiled.score({qid: value for _, qid, value in rows})
        empty = None
        for assignment_id, card in cards.items():
            if card is None:  # submitted with no answers at all: every scored question missing
                empty = empty or compiled.score({})
                cards[assignment_id] = empty
        ranks = competition_ranks({pk: card.total for pk, card in cards.items()})
        preliminary = _is_preliminary(survey_round)
        rows = [
            _result(pk, compiled, card, preliminary=preliminary, now=now, rank=ranks[pk])
            for pk, card in cards.items()
        ]
        IndexResult.objects.filter(assignment__round=survey_round).exclude(
            assignment__in=responses.values("assignment_id")
        ).delete()
        IndexResult.objects.bulk_create(
            rows,
            batch_size=batch_size,
            update_conflicts=True,
            unique_fields=["assignment"],
            update_fields=_UPDATE_FIELDS,
        )
    return len(rows)
