"""The compact shared-string table of XLSX imports (``readers.SharedStrings``) against openpyxl's own reader.

openpyxl's ``read_string_table`` and its full ``load_workbook`` are the oracle: the same cell text, row by row,
for plain, rich (several runs), escaped (``_x005F_``), empty, Chinese and astral-plane strings.
"""

from __future__ import annotations

import zipfile
from xml.sax.saxutils import escape

import openpyxl
import pytest
from openpyxl.reader.strings import read_string_table

from shopops.ingest.readers import SharedStrings, load_workbook_compact, read_shared_strings, read_xlsx_batches

VALUES = ["订单编号", "O202511110001", "  spaces kept  ", "a_x005F_b", "张三 (北京)", "😀 emoji", "line\nbreak",
          "=SUM(A1)", "plain", ""]
RICH = '<si><r><t xml:space="preserve">red </t></r><r><rPr><b/></rPr><t>bold</t></r><r><t xml:space="preserve"> tail</t></r></si>'
PHONETIC = '<si><t>东京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si>'
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def write_xlsx(path, rows: list[list[int]], strings: list[str]) -> None:
    """A workbook as Excel writes one: every text cell an index into the shared-string part (openpyxl
    writes none: its strings are inline)."""
    cols = "ABC"
    body = "".join(f'<row r="{r + 1}">' + "".join(f'<c r="{cols[i]}{r + 1}" t="s"><v>{v}</v></c>'
                                                   for i, v in enumerate(row)) + "</row>" for r, row in enumerate(rows))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                   '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<?xml version="1.0"?><workbook {NS} xmlns:r="{REL}"><sheets>'
                   '<sheet name="订单" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {NS}><sheetData>{body}</sheetData></worksheet>')
        z.writestr("xl/sharedStrings.xml", f'<?xml version="1.0"?><sst {NS}>' + "".join(strings) + "</sst>")


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "book.xlsx"
    strings = [f'<si><t xml:space="preserve">{escape(v)}</t></si>' for v in ["A", "B", "C", *VALUES]]
    strings += [RICH, PHONETIC, "<si><t/></si>"]
    n = len(VALUES)
    rows = [[0, 1, 2]] + [[3 + k, 3 + (k + 1) % n, 3 + (k + 2) % n] for k in range(n)]
    rows += [[3 + n, 4 + n, 5 + n], [3, 3, 3]]  # rich, phonetic, empty; a string used three times
    write_xlsx(path, rows, strings)
    return path


def test_table_equals_openpyxl(workbook):
    with zipfile.ZipFile(workbook) as zf:
        want = read_string_table(zf.open("xl/sharedStrings.xml"))
        got = read_shared_strings(zf.open("xl/sharedStrings.xml"))
    assert len(got) == len(want) > len(VALUES)
    assert [got[i] for i in range(len(got))] == want
    assert got[-1] == want[-1]
    with pytest.raises(IndexError):
        got[len(want)]


def test_rows_equal_openpyxl(workbook):
    want = [list(r) for r in openpyxl.load_workbook(workbook, read_only=True, data_only=True)["订单"].values]
    wb = load_workbook_compact(workbook)
    try:
        assert isinstance(wb["订单"]._shared_strings, SharedStrings)
        got = [list(r) for r in wb["订单"].values]
    finally:
        wb.close()
    assert got == want
    assert got[-2][:2] == ["red bold tail", "东京"]


def test_import_batches_read_the_text(workbook):
    batches = list(read_xlsx_batches(workbook, "订单", ("A", "B", "C")))
    column = [v for b in batches for v in b.column("A").to_pylist()]
    want = [r[0] or "" for r in openpyxl.load_workbook(workbook, read_only=True).active.values][1:]
    assert column == want
    assert column[3] == "a_b"  # openpyxl undoes the _x005F_ escape (its way: "x005F_" dropped)
    assert column[-2:] == ["red bold tail", VALUES[0]]
