"""Build a report: a typed :class:`Report` from the metrics runners.

Every number in a report is a catalog KPI computed by a runner (comparison, funnel,
targets); this module only picks which KPIs and dimensions each section shows, ranks and
sorts rows, and words the notable changes.

Visitors and conversion are each store's own 口径, as on the pages (``metrics.channels``): the
event stream for own-site stores, the platform's store report for platform stores (a period's
figure is the platform's period export when one matches the report's period exactly for every
platform store — ``period_*`` KPIs — else the sum of the daily reports, visitor-days, and the
report says so), ``channel_*`` where both kinds are in the report or per store. The KPI ids below
name what is asked for; :meth:`_Context.shown` gives the one computed. It imports no Django and no renderer, so the
same :class:`Report` feeds the HTML page, the PDF and the Excel file.

    report = report_build(kind=ReportKind.WEEKLY, period=Period.parse("2025-W45"), language="zh-hans")

A report holds sections; a section holds tables (columns with a unit, rows of values)
and sentences. Column units are the catalog's units plus ``text``, ``change`` and ``share`` (a part of
a whole, 0.12 = 12%). A ``change`` cell holds the relative change (0.12 = +12%), except for a KPI whose
catalog unit is a percent: its absolute change in points (0.013 = +1.30 pp; ``formatting.change_unit``).

Monthly targets are the targets runner's (``metrics.runners.targets``), with the rule the cockpit
uses: a report on every store takes, for an additive KPI with no all-stores target and a target for
every store, the stores' targets added up (``stores_summed``, marked so); the stores table shows each
store's own targets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import ibis

from shopops.core.periods import Period, month_period
from shopops.metrics.catalog import CATALOG, Direction, Unit, refund_dependent
from shopops.metrics.cockpit import first_fact_date
from shopops.metrics.channels import has_event_stream, is_whole_period_kpi, source_group, visitor_kpi
from shopops.metrics.dimensions import StoreInfo, product_titles, store_list
from shopops.metrics.maturity import MATURITY_DAYS, refund_comparisons
from shopops.metrics.period_reports import whole_period_reported
from shopops.metrics.runners import (
    EVENT_STEPS,
    LAST_YEAR,
    PREVIOUS,
    Change,
    ComparisonQuery,
    ComparisonResult,
    ComparisonRow,
    STORE_STEPS,
    FunnelQuery,
    StoreFunnelQuery,
    TargetQuery,
    ad_coverage,
    last_fact_date,
    refund_coverage,
    run_query,
)
from shopops.metrics.runners.comparison import change as kpi_change
from shopops.metrics.runners.targets import TargetProgress, stores_summed
from shopops.metrics.selectors import target_specs
from shopops.reports.formatting import POINTS, change_unit, change_value, format_change, format_value
from shopops.reports.texts import normalize_language, text, value_label

TEXT, CHANGE, SHARE = "text", "change", "share"

OVERVIEW_KPIS: tuple[str, ...] = (
    "gmv", "net_sales", "paid_orders", "paying_buyers", "aov", "units_sold", "visitors", "conversion_rate",
    "refund_rate", "ad_spend", "roas", "new_buyers", "repurchase_rate",
)
STORE_KPIS: tuple[str, ...] = ("gmv", "paid_orders", "paying_buyers", "aov", "visitors", "conversion_rate",
                               "refund_rate", "ad_spend", "roas")
PRODUCT_KPIS: tuple[str, ...] = ("item_gmv", "units_sold")
TRAFFIC_KPIS: tuple[str, ...] = ("visitors", "paying_buyers", "conversion_rate")
# by source where platform stores are in the report: their product traffic reports (visitor-days, the
# sources in the platforms' words grouped) and the orders' sources
PLATFORM_TRAFFIC_KPIS: tuple[str, ...] = ("visitor_days", "paying_buyers")
AD_KPIS: tuple[str, ...] = ("ad_spend", "ad_gmv", "roas", "impressions", "clicks", "ctr", "cpc")
CUSTOMER_KPIS: tuple[str, ...] = ("paying_buyers", "new_buyers", "returning_buyers", "returning_buyer_rate",
                                  "repeat_buyers", "repurchase_rate", "cac")
NOTABLE_KPIS: tuple[str, ...] = ("gmv", "paid_orders", "paying_buyers", "visitors", "conversion_rate", "aov",
                                 "refund_rate", "ad_spend", "roas", "new_buyers")
# sections reading the same breakdown run one comparison for all their KPIs (in each store's 口径:
# _Context.shared_kpis)
SHARED_KPIS: dict[tuple[str, ...], tuple[str, ...]] = {
    (): tuple(dict.fromkeys(OVERVIEW_KPIS + CUSTOMER_KPIS)),
    ("store_id",): tuple(dict.fromkeys(STORE_KPIS + NOTABLE_KPIS)),
}
# per store, each store's own 口径 (events for an own-site store, its platform report otherwise)
_BOTH_KINDS = ("own", "tmall")
TOP_PRODUCTS = 10
NOTABLE_ROWS = 8
# a move from a tiny base (3 → 6 orders: +100%) is noise, not news
NOTABLE_MIN_BASE: dict[Unit, Decimal] = {Unit.COUNT: Decimal(30), Unit.MONEY: Decimal(500)}


class ReportKind(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    unit: str  # a catalog Unit value, or TEXT / CHANGE / SHARE
    kpi: str = ""  # the KPI behind the column, when there is one

    @property
    def is_number(self) -> bool:
        return self.unit != TEXT


@dataclass(frozen=True, slots=True)
class ReportTable:
    id: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, Any], ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    tables: tuple[ReportTable, ...] = ()
    sentences: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class OverviewLine:
    kpi: str
    current: Any
    previous: Any
    change_previous: float | None
    last_year: Any = None
    change_last_year: float | None = None
    target: Any = None
    achievement: float | None = None
    target_summed: bool = False  # the target is the stores' targets added up (no all-stores target set)


@dataclass(frozen=True, slots=True)
class NotableChange:
    kpi: str
    store_id: str
    current: Any
    previous: Any
    change: float
    is_good: bool
    sentence: str


@dataclass(frozen=True, slots=True)
class Report:
    kind: ReportKind
    language: str
    period: Period
    previous_period: Period
    last_year_period: Period | None
    stores: tuple[str, ...]  # the stores asked for; empty: all
    store_names: tuple[str, ...]
    currency: str  # "" when the stores mix currencies
    generated_at: dt.datetime
    as_of: dt.date | None
    overview: tuple[OverviewLine, ...]
    notable: tuple[NotableChange, ...]
    sections: tuple[Section, ...]
    has_targets: bool = False
    time_zone: str = "Asia/Shanghai"  # the store time zone the header's times are shown in

    @property
    def title(self) -> str:
        kind = text(self.kind.value, self.language)
        return text("title", self.language, kind=kind, kind_lower=kind.lower())

    @property
    def period_label(self) -> str:
        """``2025-W45`` or ``2025-11``: the name of the period in file names and lists."""
        return period_label(self.kind, self.period)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def line(self, kpi_id: str) -> OverviewLine:
        for line in self.overview:
            if line.kpi == kpi_id:
                return line
        raise KeyError(kpi_id)

    @property
    def generated_at_text(self) -> str:
        """When it was generated, in the store's time zone (as the import jobs show times)."""
        local = self.generated_at.astimezone(ZoneInfo(self.time_zone))
        zone = text("beijing_time", self.language) if self.time_zone == "Asia/Shanghai" else self.time_zone
        return f"{local:%Y-%m-%d %H:%M} ({zone})"

    def meta(self) -> list[tuple[str, str]]:
        """(label, value) pairs for the report's header."""
        lang = self.language
        compared = [_period_text(self.previous_period)]
        if self.last_year_period:
            compared.append(_period_text(self.last_year_period))
        return [
            (text("period", lang), f"{_period_text(self.period)} ({self.period_label})"),
            (text("compared_with", lang), " · ".join(compared)),
            (text("stores_scope", lang), "、".join(self.store_names) if self.stores else text("all_stores", lang)),
            (text("currency", lang), self.currency or "—"),
            (text("data_as_of", lang), self.as_of.isoformat() if self.as_of else "—"),
            (text("generated_at", lang), self.generated_at_text),
        ]


