"""parse -> map -> validate -> load, column-wise.

Each batch of string columns is typed with Polars expressions (no Python per row);
every value that fails becomes a reject naming file, row, column, value and reason;
the valid rows are merged into the warehouse by the loader. Strict mode loads all or
nothing (one transaction, rolled back when any row is rejected); lenient mode loads
the valid rows and commits batch by batch.

Row numbers are spreadsheet rows: the header is row 1, the first record row 2 (row 1
in a file without a header).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import ibis
import polars as pl
import pyarrow as pa

from shopops.core.errors import ValidationError
from shopops.ingest import fast_csv, sales_lines, staging
from shopops.ingest.value_rules import FALSE_WORDS, MAX_CELL_CHARS, PHONE_SHOWN_HEAD, PHONE_SHOWN_TAIL, TRUE_WORDS
from shopops.ingest.value_rules import fixed_offset as _fixed_offset
from shopops.ingest.known_values import known_values
from shopops.ingest.profiles import (
    DEFAULT_FORMATS, VIRTUAL_TABLES, FieldSpec, FieldType, Profile, profile_detect, profile_matches_sample,
)
from shopops.ingest.readers import TabularSource, data_bytes, first_record, open_source
from shopops.ingest.table_rules import (
    ALL_OR_NOTHING, KEPT_WHEN_EMPTY, NON_NEGATIVE, NOT_IN_FUTURE, ORDERED_DATES, REFERENCES, SIGNED_WHEN_CANCELLED,
)
from shopops.warehouse.loader import LoadResult, load, transaction
from shopops.warehouse.schema import TABLES

ROW = "_row"
MAX_REJECTS_KEPT = 10_000
MAX_REJECT_VALUE_CHARS = 2_000  # what a reject keeps of its value
# C0 controls except tab, newline and carriage return; DEL; a byte-order mark inside the data
CONTROL_CHARACTERS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\x{FEFF}]"

# table -> (instant column, business-date column derived from it in the store's time zone),
# as the schema declares them
BUSINESS_DATES = {t.name: (t.business_date_of, t.business_date) for t in TABLES.values() if t.business_date_of}
MONEY_PATTERN = r"^-?\d+(\.\d{1,2})?$"


@dataclass(frozen=True, slots=True)
class Reject:
    file: str
    row: int
    column: str
    value: str
    reason: str


@dataclass(slots=True)
class ImportOutcome:
    file: str
    profile: str
    table: str
    store_id: str | None
    sha256: str
    rows_read: int = 0
    rows_rejected: int = 0
    tables: dict[str, LoadResult] = field(default_factory=dict)  # what each table received
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    loaded: bool = False
    seconds: float = 0.0
    # stage -> [wall seconds, CPU seconds of the process (every thread)]: read, typing, checks, load
    stages: dict[str, list[float]] = field(default_factory=dict)
    fast: bool = False  # read, typed and checked in DuckDB (``fast_csv``): the file needed no full rule
    unchanged_file: bool = False  # the same file was loaded and its table not written since: nothing done
    # source column -> [rows dated after the import, [(row, store-local time) of the first ones]]
    future: dict[str, list] = field(default_factory=dict)

    @property
    def inserted(self) -> int:
        return sum(r.inserted for r in self.tables.values())

    @property
    def updated(self) -> int:
        return sum(r.updated for r in self.tables.values())


class _Stage:
    """Adds the wall-clock and process CPU time of a ``with`` block to ``outcome.stages[name]``."""

    __slots__ = ("outcome", "name", "wall", "cpu")

    def __init__(self, outcome: ImportOutcome, name: str) -> None:
        self.outcome, self.name = outcome, name

    def __enter__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc) -> None:
        spent = self.outcome.stages.setdefault(self.name, [0.0, 0.0])
        spent[0] += time.perf_counter() - self.wall
        spent[1] += time.process_time() - self.cpu


class StrictModeRejected(ValidationError):
    """Strict mode: at least one row was rejected, nothing was loaded."""


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def phone_hash(phone: str, key: str) -> str:
    """HMAC-SHA256 of the normalised number under the installation's PII key (hex).

    The key (``SHOPOPS_PII_KEY``) lives outside the data: without it a hash cannot be
    tested against the 10^8 numbers of a mobile prefix. Imports before this scheme used
    SHA-256 of ``salt:phone``; docs/security.md says how to move them over.
    """
    return hmac.new(key.encode(), phone.encode(), hashlib.sha256).hexdigest()




def phone_mask(phone: pl.Expr) -> pl.Expr:
    """Keep the first 3 and last 2 digits of an 11-digit (or platform-masked) number."""
    hidden = 11 - PHONE_SHOWN_HEAD - PHONE_SHOWN_TAIL
    return phone.str.slice(0, PHONE_SHOWN_HEAD) + pl.lit("*" * hidden) + phone.str.slice(-PHONE_SHOWN_TAIL)


def redact(value: str) -> str:
    """A rejected personal value as kept in rejects: length and a hint, never the number.

    ``1381234567`` -> ``138*****67``; 5 characters or fewer -> all masked.
    """
    if len(value) <= PHONE_SHOWN_HEAD + PHONE_SHOWN_TAIL:
        return "*" * len(value)
    return value[:PHONE_SHOWN_HEAD] + "*" * (len(value) - PHONE_SHOWN_HEAD - PHONE_SHOWN_TAIL) + value[-PHONE_SHOWN_TAIL:]


# --- typing, one expression per field ------------------------------------------------

def _clean(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars().replace("", None)


def _parsed(spec: FieldSpec, profile: Profile, tz: str, raw: pl.Expr | None = None) -> tuple[pl.Expr, str]:
    """(typed expression, reason shown when a present value fails to parse).

    ``raw``: the cleaned source column (default: clean it here).
    """
    raw = _clean(spec.source) if raw is None else raw
    if spec.default is not None:
        raw = raw.fill_null(pl.lit(spec.default))
    if spec.type is FieldType.STRING:
        return raw, ""
    if spec.type is FieldType.UNIX_SECONDS:
        seconds = raw.cast(pl.Int64, strict=False)
        return pl.from_epoch(seconds, time_unit="s").cast(pl.Datetime("us")).dt.replace_time_zone("UTC"), (
            "expected seconds since 1970-01-01 (a whole number)"
        )
    if spec.type is FieldType.ID:
        return raw.str.replace(r"^(\d+)\.0+$", "$1"), ""
    if spec.type is FieldType.PERCENT:
        return _percent(raw), "expected a share like 85.2% or 0.852 (0–100 %)"
    if spec.type is FieldType.DURATION:
        return _duration(raw), "expected a duration like 25, 25秒, 25s, 1分05秒 or 00:01:05 (seconds)"
    if spec.type is FieldType.INT:
        return raw.str.replace_all(",", "").cast(pl.Int64, strict=False), "expected a whole number"
    if spec.type is FieldType.MONEY:
        cleaned = raw.str.replace_all(r"[¥￥,\s]|^RMB|^CNY", "")
        if spec.round:
            return _money_half_up(cleaned), "expected an amount like 1299.00 or ¥1,299.00"
        ok = cleaned.str.contains(MONEY_PATTERN)
        return (
            pl.when(ok).then(cleaned).otherwise(None).cast(pl.Decimal(18, 2), strict=False),
            "expected an amount like 1299.00 or ¥1,299.00 (at most 2 decimals)",
        )
    if spec.type is FieldType.DATE:
        # spreadsheets hand dates over as midnight date-times: accept those too
        as_datetime = [raw.str.to_datetime(f, strict=False).dt.date() for f in DEFAULT_FORMATS[FieldType.DATETIME]]
        parsed = pl.coalesce([raw.str.to_date(f, strict=False) for f in spec.formats] + as_datetime)
        return parsed, f"expected a date like {spec.formats[0].replace('%Y', '2025').replace('%m', '11').replace('%d', '11')}"
    if spec.type in (FieldType.PERIOD, FieldType.PERIOD_END):
        first, last = _period_days(raw, spec.formats)
        # the first day carries the reason for the whole cell (null when either end fails); the last adds none
        if spec.type is FieldType.PERIOD:
            return pl.when(last.is_not_null()).then(first), PERIOD_REASON
        return last, ""
    if spec.type is FieldType.DATETIME:
        parsed = pl.coalesce([raw.str.to_datetime(f, strict=False, time_unit="us") for f in spec.formats])
        utc = parsed.dt.replace_time_zone(tz, non_existent="null").dt.convert_time_zone("UTC")
        return utc, "expected a date and time like 2025-11-11 00:05:00"
    if spec.type is FieldType.BOOLEAN:
        return (
            pl.when(raw.is_in(TRUE_WORDS)).then(True).when(raw.is_in(FALSE_WORDS)).then(False).otherwise(None),
            "expected 是/否 (yes/no)",
        )
    if spec.type is FieldType.STATUS:
        labels = list(profile.status)
        known = ", ".join(labels)
        return raw.replace_strict(profile.status, default=None), f"unknown value; expected one of: {known}"
    if spec.type is FieldType.PHONE:
        digits = raw.str.replace_all(r"[\s\-+]", "").str.replace(r"^86(\d{11})$", "$1")
        ok = digits.str.contains(r"^\d{11}$") | digits.str.contains(r"^\d{3}\*{4}\d{4}$")
        return pl.when(ok).then(digits).otherwise(None), "expected an 11-digit mobile number (or one masked as 138****5678)"
    raise AssertionError(spec.type)


PERIOD_REASON = "expected a period like 2026-11-01~2026-11-30 (or 2026-11-01至2026-11-30, or one date)"
# "<day> <separator> <day>": ~ ～ 至 到 — – or a hyphen with spaces around it (a date has hyphens of its own)
_PERIOD_PARTS = r"^(\S+?)\s*(?:~|～|至|到|—|–|\s-\s)\s*(\S+)$"


def _period_days(raw: pl.Expr, formats: tuple[str, ...]) -> tuple[pl.Expr, pl.Expr]:
    """(first day, last day) of a period cell; one date alone is a one-day period."""
    text = raw.str.replace_all(r"[\s\u3000]+", " ").str.strip_chars()
    has_two = text.str.contains(_PERIOD_PARTS)
    head = pl.when(has_two).then(text.str.extract(_PERIOD_PARTS, 1)).otherwise(text)
    tail = pl.when(has_two).then(text.str.extract(_PERIOD_PARTS, 2)).otherwise(text)

    def day(part: pl.Expr) -> pl.Expr:
        return pl.coalesce([part.str.to_date(f, strict=False) for f in formats])

    return day(head), day(tail)


def _percent(raw: pl.Expr) -> pl.Expr:
    """``85.2%`` -> 0.852; ``0.852`` -> 0.852; outside 0–100 % (or a bare number above 1) -> null."""
    text = raw.str.replace_all(r"[\s,]", "")
    with_sign = text.str.ends_with("%") | text.str.ends_with("％")
    number = text.str.replace(r"[%％]$", "").cast(pl.Float64, strict=False)
    share = pl.when(with_sign).then(number / 100).otherwise(number)
    return pl.when((share >= 0) & (share <= 1)).then(share).otherwise(None)


_DURATION_PARTS = r"^(?:(\d+(?:\.\d+)?)(?:小时|时|h))?(?:(\d+(?:\.\d+)?)(?:分钟|分|min|m))?(?:(\d+(?:\.\d+)?)(?:秒|s))?$"


def _duration(raw: pl.Expr) -> pl.Expr:
    """Seconds from ``25`` / ``25.5`` / ``25秒`` / ``25s`` / ``1分05秒`` / ``1h2m`` / ``00:01:05`` / ``01:05``."""
    text = raw.str.replace_all(r"\s", "").str.to_lowercase()
    plain = text.cast(pl.Float64, strict=False)
    clock = text.str.extract_groups(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
    clock_s = (clock.struct.field("1").cast(pl.Float64).fill_null(0) * 3600
               + clock.struct.field("2").cast(pl.Float64) * 60 + clock.struct.field("3").cast(pl.Float64))
    parts = text.str.extract_groups(_DURATION_PARTS)
    any_part = (parts.struct.field("1").is_not_null() | parts.struct.field("2").is_not_null()
                | parts.struct.field("3").is_not_null())
    parts_s = (parts.struct.field("1").cast(pl.Float64).fill_null(0) * 3600
               + parts.struct.field("2").cast(pl.Float64).fill_null(0) * 60
               + parts.struct.field("3").cast(pl.Float64).fill_null(0))
    seconds = pl.coalesce([plain, clock_s, pl.when(any_part).then(parts_s)])
    return pl.when(seconds >= 0).then(seconds).otherwise(None)


def _money_half_up(text: pl.Expr) -> pl.Expr:
    """Parse an amount with any number of decimals and round it half-up to the cent."""
    micro = (text.cast(pl.Decimal(24, 6), strict=False) * 1_000_000).cast(pl.Int64)
    cents = pl.when(micro < 0).then(-((-micro + 5000) // 10000)).otherwise((micro + 5000) // 10000)
    return (cents.cast(pl.Decimal(18, 2)) / 100).cast(pl.Decimal(18, 2))


@dataclass(slots=True)
class _Typed:
    frame: pl.DataFrame  # canonical columns + ROW, valid rows only
    rejects: pl.DataFrame  # row, column, value, reason


PERSONAL_TYPES = (FieldType.PHONE,)  # values of these never reach a reject in the clear


def _fast(spec: FieldSpec, raw: pl.Expr, column: pl.Series) -> pl.Expr | None:
    """A cheaper expression for ``spec`` that gives, per value, either exactly what the full
    one (``_parsed``) gives or null — used while no present value comes out null — or None.

    ``column`` is the cleaned source column of the batch (for the id probe).
    """
    if spec.default is not None:
        return None
    if spec.type is FieldType.INT:
        return raw.cast(pl.Int64, strict=False)  # "1,299" -> null -> the full parse
    if spec.type is FieldType.MONEY and not spec.round:
        return pl.when(raw.str.contains(MONEY_PATTERN)).then(raw.cast(pl.Decimal(18, 2), strict=False))
    if spec.type is FieldType.DATE and spec.formats:
        return raw.str.to_date(spec.formats[0], strict=False)
    if spec.type is FieldType.DATETIME and spec.formats:
        return raw.str.to_datetime(spec.formats[0], strict=False, time_unit="us")  # naive: see _to_utc
    if spec.type is FieldType.ID:
        # "123.0" (a spreadsheet's float) needs the rewrite; without one in the batch the id is the text
        return None if column.str.contains(r"^\d+\.0+$").any() else raw
    return None


def _naive_datetime(spec: FieldSpec, raw: pl.Expr) -> pl.Expr:
    return pl.coalesce([raw.str.to_datetime(f, strict=False, time_unit="us") for f in spec.formats])


def _to_utc(naive: pl.Series, tz: str) -> pl.Series:
    """Local wall-clock times in ``tz`` -> UTC instants (null where the time does not exist there).

    When the zone's offset is the same at every midnight of the batch's span (Asia/Shanghai
    since 1991, any zone between DST switches) a subtraction gives the same instants as the
    zone-database lookup per value, at a fraction of its cost.
    """
    offset = _fixed_offset(naive, tz)
    if offset is None:
        return naive.dt.replace_time_zone(tz, non_existent="null").dt.convert_time_zone("UTC")
    return (naive - offset).dt.replace_time_zone("UTC")


def type_batch(batch: pl.DataFrame, profile: Profile, *, tz: str, pii_key: str) -> _Typed:
    """Type every column of one batch and flag every bad value.

    Each source column is cleaned once; each field is parsed once, by a fast expression
    when it has one (``_fast``), and again by the full one only in a batch where the fast
    one leaves a present value null. The control-character and cell-length checks run as
    one probe per column, and become per-row flags only in a batch where the probe finds one.
    """
    specs = [spec for spec in profile.fields if spec.type is not FieldType.IGNORE]
    personal = {spec.source for spec in profile.fields if spec.type in PERSONAL_TYPES}
    sources = list(dict.fromkeys(spec.source for spec in specs))
    cleaned = {src: f"\x00clean{j}" for j, src in enumerate(sources)}
    typed_name = {i: f"\x00typed{i}" for i in range(len(specs))}
    raw_checks = batch.select(
        *[pl.col(src).fill_null("").str.contains(CONTROL_CHARACTERS).any().alias(f"c{j}") for j, src in enumerate(sources)],
        *[pl.col(src).fill_null("").str.len_chars().max().alias(f"l{j}") for j, src in enumerate(sources)],
    ).row(0, named=True) if batch.height else {}
    work = batch.with_columns(*[_clean(src).alias(cleaned[src]) for src in sources])
    full, reasons, parse = {}, {}, []
    for i, spec in enumerate(specs):
        raw = pl.col(cleaned[spec.source])
        full[i], reasons[i] = _parsed(spec, profile, tz, raw)
        if spec.type is FieldType.DATETIME:
            full[i] = _naive_datetime(spec, raw.fill_null(pl.lit(spec.default)) if spec.default is not None else raw)
        fast = _fast(spec, raw, work[cleaned[spec.source]])
        parse.append((fast if fast is not None else full[i]).alias(typed_name[i]))
    work = work.with_columns(parse)
    probes = [(pl.col(cleaned[spec.source]).is_not_null() & pl.col(typed_name[i]).is_null()).any().alias(str(i))
              for i, spec in enumerate(specs) if reasons[i]]
    if probes and work.height:
        # a fast parse that left a present value null: that column again, with every format and rule
        failed = work.select(*probes).row(0, named=True)
        redo = [full[int(i)].alias(typed_name[int(i)]) for i, bad in failed.items() if bad]
        if redo:
            work = work.with_columns(redo)
    for i, spec in enumerate(specs):
        if spec.type is FieldType.DATETIME:
            work = work.with_columns(_to_utc(work[typed_name[i]], tz).alias(typed_name[i]))
    checks = []  # (flag expression, source column, reason)
    for i, spec in enumerate(specs):
        present = pl.col(cleaned[spec.source]).is_not_null()
        if reasons[i]:
            checks.append((present & pl.col(typed_name[i]).is_null(), spec.source, reasons[i]))
        if spec.required and spec.default is None:
            checks.append((~present, spec.source, "required value is missing"))
        if (floor := NON_NEGATIVE.get(profile.table, {}).get(spec.to)) is not None:
            below = present & (pl.col(typed_name[i]) < floor).fill_null(False)
            if spec.to in SIGNED_WHEN_CANCELLED.get(profile.table, ()) and profile.options.get("cancel_prefix"):
                # a cancellation row carries it negative by convention (sales_lines.cancellation_refunds)
                order_id = next((cleaned[s.source] for s in specs if s.to == "order_id"), None)
                if order_id is not None:
                    below = below & ~pl.col(order_id).str.starts_with(profile.options["cancel_prefix"]).fill_null(False)
            what = "an amount" if spec.type is FieldType.MONEY else "a whole number"
            checks.append((below, spec.source, f"below {floor}: expected {what} ≥ {floor}"))
        if (known := known_values(profile.table, spec.to)) is not None:
            values, what = known
            listed = ", ".join(sorted(values)[:8]) + (" …" if len(values) > 8 else "")
            checks.append((present & ~pl.col(cleaned[spec.source]).is_in(sorted(values)), spec.source,
                           f"unknown {what}; known: {listed or 'none'}"))
        j = sources.index(spec.source)
        raw_text = pl.col(spec.source).fill_null("")
        if raw_checks.get(f"c{j}"):
            checks.append((raw_text.str.contains(CONTROL_CHARACTERS), spec.source,
                           "contains a control character or a byte-order mark (U+FEFF): a binary file, or two "
                           "exports pasted together?"))
        if (raw_checks.get(f"l{j}") or 0) > MAX_CELL_CHARS:
            checks.append((raw_text.str.len_chars() > MAX_CELL_CHARS, spec.source,
                           f"the value is longer than {MAX_CELL_CHARS:,} characters"))
    for first, last in ORDERED_DATES.get(profile.table, ()):
        at = {spec.to: i for i, spec in enumerate(specs)}
        if first in at and last in at:
            source = specs[at[last]].source
            checks.append(((pl.col(typed_name[at[last]]) < pl.col(typed_name[at[first]])).fill_null(False), source,
                           f"ends before it starts: expected {last} on or after {first}"))
    less_shipping = _paid_less_shipping(profile, specs)
    if less_shipping is not None:
        paid, shipping = less_shipping
        # nothing paid (an order awaiting payment, or closed unpaid, shows 0.00 beside the shipping it owes):
        # no shipping in it; something paid, but less than the shipping it includes: a reject
        checks.append((((pl.col(typed_name[paid]) > 0) & (pl.col(typed_name[paid])
                                                          < pl.col(typed_name[shipping]).fill_null(0))).fill_null(False),
                       specs[paid].source,
                       f"less than the shipping fee it includes ({specs[shipping].source}): expected an amount "
                       f"≥ {specs[shipping].source}"))
    flags = [cond.alias(f"_bad{i}") for i, (cond, _, _) in enumerate(checks)]
    # every problem flagged in one pass; rejects are built from the few bad rows
    typed = work.select(pl.col(ROW), *[pl.col(typed_name[i]).alias(spec.to) for i, spec in enumerate(specs)], *flags)
    flag_names = [f"_bad{i}" for i in range(len(checks))]
    reject_parts = []
    if flag_names:
        bad_rows = typed.filter(pl.any_horizontal(flag_names)).select(ROW, *flag_names)
        if bad_rows.height:
            raw = batch.join(bad_rows, on=ROW, how="semi")
            for i, (_, source, reason) in enumerate(checks):
                rows = bad_rows.filter(pl.col(f"_bad{i}")).select(ROW)
                if rows.height:
                    value = pl.col(source).fill_null("").str.slice(0, MAX_REJECT_VALUE_CHARS)
                    if source in personal:
                        value = value.map_elements(redact, return_dtype=pl.String)
                    reject_parts.append(raw.join(rows, on=ROW, how="semi").select(
                        pl.col(ROW).alias("row"),
                        pl.lit(source).alias("column"),
                        value.alias("value"),
                        pl.lit(reason).alias("reason"),
                    ))
        typed = typed.drop(flag_names)
    if less_shipping is not None:  # the canonical amount excludes shipping (orders.paid_amount: 实付 − 运费)
        paid, shipping = (specs[j].to for j in less_shipping)
        typed = typed.with_columns(pl.when(pl.col(paid) == 0).then(pl.col(paid))
                                   .otherwise(pl.col(paid) - pl.col(shipping).fill_null(0))
                                   .cast(pl.Decimal(18, 2)).alias(paid))
    if "phone" in typed.columns:
        masked = pl.col("phone").str.contains(r"\*")  # the platform already masked it: keep a mask only
        typed = typed.with_columns(
            pl.when(masked).then(None).otherwise(
                pl.col("phone").map_elements(lambda p: phone_hash(p, pii_key), return_dtype=pl.String)
            ).alias("unified_id"),
            phone_mask(pl.col("phone")).alias("phone_masked"),  # a platform's 138****5678 too
        ).drop("phone")
        if profile.table not in ("customers", "sales_lines"):
            typed = typed.drop("unified_id", "phone_masked")  # the target keeps no phone at all
    if key_from := profile.options.get("key_from"):
        # no id in the layout: the row's own content is its identity (re-imports match)
        target, sources = key_from["column"], key_from["from"]
        typed = typed.with_columns(
            pl.concat_str([pl.col(c).cast(pl.String) for c in sources], separator="|").alias(target)
        )
    rejects = (
        pl.concat(reject_parts)
        if reject_parts
        else pl.DataFrame(schema={"row": pl.UInt32, "column": pl.String, "value": pl.String, "reason": pl.String})
    )
    if rejects.height:
        typed = typed.filter(~pl.col(ROW).is_in(rejects["row"].unique().implode()))
    return _Typed(typed, rejects)


def _paid_less_shipping(profile: Profile, specs: list[FieldSpec]) -> tuple[int, int] | None:
    """(index of the paid field, index of the shipping field) when the profile's option
    ``paid_includes_shipping`` names a paid column that includes the buyer's shipping and the
    profile maps ``shipping_fee`` too: the import stores paid − shipping (0 when nothing was paid:
    an unpaid order shows 0.00 beside the shipping it owes); a row that paid something, but less
    than that shipping, is rejected. Else None."""
    paid = profile.options.get("paid_includes_shipping")
    at = {spec.to: i for i, spec in enumerate(specs)}
    if not paid or paid not in at or "shipping_fee" not in at:
        return None
    return at[paid], at["shipping_fee"]


def _derive(frame: pl.DataFrame, table: str, *, tz: str, store_id: str | None, con: ibis.BaseBackend,
            orders: pl.DataFrame | None = None) -> pl.DataFrame:
    """Store, business dates (and a line's paid date from its order: ``orders`` of the same file,
    derived, when given — else the warehouse's)."""
    if store_id is not None and "store_id" in TABLES[table].column_names and "store_id" not in frame.columns:
        frame = frame.with_columns(pl.lit(store_id).alias("store_id"))
    if table in BUSINESS_DATES:
        instant, day = BUSINESS_DATES[table]
        if instant in frame.columns:
            frame = frame.with_columns(pl.col(instant).dt.convert_time_zone(tz).dt.date().alias(day))
        if table == "order_lines" and (day not in frame.columns or frame[day].null_count()):
            frame = _order_lines_paid_date(frame, store_id, con, orders)
    if table == "order_lines" and "paid_at" in frame.columns:
        frame = frame.drop("paid_at")
    if table in KEPT_WHEN_EMPTY:
        frame = _kept_when_empty(frame, table, con)
    return frame


def _kept_when_empty(frame: pl.DataFrame, table: str, con: ibis.BaseBackend) -> pl.DataFrame:
    """A setting the file leaves empty (or has no column for) keeps the warehouse's value of the row's key
    (``table_rules.KEPT_WHEN_EMPTY``: a store's "runs no paid ads" set on the page survives a stores file
    without the column)."""
    columns = KEPT_WHEN_EMPTY[table]
    for c in columns:
        if c not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Boolean).alias(c))
    if not frame.height or table not in con.list_tables():
        return frame
    have = [c for c in columns if c in con.table(table).columns]
    if not have:
        return frame
    key = list(TABLES[table].key)
    stored = pl.from_arrow(con.table(table).select(*key, *have).to_pyarrow())
    stored = stored.rename({c: f"_kept_{c}" for c in have})
    frame = frame.join(stored, on=key, how="left", maintain_order="left")
    return frame.with_columns(pl.col(c).fill_null(pl.col(f"_kept_{c}")) for c in have).drop(
        [f"_kept_{c}" for c in have])


