"""What every question type shares: the one number parser, the one meaning of "answered", and the base
class whose hooks the pages, validation, scoring and workbooks call.

A type is a small class; most types override two or three hooks. Nothing here imports the models, so the
models, services, selectors and workbooks can all ask the registry without an import cycle."""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.utils import formats

Choices = list[tuple[str, str]]


class AnswerError(ValueError):
    """A value a respondent typed that cannot be stored; the message is Swedish and says what to do."""

    def __init__(self, message: str, part: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.part = part


def is_answered(value: Any) -> bool:
    """The one definition of "answered", for stored values and raw input alike: nothing, blank text, an
    empty list, and a breakdown whose parts are all blank are no answer."""
    if value is None or value == [] or value == {}:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, dict):
        return any(is_answered(item) for item in value.values())
    return True


def parse_number(raw: Any, *, integer: bool = False) -> Decimal:
    """The one number parser: an int, float or Decimal, or text with Swedish habits (decimal comma,
    spaces or non-breaking spaces between thousands, a real minus sign). Raises AnswerError."""
    if isinstance(raw, bool) or isinstance(raw, list | dict) or raw is None:
        raise AnswerError("Ange ett tal.")
    if isinstance(raw, int | float | Decimal):
        text = str(raw)
    else:
        text = (
            str(raw).strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-").replace(",", ".")
        )
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise AnswerError(
            "Ange ett heltal, till exempel 12." if integer else "Ange ett tal, till exempel 12,5."
        )
    if integer and number != number.to_integral_value():
        raise AnswerError("Ange ett heltal utan decimaler.")
    return number


def to_number(value: Any) -> Decimal | None:
    """A stored or typed value as a number, or None when it is not one (the lenient form of
    parse_number, for scoring, conditions, results and workbooks)."""
    try:
        return parse_number(value)
    except AnswerError:
        return None


def format_number(number: Decimal | int | float) -> str:
    """A number as a Swedish reader writes it: 12,5 rather than 12.50."""
    text = format(number.normalize(), "f") if isinstance(number, Decimal) else str(number)
    return text.replace(".", ",")


def cell_number(value: Any) -> int | float | None:
    """A number for a spreadsheet cell: whole numbers as int, others as float; None if not a number."""
    number = to_number(value)
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else float(number)


class QuestionKind:
    """One question type. Subclasses set `code` and `label` and override the hooks that differ.

    Hooks, by consumer:
    - validation (services/responses.py): `clean`, `raw_from_form`, `choices`
    - pages (views_answer.py, templates): `template`, `field_context`, `as_input`, `display`
    - scoring (services/scoring.py, services/schemes.py): `score_codes`, `score_number`, and the flags
      `has_choices`, `numeric`, `multi_valued`
    - the round workbook (exports/): `sheet_parts`, `wide_cell`, `long_cells`
    - the questionnaire workbook (services/questionnaires.py): `code`, `aliases`, `takes_options`,
      `needs_options`, `fixed_choices`, `numeric`, `compares_as_number`
    - the demo's answers (surveys/demo/answers.py): `sample`
    """

    code: ClassVar[str] = ""
    label: ClassVar[Any] = ""
    position: ClassVar[int] = 100  # where it comes in lists of types (admin, API schema, workbook help)
    aliases: ClassVar[tuple[str, ...]] = ()  # other names accepted in the questionnaire workbook
    template: ClassVar[str] = "surveys/answer/types/input.html"
    input_mode: ClassVar[str] = ""  # the keyboard a phone shows (numeric, decimal)
    format_help: ClassVar[str] = ""  # a line under the question on how to write the answer
    grouped: ClassVar[bool] = False  # several inputs in a fieldset (choices, parts)
    fixed_choices: ClassVar[Choices | None] = None  # answer codes of the type itself (yes/no, status)
    has_choices: ClassVar[bool] = False  # the answer is one or more answer codes: option rules score it
    takes_options: ClassVar[bool] = False  # the questionnaire may list options (or parts) for it
    needs_options: ClassVar[bool] = False  # … and must
    numeric: ClassVar[bool] = False  # min/max apply and threshold rules score it
    compares_as_number: ClassVar[bool] = False  # a "greater than" condition may refer to it
    multi_valued: ClassVar[bool] = False  # the answer is a list of codes (the best score sums options)

    # ------------------------------------------------------------------ answer codes

    def choices(self, question: Any) -> Choices:
        """(code, label) pairs the answer is made of: the type's fixed codes or the question's options."""
        if self.fixed_choices is not None:
            return [(code, str(label)) for code, label in self.fixed_choices]
        return [(option.code, option.label) for option in question.options.all()]

    def sheet_parts(self, question: Any, options: Choices) -> Choices:
        """The columns one answer spreads over in the wide workbook sheet (none: one column)."""
        return []

    # ------------------------------------------------------------------ validation

    def clean(self, question: Any, raw: Any) -> Any:
        """The value to store for `raw` (already known to be answered), or AnswerError."""
        if not isinstance(raw, str):
            raise AnswerError("Skriv svaret som text.")
        return raw.strip()

    def raw_from_form(self, question: Any, data: Any, name: str) -> Any:
        """A question's raw input from a submitted form (a QueryDict or a dict of lists)."""
        return data.get(name, "")

    # ------------------------------------------------------------------ pages

    def as_input(self, question: Any, value: Any) -> Any:
        """A stored value as the text its input shows."""
        return "" if value is None else value

    def field_context(self, question: Any, item: dict, current: Any, *, field_name) -> None:
        """Fill in what the type's template needs (`item` already has name, id, error, …)."""
        item["value"] = current if current is not None else ""

    def labels(self, question: Any) -> dict[str, str]:
        """code → label of the answer codes (or parts) of a question; empty for types without codes."""
        return dict(self.choices(question)) if self.has_choices or self.takes_options else {}

    def sample(self, question: Any, rng: random.Random, strength: float) -> Any:
        """A plausible answer for the demo, drawn from `rng`; `strength` (0–1) is how far the answering
        organisation has come. None: the demo leaves the question unanswered."""
        return None

    def display(self, question: Any, value: Any, labels: Mapping[str, str] | None = None) -> str:
        """An answer in words, as the receipt, conflicts and contributions show it (answered values
        only). `labels` (code → label) saves reading the question's options again."""
        return str(value)

    # ------------------------------------------------------------------ scoring

    def score_codes(self, value: Any) -> Iterable[str]:
        """The answer codes that option rules look up."""
        return [value] if isinstance(value, str) else []

    def score_number(self, value: Any) -> Decimal | None:
        """The number that threshold rules compare."""
        return to_number(value)

    # ------------------------------------------------------------------ the round workbook

    def wide_cell(self, value: Any, *, part: str, labels: Mapping[str, str]) -> Any:
        """The cell of one column of the wide sheet for a stored value (not None)."""
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        return str(value)

    def long_cells(
        self, value: Any, *, labels: Mapping[str, str], parts: Mapping[str, str]
    ) -> Iterator[tuple[str, str, Any]]:
        """(part label, answer code, value) per row of the long sheet for a stored value (not None)."""
        yield "", "", self.wide_cell(value, part="", labels=labels)


