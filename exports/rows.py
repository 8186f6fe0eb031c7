"""What a round's workbook shows, read from the database in a fixed number of queries.

The workbook module turns these plain rows into sheets; nothing here knows openpyxl. Answers are read
once, in chunks, grouped per organisation, so memory holds one organisation's answers at a time whatever
the size of the round."""

import statistics
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Max

from surveys.models import (
    Activity,
    Answer,
    Assignment,
    IndexResult,
    Question,
    Response,
    ScoringCategory,
    ScoringRule,
    SurveyRound,
)
from surveys.questiontypes import cell_number, kind_of
from surveys.selectors import comparable_versions
from surveys.selectors_plan import activity_roles

ANSWER_CHUNK = 2000


@dataclass
class Column:
    """One column of the wide sheet: a question, or one option/part of a multiple-choice or breakdown
    question."""

    question: object
    part: str = ""
    part_label: str = ""

    @property
    def code(self):
        return f"{self.question.code}_{self.part}" if self.part else self.question.code

    @property
    def heading(self):
        return f"{self.question.text} – {self.part_label}" if self.part else self.question.text


@dataclass
class OrganisationAnswers:
    assignment: object
    status: str
    values: dict = field(default_factory=dict)  # question id → stored value


def status_label(response_state, n_answers):
    if response_state == Response.State.SUBMITTED:
        return "Inskickad"
    if response_state == Response.State.REOPENED:
        return "Återöppnad"
    return "Påbörjad (utkast)" if n_answers else "Ej påbörjad"