def _lines_take_paid_dates(outcome: ImportOutcome, *, con: ibis.BaseBackend, store_id: str | None) -> None:
    """After an orders file: the store's order lines still without a paid date whose order now has one
    take it (an item report imported before its order report — or in the same upload, run first — or an
    order paid since). So a line's paid date never depends on which file came first."""
    tables = con.list_tables()
    if "order_lines" not in tables or "orders" not in tables:
        return
    lines, orders = con.table("order_lines"), con.table("orders")
    waiting = lines.filter(lines.paid_date.isnull())
    paid = orders.filter(orders.paid_date.notnull())
    if store_id is not None:
        waiting, paid = waiting.filter(waiting.store_id == store_id), paid.filter(paid.store_id == store_id)
    paid = paid.select(_store=paid.store_id, _order=paid.order_id, _paid_date=paid.paid_date)
    joined = waiting.join(paid, [waiting.store_id == paid._store, waiting.order_id == paid._order])
    fixed = joined.mutate(paid_date=joined._paid_date).select(*lines.columns).to_pyarrow()
    if fixed.num_rows:
        outcome.tables["order_lines"] = load(con, "order_lines", fixed, keys_unique=True)


def _kept_absent(frame: pl.DataFrame, table: str, con: ibis.BaseBackend) -> pl.DataFrame:
    """The columns of ``table`` a file does not carry keep the warehouse's values of the row's key.

    A sales-lines file writes products from its lines (an id and a title): without this, each
    import replaced a product's whole row and blanked the category, brand and price the products
    file had set (and a re-import after the products file "updated" every product)."""
    if not frame.height or table not in con.list_tables():
        return frame
    key = list(TABLES[table].key)
    stored = con.table(table)
    absent = [c for c in TABLES[table].column_names if c not in frame.columns and c not in key and c in stored.columns]
    if not absent or not all(k in frame.columns for k in key):
        return frame
    if "store_id" in key:
        stored = stored.filter(stored.store_id.isin(frame["store_id"].unique().drop_nulls().to_list()))
    kept = pl.from_arrow(stored.select(*key, *absent).to_pyarrow())
    if not kept.height:
        return frame
    kept = kept.cast({k: frame.schema[k] for k in key})
    return frame.join(kept, on=key, how="left", maintain_order="left")


