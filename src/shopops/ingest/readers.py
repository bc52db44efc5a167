"""Readers: a file in, Arrow batches of strings out, with bounded memory.

CSV in UTF-8 (with or without BOM) or GB18030 (a superset of GBK, what Chinese
platform exports use), optionally gzip-compressed or inside a zip; XLSX (a sheet
chosen by name, else the first sheet with a header row). Values stay strings here;
typing is the pipeline's job so every bad value can be reported with its row and
column.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import tempfile
import zipfile
from contextlib import contextmanager

import pyarrow as pa
import pyarrow.csv as pacsv

from shopops.core.errors import ValidationError

SNIFF_BYTES = 1 << 16
BLOCK_BYTES = 32 << 20
XLSX_BATCH_ROWS = 50_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted (password-protected) Office files and old .xls
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class CsvFormat:
    encoding: str  # python codec name
    delimiter: str
    compressed: bool
    headers: tuple[str, ...]
    has_header: bool = True


def _open_bytes(path: Path) -> tuple[io.BufferedIOBase, bool]:
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw), True
    return raw, False


def _decodes(sample: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(sample, final=False)  # a multi-byte char cut at the end is fine
        return True
    except UnicodeDecodeError:
        return False


def sniff_csv(path: Path, *, names: tuple[str, ...] | None = None) -> CsvFormat:
    """Detect compression, encoding, delimiter and the header row.

    ``names``: the file has no header row; these are its columns, in order.
    """
    if path.stat().st_size == 0:
        raise ValidationError(f"{path.name}: the file is empty (0 bytes)")
    stream, compressed = _open_bytes(path)
    with stream:
        try:
            sample = stream.read(SNIFF_BYTES)
        except (OSError, EOFError) as exc:
            raise ValidationError(f"{path.name}: the compressed file is truncated or corrupt ({exc})") from exc
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif _decodes(sample, "utf-8"):
        encoding = "utf-8"
    elif _decodes(sample, "gb18030"):
        encoding = "gb18030"
    else:
        raise ValidationError(
            f"{path.name}: the text is neither UTF-8 nor GBK/GB18030; save the export as UTF-8 or GBK CSV"
        )
    text = sample.decode(encoding, errors="ignore")
    first_line = text.splitlines()[0] if text else ""
    if not first_line.strip():
        raise ValidationError(f"{path.name}: the first line is empty; expected a header row")
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",\t;|").delimiter
    except csv.Error:
        delimiter = ","
    headers = next(csv.reader([first_line], delimiter=delimiter))
    if names is not None:
        if len(headers) != len(names):
            raise ValidationError(
                f"{path.name}: line 1 has {len(headers)} fields; this headerless layout has {len(names)} "
                f"({', '.join(names)})"
            )
        return CsvFormat(encoding, delimiter, compressed, tuple(names), has_header=False)
    return CsvFormat(encoding, delimiter, compressed, tuple(h.strip() for h in headers))


def read_csv_batches(path: Path, fmt: CsvFormat | None = None) -> Iterator[pa.RecordBatch]:
    """Stream the file as record batches of string columns named by the header."""
    fmt = fmt or sniff_csv(path)
    names = list(fmt.headers)
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValidationError(f"{path.name}: the header repeats column(s) {', '.join(dupes)}")
    read = pacsv.ReadOptions(
        encoding="utf8" if fmt.encoding == "utf-8-sig" else fmt.encoding.replace("-", ""),
        column_names=names,
        skip_rows=1 if fmt.has_header else 0,
        block_size=BLOCK_BYTES,
    )
    parse = pacsv.ParseOptions(delimiter=fmt.delimiter, newlines_in_values=True)
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
    )
    stream, _ = _open_bytes(path)
    if fmt.encoding == "utf-8-sig":
        stream.read(3)
    try:
        reader = pacsv.open_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
        for batch in reader:
            yield batch
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if "Expected" in text and "columns, got" in text:
            raise ValidationError(
                f"{path.name}: a row has a different number of fields than the header ({text.split(':', 1)[-1].strip()[:200]}); "
                "the file may be truncated or its delimiter/quoting broken"
            ) from exc
        raise ValidationError(f"{path.name}: cannot parse as CSV: {text[:300]}") from exc
    except (OSError, EOFError) as exc:
        raise ValidationError(f"{path.name}: the file is truncated or corrupt ({exc})") from exc
    finally:
        stream.close()


# --- XLSX ---------------------------------------------------------------------------

def _cell_text(value) -> str:
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _open_workbook(path: Path):
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == OLE_MAGIC:
        raise ValidationError(
            f"{path.name}: the workbook is password-protected (or an old .xls); "
            "remove the password or save it as .xlsx, then import again"
        )
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ValidationError(f"{path.name}: not a readable .xlsx workbook (corrupt or truncated: {exc})") from exc


def xlsx_sheets(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(sheet name, header row) for every sheet that has a header row."""
    wb = _open_workbook(path)
    try:
        out = []
        for ws in wb.worksheets:
            first = next(ws.iter_rows(max_row=1, values_only=True), None)
            if first and any(v is not None for v in first):
                out.append((ws.title, tuple(_cell_text(v).strip() for v in first)))
        return out
    finally:
        wb.close()