def period_label(kind: ReportKind | str, period: Period) -> str:
    if ReportKind(kind) is ReportKind.WEEKLY:
        year, week, _ = period.start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{period.start:%Y-%m}"


def report_period(kind: ReportKind | str, value: str | Period) -> Period:
    """The period of a weekly (Monday–Sunday) or monthly (calendar month) report; ValueError otherwise."""
    kind = ReportKind(kind)
    period = Period.parse(value) if isinstance(value, str) else value
    if kind is ReportKind.WEEKLY and not (period.days == 7 and period.start.weekday() == 0):
        raise ValueError(f"a weekly report covers one ISO week (e.g. 2025-W45), not {period}")
    if kind is ReportKind.MONTHLY:
        nxt = period.end + dt.timedelta(days=1)
        if period.start.day != 1 or nxt.day != 1 or period.start.month != period.end.month:
            raise ValueError(f"a monthly report covers one calendar month (e.g. 2025-11), not {period}")
    return period


def previous_period(kind: ReportKind | str, period: Period) -> Period:  # noqa: ARG001
    """The week before a week; the calendar month before a month (``Period.previous``)."""
    return period.previous()


def _period_text(p: Period) -> str:
    return f"{p.start.isoformat()} – {p.end.isoformat()}"


ProgressCallback = Callable[[int, int, str], None]


