"""The KPI catalog: every KPI defined once.

A KPI is one of four kinds:

* a **measure** — one aggregate over the rows of one *source* (a fact table filtered
  to the rows that count and dated by one business-date column), e.g. ``gmv``;
* an **entity count** — the number of distinct entities (buyers, visitors, sessions,
  SKUs…) among a source's rows, optionally only those whose row count passes a test
  (``repeat_buyers``: buyers with >= 2 paid orders). The runner de-duplicates first
  (``GROUP BY keys, store_id, entity``) and counts rows after, which every engine runs
  faster than ``COUNT(DISTINCT …) FILTER (…)``;
* a **ratio** of two KPIs (``numerator / denominator × scale``), always computed from its
  parts at the grain asked for, never by averaging daily ratios;
* a **combination** — a signed sum of other KPIs (``net_sales = gmv − refund_amount``).

Entities are counted per store: ids are unique within a store only (a JD buyer id may
equal a Tmall one), so ``(store_id, customer_id)`` is one buyer.

Each KPI supports the dimensions its source supports (:func:`kpi_dimensions`); derived
KPIs support the dimensions all their parts support. Pages, reports, alerts, targets and
the API refer to KPIs by id; every definition a user reads is the text below, and
``docs/kpis.md`` is generated from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

import ibis.expr.types as ir

from shopops.core.roles import Module
from shopops.metrics.channels import EVENT_STREAM_PLATFORMS
from shopops.warehouse.schema import PAID_EXCLUDED_STATUSES, TABLES  # noqa: F401 (re-exported: sources, tests)


class Unit(StrEnum):
    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"  # a ratio shown ×100 with a % sign
    RATIO = "ratio"  # a plain multiple, e.g. ROAS 3.2, or days


class Direction(StrEnum):
    UP_IS_GOOD = "up"
    DOWN_IS_GOOD = "down"


# Orders that count as paid: a payment happened, whatever came after (refunds are
# subtracted by their own KPIs, never by dropping the order). Defined in the warehouse
# schema, which the rollups read too.
PAGE_VIEW_TYPES = ("page_view", "product_view")


@dataclass(frozen=True, slots=True)
class Source:
    """A fact source as the catalog sees it: which rows count and which date places them.

    ``table`` is the fact table; ``joins`` names the tables joined in to build it (see
    :mod:`shopops.metrics.sources`). ``columns`` are the columns usable as dimensions
    as they are; ``platform`` (every source), ``category`` (sources with ``product_id``)
    and ``customer_type`` (sources with ``customer_id``) are derived by joins. The date that
    places a row is the business date of ``table`` as the warehouse schema declares it, or of
    ``dated_by`` when the rows are placed by a joined table's date (refunds by their order's).
    """

    id: str
    table: str
    doc: str
    columns: tuple[str, ...] = ("store_id",)
    has_product: bool = False
    has_customer: bool = False
    dated_by: str | None = None
    # rows that each cover a whole period (start and end columns) count only when the period asked
    # for is exactly theirs, and never in a time bucket: a figure de-duplicated over a period is not
    # split into days or added up from shorter periods (see sources.source_rows)
    exact_period: tuple[str, str] | None = None

    @property
    def date_column(self) -> str:
        column = TABLES[self.dated_by or self.table].business_date
        assert column is not None, f"{self.dated_by or self.table} has no business date in the schema"
        return column

    @property
    def dimensions(self) -> tuple[str, ...]:
        dims = list(self.columns) + ["platform"]
        if self.has_product:
            dims += ["product_id", "category"] if "product_id" not in dims else ["category"]
        if self.has_customer:
            dims.append("customer_type")
        return tuple(dims)


SOURCES: dict[str, Source] = {
    s.id: s
    for s in (
        Source("paid_orders", "orders",
               "orders with a payment (status not pending_payment/closed, paid_date set), by paid_date",
               ("store_id", "traffic_source", "province"), has_customer=True),
        Source("paid_lines", "order_lines",
               "lines of paid orders (joined to the order for its source, province and buyer), by the order's paid_date",
               ("store_id", "traffic_source", "province"), has_product=True, has_customer=True),
        Source("paid_lines_costed", "order_lines",
               "paid lines joined to skus (store_id, sku_id) for the unit cost",
               ("store_id", "traffic_source", "province"), has_product=True, has_customer=True),
        # Refunds are dated by the paid date of the refunded order, so refund rate and
        # net sales relate refunds to the GMV they reverse.
        Source("refunds_of_paid_orders", "refunds",
               "successful refunds joined to their paid order, by the order's paid_date",
               ("store_id", "traffic_source", "province"), has_customer=True, dated_by="orders"),
        # Whether refund data were imported at all: a store with a refund row ever (any status) has its
        # refunds file; a paid order of a store without one has an unknown refund, not 0.
        Source("paid_orders_refund_data", "orders",
               "paid orders, each marked whether its store has refund data (a refund row ever, any status)",
               ("store_id", "traffic_source", "province"), has_customer=True),
        Source("events", "events", "behaviour events, by event_date",
               ("store_id", "traffic_source"), has_product=True),
        Source("ad_spend", "ad_spend_daily", "ad plans' daily results, by date",
               ("store_id", "ad_tool", "plan_id")),
        Source("traffic", "traffic_daily", "platform daily traffic per product and source, by date",
               ("store_id", "traffic_source"), has_product=True),
        Source("reviews", "reviews", "reviews, by review_date", ("store_id",), has_product=True),
        Source("stock", "inventory_snapshots",
               "end-of-day stock snapshots joined to skus for the product, by date", ("store_id",), has_product=True),
        Source("service_chat", "service_chat_daily",
               "chat-service results per agent and day from the platforms' service tools, by date",
               ("store_id", "agent_name")),
        Source("shop_traffic", "shop_traffic_daily",
               "a platform store's own daily whole-store report (生意参谋 and the like), by date", ("store_id",)),
        Source("shop_period", "shop_traffic_period",
               "a platform store's own whole-store report of a whole period (生意参谋 / 京东商智 period export), "
               "only the rows whose period is exactly the one asked for", ("store_id",),
               exact_period=("period_start", "period_end")),
        Source("closing_stock", "inventory_snapshots",
               "the stock snapshots of each store's last snapshot date in the period (or time bucket)",
               ("store_id",), has_product=True),
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
    source: str | None = None
    # a measure: one aggregate over the source rows …
    measure: Callable[[ir.Table], ir.Scalar] | None = None
    # … or an entity count: distinct `entity` values (per store) among rows passing `where`,
    # keeping only entities whose row count passes `having`; `needs` names derived
    # dimensions the filter reads (e.g. customer_type) …
    entity: str | None = None
    where: Callable[[ir.Table], ir.BooleanValue] | None = None
    having: Callable[[ir.IntegerColumn], ir.BooleanValue] | None = None
    needs: tuple[str, ...] = ()
    # … or a ratio of two KPIs …
    numerator: str | None = None
    denominator: str | None = None
    scale: int = 1
    # … or a signed sum of KPIs, e.g. ("gmv", "-refund_amount")
    combine: tuple[str, ...] = ()
    formula_text: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    # the module a role must have to see this KPI on any page or export (None: every role that
    # sees the page); KPIs of the ad spend source, and KPIs derived from such KPIs, are Module.ADS
    module: Module | None = None
    # --- facts for anomaly detection (shopops.insights reads them; defaults suit a new KPI) ---
    # the count behind a sum of amounts, for its sampling noise (the orders under GMV); a ratio's
    # is its denominator, a count is its own. A money sum must name one (checked below).
    noise_base: str | None = None
    drives_gmv: bool = False  # a relative move of it moves GMV by the same share (visitors, conversion, AOV …)
    alerts: bool = False  # opens an insights finding on its own; else judged and shown as context only
    judged_daily: bool = True  # False: not judged per day (weekly stock snapshots, rare events)
    priority: int = 99  # headline order among the signals of one finding (lower first)

    def __reduce_ex__(self, protocol):
        """A catalog KPI pickles as its id (its formulas are functions): cached results that hold
        KPIs (the cockpit's tiles) go through the cache by reference to the catalog."""
        if CATALOG.get(self.id) is self:
            return (_catalog_kpi, (self.id,))
        return object.__reduce_ex__(self, protocol)

    @property
    def is_ratio(self) -> bool:
        return self.numerator is not None

    @property
    def is_combination(self) -> bool:
        return bool(self.combine)

    @property
    def is_entity_count(self) -> bool:
        return self.entity is not None

    @property
    def is_base(self) -> bool:
        """Computed by the warehouse (a measure or an entity count), not derived from other KPIs."""
        return self.source is not None

    @property
    def is_additive_over_time(self) -> bool:
        """Summing days gives the period's value (sums and row counts; not distinct counts or ratios)."""
        if self.is_ratio:
            return False
        if self.source is not None and SOURCES[self.source].exact_period:
            return False
        if self.is_combination:
            return all(CATALOG[t.lstrip("-")].is_additive_over_time for t in self.combine)
        return not self.is_entity_count

    @property
    def parts(self) -> tuple[str, ...]:
        if self.is_ratio:
            return (self.numerator, self.denominator)
        return tuple(t.lstrip("-") for t in self.combine)

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") else self.label_zh

    def definition(self, language: str) -> str:
        return self.definition_en if language.startswith("en") else self.definition_zh

    def formula(self) -> str:
        if self.formula_text:
            return self.formula_text
        if self.is_ratio:
            scale = f" × {self.scale}" if self.scale != 1 else ""
            return f"{self.numerator} / {self.denominator}{scale}"
        return " ".join(("− " + t[1:]) if t.startswith("-") else ("+ " + t) for t in self.combine).removeprefix("+ ")


CATALOG: dict[str, Kpi] = {}


def _catalog_kpi(kpi_id: str) -> Kpi:
    return CATALOG[kpi_id]
# sources whose KPIs only the roles of one module may see
SOURCE_MODULES: dict[str | None, Module] = {"ad_spend": Module.ADS, "service_chat": Module.SERVICE}
_LOADED = False


def _kpi(kpi: Kpi) -> Kpi:
    assert kpi.id not in CATALOG, kpi.id
    kinds = [kpi.measure is not None, kpi.entity is not None, kpi.is_ratio, kpi.is_combination]
    assert sum(kinds) == 1, kpi.id
    assert (kpi.source is not None) == (kinds[0] or kinds[1]), kpi.id
    for part in kpi.parts:
        assert part in CATALOG, f"{kpi.id}: define {part} first"
    if kpi.module is None:
        inherited = {SOURCE_MODULES.get(kpi.source)} | {CATALOG[part].module for part in kpi.parts}
        inherited.discard(None)
        assert len(inherited) <= 1, f"{kpi.id}: parts of several modules {inherited}; set module"
        if inherited:
            kpi = replace(kpi, module=inherited.pop())
    if _LOADED:  # the catalog's own KPIs are checked once their facts are set (end of module)
        _check_noise_base(kpi)
    CATALOG[kpi.id] = kpi
    return kpi


def _check_noise_base(kpi: Kpi) -> None:
    """A money sum judged daily must say which count its noise scales with (else no noise floor)."""
    if kpi.noise_base is not None:
        assert kpi.noise_base in CATALOG and CATALOG[kpi.noise_base].unit is Unit.COUNT, \
            f"{kpi.id}: noise_base {kpi.noise_base!r} must be a count KPI defined before it"
    elif kpi.unit is Unit.MONEY and not kpi.is_ratio and kpi.judged_daily:
        raise AssertionError(f"{kpi.id}: a money sum needs noise_base (the count behind it, e.g. paid_orders)")


def _sum_if(cond: ir.BooleanValue) -> ir.IntegerScalar:
    return cond.ifelse(1, 0).sum()


# --- sales ---------------------------------------------------------------------------
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
    Unit.COUNT, source="paid_orders", entity="customer_id",
    formula_text="count distinct (store_id, customer_id) of orders where paid", tags=("customers",),
))
_kpi(Kpi(
    "units_sold", "支付件数", "Units sold",
    "统计期内付款订单的商品件数。", "Units in orders paid in the period.",
    Unit.COUNT, source="paid_lines", measure=lambda t: t.quantity.sum(),
    formula_text="sum(order_lines.quantity) where the order is paid", tags=("products",),
))
_kpi(Kpi(
    "item_gmv", "商品支付金额", "Item GMV",
    "统计期内付款订单各商品行的实付金额之和,可按商品、类目拆分。商品行带有实付金额时(自有站点、带逐行实付的导出)与支付金额"
    "相等;平台导出不带逐行实付时(天猫宝贝报表、京东订单导出),商品行按 单价 × 数量 计,未扣订单级优惠(店铺券、满减),"
    "因此高于支付金额,商品页注明差额。",
    "Sum of the paid amounts of the lines of orders paid in the period, broken down by product and category. It "
    "equals GMV where the lines carry what was paid for them (the own site, exports with a per-line paid amount); "
    "where a platform export has none (Tmall 宝贝报表, the JD order export) a line counts its price × quantity "
    "before the order-level discounts (store coupons, 满减), so item GMV exceeds GMV: the products page states "
    "the difference.",
    Unit.MONEY, source="paid_lines", measure=lambda t: t.paid_amount.sum(),
    formula_text="sum(order_lines.paid_amount) where the order is paid", tags=("money", "products"),
))
_kpi(Kpi(
    "item_buyers", "商品支付买家数", "Item buyers",
    "统计期内购买了该商品(或类目)且已付款的买家数(整段去重);按店铺汇总时与支付买家数相同。",
    "Distinct buyers of paid orders with a line of the product (or category) in the period "
    "(de-duplicated over the whole period); for a whole store it equals paying buyers.",
    Unit.COUNT, source="paid_lines", entity="customer_id",
    formula_text="count distinct (store_id, customer_id) of paid order lines", tags=("customers", "products"),
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
    Unit.COUNT, Direction.DOWN_IS_GOOD, source="refunds_of_paid_orders", entity="order_id",
    formula_text="count distinct (store_id, order_id) of refunds where status = success", tags=("money",),
))
_kpi(Kpi(
    "net_sales", "净销售额", "Net sales",
    "支付金额 − 这些订单已成功退款的金额。", "GMV minus refunds successfully paid back for those orders.",
    Unit.MONEY, combine=("gmv", "-refund_amount"), tags=("money",),
))
_kpi(Kpi(
    "cogs", "商品成本", "Cost of goods",
    "付款订单商品行的件数 × SKU 成本(skus.cost)之和。售出的商品都没有成本时为未知(显示“—”,"
    "而非 0);只有部分有成本时,附成本覆盖率(cost_coverage)。",
    "Units of the paid lines × the SKU's unit cost (skus.cost, joined on store_id + sku_id). Unknown "
    "(shown as “—”, not 0) when no line sold has a cost; when only some have, shown with the cost "
    "coverage (cost_coverage).",
    Unit.MONEY, Direction.DOWN_IS_GOOD, source="paid_lines_costed",
    measure=lambda t: (t.quantity * t.cost.fill_null(0)).sum(),
    formula_text="sum(order_lines.quantity × skus.cost) where the order is paid", tags=("money",),
))
_kpi(Kpi(
    "costed_item_gmv", "有成本商品支付金额", "Costed item GMV",
    "付款订单商品行中 SKU 有成本(skus.cost 非空)的实付金额之和:商品成本覆盖了多少销售额。",
    "Sum of the paid amounts of the paid lines whose SKU has a cost (skus.cost not null): how much of "
    "the item GMV the cost of goods covers.",
    Unit.MONEY, source="paid_lines_costed",
    measure=lambda t: t.paid_amount.sum(where=t.cost.notnull()),
    formula_text="sum(order_lines.paid_amount where skus.cost is not null) where the order is paid",
    tags=("money", "products"),
))
_kpi(Kpi(
    "store_discount", "店铺承担优惠", "Store-borne discounts",
    "付款订单的优惠金额中由店铺承担的部分:订单优惠金额 − 平台承担优惠。",
    "The part of paid orders' discounts the store bears: orders.discount_amount − orders.platform_discount "
    "(the only allocation the data supports: per order, not per line).",
    Unit.MONEY, Direction.DOWN_IS_GOOD, source="paid_orders",
    measure=lambda t: (t.discount_amount.fill_null(0) - t.platform_discount.fill_null(0)).sum(),
    formula_text="sum(orders.discount_amount − orders.platform_discount) where paid", tags=("money",),
))
_kpi(Kpi(
    "platform_discount", "平台承担优惠", "Platform-borne discounts",
    "付款订单的优惠中由平台承担、平台补给店铺的部分(如跨店满减的平台份额)。",
    "The part of paid orders' discounts the platform pays the store back (e.g. its share of 跨店满减).",
    Unit.MONEY, source="paid_orders", measure=lambda t: t.platform_discount.fill_null(0).sum(),
    formula_text="sum(orders.platform_discount) where paid", tags=("money",),
))
_kpi(Kpi(
    "gross_margin", "毛利", "Gross margin",
    "净销售额 + 平台承担优惠 − 商品成本。实付金额已扣除全部优惠,店铺承担的优惠因此已在净销售额中扣除一次,"
    "不再重复扣减;平台承担的优惠由平台补给店铺,计入收入。",
    "Net sales + platform-borne discounts − cost of goods. Paid amounts are already after every "
    "discount, so store-borne discounts are subtracted once (inside net sales), not twice; "
    "platform-borne discounts are paid back to the store, so they count as income.",
    Unit.MONEY, combine=("net_sales", "platform_discount", "-cogs"), tags=("money",),
))
_kpi(Kpi(
    "gross_margin_rate", "毛利率", "Gross margin rate",
    "毛利 ÷ 净销售额。", "Gross margin / net sales.",
    Unit.PERCENT, numerator="gross_margin", denominator="net_sales", tags=("money",),
))
_kpi(Kpi(
    "cost_coverage", "成本覆盖率", "Cost coverage",
    "有成本的商品支付金额 ÷ 商品支付金额:商品成本、毛利、毛利率所覆盖的销售额比例。"
    "为 0 时这些指标未知(未导入 SKU 成本)。",
    "Costed item GMV / item GMV: the share of item sales the cost of goods, gross margin and gross "
    "margin rate cover. At 0 those are unknown (no SKU costs imported).",
    Unit.PERCENT, numerator="costed_item_gmv", denominator="item_gmv", tags=("money", "products"),
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
    "avg_unit_price", "件单价", "Average unit price",
    "商品支付金额 ÷ 支付件数。", "Item GMV / units sold.",
    Unit.MONEY, numerator="item_gmv", denominator="units_sold", tags=("money", "products"),
))
_kpi(Kpi(
    "upt", "连带率", "Units per transaction (UPT)",
    "支付件数 ÷ 支付订单数。", "Units sold / paid orders.",
    Unit.RATIO, numerator="units_sold", denominator="paid_orders", tags=("products",),
))
_kpi(Kpi(
    "refund_rate", "退款率(金额)", "Refund rate (amount)",
    "退款金额 ÷ 支付金额。", "Refunded amount / GMV.",
    Unit.PERCENT, Direction.DOWN_IS_GOOD, numerator="refund_amount", denominator="gmv", tags=("money",),
))
_kpi(Kpi(
    "refund_covered_gmv", "有退款数据的支付金额", "GMV with refund data",
    "付款订单中所在店铺导入过退款数据(任一退款记录)的实付金额之和:退款类指标覆盖了多少支付金额。为 0 时退款金额、"
    "退款率、净销售额及由它们算出的指标未知(未导入退款数据),而不是 0。",
    "Paid amounts of the paid orders of stores with refund data (at least one refund row ever, any status): "
    "how much of GMV the refund KPIs cover. At 0 refunded amount, refund rates, net sales and everything "
    "computed from them are unknown (no refund data imported), not 0.",
    Unit.MONEY, source="paid_orders_refund_data", measure=lambda t: t.paid_amount.sum(where=t._refund_data.notnull()),
    formula_text="sum(orders.paid_amount) where paid and the store has a refund row", tags=("money",),
))
_kpi(Kpi(
    "refund_coverage", "退款数据覆盖率", "Refund data coverage",
    "有退款数据的支付金额 ÷ 支付金额:退款金额、退款率、净销售额所覆盖的支付金额比例。为 0 时这些指标未知(未导入退款数据)。",
    "GMV with refund data / GMV: the share of GMV the refunded amount, refund rates and net sales cover. At 0 "
    "those are unknown (no refund data imported).",
    Unit.PERCENT, numerator="refund_covered_gmv", denominator="gmv", tags=("money",),
))
_kpi(Kpi(
    "refund_order_rate", "退款率(订单)", "Refund rate (orders)",
    "退款订单数 ÷ 支付订单数。", "Refunded orders / paid orders.",
    Unit.PERCENT, Direction.DOWN_IS_GOOD, numerator="refunded_orders", denominator="paid_orders", tags=("money",),
))

