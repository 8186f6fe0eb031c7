"""Text that can be stored and sent: the characters PostgreSQL refuses (NUL, lone surrogates), request
bodies nested too deeply to handle, and line breaks that must never reach an e-mail header.

One place for each rule; the answer cleaning, the API's parsers, imports and model validators call it."""

import re

from django.core.exceptions import ValidationError

# PostgreSQL refuses NUL in text and jsonb; a lone surrogate cannot be encoded as UTF-8 at all.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = (
    "Texten innehåller tecken som inte kan sparas (till exempel ett nolltecken eller ett trasigt "
    "specialtecken). Ta bort dem och försök igen."
)
# Every character str.splitlines() breaks on: each ends an e-mail header line somewhere.
LINE_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
LINE_BREAK_MESSAGE = "Får inte innehålla radbrytningar (texten används i e-postens ämnesrad eller adress)."
# Nothing we accept nests deeper than a few levels; a body deeper than this is refused before use.
MAX_DEPTH = 32
TOO_DEEP_MESSAGE = "Innehållet är för djupt nästlat och kan inte tas emot."


def has_unstorable(text) -> bool:
    return isinstance(text, str) and UNSTORABLE.search(text) is not None


def strip_unstorable(text: str) -> str:
    return UNSTORABLE.sub("", text)


class TooDeep(ValueError):
    pass


def find_unstorable(data, *, max_depth: int = MAX_DEPTH):
    """The path (a list of keys and indexes) of the first string in `data` (nested dicts and lists, as a
    parser returns them) holding a character that cannot be stored, or None. Raises TooDeep past
    `max_depth`. Iterative, so a deep structure cannot exhaust the stack."""
    stack = [(data, 0, ())]
    while stack:
        value, depth, path = stack.pop()
        if depth > max_depth:
            raise TooDeep(TOO_DEEP_MESSAGE)
        if isinstance(value, str):
            if has_unstorable(value):
                return list(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                if has_unstorable(key):
                    return [*path, strip_unstorable(str(key))]
                stack.append((item, depth + 1, (*path, key)))
        elif isinstance(value, (list, tuple)):
            stack.extend((item, depth + 1, (*path, index)) for index, item in enumerate(value))
    return None


def validate_storable(value):
    """A model and form validator: no character that cannot be stored."""
    if has_unstorable(value):
        raise ValidationError(UNSTORABLE_MESSAGE, code="unstorable")


def validate_single_line(value):
    """A model and form validator for text that becomes an e-mail header: no line break of any kind."""
    if isinstance(value, str) and LINE_BREAKS.search(value):
        raise ValidationError(LINE_BREAK_MESSAGE, code="line_break")


def single_line(text: str) -> str:
    """Header text as one line, for values stored before the rule existed."""
    return " ".join(LINE_BREAKS.sub(" ", text).split())
