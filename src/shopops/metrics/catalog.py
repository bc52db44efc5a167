"""The KPI catalog: every KPI defined once.

A KPI is either a *measure* — one aggregate over one fact table, filtered to the
rows that count and dated by one business-date column — or a *ratio* of two other
KPIs. Ratios are always computed from their parts at the grain asked for, never by
averaging daily ratios. Pages, reports, alerts, targets and the API refer to KPIs
by id; every definition a user reads is the text below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import ibis
import ibis.expr.types as ir


class Unit(StrEnum):
    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"  # a ratio shown ×100 with a % sign
    RATIO = "ratio"  # a plain multiple, e.g. ROAS 3.2


class Direction(StrEnum):
    UP_IS_GOOD = "up"
    DOWN_IS_GOOD = "down"


# Orders that count as paid: a payment happened, whatever came after (refunds are
# subtracted by their own KPIs, never by dropping the order).
def _paid(t: ir.Table) -> ir.BooleanColumn:
    return t.paid_date.notnull() & ~t.status.isin(["pending_payment", "closed"])


def _successful_refund(t: ir.Table) -> ir.BooleanColumn:
    return t.status == "success"


def _per_store(t: ir.Table, column: str) -> ir.StringColumn:
    """Ids are unique within a store only (a JD buyer id may equal a Tmall one): count pairs."""
    return t.store_id.concat(":", t[column])


@dataclass(frozen=True, slots=True)
class Source:
    """A fact table as the catalog sees it: which rows count and which date places them."""

    id: str
    table: str
    date_column: str
    where: Callable[[ir.Table], ir.BooleanColumn] | None = None
    # Dimensions this source can be broken down by (column name in the source).
    dimensions: tuple[str, ...] = ("store_id",)


SOURCES: dict[str, Source] = {
    s.id: s
    for s in (
        Source("paid_orders", "orders", "paid_date", _paid, ("store_id", "traffic_source", "province")),
        Source("paid_lines", "order_lines", "paid_date", None, ("store_id", "product_id")),
        # Refunds are dated by the paid date of the refunded order, so refund rate and
        # net sales relate refunds to the GMV they reverse.
        Source("refunds_of_paid_orders", "refunds", "paid_date", _successful_refund, ("store_id",)),
        Source("events", "events", "event_date", None, ("store_id", "traffic_source", "product_id")),
        Source("ad_spend", "ad_spend_daily", "date", None, ("store_id", "ad_tool", "plan_id")),
        Source("traffic", "traffic_daily", "date", None, ("store_id", "traffic_source", "product_id")),
    )
}


@dataclass(frozen=True, slots=True)
class Kpi:
    id: str
    label_zh: str
    label_en: str
    definition_zh: str
    definition_en: str
    unit: Unit
    direction: Direction = Direction.UP_IS_GOOD
    # a measure …
    source: str | None = None
    measure: Callable[[ir.Table], ir.Scalar] | None = None
    # … or a ratio of two KPIs
    numerator: str | None = None
    denominator: str | None = None
    formula_text: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_ratio(self) -> bool:
        return self.numerator is not None

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") else self.label_zh

    def definition(self, language: str) -> str:
        return self.definition_en if language.startswith("en") else self.definition_zh


CATALOG: dict[str, Kpi] = {}


def _kpi(kpi: Kpi) -> Kpi:
    assert kpi.id not in CATALOG, kpi.id
    assert (kpi.measure is None) == kpi.is_ratio, kpi.id
    CATALOG[kpi.id] = kpi
    return kpi


# --- money ---------------------------------------------------------------------------
_kpi(Kpi(
    "gmv", "支付金额", "GMV",
    "统计期内付款订单的实付金额之和(扣除所有优惠,不含运费,未扣退款)。",
    "Sum of the amounts actually paid for orders paid in the period: after all discounts, "
    "before refunds, excluding shipping.",
    Unit.MONEY, source="paid_orders", measure=lambda t: t.paid_amount.sum(),
    formula_text="sum(orders.paid_amount) where paid", tags=("money",),
))
_kpi(Kpi(
    "paid_orders", "支付订单数", "Paid orders",
    "统计期内付款的订单数。", "Number of orders paid in the period.",
    Unit.COUNT, source="paid_orders", measure=lambda t: t.count(),
    formula_text="count(orders) where paid", tags=("money",),
))
_kpi(Kpi(
    "paying_buyers", "支付买家数", "Paying buyers",
    "统计期内至少有一笔付款订单的买家数(整段去重)。",
    "Distinct buyers with at least one paid order in the period (de-duplicated over the whole period).",
    Unit.COUNT, source="paid_orders", measure=lambda t: _per_store(t, "customer_id").nunique(),
    formula_text="count distinct (store_id, customer_id) of orders where paid", tags=("customers",),
))
_kpi(Kpi(
    "units_sold", "支付件数", "Units sold",
    "统计期内付款订单的商品件数。", "Units in orders paid in the period.",
    Unit.COUNT, source="paid_lines", measure=lambda t: t.quantity.sum(),
    formula_text="sum(order_lines.quantity) where the order is paid", tags=("products",),
))
_kpi(Kpi(
    "refund_amount", "退款金额", "Refunded amount",
    "统计期内付款的订单中已成功退款的金额。",
    "Amount successfully refunded on orders paid in the period.",
    Unit.MONEY, Direction.DOWN_IS_GOOD, source="refunds_of_paid_orders", measure=lambda t: t.amount.sum(),
    formula_text="sum(refunds.amount) where status = success, by the order's paid date", tags=("money",),
))
_kpi(Kpi(
    "refunded_orders", "退款订单数", "Refunded orders",
    "统计期内付款的订单中有成功退款的订单数。",
    "Orders paid in the period with at least one successful refund.",
    Unit.COUNT, Direction.DOWN_IS_GOOD, source="refunds_of_paid_orders", measure=lambda t: _per_store(t, "order_id").nunique(),
    formula_text="count distinct (store_id, order_id) of refunds where status = success", tags=("money",),
))
_kpi(Kpi(
    "aov", "客单价", "AOV per buyer",
    "支付金额 ÷ 支付买家数(平台口径)。", "GMV / paying buyers (the platform convention).",
    Unit.MONEY, numerator="gmv", denominator="paying_buyers", tags=("money",),
))
_kpi(Kpi(
    "aov_per_order", "笔单价", "AOV per order",
    "支付金额 ÷ 支付订单数。", "GMV / paid orders (the Western “AOV”).",
    Unit.MONEY, numerator="gmv", denominator="paid_orders", tags=("money",),
))
_kpi(Kpi(
    "refund_rate", "退款率(金额)", "Refund rate (amount)",
    "退款金额 ÷ 支付金额。", "Refunded amount / GMV.",
    Unit.PERCENT, Direction.DOWN_IS_GOOD, numerator="refund_amount", denominator="gmv", tags=("money",),
))
_kpi(Kpi(
    "refund_order_rate", "退款率(订单)", "Refund rate (orders)",
    "退款订单数 ÷ 支付订单数。", "Refunded orders / paid orders.",
    Unit.PERCENT, Direction.DOWN_IS_GOOD, numerator="refunded_orders", denominator="paid_orders", tags=("money",),
))

# --- traffic ---------------------------------------------------------------------------
_kpi(Kpi(
    "visitors", "访客数", "Visitors (UV)",
    "统计期内有行为记录的去重访客数(整段去重,不是每日访客数之和)。",
    "Distinct visitors with at least one event in the period (de-duplicated over the whole "
    "period, not a sum of daily visitors).",
    Unit.COUNT, source="events", measure=lambda t: _per_store(t, "visitor_id").nunique(),
    formula_text="count distinct (store_id, visitor_id) of events", tags=("traffic",),
))
_kpi(Kpi(
    "page_views", "浏览量", "Page views (PV)",
    "页面与商品详情页的浏览次数。", "Number of page and product-detail views.",
    Unit.COUNT, source="events",
    measure=lambda t: (t.event_type.isin(["page_view", "product_view"])).ifelse(1, 0).sum(),
    formula_text="count(events) where event_type in (page_view, product_view)", tags=("traffic",),
))
_kpi(Kpi(
    "visitor_days", "访客人天", "Visitor-days",
    "平台流量报表(如生意参谋)每日访客数之和。", "Sum of the daily visitors of the platforms' traffic reports.",
    Unit.COUNT, source="traffic", measure=lambda t: t.visitors.sum(),
    formula_text="sum(traffic_daily.visitors)", tags=("traffic",),
))
_kpi(Kpi(
    "conversion_rate", "支付转化率", "Conversion rate",
    "支付买家数 ÷ 访客数。", "Paying buyers / visitors.",
    Unit.PERCENT, numerator="paying_buyers", denominator="visitors", tags=("traffic",),
))

# --- marketing ---------------------------------------------------------------------------
_kpi(Kpi(
    "ad_spend", "推广花费", "Ad spend",
    "各推广工具(直通车、引力魔方、万相台、京准通、多多搜索、巨量千川等)的花费之和。",
    "Spend across the ad tools (直通车, 引力魔方, 万相台, 京准通, 多多搜索, 巨量千川 …).",
    Unit.MONEY, Direction.DOWN_IS_GOOD, source="ad_spend", measure=lambda t: t.cost.sum(),
    formula_text="sum(ad_spend_daily.cost)", tags=("marketing",),
))
_kpi(Kpi(
    "ad_gmv", "推广成交金额", "Ad-attributed GMV",
    "推广工具归因的成交金额之和(按各工具自身的归因口径)。",
    "GMV the ad tools attribute to their plans (each tool's own attribution).",
    Unit.MONEY, source="ad_spend", measure=lambda t: t.attributed_gmv.sum(),
    formula_text="sum(ad_spend_daily.attributed_gmv)", tags=("marketing",),
))
_kpi(Kpi(
    "roas", "投产比", "ROAS",
    "推广成交金额 ÷ 推广花费(即推广工具里标注的“ROI”)。",
    "Ad-attributed GMV / ad spend (what the platforms' ad tools label “ROI”).",
    Unit.RATIO, numerator="ad_gmv", denominator="ad_spend", tags=("marketing",),
))


def kpi(kpi_id: str) -> Kpi:
    try:
        return CATALOG[kpi_id]
    except KeyError:
        raise KeyError(f"unknown KPI {kpi_id!r}; known: {', '.join(CATALOG)}") from None


def measures_needed(kpi_ids: list[str]) -> list[str]:
    """The measure KPIs that the given KPIs are computed from, in catalog order."""
    need: set[str] = set()

    def visit(kid: str) -> None:
        k = kpi(kid)
        if k.is_ratio:
            visit(k.numerator)
            visit(k.denominator)
        else:
            need.add(kid)

    for kid in kpi_ids:
        visit(kid)
    return [k for k in CATALOG if k in need]


def source_table(con: ibis.BaseBackend, source: Source) -> ir.Table:
    """The rows of a source, with its business date as ``_date``."""
    if source.id == "refunds_of_paid_orders":
        refunds = con.table("refunds")
        orders = con.table("orders").select("store_id", "order_id", "paid_date")
        t = refunds.inner_join(orders, ["store_id", "order_id"])
    else:
        t = con.table(source.table)
    if source.where is not None:
        t = t.filter(source.where(t))
    return t.mutate(_date=t[source.date_column])


def kpis_markdown() -> str:
    """docs/kpis.md, generated from the catalog."""
    out = [
        "# KPI catalog",
        "",
        "Generated from `src/shopops/metrics/catalog.py` by `shopops docs kpis`; a test fails when "
        "the two differ. Business definitions follow `GLOSSARY.md`; ratios are always computed "
        "from their parts over the period asked for, never as an average of daily ratios.",
        "",
        "| id | 中文 | English | unit | better | definition | formula |",
        "|---|---|---|---|---|---|---|",
    ]
    for k in CATALOG.values():
        formula = k.formula_text or f"{k.numerator} / {k.denominator}"
        better = "↑" if k.direction is Direction.UP_IS_GOOD else "↓"
        out.append(
            f"| `{k.id}` | {k.label_zh} | {k.label_en} | {k.unit} | {better} | "
            f"{k.definition_en} {k.definition_zh} | `{formula}` |"
        )
    out.append("")
    return "\n".join(out)
