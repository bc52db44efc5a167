"""Dimensions: what KPIs can be broken down and filtered by, and the store list for filters.

A dimension is a column of a source (``store_id``, ``traffic_source``, ``province``,
``product_id``, ``ad_tool``, ``plan_id``) or is derived by a join:

* ``platform`` — ``stores.platform`` joined on ``store_id`` (every source);
* ``category`` — ``products.category`` joined on ``(store_id, product_id)`` (sources with a product);
* ``customer_type`` — ``new`` when the buyer's first paid order ever in that store falls in
  the period (or time bucket) asked for, else ``returning`` (sources with a buyer).

Missing values (no province, no category, a product-less event) are the empty string, so
every engine groups and sorts them the same way. Which KPI supports which dimension is
``shopops.metrics.catalog.kpi_dimensions``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import ibis

from shopops.core.errors import ConfigurationError, ResourceBusy
from shopops.warehouse.connection import connect

CUSTOMER_TYPES = ("new", "returning")


@dataclass(frozen=True, slots=True)
class Dimension:
    id: str
    label_zh: str
    label_en: str
    doc: str

    def label(self, language: str) -> str:
        return self.label_en if language.startswith("en") else self.label_zh


DIMENSIONS: dict[str, Dimension] = {
    d.id: d
    for d in (
        Dimension("store_id", "店铺", "Store", "column `store_id`"),
        Dimension("platform", "平台", "Platform", "`stores.platform` joined on `store_id`"),
        Dimension("traffic_source", "流量来源", "Traffic source", "column `traffic_source` (of the order for order facts)"),
        Dimension("province", "省份", "Province", "shipping province of the order (`orders.province`)"),
        Dimension("product_id", "商品", "Product", "column `product_id` (via `skus` for stock)"),
        Dimension("category", "类目", "Category", "`products.category` joined on `store_id`, `product_id`"),
        Dimension("customer_type", "新老客", "New / returning", "`new` when the buyer's first paid order in the store is in the period (bucket), else `returning`"),
        Dimension("ad_tool", "推广工具", "Ad tool", "column `ad_tool`"),
        Dimension("plan_id", "推广计划", "Ad plan", "column `plan_id`"),
        Dimension("agent_name", "客服", "Agent", "column `agent_name` (the agent's account in the chat tool)"),
    )
}
def ad_plan_names(keys, con: ibis.BaseBackend | None = None) -> dict[tuple[str, str], str]:
    """Plan names (计划名称) of some ad plans: ``{(ad_tool, plan_id): name}`` — the name on the
    plan's latest day in ``ad_spend_daily``; plans without a name are left out (callers show the id).
    Read once per data version of ``ad_spend_daily`` (the ads page asks on every visit: on PostgreSQL
    it was a query, and three catalog queries, on each one)."""
    keys = {(str(t), str(p)) for t, p in keys if p}
    if not keys:
        return {}
    con = con or connect()

    def read() -> dict[tuple[str, str], str]:
        t = con.table("ad_spend_daily")
        t = t.filter(t.ad_tool.isin(sorted({k for k, _ in keys})), t.plan_id.isin(sorted({p for _, p in keys})),
                     t.plan_name.notnull() & (t.plan_name != ""))
        latest = t.group_by("ad_tool", "plan_id").aggregate(name=t.plan_name.argmax(t.date))
        return {(r["ad_tool"], r["plan_id"]): r["name"] for r in latest.to_pyarrow().to_pylist()
                if (r["ad_tool"], r["plan_id"]) in keys and r["name"]}

    return dict(_by_version("ad_plan_names", tuple(sorted(keys)), read, con=con, tables=("ad_spend_daily",)))


# The canonical traffic-source groups (``traffic_source`` values) as people read them.
TRAFFIC_SOURCE_LABELS: dict[str, tuple[str, str]] = {
    "search": ("自然搜索", "Search"),
    "ads": ("付费推广", "Paid ads"),
    "feed": ("推荐/信息流", "Feeds & recommendations"),
    "live": ("直播/短视频", "Livestream & short video"),
    "social": ("社交", "Social"),
    "direct": ("直接访问", "Direct"),
    "other": ("其他", "Other"),
    "": ("(未记录)", "(not recorded)"),
}


def traffic_source_label(code: str | None, language: str) -> str:
    """The name of a canonical traffic-source group in ``language``; an unknown code as it is."""
    zh, en = TRAFFIC_SOURCE_LABELS.get(code or "", (code, code))
    return en if language.startswith("en") else zh


PLATFORM_LABELS: dict[str, tuple[str, str]] = {
    "tmall": ("天猫", "Tmall"),
    "taobao": ("淘宝", "Taobao"),
    "jd": ("京东", "JD"),
    "pdd": ("拼多多", "Pinduoduo"),
    "douyin": ("抖音", "Douyin"),
    "kuaishou": ("快手", "Kuaishou"),
    "own": ("自有商城/小程序", "Own site / mini-program"),
}


def platform_label(code: str | None, language: str) -> str:
    """The name of a platform (``stores.platform``) in ``language``; an unknown code as it is."""
    zh, en = PLATFORM_LABELS.get(code or "", (code or "", code or ""))
    return en if language.startswith("en") else zh


# ad tools as the platforms name them (``ad_spend_daily.ad_tool`` ids)
AD_TOOL_LABELS: dict[str, tuple[str, str]] = {  # English as the traffic sources name them (channels.SOURCE_WORDS_EN)
    "ztc": ("直通车", "Zhitongche (search ads)"),
    "ylmf": ("引力魔方", "Yinli Mofang (feed ads)"),
    "wxt": ("万相台", "Wanxiangtai (AI campaigns)"),
    "jzt": ("京准通", "Jingzhuntong (ads)"),
    "ddss": ("多多搜索", "Duoduo Sousuo (search ads)"),
    "jlqc": ("巨量千川", "Juliang Qianchuan (ads)"),
}


def ad_tool_label(code: str | None, language: str) -> str:
    """The name of an ad tool in ``language`` (``ztc`` → 直通车 / Zhitongche (search ads)); an unknown id as it is."""
    zh, en = AD_TOOL_LABELS.get((code or "").lower(), (code, code))
    return en if language.startswith("en") else zh


# accepted spellings (CLI, API): `store` means store_id
ALIASES = {"store": "store_id", "product": "product_id", "source": "traffic_source", "region": "province",
           "plan": "plan_id", "tool": "ad_tool", "agent": "agent_name"}


def dimension_id(name: str) -> str:
    """The canonical id of a dimension name or alias; raises ValueError for unknown names."""
    name = ALIASES.get(name, name)
    if name not in DIMENSIONS:
        raise ValueError(f"unknown dimension {name!r}; known: {', '.join(DIMENSIONS)} (aliases: {', '.join(ALIASES)})")
    return name


_MEMO_SIZE = 64
_memo: dict[tuple, object] = {}
_memo_lock = threading.Lock()


def _by_version(namespace: str, key: tuple, build, *, con: ibis.BaseBackend, tables: tuple[str, ...],
                stores: tuple[str, ...] = ()):
    """``build()`` once per data version of ``tables`` (of ``stores``) in this process: the small
    dimension reads every page makes. A process-local memo (this module is below Django: pure
    engines import it); callers get the value itself, so it must not be changed (copy it)."""
    from shopops.warehouse.versions import data_version

    k = (namespace, key, con.name, data_version(con, tables, stores))
    with _memo_lock:
        hit = _memo.get(k)
    if hit is None:
        hit = build()
        with _memo_lock:
            if len(_memo) >= _MEMO_SIZE:
                _memo.pop(next(iter(_memo)))
            _memo[k] = hit
    return hit


@dataclass(frozen=True, slots=True)
class StoreInfo:
    store_id: str
    platform: str
    name: str
    currency: str
    time_zone: str
    # the team declared the store runs no paid ads (不投放付费广告): no ad report row is a known 0 spend
    runs_no_ads: bool = False


def store_list(con: ibis.BaseBackend | None = None) -> list[StoreInfo]:
    """Every store, by id; read once per data version of ``stores`` (every page asks, several times)."""
    con = con or connect()

    def read() -> list[StoreInfo]:
        if "stores" not in con.list_tables():
            return []
        frame = con.table("stores").order_by("store_id").to_pandas()
        # runs_no_ads empty (or a warehouse from before the column): not declared
        return [StoreInfo(**{**row, "runs_no_ads": row.get("runs_no_ads") in (True,)}) for row in frame.to_dict("records")]

    return list(_by_version("stores", (), read, con=con, tables=("stores",)))


def store_names(con: ibis.BaseBackend | None = None) -> dict[str, str]:
    """Each store's name by id (the id itself when the store has no name); empty when the warehouse cannot be
    read — names label ids on pages and messages, and a page must not fail for a label."""
    try:
        return {s.store_id: s.name or s.store_id for s in store_list(con)}
    except (ConfigurationError, ResourceBusy):
        return {}


def no_ad_stores(con: ibis.BaseBackend | None = None) -> frozenset[str]:
    """The stores the team declared to run no paid ads (``stores.runs_no_ads``)."""
    return frozenset(s.store_id for s in store_list(con) if s.runs_no_ads)


def store_platforms(stores: tuple[str, ...] = (), con: ibis.BaseBackend | None = None) -> tuple[str, ...]:
    """The platforms of some stores (of every store when none is named), sorted."""
    chosen = set(stores)
    return tuple(sorted({s.platform for s in store_list(con) if not chosen or s.store_id in chosen}))


def product_titles(keys, con: ibis.BaseBackend | None = None) -> dict[tuple[str, str], str]:
    """Listing titles (商品标题) of some products: ``{(store_id, product_id): title}``.

    Products without a title (or not in ``products``) are left out; callers show the id."""
    keys = {(str(s), str(p)) for s, p in keys if p}
    if not keys:
        return {}
    con = con or connect()
    stores = tuple(sorted({s for s, _ in keys}))

    def read() -> dict[tuple[str, str], str]:
        # the stores' every title (a catalogue is small), not a filter of thousands of ids: one
        # read per data version of the products, and the SQL stays short
        t = con.table("products")
        t = t.filter(t.store_id.isin(list(stores)), t.title.notnull())
        frame = t.select("store_id", "product_id", "title").to_pandas()
        return {(r.store_id, r.product_id): r.title for r in frame.itertuples() if r.title}

    titles = _by_version("product_titles", stores, read, con=con, tables=("products",), stores=stores)
    return {k: titles[k] for k in keys if k in titles}
