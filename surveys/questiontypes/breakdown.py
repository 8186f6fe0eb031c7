"""Antal fördelat: counts split into parts (flickor, pojkar, kvinnor, män and a total that must be their
sum). A question may list its own parts as options; without options it gets the default parts."""

from django.utils.translation import gettext_lazy as _

from .base import AnswerError, QuestionKind, cell_number, is_answered, parse_number, to_number
from .codes import QuestionType
from .registry import register

TOTAL_PART = "total"
BREAKDOWN_DEFAULT_PARTS = [
    ("flickor", _("Flickor")),
    ("pojkar", _("Pojkar")),
    ("kvinnor", _("Kvinnor")),
    ("man", _("Män")),
    (TOTAL_PART, _("Totalt")),
]
DEFAULT_LABELS = {code: str(label) for code, label in BREAKDOWN_DEFAULT_PARTS}


class Breakdown(QuestionKind):
    code = QuestionType.BREAKDOWN
    label = QuestionType.BREAKDOWN.label
    position = 90
    template = "surveys/answer/types/parts.html"
    grouped = True
    takes_options = True
    numeric = True

    def choices(self, question):
        options = [(option.code, option.label) for option in question.options.all()]
        return options or [(code, str(label)) for code, label in BREAKDOWN_DEFAULT_PARTS]

    def sheet_parts(self, question, options):
        return options or [(code, str(label)) for code, label in BREAKDOWN_DEFAULT_PARTS]

    def clean(self, question, raw):
        if not isinstance(raw, dict):
            raise AnswerError("Ange antalen i fälten.")
        parts = [code for code, _ in self.choices(question)]
        unknown = set(raw) - set(parts)
        if unknown:
            raise AnswerError("Okänd del: " + ", ".join(sorted(unknown)) + ".")
        value = {}
        for part in parts:
            item = raw.get(part)
            if not is_answered(item):
                continue
            try:
                number = parse_number(item, integer=True)
            except AnswerError as error:
                raise AnswerError(error.message, part=part) from None
            if number < 0:
                raise AnswerError("Antalet får inte vara negativt.", part=part)
            value[part] = int(number)
        if not value:
            return None
        others = [p for p in parts if p != TOTAL_PART]
        if TOTAL_PART in parts and all(p in value for p in parts):
            total = sum(value[p] for p in others)
            if value[TOTAL_PART] != total:
                raise AnswerError(
                    f"Totalt ({value[TOTAL_PART]}) ska vara summan av delarna ({total}).", part=TOTAL_PART
                )
        return value

    def raw_from_form(self, question, data, name):
        return {code: data.get(f"{name}__{code}", "") for code, _ in self.choices(question)}

    def field_context(self, question, item, current, *, field_name):
        values = current if isinstance(current, dict) else {}
        item["parts"] = [
            {
                "code": code,
                "label": label,
                "name": field_name(question, code),
                "id": f"id_{field_name(question, code)}",
                "value": values.get(code, ""),
            }
            for code, label in self.choices(question)
        ]
        item["id"] = item["parts"][0]["id"] if item["parts"] else item["id"]
        if item.get("error_part"):
            item["id"] = f"id_{field_name(question, item['error_part'])}"

    def display(self, question, value, labels=None):
        if not isinstance(value, dict):
            return str(value)
        labels = self.labels(question) if labels is None else labels
        return ", ".join(f"{labels.get(k, k)}: {v}" for k, v in value.items())

    @staticmethod
    def parts_in_order(value, labels=None):
        """(label, count) of the answered parts in the usual order (jsonb keeps no key order), the
        question's own parts after them."""
        labels = DEFAULT_LABELS | dict(labels or {})
        rank = {code: i for i, code in enumerate(DEFAULT_LABELS)}
        keys = sorted(value, key=lambda k: (rank.get(k, len(rank)), k))
        return [(labels.get(k, k), value[k]) for k in keys if is_answered(value[k])]

    def score_codes(self, value):
        return []

    def score_number(self, value):
        return to_number(value.get(TOTAL_PART)) if isinstance(value, dict) else to_number(value)

    def wide_cell(self, value, *, part, labels):
        item = value.get(part) if isinstance(value, dict) else None
        number = cell_number(item) if item is not None else None
        return number if number is not None else item

    def long_cells(self, value, *, labels, parts):
        if not isinstance(value, dict):
            yield "", "", str(value)
            return
        for code, item in value.items():
            number = cell_number(item)
            yield parts.get(code, code), "", number if number is not None else item

    def sample(self, question, rng, strength):
        parts = {code: rng.randint(0, 200) for code, _ in BREAKDOWN_DEFAULT_PARTS if code != TOTAL_PART}
        return {**parts, TOTAL_PART: sum(parts.values())}


register(Breakdown())