@dataclass
class _Context:
    kind: ReportKind
    period: Period
    stores: tuple[str, ...]
    language: str
    con: Any
    store_info: dict[str, StoreInfo]
    currency: str
    against: tuple[str, ...]
    overview: tuple[OverviewLine, ...] = ()
    notable: tuple[NotableChange, ...] = ()
    sections: list[Section] = field(default_factory=list)
    has_targets: bool = False
    cache: dict = field(default_factory=dict)
    own_stores: tuple[str, ...] = ()  # the report's stores with an event stream
    platform_stores: tuple[str, ...] = ()  # … and those with only the platform's reports
    whole_period: bool = False  # the period is exactly an imported period export of every platform store

    @property
    def platforms(self) -> tuple[str, ...]:
        return (("own",) if self.own_stores else ()) + (("tmall",) if self.platform_stores else ())

    @property
    def visitor_days(self) -> bool:
        """Platform visitor figures over several days summed from daily reports (labelled so)."""
        return bool(self.platform_stores) and self.period.days > 1 and not self.whole_period

    def shown(self, kpi_id: str) -> str:
        """The KPI computed for ``kpi_id`` over the report's stores, in their 口径."""
        return visitor_kpi(kpi_id, self.platforms, whole_period=self.whole_period)

    def store_kpi(self, kpi_id: str, *, whole_period: bool | None = None) -> str:
        """The KPI computed for ``kpi_id`` per store (each store in its own 口径)."""
        whole = self.whole_period if whole_period is None else whole_period
        return visitor_kpi(kpi_id, _BOTH_KINDS, whole_period=whole)

    def shared_kpis(self, by: tuple[str, ...]) -> tuple[str, ...] | None:
        if by == ():
            return tuple(dict.fromkeys([self.shown(k) for k in OVERVIEW_KPIS] + list(CUSTOMER_KPIS)))
        if by == ("store_id",):
            return tuple(dict.fromkeys([self.store_kpi(k) for k in STORE_KPIS]
                                       + [self.store_kpi(k, whole_period=False) for k in NOTABLE_KPIS]))
        return None

    def t(self, key: str, **values: object) -> str:
        return text(key, self.language, **values)

    def kpi_label(self, kpi_id: str) -> str:
        return CATALOG[kpi_id].label(self.language)

    def store_name(self, store_id: str) -> str:
        info = self.store_info.get(store_id)
        return info.name if info else store_id

    def compare(self, kpis: tuple[str, ...], by: tuple[str, ...] = (), against: tuple[str, ...] | None = None
                ) -> ComparisonResult:
        """KPIs by ``by`` vs the previous period (and last year); sections sharing a breakdown share one run."""
        against = self.against if against is None else against
        shared = self.shared_kpis(by)
        if shared is not None and set(kpis) <= set(shared):
            key = (by, against)
            if key not in self.cache:
                self.cache[key] = self._compare(shared, by, against)
            return self.cache[key]
        return self._compare(kpis, by, against)

    def _compare(self, kpis: tuple[str, ...], by: tuple[str, ...], against: tuple[str, ...]) -> ComparisonResult:
        if self.kind is ReportKind.WEEKLY:  # the comparison runner's previous period is the week before
            return run_query(ComparisonQuery(kpis, self.period, by=by, stores=self.stores, against=against),
                                  con=self.con)
        # a month compares with the calendar month before, which the runner's "previous" (the same
        # number of days before) is not: run that month as a period of its own and pair the rows
        current = run_query(ComparisonQuery(kpis, self.period, by=by, stores=self.stores,
                                                 against=tuple(a for a in against if a != PREVIOUS)), con=self.con)
        before = run_query(ComparisonQuery(kpis, previous_period(self.kind, self.period), by=by,
                                                stores=self.stores, against=()), con=self.con)
        base = {(tuple(r.keys.items()), r.kpi): r.current for r in before.rows}
        rows: list[ComparisonRow] = []
        seen = set()
        for r in current.rows:
            key = (tuple(r.keys.items()), r.kpi)
            seen.add(key)
            changes = {PREVIOUS: kpi_change(r.kpi, r.current, base.get(key, _nothing(r.kpi))), **r.changes}
            rows.append(ComparisonRow(r.keys, r.kpi, r.current, changes))
        for r in before.rows:  # e.g. a product sold last month only
            if (tuple(r.keys.items()), r.kpi) not in seen:
                rows.append(ComparisonRow(r.keys, r.kpi, _nothing(r.kpi), {PREVIOUS: kpi_change(r.kpi, _nothing(r.kpi),
                                                                                               r.current)}))
        periods = {**current.periods, PREVIOUS: before.periods["current"]}
        return ComparisonResult(current.query, periods, rows, sql={**current.sql, **before.sql})


def _difference(current, base):
    """current − base, as the comparison runner's ``Change.absolute`` (None when either is undefined)."""
    if current is None or base is None:
        return None
    return Decimal(str(current)) - Decimal(str(base))


def _nothing(kpi_id: str):
    """A KPI's value where nothing happened, as the runners give it: 0 for sums and counts, None for ratios."""
    k = CATALOG[kpi_id]
    if k.is_ratio:
        return None
    return Decimal("0.00") if k.unit is Unit.MONEY else 0


# ---------------------------------------------------------------------------------------------
# sections
# ---------------------------------------------------------------------------------------------
def _kpi_column(c: _Context, kpi_id: str, key: str | None = None, label: str | None = None) -> Column:
    return Column(key or kpi_id, label or c.kpi_label(kpi_id), CATALOG[kpi_id].unit.value, kpi_id)


def _month_targets(c: _Context) -> list[TargetProgress]:
    """The month's targets and their achievement (monthly reports; the targets runner): those set for every store
    or the report's stores and, for a report on every store, the stores' own added up where no all-stores target
    is set (``stores_summed``: additive KPIs with a target for every store — the cockpit's rule)."""
    if c.kind is not ReportKind.MONTHLY:
        return []
    if "targets" not in c.cache:
        specs = target_specs(month=c.period.start)
        if not c.stores:
            specs = (*specs, *stores_summed(specs, list(c.store_info)))
        c.cache["targets"] = run_query(TargetQuery(month=c.period.start, as_of=c.period.end, stores=c.stores,
                                                   targets=specs), con=c.con).rows
    return c.cache["targets"]