# --- customers ---------------------------------------------------------------------------
_kpi(Kpi(
    "new_buyers", "新客数", "New buyers",
    "统计期内的支付买家中,在该店铺的首笔付款订单落在统计期内的买家数。",
    "Paying buyers of the period whose first paid order ever in that store falls in the period.",
    Unit.COUNT, source="paid_orders", entity="customer_id", needs=("customer_type",),
    where=lambda t: t.customer_type == "new",
    formula_text="count distinct (store_id, customer_id) where paid and min(paid_date over all time) >= period start",
    tags=("customers",),
))
_kpi(Kpi(
    "returning_buyers", "老客数", "Returning buyers",
    "统计期内的支付买家中,统计期之前已在该店铺付款过的买家数。",
    "Paying buyers of the period who had a paid order in that store before the period.",
    Unit.COUNT, source="paid_orders", entity="customer_id", needs=("customer_type",),
    where=lambda t: t.customer_type == "returning",
    formula_text="count distinct (store_id, customer_id) where paid and min(paid_date over all time) < period start",
    tags=("customers",),
))
_kpi(Kpi(
    "repeat_buyers", "复购买家数", "Repeat buyers",
    "统计期内有 2 笔及以上付款订单的买家数。", "Buyers with two or more paid orders in the period.",
    Unit.COUNT, source="paid_orders", entity="customer_id", having=lambda n: n >= 2,
    formula_text="count (store_id, customer_id) having count(paid orders) >= 2", tags=("customers",),
))
_kpi(Kpi(
    "repurchase_rate", "复购率", "Repurchase rate",
    "复购买家数 ÷ 支付买家数。", "Buyers with >= 2 paid orders in the period / paying buyers.",
    Unit.PERCENT, numerator="repeat_buyers", denominator="paying_buyers", tags=("customers",),
))
_kpi(Kpi(
    "returning_buyer_rate", "回购率", "Returning-buyer rate",
    "老客数 ÷ 支付买家数。", "Buyers who had bought before the period / paying buyers.",
    Unit.PERCENT, numerator="returning_buyers", denominator="paying_buyers", tags=("customers",),
))

