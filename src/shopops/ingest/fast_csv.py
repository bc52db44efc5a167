"""The fast path of an import: a clean UTF-8 CSV read, typed and checked inside DuckDB.

A DuckDB warehouse reads a plain CSV file with its own parallel, columnar ``read_csv``
(every field as text), types every column with SQL casts in the same pass and stages the
typed rows in a temporary table of the warehouse, which the loader merges from there. It
only ever *accepts*: a value is typed here only by a rule that gives exactly what the full
rules of ``pipeline.type_batch`` give for it, or nothing, and one flag per row records
whether anything about the row needs a closer look — a value the fast rule could not type,
a required value missing, a value below its floor, a control character or a byte-order
mark, a cell longer than the limit, a value with spaces around it (the full path trims
them), a natural key seen twice. An order line without a payment time takes its order's
paid date from the warehouse, as the full path does (the import's store given; else the
full way). A file with any flagged row, a time zone whose offset changes within the file,
or anything DuckDB cannot read goes the full way (``pipeline``), which names every bad value exactly as before:
file, row, column, value, expected. So the fast path changes how fast a clean file loads,
never what an import accepts or says.

What takes the fast path: a DuckDB warehouse; a CSV file in UTF-8 or GBK/GB18030, plain or
gzip-compressed (a GBK or gzip file is read from a UTF-8 copy of its text, ``plain_text``; zip
members keep the capped streaming reader); a profile of a canonical
table (not ``sales_lines``) whose fields are text, ids, whole numbers, amounts (without
``round``), dates and date-times in the default first format, seconds since 1970,
statuses, yes/no values and phones (of customers: hashed and masked in SQL), with no
``key_from`` and no table with references or known values (``table_rules``, ``known_values``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import ibis
import polars as pl

from shopops.ingest.known_values import known_values
from shopops.ingest.profiles import FieldSpec, FieldType, Profile
from shopops.ingest.readers import TabularSource, utf8_copy
from shopops.ingest.table_rules import KEPT_WHEN_EMPTY, NON_NEGATIVE, NOT_IN_FUTURE, ORDERED_DATES, REFERENCES
from shopops.warehouse.loader import Staged
from shopops.warehouse.schema import TABLES

# the first formats the fast rules parse (their shape checked first, so no looser reading
# of DuckDB's strptime than chrono's can slip through)
DATE_SHAPES = {"%Y-%m-%d": r"\d{4}-\d{2}-\d{2}"}
DATETIME_SHAPES = {"%Y-%m-%d %H:%M:%S": r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"}
INTEGER = r"-?\d{1,18}"
MONEY = r"-?\d{1,16}(\.\d{1,2})?"
FAST_TYPES = {FieldType.STRING, FieldType.ID, FieldType.INT, FieldType.MONEY, FieldType.DATE, FieldType.DATETIME,
              FieldType.UNIX_SECONDS, FieldType.STATUS, FieldType.BOOLEAN, FieldType.PHONE, FieldType.IGNORE}
# a phone number the full rule keeps as it is: 11 digits, or a platform's mask (138****5678); any
# other shape (spaces, dashes, +86) is flagged and goes the full way
PHONE = r"\d{11}|\d{3}\*{4}\d{4}"
PHONE_COLUMNS = ("unified_id", "phone_masked")  # what a phone becomes (``pipeline.type_batch``)
# Unicode White_Space (what the full path's strip trims), for the "spaces around a value" flag
_WS = r"[\t\n\x0B\x0C\r\x{85}\p{Z}]"
_SEP = "\ue000"  # joins a row's values for one regex pass (a private-use character: false alarms only)


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass(slots=True)
class FastResult:
    rows: int
    stage: Staged


def eligible(src: TabularSource, profile: Profile, con: ibis.BaseBackend) -> bool:
    fmt = src.csv_format
    if con.name != "duckdb" or fmt is None or fmt.encoding not in ("utf-8", "utf-8-sig", "gb18030"):
        return False
    if profile.table not in TABLES or profile.table in REFERENCES or profile.table in ORDERED_DATES \
            or profile.table in KEPT_WHEN_EMPTY or profile.options.get("key_from"):
        return False
    if len(fmt.delimiter) != 1:
        return False
    table = TABLES[profile.table]
    instant = table.business_date_of
    targets = [f.to for f in profile.fields if f.type is not FieldType.IGNORE]
    if len(set(targets)) != len(targets):
        return False
    for spec in profile.fields:
        if spec.type not in FAST_TYPES or spec.round:
            return False
        if spec.type is FieldType.IGNORE:
            continue
        if spec.type is FieldType.PHONE:
            if spec.to != "phone" or not set(PHONE_COLUMNS) <= set(table.column_names) \
                    or set(PHONE_COLUMNS) & set(targets):
                return False  # the full path drops a phone of any other table, or types a phone column
            continue
        if spec.to not in table.column_names and spec.to != instant:
            return False
        if known_values(profile.table, spec.to) is not None:
            return False
        if spec.type is FieldType.DATE and (not spec.formats or spec.formats[0] not in DATE_SHAPES):
            return False
        if spec.type is FieldType.DATETIME and (not spec.formats or spec.formats[0] not in DATETIME_SHAPES):
            return False
    derived = {"store_id"} | ({table.business_date} if instant in targets else set())
    if table.name == "order_lines":
        derived.add("paid_date")
    missing = [k for k in table.key if k not in targets and k not in derived]
    return not missing


@contextlib.contextmanager
def plain_text(src: TabularSource) -> Iterator[TabularSource]:
    """The source as DuckDB's ``read_csv`` takes it: itself when it is an uncompressed UTF-8 file, else
    a UTF-8 copy of its text in a temporary directory (``readers.utf8_copy``: gzip unpacked under the
    readers' caps, GBK decoded as the streaming reader decodes it), deleted on leaving. Raises NotFast
    when the text cannot be copied (a byte that is not GBK, a corrupt or oversized gzip): the full path
    reads the file again and says what is wrong with it."""
    fmt = src.csv_format
    if not fmt.compressed and fmt.encoding in ("utf-8", "utf-8-sig"):
        yield src
        return
    with tempfile.TemporaryDirectory(prefix="shopops-import-text-") as tmp:
        copy = Path(tmp) / "text.csv"
        try:
            encoding = utf8_copy(src.path, fmt, copy)
        except Exception as exc:  # noqa: BLE001 - the full path reports it
            raise NotFast(f"cannot copy the text: {exc}") from exc
        yield dataclasses.replace(src, path=copy,
                                  csv_format=dataclasses.replace(fmt, encoding=encoding, compressed=False))


_LIMIT_LOCK = threading.Lock()
_LIMITED: dict[str, list] = {}  # database file -> [imports under way, limit before, insertion order before]
IMPORT_MEMORY = "160MB"


@contextlib.contextmanager
def bounded_memory(con: ibis.BaseBackend):
    """DuckDB's memory limit lowered while an import runs (``SHOPOPS_IMPORT_DUCKDB_MEMORY``,
    default ``IMPORT_MEMORY``; empty: unchanged), so the staged and written rows spill to DuckDB's
    temporary directory instead of growing the process with the file; and insertion order not
    kept (``preserve_insertion_order``): a ``CREATE TABLE … AS`` / ``INSERT … SELECT`` that keeps
    it holds rows back until the ones before them are written, which is what took a 5M-line file
    through ``shopops import`` past 600 MB (peak 617–651 MB at 256MB with the order kept, 495–578 MB
    at 160MB without, in the same time: bench/README, 2026-12-06, session 11). Nothing an import
    writes depends on the order of its rows; a read without ``ORDER BY`` may see another order while
    an import runs on the database. Both are the database's settings: the first import under way
    sets them, the last one restores them. A database in memory keeps its settings (it has nowhere
    to spill)."""
    limit = os.environ.get("SHOPOPS_IMPORT_DUCKDB_MEMORY", IMPORT_MEMORY)
    if not limit or con.name != "duckdb":
        yield
        return
    db = con.con
    key = db.execute("PRAGMA database_list").fetchone()[2]  # the database file: one limit for all its cursors
    if key in (None, ""):
        yield
        return
    setting = "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
    with _LIMIT_LOCK:
        entry = _LIMITED.setdefault(key, [0, None, None])
        if not entry[0]:
            entry[1], entry[2] = db.execute(setting).fetchone()
            db.execute(f"SET memory_limit = {_lit(limit)}")
            db.execute("SET preserve_insertion_order = false")
        entry[0] += 1
    try:
        yield
    finally:
        with _LIMIT_LOCK:
            entry[0] -= 1
            if not entry[0]:
                db.execute("RESET memory_limit")  # the default, exactly (a printed limit reads back rounded)
                db.execute("RESET preserve_insertion_order")
                now = db.execute(setting).fetchone()
                if now[0] != entry[1]:
                    db.execute(f"SET memory_limit = {_lit(entry[1])}")
                if now[1] != entry[2]:
                    db.execute(f"SET preserve_insertion_order = {'true' if entry[2] else 'false'}")
                _LIMITED.pop(key, None)


class NotFast(Exception):
    """The file needs the full path (a flagged row, a zone offset that changes, a read error)."""


def stage_file(src: TabularSource, profile: Profile, con: ibis.BaseBackend, *, store_id: str | None,
               tz: str, pii_key: str = "") -> FastResult:
    """Read, type and check the whole file in DuckDB; a temporary view shaped like the table.

    A phone becomes ``unified_id`` (HMAC-SHA256 under ``pii_key``, as ``pipeline.phone_hash``;
    none for a number the platform masked) and ``phone_masked``, as the full path makes them.

    Raises NotFast (having dropped what it made) when the file must go the full way.
    """
    from shopops.ingest.value_rules import MAX_CELL_CHARS
    from shopops.ingest.value_rules import fixed_offset as _fixed_offset

    fmt = src.csv_format
    assert not fmt.compressed and fmt.encoding in ("utf-8", "utf-8-sig"), "plain_text(src) first"
    db = con.con
    table = TABLES[profile.table]
    names = [f"c{j}" for j in range(len(fmt.headers))]
    column_of = {h: f"c{j}" for j, h in enumerate(fmt.headers)}
    specs = [s for s in profile.fields if s.type is not FieldType.IGNORE]
    types = {c.name: con.compiler.type_mapper.from_ibis(c.dtype).sql("duckdb") for c in table.columns}
    columns = "{" + ", ".join(f"{_lit(n)}: 'VARCHAR'" for n in names) + "}"
    path = str(src.path)
    reader = (f"read_csv({_lit(path)}, header=false, skip={1 if fmt.has_header else 0}, delim={_lit(fmt.delimiter)}, "
              f"quote='\"', escape='\"', auto_detect=false, strict_mode=true, null_padding=false, "
              f"columns={columns})")
    typed, flags, raw_used = [], [], []
    for i, spec in enumerate(specs):
        raw = column_of.get(spec.source)
        present = f"(nullif({raw}, '') IS NOT NULL)" if raw else "false"
        value = f"nullif({raw}, '')" if raw else "NULL::VARCHAR"
        if raw and spec.type in (FieldType.STRING, FieldType.ID):
            # a typed value is matched whole against its shape (or a label): spaces, a control
            # character or an overlong cell leave it untyped and flagged; text is checked below
            raw_used.append(raw)
        if spec.default is not None:
            value = f"coalesce({value}, {_lit(str(spec.default))})"
        expr, checked = _typed(spec, profile, value, types.get(spec.to))
        typed.append(f"{expr} AS t{i}")
        if checked:
            flags.append(f"({present} AND t{i} IS NULL)")
        if spec.required and spec.default is None:
            flags.append(f"NOT {present}")
        if (floor := NON_NEGATIVE.get(profile.table, {}).get(spec.to)) is not None:
            flags.append(f"coalesce(t{i} < {int(floor)}, false)")
    if raw_used:
        used = sorted(set(raw_used), key=names.index)
        joined = f"concat_ws({_lit(_SEP)}, {', '.join(used)})"
        pattern = (r"[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\x{FEFF}]|(?:^|" + r"\x{E000})" + _WS + "|" + _WS + r"(?:\x{E000}|$)")
        flags.append(f"regexp_matches({joined}, {_lit(pattern)})")
        flags.append(f"greatest({', '.join(f'coalesce(strlen({c}), 0)' for c in used)}) > {MAX_CELL_CHARS}")
    by_spec = {spec.to: i for i, spec in enumerate(specs)}
    less_shipping = None
    if (paid := profile.options.get("paid_includes_shipping")) and paid in by_spec and "shipping_fee" in by_spec:
        # the canonical paid amount excludes shipping (pipeline._paid_less_shipping); below it: the full way
        less_shipping = (by_spec[paid], by_spec["shipping_fee"])
        flags.append(f"coalesce(t{less_shipping[0]} > 0 AND t{less_shipping[0]} < coalesce(t{less_shipping[1]}, 0), false)")
    now = dt.datetime.now(dt.timezone.utc)
    for i, spec in enumerate(specs):
        if spec.type is FieldType.DATETIME and spec.to in NOT_IN_FUTURE.get(profile.table, ()):
            # a time after the import: the full path counts and names those rows in a warning
            local = now.astimezone(ZoneInfo(tz)).replace(tzinfo=None).isoformat(sep=" ")
            flags.append(f"coalesce(t{i} > TIMESTAMP {_lit(local)}, false)")
    bad = " OR ".join(flags) or "false"
    tmp = f"_fast_{uuid.uuid4().hex[:10]}"
    view, paid = f"{tmp}_v", f"{tmp}_paid"
    # the flags refer to the typed columns by name: type in an inner select, flag in the outer
    raws = sorted({column_of[s.source] for s in specs if s.source in column_of}, key=names.index)
    inner = f"SELECT {', '.join(typed + raws)} FROM {reader}"
    keep = ", ".join(f"t{i}" for i in range(len(specs)))
    try:
        db.execute(f"CREATE TEMP TABLE {tmp} AS SELECT {keep}, ({bad}) AS _bad FROM ({inner})")
    except Exception as exc:  # noqa: BLE001 - anything DuckDB cannot read, the full path reports
        _drop(db, tmp, view)
        raise NotFast(str(exc)) from exc
    try:
        by_to = {spec.to: i for i, spec in enumerate(specs)}
        instant = table.business_date_of
        stamps = [i for i, s in enumerate(specs) if s.type is FieldType.DATETIME]
        probes = ["count(*)", "count(*) FILTER (_bad)"] + [f"min(t{i})" for i in stamps] + [f"max(t{i})" for i in stamps]
        if table.name == "order_lines":
            probes.append(f"count(*) FILTER (t{by_to[instant]} IS NULL)" if instant in by_to else "count(*)")
        got = db.execute(f"SELECT {', '.join(probes)} FROM {tmp}").fetchone()
        rows, flagged = int(got[0]), int(got[1])
        if flagged:
            raise NotFast(f"{flagged} row(s) need the full rules")
        unpaid = table.name == "order_lines" and rows and got[-1]
        if unpaid and (store_id is None or instant not in by_to or "order_id" not in by_to):
            raise NotFast("order lines without a payment time, and no store to look their orders up in")
        offsets = {}
        for n, i in enumerate(stamps):
            low, high = got[2 + n], got[2 + len(stamps) + n]
            offset = _fixed_offset(pl.Series([low, high], dtype=pl.Datetime("us")), tz) if low is not None else dt.timedelta(0)
            if offset is None:
                raise NotFast("the zone's offset changes within the file")
            offsets[i] = offset
        select, source = [], tmp
        if unpaid:
            # a line without a payment time takes its order's paid date as the warehouse has it (the
            # full path's rule, ``pipeline._order_lines_paid_date``): the orders of those lines only
            source = f"{tmp} LEFT JOIN {paid} ON {paid}._order_id = {tmp}.t{by_to['order_id']}"
            db.execute(f"CREATE TEMP TABLE {paid} AS SELECT order_id AS _order_id, paid_date AS _paid_date "
                       f"FROM orders WHERE store_id = {_lit(store_id)} AND order_id IN "
                       f"(SELECT DISTINCT t{by_to['order_id']} FROM {tmp} WHERE t{by_to[instant]} IS NULL)")
        for c in table.columns:
            if c.name == table.business_date and instant in by_to:
                # a fixed offset: the store's date of the instant is the date of its wall-clock time
                expr = f"CAST(t{by_to[instant]} AS DATE)"
                if unpaid:
                    expr = f"coalesce({expr}, {paid}._paid_date)"
            elif c.name in PHONE_COLUMNS and "phone" in by_to:
                expr = _phone(f"t{by_to['phone']}", c.name, pii_key)
            elif c.name in by_to:
                i = by_to[c.name]
                expr = _utc(f"t{i}", offsets[i]) if i in offsets else f"t{i}"
                if less_shipping is not None and i == less_shipping[0]:
                    expr = f"CASE WHEN t{i} = 0 THEN t{i} ELSE t{i} - coalesce(t{less_shipping[1]}, 0) END"
            elif c.name == "store_id" and store_id is not None and "store_id" not in by_to:
                expr = _lit(store_id)
            else:
                expr = "NULL"
            select.append(f"CAST({expr} AS {types[c.name]}) AS \"{c.name}\"")
        keys = [k for k in table.key if k != "store_id" or store_id is None]
        key_exprs = [select[table.column_names.index(k)].rsplit(" AS ", 1)[0] for k in keys]
        dupes = db.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM {tmp} GROUP BY {', '.join(key_exprs)} HAVING count(*) > 1)"
        ).fetchone()[0] if keys and rows else 0
        if dupes:
            raise NotFast(f"{dupes} natural key(s) repeat")
        db.execute(f"CREATE TEMP VIEW {view} AS SELECT {', '.join(select)} FROM {source}")
        if "store_id" not in table.column_names:
            stores = [""]
        elif store_id is not None:
            stores = [store_id]
        else:
            stores = [r[0] for r in db.execute(f"SELECT DISTINCT store_id FROM {view}").fetchall()]
    except NotFast:
        _drop(db, tmp, view)
        raise
    except Exception as exc:  # noqa: BLE001
        _drop(db, tmp, view)
        raise NotFast(str(exc)) from exc
    return FastResult(rows, Staged(view, rows, tuple(stores), drop=(f"VIEW {view}", f"TABLE {paid}", f"TABLE {tmp}")))


def _drop(db, tmp: str, view: str) -> None:
    db.execute(f"DROP VIEW IF EXISTS {view}")
    db.execute(f"DROP TABLE IF EXISTS {tmp}_paid")
    db.execute(f"DROP TABLE IF EXISTS {tmp}")


def _phone(typed: str, column: str, pii_key: str) -> str:
    """SQL of ``unified_id`` or ``phone_masked`` from a typed phone (``pipeline.type_batch``'s rule):
    HMAC-SHA256 (RFC 2104) under ``pii_key`` written out with DuckDB's ``sha256``, hex like
    ``hmac.hexdigest``; the first 3 and last 2 characters around six ``*``."""
    from shopops.ingest.value_rules import PHONE_SHOWN_HEAD, PHONE_SHOWN_TAIL

    if column == "phone_masked":
        hidden = "*" * (11 - PHONE_SHOWN_HEAD - PHONE_SHOWN_TAIL)
        return f"(left({typed}, {PHONE_SHOWN_HEAD}) || {_lit(hidden)} || right({typed}, {PHONE_SHOWN_TAIL}))"
    import hashlib

    key = pii_key.encode()
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    inner, outer = bytes(b ^ 0x36 for b in block).hex(), bytes(b ^ 0x5C for b in block).hex()
    digest = f"sha256(unhex('{outer}') || unhex(sha256(unhex('{inner}') || encode({typed}))))"
    return f"CASE WHEN NOT contains({typed}, '*') THEN {digest} END"


def _utc(naive: str, offset: dt.timedelta) -> str:
    micros = int(offset / dt.timedelta(microseconds=1))
    return f"timezone('UTC', {naive} - to_microseconds({micros}))"


def _typed(spec: FieldSpec, profile: Profile, value: str, target: str | None) -> tuple[str, bool]:
    """(SQL typing ``value`` as the full rules do, or to NULL; whether a NULL from a present value is a flag)."""
    t = spec.type
    if t is FieldType.STRING:
        return value, False
    if t is FieldType.ID:
        # a spreadsheet's float tail ("123.0") is dropped, as the full rule does
        return f"regexp_replace({value}, '^(\\d+)\\.0+$', '\\1')", False
    if t is FieldType.INT:
        return f"CASE WHEN regexp_full_match({value}, {_lit(INTEGER)}) THEN TRY_CAST({value} AS {target or 'BIGINT'}) END", True
    if t is FieldType.MONEY:
        return f"CASE WHEN regexp_full_match({value}, {_lit(MONEY)}) THEN TRY_CAST({value} AS DECIMAL(18, 2)) END", True
    if t is FieldType.DATE:
        fmt = spec.formats[0]
        return (f"CASE WHEN regexp_full_match({value}, {_lit(DATE_SHAPES[fmt])}) "
                f"THEN CAST(try_strptime({value}, {_lit(fmt)}) AS DATE) END"), True
    if t is FieldType.DATETIME:
        fmt = spec.formats[0]
        return (f"CASE WHEN regexp_full_match({value}, {_lit(DATETIME_SHAPES[fmt])}) "
                f"THEN CAST(try_strptime({value}, {_lit(fmt)}) AS TIMESTAMP) END"), True
    if t is FieldType.UNIX_SECONDS:
        return (f"CASE WHEN regexp_full_match({value}, {_lit(INTEGER)}) "
                f"THEN timezone('UTC', make_timestamp(TRY_CAST({value} AS BIGINT) * 1000000)) END"), True
    if t is FieldType.PHONE:
        return f"CASE WHEN regexp_full_match({value}, {_lit(PHONE)}) THEN {value} END", True
    if t is FieldType.STATUS:
        cases = " ".join(f"WHEN {_lit(label)} THEN {_lit(code)}" for label, code in profile.status.items())
        return (f"CASE {value} {cases} END" if cases else "NULL::VARCHAR"), True
    if t is FieldType.BOOLEAN:
        from shopops.ingest.value_rules import FALSE_WORDS, TRUE_WORDS

        yes = ", ".join(_lit(w) for w in TRUE_WORDS)
        no = ", ".join(_lit(w) for w in FALSE_WORDS)
        return f"CASE WHEN {value} IN ({yes}) THEN true WHEN {value} IN ({no}) THEN false END", True
    raise AssertionError(t)


# --- the same file again ------------------------------------------------------------------
#
# A file loaded by the fast path leaves a mark: its SHA-256, the profile (its definition, not
# only its id), the store, the time zone, its row count, and the data version of the table for
# that store right after the load (``warehouse.versions``: it changes with every write of a
# row of that table and store, by any loader). Importing a file with the same mark while that
# version is still the one marked cannot change a row — the rows it would write are exactly
# the rows it wrote, and nothing wrote since — so it stops there and says so. The fast path
# only takes files with no rejected row whose typing reads no other table, so the mark covers
# everything the result depends on.

MARKS = "_import_marks"


def profile_key(profile: Profile, pii_key: str = "") -> str:
    """The profile's definition; with a phone field, also which PII key hashed it (an HMAC of a fixed
    text under the key, never the key): the same file under another key writes other rows."""
    import hashlib
    import hmac

    keyed = ""
    if any(f.type is FieldType.PHONE for f in profile.fields):
        keyed = hmac.new(pii_key.encode(), b"shopops import mark", hashlib.sha256).hexdigest()
    return hashlib.sha256(repr((profile.table, profile.fields, sorted(profile.status.items()),
                                sorted((k, repr(v)) for k, v in profile.options.items()), keyed)).encode()).hexdigest()[:32]


def _ensure_marks(db) -> None:
    db.execute(f"CREATE TABLE IF NOT EXISTS {MARKS} (store_id VARCHAR, table_name VARCHAR, sha256 VARCHAR, "
               "profile_key VARCHAR, tz VARCHAR, rows BIGINT, version VARCHAR, marked_at TIMESTAMP)")


def _version(con: ibis.BaseBackend, table: str, store: str) -> str:
    from shopops.warehouse.versions import data_version

    return data_version(con, [table], [store])


def marked_rows(con: ibis.BaseBackend, profile: Profile, *, store_id: str | None, tz: str, sha256,
                pii_key: str = "") -> int | None:
    """Rows of the same file already loaded with nothing written to its table since, else None.

    ``sha256``: a callable giving the file's digest (only waited for when a mark could match).
    """
    table = TABLES[profile.table]
    store = store_id if "store_id" in table.column_names else ""
    if store is None:
        return None
    db = con.con
    if MARKS not in con.list_tables():
        return None
    version = _version(con, table.name, store)
    found = db.execute(f"SELECT sha256, rows FROM {MARKS} WHERE store_id = ? AND table_name = ? AND profile_key = ? "
                       "AND tz = ? AND version = ?", [store, table.name, profile_key(profile, pii_key), tz, version]).fetchall()
    if not found:
        return None
    digest = sha256()
    return next((int(rows) for sha, rows in found if sha == digest), None)


def mark(con: ibis.BaseBackend, profile: Profile, *, store_id: str | None, tz: str, sha256: str, rows: int,
         pii_key: str = "") -> None:
    table = TABLES[profile.table]
    store = store_id if "store_id" in table.column_names else ""
    if store is None:
        return
    db = con.con
    _ensure_marks(db)
    key = [store, table.name, profile_key(profile, pii_key), tz]
    db.execute(f"DELETE FROM {MARKS} WHERE store_id = ? AND table_name = ? AND profile_key = ? AND tz = ? "
               "AND (sha256 = ? OR version <> ?)", [*key, sha256, _version(con, table.name, store)])
    db.execute(f"INSERT INTO {MARKS} VALUES (?, ?, ?, ?, ?, ?, ?, current_timestamp)",
               [store, table.name, sha256, key[2], tz, rows, _version(con, table.name, store)])