def _points_note(c: _Context, kpis) -> str:
    """Says that the percent KPIs' changes are in points, where a table has one."""
    return c.t("points_note") if any(change_unit(k) == POINTS for k in kpis) else ""


def _overview(c: _Context) -> None:
    kpis = tuple(c.shown(k) for k in OVERVIEW_KPIS)
    result = c.compare(kpis)
    targets: dict[str, Any] = {}
    achievements: dict[str, float | None] = {}
    summed: set[str] = set()
    if len(c.stores) <= 1:
        # monthly targets apply to the month: all stores ("") or the one store asked for
        scope = c.stores[0] if c.stores else ""
        for row in _month_targets(c):
            if row.target.store_id == scope and row.target.kpi in kpis:
                targets[row.target.kpi] = row.target.value
                achievements[row.target.kpi] = row.achievement
                if row.target.summed:
                    summed.add(row.target.kpi)
    c.has_targets = bool(targets)
    same_age = _same_age(c, kpis, by_store=False)
    lines = []
    shown: dict[str, tuple[float | None, float | None]] = {}  # the change cells (points for percent KPIs)
    for kpi_id in kpis:
        row = result.row(kpi_id)
        prev = row.changes[PREVIOUS]
        basis = same_age.get((kpi_id, ""))
        if basis is not None:  # refunds: the previous period as it stood at the same order age
            prev = Change(basis.base, _difference(basis.current, basis.base), basis.change)
        ly = row.changes.get(LAST_YEAR)
        if is_whole_period_kpi(kpi_id):  # a period without its own period export: no comparison, not 0
            prev = prev if prev.base else Change(None, None, None)
            ly = ly if ly is not None and ly.base else None
        lines.append(OverviewLine(
            kpi_id, row.current, prev.base, prev.relative,
            ly.base if ly else None, ly.relative if ly else None,
            targets.get(kpi_id), achievements.get(kpi_id), kpi_id in summed,
        ))
        shown[kpi_id] = (change_value(kpi_id, prev), change_value(kpi_id, ly))
    c.overview = tuple(lines)

    columns = [Column("kpi", c.t("kpi"), TEXT), Column("current", c.t("current"), "kpi")]
    if c.has_targets:
        columns += [Column("target", c.t("target"), "kpi"), Column("achievement", c.t("achievement"), SHARE)]
        if summed:
            columns += [Column("target_basis", c.t("target_basis"), TEXT)]
    columns += [Column("previous", c.t("previous"), "kpi"), Column("change_previous", c.t("change_previous"), CHANGE)]
    if LAST_YEAR in c.against:
        columns += [Column("last_year", c.t("last_year"), "kpi"),
                    Column("change_last_year", c.t("change_last_year"), CHANGE)]
    rows = tuple(
        {"kpi": c.kpi_label(line.kpi), "_kpi": line.kpi, "current": line.current, "target": line.target,
         "achievement": line.achievement, "target_basis": c.t("stores_summed") if line.target_summed else "",
         "previous": line.previous, "change_previous": shown[line.kpi][0],
         "last_year": line.last_year, "change_last_year": shown[line.kpi][1],
         "_good": _verdict(line.kpi, shown[line.kpi][0], same_age.get((line.kpi, "")))}
        for line in lines
    )
    note = c.t("vs_target_note") if c.has_targets else c.t("vs_previous_note")
    if summed:
        note = f"{note} {c.t('stores_summed_note', stores_summed=c.t('stores_summed'))}"
    if points := _points_note(c, kpis):
        note = f"{note} {points}"
    if any(not b.mature for b in same_age.values() if b.current is not None):  # unknown refunds do not mature
        note = f"{note} {c.t('immature_note', days=MATURITY_DAYS)}"
    if any(refund_dependent(k) for k in kpis):  # refunds never imported: "—", not 0.00 % (refund_coverage)
        cov = refund_coverage(c.period, stores=c.stores, con=c.con)
        if cov.status in ("missing", "partial"):
            share = "—" if cov.gmv_share is None else f"{cov.gmv_share:.2%}"
            note = f"{note} {c.t('no_refund_data' if cov.status == 'missing' else 'refund_partial', covered=cov.known, stores=cov.stores, share=share)}"
    if visitors_note := _visitors_note(c):
        note = f"{note} {visitors_note}"
    c.sections.append(Section("overview", c.t("overview"),
                              (ReportTable("overview", c.t("overview"), tuple(columns), rows),), note=note))


def _visitors_note(c: _Context) -> str:
    """Where the report's visitor figures come from, when platform stores are in it."""
    if c.whole_period:
        return c.t("whole_period_note")
    if c.visitor_days:
        return c.t("visitor_days_note")
    return ""