# --- traffic ---------------------------------------------------------------------------
_kpi(Kpi(
    "visitors", "访客数", "Visitors (UV)",
    "统计期内有行为记录的去重访客数(整段去重,不是每日访客数之和)。",
    "Distinct visitors with at least one event in the period (de-duplicated over the whole "
    "period, not a sum of daily visitors).",
    Unit.COUNT, source="events", entity="visitor_id",
    formula_text="count distinct (store_id, visitor_id) of events", tags=("traffic",),
))
_kpi(Kpi(
    "page_views", "浏览量", "Page views (PV)",
    "页面与商品详情页的浏览次数。", "Number of page and product-detail views.",
    Unit.COUNT, source="events", measure=lambda t: _sum_if(t.event_type.isin(PAGE_VIEW_TYPES)),
    formula_text="count(events) where event_type in (page_view, product_view)", tags=("traffic",),
))
_kpi(Kpi(
    "add_to_cart_users", "加购人数", "Add-to-cart users",
    "统计期内有加购行为的去重访客数。", "Distinct visitors who added to cart in the period.",
    Unit.COUNT, source="events", entity="visitor_id", where=lambda t: t.event_type == "add_to_cart",
    formula_text="count distinct (store_id, visitor_id) of events where event_type = add_to_cart", tags=("traffic",),
))
_kpi(Kpi(
    "sessions", "会话数", "Sessions",
    "统计期内有行为记录的去重会话数。", "Distinct sessions with events in the period.",
    Unit.COUNT, source="events", entity="session_id", where=lambda t: t.session_id.notnull(),
    formula_text="count distinct (store_id, session_id) of events", tags=("traffic",),
))
_kpi(Kpi(
    "bounced_sessions", "跳失会话数", "Bounced sessions",
    "统计期内恰好只有一次浏览(页面或商品详情页)的会话数。",
    "Sessions with exactly one page view (page or product view) in the period.",
    Unit.COUNT, Direction.DOWN_IS_GOOD, source="events", entity="session_id",
    where=lambda t: t.session_id.notnull() & t.event_type.isin(PAGE_VIEW_TYPES), having=lambda n: n == 1,
    formula_text="count (store_id, session_id) having count(page views) = 1", tags=("traffic",),
))
_kpi(Kpi(
    "bounce_rate", "跳失率", "Bounce rate",
    "跳失会话数 ÷ 会话数。", "Sessions with exactly one page view / sessions.",
    Unit.PERCENT, Direction.DOWN_IS_GOOD, numerator="bounced_sessions", denominator="sessions", tags=("traffic",),
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
    "ad_plan_days", "推广报表计划天数", "Plan-days of ad reports",
    "导入的推广报表行数(计划 × 日):为 0 时推广花费及由它算出的指标(投产比、ROI、点击花费、推广费比……)未知"
    "(未导入推广数据),而不是 0;有行而花费为 0 则是真实的 0。",
    "Rows of the ad tools' plan reports imported (plan × day): at 0 ad spend and everything computed from it "
    "(ROAS, ROI, CPC, ad spend ratio …) are unknown (no ad data imported), not 0; a row with 0 spend is a real 0.",
    Unit.COUNT, source="ad_spend", measure=lambda t: t.count(),
    formula_text="count(ad_spend_daily)", tags=("marketing",),
))
_kpi(Kpi(
    "ad_gmv", "推广成交金额", "Ad-attributed GMV",
    "推广工具归因的成交金额之和(按各工具自身的归因口径)。",
    "GMV the ad tools attribute to their plans (each tool's own attribution).",
    Unit.MONEY, source="ad_spend", measure=lambda t: t.attributed_gmv.sum(),
    formula_text="sum(ad_spend_daily.attributed_gmv)", tags=("marketing",),
))
_kpi(Kpi(
    "impressions", "展现量", "Impressions",
    "推广计划的展现次数之和。", "Ad impressions across plans.",
    Unit.COUNT, source="ad_spend", measure=lambda t: t.impressions.sum(),
    formula_text="sum(ad_spend_daily.impressions)", tags=("marketing",),
))
_kpi(Kpi(
    "clicks", "点击量", "Clicks",
    "推广计划的点击次数之和。", "Ad clicks across plans.",
    Unit.COUNT, source="ad_spend", measure=lambda t: t.clicks.sum(),
    formula_text="sum(ad_spend_daily.clicks)", tags=("marketing",),
))
_kpi(Kpi(
    "ctr", "点击率", "CTR",
    "点击量 ÷ 展现量。", "Clicks / impressions.",
    Unit.PERCENT, numerator="clicks", denominator="impressions", tags=("marketing",),
))
_kpi(Kpi(
    "cpc", "平均点击花费", "CPC",
    "推广花费 ÷ 点击量。", "Ad spend / clicks.",
    Unit.MONEY, Direction.DOWN_IS_GOOD, numerator="ad_spend", denominator="clicks", tags=("marketing",),
))
_kpi(Kpi(
    "cpm", "千次展现花费", "CPM",
    "推广花费 ÷ 展现量 × 1000。", "Ad spend per 1,000 impressions.",
    Unit.MONEY, Direction.DOWN_IS_GOOD, numerator="ad_spend", denominator="impressions", scale=1000,
    tags=("marketing",),
))
_kpi(Kpi(
    "roas", "投产比", "ROAS",
    "推广成交金额 ÷ 推广花费(即推广工具里标注的“ROI”)。",
    "Ad-attributed GMV / ad spend (what the platforms' ad tools label “ROI”).",
    Unit.RATIO, numerator="ad_gmv", denominator="ad_spend", tags=("marketing",),
))
_kpi(Kpi(
    "ad_return", "推广净收益", "Ad return",
    "推广成交金额 − 推广花费。", "Ad-attributed GMV minus ad spend.",
    Unit.MONEY, combine=("ad_gmv", "-ad_spend"), tags=("marketing",),
))
_kpi(Kpi(
    "roi", "ROI(收益率)", "ROI (net return)",
    "(推广成交金额 − 推广花费) ÷ 推广花费,即 (收入 − 成本) ÷ 成本;"
    "不同于推广工具标注的“ROI”(见投产比)。",
    "(ad-attributed GMV − ad spend) / ad spend, i.e. (revenue − cost) / cost; not what the ad "
    "tools label “ROI” (that is ROAS).",
    Unit.RATIO, numerator="ad_return", denominator="ad_spend", tags=("marketing",),
))
_kpi(Kpi(
    "cac", "获客成本", "CAC",
    "推广花费 ÷ 新客数。", "Ad spend / new buyers acquired in the period.",
    Unit.MONEY, Direction.DOWN_IS_GOOD, numerator="ad_spend", denominator="new_buyers", tags=("marketing", "customers"),
))

# --- products and stock ---------------------------------------------------------------------------
_kpi(Kpi(
    "skus_sold", "动销 SKU 数", "SKUs sold",
    "统计期内至少卖出一件的 SKU 数。有销售而订单行都没有 SKU 编号时为未知(显示“—”,而非 0)。",
    "SKUs with at least one unit sold in the period. Unknown (shown as “—”, not 0) when items were sold "
    "and none of the order lines carries a SKU id.",
    Unit.COUNT, source="paid_lines", entity="sku_id", where=lambda t: t.sku_id.notnull(),
    formula_text="count distinct (store_id, sku_id) of paid lines", tags=("products",),
))
_kpi(Kpi(
    "sku_item_gmv", "有 SKU 的商品支付金额", "Item GMV with a SKU id",
    "付款订单商品行中带 SKU 编号(sku_id 非空)的实付金额之和:动销 SKU 数覆盖了多少销售额。",
    "Sum of the paid amounts of the paid lines that carry a SKU id (sku_id not null): how much of the item "
    "GMV the SKUs sold cover.",
    Unit.MONEY, source="paid_lines", measure=lambda t: t.paid_amount.sum(where=t.sku_id.notnull()),
    formula_text="sum(order_lines.paid_amount where sku_id is not null) where the order is paid",
    tags=("money", "products"),
))
_kpi(Kpi(
    "sku_coverage", "SKU 覆盖率", "SKU coverage",
    "有 SKU 编号的商品支付金额 ÷ 商品支付金额:动销 SKU 数、动销率所覆盖的销售额比例。"
    "为 0 时这些指标未知(订单行没有 SKU 编号)。",
    "Item GMV with a SKU id / item GMV: the share of item sales SKUs sold and the SKU sales rate cover. At 0 "
    "those are unknown (the order lines carry no SKU id).",
    Unit.PERCENT, numerator="sku_item_gmv", denominator="item_gmv", tags=("products",),
))
_kpi(Kpi(
    "skus_in_stock", "在售 SKU 数", "SKUs on sale",
    "统计期内任一日终库存快照有可售库存(>0)的 SKU 数。",
    "SKUs with sellable stock (> 0) in at least one end-of-day snapshot of the period.",
    Unit.COUNT, source="stock", entity="sku_id", where=lambda t: t.on_hand > 0,
    formula_text="count distinct (store_id, sku_id) of inventory_snapshots where on_hand > 0", tags=("products",),
))
_kpi(Kpi(
    "sku_sales_rate", "动销率", "SKU sales rate (动销率)",
    "动销 SKU 数 ÷ 在售 SKU 数(快照缺失时可能超过 100%)。",
    "SKUs sold / SKUs on sale (can exceed 100% when stock snapshots are missing).",
    Unit.PERCENT, numerator="skus_sold", denominator="skus_in_stock", tags=("products",),
))
_kpi(Kpi(
    "stock_unit_days", "库存件天", "Stock unit-days",
    "统计期内各日终可售库存之和。", "Sum of the end-of-day sellable units over the period's snapshots.",
    Unit.COUNT, source="stock", measure=lambda t: t.on_hand.sum(),
    formula_text="sum(inventory_snapshots.on_hand)", tags=("products",),
))
_kpi(Kpi(
    "days_of_inventory", "库存周转天数", "Days of inventory",
    "平均库存 ÷ 日均销量 = 库存件天 ÷ 支付件数(同一统计期,天数相消)。",
    "Average units on hand / average daily units sold = stock unit-days / units sold (same period, so "
    "the days cancel; days without a snapshot count as 0 on hand).",
    Unit.RATIO, Direction.DOWN_IS_GOOD, numerator="stock_unit_days", denominator="units_sold", tags=("products",),
))

