"""Questionnaire versions to and from the questionnaire workbook.

Export writes any version (frozen or not). Import checks every sheet first and reports every error with
sheet, row and column; only a file without errors becomes a new draft version of the questionnaire (all
or nothing). A version is never changed by an import: versions are immutable once used."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Prefetch

from exports import questionnaire_workbook
from exports.sheets import CellError, SheetRows, cell_text, cell_yes_no

from ..models import (
    Activity,
    Indicator,
    Option,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    ScoringCategory,
    ScoringRule,
    ScoringScheme,
    Section,
)
from ..questiontypes import by_name as type_names
from ..questiontypes import get as get_kind
from .audit import audit_record

Operator = Question.ConditionOperator
CODE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*$")
OPTION_CODE_RE = re.compile(r"^[A-Za-z0-9_.\-]+$")


def _fixed_codes(type_code: str) -> list[str] | None:
    """The answer codes a type itself defines (yes/no, activity status), or None."""
    fixed = get_kind(type_code).fixed_choices
    return None if fixed is None else [code for code, _ in fixed]


OPERATOR_NAMES = {code: code for code in Operator.values} | {
    str(label).casefold(): code for code, label in Operator.choices
}
OPERATOR_NAMES |= {
    "=": Operator.EQUALS,
    "==": Operator.EQUALS,
    "!=": Operator.NOT_EQUALS,
    "<>": Operator.NOT_EQUALS,
    ">": Operator.GREATER_THAN,
}
SETTING_LABEL = "versionsbenämning"
SETTING_SCHEME = "poängsättning"
SETTING_SCALE = "skala till"
# One row of a sheet as read: {column key: cell value} plus "_row", its number in the sheet.
Row = dict[str, Any]


def _number(value: Decimal | None) -> int | float | None:
    return None if value is None else (int(value) if value == value.to_integral_value() else float(value))


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------


def _version_questions(version: QuestionnaireVersion) -> list[Question]:
    return list(
        Question.objects.filter(version=version)
        .select_related("section", "condition_question")
        .prefetch_related(Prefetch("options", queryset=Option.objects.order_by("order", "pk")))
        .order_by("section__order", "order", "pk")
    )


def version_tables(version: QuestionnaireVersion) -> dict[str, list[dict[str, Any]]]:
    """{sheet: rows} for a version, in a fixed number of queries."""
    sections = list(Section.objects.filter(version=version).order_by("order"))
    questions = _version_questions(version)
    scheme = ScoringScheme.objects.filter(version=version).first()
    settings = [{"key": "Versionsbenämning", "value": version.label}]
    categories, rules = [], []
    if scheme is not None:
        settings += [
            {"key": "Poängsättning", "value": scheme.name},
            {"key": "Skala till", "value": _number(scheme.scale_to)},
        ]
        categories = [
            {
                "code": c.code,
                "name": c.name,
                "parent": c.parent.code if c.parent else "",
                "cap": _number(c.cap),
            }
            for c in scheme.categories.select_related("parent").order_by("order", "code")
        ]
        question_order = {q.pk: i for i, q in enumerate(questions)}
        for rule in sorted(
            scheme.rules.select_related("question", "category"),
            key=lambda r: (question_order.get(r.question_id, 0), r.option_code, r.min_value or 0, r.pk),
        ):
            rules.append(
                {
                    "question": rule.question.code,
                    "option": rule.option_code,
                    "threshold": _number(rule.min_value),
                    "points": _number(rule.points),
                    "category": rule.category.code,
                }
            )
    return {
        questionnaire_workbook.SETTINGS: settings,
        questionnaire_workbook.SECTIONS: [{"title": s.title, "description": s.description} for s in sections],
        questionnaire_workbook.QUESTIONS: [
            {
                "code": q.code,
                "section": q.section.title,
                "type": q.type,
                "text": q.text,
                "help": q.help_text,
                "required": "Ja" if q.required else "Nej",
                "condition_question": q.condition_question.code if q.condition_question else "",
                "condition_operator": q.condition_operator,
                "condition_value": q.condition_value,
                "min": _number(q.min_value),
                "max": _number(q.max_value),
                "max_length": q.max_length,
                "activity": q.activity_id,
                "indicator": q.indicator_id,
            }
            for q in questions
        ],
        questionnaire_workbook.OPTIONS: [
            {"question": q.code, "code": o.code, "label": o.label} for q in questions for o in q.options.all()
        ],
        questionnaire_workbook.RULES: rules,
        questionnaire_workbook.CATEGORIES: categories,
    }


def export_version(version: QuestionnaireVersion) -> bytes:
    return questionnaire_workbook.write_questionnaire(version_tables(version), title=str(version))


def version_snapshot(version: QuestionnaireVersion) -> dict[str, Any]:
    """Everything a version says, without database ids of its own rows: two versions with equal snapshots
    ask the same questions and score them the same way."""
    tables = version_tables(version)
    sections = [(s.title, s.description) for s in Section.objects.filter(version=version).order_by("order")]
    return {"sections": sections} | {
        name: rows for name, rows in tables.items() if name != questionnaire_workbook.SECTIONS
    }


# --------------------------------------------------------------------------------------------------
# Import
# --------------------------------------------------------------------------------------------------


@dataclass
class QuestionnaireImportReport:
    errors: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    version: QuestionnaireVersion | None = None
    ignored_columns: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "applied": self.version is not None,
            "version": self.version.pk if self.version else None,
            "version_number": self.version.number if self.version else None,
            "errors": [e.as_dict() for e in self.errors],
            "counts": self.counts,
            "ignored_columns": self.ignored_columns,
        }


class QuestionnaireReader:
    """Validate every sheet into plain drafts, collecting every error with its place."""

    def __init__(
        self,
        tables: dict[str, SheetRows | None],
        questionnaire: Questionnaire,
        report: QuestionnaireImportReport,
    ) -> None:
        self.tables = tables
        self.questionnaire = questionnaire
        self.report = report
        self.settings: dict[str, Any] = {}
        self.sections: dict[str, dict[str, str]] = {}  # title (casefolded) → {"title", "description"}
        self.questions: dict[str, dict[str, Any]] = {}  # code → draft dict
        self.options: dict[str, list[tuple[str, str]]] = {}  # code → [(code, label)]
        self.categories: dict[str, dict[str, Any]] = {}  # code → draft dict
        self.rules: list[dict[str, Any]] = []

    def error(self, sheet: str, row: Row | None, key: str | None, message: str) -> None:
        self.report.errors.append(self.tables[sheet].error(row, key, message))

    def text(self, sheet: str, row: Row, key: str, limit: int | None = None) -> str:
        value = cell_text(row.get(key))
        if limit and len(value) > limit:
            self.error(sheet, row, key, f"Texten är för lång ({len(value)} tecken, högst {limit}).")
        return value

    def decimal(
        self,
        sheet: str,
        row: Row,
        key: str,
        *,
        digits: int,
        places: int,
        minimum: Decimal | int | None = None,
    ) -> Decimal | None:
        raw = cell_text(row.get(key))
        if not raw:
            return None
        try:
            value = Decimal(raw.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            self.error(sheet, row, key, "Skriv ett tal.")
            return None
        if (
            not value.is_finite()
            or value.as_tuple().exponent < -places
            or abs(value) >= 10 ** (digits - places)
        ):
            self.error(
                sheet,
                row,
                key,
                f"Talet får ha högst {digits - places} siffror före och {places} efter decimaltecknet.",
            )
            return None
        if minimum is not None and value < minimum:
            self.error(sheet, row, key, f"Talet får inte vara mindre än {minimum}.")
            return None
        return value

    def read(self) -> None:
        for name, table in self.tables.items():
            if table is not None:
                self.report.errors += table.errors
                self.report.ignored_columns += [f"{name}: {h}" for h in table.ignored_headers]
        if self.tables[questionnaire_workbook.QUESTIONS] is None:
            self.report.errors.append(
                CellError(questionnaire_workbook.QUESTIONS, None, None, "Bladet Frågor saknas.")
            )
        if self.report.errors:
            return
        self._settings()
        self._sections()
        self._questions()
        self._options()
        self._categories()
        self._rules()

    def _rows(self, sheet: str) -> list[Row]:
        table = self.tables[sheet]
        return table.rows if table is not None else []

    def _settings(self) -> None:
        for row in self._rows(questionnaire_workbook.SETTINGS):
            key = cell_text(row.get("key")).casefold()
            if key not in (SETTING_LABEL, SETTING_SCHEME, SETTING_SCALE):
                self.error(
                    questionnaire_workbook.SETTINGS,
                    row,
                    "key",
                    "Okänd inställning (Versionsbenämning, Poängsättning, Skala till).",
                )
            elif key == SETTING_SCALE:
                self.settings[key] = self.decimal(
                    questionnaire_workbook.SETTINGS, row, "value", digits=8, places=2, minimum=0
                )
            else:
                self.settings[key] = self.text(
                    questionnaire_workbook.SETTINGS, row, "value", 100 if key == SETTING_LABEL else 200
                )

    def _sections(self) -> None:
        for row in self._rows(questionnaire_workbook.SECTIONS):
            title = self.text(questionnaire_workbook.SECTIONS, row, "title", 300)
            if title.casefold() in self.sections:
                self.error(questionnaire_workbook.SECTIONS, row, "title", "Avsnittet finns redan.")
            self.sections[title.casefold()] = {
                "title": title,
                "description": cell_text(row.get("description")),
            }

    def _questions(self) -> None:
        sheet = questionnaire_workbook.QUESTIONS
        for row in self._rows(sheet):
            code = self.text(sheet, row, "code")
            if not code:
                self.error(sheet, row, "code", "Koden saknas.")
            elif len(code) > 40 or not CODE_RE.match(code):
                self.error(
                    sheet,
                    row,
                    "code",
                    "Koden får bara innehålla bokstäver a–z, siffror, _ . - och börja "
                    "med en bokstav (högst 40 tecken).",
                )
            elif code in self.questions:
                self.error(
                    sheet, row, "code", f"Koden {code} finns redan på rad {self.questions[code]['row']}."
                )
            type_name = cell_text(row.get("type")).casefold()
            qtype = type_names().get(type_name)
            if qtype is None:
                self.error(sheet, row, "type", f'Okänd frågetyp "{cell_text(row.get("type"))}".')
            text = self.text(sheet, row, "text")
            if not text:
                self.error(sheet, row, "text", "Frågetexten saknas.")
            section = self.text(sheet, row, "section", 300) or "Frågor"
            if section.casefold() not in self.sections:
                if self.tables[questionnaire_workbook.SECTIONS] is not None and self._rows(
                    questionnaire_workbook.SECTIONS
                ):
                    self.error(sheet, row, "section", f'Avsnittet "{section}" finns inte på bladet Avsnitt.')
                self.sections[section.casefold()] = {"title": section, "description": ""}
            draft = {
                "row": row["_row"],
                "code": code,
                "type": qtype,
                "text": text,
                "help_text": cell_text(row.get("help")),
                "section": section.casefold(),
                "required": self._yes_no(sheet, row, "required"),
                "min_value": self.decimal(sheet, row, "min", digits=14, places=4),
                "max_value": self.decimal(sheet, row, "max", digits=14, places=4),
                "max_length": self._positive_int(sheet, row, "max_length"),
                "activity_id": self._positive_int(sheet, row, "activity"),
                "indicator_id": self._positive_int(sheet, row, "indicator"),
                "source": row,
            }
            if draft["min_value"] is not None and draft["max_value"] is not None:
                if draft["min_value"] > draft["max_value"]:
                    self.error(sheet, row, "max", "Max är mindre än Min.")
            if (
                qtype
                and not get_kind(qtype).numeric
                and (draft["min_value"] is not None or draft["max_value"] is not None)
            ):
                self.error(
                    sheet, row, "min", "Min och Max gäller bara heltal, decimaltal och fördelade antal."
                )
            self._condition(row, draft)
            if code and code not in self.questions:
                self.questions[code] = draft
        self._links()

    def _condition(self, row: Row, draft: dict[str, Any]) -> None:
        sheet = questionnaire_workbook.QUESTIONS
        parent_code = cell_text(row.get("condition_question"))
        operator_name = cell_text(row.get("condition_operator")).casefold()
        value = self.text(sheet, row, "condition_value", 200)
        draft.update(condition_question=parent_code, condition_operator="", condition_value=value)
        if not parent_code:
            if operator_name or value:
                self.error(sheet, row, "condition_question", "Villkoret saknar fråga.")
            return
        parent = self.questions.get(parent_code)
        if parent_code == draft["code"]:
            self.error(sheet, row, "condition_question", "Villkoret kan inte gälla frågan själv.")
            return
        if parent is None:
            later = any(cell_text(r.get("code")) == parent_code for r in self._rows(sheet))
            self.error(
                sheet,
                row,
                "condition_question",
                f"Villkoret gäller frågan {parent_code} som kommer senare; ett villkor får bara gälla en tidigare fråga."
                if later
                else f"Villkoret gäller en okänd fråga ({parent_code}).",
            )
            return
        operator = OPERATOR_NAMES.get(operator_name)
        if operator is None:
            self.error(
                sheet,
                row,
                "condition_operator",
                "Okänd eller saknad operator (equals, not_equals, contains, gt, answered).",
            )
            return
        draft["condition_operator"] = operator
        if operator == Operator.ANSWERED:
            return
        if not value:
            self.error(sheet, row, "condition_value", "Villkoret saknar värde.")
        elif operator == Operator.GREATER_THAN:
            try:
                Decimal(value)
            except InvalidOperation:
                self.error(sheet, row, "condition_value", 'Villkoret "större än" kräver ett tal.')
            if not get_kind(parent["type"]).compares_as_number:
                self.error(sheet, row, "condition_operator", f"Frågan {parent_code} är inte en sifferfråga.")
        elif _fixed_codes(parent["type"]) is not None and value not in _fixed_codes(parent["type"]):
            allowed = ", ".join(_fixed_codes(parent["type"]))
            self.error(sheet, row, "condition_value", f"Frågan {parent_code} har svarskoderna {allowed}.")
        parent_kind = get_kind(parent["type"])
        draft["check_option"] = parent_kind.has_choices and parent_kind.takes_options and value

    def _links(self) -> None:
        activity_ids = {d["activity_id"] for d in self.questions.values() if d["activity_id"]}
        indicator_ids = {d["indicator_id"] for d in self.questions.values() if d["indicator_id"]}
        activities = Activity.objects.filter(pk__in=activity_ids)
        indicators = Indicator.objects.filter(pk__in=indicator_ids)
        if self.questionnaire.programme_id:
            activities = activities.filter(goal_area__programme_id=self.questionnaire.programme_id)
            indicators = indicators.filter(activity__goal_area__programme_id=self.questionnaire.programme_id)
        known_activities = set(activities.values_list("pk", flat=True))
        known_indicators = dict(indicators.values_list("pk", "activity_id"))
        for draft in self.questions.values():
            row = draft["source"]
            if draft["activity_id"] and draft["activity_id"] not in known_activities:
                self.error(
                    questionnaire_workbook.QUESTIONS,
                    row,
                    "activity",
                    "Aktiviteten finns inte i enkätens program.",
                )
            if draft["indicator_id"]:
                if draft["indicator_id"] not in known_indicators:
                    self.error(
                        questionnaire_workbook.QUESTIONS,
                        row,
                        "indicator",
                        "Indikatorn finns inte i enkätens program.",
                    )
                elif draft["activity_id"] and known_indicators[draft["indicator_id"]] != draft["activity_id"]:
                    self.error(
                        questionnaire_workbook.QUESTIONS,
                        row,
                        "indicator",
                        "Indikatorn hör till en annan aktivitet.",
                    )

    def _yes_no(self, sheet: str, row: Row, key: str) -> bool:
        value = cell_yes_no(row.get(key))
        if value is None:
            self.error(sheet, row, key, "Skriv Ja eller Nej.")
        return bool(value)

    def _positive_int(self, sheet: str, row: Row, key: str) -> int | None:
        raw = cell_text(row.get(key))
        if not raw:
            return None
        if not raw.isdigit() or int(raw) < 1 or int(raw) > 2**31 - 1:
            self.error(sheet, row, key, "Skriv ett positivt heltal.")
            return None
        return int(raw)

    def _options(self) -> None:
        sheet = questionnaire_workbook.OPTIONS
        for row in self._rows(sheet):
            code_of_question = cell_text(row.get("question"))
            question = self.questions.get(code_of_question)
            code = self.text(sheet, row, "code")
            label = self.text(sheet, row, "label", 300)
            if question is None:
                self.error(sheet, row, "question", f"Okänd fråga ({code_of_question or 'tom'}).")
                continue
            if question["type"] and not get_kind(question["type"]).takes_options:
                self.error(
                    sheet,
                    row,
                    "question",
                    f"Frågan {code_of_question} har typen {question['type']} som inte tar svarsalternativ.",
                )
            options = self.options.setdefault(code_of_question, [])
            if not code or len(code) > 40 or not OPTION_CODE_RE.match(code):
                self.error(
                    sheet,
                    row,
                    "code",
                    "Svarskoden saknas eller innehåller otillåtna tecken (a–z, 0–9, _ . -).",
                )
            elif any(code == c for c, _ in options):
                self.error(
                    sheet, row, "code", f"Svarskoden {code} finns redan för frågan {code_of_question}."
                )
            if not label:
                self.error(sheet, row, "label", "Texten saknas.")
            options.append((code, label))
        for code, draft in self.questions.items():
            if draft["type"] and get_kind(draft["type"]).needs_options and not self.options.get(code):
                self.error(
                    questionnaire_workbook.QUESTIONS,
                    draft["source"],
                    "type",
                    "Frågan saknar svarsalternativ (bladet Svarsalternativ).",
                )
            expected = draft.get("check_option")
            if expected and expected not in self.answer_codes(draft):
                self.error(
                    questionnaire_workbook.QUESTIONS,
                    draft["source"],
                    "condition_value",
                    f"Villkorsvärdet {expected} är inget svarsalternativ för frågan {draft['condition_question']}.",
                )

    def answer_codes(self, draft: dict[str, Any]) -> list[str] | None:
        if draft["type"] and _fixed_codes(draft["type"]) is not None:
            return _fixed_codes(draft["type"])
        return [code for code, _ in self.options.get(draft["code"], [])]

    def _categories(self) -> None:
        sheet = questionnaire_workbook.CATEGORIES
        for row in self._rows(sheet):
            code = self.text(sheet, row, "code")
            if not code or len(code) > 40:
                self.error(sheet, row, "code", "Koden saknas eller är för lång (högst 40 tecken).")
            elif code in self.categories:
                self.error(sheet, row, "code", f"Kategorin {code} finns redan.")
            draft = {
                "code": code,
                "name": self.text(sheet, row, "name", 200),
                "parent": cell_text(row.get("parent")),
                "cap": self.decimal(sheet, row, "cap", digits=10, places=2, minimum=0),
                "source": row,
            }
            if not draft["name"]:
                self.error(sheet, row, "name", "Namnet saknas.")
            if code and code not in self.categories:
                self.categories[code] = draft
        for code, draft in self.categories.items():
            seen, parent = {code}, draft["parent"]
            while parent:
                if parent not in self.categories:
                    self.error(sheet, draft["source"], "parent", f"Okänd överordnad kategori ({parent}).")
                    break
                if parent in seen:
                    self.error(sheet, draft["source"], "parent", "Kategorierna bildar en ring.")
                    break
                seen.add(parent)
                parent = self.categories[parent]["parent"]

    def _rules(self) -> None:
        sheet = questionnaire_workbook.RULES
        seen = {}
        for row in self._rows(sheet):
            code = cell_text(row.get("question"))
            question = self.questions.get(code)
            option = cell_text(row.get("option"))
            threshold = self.decimal(sheet, row, "threshold", digits=14, places=4)
            points = self.decimal(sheet, row, "points", digits=8, places=2)
            category = cell_text(row.get("category"))
            if cell_text(row.get("points")) == "":
                self.error(sheet, row, "points", "Poäng saknas.")
            if category not in self.categories:
                self.error(
                    sheet,
                    row,
                    "category",
                    f"Okänd kategori ({category or 'tom'}); lägg den på bladet Poängkategorier.",
                )
            if question is None:
                self.error(sheet, row, "question", f"Okänd fråga ({code or 'tom'}).")
                continue
            if bool(option) == bool(cell_text(row.get("threshold"))):
                self.error(sheet, row, "option", "Ange antingen Svarskod eller Från värde (inte båda).")
                continue
            if option and option not in self.answer_codes(question):
                self.error(sheet, row, "option", f"Frågan {code} har inget svarsalternativ {option}.")
            if not option and not get_kind(question["type"]).numeric:
                self.error(sheet, row, "threshold", f"Frågan {code} är ingen sifferfråga; ange Svarskod.")
            key = (code, option or threshold)
            if key in seen:
                self.error(
                    sheet,
                    row,
                    "option" if option else "threshold",
                    f"Samma regel finns redan på rad {seen[key]}.",
                )
            seen[key] = row["_row"]
            self.rules.append(
                {
                    "question": code,
                    "option": option,
                    "threshold": threshold if not option else None,
                    "points": points,
                    "category": category,
                }
            )

    @property
    def has_scheme(self) -> bool:
        return bool(self.categories or self.rules or SETTING_SCHEME in self.settings)


def _create_version(
    questionnaire: Questionnaire, reader: QuestionnaireReader, label: str
) -> QuestionnaireVersion:
    number = (questionnaire.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=number, label=label or reader.settings.get(SETTING_LABEL, "")
    )
    sections = {}
    for order, (key, draft) in enumerate(reader.sections.items(), start=1):
        sections[key] = Section.objects.create(version=version, order=order, **draft)
    questions, per_section = {}, {}
    for code, draft in reader.questions.items():
        per_section[draft["section"]] = per_section.get(draft["section"], 0) + 1
        questions[code] = Question.objects.create(
            version=version,
            section=sections[draft["section"]],
            order=per_section[draft["section"]],
            code=code,
            text=draft["text"],
            help_text=draft["help_text"],
            type=draft["type"],
            required=draft["required"],
            min_value=draft["min_value"],
            max_value=draft["max_value"],
            max_length=draft["max_length"],
            condition_question=questions.get(draft["condition_question"]),
            condition_operator=draft["condition_operator"],
            condition_value=draft["condition_value"],
            activity_id=draft["activity_id"],
            indicator_id=draft["indicator_id"],
        )
    Option.objects.bulk_create(
        Option(question=questions[code], order=order, code=option_code, label=label)
        for code, options in reader.options.items()
        for order, (option_code, label) in enumerate(options, start=1)
    )
    if reader.has_scheme:
        scheme = ScoringScheme.objects.create(
            version=version,
            name=reader.settings.get(SETTING_SCHEME) or "Index",
            scale_to=reader.settings.get(SETTING_SCALE) or Decimal("100"),
        )
        categories = {}
        for order, (code, draft) in enumerate(reader.categories.items()):
            categories[code] = ScoringCategory.objects.create(
                scheme=scheme, code=code, name=draft["name"], cap=draft["cap"], order=order
            )
        for code, draft in reader.categories.items():
            if draft["parent"]:
                categories[code].parent = categories[draft["parent"]]
                categories[code].save(update_fields=["parent"])
        ScoringRule.objects.bulk_create(
            ScoringRule(
                scheme=scheme,
                question=questions[rule["question"]],
                category=categories[rule["category"]],
                option_code=rule["option"],
                min_value=rule["threshold"],
                points=rule["points"],
            )
            for rule in reader.rules
        )
    return version


def import_questionnaire(
    *, upload: Any, questionnaire: Questionnaire, dry_run: bool = False, label: str = "", actor: Any = None
) -> QuestionnaireImportReport:
    """Validate a questionnaire workbook and, unless `dry_run` or anything is wrong, create a new draft
    version of `questionnaire` from it. UnsafeWorkbook propagates for hostile files."""
    report = QuestionnaireImportReport()
    tables = questionnaire_workbook.read_questionnaire(upload)
    reader = QuestionnaireReader(tables, questionnaire, report)
    reader.read()
    report.counts = {
        "sections": len(reader.sections),
        "questions": len(reader.questions),
        "options": sum(len(o) for o in reader.options.values()),
        "categories": len(reader.categories),
        "rules": len(reader.rules),
    }
    if report.ok and not report.counts["questions"]:
        report.errors.append(
            CellError(questionnaire_workbook.QUESTIONS, None, None, "Enkäten har inga frågor.")
        )
    if report.ok and not dry_run:
        with transaction.atomic():
            report.version = _create_version(questionnaire, reader, label)
            audit_record(
                actor=actor,
                action="questionnaire.import",
                target=str(report.version),
                detail={
                    "message": f"Importerade en ny version av {questionnaire.name}.",
                    "file": str(getattr(upload, "name", "") or "")[:200],
                    "counts": report.counts,
                },
            )
    return report