def _order_lines_paid_date(frame: pl.DataFrame, store_id: str | None, con: ibis.BaseBackend,
                           file_orders: pl.DataFrame | None = None) -> pl.DataFrame:
    """Lines without a payment time take their order's paid date: from ``file_orders`` (the same
    file's orders, about to be merged: their paid date, or none, is the order's), else from the
    warehouse."""
    if "paid_date" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Date).alias("paid_date"))
    in_file = pl.lit(False)
    if file_orders is not None and frame.height:
        on = [c for c in ("store_id", "order_id") if c in frame.columns and c in file_orders.columns]
        known = file_orders.select(*on, pl.col("paid_date").alias("_file_paid_date"), pl.lit(True).alias("_in_file"))
        frame = (frame.join(known, on=on, how="left", maintain_order="left")
                 .with_columns(pl.col("paid_date").fill_null(pl.col("_file_paid_date"))).drop("_file_paid_date"))
        in_file = pl.col("_in_file").fill_null(False)
    pending = pl.col("paid_date").is_null() & ~in_file
    ids = frame.filter(pending)["order_id"].unique().to_list() if frame.height else []
    if not ids or "orders" not in con.list_tables():
        return frame.drop("_in_file", strict=False)
    orders = con.table("orders")
    known = orders.filter((orders.store_id == store_id) & orders.order_id.isin(ids)).select(
        "order_id", _order_paid_date=orders.paid_date
    )
    lookup = pl.from_arrow(known.to_pyarrow())
    if not lookup.height:
        return frame.drop("_in_file", strict=False)
    return (
        frame.join(lookup.with_columns(pl.col("_order_paid_date").cast(pl.Date)), on="order_id", how="left")
        .with_columns(pl.when(pending).then(pl.col("_order_paid_date")).otherwise(pl.col("paid_date")).alias("paid_date"))
        .drop("_order_paid_date", "_in_file", strict=False)
    )