_kpi(Kpi(
    "closing_on_hand", "期末库存", "Closing stock",
    "统计期(或时间段)内各店铺最后一个库存快照日的可售库存件数。",
    "Sellable units on each store's last stock-snapshot date in the period (or time bucket).",
    Unit.COUNT, source="closing_stock", measure=lambda t: t.on_hand.sum(),
    formula_text="sum(inventory_snapshots.on_hand) on the store's last snapshot date in the period", tags=("products",),
))
_kpi(Kpi(
    "units_sold_and_on_hand", "销量与期末库存", "Units sold + closing stock",
    "支付件数 + 期末库存。", "Units sold plus closing stock (the base of sell-through).",
    Unit.COUNT, combine=("units_sold", "closing_on_hand"), tags=("products",),
))
_kpi(Kpi(
    "sell_through", "售罄率", "Sell-through",
    "支付件数 ÷ (支付件数 + 期末库存)。", "Units sold / (units sold + closing units on hand).",
    Unit.PERCENT, numerator="units_sold", denominator="units_sold_and_on_hand", tags=("products",),
))

# --- reviews ---------------------------------------------------------------------------
_kpi(Kpi(
    "review_count", "评价数", "Reviews",
    "统计期内发布的评价数。", "Reviews posted in the period.",
    Unit.COUNT, source="reviews", measure=lambda t: t.count(),
    formula_text="count(reviews)", tags=("reputation",),
))
_kpi(Kpi(
    "rated_reviews", "有评分评价数", "Rated reviews",
    "有星级评分的评价数。", "Reviews with a star rating.",
    Unit.COUNT, source="reviews", measure=lambda t: _sum_if(t.rating.notnull()),
    formula_text="count(reviews) where rating is set", tags=("reputation",),
))
_kpi(Kpi(
    "positive_reviews", "好评数", "Positive reviews",
    "4–5 星评价数。", "Reviews rated 4–5 stars.",
    Unit.COUNT, source="reviews", measure=lambda t: _sum_if(t.rating >= 4),
    formula_text="count(reviews) where rating >= 4", tags=("reputation",),
))
_kpi(Kpi(
    "bad_reviews", "差评数", "Bad reviews",
    "1–2 星评价数。", "Reviews rated 1–2 stars.",
    Unit.COUNT, Direction.DOWN_IS_GOOD, source="reviews", measure=lambda t: _sum_if(t.rating <= 2),
    formula_text="count(reviews) where rating <= 2", tags=("reputation",),
))
_kpi(Kpi(
    "positive_rate", "好评率", "Positive rate",
    "好评数 ÷ 有评分评价数。", "Positive reviews (4–5 stars) / rated reviews.",
    Unit.PERCENT, numerator="positive_reviews", denominator="rated_reviews", tags=("reputation",),
))

# --- the director's daily KPIs (issue 19): cockpit basics and ads -------------------------
# (a block of its own so parallel edits of the sections above merge cleanly)
_kpi(Kpi(
    "uv_value", "UV价值", "Value per visitor",
    "支付金额 ÷ 访客数。", "GMV / visitors.",
    Unit.MONEY, numerator="gmv", denominator="visitors", tags=("traffic",),
))
_kpi(Kpi(
    "add_to_cart_rate", "加购率", "Add-to-cart rate",
    "加购人数 ÷ 访客数。", "Add-to-cart users / visitors.",
    Unit.PERCENT, numerator="add_to_cart_users", denominator="visitors", tags=("traffic",),
))
_kpi(Kpi(
    "favorite_users", "收藏人数", "Favouriting users",
    "统计期内有收藏行为的去重访客数。", "Distinct visitors who favourited a product or the store in the period.",
    Unit.COUNT, source="events", entity="visitor_id", where=lambda t: t.event_type == "favorite",
    formula_text="count distinct (store_id, visitor_id) of events where event_type = favorite", tags=("traffic",),
))
_kpi(Kpi(
    "favorite_rate", "收藏率", "Favourite rate",
    "收藏人数 ÷ 访客数。", "Favouriting users / visitors.",
    Unit.PERCENT, numerator="favorite_users", denominator="visitors", tags=("traffic",),
))
_kpi(Kpi(
    "ad_orders", "推广成交笔数", "Ad-attributed orders",
    "推广工具归因到计划的成交笔数之和(按各工具自身的归因口径)。",
    "Orders the ad tools attribute to their plans (each tool's own attribution).",
    Unit.COUNT, source="ad_spend", measure=lambda t: t.attributed_orders.sum(),
    formula_text="sum(ad_spend_daily.attributed_orders)", tags=("marketing",),
))
_kpi(Kpi(
    "ad_cost_per_order", "单笔成交花费", "Ad spend per order",
    "推广花费 ÷ 推广成交笔数。", "Ad spend / ad-attributed orders.",
    Unit.MONEY, Direction.DOWN_IS_GOOD, numerator="ad_spend", denominator="ad_orders", tags=("marketing",),
))
_kpi(Kpi(
    "ad_spend_ratio", "推广费比", "Ad spend ratio",
    "推广花费 ÷ 支付金额(全店,含自然成交)。", "Ad spend / GMV (the whole store's GMV, organic included).",
    Unit.PERCENT, Direction.DOWN_IS_GOOD, numerator="ad_spend", denominator="gmv", tags=("marketing",),
))
_kpi(Kpi(
    "ad_cart_adds", "推广加购数", "Ad-attributed add-to-carts",
    "推广工具归因到计划的加购数(总购物车数)之和,按各工具自身的归因口径;多多搜索、巨量千川的报表没有加购数。",
    "Add-to-carts (总购物车数) the ad tools attribute to their plans, each tool's own attribution; "
    "多多搜索 and 巨量千川 reports have none.",
    Unit.COUNT, source="ad_spend", measure=lambda t: t.attributed_cart_adds.sum(),
    formula_text="sum(ad_spend_daily.attributed_cart_adds)", tags=("marketing",),
))
_kpi(Kpi(
    "ad_spend_with_cart_adds", "推广花费(有加购数据)", "Ad spend with add-to-cart data",
    "报表含加购数的计划日的推广花费,加购成本的分子。",
    "Ad spend of the plan-days whose report gives add-to-carts: the numerator of cost per add-to-cart.",
    Unit.MONEY, Direction.DOWN_IS_GOOD, source="ad_spend",
    measure=lambda t: t.cost.sum(where=t.attributed_cart_adds.notnull()),
    formula_text="sum(ad_spend_daily.cost where attributed_cart_adds is not null)", tags=("marketing",),
))
_kpi(Kpi(
    "ad_cost_per_cart_add", "加购成本", "Cost per add-to-cart",
    "推广花费 ÷ 推广加购数,只计报表含加购数的计划日(多多搜索、巨量千川不计)。",
    "Ad spend / ad-attributed add-to-carts, over the plan-days whose report gives add-to-carts "
    "(多多搜索 and 巨量千川 left out).",
    Unit.MONEY, Direction.DOWN_IS_GOOD, numerator="ad_spend_with_cart_adds", denominator="ad_cart_adds",
    tags=("marketing",),
))
_kpi(Kpi(
    "item_conversion_rate", "商品支付转化率", "Product conversion rate",
    "商品支付买家数 ÷ 商品访客数。", "Item buyers / product visitors.",
    Unit.PERCENT, numerator="item_buyers", denominator="visitors", tags=("products",),
))
_kpi(Kpi(
    "item_margin", "商品毛利", "Product gross margin",
    "商品支付金额 − 商品成本(未扣退款与平台补贴)。",
    "Item GMV − cost of goods (before refunds and platform-borne discounts).",
    Unit.MONEY, combine=("item_gmv", "-cogs"), tags=("products",),
))

# --- visitors in each channel's own 口径 (issue 19 item 1; see shopops.metrics.channels) -------------
# Platform stores: the platform's whole-store daily report. A day is the platform's exact figure;
# a longer period is the sum of its days (visitor-days), because the platform de-duplicates
# visitors within a day only in these reports.
_PERIOD_NOTE_ZH = "单日即平台报表的数字;多日为每日数之和(人天,平台的整段去重数不在日报里)。"
_PERIOD_NOTE_EN = ("One day is exactly the platform's figure; a longer period sums the days (visitor-days: "
                   "the platform's de-duplication over the period is not in a daily report).")
