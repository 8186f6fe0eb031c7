"""Question types: one module per type, each holding how a value is cleaned, shown, scored and written
to workbooks. The rest of the code asks this package (`kind_of(question)`); see docs/question-types.md.

Every module of this package other than the shared ones below is a type and registers itself when it is
imported, so adding a type is adding a module."""

import importlib
import pkgutil

from .base import (
    AnswerError,
    ChoiceKind,
    NumberKind,
    QuestionKind,
    cell_number,
    format_number,
    is_answered,
    parse_number,
    to_number,
)
from .codes import QuestionType
from .registry import all_types, by_name, choices, get, kind_of, register, registered, unregister

SHARED_MODULES = {"base", "codes", "registry"}

for _module in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
    if _module.name not in SHARED_MODULES:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "AnswerError",
    "ChoiceKind",
    "NumberKind",
    "QuestionKind",
    "QuestionType",
    "all_types",
    "by_name",
    "cell_number",
    "choices",
    "format_number",
    "get",
    "is_answered",
    "kind_of",
    "parse_number",
    "register",
    "registered",
    "to_number",
    "unregister",
]
