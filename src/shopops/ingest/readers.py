"""Readers: a file in, Arrow batches of strings out, with bounded memory.

CSV in UTF-8 (with or without BOM) or GB18030 (a superset of GBK, what Chinese
platform exports use), optionally gzip-compressed or inside a zip; XLSX (a sheet
chosen by name, else the first sheet with a header row). Values stay strings here;
typing is the pipeline's job so every bad value can be reported with its row and
column.

Compressed input is never trusted (zip bombs): a zip holds one data file and no archive
inside it; a zip member is read straight from the archive (never extracted to disk);
what any compressed file (zip, gzip, the parts of an xlsx) unpacks to is capped at
``SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES`` (default 2 GiB) and, above 16 MiB, at
``SHOPOPS_IMPORT_MAX_RATIO`` (default 100) times its compressed size. Sizes a zip
declares are checked before anything is read; the bytes actually produced are counted
while reading, so a lying header stops at the cap too.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from shopops.core.errors import ValidationError

SNIFF_BYTES = 1 << 16
BLOCK_BYTES = 4 << 20  # a block is typed at once: its size sets the memory the typing takes
XLSX_BATCH_ROWS = 50_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # encrypted (password-protected) Office files and old .xls
ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"
RATIO_FLOOR_BYTES = 16 << 20  # below this, any compression ratio is fine (tiny files compress well)
ARCHIVE_SUFFIXES = (".zip", ".gz", ".tgz", ".tar", ".7z", ".rar", ".bz2", ".xz", ".xlsx", ".xlsm", ".xls")


@dataclass(frozen=True, slots=True)
class UnpackLimits:
    """How far compressed input may expand (read from the environment at each use)."""

    max_bytes: int
    max_ratio: float

    @classmethod
    def from_env(cls) -> UnpackLimits:
        return cls(
            max_bytes=int(os.environ.get("SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES", str(2 << 30))),
            max_ratio=float(os.environ.get("SHOPOPS_IMPORT_MAX_RATIO", "100")),
        )

    def budget(self, compressed_bytes: int) -> int:
        """The most bytes ``compressed_bytes`` of compressed data may unpack to."""
        return min(self.max_bytes, max(RATIO_FLOOR_BYTES, int(compressed_bytes * self.max_ratio)))

    def check_declared(self, file: str, member: str, size: int, compressed: int) -> None:
        """Refuse, before reading, a member whose declared size breaks the caps."""
        if size > self.max_bytes:
            raise ValidationError(
                f"{file}: {member} unpacks to {_mib(size)}; at most {_mib(self.max_bytes)} "
                "(SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES); split the export or import the uncompressed file"
            )
        if size > self.budget(compressed):
            raise ValidationError(
                f"{file}: {member} unpacks to {_mib(size)} from {_mib(compressed)} "
                f"(ratio {size / max(compressed, 1):,.0f}:1, at most {self.max_ratio:,.0f}:1, "
                "SHOPOPS_IMPORT_MAX_RATIO); this looks like a zip bomb, not an export"
            )


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MiB"


class _Capped(io.RawIOBase):
    """A decompressing stream that stops with a ValidationError past ``limit`` bytes."""

    def __init__(self, inner, *, limit: int, file: str, closing: tuple = ()) -> None:
        self.inner, self.limit, self.file, self.count, self.closing = inner, limit, file, 0, closing

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            n = self.inner.readinto(buffer)
        except (zipfile.BadZipFile, EOFError, OSError, RuntimeError) as exc:  # bad CRC, truncated, encrypted
            raise ValidationError(f"{self.file}: the compressed data is truncated or corrupt ({exc})") from exc
        self.count += n
        if self.count > self.limit:
            raise ValidationError(
                f"{self.file}: unpacks to more than {_mib(self.limit)} (the cap for a file of this size: "
                "SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES, SHOPOPS_IMPORT_MAX_RATIO); refused as a possible zip bomb"
            )
        return n

    def close(self) -> None:
        try:
            self.inner.close()
            for extra in self.closing:
                extra.close()
        finally:
            super().close()


@dataclass(frozen=True, slots=True)
class CsvFormat:
    encoding: str  # python codec name
    delimiter: str
    compressed: bool
    headers: tuple[str, ...]
    has_header: bool = True


def _open_bytes(path: Path, member: str | None = None) -> tuple[io.BufferedIOBase, bool]:
    """The file's bytes (gunzipped), or those of ``member`` of the zip at ``path``, capped."""
    limits = UnpackLimits.from_env()
    if member is not None:
        zf = zipfile.ZipFile(path)
        try:
            info = zf.getinfo(member)
            inner = zf.open(info)
        except (zipfile.BadZipFile, KeyError, RuntimeError, NotImplementedError) as exc:
            zf.close()
            raise ValidationError(f"{path.name}: cannot read {member} ({exc})") from exc
        capped = _Capped(inner, limit=min(info.file_size, limits.budget(info.compress_size)),
                         file=f"{path.name}: {member}", closing=(zf,))
        return io.BufferedReader(capped, SNIFF_BYTES), False
    raw = path.open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == GZIP_MAGIC:
        capped = _Capped(gzip.GzipFile(fileobj=raw), limit=limits.budget(path.stat().st_size), file=path.name,
                         closing=(raw,))
        return io.BufferedReader(capped, SNIFF_BYTES), True
    return raw, False


