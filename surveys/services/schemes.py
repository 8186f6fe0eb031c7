"""Checking and guarding a scoring scheme: what is wrong with it (in Swedish, for the coordinator), and
whether it may still be changed (only while its questionnaire version is not frozen)."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from ..models import (
    Option,
    Question,
    QuestionnaireVersion,
    ScoringCategory,
    ScoringRule,
    ScoringScheme,
)
from ..questiontypes import kind_of
from .scoring import ScoringRefused, compile_scheme


class SchemeLocked(Exception):
    """The version is frozen: its scoring can no longer change."""


def ensure_editable(version: QuestionnaireVersion) -> None:
    if version.is_frozen:
        raise SchemeLocked(
            f"Versionen {version} är låst sedan en omgång använt den; poängsättningen kan inte ändras. "
            "Skapa en ny version för att ändra den."
        )


def check_category(
    *,
    scheme: ScoringScheme,
    parent: ScoringCategory | None,
    code: str,
    category: ScoringCategory | None = None,
) -> None:
    """The rules for a category (new, or `category` changed): its parent is of the same scheme and not
    below itself, and its code is unique in the scheme. ValidationError with a message per field."""
    if parent is not None and parent.scheme_id != scheme.pk:
        raise ValidationError({"parent": "Överkategorin hör till en annan poängsättning."})
    if category is not None and parent is not None:
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == category.pk:
                raise ValidationError({"parent": "En kategori kan inte ligga under sig själv."})
            ancestor = ancestor.parent
    clash = ScoringCategory.objects.filter(scheme=scheme, code=code)
    if category is not None:
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise ValidationError({"code": f"Koden {code} finns redan i poängsättningen."})


def check_rule(
    *,
    scheme: ScoringScheme,
    question: Question,
    category: ScoringCategory,
    option_code: str,
    min_value: Decimal | None,
    rule: ScoringRule | None = None,
) -> None:
    """The rules for a scoring rule (new, or `rule` changed): question and category of the scheme's
    version, either an answer code or a threshold, and one rule per answer. ValidationError."""
    if question.version_id != scheme.version_id:
        raise ValidationError({"question": "Frågan hör till en annan version."})
    if category.scheme_id != scheme.pk:
        raise ValidationError({"category": "Kategorin hör till en annan poängsättning."})
    if bool(option_code) == (min_value is not None):
        raise ValidationError(
            "Ange antingen en svarskod (option_code) eller ett tröskelvärde (min_value), inte båda."
        )
    clash = ScoringRule.objects.filter(question=question)
    clash = clash.filter(option_code=option_code) if option_code else clash.filter(min_value=min_value)
    if rule is not None:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        raise ValidationError(f"Frågan {question.code} har redan en regel för detta svar.")


@dataclass(frozen=True)
class Problem:
    kind: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "message": self.message}


def _fmt(number: Decimal) -> str:
    return f"{number.normalize():f}"


def scheme_problems(version: QuestionnaireVersion) -> list[Problem]:
    """Every problem of the version's scoring, each with a Swedish message. An empty list means the
    scheme can be used for a round."""
    scheme = ScoringScheme.objects.filter(version=version).first()
    if scheme is None:
        return [Problem("no_scheme", f"Versionen {version} saknar poängsättning.")]
    try:
        compiled = compile_scheme(version)
    except ScoringRefused as refused:
        return [Problem("cycle", str(refused))]
    problems = []
    questions = {
        q.pk: q for q in Question.objects.filter(version=version).order_by("section__order", "order")
    }
    option_codes = {}
    for question_id, code in Option.objects.filter(question__version=version).values_list(
        "question_id", "code"
    ):
        option_codes.setdefault(question_id, set()).add(code)
    rules = list(ScoringRule.objects.filter(scheme=scheme).select_related("question", "category"))
    nested = ScoringCategory.objects.filter(scheme=scheme).exclude(parent=None)
    for category in nested.exclude(parent__scheme=scheme):
        problems.append(
            Problem(
                "parent_elsewhere", f"Kategorin {category.code} har en överkategori i en annan poängsättning."
            )
        )

    # Categories: reachable cap, cap above parent, empty.
    for category in compiled.categories:
        if not category.children and not any(
            entry.category_id == category.pk for entries in compiled.rules.values() for entry in entries
        ):
            problems.append(
                Problem(
                    "empty_category",
                    f"Kategorin {category.code} har varken frågor med poäng eller underkategorier.",
                )
            )
        elif category.cap is not None and category.uncapped < category.cap:
            problems.append(
                Problem(
                    "cap_unreachable",
                    f"Kategorin {category.code} kan som mest ge {_fmt(category.uncapped)} poäng men har taket "
                    f"{_fmt(category.cap)}.",
                )
            )
        parent = compiled.by_id.get(category.parent_id)
        if parent and parent.cap is not None and category.cap is not None and category.cap > parent.cap:
            problems.append(
                Problem(
                    "cap_above_parent",
                    f"Kategorin {category.code} har taket {_fmt(category.cap)}, högre än överkategorin "
                    f"{parent.code} ({_fmt(parent.cap)}).",
                )
            )

    # Rules: question of another version, category of another scheme, unknown codes, wrong kind of rule.
    scored = set()
    for rule in rules:
        question = rule.question
        if question.version_id != version.pk:
            problems.append(
                Problem("question_elsewhere", f"En regel gäller frågan {question.code} i en annan version.")
            )
            continue
        scored.add(question.pk)
        if rule.category.scheme_id != scheme.pk:
            problems.append(
                Problem(
                    "category_elsewhere",
                    f"Regeln för {question.code} lägger poäng i kategorin {rule.category.code} från en annan "
                    "poängsättning.",
                )
            )
        kind = kind_of(question)
        if rule.option_code:
            known = (
                {code for code, _ in kind.fixed_choices}
                if kind.fixed_choices is not None
                else option_codes.get(question.pk, set())
            )
            if not kind.has_choices:
                problems.append(
                    Problem(
                        "option_rule_on_non_choice",
                        f"Frågan {question.code} ({question.get_type_display()}) har inga svarsalternativ "
                        f"men en regel för svarskoden ”{rule.option_code}”.",
                    )
                )
            elif rule.option_code not in known:
                problems.append(
                    Problem(
                        "unknown_option",
                        f"Regeln för {question.code} gäller svarskoden ”{rule.option_code}” som frågan inte har.",
                    )
                )
        elif not kind.numeric:
            problems.append(
                Problem(
                    "threshold_on_non_number",
                    f"Frågan {question.code} ({question.get_type_display()}) är inte numerisk men har en "
                    f"regel för värden från {_fmt(rule.min_value)}.",
                )
            )
    problems += _threshold_problems(rules, version)
    for question in questions.values():
        if kind_of(question).has_choices and question.pk not in scored:
            problems.append(
                Problem(
                    "question_without_category",
                    f"Frågan {question.code} ger inga poäng och hör inte till någon kategori.",
                )
            )
    if not compiled.max_total:
        problems.append(Problem("no_points", "Poängsättningen kan inte ge några poäng alls."))
    return problems


def _threshold_problems(rules: Iterable[ScoringRule], version: QuestionnaireVersion) -> list[Problem]:
    """Thresholds of one question and category must give more points (or the same) for a higher value:
    with ≥ 0 → 2 and ≥ 1000 → 1, a larger answer would score less, which no one means."""
    by_key = {}
    for rule in rules:
        if not rule.option_code and rule.min_value is not None and rule.question.version_id == version.pk:
            by_key.setdefault((rule.question.code, rule.category.code), []).append(rule)
    problems = []
    for (code, category), entries in by_key.items():
        entries.sort(key=lambda r: r.min_value)
        for lower, higher in zip(entries, entries[1:], strict=False):
            if higher.points < lower.points:
                problems.append(
                    Problem(
                        "thresholds_not_increasing",
                        f"Tröskelvärdena för {code} (kategori {category}) ger färre poäng för ett högre "
                        f"värde: ≥ {_fmt(lower.min_value)} ger {_fmt(lower.points)} poäng men "
                        f"≥ {_fmt(higher.min_value)} ger {_fmt(higher.points)}. Högre värden ska ge "
                        "lika många eller fler poäng.",
                    )
                )
    return problems
