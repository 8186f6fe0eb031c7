"""The list of question types: each type registers itself once, and everything else looks types up here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .base import AnswerError, QuestionKind

_TYPES: dict[str, QuestionKind] = {}


def register(kind: QuestionKind) -> QuestionKind:
    """Add a type (a module calls this once, at import). A second type with the same code is refused."""
    if not kind.code:
        raise ValueError("A question type needs a code.")
    if kind.code in _TYPES and _TYPES[kind.code] is not kind:
        raise ValueError(f"The question type {kind.code!r} is already registered.")
    _TYPES[kind.code] = kind
    return kind


def unregister(code: str) -> None:
    _TYPES.pop(code, None)


@contextmanager
def registered(kind: QuestionKind) -> Iterator[QuestionKind]:
    """A type registered for the duration of a block (tests)."""
    register(kind)
    try:
        yield kind
    finally:
        unregister(kind.code)


def get(code: str) -> QuestionKind:
    """The type with this code; an unknown code (a type removed from the code) gets a type that stores
    text and refuses nothing it cannot read, so old answers still show and export."""
    return _TYPES.get(code) or _UNKNOWN


def kind_of(question: Any) -> QuestionKind:
    """The type of a question (anything with a `.type` code)."""
    return get(question.type)


def all_types() -> list[QuestionKind]:
    """Every registered type in list order."""
    return sorted(_TYPES.values(), key=lambda kind: (kind.position, kind.code))


def choices() -> list[tuple[str, Any]]:
    """(code, label) of every registered type: Question.type's choices."""
    return [(str(kind.code), kind.label) for kind in all_types()]


def by_name() -> dict[str, str]:
    """Every name a questionnaire workbook may use for a type (code, label, aliases; case-folded) → code."""
    names: dict[str, str] = {}
    for kind in _TYPES.values():
        names[kind.code.casefold()] = kind.code
        names[str(kind.label).casefold()] = kind.code
        for alias in kind.aliases:
            names[alias.casefold()] = kind.code
    return names


class _Unknown(QuestionKind):
    code = "unknown"
    label = "Okänd typ"

    def clean(self, question: Any, raw: Any) -> Any:
        raise AnswerError("Frågetypen stöds inte.")


_UNKNOWN = _Unknown()
