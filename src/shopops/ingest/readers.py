"""Readers: a file in, Arrow batches of strings out, with bounded memory.

CSV in UTF-8 (with or without BOM) or GB18030 (a superset of GBK, what Chinese
platform exports use), optionally gzip-compressed. Values stay strings here; typing
is the pipeline's job so every bad value can be reported with its row and column.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from shopops.core.errors import ValidationError

SNIFF_BYTES = 1 << 16
BLOCK_BYTES = 8 << 20


@dataclass(frozen=True, slots=True)
class CsvFormat:
    encoding: str  # python codec name
    delimiter: str
    compressed: bool
    headers: tuple[str, ...]


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


def sniff_csv(path: Path) -> CsvFormat:
    """Detect compression, encoding, delimiter and the header row."""
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
        skip_rows=1,
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
        raise ValidationError(f"{path.name}: cannot parse as CSV: {exc}") from exc
    except (OSError, EOFError) as exc:
        raise ValidationError(f"{path.name}: the file is truncated or corrupt ({exc})") from exc
    finally:
        stream.close()
