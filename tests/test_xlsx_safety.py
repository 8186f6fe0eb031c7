"""Hostile uploads are refused with a Swedish sentence before openpyxl parses any XML."""

import io
import zipfile

import openpyxl
import pytest

from exports.xlsx_safety import UnsafeWorkbook, check_xlsx, open_workbook, text_cell


def workbook_bytes(rows=(("Målområde", "Aktivitet"), ("1 Tillgång", "1.1 Tillsyn"))):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data, replace=None, add=None, compression=zipfile.ZIP_DEFLATED):
    """Copy of an xlsx with some parts replaced or added."""
    replace = replace or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", compression) as target:
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def refused(data):
    with pytest.raises(UnsafeWorkbook) as caught:
        check_xlsx(data)
    return caught.value.message


def test_a_real_workbook_passes_and_opens():
    wb = open_workbook(workbook_bytes())
    assert next(wb.active.iter_rows(values_only=True)) == ("Målområde", "Aktivitet")


def test_text_file_renamed_xlsx_is_refused():
    assert refused(b"Aktivitet;Ansvarig\n1.1;IFN\n") == "Filen är inte en Excel-arbetsbok (.xlsx)."


def test_word_document_renamed_xlsx_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as docx:
        docx.writestr("[Content_Types].xml", '<Types><Override ContentType="wordprocessingml"/></Types>')
        docx.writestr("word/document.xml", "<w:document/>")
    assert "Word-dokument" in refused(out.getvalue())


def test_old_binary_office_file_is_refused_with_advice():
    assert "Spara den som Excel-arbetsbok (.xlsx)" in refused(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    )


def test_oversized_upload_is_refused(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    big = rezip(
        workbook_bytes(),
        add={"xl/media/image1.png": bytes(range(256)) * 8000},
        compression=zipfile.ZIP_STORED,
    )
    assert refused(big) == "Filen är för stor. Största tillåtna storlek är 1 MB."


def test_zip_bomb_by_ratio_is_refused():
    bomb = rezip(workbook_bytes(), add={"xl/worksheets/sheet9.xml": b" " * (20 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    assert "zip-bomb" in refused(bomb)


def test_zip_bomb_by_total_size_is_refused(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    settings.IMPORT_MAX_ZIP_RATIO = 10**9
    bomb = rezip(workbook_bytes(), add={"xl/worksheets/sheet9.xml": b" " * (3 * 1024 * 1024)})
    assert "zip-bomb" in refused(bomb)


def test_zip_whose_headers_understate_the_size_is_refused():
    data = bytearray(rezip(workbook_bytes(), add={"xl/big.xml": b"a" * 500_000}))
    name = b"xl/big.xml"
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    message = refused(bytes(data))
    assert "zip-bomb" in message or "skadad" in message


def test_too_many_parts_are_refused(settings):
    settings.IMPORT_MAX_ZIP_ENTRIES = 20
    many = rezip(workbook_bytes(), add={f"xl/extra{i}.xml": b"<a/>" for i in range(30)})
    assert "för många delar" in refused(many)


def test_xml_entity_expansion_is_refused_before_parsing():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>'
    )
    data = rezip(workbook_bytes(), add={"xl/sharedStrings.xml": laughs})
    assert "otillåtna XML" in refused(data)


def test_macro_workbook_is_refused():
    data = workbook_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        types = source.read("[Content_Types].xml").replace(
            b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml"
        )
    assert "makron" in refused(rezip(data, replace={"[Content_Types].xml": types}))


def test_corrupt_zip_is_refused():
    assert "skadad" in refused(workbook_bytes()[:300])


def test_text_cells_never_become_formulas_and_lose_illegal_characters():
    wb = openpyxl.Workbook(write_only=True)
    sheet = wb.create_sheet()
    sheet.append(
        [text_cell(sheet, '=HYPERLINK("http://x")'), text_cell(sheet, "ok\x07bell"), text_cell(sheet, 3)]
    )
    out = io.BytesIO()
    wb.save(out)
    row = next(openpyxl.load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert row[0].value == '=HYPERLINK("http://x")' and row[0].data_type == "s"
    assert row[1].value == "okbell" and row[2].value == 3