_kpi(Kpi(
    "report_visitors", "访客数(平台报表)", "Visitors (platform report)",
    "平台店铺日报(生意参谋、京东商智、拼多多商家后台、抖店罗盘)的访客数。" + _PERIOD_NOTE_ZH,
    "访客数 of the platform's whole-store daily report (生意参谋, 京东商智, 拼多多, 抖店罗盘). " + _PERIOD_NOTE_EN,
    Unit.COUNT, source="shop_traffic", measure=lambda t: t.visitors.sum(),
    formula_text="sum(shop_traffic_daily.visitors)", tags=("traffic",),
))
_kpi(Kpi(
    "report_traffic_days", "平台日报店铺天数", "Store-days of platform traffic reports",
    "导入的平台店铺日报行数(店铺 × 日):为 0 时平台报表的访客数及由它算出的指标未知(未导入流量数据),"
    "而不是 0;有行而访客数为 0 则是真实的 0。",
    "Rows of the platform's whole-store daily report imported (store × day): at 0 the report's visitors and "
    "everything computed from them are unknown (no traffic data imported), not 0; a row with 0 visitors is a real 0.",
    Unit.COUNT, source="shop_traffic", measure=lambda t: t.count(),
    formula_text="count(shop_traffic_daily)", tags=("traffic",), judged_daily=False,
))
_kpi(Kpi(
    "report_add_to_cart_users", "加购人数(平台报表)", "Add-to-cart users (platform report)",
    "平台店铺日报的加购人数。" + _PERIOD_NOTE_ZH, "加购人数 of the platform's daily report. " + _PERIOD_NOTE_EN,
    Unit.COUNT, source="shop_traffic", measure=lambda t: t.add_to_cart_users.sum(),
    formula_text="sum(shop_traffic_daily.add_to_cart_users)", tags=("traffic",),
))
_kpi(Kpi(
    "report_favorite_users", "收藏人数(平台报表)", "Favouriting users (platform report)",
    "平台店铺日报的商品收藏买家数。" + _PERIOD_NOTE_ZH, "收藏人数 of the platform's daily report. " + _PERIOD_NOTE_EN,
    Unit.COUNT, source="shop_traffic", measure=lambda t: t.favorite_users.sum(),
    formula_text="sum(shop_traffic_daily.favorite_users)", tags=("traffic",),
))
_kpi(Kpi(
    "report_order_buyers", "下单买家数(平台报表)", "Ordering buyers (platform report)",
    "平台店铺日报的下单买家数。" + _PERIOD_NOTE_ZH, "下单买家数 of the platform's daily report. " + _PERIOD_NOTE_EN,
    Unit.COUNT, source="shop_traffic", measure=lambda t: t.order_buyers.sum(),
    formula_text="sum(shop_traffic_daily.order_buyers)", tags=("traffic",),
))
_kpi(Kpi(
    "report_buyers", "支付买家数(平台报表)", "Paying buyers (platform report)",
    "平台店铺日报的支付买家数。" + _PERIOD_NOTE_ZH, "支付买家数 of the platform's daily report. " + _PERIOD_NOTE_EN,
    Unit.COUNT, source="shop_traffic", measure=lambda t: t.buyers.sum(),
    formula_text="sum(shop_traffic_daily.buyers)", tags=("traffic",),
))
_kpi(Kpi(
    "report_gmv", "支付金额(平台报表)", "GMV (platform report)",
    "平台店铺日报的支付金额。", "支付金额 of the platform's daily report.",
    Unit.MONEY, source="shop_traffic", measure=lambda t: t.paid_amount.sum(),
    formula_text="sum(shop_traffic_daily.paid_amount)", tags=("traffic",), noise_base="report_buyers",
))
_kpi(Kpi(
    "report_conversion_rate", "支付转化率(平台报表)", "Conversion rate (platform report)",
    "平台报表的支付买家数 ÷ 访客数(平台口径;多日为人天之比)。",
    "The platform report's paying buyers / visitors (the platform's formula; over several days, of the day sums).",
    Unit.PERCENT, numerator="report_buyers", denominator="report_visitors", tags=("traffic",),
))
_kpi(Kpi(
    "report_uv_value", "UV价值(平台报表)", "Value per visitor (platform report)",
    "平台报表的支付金额 ÷ 访客数。", "The platform report's GMV / visitors.",
    Unit.MONEY, numerator="report_gmv", denominator="report_visitors", tags=("traffic",),
))
_kpi(Kpi(
    "report_add_to_cart_rate", "加购率(平台报表)", "Add-to-cart rate (platform report)",
    "平台报表的加购人数 ÷ 访客数。", "The platform report's add-to-cart users / visitors.",
    Unit.PERCENT, numerator="report_add_to_cart_users", denominator="report_visitors", tags=("traffic",),
))
_kpi(Kpi(
    "report_favorite_rate", "收藏率(平台报表)", "Favourite rate (platform report)",
    "平台报表的收藏人数 ÷ 访客数。", "The platform report's favouriting users / visitors.",
    Unit.PERCENT, numerator="report_favorite_users", denominator="report_visitors", tags=("traffic",),
))
# The platform's period export (shop_traffic_period): the figures de-duplicated over a whole period. A
# KPI of this source has a value only when the period asked for is exactly an imported one (else it is
# empty, never a sum of other periods); pages switch to it through metrics.channels.visitor_kpi.
_WHOLE_ZH = "平台整段报表(生意参谋、京东商智按周/月/自定义区间导出)的"
_WHOLE_EN = "of the platform's period report (生意参谋 / 京东商智 exported for a week, month or custom range)"
_EXACT_ZH = "整段去重;仅当所选区间与导入的区间完全一致时有值。"
_EXACT_EN = ("de-duplicated over the whole period; a value only when the period asked for is exactly an "
             "imported one.")
for _id, _col, _zh, _en in (
    ("period_visitors", "visitors", "访客数", "Visitors"),
    ("period_add_to_cart_users", "add_to_cart_users", "加购人数", "Add-to-cart users"),
    ("period_favorite_users", "favorite_users", "收藏人数", "Favouriting users"),
    ("period_order_buyers", "order_buyers", "下单买家数", "Ordering buyers"),
    ("period_buyers", "buyers", "支付买家数", "Paying buyers"),
):
    _kpi(Kpi(
        _id, f"{_zh}(平台整段报表)", f"{_en} (platform period report)",
        _WHOLE_ZH + _zh + "," + _EXACT_ZH, f"{_zh} {_WHOLE_EN}, {_EXACT_EN}",
        Unit.COUNT, source="shop_period", measure=(lambda c: lambda t: t[c].sum())(_col),
        formula_text=f"shop_traffic_period.{_col} of the period exactly", tags=("traffic",), judged_daily=False,
    ))
_kpi(Kpi(
    "period_gmv", "支付金额(平台整段报表)", "GMV (platform period report)",
    _WHOLE_ZH + "支付金额;仅当所选区间与导入的区间完全一致时有值。",
    f"支付金额 {_WHOLE_EN}; a value only when the period asked for is exactly an imported one.",
    Unit.MONEY, source="shop_period", measure=lambda t: t.paid_amount.sum(),
    formula_text="shop_traffic_period.paid_amount of the period exactly", tags=("traffic",),
    noise_base="period_buyers", judged_daily=False,
))
for _id, _num, _zh, _en, _part_zh, _part_en, _unit in (
    ("period_conversion_rate", "period_buyers", "支付转化率", "Conversion rate", "支付买家数", "paying buyers",
     Unit.PERCENT),
    ("period_uv_value", "period_gmv", "UV价值", "Value per visitor", "支付金额", "GMV", Unit.MONEY),
    ("period_add_to_cart_rate", "period_add_to_cart_users", "加购率", "Add-to-cart rate", "加购人数",
     "add-to-cart users", Unit.PERCENT),
    ("period_favorite_rate", "period_favorite_users", "收藏率", "Favourite rate", "收藏人数", "favouriting users",
     Unit.PERCENT),
):
    _kpi(Kpi(
        _id, f"{_zh}(平台整段报表)", f"{_en} (platform period report)",
        f"平台整段报表的{_part_zh} ÷ 整段访客数(平台口径,与文件一致)。",
        f"The period report's {_part_en} / the period's visitors (the platform's formula: equals the file's).",
        _unit, numerator=_num, denominator="period_visitors", tags=("traffic",), judged_daily=False,
    ))
# Own site / mini-program: the event stream, only for the stores whose channel has one.
_OWN = tuple(sorted(EVENT_STREAM_PLATFORMS))
_kpi(Kpi(
    "site_visitors", "访客数(自有站点埋点)", "Visitors (own-site events)",
    "有埋点事件的渠道(自有站点/小程序)的去重访客数(整段去重)。",
    "Distinct visitors of the channels with an event stream (own site / mini-program), de-duplicated over the period.",
    Unit.COUNT, source="events", entity="visitor_id", needs=("platform",),
    where=lambda t: t.platform.isin(list(_OWN)),
    formula_text="count distinct (store_id, visitor_id) of events of own-site stores", tags=("traffic",),
))
_kpi(Kpi(
    "site_add_to_cart_users", "加购人数(自有站点埋点)", "Add-to-cart users (own-site events)",
    "有埋点事件的渠道的去重加购访客数。", "Distinct add-to-cart visitors of the channels with an event stream.",
    Unit.COUNT, source="events", entity="visitor_id", needs=("platform",),
    where=lambda t: t.platform.isin(list(_OWN)) & (t.event_type == "add_to_cart"),
    formula_text="count distinct (store_id, visitor_id) of own-site add_to_cart events", tags=("traffic",),
))
# Across channels: each store in its own 口径, added up.
_kpi(Kpi(
    "channel_visitors", "访客数(各渠道口径)", "Visitors (each channel's own)",
    "自有站点按埋点去重访客数 + 平台店铺按平台报表访客数(多日为访客人天)。",
    "Own-site visitors from events + platform stores' visitors from their reports (visitor-days over several days).",
    Unit.COUNT, combine=("site_visitors", "report_visitors"), tags=("traffic",),
))
_kpi(Kpi(
    "channel_add_to_cart_users", "加购人数(各渠道口径)", "Add-to-cart users (each channel's own)",
    "自有站点埋点加购人数 + 平台报表加购人数。", "Own-site add-to-cart visitors + the platform reports' add-to-cart users.",
    Unit.COUNT, combine=("site_add_to_cart_users", "report_add_to_cart_users"), tags=("traffic",),
))
_kpi(Kpi(
    "channel_conversion_rate", "支付转化率(各渠道口径)", "Conversion rate (each channel's own)",
    "支付买家数 ÷ 访客数(各渠道口径)。", "Paying buyers / visitors (each channel's own).",
    Unit.PERCENT, numerator="paying_buyers", denominator="channel_visitors", tags=("traffic",),
))
_kpi(Kpi(
    "channel_uv_value", "UV价值(各渠道口径)", "Value per visitor (each channel's own)",
    "支付金额 ÷ 访客数(各渠道口径)。", "GMV / visitors (each channel's own).",
    Unit.MONEY, numerator="gmv", denominator="channel_visitors", tags=("traffic",),
))
_kpi(Kpi(
    "channel_add_to_cart_rate", "加购率(各渠道口径)", "Add-to-cart rate (each channel's own)",
    "加购人数 ÷ 访客数(各渠道口径)。", "Add-to-cart users / visitors (each channel's own).",
    Unit.PERCENT, numerator="channel_add_to_cart_users", denominator="channel_visitors", tags=("traffic",),
))