def _decodes(sample: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(sample, final=False)  # a multi-byte char cut at the end is fine
        return True
    except UnicodeDecodeError:
        return False


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 text with lines and delimiters (Excel's "Unicode text"), not just any bytes."""
    for codec in ("utf-16",) if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else ("utf-16-le", "utf-16-be"):
        text = sample[: len(sample) // 2 * 2].decode(codec, errors="replace")
        if "\n" in text and any(d in text for d in ",\t;") and text.count("\ufffd") < len(text) // 20 + 1:
            return True
    return False


def sniff_csv(path: Path, *, names: tuple[str, ...] | None = None, member: str | None = None) -> CsvFormat:
    """Detect compression, encoding, delimiter and the header row.

    ``names``: the file has no header row; these are its columns, in order.
    ``member``: read that member of the zip at ``path``.
    """
    if path.stat().st_size == 0:
        raise ValidationError(f"{path.name}: the file is empty (0 bytes)")
    stream, compressed = _open_bytes(path, member)
    with stream:
        try:
            sample = stream.read(SNIFF_BYTES)
        except (OSError, EOFError) as exc:
            raise ValidationError(f"{path.name}: the compressed file is truncated or corrupt ({exc})") from exc
    if _looks_utf16(sample):
        raise ValidationError(f"{path.name}: the text is UTF-16 (what Excel's \"Unicode text\" writes); "
                              "save the export as UTF-8 or GBK CSV")
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
    if member is not None and not sample:
        raise ValidationError(f"{path.name}: {member} is empty (0 bytes)")
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


def read_csv_batches(path: Path, fmt: CsvFormat | None = None, *, member: str | None = None) -> Iterator[pa.RecordBatch]:
    """Stream the file (or that member of the zip) as record batches of string columns named by the header."""
    fmt = fmt or sniff_csv(path, member=member)
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
    stream, _ = _open_bytes(path, member)
    if fmt.encoding == "utf-8-sig":
        stream.read(3)
    try:
        reader = pacsv.open_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
        for batch in reader:
            yield batch
    except pa.ArrowInvalid as exc:
        text = str(exc)
        if "Expected" in text and "columns, got" in text:
            row = _uneven_row(path, fmt, member)
            where = f"row {row}" if row else "a row"
            raise ValidationError(
                f"{path.name}: {where} has a different number of fields than the header "
                f"({text.split(':', 1)[-1].strip()[:200]}); the file may be truncated or its delimiter/quoting broken"
            ) from exc
        if "Could not skip initial" in text and not _longer_than(path, member, BLOCK_BYTES):
            return  # the header line is all the file holds (without a line end after it): no rows
        if "straddling" in text:
            raise ValidationError(
                f"{path.name}: a cell (or an unclosed quote) runs over {BLOCK_BYTES >> 20} MiB; "
                "the file is broken or its quoting does not match"
            ) from exc
        raise ValidationError(f"{path.name}: cannot parse as CSV: {text[:300]}") from exc
    except (OSError, EOFError) as exc:
        raise ValidationError(f"{path.name}: the file is truncated or corrupt ({exc})") from exc
    finally:
        stream.close()


def _longer_than(path: Path, member: str | None, limit: int) -> bool:
    stream, _ = _open_bytes(path, member)
    with stream:
        return len(stream.read(limit + 1)) > limit


def utf8_copy(path: Path, fmt: CsvFormat, dest: Path) -> str:
    """Write the text of the CSV at ``path`` to ``dest`` uncompressed and in UTF-8, streamed in blocks
    (gzip unpacked under the same caps; GBK/GB18030 decoded strictly, as the streaming reader decodes
    it); the encoding of the copy (``utf-8-sig`` stays so: the byte-order mark is copied as it is)."""
    stream, _ = _open_bytes(path)
    with stream, dest.open("wb") as out:
        if fmt.encoding in ("utf-8", "utf-8-sig"):
            while chunk := stream.read(BLOCK_BYTES):
                out.write(chunk)
            return fmt.encoding
        decoder = codecs.getincrementaldecoder(fmt.encoding)()
        while chunk := stream.read(BLOCK_BYTES):
            out.write(decoder.decode(chunk).encode("utf-8"))
        out.write(decoder.decode(b"", final=True).encode("utf-8"))
    return "utf-8"


def _uneven_row(path: Path, fmt: CsvFormat, member: str | None) -> int | None:
    """The spreadsheet row of the first record whose field count differs from the header
    (error path only: re-reads the text with the csv module, which quotes the same way)."""
    stream, _ = _open_bytes(path, member)
    try:
        text = io.TextIOWrapper(stream, encoding=fmt.encoding, errors="replace", newline="")
        width = len(fmt.headers)
        for number, record in enumerate(csv.reader(text, delimiter=fmt.delimiter), start=1 if fmt.has_header else 0):
            if number == 1 and fmt.has_header:
                continue
            if record and len(record) != width:
                return number if fmt.has_header else number + 1
    except (ValidationError, csv.Error, OSError, EOFError):
        return None
    finally:
        stream.close()
    return None


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
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ValidationError(f"{path.name}: not a readable .xlsx workbook (corrupt or truncated: {exc})") from exc
    limits = UnpackLimits.from_env()
    limits.check_declared(path.name, "the workbook", sum(p.file_size for p in parts), path.stat().st_size)
    # openpyxl reads the parts through zipfile, which stops at each part's declared size
    try:
        return load_workbook_compact(path)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ValidationError(f"{path.name}: not a readable .xlsx workbook (corrupt or truncated: {exc})") from exc


class SharedStrings:
    """A workbook's shared-string table held as one UTF-8 buffer and an offset array.

    openpyxl keeps the table as a list of Python strings (about 60 bytes and a pointer for each,
    whatever its length): the one part of a workbook read whole before its rows stream, and the
    largest for an export whose order ids, buyers, addresses and times are all distinct strings.
    Here a string costs its UTF-8 bytes and 8; a cell's text is decoded when its row is read."""

    __slots__ = ("_data", "_view", "_offsets")

    def __init__(self) -> None:
        import array

        self._data = bytearray()
        self._offsets = array.array("q", [0])
        self._view = None

    def append(self, text: str) -> None:
        self._data += text.encode("utf-8", "surrogatepass")
        self._offsets.append(len(self._data))

    def freeze(self) -> SharedStrings:
        self._view = memoryview(self._data)
        return self

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> str:
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return str(self._view[self._offsets[index]:self._offsets[index + 1]], "utf-8", "surrogatepass")


def read_shared_strings(source) -> SharedStrings:
    """The shared-string table of ``source`` (the sharedStrings part), as openpyxl's own reader reads it
    (``openpyxl.reader.strings.read_string_table``: every run of a rich string joined, ``_x005F_`` escapes
    undone), into a :class:`SharedStrings`. A plain ``<si><t>…</t></si>`` is read without building openpyxl's
    ``Text`` object."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    si, t = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}t"
    out = SharedStrings()
    for _, node in iterparse(source):
        if node.tag != si:
            continue
        if len(node) == 1 and node[0].tag == t and not len(node[0]):
            text = node[0].text or ""
        else:
            text = Text.from_tree(node).content
        out.append(text.replace("x005F_", ""))
        node.clear()
    return out.freeze()


def load_workbook_compact(path: Path):
    """``openpyxl.load_workbook(path, read_only=True, data_only=True)`` with the shared strings held by
    :class:`SharedStrings`; the rows stream from the sheet part as before."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    reader = ExcelReader(path, read_only=True, data_only=True)

    def read_strings() -> None:
        ct = reader.package.find(SHARED_STRINGS)
        if ct is not None:
            with reader.archive.open(ct.PartName[1:]) as src:
                reader.shared_strings = read_shared_strings(src)

    reader.read_strings = read_strings
    reader.read()
    return reader.wb


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
    csv_format: CsvFormat | None = None  # a CSV file on disk as it is (not in a zip): its dialect

    def batches(self) -> Iterator[pa.RecordBatch]:
        return self._batches()


def data_bytes(src: TabularSource) -> int:
    """About how many bytes the source's data unpack to (what sizes a streamed import's parts): a
    plain file its size; a ``.csv.gz`` the size its gzip trailer records (modulo 4 GiB, above the
    unpack cap); a zip member or a workbook the sizes the archive declares. Never below the file's size."""
    path = src.path
    size = path.stat().st_size
    with path.open("rb") as fh:
        magic = fh.read(4)
        if magic[:2] == GZIP_MAGIC and size >= 4:
            fh.seek(-4, os.SEEK_END)
            return max(size, int.from_bytes(fh.read(4), "little"))
    if magic == ZIP_MAGIC and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            return max(size, sum(info.file_size for info in zf.infolist()))
    return size


def first_record(src: TabularSource) -> dict[str, str] | None:
    """The first data row of a source as header -> text (None for a file without rows): what profile
    detection reads to tell apart layouts with the same headers."""
    batches = src.batches()
    try:
        for batch in batches:
            if batch.num_rows:
                row = batch.slice(0, 1).to_pylist()[0]
                return {str(k): "" if v is None else str(v) for k, v in row.items()}
    finally:
        close = getattr(batches, "close", None)
        if close is not None:
            close()
    return None


def _best_sheet(sheets, wanted: set[str]) -> tuple[str, tuple[str, ...]]:
    return max(sheets, key=lambda s: len(wanted & set(s[1])))


def zip_data_member(path: Path) -> str | None:
    """The one CSV member of a zip (checked: one data file, no archive inside, sizes capped);
    None when the zip is an XLSX workbook."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if "[Content_Types].xml" in {i.filename for i in infos}:
                return None
            members = [i for i in infos if not i.is_dir() and not i.filename.startswith("__MACOSX")]
            if len(members) != 1:
                raise ValidationError(f"{path.name}: a zip must hold exactly one data file; it holds {len(members)}")
            info = members[0]
            if info.flag_bits & 0x1:
                raise ValidationError(f"{path.name}: {info.filename} is password-protected; zip it again without a password")
            head = b""
            if info.file_size:
                with zf.open(info) as inner:
                    head = inner.read(4)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        raise ValidationError(f"{path.name}: the zip file is truncated or corrupt ({exc})") from exc
    if info.filename.lower().endswith(ARCHIVE_SUFFIXES) or head.startswith((ZIP_MAGIC, GZIP_MAGIC, OLE_MAGIC)):
        raise ValidationError(
            f"{path.name}: holds {info.filename}, which is itself an archive or a workbook; "
            "a zip must hold one CSV file (upload a workbook or a .csv.gz as it is)"
        )
    UnpackLimits.from_env().check_declared(path.name, info.filename, info.file_size, info.compress_size)
    return info.filename


def _refuse_duplicate_headers(file: str, headers: tuple[str, ...]) -> None:
    names = [h for h in headers if h]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValidationError(f"{file}: the header repeats column(s) {', '.join(dupes)}; each column must be named once")


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
    if magic[:2] == b"PK" and zipfile.is_zipfile(path):  # an empty zip starts with its end record, PK\x05\x06
        member = zip_data_member(path)
        if member is not None:
            fmt = sniff_csv(path, names=names, member=member)
            _refuse_duplicate_headers(path.name, fmt.headers)
            desc = f"csv {fmt.encoding} in zip ({member}) delimiter {fmt.delimiter!r}"
            yield TabularSource(path, "csv", fmt.headers, desc, lambda: read_csv_batches(path, fmt, member=member),
                                first_row=2 if fmt.has_header else 1)
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
        _refuse_duplicate_headers(f"{path.name} (sheet {name!r})", headers)
        yield TabularSource(path, "xlsx", headers, f"xlsx sheet {name!r}",
                            lambda: read_xlsx_batches(path, name, headers))
        return
    fmt = sniff_csv(path, names=names)
    _refuse_duplicate_headers(path.name, fmt.headers)
    desc = f"csv {fmt.encoding}{' gzip' if fmt.compressed else ''} delimiter {fmt.delimiter!r}"
    yield TabularSource(path, "csv", fmt.headers, desc, lambda: read_csv_batches(path, fmt),
                        first_row=2 if fmt.has_header else 1, csv_format=fmt)