def _duplicate_rejects(frame: pl.DataFrame, table: str, seen: _SeenKeys | None = None, *,
                       profile: Profile | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Keep the first row of each natural key; reject the later ones, naming the first (by the
    file's column names and values when ``profile`` is given: ``_repeat_rejects``).

    ``seen``: the keys of the file's earlier blocks — a row whose key one of them holds is a later
    row too, and names the earliest (the rule is the file's, not the block's)."""
    keys = [k for k in TABLES[table].key if k in frame.columns]
    if frame.height and frame.select(pl.struct(keys).hash().n_unique()).item() == frame.height:
        # as many distinct key hashes as rows: every key is unique (a hash collision only
        # lowers the count, which sends the batch to the exact check below)
        frame = frame.with_columns(pl.col(ROW).alias("_first"))
    else:
        frame = frame.with_columns(pl.col(ROW).min().over(keys).alias("_first"))
    if seen is not None:
        frame = seen.first_rows(frame, keys)
    dup = frame.filter(pl.col(ROW) != pl.col("_first"))
    return frame.filter(pl.col(ROW) == pl.col("_first")).drop("_first"), _repeat_rejects(dup, keys, profile)


def _repeat_rejects(dup: pl.DataFrame, keys: list[str], profile: Profile | None = None) -> pl.DataFrame:
    """Rejects of rows (``ROW``) whose key an earlier row (``_first``) of the file has.

    With ``profile``, the key is named as the file names it: the columns the profile maps to it
    (订单编号, not ``store_id, order_id``; the store given to the import is no column of the file)
    and their values as the file has them (``3700000000000010881``)."""
    if profile is not None:
        sources = {f.to: f.source for f in profile.fields if f.type is not FieldType.IGNORE}
        shown = [k for k in keys if k in sources] or keys
        names = ", ".join(sources.get(k, k) for k in shown)
    else:
        shown, names = keys, ", ".join(keys)
    return dup.select(
        pl.col(ROW).alias("row"),
        pl.lit(names).alias("column"),
        pl.concat_str([pl.col(k).cast(pl.String) for k in shown], separator=", ").alias("value")
        if profile is not None else pl.concat_str([pl.col(k).cast(pl.String) for k in shown], separator="|").alias("value"),
        pl.format("duplicate of row {} (same {})", pl.col("_first"), pl.lit(names)).alias("reason"),
    )


class _SeenKeys:
    """The natural keys of a file's earlier blocks and the row each was first on, for a full-path
    import merged block by block (PostgreSQL, Spark, inside a caller's transaction): a key met again
    in a later block is rejected as the same key in one block is. Exact (the keys themselves, not
    hashes); kept in a few frames merged as they grow."""

    def __init__(self, table: str) -> None:
        self.table = table
        self.runs: list[pl.DataFrame] = []

    def first_rows(self, frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
        """``frame`` with ``_first`` set to the earlier block's row where a key was seen before;
        this block's first rows of new keys are remembered."""
        for run in self.runs:
            frame = (frame.join(run, on=keys, how="left", nulls_equal=True, maintain_order="left")
                     .with_columns(pl.coalesce("_seen", "_first").alias("_first")).drop("_seen"))
        new = frame.filter(pl.col(ROW) == pl.col("_first")).select(*keys, pl.col(ROW).alias("_seen"))
        if new.height:
            self.runs.append(new)
            while len(self.runs) > 1 and self.runs[-2].height < 2 * self.runs[-1].height:
                last = self.runs.pop()
                self.runs[-1] = pl.concat([self.runs[-1], last]).rechunk()
        return frame


def _reference_rejects(frame: pl.DataFrame, profile: Profile, con: ibis.BaseBackend) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Reject rows whose value of a referencing column (``table_rules.REFERENCES``) the store does not
    have in the referenced table; one lookup per batch (the store's known values), no Python per row."""
    rules = REFERENCES.get(profile.table, {})
    empty = pl.DataFrame(schema={"row": pl.UInt32, "column": pl.String, "value": pl.String, "reason": pl.String})
    if not rules or not frame.height or "store_id" not in frame.columns:
        return frame, empty
    sources = {f.to: f.source for f in profile.fields}
    parts = []
    stores = frame["store_id"].unique().drop_nulls().to_list()
    for column, ref in rules.items():
        if column not in frame.columns:
            continue
        known = pl.DataFrame(schema={"store_id": pl.String, column: pl.String})
        if ref.table in con.list_tables() and stores:
            t = con.table(ref.table)
            t = t.filter(t.store_id.isin(stores))
            pieces = [pl.from_arrow(t.select("store_id", t[c].cast("string").name(column)).distinct().to_pyarrow())
                      for c in ref.columns]
            known = pl.concat([p.cast({column: pl.String}) for p in pieces]).drop_nulls().unique()
        bad = frame.join(known, on=["store_id", column], how="anti")
        if bad.height:
            parts.append(bad.select(
                pl.col(ROW).alias("row"),
                pl.lit(sources.get(column, column)).alias("column"),
                pl.col(column).cast(pl.String).alias("value"),
                pl.format("unknown {} for store {}: not a {} of {} ({})", pl.lit(ref.what), pl.col("store_id"),
                          pl.lit(" or ".join(ref.columns)), pl.lit(ref.table), pl.lit(ref.hint)).alias("reason"),
            ))
    if not parts:
        return frame, empty
    rejects = pl.concat(parts)
    return frame.filter(~pl.col(ROW).is_in(rejects["row"].unique().implode())), rejects


def _check_headers(src: TabularSource, profile: Profile, file: str) -> list[str]:
    """Refuse a file that lacks required columns (naming the profile it looks like); warn of extras."""
    got = set(src.headers)
    missing = [f.source for f in profile.fields if f.required and f.source not in got]
    if missing:
        likely, score = profile_detect(list(src.headers))
        hint = (
            f"; it looks like a {likely.name_en} file (profile {likely.id}, {score:.0%} of columns match)"
            if likely is not None and likely.id != profile.id else ""
        )
        raise ValidationError(
            f"{file}: required column(s) missing for profile {profile.id}: {', '.join(missing)}{hint}; "
            f"the file has: {', '.join(src.headers)}"
        )
    if profile.options.get("detect_values"):  # a layout told apart from another by its values
        sample = first_record(src) or {}
        if not profile_matches_sample(profile, sample):
            header = next(h for h, p in profile.options["detect_values"].items()
                          if not re.search(p, (sample.get(h) or "").strip()))
            likely, _score = profile_detect(list(src.headers), sample)
            hint = f"; it looks like a {likely.name_en} file (profile {likely.id})" if likely is not None else ""
            raise ValidationError(
                f"{file}: row {src.first_row}, column {header}: {sample.get(header)!r} is not this layout's value "
                f"for profile {profile.id} (expected to match {profile.options['detect_values'][header]}){hint}"
            )
    extra = [h for h in src.headers if h not in set(profile.headers)]
    return [f"{file}: column(s) not in profile {profile.id}, ignored: {', '.join(extra)}"] if extra else []


def import_file(
    path: Path,
    *,
    profile: Profile,
    con: ibis.BaseBackend,
    store_id: str | None = None,
    tz: str = "Asia/Shanghai",
    strict: bool = False,
    pii_key: str = "",
    sheet: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportOutcome:
    """Import one file (CSV, CSV.gz, zip or XLSX) with one profile into the warehouse."""
    names = tuple(profile.headers) if profile.options.get("header") is False else None
    with open_source(Path(path), sheet=sheet, expected=set(profile.headers), names=names) as src:
        return _import_source(src, profile=profile, con=con, store_id=store_id, tz=tz, strict=strict,
                              pii_key=pii_key, on_progress=on_progress)


def _import_source(
    src: TabularSource,
    *,
    profile: Profile,
    con: ibis.BaseBackend,
    store_id: str | None,
    tz: str,
    strict: bool,
    pii_key: str,
    on_progress: Callable[[int, int], None] | None,
) -> ImportOutcome:
    started, started_cpu = time.perf_counter(), time.process_time()
    strict = strict or profile.table in ALL_OR_NOTHING  # half a delivery note is worse than none
    path = src.path
    virtual = profile.table in VIRTUAL_TABLES
    needs_store = virtual or "store_id" in TABLES[profile.table].column_names
    if needs_store and store_id is None and "store_id" not in [f.to for f in profile.fields]:
        raise ValidationError(f"{path.name}: profile {profile.id} needs a store (--store)")
    warnings = _check_headers(src, profile, path.name)
    # hashlib releases the GIL: the digest reads alongside the import (a pool per import: safe after a fork)
    hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shopops-import-sha256")
    hashing = hasher.submit(file_sha256, path)
    hasher.shutdown(wait=False)
    outcome = ImportOutcome(path.name, profile.id, profile.table, store_id, "", warnings=warnings)
    total_bytes = path.stat().st_size
    absent = [pl.lit(None, dtype=pl.String).alias(f.source) for f in profile.fields if f.source not in src.headers]

    now = _now()

    def typed_batches() -> Iterator[pl.DataFrame]:
        offset = 0
        batches = src.batches()
        while True:
            with _Stage(outcome, "read"):
                record_batch = next(batches, None)
                if record_batch is None:
                    break
                frame = pl.from_arrow(record_batch).with_row_index(ROW, offset=offset + src.first_row).with_columns(absent)
            offset += record_batch.num_rows
            outcome.rows_read += record_batch.num_rows
            with _Stage(outcome, "typing"):
                typed = type_batch(frame, profile, tz=tz, pii_key=pii_key)
                _collect(outcome, typed.rejects)
                _note_future(outcome, typed.frame, profile, tz=tz, now=now)
            if on_progress:
                on_progress(outcome.rows_read, total_bytes)
            yield typed.frame

    def checked_batches(*, staged: bool = False) -> Iterator[pl.DataFrame]:
        """Checked blocks. ``staged``: every block goes on (a strict import with rejects too: the
        staged rows' repeated keys are rejects to list) and repeated keys are left to the stage
        (``staging.TempRows.repeats``, over the whole file); else a key seen earlier in the block or
        in an earlier block is rejected here (``_SeenKeys``): one rule over the whole file either way."""
        seen = None if staged else _SeenKeys(profile.table)
        for typed in typed_batches():
            with _Stage(outcome, "checks"):
                good = _derive(typed, profile.table, tz=tz, store_id=store_id, con=con)
                if not staged:
                    good, dup_rejects = _duplicate_rejects(good, profile.table, seen, profile=profile)
                    _collect(outcome, dup_rejects)
                good, ref_rejects = _reference_rejects(good, profile, con)
                _collect(outcome, ref_rejects)
                if strict and outcome.rows_rejected and not staged:
                    continue  # keep counting rejects; nothing will be loaded
            yield good

    def table_batches() -> Iterator[pa.Table]:
        for good in checked_batches():
            yield good.drop(ROW).to_arrow()

    fast = None
    with fast_csv.bounded_memory(con):  # every DuckDB import: the staged and written rows spill
        if not virtual and fast_csv.eligible(src, profile, con):
            same = fast_csv.marked_rows(con, profile, store_id=store_id, tz=tz, sha256=hashing.result,
                                         pii_key=pii_key)
            if same is not None:  # the same file, and nothing written to its table since: nothing to do
                outcome.sha256, outcome.rows_read, outcome.fast, outcome.unchanged_file = hashing.result(), same, True, True
                outcome.tables[profile.table] = LoadResult(profile.table, rows=same)
                outcome.loaded = True
                outcome.seconds = time.perf_counter() - started
                return outcome
            try:
                # a GBK or gzip file is read from a UTF-8 copy of its text, deleted once its rows are staged
                with _Stage(outcome, "read+typing+checks in DuckDB"), fast_csv.plain_text(src) as plain:
                    fast = fast_csv.stage_file(plain, profile, con, store_id=store_id, tz=tz, pii_key=pii_key)
            except fast_csv.NotFast:
                fast = None  # the full path types it again and names every bad value
        try:
            if fast is not None:
                outcome.rows_read, outcome.fast = fast.rows, True
                if on_progress:
                    on_progress(fast.rows, total_bytes)
                with transaction(con):
                    outcome.tables[profile.table] = load(con, profile.table, [fast.stage], atomic=True, keys_unique=True)
                    fast_csv.mark(con, profile, store_id=store_id, tz=tz, sha256=hashing.result(), rows=fast.rows,
                                  pii_key=pii_key)
            elif virtual:
                _load_sales_lines(typed_batches(), outcome, profile=profile, con=con, store_id=store_id, tz=tz, strict=strict,
                                  file_bytes=data_bytes(src))  # a .csv.gz or zip: the text it unpacks to
            elif staging.supported(con):  # every block staged aside, merged once (memory stays flat)
                outcome.tables[profile.table] = _load_staged(checked_batches(staged=True), outcome, table=profile.table,
                                                             con=con, strict=strict, profile=profile)
            else:
                result = load(con, profile.table, _strict_guard(table_batches(), outcome, strict), atomic=strict,
                              keys_unique=True)
                outcome.tables[profile.table] = result
            outcome.loaded = True
            if profile.table == "orders":
                _lines_take_paid_dates(outcome, con=con, store_id=store_id)
        except StrictModeRejected:
            pass
    outcome.sha256 = hashing.result()
    outcome.warnings.extend(_future_warnings(outcome, now=now, tz=tz))
    outcome.rejects.sort(key=lambda r: (r.row, r.column))
    outcome.seconds = time.perf_counter() - started
    # the rest: staging and merging (and the sales-lines split), whose batches the loader pulls
    outcome.stages["load"] = [outcome.seconds - sum(s[0] for s in outcome.stages.values()),
                              time.process_time() - started_cpu - sum(s[1] for s in outcome.stages.values())]
    return outcome


FUTURE_ROWS_NAMED = 5  # rows a "dated after the import" warning names


def _now():
    import datetime as dt

    return dt.datetime.now(dt.timezone.utc)


def _note_future(outcome: ImportOutcome, frame: pl.DataFrame, profile: Profile, *, tz: str, now) -> None:
    """Count the rows of a typed block whose instant that cannot be in the future
    (``table_rules.NOT_IN_FUTURE``) is after ``now``, and keep the first few (row, local time)."""
    columns = NOT_IN_FUTURE.get(profile.table, ())
    for spec in profile.fields:
        if spec.type is not FieldType.DATETIME or spec.to not in columns or spec.to not in frame.columns:
            continue
        later = frame.filter(pl.col(spec.to) > now)
        if not later.height:
            continue
        seen = outcome.future.setdefault(spec.source, [0, []])
        seen[0] += later.height
        room = FUTURE_ROWS_NAMED - len(seen[1])
        if room > 0:
            first = later.sort(ROW).head(room).select(
                ROW, pl.col(spec.to).dt.convert_time_zone(tz).dt.strftime("%Y-%m-%d %H:%M:%S").alias("at"))
            seen[1].extend(first.iter_rows())


def _future_warnings(outcome: ImportOutcome, *, now, tz: str) -> list[str]:
    """One warning per column with rows dated after the import: imported as they are, named."""
    from zoneinfo import ZoneInfo

    at = now.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
    out = []
    for source, (count, first) in outcome.future.items():
        rows = ", ".join(f"row {row} ({value})" for row, value in sorted(first)[:FUTURE_ROWS_NAMED])
        out.append(f"{outcome.file}: {count} row(s) dated after the import ({at} {tz}) in column {source}, "
                   f"imported as they are; check the export: {rows}")
    return out


SALES_PART_BYTES = 24 << 20  # a sales-lines file above this is split into parts of about this much text


def _load_sales_lines(
    typed: Iterator[pl.DataFrame],
    outcome: ImportOutcome,
    *,
    profile: Profile,
    con: ibis.BaseBackend,
    store_id: str | None,
    tz: str,
    strict: bool,
    file_bytes: int = 0,
) -> None:
    """Split sales lines into orders, lines, refunds, customers and products; load them in one transaction.

    A small file is split in memory. A larger one streams: each typed block is spilled to disk in
    parts by a hash of its order id (so every line of an order lands in the same part, wherever
    it is in the file) and again, narrowed to the buyer columns, by a hash of the buyer (so a
    customer's first-seen time is the earliest of all their orders); then one part at a time is
    read back, split and loaded. Products keep the last title seen, a table as small as the
    catalogue. Cancellations (``cancel_prefix``) look across a buyer's orders: every line's
    matching columns go to parts by buyer too, and each such part matches its cancellations.
    On DuckDB each table's rows of every part are staged (``ingest.staging``) and every table is
    merged once, orders first, in one transaction; else the parts are merged in turn in one
    transaction. Memory stays at a part, whatever the file's size.
    """
    parts = max(1, -(-file_bytes // SALES_PART_BYTES))
    prefix = profile.options.get("cancel_prefix")
    if parts == 1:
        lines = pl.concat(list(typed), how="vertical_relaxed")
        lines = sales_lines.normalise(lines, profile.options)
        lines, dup_rejects = _duplicate_rejects(lines, "order_lines", profile=profile)
        _collect(outcome, dup_rejects)
        if strict and outcome.rows_rejected:
            raise StrictModeRejected(f"{outcome.file}: {outcome.rows_rejected} row(s) rejected; strict mode loaded nothing")
        frames = sales_lines.split(lines.drop(ROW), profile.options)
        with transaction(con):
            for table, frame in frames.items():
                frame = _derive(frame, table, tz=tz, store_id=store_id, con=con)
                if table == "products":
                    frame = _kept_absent(frame, table, con)
                outcome.tables[table] = load(con, table, frame.to_arrow(), update=table != "customers")
        return
    import tempfile

    import pyarrow.ipc as ipc

    with tempfile.TemporaryDirectory(prefix="shopops-sales-lines-") as spill:
        spill_dir = Path(spill)
        by_order, by_buyer = _Spill(spill_dir / "o", parts), _Spill(spill_dir / "c", parts)
        by_canceller = _Spill(spill_dir / "x", parts)  # cancel_prefix: every buyer's lines, to match cancellations
        try:
            for batch in typed:
                by_order.add(batch, pl.col("order_id"))
        finally:
            by_order.close()
        buyer_cols = ["customer_id", "created_at", "unified_id", "phone_masked", "province", "city"]
        titles = []  # per part: each product's last title and the row it is on
        # each table's rows of every part go to a staged file of their own (``ingest.staging``) when the
        # warehouse reads them (DuckDB); then every table is merged once, in one transaction
        staged = staging.supported(con)
        stages: dict[str, staging.TempRows] = {}
        totals: dict[str, LoadResult] = {}

        def put(table: str, frame: pl.DataFrame, *, update: bool = True) -> None:
            if staged:
                stages.setdefault(table, staging.TempRows(con, table)).add(frame.to_arrow())
            else:
                _add(totals, load(con, table, frame.to_arrow(), update=update))

        def split_part(part: int) -> None:  # a function: its frames are gone once the part is put
            lines = by_order.read(part, ipc)
            if lines is None:
                return
            lines = sales_lines.normalise(lines, profile.options)
            lines, dup_rejects = _duplicate_rejects(lines, "order_lines", profile=profile)
            _collect(outcome, dup_rejects)
            if strict and outcome.rows_rejected:
                return  # keep counting rejects; nothing will be loaded
            by_buyer.add(lines.select([c for c in buyer_cols if c in lines.columns])
                         .filter(pl.col("customer_id").is_not_null()), pl.col("customer_id"))
            if "title" in lines.columns:
                titles.append(lines.group_by("product_id").agg(
                    pl.col("title").drop_nulls().last(),
                    pl.col(ROW).filter(pl.col("title").is_not_null()).max().alias("_at")))
            if prefix:  # a buyer's sales and cancellations, wherever their orders are, meet in one part
                by_canceller.add(lines.select(*sales_lines.CANCEL_MATCH_COLUMNS, ROW), pl.col("customer_id"))
            frames = sales_lines.split(lines.drop(ROW),
                                       {**profile.options, "emit": _emitted(profile, "customers", "products")},
                                       cancellations=False)
            del lines
            # every line of an order is in this part with its order: staged, a line without a payment
            # time takes the paid date of its order as this file has it (merged before the lines)
            orders = None
            for table in list(frames):
                frame = _derive(frames.pop(table), table, tz=tz, store_id=store_id, con=con,
                                orders=orders if staged else None)
                if table == "orders":
                    orders = frame
                put(table, frame)

        def cancellations_part(part: int) -> None:
            lines = by_canceller.read(part, ipc)
            if lines is None:
                return
            lines = lines.sort(ROW)  # file order: of two orders at the same time, the later one is refunded
            cancelled = pl.col("order_id").str.starts_with(prefix)
            refunds = sales_lines.cancellation_refunds(lines.filter(cancelled), lines.filter(~cancelled))
            if refunds.height:
                put("refunds", _derive(refunds, "refunds", tz=tz, store_id=store_id, con=con))

        def buyers_part(part: int) -> None:
            buyers = by_buyer.read(part, ipc)
            if buyers is not None:  # every order of a buyer is in this part: first seen = the earliest
                put("customers", _derive(sales_lines.customers(buyers), "customers", tz=tz, store_id=store_id,
                                         con=con), update=False)

        try:
            with contextlib.nullcontext() if staged else transaction(con):
                try:
                    for part in range(parts):
                        split_part(part)
                finally:
                    by_buyer.close()
                    by_canceller.close()
                if prefix and not (strict and outcome.rows_rejected) and "refunds" in _emitted(profile):
                    for part in range(parts):
                        cancellations_part(part)
                if strict and outcome.rows_rejected:
                    raise StrictModeRejected(f"{outcome.file}: {outcome.rows_rejected} row(s) rejected; strict mode loaded nothing")
                if "customers" in _emitted(profile):
                    for part in range(parts):
                        buyers_part(part)
                if titles and "products" in _emitted(profile):
                    products = pl.concat(titles).sort("_at", nulls_last=False).group_by("product_id").agg(
                        pl.col("title").drop_nulls().last())
                    titles.clear()
                    put("products", _kept_absent(_derive(products, "products", tz=tz, store_id=store_id, con=con),
                                                 "products", con))
                    del products
            if staged:
                # orders first: lines and refunds place the rollups by their orders' paid dates
                order = ["orders", "order_lines", "refunds", "customers", "products"]
                ready = {table: stages[table].staged() for table in sorted(stages, key=order.index)}
                with transaction(con):
                    for table, rows in ready.items():
                        if rows is not None:
                            totals[table] = load(con, table, [rows], update=table != "customers")
            outcome.tables.update(totals)
        finally:
            for rows in stages.values():
                rows.drop()


def _load_staged(batches: Iterator[pl.DataFrame], outcome: ImportOutcome, *, table: str, con: ibis.BaseBackend,
                 strict: bool, profile: Profile | None = None) -> LoadResult:
    """Stage every checked block in a temporary table (``ingest.staging``), then merge it once, in one
    transaction: a strict import with a reject, or any failure, leaves the warehouse as it was."""
    rows = staging.TempRows(con, table, rows_numbered=True)
    try:
        for good in batches:
            with _Stage(outcome, "stage"):
                rows.add(good.drop(ROW).to_arrow(), good[ROW].to_arrow())
        staged = rows.staged()
        if rows.repeated_rows:  # a key an earlier row of the file has, in a later block: rejected, as within one
            keys = list(TABLES[table].key)
            repeats = pl.from_arrow(rows.repeats(max(MAX_REJECTS_KEPT - len(outcome.rejects), 0)))
            _collect(outcome, _repeat_rejects(repeats, keys, profile))
            outcome.rows_rejected += rows.repeated_rows - repeats.height  # those past the kept rejects
        if strict and outcome.rows_rejected:
            raise StrictModeRejected(f"{outcome.file}: {outcome.rows_rejected} row(s) rejected; strict mode loaded nothing")
        if staged is None:
            return load(con, table, [], keys_unique=True)
        return load(con, table, [staged], atomic=True, keys_unique=True)
    finally:
        rows.drop()


def _emitted(profile: Profile, *leave_out: str) -> list[str]:
    emit = profile.options.get("emit") or ["orders", "order_lines", "refunds", "customers", "products"]
    return [t for t in emit if t not in leave_out]


def _add(totals: dict[str, LoadResult], result: LoadResult) -> None:
    total = totals.setdefault(result.table, LoadResult(result.table))
    total.rows += result.rows
    total.inserted += result.inserted
    total.updated += result.updated


class _Spill:
    """Arrow IPC files on disk, one per hash part, appended block by block."""

    def __init__(self, stem: Path, parts: int) -> None:
        self.stem, self.parts = stem, parts
        self.writers: dict[int, object] = {}
        self.schema: pa.Schema | None = None

    def add(self, frame: pl.DataFrame, key: pl.Expr) -> None:
        import pyarrow.ipc as ipc

        if not frame.height:
            return
        tagged = frame.with_columns((key.hash(seed=7) % self.parts).alias("\x00part"))
        for (part,), piece in tagged.partition_by("\x00part", as_dict=True, include_key=False).items():
            table = piece.to_arrow()
            if self.schema is None:
                self.schema = table.schema
            table = table.cast(self.schema)
            if part not in self.writers:
                self.writers[part] = ipc.new_stream(str(self.stem) + f"{part}.arrows", self.schema)
            self.writers[part].write_table(table)

    def close(self) -> None:
        for writer in self.writers.values():
            writer.close()

    def read(self, part: int, ipc) -> pl.DataFrame | None:
        if part not in self.writers:
            return None
        with ipc.open_stream(str(self.stem) + f"{part}.arrows") as reader:
            return pl.from_arrow(reader.read_all())


def _strict_guard(batches: Iterator[pa.Table], outcome: ImportOutcome, strict: bool) -> Iterator[pa.Table]:
    """In strict mode, abort the (single) transaction once the whole file is read with rejects."""
    yield from batches
    if strict and outcome.rows_rejected:
        raise StrictModeRejected(f"{outcome.file}: {outcome.rows_rejected} row(s) rejected; strict mode loaded nothing")


def _collect(outcome: ImportOutcome, *parts: pl.DataFrame) -> None:
    for part in parts:
        if not part.height:
            continue
        outcome.rows_rejected += part["row"].n_unique()
        room = MAX_REJECTS_KEPT - len(outcome.rejects)
        for rec in part.sort("row").head(max(room, 0)).iter_rows(named=True):
            outcome.rejects.append(Reject(outcome.file, int(rec["row"]), rec["column"], rec["value"], rec["reason"]))