class NumberKind(QuestionKind):
    """A single number, checked against the question's min and max."""

    numeric = True
    compares_as_number = True
    integer: ClassVar[bool] = False
    input_mode = "decimal"

    def clean(self, question: Any, raw: Any) -> Any:
        number = parse_number(raw, integer=self.integer)
        self.check_range(question, number)
        return int(number) if self.integer else float(number)

    def check_range(self, question: Any, number: Decimal) -> None:
        low = None if question.min_value is None else Decimal(str(question.min_value))
        high = None if question.max_value is None else Decimal(str(question.max_value))
        if low is not None and number < low:
            raise AnswerError(f"Värdet får inte vara mindre än {format_number(low)}.")
        if high is not None and number > high:
            raise AnswerError(f"Värdet får inte vara större än {format_number(high)}.")

    def as_input(self, question: Any, value: Any) -> Any:
        if value is None:
            return ""
        number = to_number(value)
        return value if number is None else format_number(number)

    def display(self, question: Any, value: Any, labels: Mapping[str, str] | None = None) -> str:
        return formats.number_format(value, use_l10n=True, force_grouping=False)

    def wide_cell(self, value: Any, *, part: str, labels: Mapping[str, str]) -> Any:
        number = cell_number(value)
        return number if number is not None else str(value)


class ChoiceKind(QuestionKind):
    """One answer code out of the type's fixed codes or the question's options."""

    has_choices = True
    grouped = True
    template = "surveys/answer/types/choices.html"
    input_type: ClassVar[str] = "radio"

    def clean(self, question: Any, raw: Any) -> Any:
        codes = {code for code, _ in self.choices(question)}
        if not isinstance(raw, str) or raw not in codes:
            raise AnswerError("Välj ett av alternativen.")
        return raw

    def field_context(self, question: Any, item: dict, current: Any, *, field_name) -> None:
        chosen = current if isinstance(current, list) else [current]
        item["input_type"] = self.input_type
        item["choices"] = [
            {"code": code, "label": label, "id": f"id_{item['name']}_{i}", "checked": code in chosen}
            for i, (code, label) in enumerate(self.choices(question))
        ]
        item["id"] = item["choices"][0]["id"] if item["choices"] else item["id"]

    def display(self, question: Any, value: Any, labels: Mapping[str, str] | None = None) -> str:
        labels = self.labels(question) if labels is None else labels
        return str(labels.get(value, value))

    def wide_cell(self, value: Any, *, part: str, labels: Mapping[str, str]) -> Any:
        return labels.get(value, value) if isinstance(value, str) else str(value)

    def long_cells(self, value, *, labels, parts):
        if isinstance(value, str):
            yield "", value, labels.get(value, value)
        else:
            yield "", "", self.wide_cell(value, part="", labels=labels)