def read_xlsx_batches(path: Path, sheet: str, headers: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    wb = _open_workbook(path)
    try:
        ws = wb[sheet]
        width = len(headers)
        columns: list[list[str]] = [[] for _ in range(width)]

        def flush() -> pa.RecordBatch:
            batch = pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in columns], names=list(headers))
            for c in columns:
                c.clear()
            return batch

        for row in ws.iter_rows(min_row=2, values_only=True):
            if row is None or all(v is None for v in row):
                continue  # blank rows at the end of sheets are common
            for i in range(width):
                columns[i].append(_cell_text(row[i]) if i < len(row) else "")
            if len(columns[0]) >= XLSX_BATCH_ROWS:
                yield flush()
        if columns[0]:
            yield flush()
    finally:
        wb.close()


# --- one entry point ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TabularSource:
    """A file's header and a way to stream its rows, whatever the container."""

    path: Path
    kind: str  # "csv" or "xlsx"
    headers: tuple[str, ...]
    description: str
    _batches: object = None
    first_row: int = 2  # spreadsheet row number of the first record (1 when there is no header)

    def batches(self) -> Iterator[pa.RecordBatch]:
        return self._batches()


def _best_sheet(sheets, wanted: set[str]) -> tuple[str, tuple[str, ...]]:
    return max(sheets, key=lambda s: len(wanted & set(s[1])))


@contextmanager
def open_source(
    path: Path, *, sheet: str | None = None, expected: set[str] | None = None, names: tuple[str, ...] | None = None
):
    """Open a CSV / CSV.gz / zip / XLSX file as a TabularSource.

    For workbooks, ``sheet`` names the sheet; otherwise the sheet whose header best
    matches ``expected`` (the profile's columns) is used. A zip must hold one data file.
    """
    path = Path(path)
    if not path.exists():
        raise ValidationError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise ValidationError(f"{path.name}: the file is empty (0 bytes)")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == ZIP_MAGIC and not zipfile.is_zipfile(path):
        raise ValidationError(f"{path.name}: the zip/xlsx file is truncated or corrupt")
    if magic == ZIP_MAGIC and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            entries = zf.namelist()
            if "[Content_Types].xml" not in entries:
                members = [n for n in entries if not n.endswith("/") and not n.startswith("__MACOSX")]
                if len(members) != 1:
                    raise ValidationError(f"{path.name}: a zip must hold exactly one data file; it holds {len(members)}")
                with tempfile.TemporaryDirectory(prefix="shopops-unzip-") as tmp:
                    try:
                        inner = Path(zf.extract(members[0], tmp))
                    except (zipfile.BadZipFile, RuntimeError) as exc:
                        raise ValidationError(f"{path.name}: cannot extract {members[0]} ({exc})") from exc
                    with open_source(inner, sheet=sheet, expected=expected, names=names) as src:
                        yield src
                return
    if magic == ZIP_MAGIC or magic == OLE_MAGIC or path.suffix.lower() in (".xlsx", ".xlsm"):
        sheets = xlsx_sheets(path)
        if not sheets:
            raise ValidationError(f"{path.name}: the workbook has no sheet with a header row")
        if sheet is not None:
            match = [s for s in sheets if s[0] == sheet]
            if not match:
                raise ValidationError(f"{path.name}: no sheet named {sheet!r}; sheets: {', '.join(s[0] for s in sheets)}")
            name, headers = match[0]
        else:
            name, headers = _best_sheet(sheets, expected or set())
        yield TabularSource(path, "xlsx", headers, f"xlsx sheet {name!r}",
                            lambda: read_xlsx_batches(path, name, headers))
        return
    fmt = sniff_csv(path, names=names)
    desc = f"csv {fmt.encoding}{' gzip' if fmt.compressed else ''} delimiter {fmt.delimiter!r}"
    yield TabularSource(path, "csv", fmt.headers, desc, lambda: read_csv_batches(path, fmt),
                        first_row=2 if fmt.has_header else 1)