def as_number(raw):
    """A number for a cell (int or float), or None; the question types' one number parser."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return raw
    return cell_number(raw)


class RoundExport:
    """Everything the workbook of one round needs. Construct it, then iterate `organisations()` once."""

    def __init__(self, survey_round_id, *, chunk_size=ANSWER_CHUNK):
        self.chunk_size = chunk_size
        self.round = SurveyRound.objects.select_related(
            "version__questionnaire", "programme", "created_by"
        ).get(pk=survey_round_id)
        self.version = self.round.version
        self.questions = list(
            Question.objects.filter(version=self.version)
            .select_related("section", "condition_question", "activity", "indicator")
            .prefetch_related("options")
            .order_by("section__order", "order")
        )
        self.position = {q.pk: i for i, q in enumerate(self.questions)}
        self.options = {q.pk: [(o.code, o.label) for o in q.options.all()] for q in self.questions}
        # code → label per question, built once: the answer loop looks labels up a million times
        self.labels = {
            q.pk: {code: str(label) for code, label in kind_of(q).fixed_choices or []}
            or dict(self.options[q.pk])
            for q in self.questions
        }
        self.rules = {}
        for rule in ScoringRule.objects.filter(question__version=self.version).select_related("category"):
            self.rules.setdefault(rule.question_id, []).append(rule)
        self.categories = list(ScoringCategory.objects.filter(scheme__version=self.version).order_by("order"))
        self.assignments = list(
            Assignment.objects.filter(round=self.round, removed_at__isnull=True)
            .select_related("organisation", "response")
            .annotate(n_answers=Count("response__answers"))
            .order_by("organisation__name", "pk")
        )

    # ---------------------------------------------------------------- overview

    def status_counts(self):
        counts = {}
        for a in self.assignments:
            label = self.status_of(a)
            counts[label] = counts.get(label, 0) + 1
        return counts

    def status_of(self, assignment):
        response = getattr(assignment, "response", None)
        return status_label(response.state if response else None, assignment.n_answers)

    def answer_count(self):
        return sum(a.n_answers for a in self.assignments)

    # ---------------------------------------------------------------- answers

    def parts(self, question):
        """Option columns of a multiple-choice question, part columns of a breakdown."""
        return kind_of(question).sheet_parts(question, self.options[question.pk])

    def columns(self):
        columns = []
        for q in self.questions:
            parts = self.parts(q)
            if parts:
                columns.extend(Column(q, code, label) for code, label in parts)
            else:
                columns.append(Column(q))
        return columns

    def label(self, question, code):
        return self.labels[question.pk].get(code, code)

    def wide_value(self, column, raw):
        """The cell of one column for a stored value: labels for codes, numbers as numbers, dates as
        dates; anything unexpected comes back as its text rather than being dropped."""
        if raw is None:
            return None
        q = column.question
        return kind_of(q).wide_cell(raw, part=column.part, labels=self.labels[q.pk])

    def scalar(self, question, raw):
        """The one-cell value of a stored answer (not None)."""
        return kind_of(question).wide_cell(raw, part="", labels=self.labels[question.pk])

    def long_values(self, question, raw):
        """(part label, answer code, value) per row of the long sheet for one stored answer."""
        if raw is None:
            return
        yield from kind_of(question).long_cells(
            raw, labels=self.labels[question.pk], parts=dict(self.parts(question))
        )

    def organisations(self):
        """Every recipient in organisation order with its answers; one query read in chunks."""
        answers = (
            Answer.objects.filter(
                response__assignment__round=self.round, response__assignment__removed_at=None
            )
            .order_by("response__assignment__organisation__name", "response__assignment_id")
            .values_list("response__assignment_id", "question_id", "value")
            .iterator(chunk_size=self.chunk_size)
        )
        groups = groupby(answers, key=lambda row: row[0])
        pending = next(groups, None)
        for assignment in self.assignments:
            values = {}
            if pending is not None and pending[0] == assignment.pk:
                values = {question_id: value for _, question_id, value in pending[1]}
                pending = next(groups, None)
            yield OrganisationAnswers(assignment, self.status_of(assignment), values)

    # ---------------------------------------------------------------- index and trend

    def index_rows(self):
        """(organisation, {category code: points}, total, scaled, rank, preliminary) ordered by rank."""
        results = (
            IndexResult.objects.filter(assignment__round=self.round)
            .select_related("assignment__organisation")
            .order_by("rank", "assignment__organisation__name")
        )
        rows = []
        for r in results:
            points = {}
            for code, item in (r.categories or {}).items():
                number = item.get("capped", item.get("raw")) if isinstance(item, dict) else item
                points[code] = as_number(number) if number is not None else None
            rows.append((r.assignment.organisation.name, points, r.total, r.scaled, r.rank, r.preliminary))
        return rows

    def trend(self):
        """(years, [(organisation, {year: scaled})]) over every round of a comparable version."""
        versions = comparable_versions(self.version)
        found = (
            IndexResult.objects.filter(assignment__round__version__in=versions)
            .values_list("assignment__organisation__name", "assignment__round__year", "scaled")
            .order_by("assignment__organisation__name", "assignment__round__year")
        )
        years = set()
        series = {}
        for name, year, scaled in found:
            years.add(year)
            series.setdefault(name, {})[year] = scaled
        return sorted(years), sorted(series.items())

    # ---------------------------------------------------------------- activities

    def activity_questions(self):
        return [q for q in self.questions if q.activity_id]

    def activities(self):
        ids = {q.activity_id for q in self.activity_questions()}
        return list(
            Activity.objects.filter(pk__in=ids)
            .select_related("goal_area", "focus_area")
            .prefetch_related("co_responsible")
            .order_by("goal_area__order", "goal_area__number", "order", "number")
        )

    def activity_roles(self):
        """{activity id: {organisation id: "lead" | "co"}}: who answers each activity (selectors_plan; the
        frozen table for a frozen version)."""
        return activity_roles(version_id=self.round.version_id)

    def activity_answers(self):
        """(assignment, {question id: value}) for the activity questions only, one organisation at a time."""
        ids = [q.pk for q in self.activity_questions()]
        answers = (
            Answer.objects.filter(response__assignment__round=self.round, question_id__in=ids)
            .order_by("response__assignment__organisation__name", "response__assignment_id")
            .values_list("response__assignment_id", "question_id", "value")
            .iterator(chunk_size=self.chunk_size)
        )
        by_id = {a.pk: a for a in self.assignments}
        for assignment_id, rows in groupby(answers, key=lambda row: row[0]):
            if assignment_id in by_id:
                yield by_id[assignment_id], {question_id: value for _, question_id, value in rows}


def fingerprint_parts(survey_round_id):
    """What changes when the round's workbook would change (cheap aggregates, no rows)."""
    answers = Answer.objects.filter(response__assignment__round_id=survey_round_id).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    responses = Response.objects.filter(assignment__round_id=survey_round_id).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    assignments = Assignment.objects.filter(round_id=survey_round_id).aggregate(
        n=Count("id"), removed=Count("removed_at"), last=Max("removed_at")
    )
    index = IndexResult.objects.filter(assignment__round_id=survey_round_id).aggregate(
        n=Count("id"), last=Max("computed_at")
    )
    return [answers, responses, assignments, index]


def mean_and_median(numbers):
    numbers = [float(n) for n in numbers if n is not None]
    if not numbers:
        return None, None
    return round(statistics.fmean(numbers), 2), round(statistics.median(numbers), 2)
