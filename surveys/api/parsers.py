"""The API's request parsers: DRF's, plus what DRF leaves to a server error. A body nested too deeply
(json raises RecursionError, not ValueError) and text that cannot be stored (NUL, lone surrogates) are
refused here with a Swedish 400, before any view or serializer sees them."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from ..text import UNSTORABLE_MESSAGE, TooDeep, find_unstorable

INVALID_JSON = "Innehållet är inte giltig JSON."
INVALID_FORM = "Formulärdata kunde inte läsas."


def check_parsed(data):
    """Refuse parsed data holding text that cannot be stored, naming the field (nested as DRF does)."""
    try:
        path = find_unstorable(data)
    except TooDeep as refused:
        raise ParseError(str(refused)) from None
    if path is None:
        return data
    if not path:
        raise ParseError(UNSTORABLE_MESSAGE)
    detail = [UNSTORABLE_MESSAGE]
    for key in reversed(path):
        detail = {str(key): detail}
    raise ValidationError(detail)


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(INVALID_JSON + " Det är för djupt nästlat.") from None
        except ParseError:
            raise ParseError(INVALID_JSON) from None
        return check_parsed(data)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        check_parsed({key: "".join(data.getlist(key)) for key in data})
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            result = super().parse(stream, media_type, parser_context)
        except ParseError:
            raise ParseError(INVALID_FORM) from None
        check_parsed({key: "".join(result.data.getlist(key)) for key in result.data})
        return result