def _stores(c: _Context) -> None:
    kpis = tuple(c.store_kpi(k) for k in STORE_KPIS)
    result = c.compare(kpis, by=("store_id",), against=(PREVIOUS,))
    by_store: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        sid = row.keys["store_id"]
        rec = by_store.setdefault(sid, {"store": c.store_name(sid), "_store_id": sid,
                                         "platform": value_label(c.store_info[sid].platform, c.language)
                                         if sid in c.store_info else ""})
        rec[row.kpi] = row.current
        if row.kpi == "gmv":
            rec["gmv_change"] = row.changes[PREVIOUS].relative
            rec["_good"] = _is_good("gmv", rec["gmv_change"])
    # each store's own monthly targets, beside the KPI they are set for
    targeted: list[str] = []
    for progress in _month_targets(c):
        sid, kpi_id = progress.target.store_id, progress.target.kpi
        if sid and sid in by_store and kpi_id in kpis:
            by_store[sid][f"{kpi_id}_target"] = progress.target.value
            by_store[sid][f"{kpi_id}_achievement"] = progress.achievement
            targeted.append(kpi_id)
    rows = sorted(by_store.values(), key=lambda r: (-(r.get("gmv") or 0), r["_store_id"]))
    columns: list[Column] = [Column("store", c.t("store"), TEXT), Column("platform", c.t("platform"), TEXT)]
    for kpi_id in kpis:
        columns.append(_kpi_column(c, kpi_id))
        if kpi_id == "gmv":
            columns.append(Column("gmv_change", f"{c.kpi_label('gmv')} {c.t('change_previous')}", CHANGE, "gmv"))
        if kpi_id in targeted:
            columns += [_kpi_column(c, kpi_id, f"{kpi_id}_target", c.t("kpi_target", kpi=c.kpi_label(kpi_id))),
                        Column(f"{kpi_id}_achievement", c.t("kpi_achievement", kpi=c.kpi_label(kpi_id)), SHARE, kpi_id)]
    note = " ".join(n for n in (c.t("store_targets_note") if targeted else "", _visitors_note(c)) if n)
    c.sections.append(Section("stores", c.t("stores"),
                              (ReportTable("stores", c.t("stores"), tuple(columns), tuple(rows)),), note=note))


def _products(c: _Context) -> None:
    result = c.compare(PRODUCT_KPIS, by=("store_id", "product_id"), against=(PREVIOUS,))
    products: dict[tuple[str, str], dict[str, Any]] = {}
    for row in result.rows:
        key = (row.keys["store_id"], row.keys["product_id"])
        rec = products.setdefault(key, {"store": c.store_name(key[0]), "product": key[1] or c.t("missing")})
        rec[row.kpi] = row.current
        if row.kpi == "item_gmv":
            rec["previous_gmv"] = row.changes[PREVIOUS].base
            rec["gmv_change"] = row.changes[PREVIOUS].relative
            rec["_good"] = _is_good("item_gmv", rec["gmv_change"])
    titles = product_titles(products, con=c.con)
    for key, rec in products.items():
        rec["title"] = titles.get(key, "")
    ranked = sorted(products.values(), key=lambda r: (-(r.get("item_gmv") or 0), r["store"], r["product"]))
    top = [{**r, "rank": i + 1} for i, r in enumerate(ranked[:TOP_PRODUCTS])]
    # the bottom: the products that sold least this period (lowest GMV first); products that
    # sold in the previous period only are counted in the note
    selling = [r for r in ranked if r.get("item_gmv")]
    tail = selling[TOP_PRODUCTS:]
    bottom = [{**r, "rank": len(selling) - i} for i, r in enumerate(reversed(tail[-TOP_PRODUCTS:]))]
    stopped = len(ranked) - len(selling)
    columns = (Column("rank", c.t("rank"), Unit.COUNT.value), Column("store", c.t("store"), TEXT),
               Column("product", c.t("product"), TEXT), Column("title", c.t("product_title"), TEXT),
               _kpi_column(c, "item_gmv"),
               _kpi_column(c, "item_gmv", "previous_gmv", f"{c.kpi_label('item_gmv')}({c.t('previous')})"
                           if c.language != "en" else f"{c.kpi_label('item_gmv')} ({c.t('previous')})"),
               Column("gmv_change", c.t("change_previous"), CHANGE, "item_gmv"), _kpi_column(c, "units_sold"))
    tables = [ReportTable("products_top", c.t("products_top", n=TOP_PRODUCTS), columns, tuple(top))]
    if bottom:
        tables.append(ReportTable("products_bottom", c.t("products_bottom", n=len(bottom)), columns, tuple(bottom)))
    note = c.t("products_note", selling=len(selling), stopped=stopped)
    c.sections.append(Section("products", c.t("products"), tuple(tables), note=note))


