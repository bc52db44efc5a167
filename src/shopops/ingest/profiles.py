"""Import profiles: one declarative TOML file per export layout.

A profile maps the exported column names (usually Chinese) to canonical columns of
one warehouse table, with a type per column and, for status columns, a mapping of
the platform's labels to canonical codes. The files live in ``profiles/``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache
from pathlib import Path

from shopops.warehouse.schema import TABLES

PROFILE_DIR = Path(__file__).with_name("profiles")

# Inputs a profile may map that are not canonical columns: the pipeline derives
# canonical columns from them (a line's paid date from its payment time).
DERIVATION_INPUTS: dict[str, frozenset[str]] = {"order_lines": frozenset({"paid_at"})}

# Virtual targets: one exported row feeds several canonical tables. ``sales_lines`` is
# the shape of most platform order exports and of generic transaction files: one row
# per order line, with the order's fields repeated (see ingest/sales_lines.py).
VIRTUAL_TABLES: dict[str, frozenset[str]] = {
    "sales_lines": frozenset({
        "order_id", "customer_id", "status", "created_at", "paid_at", "order_goods_amount",
        "order_discount_amount", "platform_discount", "shipping_fee", "order_paid_amount", "province",
        "city", "traffic_source", "is_presale", "phone", "line_no", "product_id", "sku_id", "title",
        "quantity", "unit_price", "line_discount", "line_paid_amount", "refund_status", "refund_amount",
    })
}


class FieldType(StrEnum):
    STRING = "string"
    INT = "int"
    MONEY = "money"
    DATE = "date"
    DATETIME = "datetime"
    BOOLEAN = "boolean"
    STATUS = "status"
    PHONE = "phone"  # hashed to customers.unified_id and masked; never stored raw
    ID = "id"  # an identifier that spreadsheets may have turned into a float: 17850.0 -> 17850
    UNIX_SECONDS = "unix_seconds"  # an instant as seconds since 1970-01-01 UTC
    PERCENT = "percent"  # a share: "85.2%" or "0.852" -> 0.852 (a number above 1 without % is refused)
    DURATION = "duration"  # a length of time in seconds: "25", "25秒", "25s", "1分05秒", "00:01:05" -> 65.0
    # a period in one cell, "2026-11-01~2026-11-30" (also 至, 到, ～, " - "; one date = a one-day period):
    # ``to`` takes its first day and ``end`` names the column that takes its last day
    PERIOD = "period"
    PERIOD_END = "period_end"  # the last day of a PERIOD cell (made by the loader from ``end``; not written in TOML)
    IGNORE = "ignore"  # a column the layout has and shopops does not keep


@dataclass(frozen=True, slots=True)
class FieldSpec:
    source: str  # header in the export
    to: str  # canonical column (or ``phone`` for PHONE)
    type: FieldType
    required: bool = False
    default: str | None = None
    formats: tuple[str, ...] = ()
    round: bool = False  # money: round extra decimals half-up to the cent instead of rejecting


@dataclass(frozen=True, slots=True)
class Profile:
    id: str
    table: str
    name_zh: str
    name_en: str
    fields: tuple[FieldSpec, ...]
    status: dict[str, str]
    options: dict = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return [f.source for f in self.fields]

    def name(self, language: str) -> str:
        return self.name_en if language.startswith("en") else self.name_zh


DEFAULT_FORMATS = {
    FieldType.DATE: ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"),
    FieldType.PERIOD: ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"),
    FieldType.PERIOD_END: ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"),
    FieldType.DATETIME: ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"),
}


def profile_from_toml(text: str, *, origin: str = "<string>") -> Profile:
    data = tomllib.loads(text)
    try:
        table = data["table"]
        if table not in TABLES and table not in VIRTUAL_TABLES:
            raise ValueError(f"unknown table {table!r}")
        columns = VIRTUAL_TABLES.get(table) or (set(TABLES[table].column_names) | DERIVATION_INPUTS.get(table, frozenset()))
        fields = []
        for source, spec in data["columns"].items():
            ftype = FieldType(spec.get("type", "string"))
            to = spec.get("to", "")
            if ftype is FieldType.PERIOD_END:
                raise ValueError(f"column {source!r}: write type = \"period\" with end = \"<column>\"")
            if ftype not in (FieldType.PHONE, FieldType.IGNORE) and to not in columns:
                raise ValueError(f"column {source!r} maps to {to!r}, which {table} does not have")
            fields.append(
                FieldSpec(
                    source=source,
                    to=to,
                    type=ftype,
                    required=bool(spec.get("required", False)),
                    default=spec.get("default"),
                    formats=tuple(spec.get("formats", DEFAULT_FORMATS.get(ftype, ()))),
                    round=bool(spec.get("round", False)),
                )
            )
            if ftype is FieldType.PERIOD:
                end = spec.get("end", "")
                if end not in columns:
                    raise ValueError(f"column {source!r} (a period) needs end = a column of {table}; got {end!r}")
                fields.append(replace(fields[-1], to=end, type=FieldType.PERIOD_END))
        options = dict(data.get("options", {}))
        if paid := options.get("paid_includes_shipping"):
            money = {f.to for f in fields if f.type is FieldType.MONEY}
            if paid not in money or "shipping_fee" not in money:
                raise ValueError(f"option paid_includes_shipping = {paid!r}: it names a money column the profile maps "
                                 f"(the paid amount that includes shipping), and the profile must map shipping_fee")
        return Profile(
            id=data["id"],
            table=table,
            name_zh=data.get("name_zh", data["id"]),
            name_en=data.get("name_en", data["id"]),
            fields=tuple(fields),
            status=dict(data.get("status", {})),
            options=options,
        )
    except (KeyError, ValueError) as exc:
        raise ValueError(f"profile {origin}: {exc}") from exc


@cache
def profiles() -> dict[str, Profile]:
    out = {}
    for path in sorted(PROFILE_DIR.glob("*.toml")):
        profile = profile_from_toml(path.read_text(encoding="utf-8"), origin=path.name)
        out[profile.id] = profile
    return out


def profile_get(profile_id: str) -> Profile:
    try:
        return profiles()[profile_id]
    except KeyError:
        raise KeyError(f"unknown profile {profile_id!r}; known: {', '.join(profiles())}") from None


def profile_detect(headers: list[str], sample: dict[str, str] | None = None) -> tuple[Profile | None, float]:
    """The profile whose columns best match the headers, and the share that matched: the file's
    columns the profile knows, over the file's columns and the ones the profile keeps (maps, without
    a default). A kept column missing or an unknown column lowers it; an ignored one missing does not.

    ``sample``: the first data row (header -> text), when the caller has it. A profile whose
    ``detect_values`` option (header -> regular expression) the sample does not match is passed
    over: two layouts with the same headers (生意参谋 按日 and a period export, whose 统计日期 reads
    ``2026-11-01~2026-11-30``) are told apart by their values. Without a sample, ties go to the
    first profile in file-name order, as before.
    """
    best, best_score = None, 0.0
    got = {h.strip() for h in headers}
    for profile in profiles().values():
        required = {f.source for f in profile.fields if f.required}
        if not required <= got:
            continue
        if sample is not None and not profile_matches_sample(profile, sample):
            continue
        score = profile_score(profile, got)
        if score > best_score:
            best, best_score = profile, score
    return best, best_score


def profile_score(profile: Profile, got: set[str]) -> float:
    """How well a header row (``got``, stripped) fits the profile, 0–1: the file's columns the profile
    knows, over the file's columns and the columns the profile keeps. A kept column (mapped, without a
    default) missing from the file counts against it, and so does a file column it does not know; an
    ignored column missing from a trimmed export does not: 直通车's 计划名称 tells its report from
    万相台's (计划名字) whatever ignored columns each layout lists."""
    expected = {f.source for f in profile.fields if f.type is not FieldType.IGNORE and f.default is None}
    whole = expected | got
    return len(set(profile.headers) & got) / len(whole) if whole else 0.0


def profile_matches_sample(profile: Profile, sample: dict[str, str]) -> bool:
    """Whether the first data row fits the profile's ``detect_values`` (True without any)."""
    for header, pattern in (profile.options.get("detect_values") or {}).items():
        value = (sample.get(header) or "").strip()
        if value and not re.search(pattern, value):
            return False
    return True
