"""Funnels: the behaviour funnel from events, and the platform traffic funnel.

**Event funnel** (``FunnelQuery``): visit (any page or product view) → product detail → cart →
checkout → paid, in
distinct visitors (per store) within the period. A visitor *reaches* step k when they
did step k and, with ``strict=True`` (default), every earlier step within the period
(order of the steps inside the period is not checked); with ``strict=False`` each step
counts its visitors on their own. Step conversion = step k / step k−1; overall
conversion = step k / step 1; drop-off = step k−1 − step k (visitors lost at the step)
and drop-off rate = 1 − step conversion. ``by_traffic_source=True`` splits by the events' traffic
source (a visitor who came through two sources counts in each). The expression groups
events by (store, visitor[, source]) once (de-duplicate first), then counts. On DuckDB and
PostgreSQL the group keeps one bit mask of the steps the visitor did (``bit_or`` of a bit per
step: one aggregate instead of one ``max`` flag per step, ~10–17 % less CPU than the flags on
the demo stores) and step k counts the visitors whose mask holds steps 0..k (strict) or step k;
Spark, whose Ibis compiler has no ``bit_or``, keeps one flag per step and sums their products.

**Traffic funnel** (``TrafficFunnelQuery``): the platforms' daily reports
(``traffic_daily``): visitor-days → add-to-cart user-days → buyer-days (daily uniques
summed over the days, the only counts those reports allow).

**Store funnel** (``StoreFunnelQuery``): a platform store's own funnel from its whole-store daily
report (``shop_traffic_daily``, 生意参谋 and the like): 访客 → 加购 / 收藏 → 下单 → 支付. Add-to-cart,
favourite and order are each measured against the visitors (加购率, 收藏率, 下单转化率), payment
against both the orders (下单-支付转化率, the step) and the visitors (支付转化率, overall) — the
platform's own formulas. One day is the platform's figure; several days sum the days.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis.expr.types as ir
import pandas as pd

from shopops.core.periods import Period
from shopops.metrics.runners.base import Response, Runner, register
from shopops.metrics.runners.base import records as records_of
from shopops.metrics.sources import source_rows

ALL = ""  # the traffic_source value of the all-sources funnel
BIT_OR_ENGINES = ("duckdb", "postgres")  # engines whose Ibis compiler has bit_or (the funnel's step mask)


@dataclass(frozen=True, slots=True)
class FunnelStep:
    id: str
    label_zh: str
    label_en: str
    condition: Callable[[ir.Table], ir.BooleanValue]

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") else self.label_zh


EVENT_STEPS: tuple[FunnelStep, ...] = (
    # the funnel starts where the data starts: any page or product view enters the store (a
    # search visitor who lands on a product page is in it, not only who saw the home page)
    FunnelStep("visit", "进店访问", "Visit", lambda t: t.event_type.isin(("page_view", "product_view"))),
    FunnelStep("product", "商品详情", "Product detail", lambda t: t.event_type == "product_view"),
    FunnelStep("cart", "加购", "Add to cart", lambda t: t.event_type == "add_to_cart"),
    FunnelStep("checkout", "结算", "Checkout", lambda t: t.event_type == "checkout"),
    FunnelStep("paid", "支付", "Paid", lambda t: t.event_type == "purchase"),
)
TRAFFIC_STEPS = (("visitors", "访客人天", "Visitor-days"), ("add_to_cart_users", "加购人天", "Add-to-cart user-days"),
                 ("buyers", "支付买家人天", "Buyer-days"))


@dataclass(frozen=True, slots=True)
class FunnelQuery:
    period: Period
    stores: tuple[str, ...] = ()
    by_traffic_source: bool = False
    strict: bool = True


@dataclass(slots=True)
class FunnelRow:
    traffic_source: str  # ALL ("") for the whole funnel
    step: str
    visitors: int
    step_rate: float | None  # vs the step before (None for the first step or a 0 base)
    overall_rate: float | None  # vs the first step
    dropped: int | None = None  # visitors of the step before who did not reach this one (None: first step)

    @property
    def drop_rate(self) -> float | None:
        return None if self.step_rate is None else 1.0 - self.step_rate


@dataclass(slots=True)
class FunnelResult(Response):
    query: FunnelQuery | TrafficFunnelQuery
    rows: list[FunnelRow]

    def steps(self, traffic_source: str = ALL) -> list[FunnelRow]:
        return [r for r in self.rows if r.traffic_source == traffic_source]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"traffic_source": r.traffic_source, "step": r.step, "visitors": r.visitors,
                              "step_rate": r.step_rate, "overall_rate": r.overall_rate, "dropped": r.dropped,
                              "drop_rate": r.drop_rate} for r in self.rows])


def _rates(source: str, counts: list[tuple[str, int]]) -> list[FunnelRow]:
    rows = []
    first = counts[0][1] if counts else 0
    for i, (step, n) in enumerate(counts):
        prev = counts[i - 1][1] if i else None
        rows.append(FunnelRow(source, step, n, (n / prev) if prev else None, (n / first) if first else None,
                              (prev - n) if i else None))
    return rows


@register
class FunnelRunner(Runner[FunnelQuery, FunnelResult]):
    kind = "funnel"
    query_type = FunnelQuery
    tables = ("events",)

    def to_expr(self) -> dict[str, ir.Table]:
        q = self.query
        t = source_rows(self.con, "events", period=q.period, stores=q.stores)
        groups = [t.store_id, t.visitor_id]
        if q.by_traffic_source:
            groups.append(t.traffic_source.fill_null("").name("traffic_source"))
        if self.con.name in BIT_OR_ENGINES:
            bits = [step.condition(t).ifelse(1 << i, 0) for i, step in enumerate(EVENT_STEPS)]
            mask = bits[0]
            for bit in bits[1:]:
                mask = mask + bit  # distinct bits: the sum is the event's mask
            per_visitor = t.group_by(groups).aggregate(_steps=mask.bit_or())
            m = per_visitor._steps
            counts = {}
            for i, step in enumerate(EVENT_STEPS):
                need = (1 << (i + 1)) - 1 if q.strict else 1 << i
                counts[step.id] = per_visitor.count(where=(m & need) == need)
            if q.by_traffic_source:
                return {"funnel": per_visitor.group_by("traffic_source").aggregate(**counts)}
            return {"funnel": per_visitor.aggregate(**counts)}
        flags = {f"s{i}": step.condition(t).ifelse(1, 0).max() for i, step in enumerate(EVENT_STEPS)}
        per_visitor = t.group_by(groups).aggregate(**flags)
        reached = {}
        running = None
        for i in range(len(EVENT_STEPS)):
            flag = per_visitor[f"s{i}"]
            running = flag if (running is None or not q.strict) else running * flag
            reached[EVENT_STEPS[i].id] = running.sum()
        if q.by_traffic_source:
            return {"funnel": per_visitor.group_by("traffic_source").aggregate(**reached)}
        return {"funnel": per_visitor.aggregate(**reached)}

    def _calculate(self) -> FunnelResult:
        q = self.query
        sql: dict[str, str] = {}
        records = self.records(sql)["funnel"]  # rows straight from the engine: no pandas frame
        rows: list[FunnelRow] = []
        if not q.by_traffic_source:
            records = [{**(records[0] if records else {}), "traffic_source": ALL}]
        for rec in sorted(records, key=lambda r: str(r["traffic_source"])):
            counts = [(s.id, _int(rec.get(s.id))) for s in EVENT_STEPS]
            rows += _rates(str(rec["traffic_source"]), counts)
        return FunnelResult(q, rows, sql=sql)


@dataclass(frozen=True, slots=True)
class TrafficFunnelQuery:
    period: Period
    stores: tuple[str, ...] = ()
    by_traffic_source: bool = False


@register
class TrafficFunnelRunner(Runner[TrafficFunnelQuery, FunnelResult]):
    kind = "traffic_funnel"
    query_type = TrafficFunnelQuery
    tables = ("traffic_daily",)

    def to_expr(self) -> dict[str, ir.Table]:
        q = self.query
        t = source_rows(self.con, "traffic", period=q.period, stores=q.stores)
        aggs = {name: t[name].sum() for name, _, _ in TRAFFIC_STEPS}
        if q.by_traffic_source:
            return {"traffic_funnel": t.group_by(t.traffic_source.fill_null("").name("traffic_source")).aggregate(**aggs)}
        return {"traffic_funnel": t.aggregate(**aggs)}

    def _calculate(self) -> FunnelResult:
        q = self.query
        sql: dict[str, str] = {}
        records = records_of(self.frames(sql)["traffic_funnel"])
        if not q.by_traffic_source:
            records = [{**(records[0] if records else {}), "traffic_source": ALL}]
        rows: list[FunnelRow] = []
        for rec in sorted(records, key=lambda r: str(r["traffic_source"])):
            rows += _rates(str(rec["traffic_source"]), [(name, _int(rec.get(name))) for name, _, _ in TRAFFIC_STEPS])
        return FunnelResult(q, rows, sql=sql)


# (id, zh, en, the step it is measured against; None for the first)
STORE_STEPS = (("visitors", "访客数", "Visitors", None),
               ("add_to_cart_users", "加购人数", "Add-to-cart users", "visitors"),
               ("favorite_users", "收藏人数", "Favouriting users", "visitors"),
               ("order_buyers", "下单买家数", "Ordering buyers", "visitors"),
               ("buyers", "支付买家数", "Paying buyers", "order_buyers"))


@dataclass(frozen=True, slots=True)
class StoreFunnelQuery:
    period: Period
    stores: tuple[str, ...] = ()


@register
class StoreFunnelRunner(Runner[StoreFunnelQuery, FunnelResult]):
    kind = "store_funnel"
    query_type = StoreFunnelQuery
    tables = ("shop_traffic_daily",)

    def to_expr(self) -> dict[str, ir.Table]:
        q = self.query
        t = source_rows(self.con, "shop_traffic", period=q.period, stores=q.stores)
        return {"store_funnel": t.aggregate(**{name: t[name].sum() for name, *_ in STORE_STEPS}, _days=t.count())}

    def _calculate(self) -> FunnelResult:
        sql: dict[str, str] = {}
        records = records_of(self.frames(sql)["store_funnel"])
        rec = records[0] if records else {}
        if not _int(rec.get("_days")):
            return FunnelResult(self.query, [], sql=sql)
        counts = {name: _int(rec.get(name)) for name, *_ in STORE_STEPS}
        first = counts["visitors"]
        rows = []
        for name, _zh, _en, base in STORE_STEPS:
            if name == "favorite_users" and not counts[name]:
                continue  # a side step the export did not carry (no 收藏 column): left out, not shown as 0
            n = counts[name]
            b = counts[base] if base else None
            rows.append(FunnelRow(ALL, name, n, (n / b) if b else None, (n / first) if first else None,
                                  (b - n) if base else None))
        return FunnelResult(self.query, rows, sql=sql)


def _int(v) -> int:
    return 0 if v is None or pd.isna(v) else int(v)