def _traffic(c: _Context) -> None:
    # by source: the events' visitors where only own-site stores are in the report; with platform stores
    # their product traffic reports (visitor-days; the platforms' words grouped) and the orders' sources
    kpis = TRAFFIC_KPIS if not c.platform_stores else PLATFORM_TRAFFIC_KPIS
    first = kpis[0]
    result = c.compare(kpis, by=("traffic_source",), against=(PREVIOUS,))
    sources: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        value = (source_group(None, row.keys["traffic_source"]) if c.platform_stores
                 else row.keys["traffic_source"]) or ""
        label = value_label(value, c.language) if value else c.t("source_unknown")  # orders without a source
        rec = sources.setdefault(value, {"traffic_source": label, "_value": value, "_base": {}})
        if c.platform_stores:  # a group adds up its words (sums only: visitor-days and buyers of orders)
            rec[row.kpi] = (rec.get(row.kpi) or 0) + (row.current or 0)
            rec["_base"][row.kpi] = (rec["_base"].get(row.kpi) or 0) + (row.changes[PREVIOUS].base or 0)
        else:
            rec[row.kpi] = row.current
            rec["_base"][row.kpi] = row.changes[PREVIOUS].base
    for rec in sources.values():
        base = rec.pop("_base").get(first)
        rec[f"{first}_change"] = (change_value(first, kpi_change(first, rec.get(first), base))
                                  if base is not None else None)
        rec["_good"] = _is_good(first, rec[f"{first}_change"])
    rows = sorted(sources.values(), key=lambda r: (-(r.get(first) or 0), r["_value"]))
    columns = (Column("traffic_source", c.t("traffic_source"), TEXT), _kpi_column(c, first),
               Column(f"{first}_change", f"{c.kpi_label(first)} {c.t('change_previous')}", CHANGE, first),
               *(_kpi_column(c, k) for k in kpis[1:]))
    notes = (c.t("traffic_platform_note") if c.platform_stores else "",
             c.t("source_unknown_note") if "" in sources else "")
    tables = [ReportTable("traffic_sources", c.t("traffic_sources"), columns, tuple(rows),
                          note=" ".join(n for n in notes if n))]
    funnel_columns = (Column("step", c.t("step"), TEXT), Column("visitors", c.t("visitors"), Unit.COUNT.value),
                      Column("step_rate", c.t("step_rate"), SHARE), Column("overall_rate", c.t("overall_rate"), SHARE))
    if c.own_stores:  # the event funnel only where stores have an event stream
        funnel = run_query(FunnelQuery(c.period, stores=c.own_stores), con=c.con)
        labels = {s.id: s.label(c.language) for s in EVENT_STEPS}
        funnel_rows = tuple({"step": labels.get(r.step, r.step), "visitors": r.visitors, "step_rate": r.step_rate,
                             "overall_rate": r.overall_rate} for r in funnel.steps())
        tables.append(ReportTable("funnel", c.t("funnel"), funnel_columns, funnel_rows))
    if c.platform_stores:  # the platforms' store funnel (访客 → 加购/收藏 → 下单 → 支付) from their daily reports
        # the platforms' formulas: 加购, 收藏 and 下单 are each over the visitors (a buyer may order without adding
        # to cart: 下单 is not a part of 加购), 支付 over 下单 — so the rate column names its base on every row
        store_funnel = run_query(StoreFunnelQuery(c.period, stores=c.platform_stores), con=c.con)
        labels = {sid: (en if c.language == "en" else zh) for sid, zh, en, _b in STORE_STEPS}
        bases = {sid: base for sid, _zh, _en, base in STORE_STEPS}
        rows_ = tuple({"step": labels[r.step], "visitors": r.visitors,
                       "base": labels[bases[r.step]] if bases[r.step] else None, "rate": r.step_rate,
                       "overall_rate": r.overall_rate} for r in store_funnel.rows)
        store_columns = (Column("step", c.t("step"), TEXT), Column("visitors", c.t("people"), Unit.COUNT.value),
                         Column("base", c.t("rate_base"), TEXT), Column("rate", c.t("rate_vs_base"), SHARE),
                         Column("overall_rate", c.t("overall_rate_visitors"), SHARE))
        note = c.t("store_funnel_note")
        if c.period.days > 1:
            note = f"{note} {c.t('visitor_days_funnel_note')}"
        tables.append(ReportTable("store_funnel", c.t("store_funnel"), store_columns, rows_, note=note))
    c.sections.append(Section("traffic", c.t("traffic"), tuple(tables), note=_visitors_note(c)))


def _ads(c: _Context) -> None:
    result = c.compare(AD_KPIS, by=("ad_tool",), against=(PREVIOUS,))
    tools: dict[str, dict[str, Any]] = {}
    for row in result.rows:
        value = row.keys["ad_tool"]
        rec = tools.setdefault(value, {"ad_tool": value_label(value, c.language), "_value": value})
        rec[row.kpi] = row.current
        if row.kpi in ("ad_spend", "roas"):
            rec[f"{row.kpi}_change"] = change_value(row.kpi, row.changes[PREVIOUS])
        if row.kpi == "roas":
            rec["_good"] = _is_good("roas", rec["roas_change"])
    rows = sorted(tools.values(), key=lambda r: (-(r.get("ad_spend") or 0), r["_value"]))
    columns = (Column("ad_tool", c.t("ad_tool"), TEXT), _kpi_column(c, "ad_spend"),
               Column("ad_spend_change", f"{c.kpi_label('ad_spend')} {c.t('change_previous')}", CHANGE, "ad_spend"),
               _kpi_column(c, "ad_gmv"), _kpi_column(c, "roas"),
               Column("roas_change", f"{c.kpi_label('roas')} {c.t('change_previous')}", CHANGE, "roas"),
               *(_kpi_column(c, k) for k in ("impressions", "clicks", "ctr", "cpc")))
    c.sections.append(Section("ads", c.t("ads"), (ReportTable("ad_tools", c.t("ad_tools"), columns, tuple(rows)),),
                              note=_ads_note(c)))


