"""The canonical warehouse tables: every fact shopops knows, one definition each.

Each table has a natural key (the store plus the id the source system gave the
row) that the loader upserts on. Money is DECIMAL(18,2); instants are UTC
timestamps; each fact also carries its *business date* in the store's time zone
(derived once at ingest, so every engine groups by the same day without time
zone arithmetic). ``docs/data-model.md`` is generated from this module
(``shopops docs data-model``) and a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.datatypes as dt

MONEY = dt.Decimal(18, 2)
INSTANT = dt.Timestamp(timezone="UTC")


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    dtype: dt.DataType
    doc: str
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # the business-date column (the store's day a row belongs to), declared once here and
    # read by ingest, the metrics catalog and the data version; None for dimension tables
    business_date: str | None = None
    # the UTC instant column ingest derives ``business_date`` from in the store's time zone
    # (None: the business date arrives as it is, or its writer sets it)
    business_date_of: str | None = None

    @property
    def schema(self) -> ibis.Schema:
        return ibis.schema({c.name: c.dtype for c in self.columns})

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def _c(name: str, dtype: dt.DataType | str, doc: str, *, nullable: bool = True) -> Column:
    return Column(name, dt.dtype(dtype).copy(nullable=nullable), doc, nullable)


STORE = _c("store_id", "string", "Store the row belongs to (`stores.store_id`).", nullable=False)

TABLES: dict[str, Table] = {}


def _table(name: str, doc: str, key: tuple[str, ...], *columns: Column,
           business_date: str | None = None, business_date_of: str | None = None) -> Table:
    table = Table(name, doc, columns, key, business_date, business_date_of)
    if business_date is not None:
        table.column(business_date)  # raises on a typo
    TABLES[name] = table
    return table


STORES = _table(
    "stores",
    "One shop on one platform (a Tmall flagship store, a JD store, the own mini-program…).",
    ("store_id",),
    _c("store_id", "string", "Short stable id chosen by the team, e.g. `tmall`.", nullable=False),
    _c("platform", "string", "`tmall`, `taobao`, `jd`, `pdd`, `douyin` or `own` (own site / mini-program).", nullable=False),
    _c("name", "string", "Shop name as shown on the platform.", nullable=False),
    _c("currency", "string", "ISO 4217 code of every amount in this store (CNY by default).", nullable=False),
    _c("time_zone", "string", "IANA zone that defines the store's business day (Asia/Shanghai by default).", nullable=False),
    _c("runs_no_ads", "boolean", "The team declares that the store runs no paid ads (不投放付费广告): its ad spend is a known "
       "0, not unknown, where it has no ad report row. Empty: not declared."),
)

PRODUCTS = _table(
    "products",
    "A product (SPU) as listed in one store.",
    ("store_id", "product_id"),
    STORE,
    _c("product_id", "string", "Product id in the store's platform (商品ID).", nullable=False),
    _c("title", "string", "Listing title (商品标题)."),
    _c("category", "string", "Top-level category (类目)."),
    _c("subcategory", "string", "Leaf category."),
    _c("brand", "string", "Brand."),
    _c("list_price", MONEY, "Tag price (吊牌价 / 划线价) in the store currency."),
    _c("launched_on", "date", "Date the listing went live, store time zone."),
    _c("status", "string", "`on_sale` or `off_shelf`."),
)

SKUS = _table(
    "skus",
    "A sellable variant (SKU) of a product.",
    ("store_id", "sku_id"),
    STORE,
    _c("sku_id", "string", "SKU id in the store's platform.", nullable=False),
    _c("product_id", "string", "Product the SKU belongs to.", nullable=False),
    _c("spec", "string", "Variant attributes as shown to buyers, e.g. `颜色:黑色;尺码:L`."),
    _c("merchant_code", "string", "The store's own code (商家编码), shared across platforms for the same goods."),
    _c("price", MONEY, "Regular selling price before promotions."),
    _c("cost", MONEY, "Unit cost of goods (landed cost), for margin."),
)

CUSTOMERS = _table(
    "customers",
    "A buyer or visitor as known to one store. No raw personal data: names, phones and "
    "addresses are hashed or masked at ingest (PIPL).",
    ("store_id", "customer_id"),
    STORE,
    _c("customer_id", "string", "Buyer id in the store's platform (买家ID / open id), or `guest:<order>` when absent.", nullable=False),
    _c("unified_id", "string", "HMAC-SHA256 (key `SHOPOPS_PII_KEY`) of the identifier the exports share across channels (e.g. phone); links one person's accounts."),
    _c("first_seen_at", INSTANT, "First time the store saw this customer (UTC)."),
    _c("province", "string", "Province / region (省份) from the latest shipping address."),
    _c("city", "string", "City (城市)."),
    _c("gender", "string", "`f`, `m` or empty when unknown."),
    _c("member_level", "string", "Store membership tier when the store runs one."),
    _c("phone_masked", "string", "Phone with all but the first 3 and last 2 digits masked, e.g. `138******78`."),
)

ORDERS = _table(
    "orders",
    "One order (a platform 订单 / 主订单). Amounts after all discounts unless named otherwise.",
    ("store_id", "order_id"),
    STORE,
    _c("order_id", "string", "Order number in the platform (订单编号).", nullable=False),
    _c("customer_id", "string", "Buyer (`customers.customer_id`).", nullable=False),
    _c("status", "string", "`pending_payment`, `paid`, `shipped`, `completed`, `closed` (cancelled before payment) or `refunded` (fully refunded)."),
    _c("created_at", INSTANT, "When the order was placed (UTC).", nullable=False),
    _c("paid_at", INSTANT, "When it was paid (UTC); empty for unpaid orders."),
    _c("paid_date", "date", "Business date of `paid_at` in the store's time zone (derived at ingest); empty when unpaid."),
    _c("goods_amount", MONEY, "Sum of line list amounts before discounts (商品总价)."),
    _c("discount_amount", MONEY, "All discounts on the order: item, store, platform (优惠金额)."),
    _c("platform_discount", MONEY, "Part of `discount_amount` paid by the platform, not the store."),
    _c("shipping_fee", MONEY, "Shipping charged to the buyer (运费)."),
    _c("paid_amount", MONEY, "What the buyer paid excluding shipping (实付金额 − 运费); the GMV contribution.", nullable=False),
    _c("province", "string", "Shipping province (收货省份)."),
    _c("city", "string", "Shipping city."),
    _c("traffic_source", "string", "Source of the converting visit: `search`, `ads`, `feed`, `live`, `social`, `direct`, `other`."),
    _c("is_presale", "boolean", "A presale (预售) order."),
    business_date="paid_date", business_date_of="paid_at",
)

ORDER_LINES = _table(
    "order_lines",
    "One line of an order (子订单): one SKU, a quantity and what was paid for it.",
    ("store_id", "order_id", "line_no"),
    STORE,
    _c("order_id", "string", "Order (`orders.order_id`).", nullable=False),
    _c("line_no", "int32", "Line number within the order, from 1 (or the platform's sub-order id rank).", nullable=False),
    _c("product_id", "string", "Product.", nullable=False),
    _c("sku_id", "string", "SKU."),
    _c("quantity", "int32", "Units.", nullable=False),
    _c("unit_price", MONEY, "Price per unit before order-level discounts (after item-level ones)."),
    _c("discount_amount", MONEY, "Order-level discounts prorated to this line."),
    _c("paid_amount", MONEY, "What the line sold for, shipping excluded: the buyer's paid amount where the export "
       "gives one per line; the Tmall and JD item exports give unit price × quantity, before order-level discounts "
       "(the products page says by how much item GMV exceeds GMV).", nullable=False),
    _c("paid_date", "date", "Business date the order was paid (copied from the order)."),
    business_date="paid_date", business_date_of="paid_at",
)

REFUNDS = _table(
    "refunds",
    "A refund (退款) on an order, whole or partial.",
    ("store_id", "refund_id"),
    STORE,
    _c("refund_id", "string", "Refund id in the platform (退款编号).", nullable=False),
    _c("order_id", "string", "Refunded order.", nullable=False),
    _c("line_no", "int32", "Refunded line, empty when the refund is for the whole order."),
    _c("requested_at", INSTANT, "When the buyer asked (UTC)."),
    _c("refunded_at", INSTANT, "When the money went back (UTC); empty until it does."),
    _c("refund_date", "date", "Business date of `refunded_at` in the store's time zone."),
    _c("amount", MONEY, "Amount paid back (or asked for, until `status` is `success`).", nullable=False),
    _c("quantity", "int32", "Units returned, when known."),
    _c("status", "string", "`requested`, `success`, `rejected` or `cancelled`."),
    _c("reason", "string", "Reason the buyer gave (退款原因), e.g. 尺码不合适."),
    _c("with_return", "boolean", "Goods were sent back (退货退款) rather than money only (仅退款)."),
    business_date="refund_date", business_date_of="refunded_at",
)

TRAFFIC_DAILY = _table(
    "traffic_daily",
    "Daily traffic aggregates from the platform's analytics (生意参谋 and the like), per product and source. "
    "Visitors here are daily uniques: summing days gives visitor-days, not visitors.",
    ("store_id", "date", "product_id", "traffic_source"),
    STORE,
    _c("date", "date", "Business date.", nullable=False),
    _c("product_id", "string", "Product, or empty string for store-level rows.", nullable=False),
    _c("traffic_source", "string", "Traffic source (see `orders.traffic_source`).", nullable=False),
    _c("visitors", "int64", "访客数 that day."),
    _c("page_views", "int64", "浏览量."),
    _c("add_to_cart_users", "int64", "加购人数."),
    _c("buyers", "int64", "支付买家数."),
    _c("paid_amount", MONEY, "支付金额."),
    business_date="date",
)

SHOP_TRAFFIC_DAILY = _table(
    "shop_traffic_daily",
    "A platform store's own daily report of the whole store (生意参谋 经营概况, 京东商智 店铺概况, 拼多多 "
    "商家后台 经营总览, 抖店罗盘 经营概览): the platform's 口径, de-duplicated by the platform within the day. "
    "Summing days gives visitor-days, not the period's visitors.",
    ("store_id", "date"),
    STORE,
    _c("date", "date", "Business date.", nullable=False),
    _c("visitors", "int64", "访客数 of the store that day (the platform's count)."),
    _c("page_views", "int64", "浏览量."),
    _c("add_to_cart_users", "int64", "加购人数."),
    _c("favorite_users", "int64", "收藏人数 (商品收藏买家数)."),
    _c("order_buyers", "int64", "下单买家数."),
    _c("buyers", "int64", "支付买家数."),
    _c("paid_amount", MONEY, "支付金额."),
    business_date="date",
)

SHOP_TRAFFIC_PERIOD = _table(
    "shop_traffic_period",
    "A platform store's whole-store report for a *period* (生意参谋 经营概况 / 取数 by 周, 月 or a custom range, "
    "京东商智 店铺概况 over a range): the platform's 访客数 and 支付买家数 de-duplicated over the whole period, "
    "which no sum of daily rows gives. Pages and reports show these figures when the period asked for is exactly "
    "an imported one (`period_*` KPIs), else visitor-days from `shop_traffic_daily`.",
    ("store_id", "period_start", "period_end"),
    STORE,
    _c("period_start", "date", "First day of the period (business date).", nullable=False),
    _c("period_end", "date", "Last day of the period, inclusive (business date; not before `period_start`).",
       nullable=False),
    _c("visitors", "int64", "访客数 of the store over the period (the platform's de-duplicated count)."),
    _c("page_views", "int64", "浏览量."),
    _c("add_to_cart_users", "int64", "加购人数 (de-duplicated over the period)."),
    _c("favorite_users", "int64", "收藏人数 (商品收藏买家数, de-duplicated over the period)."),
    _c("order_buyers", "int64", "下单买家数 (de-duplicated over the period)."),
    _c("buyers", "int64", "支付买家数 (de-duplicated over the period)."),
    _c("paid_amount", MONEY, "支付金额."),
    business_date="period_start",
)

EVENTS = _table(
    "events",
    "Behaviour events per visitor: page and product views, add-to-cart, checkout, purchase.",
    ("store_id", "event_id"),
    STORE,
    _c("event_id", "string", "Unique id of the event (sent by the collector or derived from the log line).", nullable=False),
    _c("visitor_id", "string", "Anonymous visitor id (cookie / device / platform uid).", nullable=False),
    _c("customer_id", "string", "Logged-in customer, when known."),
    _c("session_id", "string", "Session the event belongs to."),
    _c("event_type", "string", "`page_view`, `product_view`, `add_to_cart`, `favorite`, `checkout` or `purchase`.", nullable=False),
    _c("page", "string", "`home`, `search`, `category`, `product`, `cart`, `checkout` or another page name."),
    _c("product_id", "string", "Product involved, when any."),
    _c("traffic_source", "string", "Source of the session (UTM source mapped to the traffic-source list)."),
    _c("occurred_at", INSTANT, "When it happened (UTC).", nullable=False),
    _c("event_date", "date", "Business date in the store's time zone.", nullable=False),
    business_date="event_date", business_date_of="occurred_at",
)

AD_SPEND_DAILY = _table(
    "ad_spend_daily",
    "Daily results per ad plan from the platforms' ad tools (直通车, 引力魔方, 万相台, 京准通, 多多搜索, 巨量千川…).",
    ("store_id", "date", "ad_tool", "plan_id"),
    STORE,
    _c("date", "date", "Business date.", nullable=False),
    _c("ad_tool", "string", "Tool id: `ztc`, `ylmf`, `wxt`, `jzt`, `ddss`, `jlqc` or another.", nullable=False),
    _c("plan_id", "string", "Plan (计划) id in the tool.", nullable=False),
    _c("plan_name", "string", "Plan name."),
    _c("impressions", "int64", "展现量."),
    _c("clicks", "int64", "点击量."),
    _c("cost", MONEY, "花费."),
    _c("attributed_orders", "int64", "成交笔数 the tool attributes to the plan."),
    _c("attributed_gmv", MONEY, "成交金额 the tool attributes to the plan."),
    _c("attributed_cart_adds", "int64", "加购数 (总购物车数) the tool attributes to the plan; empty when the tool's "
       "report has none (多多搜索, 巨量千川)."),
    business_date="date",
)

REVIEWS = _table(
    "reviews",
    "Buyer reviews (评价) with rating and text.",
    ("store_id", "review_id"),
    STORE,
    _c("review_id", "string", "Review id.", nullable=False),
    _c("order_id", "string", "Reviewed order."),
    _c("product_id", "string", "Reviewed product.", nullable=False),
    _c("sku_id", "string", "Reviewed SKU."),
    _c("customer_id", "string", "Reviewer."),
    _c("created_at", INSTANT, "When it was posted (UTC).", nullable=False),
    _c("review_date", "date", "Business date.", nullable=False),
    _c("rating", "int8", "1–5 stars; 1–2 is a 差评."),
    _c("content", "string", "Review text."),
    _c("tags", "string", "Comma-separated topics when known: 尺码, 质量, 物流, 客服, 价格, 外观…"),
    business_date="review_date", business_date_of="created_at",
)

REVIEW_SCORES = _table(
    "review_scores",
    "What shopops read in each review (written by the service app's scoring job through the loader, "
    "never imported): the sentiment model's score and the aspects the review names. Re-scoring with the "
    "same model changes nothing; a new model replaces the rows (their `model_version` tells which model).",
    ("store_id", "review_id"),
    STORE,
    _c("review_id", "string", "Review (`reviews.review_id`).", nullable=False),
    _c("product_id", "string", "Reviewed product (copied from the review).", nullable=False),
    _c("review_date", "date", "Business date of the review (copied).", nullable=False),
    _c("rating", "int8", "Stars (copied; null when the platform gives none)."),
    _c("sentiment", "float64", "Probability that the text is positive (0–1); 0.5 when there is no text.", nullable=False),
    _c("polarity", "int8", "-1 negative (sentiment < 0.4), 0 unclear, 1 positive (> 0.6).", nullable=False),
    _c("aspects", "string", "Aspects the review names, comma-separated codes: size, quality, logistics, service, "
       "price, looks, packaging, as_described."),
    _c("negative_aspects", "string", "The aspects named in a negative clause (comma-separated codes)."),
    _c("model_version", "string", "Content hash of the sentiment model that wrote the row.", nullable=False),
    business_date="review_date",
)

SHOP_SCORES = _table(
    "shop_scores",
    "The platform's shop scores (DSR, 店铺动态评分) per day: 描述相符, 服务态度, 物流服务 (1–5) and the "
    "industry average they are compared with.",
    ("store_id", "date"),
    STORE,
    _c("date", "date", "Business date of the scores.", nullable=False),
    _c("description", dt.Decimal(6, 4), "描述相符 score."),
    _c("description_industry", dt.Decimal(6, 4), "描述相符 industry (同行业) average."),
    _c("service", dt.Decimal(6, 4), "服务态度 score."),
    _c("service_industry", dt.Decimal(6, 4), "服务态度 industry average."),
    _c("logistics", dt.Decimal(6, 4), "物流服务 score."),
    _c("logistics_industry", dt.Decimal(6, 4), "物流服务 industry average."),
    business_date="date",
)

INVENTORY_SNAPSHOTS = _table(
    "inventory_snapshots",
    "Units on hand per SKU at the end of a business day.",
    ("store_id", "date", "sku_id"),
    STORE,
    _c("date", "date", "Business date of the snapshot.", nullable=False),
    _c("sku_id", "string", "SKU.", nullable=False),
    _c("on_hand", "int64", "Sellable units (可售库存)."),
    _c("in_transit", "int64", "Units ordered from suppliers, not yet received."),
    business_date="date",
)

PURCHASE_ORDER_LINES = _table(
    "purchase_order_lines",
    "Purchase-order lines from the ERP (采购单): what was ordered from a supplier, per PO and SKU. Open "
    "units = `quantity` − the `stock_receipts` of the same PO and SKU, while `status` is `open`. POs made in "
    "shopops are app records, not rows here.",
    ("store_id", "po_number", "sku_id"),
    STORE,
    _c("po_number", "string", "The ERP's PO number (采购单号).", nullable=False),
    _c("sku_id", "string", "SKU ordered (the ERP's 商品编码: a `skus.sku_id` or `skus.merchant_code` of the store).",
       nullable=False),
    _c("supplier", "string", "Supplier name as the ERP writes it."),
    _c("order_date", "date", "Business date the PO was placed.", nullable=False),
    _c("expected_date", "date", "Promised delivery date (预计到货日期)."),
    _c("quantity", "int64", "Units ordered.", nullable=False),
    _c("unit_price", MONEY, "Purchase price per unit."),
    _c("status", "string", "`draft` (not approved: not on order), `open` (ordered, not fully received), `closed` (received or finished) or `cancelled`."),
    business_date="order_date",
)

STOCK_RECEIPTS = _table(
    "stock_receipts",
    "Goods received into the warehouse from suppliers (采购入库单), per delivery note and SKU. The note "
    "number is the key: importing the same receipt again changes nothing.",
    ("store_id", "receipt_id", "sku_id"),
    STORE,
    _c("receipt_id", "string", "The receipt's (delivery note's) number (入库单号).", nullable=False),
    _c("sku_id", "string", "SKU received (a `skus.sku_id` or `skus.merchant_code` of the store).", nullable=False),
    _c("po_number", "string", "The PO it delivers against (`purchase_order_lines.po_number`), if any."),
    _c("date", "date", "Business date received.", nullable=False),
    _c("quantity", "int64", "Units received (≥ 1).", nullable=False),
    business_date="date",
)

COMPETITOR_SNAPSHOTS = _table(
    "competitor_snapshots",
    "Observed price and promotion of a competitor's listing that competes with one of ours.",
    ("store_id", "competitor_item_id", "date"),
    STORE,
    _c("competitor_item_id", "string", "The competitor's listing id.", nullable=False),
    _c("date", "date", "Business date observed.", nullable=False),
    _c("competitor", "string", "Competitor shop name."),
    _c("product_id", "string", "Our product it competes with."),
    _c("title", "string", "Their listing title."),
    _c("price", MONEY, "Their price shown that day (到手价 when visible)."),
    _c("promo_text", "string", "Promotion text shown, e.g. 满300减50."),
    _c("monthly_sales", "int64", "Their displayed monthly sales (月销量), when shown."),
    business_date="date",
)


COUPON_REDEMPTIONS = _table(
    "coupon_redemptions",
    "Coupons redeemed on orders of the store's own site / mini-program (written by the promotions app). "
    "A code is redeemed once, so the code is the key: recording the same redemption twice changes nothing.",
    ("store_id", "code"),
    STORE,
    _c("code", "string", "The coupon code redeemed.", nullable=False),
    _c("coupon_id", "string", "Coupon (batch) the code was issued from.", nullable=False),
    _c("promotion_id", "string", "Promotion that holds the coupon's pricing rule."),
    _c("coupon_kind", "string", "`store_coupon`, `product_coupon`, `platform_coupon` or `first_order`."),
    _c("customer_id", "string", "Customer who redeemed it."),
    _c("order_id", "string", "Order it was redeemed on.", nullable=False),
    _c("amount", MONEY, "Face value of the code (for a % coupon, its cap) — the most it takes off the order."),
    _c("bearer", "string", "Who pays for it: `store` or `platform`."),
    _c("store_amount", MONEY, "The store's part of `amount` (all of it for a store coupon; the store share of a platform one)."),
    _c("redeemed_at", INSTANT, "When it was redeemed (UTC).", nullable=False),
    _c("business_date", "date", "Business date of `redeemed_at` in the store's time zone.", nullable=False),
    business_date="business_date",
)

FLASH_SALE_RESERVATIONS = _table(
    "flash_sale_reservations",
    "Stock reservations in flash sales (秒杀) and what became of them; a reservation's row is replaced as its status moves.",
    ("store_id", "reservation_id"),
    STORE,
    _c("reservation_id", "string", "Reservation id.", nullable=False),
    _c("flash_sale_id", "string", "Flash sale.", nullable=False),
    _c("sku_id", "string", "SKU on sale."),
    _c("customer_id", "string", "Buyer."),
    _c("quantity", "int64", "Units reserved.", nullable=False),
    _c("unit_price", MONEY, "Flash-sale price per unit."),
    _c("amount", MONEY, "`unit_price` × `quantity`."),
    _c("status", "string", "`reserved`, `paid`, `released` (given up by the buyer) or `expired` (not paid in time; stock returned).", nullable=False),
    _c("reserved_at", INSTANT, "When it was reserved (UTC).", nullable=False),
    _c("expires_at", INSTANT, "When an unpaid reservation expires (UTC)."),
    _c("paid_at", INSTANT, "When it was paid (UTC), if paid."),
    _c("closed_at", INSTANT, "When it was released or expired (UTC), if so."),
    _c("business_date", "date", "Business date of `reserved_at` in the store's time zone.", nullable=False),
    business_date="business_date",
)


SERVICE_CHAT_DAILY = _table(
    "service_chat_daily",
    "Chat-service results per agent and day from the platforms' service tools (千牛 接待数据, 京东咚咚, "
    "拼多多 客服数据, 抖店 飞鸽). Averages and shares are the tool's own per agent-day; KPIs weight them "
    "by their base (`consultations`, `rated`) so a period's value is computed from summed parts.",
    ("store_id", "date", "agent_name"),
    STORE,
    _c("date", "date", "Business date.", nullable=False),
    _c("agent_name", "string", "The agent's account in the chat tool (千牛 sub-account, 咚咚 account…).", nullable=False),
    _c("consultations", "int64", "接待人数: buyers the agent served."),
    _c("inquiries", "int64", "询单人数: buyers who asked before buying."),
    _c("inquiry_buyers", "int64", "询单→最终付款人数: of those, buyers who paid."),
    _c("first_response_seconds", "float64", "平均首次响应时长 in seconds (average over the agent's consultations)."),
    _c("avg_response_seconds", "float64", "平均响应时长 in seconds (average over the agent's consultations)."),
    _c("response_3min_rate", "float64", "3 分钟响应率, 0–1: share of consultations answered within 3 minutes."),
    _c("rated", "int64", "评价人数: buyers who rated the service."),
    _c("satisfaction_rate", "float64", "满意率, 0–1: share of ratings that were satisfied (满意 + 很满意)."),
    business_date="date",
)

# -- system tables: kept by shopops itself, not facts (not in TABLES: not loadable, not mapped)

DATA_VERSIONS = Table(
    "_data_versions",
    "The data version of each (store, table): every write through the loader (imports, API upserts, "
    "promotion facts) that changes rows bumps it in the same transaction. Caches of warehouse results "
    "are keyed by it (`shopops.warehouse.versions`), so reading it is one small lookup instead of a "
    "scan of the facts. The row with an empty store and table is the warehouse's epoch: a new "
    "warehouse gets a new one.",
    (
        Column("store_id", dt.String(nullable=False), "Store whose rows changed (empty for the epoch row).", False),
        Column("table_name", dt.String(nullable=False), "Canonical table that changed (empty for the epoch row).", False),
        Column("version", dt.Int64(nullable=False), "Counts the writes that changed the table's rows for the store.", False),
        Column("token", dt.String(nullable=False), "Random id of the last write: unique across warehouses, so a cache "
               "never mistakes one warehouse's version for another's.", False),
        Column("changed_at", INSTANT, "When the last write committed (UTC)."),
    ),
    ("store_id", "table_name"),
)
SYSTEM_TABLES: dict[str, Table] = {DATA_VERSIONS.name: DATA_VERSIONS}

# Orders that count as paid: a payment happened, whatever came after (refunds are subtracted by
# their own KPIs, never by dropping the order). The metrics catalog and the rollups read it here.
PAID_EXCLUDED_STATUSES = ("pending_payment", "closed")


def _rollup(name: str, doc: str, key: tuple[str, ...], *columns: Column) -> Table:
    return Table(name, doc, columns, key, business_date="date")


_DAY = Column("date", dt.Date(nullable=False), "Business date (the date that places the rows, as in the KPI catalog).", False)
_STORE = Column("store_id", dt.String(nullable=False), "Store.", False)


def _n(name: str, doc: str) -> Column:
    return Column(name, dt.Int64(nullable=True), doc, True)


PRODUCT_DAILY = _rollup(
    "product_daily",
    "Daily rollup per store, business date and product, kept by the loader (`shopops.warehouse.rollups`): "
    "when a load changes orders, order lines, the product traffic report, reviews or stock snapshots of some "
    "(store, date), "
    "exactly those dates are recomputed in the same transaction (a change of `skus`: the store's every date). The metrics runners answer from it when "
    "that is exact (`shopops.metrics.rollups`). `item_buyers` is the day's distinct buyers of the product: "
    "never add it across days or products for a period's buyers.",
    ("store_id", "date", "product_id"),
    _STORE, _DAY,
    Column("product_id", dt.String(nullable=False), "Product (`\"\"` for the store-level rows of `traffic_daily`).", False),
    _n("line_rows", "Paid order lines of the product that day (0: no sale; the rows the KPI source would have)."),
    Column("item_gmv", MONEY, "Σ `order_lines.paid_amount` of paid orders, by the order's `paid_date`."),
    _n("units_sold", "Σ `order_lines.quantity` of those lines."),
    _n("item_buyers", "Distinct (store, buyer) of those lines that day — per day and product only."),
    _n("traffic_rows", "Rows of `traffic_daily` (sources) of the product that day."),
    _n("visitor_days", "Σ `traffic_daily.visitors` (the product traffic report, summed over sources)."),
    _n("review_rows", "Reviews of the product posted that day (`review_date`)."),
    _n("rated_reviews", "Of them, with a rating."),
    _n("positive_reviews", "Of them, rated 4–5."),
    _n("bad_reviews", "Of them, rated 1–2."),
    Column("cogs", MONEY, "Σ `quantity` × `skus.cost` of the paid lines (a SKU without cost adds 0; whether "
           "the cost is known says `costed_gmv`)."),
    _n("stock_rows", "End-of-day stock snapshots of the product's SKUs that day (`inventory_snapshots` joined to `skus`; "
       "snapshots of an unknown SKU under product `\"\"`)."),
    _n("stock_unit_days", "Σ `on_hand` of those snapshots."),
    Column("costed_gmv", MONEY, "Σ `paid_amount` of the paid lines whose SKU has a cost (`skus.cost` not null): "
           "the item GMV `cogs` covers (0 with sales: the cost of goods is unknown). Added after the other "
           "columns: a rollup made before it gains it and is refilled (`rollups.ensure`)."),
)

STORE_DAILY = _rollup(
    "store_daily",
    "Daily rollup per store and business date, kept by the loader like `product_daily`: paid orders by "
    "`paid_date` and successful refunds by their order's `paid_date` (a refund arriving days later "
    "changes its order's day). `paying_buyers` is the day's distinct buyers: never add it across days.",
    ("store_id", "date"),
    _STORE, _DAY,
    _n("order_rows", "Paid orders that day (status not pending_payment/closed)."),
    Column("gmv", MONEY, "Σ `orders.paid_amount` of those orders."),
    _n("paying_buyers", "Distinct buyers of those orders that day — per day only."),
    Column("store_discount", MONEY, "Σ (`discount_amount` − `platform_discount`), missing parts as 0."),
    Column("platform_discount", MONEY, "Σ `platform_discount`, missing as 0."),
    _n("refund_rows", "Successful refunds of orders paid that day."),
    Column("refund_amount", MONEY, "Σ `refunds.amount` of them."),
    _n("refunded_orders", "Distinct orders among them (an order has one paid date, so days add up)."),
)
ROLLUP_TABLES: dict[str, Table] = {PRODUCT_DAILY.name: PRODUCT_DAILY, STORE_DAILY.name: STORE_DAILY}


def data_model_markdown() -> str:
    """docs/data-model.md, generated from the definitions above."""
    out = [
        "# Data model — the canonical warehouse",
        "",
        "Generated from `src/shopops/warehouse/schema.py` by `shopops docs data-model`; "
        "a test fails when the two differ.",
        "",
        "Conventions: money is `decimal(18,2)` in the store's currency; instants are UTC "
        "timestamps; business dates (`paid_date`, `event_date`, …) are in the store's time "
        "zone and derived at ingest. The natural key of each table is what the loader "
        "upserts on: loading the same rows twice changes nothing.",
        "",
    ]
    tables = list(TABLES.values())
    for table in [*tables, *SYSTEM_TABLES.values(), *ROLLUP_TABLES.values()]:
        if table is next(iter(SYSTEM_TABLES.values())):
            out += ["# System tables", "", "Kept by shopops itself; never loaded or mapped.", ""]
        if table is next(iter(ROLLUP_TABLES.values())):
            out += ["# Rollup tables", "", "Kept by the loader from the facts above (`shopops.warehouse.rollups`); "
                    "never loaded or mapped. Each is exact: the runners' parity tests compare it with the raw path.", ""]
        out += [f"## `{table.name}`", "", table.doc, "", f"Natural key: {', '.join(f'`{k}`' for k in table.key)}", ""]
        if table.business_date:
            derived = (f", derived at ingest from `{table.business_date_of}` in the store's time zone"
                       if table.business_date_of else "")
            out += [f"Business date: `{table.business_date}`{derived}.", ""]
        out += ["| column | type | required | meaning |", "|---|---|---|---|"]
        for col in table.columns:
            out.append(f"| `{col.name}` | {col.dtype.copy(nullable=True)} | {'no' if col.nullable else 'yes'} | {col.doc} |")
        out.append("")
    return "\n".join(out)
