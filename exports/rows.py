"""What a round's workbook shows, read from the database in a fixed number of queries.

The workbook module turns these plain rows into sheets; nothing here knows openpyxl. Answers are read
once, in chunks, grouped per organisation, so memory holds one organisation's answers at a time whatever
the size of the round."""

import statistics
from dataclasses import dataclass, field
from itertools import groupby

from django.db.models import Count, Max, Q

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
from surveys.visibility import condition_holds, deciding_question_ids

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
    values: dict = field(default_factory=dict)  # question id → stored value, shown answers only
    prefilled: set = field(default_factory=set)  # ids of answers offered from last year, not confirmed
    hidden: int = 0  # stored answers a condition hides: not printed, not counted (as in scoring)


@dataclass(frozen=True)
class TrendRound:
    """One column of the trend: a round (two rounds in one year are two columns)."""

    id: int
    year: int
    name: str
    label: str


PREFILLED_LABEL = "från förra året, ej bekräftat"


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
        # the one visibility rule (surveys.visibility), in page order so chains of conditions hold
        self.conditional = [q for q in self.questions if q.condition_question_id]
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

    def hidden_questions(self, values):
        """Ids of the questions a condition hides for these answers (the rule pages, scoring and receipts
        use): their stored answers are neither printed nor counted."""
        shown = {}
        for question in self.conditional:
            shown[question.pk] = condition_holds(question, values, shown=shown)
        return {pk for pk, visible in shown.items() if not visible}

    def _answers_by_assignment(self, question_ids=None):
        answers = Answer.objects.filter(
            response__assignment__round=self.round, response__assignment__removed_at=None
        )
        if question_ids is not None:
            answers = answers.filter(question_id__in=question_ids)
        rows = (
            answers.order_by("response__assignment__organisation__name", "response__assignment_id")
            .values_list("response__assignment_id", "question_id", "value", "prefilled")
            .iterator(chunk_size=self.chunk_size)
        )
        return groupby(rows, key=lambda row: row[0])

    def _answers_of(self, assignment, rows):
        values, prefilled = {}, set()
        for _, question_id, value, offered in rows:
            values[question_id] = value
            if offered:
                prefilled.add(question_id)
        hidden = self.hidden_questions(values) & values.keys() if self.conditional else set()
        for question_id in hidden:
            del values[question_id]
        return OrganisationAnswers(
            assignment, self.status_of(assignment), values, prefilled - hidden, len(hidden)
        )

    def organisations(self):
        """Every recipient in organisation order with its shown answers; one query read in chunks."""
        groups = self._answers_by_assignment()
        pending = next(groups, None)
        for assignment in self.assignments:
            item = self._answers_of(assignment, ())
            if pending is not None and pending[0] == assignment.pk:
                item = self._answers_of(assignment, pending[1])  # read the group before moving on
                pending = next(groups, None)
            yield item

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
        """(rounds, [(organisation, {round id: scaled})]) over every round of a comparable version, in the
        order of the trend API (year, then round): two rounds in one year are two columns."""
        versions = comparable_versions(self.version)
        found = (
            IndexResult.objects.filter(assignment__round__version__in=versions)
            .values_list(
                "assignment__organisation__name",
                "assignment__round_id",
                "assignment__round__year",
                "assignment__round__name",
                "scaled",
            )
            .order_by("assignment__organisation__name", "assignment__round__year", "assignment__round_id")
        )
        rounds = {}
        series = {}
        for name, round_id, year, round_name, scaled in found:
            rounds[round_id] = (year, round_name)
            series.setdefault(name, {})[round_id] = scaled
        ordered = sorted(rounds.items(), key=lambda item: (item[1][0], item[0]))
        per_year = {}
        for _, (year, _) in ordered:
            per_year[year] = per_year.get(year, 0) + 1
        columns = []
        for round_id, (year, round_name) in ordered:
            label = str(year) if per_year[year] == 1 else f"{year} {round_name}"
            if per_year[year] > 1 and sum(1 for _, (y, n) in ordered if (y, n) == (year, round_name)) > 1:
                label = f"{label} (nr {round_id})"
            columns.append(TrendRound(round_id, year, round_name, label))
        return columns, sorted(series.items())

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
        """(assignment, {question id: value}) of the shown activity answers, one organisation at a time.
        Conditions may hang on questions that are not activity questions, so those are read too."""
        ids = {q.pk for q in self.activity_questions()}
        needed = deciding_question_ids(self.questions, ids)
        by_id = {a.pk: a for a in self.assignments}
        for assignment_id, rows in self._answers_by_assignment(question_ids=needed):
            if assignment_id in by_id:
                item = self._answers_of(by_id[assignment_id], rows)
                yield by_id[assignment_id], {pk: v for pk, v in item.values.items() if pk in ids}

    # ---------------------------------------------------------------- fingerprint

    def fingerprint_parts(self):
        """Everything the workbook shows, read the way the builder reads it: round fields, organisation
        names and deadlines, statuses, questions, options, scheme, plan rows, index and trend; the answers
        as aggregates (count, prefilled, last change), which move with every saved, confirmed or deleted
        answer. Built from this class, so a new field shown in the workbook is a new field here."""
        r = self.round
        trend = self.trend()
        return {
            "round": [
                r.pk,
                r.name,
                r.year,
                r.state,
                r.opens_at,
                r.deadline,
                r.closed_at,
                r.published_at,
                str(r.programme) if r.programme else "",
                r.version_id,
                str(self.version),
                self.version.label,
                self.version.questionnaire.name,
            ],
            "assignments": [
                [
                    a.pk,
                    a.organisation_id,
                    a.organisation.name,
                    a.deadline_override,
                    a.n_answers,
                    self.status_of(a),
                    getattr(getattr(a, "response", None), "submitted_at", None),
                    getattr(getattr(a, "response", None), "updated_at", None),
                ]
                for a in self.assignments
            ],
            "questions": [
                [
                    q.pk,
                    q.code,
                    q.text,
                    q.type,
                    q.required,
                    q.section_id,
                    q.section.title,
                    q.section.order,
                    q.order,
                    q.condition_question_id,
                    q.condition_operator,
                    q.condition_value,
                    q.activity_id,
                    q.indicator_id,
                ]
                for q in self.questions
            ],
            "options": self.options,
            "rules": sorted(
                [r.question_id, r.category_id, r.option_code, r.min_value, r.points]
                for rules in self.rules.values()
                for r in rules
            ),
            "categories": [[c.pk, c.code, c.name, c.cap, c.parent_id, c.order] for c in self.categories],
            "answers": Answer.objects.filter(response__assignment__round=r).aggregate(
                n=Count("id"), prefilled=Count("id", filter=Q(prefilled=True)), last=Max("updated_at")
            ),
            "index": self.index_rows(),
            "trend": [[[c.id, c.label] for c in trend[0]], trend[1]],
            "activities": [
                [
                    a.pk,
                    str(a),
                    str(a.goal_area),
                    str(a.focus_area) if a.focus_area else "",
                    a.lead_id,
                    sorted(o.pk for o in a.co_responsible.all()),
                ]
                for a in self.activities()
            ],
            "indicators": [
                [q.indicator_id, q.indicator.text, q.indicator.unit, q.indicator.target]
                for q in self.activity_questions()
                if q.indicator_id
            ],
        }


def mean_and_median(numbers):
    numbers = [float(n) for n in numbers if n is not None]
    if not numbers:
        return None, None
    return round(statistics.fmean(numbers), 2), round(statistics.median(numbers), 2)