def _ads_note(c: _Context) -> str:
    """Why the ad figures are "—" (no store has ad reports: the overview's ad spend and ROAS too; or the stores
    run no paid ads: ¥0, ROAS not applicable), how much of the report's stores they cover, and a store set to
    run no ads that has ad reports anyway (``metrics.runners.ad_coverage``)."""
    cov = ad_coverage(c.period, stores=c.stores, con=c.con)
    notes = []
    if cov.status == "missing":
        notes.append(c.t("no_ad_data"))
    elif cov.status == "no_ads":
        notes.append(c.t("runs_no_ads"))
    elif cov.status == "partial":
        share = "—" if cov.gmv_share is None else f"{cov.gmv_share:.2%}"
        notes.append(c.t("ad_partial", covered=cov.known, stores=cov.stores, share=share))
    if cov.contradicted:
        notes.append(c.t("ads_contradicted", stores="、".join(cov.contradicted)))
    return " ".join(notes)


def _customers(c: _Context) -> None:
    result = c.compare(CUSTOMER_KPIS)
    columns = [Column("kpi", c.t("kpi"), TEXT), Column("current", c.t("current"), "kpi"),
               Column("previous", c.t("previous"), "kpi"), Column("change_previous", c.t("change_previous"), CHANGE)]
    if LAST_YEAR in c.against:
        columns += [Column("last_year", c.t("last_year"), "kpi"),
                    Column("change_last_year", c.t("change_last_year"), CHANGE)]
    rows = []
    for kpi_id in CUSTOMER_KPIS:
        row = result.row(kpi_id)
        prev, ly = row.changes[PREVIOUS], row.changes.get(LAST_YEAR)
        shown = change_value(kpi_id, prev)
        rows.append({"kpi": c.kpi_label(kpi_id), "_kpi": kpi_id, "current": row.current, "previous": prev.base,
                     "change_previous": shown, "last_year": ly.base if ly else None,
                     "change_last_year": change_value(kpi_id, ly), "_good": _is_good(kpi_id, shown)})
    c.sections.append(Section("customers", c.t("customers"),
                              (ReportTable("customer_kpis", c.t("customer_kpis"), tuple(columns), tuple(rows)),),
                              note=_points_note(c, CUSTOMER_KPIS)))


def _same_age(c: _Context, kpis: tuple[str, ...], by_store: bool) -> dict:
    """Refund KPIs vs the previous period at the same order age (``metrics.maturity``)."""
    as_of = last_fact_date(c.con)
    if as_of is None:
        return {}
    return refund_comparisons(kpis=kpis, period=c.period, base=previous_period(c.kind, c.period), as_of=as_of,
                              stores=c.stores, by_store=by_store, con=c.con)


def _notable(c: _Context) -> None:
    # visitors per store in its own 口径, like for like with the period before (daily figures: a period
    # export of the previous period is rarely there)
    kpis = tuple(c.store_kpi(k, whole_period=False) for k in NOTABLE_KPIS)
    result = c.compare(kpis, by=("store_id",), against=(PREVIOUS,))
    same_age = _same_age(c, kpis, by_store=True)
    candidates = []
    for row in result.rows:
        ch = row.changes[PREVIOUS]
        basis = same_age.get((row.kpi, row.keys["store_id"]))
        if basis is not None:  # refunds: the previous period as it stood at the same order age
            ch = Change(basis.base, _difference(basis.current, basis.base), basis.change)
            if not basis.mature and _is_good(row.kpi, ch.relative):
                continue  # an immature refund figure that fell is no news, never an improvement
        if ch.relative is None or ch.relative == 0 or row.current is None:
            continue
        unit = CATALOG[row.kpi].unit
        minimum = NOTABLE_MIN_BASE.get(unit)
        if minimum is not None and Decimal(str(ch.base)) < minimum:
            continue
        candidates.append((row, ch))
    candidates.sort(key=lambda rc: (-abs(rc[1].relative), rc[0].kpi, rc[0].keys["store_id"]))
    immature = any(not b.mature for b in same_age.values())
    notable = []
    shown: list[float | None] = []  # the table's change cells (points for percent KPIs, as in the sentence)
    currency = c.currency or None
    for row, ch in candidates[:NOTABLE_ROWS]:
        sid = row.keys["store_id"]
        unit = CATALOG[row.kpi].unit
        store_currency = c.store_info[sid].currency if sid in c.store_info else currency
        good = bool(_is_good(row.kpi, ch.relative))
        basis = same_age.get((row.kpi, sid))
        sentence = c.t(
            "same_age_sentence_tpl" if basis else "sentence_tpl", store=c.store_name(sid), kpi=c.kpi_label(row.kpi),
            known_by=basis.known_by.isoformat() if basis else "",
            direction=c.t("rose" if ch.relative > 0 else "fell"),
            amount=_move(c, row.kpi, ch),
            base=format_value(ch.base, unit, store_currency), current=format_value(row.current, unit, store_currency),
            verdict=c.t("good" if good else "bad"),
        )
        notable.append(NotableChange(row.kpi, sid, row.current, ch.base, ch.relative, good, sentence))
        shown.append(change_value(row.kpi, ch))
    c.notable = tuple(notable)
    columns = (Column("store", c.t("store"), TEXT), Column("kpi", c.t("kpi"), TEXT),
               Column("previous", c.t("previous"), "kpi"), Column("current", c.t("current"), "kpi"),
               Column("change", c.t("change"), CHANGE))
    rows = tuple({"store": c.store_name(n.store_id), "kpi": c.kpi_label(n.kpi), "_kpi": n.kpi, "previous": n.previous,
                  "current": n.current, "change": change, "sentence": n.sentence, "_good": n.is_good,
                  "_currency": c.store_info[n.store_id].currency if n.store_id in c.store_info else ""}
                 for n, change in zip(notable, shown, strict=True))
    note = " ".join(n for n in (c.t("immature_note", days=MATURITY_DAYS) if immature else "",
                                _points_note(c, [n.kpi for n in notable])) if n)
    c.sections.append(Section("notable", c.t("notable"), (ReportTable("notable", c.t("notable"), columns, rows, note=note),),
                              sentences=tuple(n.sentence for n in notable) or (c.t("no_notable"),), note=note))


