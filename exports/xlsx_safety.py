"""Safe workbooks in both directions: refuse hostile uploads before openpyxl parses them, and write cells
that Excel shows as the text they are (never a formula, never an illegal character).

An upload is checked as a zip before any XML is parsed: its size, that it is an xlsx at all (zip magic,
[Content_Types].xml naming a spreadsheet, xl/workbook.xml), the number of entries, and the uncompressed
size and ratio — counted while actually inflating, so a zip whose headers lie about sizes is caught too.
XML entities are handled by defusedxml, which openpyxl uses whenever it is installed (we require it)."""

import io
import zipfile

import openpyxl
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from openpyxl.cell.cell import WriteOnlyCell

from . import cells

if not openpyxl.DEFUSEDXML:  # pragma: no cover - a deployment error, not a runtime path
    raise ImproperlyConfigured("openpyxl must run with defusedxml installed (OPENPYXL_DEFUSEDXML=True).")

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls / .doc
_WORKBOOK_TYPE = b"spreadsheetml.sheet.main+xml"
_MACRO_TYPE = b"ms-excel.sheet.macroEnabled.main+xml"
_CHUNK = 64 * 1024
_DOCTYPE = b"<!DOCTYPE"


class UnsafeWorkbook(ValueError):
    """The upload is refused; `message` is Swedish text for the person who uploaded it."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _limit(name, default):
    return getattr(settings, name, default)


def _read_upload(upload):
    """Bytes of an upload (bytes, a file object or a Django UploadedFile), never more than the limit + 1."""
    max_bytes = _limit("IMPORT_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise UnsafeWorkbook(_too_big(max_bytes))
    if isinstance(upload, bytes | bytearray):
        data = bytes(upload)
    else:
        if hasattr(upload, "seek"):
            upload.seek(0)
        data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnsafeWorkbook(_too_big(max_bytes))
    return data


def _too_big(max_bytes):
    size = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes // 1024} kB"
    return f"Filen är för stor. Största tillåtna storlek är {size}."


def check_xlsx(upload):
    """Return the upload's bytes if it is a plausible, bounded xlsx; raise UnsafeWorkbook otherwise."""
    data = _read_upload(upload)
    if not data:
        raise UnsafeWorkbook("Filen är tom.")
    if data.startswith(_OLE_MAGIC):
        raise UnsafeWorkbook(
            "Filen är i ett äldre Office-format (.xls/.doc). Spara den som Excel-arbetsbok (.xlsx) och försök igen."
        )
    if not data.startswith(_ZIP_MAGIC):
        raise UnsafeWorkbook("Filen är inte en Excel-arbetsbok (.xlsx).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UnsafeWorkbook("Filen är skadad eller inte en Excel-arbetsbok (.xlsx).") from None
    with archive:
        _check_entries(archive, entries, compressed_size=len(data))
    return data


def _check_entries(archive, entries, *, compressed_size):
    max_entries = _limit("IMPORT_MAX_ZIP_ENTRIES", 1000)
    max_total = _limit("IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024)
    max_ratio = _limit("IMPORT_MAX_ZIP_RATIO", 200)
    if len(entries) > max_entries:
        raise UnsafeWorkbook(
            f"Filen innehåller för många delar ({len(entries)}); högst {max_entries} tillåts."
        )
    names = {entry.filename for entry in entries}
    if "word/document.xml" in names:
        raise UnsafeWorkbook("Filen är ett Word-dokument, inte en Excel-arbetsbok (.xlsx).")
    if "ppt/presentation.xml" in names:
        raise UnsafeWorkbook("Filen är en PowerPoint-presentation, inte en Excel-arbetsbok (.xlsx).")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise UnsafeWorkbook("Filen är inte en Excel-arbetsbok (.xlsx).")
    declared = sum(entry.file_size for entry in entries)
    if declared > max_total:
        raise UnsafeWorkbook(_bomb())
    # Inflate every part once, counting bytes as they come: headers can lie, the inflater cannot.
    total = 0
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise UnsafeWorkbook("Filen är lösenordsskyddad. Ta bort skyddet och försök igen.")
        seen = 0
        is_xml = entry.filename.endswith((".xml", ".rels", ".vml"))
        tail = b""
        try:
            with archive.open(entry) as part:
                while chunk := part.read(_CHUNK):
                    seen += len(chunk)
                    total += len(chunk)
                    if seen > entry.file_size or total > max_total:
                        raise UnsafeWorkbook(_bomb())
                    if is_xml:
                        # The whole part, streamed: the end of the previous chunk is kept so that a
                        # DOCTYPE split between two chunks is still seen.
                        window = tail + chunk
                        if _DOCTYPE in window.upper():
                            raise UnsafeWorkbook(
                                "Filen innehåller otillåtna XML-konstruktioner och kan inte läsas."
                            )
                        tail = window[-(len(_DOCTYPE) - 1) :]
        except (zipfile.BadZipFile, EOFError, NotImplementedError, OSError, RuntimeError):
            raise UnsafeWorkbook("Filen är skadad eller inte en Excel-arbetsbok (.xlsx).") from None
    if total > 1024 * 1024 and total > max_ratio * max(compressed_size, 1):
        raise UnsafeWorkbook(_bomb())
    content_types = archive.read("[Content_Types].xml")
    if _MACRO_TYPE in content_types:
        raise UnsafeWorkbook(
            "Arbetsboken innehåller makron (.xlsm). Spara den som vanlig .xlsx och försök igen."
        )
    if _WORKBOOK_TYPE not in content_types:
        raise UnsafeWorkbook("Filen är inte en Excel-arbetsbok (.xlsx).")


def _bomb():
    return "Filen packas upp till orimligt mycket data och kan inte läsas (misstänkt zip-bomb)."


def open_workbook(upload, *, data=None):
    """Check an upload and open it read-only with cached values (a formula never runs or becomes text)."""
    data = data if data is not None else check_xlsx(upload)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on malformed parts; the user needs one sentence
        raise UnsafeWorkbook("Filen är skadad eller inte en Excel-arbetsbok (.xlsx).") from None


def unsaved_formulas(data, sheet_title):
    """Cells of a checked workbook's sheet that hold a formula without a saved value, as "Blad!A1". Such a
    cell reads as empty (we never calculate), which would silently clear what the formula showed."""
    try:
        formulas_book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        values_book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise UnsafeWorkbook("Filen är skadad eller inte en Excel-arbetsbok (.xlsx).") from None
    try:
        formulas = {
            cell.coordinate
            for row in formulas_book[sheet_title].iter_rows()
            for cell in row
            if getattr(cell, "data_type", None) == "f"
        }
        if not formulas:
            return []
        empty = {
            cell.coordinate
            for row in values_book[sheet_title].iter_rows()
            for cell in row
            if getattr(cell, "coordinate", None) in formulas and cell.value in (None, "")
        }
        return [f"{sheet_title}!{ref}" for ref in sorted(formulas & empty, key=_cell_order)]
    finally:
        formulas_book.close()
        values_book.close()


def _cell_order(ref):
    letters = ref.rstrip("0123456789")
    return int(ref[len(letters) :]), len(letters), letters


def text_cell(sheet, value):
    """A write-only cell holding `value` as data: strings are cleaned of characters Excel refuses, cut at
    Excel's limit, and never become formulas (stored as text and quote-prefixed so Excel keeps them so)."""
    if isinstance(value, str):
        value = cells.clean_text(value)
        if cells.is_risky(value):
            return cells.guarded_text_cell(sheet, value)
    return WriteOnlyCell(sheet, value=value)