# Across channels with a period report for every platform store: own-site visitors from events (de-duplicated
# over the period) + each platform store's period figure; every part exact for the period.
_kpi(Kpi(
    "channel_period_visitors", "访客数(各渠道口径,整段)", "Visitors (each channel's own, whole period)",
    "自有站点按埋点整段去重访客数 + 平台店铺整段报表访客数(仅当所选区间与导入的区间完全一致时有值)。",
    "Own-site visitors from events + platform stores' visitors from their period reports (a value only when "
    "the period asked for is exactly an imported one).",
    Unit.COUNT, combine=("site_visitors", "period_visitors"), tags=("traffic",), judged_daily=False,
))
_kpi(Kpi(
    "channel_period_add_to_cart_users", "加购人数(各渠道口径,整段)", "Add-to-cart users (each channel's own, whole period)",
    "自有站点埋点加购人数 + 平台整段报表加购人数。", "Own-site add-to-cart visitors + the period reports' add-to-cart users.",
    Unit.COUNT, combine=("site_add_to_cart_users", "period_add_to_cart_users"), tags=("traffic",), judged_daily=False,
))
_kpi(Kpi(
    "channel_period_conversion_rate", "支付转化率(各渠道口径,整段)", "Conversion rate (each channel's own, whole period)",
    "支付买家数 ÷ 访客数(各渠道口径,整段)。", "Paying buyers / visitors (each channel's own, whole period).",
    Unit.PERCENT, numerator="paying_buyers", denominator="channel_period_visitors", tags=("traffic",),
    judged_daily=False,
))
_kpi(Kpi(
    "channel_period_uv_value", "UV价值(各渠道口径,整段)", "Value per visitor (each channel's own, whole period)",
    "支付金额 ÷ 访客数(各渠道口径,整段)。", "GMV / visitors (each channel's own, whole period).",
    Unit.MONEY, numerator="gmv", denominator="channel_period_visitors", tags=("traffic",), judged_daily=False,
))
_kpi(Kpi(
    "channel_period_add_to_cart_rate", "加购率(各渠道口径,整段)", "Add-to-cart rate (each channel's own, whole period)",
    "加购人数 ÷ 访客数(各渠道口径,整段)。", "Add-to-cart users / visitors (each channel's own, whole period).",
    Unit.PERCENT, numerator="channel_period_add_to_cart_users", denominator="channel_period_visitors",
    tags=("traffic",), judged_daily=False,
))

# --- chat service (issue 16): per agent and day from the platforms' service tools -------------
# The tools export averages and shares per agent-day; a period's value weights each by its base
# (consultations, ratings), i.e. it is computed from summed parts, never an average of averages.
def _weighted(value: str, base: str) -> Callable[[ir.Table], ir.Scalar]:
    return lambda t: (t[value] * t[base]).sum()


def _base_where(value: str, base: str) -> Callable[[ir.Table], ir.Scalar]:
    return lambda t: t[value].notnull().ifelse(t[base], 0).sum()


_kpi(Kpi(
    "chat_consultations", "接待人数", "Chats served",
    "客服接待的买家数(各平台客服工具的接待人数之和)。", "Buyers served by the agents (sum of the chat tools' 接待人数).",
    Unit.COUNT, source="service_chat", measure=lambda t: t.consultations.sum(),
    formula_text="sum(service_chat_daily.consultations)", tags=("reputation",),
))
_kpi(Kpi(
    "chat_inquiries", "询单人数", "Pre-sale inquirers",
    "咨询后可能下单的买家数(询单人数之和)。", "Buyers who asked before buying (sum of 询单人数).",
    Unit.COUNT, source="service_chat", measure=lambda t: t.inquiries.sum(),
    formula_text="sum(service_chat_daily.inquiries)", tags=("reputation",),
))
_kpi(Kpi(
    "chat_inquiry_buyers", "询单成交人数", "Inquirers who paid",
    "询单后最终付款的买家数。", "Inquirers who went on to pay (询单→最终付款人数).",
    Unit.COUNT, source="service_chat", measure=lambda t: t.inquiry_buyers.sum(),
    formula_text="sum(service_chat_daily.inquiry_buyers)", tags=("reputation",),
))
_kpi(Kpi(
    "chat_inquiry_conversion", "询单转化率", "Inquiry conversion",
    "询单成交人数 ÷ 询单人数。", "Inquirers who paid / pre-sale inquirers.",
    Unit.PERCENT, numerator="chat_inquiry_buyers", denominator="chat_inquiries", tags=("reputation",),
))
_kpi(Kpi(
    "chat_first_response_total", "首次响应时长合计(秒)", "First-response seconds (weighted sum)",
    "各客服每日平均首次响应时长 × 当日接待人数之和。",
    "Sum over agent-days of the average first-response time × that day's chats served.",
    Unit.RATIO, Direction.DOWN_IS_GOOD, source="service_chat",
    measure=_weighted("first_response_seconds", "consultations"),
    formula_text="sum(first_response_seconds × consultations)", tags=("reputation",),
))
_kpi(Kpi(
    "chat_first_response_base", "首次响应计数人数", "Chats with a first-response time",
    "有首次响应时长的客服日的接待人数之和。", "Chats served on agent-days that report a first-response time.",
    Unit.COUNT, source="service_chat", measure=_base_where("first_response_seconds", "consultations"),
    formula_text="sum(consultations) where first_response_seconds is set", tags=("reputation",),
))
_kpi(Kpi(
    "chat_first_response_seconds", "首次响应时长(秒)", "First response (s)",
    "按接待人数加权的平均首次响应时长(秒)。", "Average first-response time in seconds, weighted by chats served.",
    Unit.RATIO, Direction.DOWN_IS_GOOD, numerator="chat_first_response_total", denominator="chat_first_response_base",
    tags=("reputation",),
))
_kpi(Kpi(
    "chat_response_total", "响应时长合计(秒)", "Response seconds (weighted sum)",
    "各客服每日平均响应时长 × 当日接待人数之和。",
    "Sum over agent-days of the average response time × that day's chats served.",
    Unit.RATIO, Direction.DOWN_IS_GOOD, source="service_chat",
    measure=_weighted("avg_response_seconds", "consultations"),
    formula_text="sum(avg_response_seconds × consultations)", tags=("reputation",),
))
_kpi(Kpi(
    "chat_response_base", "响应计数人数", "Chats with a response time",
    "有平均响应时长的客服日的接待人数之和。", "Chats served on agent-days that report an average response time.",
    Unit.COUNT, source="service_chat", measure=_base_where("avg_response_seconds", "consultations"),
    formula_text="sum(consultations) where avg_response_seconds is set", tags=("reputation",),
))
_kpi(Kpi(
    "chat_avg_response_seconds", "平均响应时长(秒)", "Average response (s)",
    "按接待人数加权的平均响应时长(秒)。", "Average response time in seconds, weighted by chats served.",
    Unit.RATIO, Direction.DOWN_IS_GOOD, numerator="chat_response_total", denominator="chat_response_base",
    tags=("reputation",),
))
_kpi(Kpi(
    "chat_answered_3min", "3分钟内响应人数", "Chats answered within 3 min",
    "各客服每日 3 分钟响应率 × 当日接待人数之和。", "Sum over agent-days of the 3-minute response rate × chats served.",
    Unit.RATIO, source="service_chat", measure=_weighted("response_3min_rate", "consultations"),
    formula_text="sum(response_3min_rate × consultations)", tags=("reputation",),
))
_kpi(Kpi(
    "chat_answered_3min_base", "3分钟响应计数人数", "Chats with a 3-minute rate",
    "有 3 分钟响应率的客服日的接待人数之和。", "Chats served on agent-days that report a 3-minute response rate.",
    Unit.COUNT, source="service_chat", measure=_base_where("response_3min_rate", "consultations"),
    formula_text="sum(consultations) where response_3min_rate is set", tags=("reputation",),
))
_kpi(Kpi(
    "chat_response_3min_rate", "3分钟响应率", "3-minute response rate",
    "3 分钟内响应人数 ÷ 接待人数(按接待人数加权)。", "Chats answered within 3 minutes / chats served (weighted by chats served).",
    Unit.PERCENT, numerator="chat_answered_3min", denominator="chat_answered_3min_base", tags=("reputation",),
))
_kpi(Kpi(
    "chat_rated", "服务评价人数", "Service ratings",
    "对客服服务做出评价的买家数。", "Buyers who rated the service.",
    Unit.COUNT, source="service_chat", measure=_base_where("satisfaction_rate", "rated"),
    formula_text="sum(rated) where satisfaction_rate is set", tags=("reputation",),
))
_kpi(Kpi(
    "chat_satisfied", "满意评价人数", "Satisfied ratings",
    "各客服每日满意率 × 当日评价人数之和。", "Sum over agent-days of the satisfaction rate × ratings.",
    Unit.RATIO, source="service_chat", measure=_weighted("satisfaction_rate", "rated"),
    formula_text="sum(satisfaction_rate × rated)", tags=("reputation",),
))
_kpi(Kpi(
    "chat_satisfaction", "客服满意度", "Chat satisfaction",
    "满意评价人数 ÷ 服务评价人数(按评价人数加权)。", "Satisfied ratings / service ratings (weighted by ratings).",
    Unit.PERCENT, numerator="chat_satisfied", denominator="chat_rated", tags=("reputation",),
))

# Where a KPI's numbers come from, as a tile says it (issue 19: platform stores' visitors come
# from the platforms' reports, the event stream only from the own site / mini-program).
SOURCE_LABELS: dict[str, tuple[str, str]] = {
    "events": ("埋点事件(自有站点/小程序)", "event stream (own site / mini-program)"),
    "traffic": ("平台商品流量报表(生意参谋/商智等)", "platforms' product traffic reports (生意参谋, 商智…)"),
    "shop_traffic": ("平台店铺日报(生意参谋/商智等,多日为人天)", "platforms' store daily reports (生意参谋, 商智…; several days: visitor-days)"),
    "shop_period": ("平台整段报表(生意参谋/商智整段导出,整段去重)",
                    "platforms' period reports (生意参谋, 商智 period export; de-duplicated over the period)"),
    "paid_orders": ("订单", "orders"), "paid_lines": ("订单", "orders"), "paid_lines_costed": ("订单与 SKU 成本", "orders and SKU costs"),
    "refunds_of_paid_orders": ("退款", "refunds"), "ad_spend": ("推广报表", "ad reports"), "reviews": ("评价", "reviews"),
    "stock": ("库存快照", "stock snapshots"), "closing_stock": ("库存快照", "stock snapshots"),
    "service_chat": ("客服接待数据", "chat-service exports"),
}


def kpi_source_ids(kpi_id: str) -> tuple[str, ...]:
    """The fact sources behind a KPI (through its ratio or combination parts), in first-seen order."""
    k = CATALOG[kpi_id]
    if k.source is not None:
        return (k.source,)
    out: list[str] = []
    for part in k.parts:
        out += [s for s in kpi_source_ids(part) if s not in out]
    return tuple(out)


def kpi_source_text(kpi_id: str, language: str) -> str:
    en = language.startswith("en")
    labels = [SOURCE_LABELS.get(s, (s, s))[1 if en else 0] for s in kpi_source_ids(kpi_id)]
    return (" + " if en else " + ").join(dict.fromkeys(labels))


