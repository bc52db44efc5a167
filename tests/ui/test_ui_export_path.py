"""One export path: no XLSX or CSV file is written anywhere in shopops but through shopops.ui.exports.

The check reads the source tree: a spreadsheet writer (openpyxl imported, ``Workbook(``,
``csv.writer``/``csv.DictWriter``, a ``text/csv`` response) outside ``shopops/ui`` fails the
test, unless the file is listed below with the reason it may.
"""

from __future__ import annotations

import re
from pathlib import Path

import shopops

ROOT = Path(shopops.__file__).parent
WRITERS = re.compile(r"^\s*(import openpyxl|from openpyxl\b)|\bWorkbook\(|\bcsv\.(writer|DictWriter)\(|[\"']text/csv",
                     re.M)

ALLOWED = {
    # The cell rules ui.exports writes every cell through (formula safety, number formats): kept in core
    # so that they hold for every writer; ui.exports is the one caller that builds files with them.
    "core/xlsx.py": "the formula-safe cell rules under ui.exports",
    # A report is a document, not a table: a cover sheet, then a sheet per section with titles and notes
    # between its tables, saved as a file artifact. Every cell goes through core.xlsx's sheet_cell and the
    # book through workbook_make_formula_safe; money formats carry the currency as in ui.exports.
    "reports/render_xlsx.py": "the report document's own layout (cover + sections), same cell rules",
    # `shopops reviews score FILE`: a command-line result on stdout or a file, not a page export; buyers'
    # texts go through core.xlsx.csv_cell (formula-safe) like every exported cell.
    "service/commands_reviews.py": "CLI output, cells through core.xlsx.csv_cell",
    # The demo writes a platform's export (生意参谋 店铺DSR) to import it, as the demo generator does: an
    # input file in the platform's layout, not an export of shopops data.
    "demo/reviews.py": "writes the demo's platform export to import",
    # Reading uploaded workbooks (imports), not writing any.
    "ingest/readers.py": "reads uploaded workbooks",
    "ingest/selectors.py": "reads uploaded workbooks",
}
READ_ONLY = {"ingest/readers.py", "ingest/selectors.py"}


def _writers() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith("ui/"):
            continue
        hits = [m.group(0).strip() for m in WRITERS.finditer(path.read_text(encoding="utf-8"))]
        if hits:
            found[rel] = hits
    return found


def test_no_spreadsheet_is_written_outside_the_ui_exports():
    stray = {rel: hits for rel, hits in _writers().items() if rel not in ALLOWED}
    assert not stray, f"write XLSX/CSV through shopops.ui.exports (export_response), not here: {stray}"


def test_the_readers_only_read():
    for rel in READ_ONLY:
        text = (ROOT / rel).read_text(encoding="utf-8")
        assert "Workbook(" not in text and "csv.writer(" not in text, rel
        assert "load_workbook" in text, rel  # what they are allowed for


def test_the_scan_finds_a_writer_where_there_is_one(tmp_path):
    """The pattern is not blind: it sees each kind of writer it looks for."""
    samples = ["import openpyxl", "from openpyxl import Workbook", "book = Workbook()", "w = csv.writer(buf)",
               "w = csv.DictWriter(buf, fields)", 'HttpResponse(b"", content_type="text/csv")']
    for sample in samples:
        assert WRITERS.search(sample), sample
    assert not WRITERS.search("openpyxl.load_workbook(path)  # a read")


def test_the_exports_module_is_where_files_are_made():
    text = (ROOT / "ui" / "exports.py").read_text(encoding="utf-8")
    assert "Workbook(" in text and "csv.writer(" in text