def _move(c: _Context, kpi_id: str, ch) -> str:
    """How much a KPI moved, as people say it: percent KPIs in points (0.56 pp), others relative (12.34%)."""
    if CATALOG[kpi_id].unit is Unit.PERCENT and ch.absolute is not None:
        points = format_change(abs(ch.absolute), arrow=False).removesuffix("%")
        return c.t("points", n=points)
    return format_change(abs(ch.relative), arrow=False)


def _verdict(kpi_id: str, change: float | None, basis) -> bool | None:
    """Good / bad for the colour of a change; an immature refund figure that fell is neither."""
    good = _is_good(kpi_id, change)
    return None if good and basis is not None and not basis.mature else good


def _is_good(kpi_id: str, change: float | None) -> bool | None:
    if change is None or change == 0:
        return None
    return (change > 0) == (CATALOG[kpi_id].direction is Direction.UP_IS_GOOD)


STEPS: tuple[tuple[str, Callable[[_Context], None]], ...] = (
    ("overview", _overview),
    ("stores", _stores),
    ("products", _products),
    ("traffic", _traffic),
    ("ads", _ads),
    ("customers", _customers),
    ("notable", _notable),
)


def report_build(
    *,
    kind: ReportKind | str,
    period: Period | str,
    stores: tuple[str, ...] | list[str] = (),
    language: str = "zh-hans",
    con: ibis.BaseBackend | None = None,
    on_progress: ProgressCallback | None = None,
    now: dt.datetime | None = None,
    time_zone: str = "Asia/Shanghai",
) -> Report:
    """Compute every section of a weekly or monthly report (``on_progress(done, total, step)`` after each)."""
    kind = ReportKind(kind)
    period = report_period(kind, period)
    language = normalize_language(language)
    stores = tuple(dict.fromkeys(stores))
    infos = {s.store_id: s for s in store_list(con)}
    unknown = [s for s in stores if s not in infos]
    if unknown:
        raise ValueError(f"unknown store {', '.join(unknown)}; known: {', '.join(infos) or '(none)'}")
    chosen = [infos[s] for s in stores] if stores else list(infos.values())
    currencies = sorted({s.currency for s in chosen})
    # 同比 only where the data reach back a whole year: a month before the first paid order is no
    # comparison (it would read as ¥0.00 and "—"), so the columns are left out, as the cockpit does
    first = first_fact_date(con)
    reaches_back = first is not None and period.same_period_last_year().start >= first
    against = (PREVIOUS, LAST_YEAR) if kind is ReportKind.MONTHLY and reaches_back else (PREVIOUS,)
    c = _Context(kind, period, stores, language, con, infos, currencies[0] if len(currencies) == 1 else "", against,
                 own_stores=tuple(s.store_id for s in chosen if has_event_stream(s.platform)),
                 platform_stores=tuple(s.store_id for s in chosen if not has_event_stream(s.platform)))
    c.whole_period = whole_period_reported(period, stores, con)
    total = len(STEPS)
    for done, (name, step) in enumerate(STEPS, start=1):
        step(c)
        if on_progress:
            on_progress(done, total, name)
    return Report(
        kind=kind, language=language, period=period, previous_period=previous_period(kind, period),
        last_year_period=period.same_period_last_year() if LAST_YEAR in against else None,
        stores=stores, store_names=tuple(c.store_name(s) for s in stores), currency=c.currency,
        generated_at=(now or dt.datetime.now(dt.UTC)), as_of=last_fact_date(con),
        overview=c.overview, notable=c.notable, sections=tuple(c.sections), has_targets=c.has_targets,
        time_zone=time_zone,
    )


def latest_complete_periods(as_of: dt.date) -> dict[ReportKind, Period]:
    """The last week (Monday–Sunday) and calendar month that end on or before ``as_of``."""
    sunday = as_of - dt.timedelta(days=(as_of.weekday() + 1) % 7)
    week = Period(sunday - dt.timedelta(days=6), sunday)
    month_end = as_of if (as_of + dt.timedelta(days=1)).day == 1 else as_of.replace(day=1) - dt.timedelta(days=1)
    return {ReportKind.WEEKLY: week, ReportKind.MONTHLY: month_period(month_end.year, month_end.month)}