# --- facts for anomaly detection (one block: noise base, drives GMV, alerts, priority) ---------------
def _facts(kpi_id: str, **facts) -> None:
    CATALOG[kpi_id] = replace(CATALOG[kpi_id], **facts)


for _kid, _base in (("gmv", "paid_orders"), ("net_sales", "paid_orders"), ("item_gmv", "units_sold"),
                    ("cogs", "units_sold"), ("store_discount", "paid_orders"), ("platform_discount", "paid_orders"),
                    ("gross_margin", "paid_orders"), ("refund_amount", "refunded_orders"), ("ad_spend", "clicks"),
                    ("ad_gmv", "clicks"), ("ad_return", "clicks"), ("item_margin", "units_sold"),
                    ("ad_spend_with_cart_adds", "clicks"), ("units_sold", "paid_orders"),
                    ("costed_item_gmv", "units_sold"), ("sku_item_gmv", "units_sold")):
    _facts(_kid, noise_base=_base)
for _kid in ("visitors", "conversion_rate", "aov", "aov_per_order", "paying_buyers", "paid_orders", "units_sold",
             "avg_unit_price", "upt", "item_buyers"):
    _facts(_kid, drives_gmv=True)
for _kid in ("gmv", "net_sales", "paid_orders", "paying_buyers", "visitors", "conversion_rate", "aov", "clicks",
             "bad_reviews", "item_gmv", "units_sold"):
    _facts(_kid, alerts=True)
# stock snapshots are weekly at small scales (stock enters insights as evidence); repeat buyers are rare per day
# (item buyers: judged per product by insights; for a whole store they are the paying buyers again)
for _kid in ("skus_in_stock", "stock_unit_days", "closing_on_hand", "repeat_buyers", "item_buyers"):
    _facts(_kid, judged_daily=False)
# the ads page's cost per add-to-cart; its spend part is not a series of its own (ad_spend is judged)
_facts("ad_spend_with_cart_adds", judged_daily=False)
# whether the cost of goods is known, and how much of it: a fact about the imported costs, not a series to judge
for _kid in ("costed_item_gmv", "cost_coverage", "sku_item_gmv", "sku_coverage", "report_traffic_days", "ad_plan_days",
             "refund_covered_gmv", "refund_coverage"):
    _facts(_kid, judged_daily=False)
for _prio, _kid in enumerate(("gmv", "conversion_rate", "visitors", "paying_buyers", "paid_orders", "aov",
                              "item_buyers", "item_gmv", "units_sold", "net_sales", "gross_margin", "refund_rate", "ad_spend", "roas",
                              "bad_reviews"), start=1):
    _facts(_kid, priority=_prio)
for _k in CATALOG.values():
    _check_noise_base(_k)
_LOADED = True


def judged_daily(kpi_id: str) -> bool:
    """Judged per day by insights: the KPI and every part it is computed from are."""
    k = kpi(kpi_id)
    return k.judged_daily and all(judged_daily(p) for p in k.parts)


def noise_base(kpi_id: str) -> str | None:
    """The count whose sampling noise a KPI's daily value carries: a ratio's denominator, a sum's
    ``noise_base``; None for a count (its own Poisson noise)."""
    k = kpi(kpi_id)
    return k.denominator if k.is_ratio else k.noise_base


def kpi(kpi_id: str) -> Kpi:
    try:
        return CATALOG[kpi_id]
    except KeyError:
        raise KeyError(f"unknown KPI {kpi_id!r}; known: {', '.join(CATALOG)}") from None


# what says whether the cost of goods is known: the item GMV of lines whose SKU has a cost, of all lines
COST_COVERAGE_PARTS: tuple[str, ...] = ("costed_item_gmv", "item_gmv")


def cost_dependent(kpi_id: str) -> bool:
    """The KPI is computed from the cost of goods (cogs, gross margin, its rate, product margin …):
    unknown where no line sold has a cost (:func:`cost_unknown`)."""
    return _built_on("cogs", kpi_id)


def _built_on(base: str, kpi_id: str) -> bool:
    """``base`` is among the base KPIs ``kpi_id`` is computed from (remembered: asked per value derived)."""
    hit = _BUILT_ON.get((base, kpi_id))
    if hit is None:
        hit = _BUILT_ON[base, kpi_id] = base in _bases([kpi_id])
    return hit


_BUILT_ON: dict[tuple[str, str], bool] = {}


def cost_unknown(values: dict) -> bool:
    """From a group's base values: items were sold and none of them has a SKU cost, so the cost of
    goods is unknown (not 0) — a store imported without costs (e.g. a sales export with no cost column)."""
    return bool(values.get("item_gmv")) and not values.get("costed_item_gmv")


def cost_status(coverage: float | None) -> str | None:
    """What a cost-of-goods figure with this coverage (``cost_coverage``) is: "missing" (0: nothing sold
    has a SKU cost, the figure is unknown), "partial" (some of it) or None (complete, or nothing sold)."""
    return data_status(coverage)


# Whether traffic data are there at all, per traffic source: the base KPI that is 0 exactly when the
# source has no row for the group. An event always has a visitor (events.visitor_id is not null), so
# no visitor means no event; a platform daily report row may say 0 visitors (a real 0), so its rows
# are counted.
TRAFFIC_PRESENCE: dict[str, str] = {"events": "visitors", "shop_traffic": "report_traffic_days"}


def traffic_sources(kpi_id: str) -> frozenset[str]:
    """The traffic sources (:data:`TRAFFIC_PRESENCE`) a KPI is computed from: visitors, conversion
    rate, UV value, add-to-cart and favourite rates … in any channel's 口径; empty for other KPIs."""
    hit = _TRAFFIC_SOURCES.get(kpi_id)
    if hit is None:
        hit = _TRAFFIC_SOURCES[kpi_id] = frozenset(
            CATALOG[b].source for b in _bases([kpi_id]) if _counts_visitors(CATALOG[b]))
    return hit


_TRAFFIC_SOURCES: dict[str, frozenset[str]] = {}


def _counts_visitors(k: Kpi) -> bool:
    """A base KPI read from traffic data: anything of the events (visitors, page views, sessions …: no
    event, none of them is known) or a platform report's figures."""
    return k.source in ("events", "shop_traffic", "shop_period")


def traffic_dependent(kpi_id: str) -> bool:
    """The KPI is computed from traffic data (events or the platforms' daily reports): unknown where
    none of them has a row (:func:`traffic_unknown`)."""
    return bool(traffic_sources(kpi_id))


def traffic_unknown(kpi_id: str, values: dict) -> bool:
    """From a group's base values: no traffic source the KPI reads has a row for the group (no events,
    no platform daily report), so its visitors are unknown, not 0 — a store imported with orders only.
    A KPI whose presence counts are not among ``values`` is never called unknown."""
    sources = traffic_sources(kpi_id)
    if not sources or not sources <= TRAFFIC_PRESENCE.keys():
        return False  # e.g. the platforms' period export (shop_period): a value only for an imported period
    return all(TRAFFIC_PRESENCE[s] in values and not values[TRAFFIC_PRESENCE[s]] for s in sources)


# Whether ad data are there at all: the rows of the ad tools' plan reports (a row may say 0 spend: a real 0).
AD_PRESENCE = "ad_plan_days"


def ad_dependent(kpi_id: str) -> bool:
    """The KPI is computed from the ad tools' reports (ad spend, ROAS, ROI, CPC, CPM, ad spend ratio, CAC …):
    unknown where the group has no ad report row (:func:`ad_unknown`)."""
    hit = _AD_DEPENDENT.get(kpi_id)
    if hit is None:
        hit = _AD_DEPENDENT[kpi_id] = any(CATALOG[b].source == "ad_spend" for b in _bases([kpi_id]))
    return hit


_AD_DEPENDENT: dict[str, bool] = {}


def ad_unknown(values: dict) -> bool:
    """From a group's base values: no ad report row (:data:`AD_PRESENCE` is 0), so ad spend is unknown, not
    0 — a store imported without its ad tools' reports. Never unknown when the count is not among ``values``."""
    return AD_PRESENCE in values and not values[AD_PRESENCE]


# Whether refund data are there at all, and how much of GMV they cover: the GMV of the paid orders of stores
# with a refund row ever (any status), of all GMV. Refunds are few: a store with a refunds file has days and
# provinces without a refund (a real 0), so presence is judged on the store over all time, not on the group.
REFUND_COVERAGE_PARTS: tuple[str, ...] = ("refund_covered_gmv", "gmv")


def refund_dependent(kpi_id: str) -> bool:
    """The KPI is computed from the refunds (refunded amount and orders, refund rates, net sales, gross margin
    and its rate …): unknown where no store of the group has refund data (:func:`refund_unknown`)."""
    hit = _REFUND_DEPENDENT.get(kpi_id)
    if hit is None:
        hit = _REFUND_DEPENDENT[kpi_id] = any(CATALOG[b].source == "refunds_of_paid_orders" for b in _bases([kpi_id]))
    return hit


_REFUND_DEPENDENT: dict[str, bool] = {}


def refund_unknown(values: dict) -> bool:
    """From a group's base values: orders were paid and none of them is of a store with refund data (no refund
    row ever: its refunds file was never imported), so its refunds are unknown, not 0. Never unknown when the
    coverage is not among ``values``."""
    return "refund_covered_gmv" in values and bool(values.get("gmv")) and not values["refund_covered_gmv"]


def sku_dependent(kpi_id: str) -> bool:
    """The KPI counts SKUs sold (``skus_sold``, the SKU sales rate): unknown where items were sold and
    no order line carries a SKU id (:func:`sku_unknown`)."""
    return _built_on("skus_sold", kpi_id)


def sku_unknown(values: dict) -> bool:
    """From a group's base values: items were sold and no line sold has a SKU id (``skus_sold`` counts
    the distinct non-null ids, so it is 0 exactly then) — a sales export with product codes only."""
    return bool(values.get("item_gmv")) and "skus_sold" in values and not values["skus_sold"]


def data_status(coverage: float | None) -> str | None:
    """What a figure with this coverage is: "missing" (0: the data behind it are not there, the figure
    is unknown), "partial" (some of it) or None (complete, or nothing to cover)."""
    if coverage is None:
        return None
    if coverage <= 0:
        return "missing"
    return "partial" if coverage < 1 else None


def measures_needed(kpi_ids: list[str] | tuple[str, ...]) -> list[str]:
    """The base KPIs (measures and entity counts) the given KPIs are computed from, in catalog order;
    with the cost of goods come :data:`COST_COVERAGE_PARTS` (whether it is known, and how much of it),
    with a traffic source its presence count (:data:`TRAFFIC_PRESENCE`), with the ad reports theirs
    (:data:`AD_PRESENCE`), with SKUs sold the item GMV."""
    need = _bases(kpi_ids)
    if any(CATALOG[b].source == "ad_spend" for b in need):
        need.add(AD_PRESENCE)
    if "cogs" in need:
        need.update(COST_COVERAGE_PARTS)
    for source, presence in TRAFFIC_PRESENCE.items():
        if any(CATALOG[b].source == source and _counts_visitors(CATALOG[b]) for b in need):
            need.add(presence)
    if "skus_sold" in need:
        need.add("item_gmv")
    if any(CATALOG[b].source == "refunds_of_paid_orders" for b in need):
        need.update(REFUND_COVERAGE_PARTS)
    return [k for k in CATALOG if k in need]


def _bases(kpi_ids: list[str] | tuple[str, ...]) -> set[str]:
    need: set[str] = set()

    def visit(kid: str) -> None:
        k = kpi(kid)
        if k.is_base:
            need.add(kid)
        for part in k.parts:
            visit(part)

    for kid in kpi_ids:
        visit(kid)
    return need


def kpi_dimensions(kpi_id: str) -> tuple[str, ...]:
    """The dimensions a KPI can be broken down or filtered by (all its parts must support them)."""
    bases = measures_needed([kpi_id])
    dims = list(SOURCES[CATALOG[bases[0]].source].dimensions)
    for b in bases[1:]:
        allowed = set(SOURCES[CATALOG[b].source].dimensions)
        dims = [d for d in dims if d in allowed]
    return tuple(dims)


def _channels_markdown() -> list[str]:
    """The 口径 section of docs/kpis.md: which source each channel's visitor KPIs use, from
    :mod:`shopops.metrics.channels` (the one place that fact lives)."""
    from shopops.metrics.channels import (
        EVENT_STREAM_PLATFORMS, PLATFORM_REPORTS, SOURCE_WORDS, VISITOR_KPIS, WHOLE_PERIOD_KPIS,
    )

    out = [
        "", "## 口径: where visitors come from, per channel", "",
        "A store's channel (`stores.platform`) decides where its visitors come from "
        "(`shopops.metrics.channels`). Channels with an event stream of their own: "
        + ", ".join(f"`{p}`" for p in sorted(EVENT_STREAM_PLATFORMS)) + " (own site / mini-program: the collector "
        "or a tracking export). Every other channel gives only its own reports, imported into "
        "`shop_traffic_daily` (whole store, per day) and `traffic_daily` (per product and source): "
        + ", ".join(f"`{p}` {zh}" for p, (zh, _en) in PLATFORM_REPORTS.items()) + ".",
        "",
        "A page asks for a visitor KPI and shows the one of the selected stores' 口径: events when all are "
        "own-site stores, the platform report when all are platform stores, and each store's own added up "
        "when both are selected. A platform figure over one day is the platform's exact number; over several "
        "days it is the sum of the days (visitor-days, 访客人天), labelled so — the platform's "
        "period de-duplication is not in a daily report — unless the platform's **period export** "
        "(`shop_traffic_period`: 生意参谋 / 京东商智 downloaded for a week, month or custom range) is imported "
        "for exactly the period asked for, for every selected platform store "
        "(`shopops.metrics.period_reports.whole_period_reported`): then the period KPIs below (`period_*`, and "
        "`channel_period_*` across both kinds) give the platform's exact figures. A period KPI has a value only "
        "for exactly an imported period, never in a daily or weekly bucket and never added up from other periods.",
        "",
        "| asked for | own site (events) | platform stores (their report) | both | platform, period export | "
        "both, period export |",
        "|---|---|---|---|---|---|",
    ]
    for asked, (own, report, both) in VISITOR_KPIS.items():
        out.append(f"| `{asked}` | `{own}` | `{report}` | `{both}` | `{WHOLE_PERIOD_KPIS.get(report, report)}` | "
                   f"`{WHOLE_PERIOD_KPIS.get(both, both)}` |")
    out += ["", "Traffic sources in the platforms' words, mapped to the common groups (`traffic_source`) "
            "used across stores:", "", "| platform | word → group |", "|---|---|"]
    for platform, words in SOURCE_WORDS.items():
        out.append(f"| `{platform}` | " + ", ".join(f"{w} → `{g}`" for w, g in words.items()) + " |")
    return out


def kpis_markdown() -> str:
    """docs/kpis.md, generated from the catalog."""
    out = [
        "# KPI catalog",
        "",
        "Generated from `src/shopops/metrics/catalog.py` by `shopops docs kpis`; a test fails when "
        "the two differ. Business definitions follow `GLOSSARY.md`; ratios are always computed "
        "from their parts over the period asked for, never as an average of daily ratios. "
        "Distinct counts (buyers, visitors, sessions, SKUs) are per store and de-duplicated over "
        "the period (or time bucket) asked for.",
        "",
        "**Comparisons.** *vs previous period* (环比) compares a whole calendar month with the "
        "calendar month before and any other period with the days of equal length just before it "
        "(a week with the week before, the last 7 days with the 7 days before); *vs last year* (同比) "
        "with the same dates a year earlier (29 February → 28 February). Changes are relative "
        "(current − base) / base; reports word changes of percent KPIs in percentage points.",
        "",
        "**Cost of goods.** `cogs` and every KPI built on it (`gross_margin`, `gross_margin_rate`, "
        "`item_margin`) are *unknown* — null in the runners, “—” on pages, reports and the CLI, with the "
        "reason “未导入 SKU 成本 / no SKU costs imported” — for a group (period, store, product, day) where "
        "items were sold and none of the lines sold has a SKU cost (`skus.cost`): a store imported without "
        "costs does not get a 100 % margin. Where only some have a cost, the figures count the rest at no "
        "cost and are shown with `cost_coverage` (the share of item GMV whose SKUs have a cost).",
        "",
        "**Traffic.** `visitors` and every KPI built on visitors — in any channel's 口径 (`report_*`, "
        "`channel_*`): `conversion_rate`, `uv_value`, `add_to_cart_rate`, `favorite_rate`, `add_to_cart_users` "
        "… — are *unknown* (null, “—” with “未导入流量数据 / no traffic data imported”), not 0, for a period, "
        "store or day that has no traffic row at all: no event (`events`; an event always has a visitor) and "
        "no platform daily report row (`shop_traffic_daily`, counted by `report_traffic_days`). A report row "
        "that says 0 visitors is traffic data: a real 0. This is judged on whole stores (a query by store, "
        "platform or day); a product or traffic source without events of a store that has them stays 0. "
        "When only some of the selected stores have traffic data, the figures count those stores' visitors "
        "and are shown with how many stores and what share of GMV they cover (conversion rate and UV value "
        "then count every store's buyers and GMV, so they read high). The KPIs only the events have — "
        "`page_views`, `sessions`, `bounced_sessions`, `bounce_rate` — are unknown the same way for a store "
        "without events (a platform daily report has none of them), and their coverage counts only stores "
        "with events.",
        "",
        "**Ads.** `ad_spend` and every KPI built on the ad tools' reports — `ad_gmv`, `roas`, `ad_return`, "
        "`roi`, `ctr`, `cpc`, `cpm`, `ad_orders`, `ad_cost_per_order`, `ad_spend_ratio`, `cac`, "
        "`ad_cost_per_cart_add` … — are *unknown* (null, “—” with “未导入推广数据 / no ad data imported”), not "
        "¥0.00 and not a ROAS of 0, for a period, store or day with no ad report row (`ad_spend_daily`, counted "
        "by `ad_plan_days`); a row that says 0 spend is a real 0. Judged on whole stores, as traffic (a filter "
        "on a tool or plan keeps a real 0). When only some of the selected stores have ad data, the figures "
        "add those stores' spend and are shown with how many stores and what share of GMV they cover (the ad "
        "spend ratio then divides their spend by every store's GMV, so it reads low). A store the team sets to "
        "run no paid ads (`stores.runs_no_ads`, 不投放付费广告: the store settings page or the stores file) has a "
        "known ad spend of ¥0.00 where it has no ad report row — ROAS, ROI, CPC and CPM are then not applicable "
        "(“—” with “不投放付费广告 / runs no paid ads”, never “data missing”) — and does not make the coverage "
        "partial; ad reports imported for such a store anyway are counted and the page warns that the setting "
        "contradicts them (`metrics.runners.ad_coverage`: `no_ads`, `contradicted`).",
        "",
        "**Refunds.** `refund_amount`, `refunded_orders` and every KPI built on them — `refund_rate`, "
        "`refund_order_rate`, `net_sales`, `gross_margin`, `gross_margin_rate` … — are *unknown* (null, “—” with "
        "“未导入退款数据 / no refund data imported”), not 0, for a group whose paid orders are all of stores "
        "without refund data. A store has refund data when the warehouse holds at least one refund row of it, "
        "of any status and any date (`refunds`; its refunds file was imported): refunds are few, so a day, "
        "period or province of such a store without a refund is a real 0 — judged on the store over all time, "
        "not on the period. When only some of the selected stores have refund data, the figures add those "
        "stores' refunds and are shown with `refund_coverage` (the share of GMV of stores with refund data; "
        "`metrics.runners.refund_coverage` says which stores): the refund rate then divides their refunds by "
        "every store's GMV, so it reads low, and net sales count the other stores' GMV unrefunded.",
        "",
        "**SKUs.** `skus_sold` and the SKU sales rate are *unknown* (“—”, “订单行没有 SKU 编号 / order lines "
        "carry no SKU id”) for a group where items were sold and no paid line carries a SKU id (a sales "
        "export with product codes only); where only some do, they are shown with `sku_coverage` (the share "
        "of item GMV on lines with a SKU id).",
        "",
        "| id | 中文 | English | unit | better | definition | formula | dimensions |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k in CATALOG.values():
        better = "↑" if k.direction is Direction.UP_IS_GOOD else "↓"
        dims = ", ".join(kpi_dimensions(k.id))
        out.append(
            f"| `{k.id}` | {k.label_zh} | {k.label_en} | {k.unit} | {better} | "
            f"{k.definition_en} {k.definition_zh} | `{k.formula()}` | {dims} |"
        )
    out += _channels_markdown()
    out += ["", "## Sources", "", "| source | table | dated by | rows |", "|---|---|---|---|"]
    for s in SOURCES.values():
        out.append(f"| `{s.id}` | `{s.table}` | `{s.date_column}` | {s.doc} |")
    out += ["", "## Dimensions", ""]
    from shopops.metrics.dimensions import DIMENSIONS

    out += ["| id | 中文 | English | how |", "|---|---|---|---|"]
    for d in DIMENSIONS.values():
        out.append(f"| `{d.id}` | {d.label_zh} | {d.label_en} | {d.doc} |")
    out.append("")
    return "\n".join(out)
