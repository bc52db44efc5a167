"""Ad spend per tool and plan, and competitors' prices.

Ad tools: Tmall 直通车 (ztc), 引力魔方 (ylmf), 万相台 (wxt); JD 京准通 (jzt);
Pinduoduo 多多搜索 (ddss); Douyin 巨量千川 (jlqc); the own mini-program buys no ads.
Spend ramps up ahead of big sales; attributed GMV has diminishing returns
(GMV ≈ a · spend^0.7, so doubling spend does not double GMV) with noise and a
conversion lift on peak days; attributed orders follow GMV.

Competitors (fictitious shops) list items matched to our best sellers; their daily
price drops on big-sale days and in short price-cut episodes, with promotion text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopops.demo.generator.calendar import DemoCalendar
from shopops.demo.generator.catalogue import Catalogue
from shopops.demo.generator.spec import STORES, stream

# store -> (tool, plan name, budget weight, cpc yuan, ctr, roas at base budget, only around sales)
PLANS: dict[str, tuple[tuple[str, str, float, float, float, float, bool], ...]] = {
    "tmall": (
        ("ztc", "直通车-女装连衣裙-关键词推广", 1.0, 1.6, 0.035, 3.2, False),
        ("ztc", "直通车-男装爆款-关键词推广", 0.6, 1.4, 0.03, 3.0, False),
        ("ztc", "直通车-家纺四件套-智能推广", 0.45, 1.2, 0.028, 3.4, False),
        ("ztc", "直通车-新品测款", 0.3, 1.8, 0.025, 1.8, False),
        ("ylmf", "引力魔方-人群拉新", 0.7, 0.6, 0.009, 1.9, False),
        ("ylmf", "引力魔方-老客召回", 0.35, 0.5, 0.012, 3.6, False),
        ("wxt", "万相台-货品加速", 0.8, 1.1, 0.02, 2.8, False),
        ("wxt", "万相台-活动加速", 0.9, 1.3, 0.022, 3.0, True),
    ),
    "jd": (
        ("jzt", "京东快车-搜索推广", 1.0, 1.5, 0.03, 3.0, False),
        ("jzt", "京东海投-智能推荐", 0.6, 0.8, 0.012, 2.3, False),
        ("jzt", "购物触点-首页焦点图", 0.4, 0.9, 0.008, 1.8, True),
    ),
    "pdd": (
        ("ddss", "多多搜索-标准推广", 1.0, 0.7, 0.04, 3.5, False),
        ("ddss", "多多搜索-全站推广", 0.8, 0.6, 0.03, 3.0, False),
        ("ddss", "多多场景-相似商品", 0.4, 0.4, 0.015, 2.2, False),
    ),
    "douyin": (
        ("jlqc", "千川-直播间画面-日常", 1.0, 1.2, 0.018, 2.6, False),
        ("jlqc", "千川-短视频带货", 0.7, 0.9, 0.015, 2.2, False),
        ("jlqc", "千川-全域推广-大促", 1.0, 1.3, 0.02, 2.8, True),
    ),
}
# share of the store's expected GMV spent on ads on an ordinary day
AD_SHARE = {"tmall": 0.08, "jd": 0.06, "pdd": 0.1, "douyin": 0.14}
_SPEND_RAMP = np.array([1.0, 1.6, 2.3, 3.4])  # by discount level
_CONV_LIFT = np.array([1.0, 1.0, 1.15, 1.35])
ELASTICITY = 0.7


@dataclass
class AdRows:
    store: np.ndarray
    day: np.ndarray
    tool: list[str]
    plan_id: np.ndarray
    plan_name: list[str]
    impressions: np.ndarray
    clicks: np.ndarray
    cost: np.ndarray  # cents
    orders: np.ndarray
    gmv: np.ndarray  # cents
    cart_adds: np.ndarray  # -1: the tool's report has no add-to-cart column


# 加购 per click the tools report (多多搜索 and 巨量千川 reports have no add-to-cart column); drawn
# from nothing random, so the other ad numbers stay what they were
CART_ADDS_PER_CLICK = {"ztc": 0.09, "ylmf": 0.06, "wxt": 0.08, "jzt": 0.07}


def build_ads(seed: int, cal: DemoCalendar, expected_gmv_per_day: np.ndarray, aov: float) -> AdRows:
    rng = stream(seed, "ads")
    rows: dict[str, list] = {k: [] for k in ("store", "day", "tool", "plan_id", "plan_name", "imp", "clk", "cost", "orders", "gmv",
                                                 "cart")}
    n = cal.days
    plan_no = 0
    for s, spec in enumerate(STORES):
        plans = PLANS.get(spec.platform, ())
        if not plans:
            continue
        total_w = sum(p[2] for p in plans if not p[6])
        level = cal.level[s]
        warmup = (cal.traffic_mult[s] / cal.order_mult[s]) > 1.05
        # spend rises ahead of the biggest days: a 7-day ramp before each level-3 day
        pre_peak = np.zeros(n)
        for d in np.flatnonzero(level == 3):
            lo = max(d - 7, 0)
            pre_peak[lo:d] = np.maximum(pre_peak[lo:d], np.linspace(0.3, 1.2, d - lo) if d > lo else 0)
        ramp = _SPEND_RAMP[level] + pre_peak
        for tool, name, weight, cpc, ctr, roas, sale_only in plans:
            plan_no += 1
            plan_id = {"ztc": 3_100_000_000, "ylmf": 5_200_000_000, "wxt": 7_700_000_000,
                       "jzt": 205_000_000, "ddss": 880_000_000, "jlqc": 1_780_000_000_000_000_000}[tool]
            plan_id += plan_no * 104_729 + int(rng.integers(0, 100_000))
            budget = expected_gmv_per_day[s] * AD_SHARE[spec.platform] * weight / total_w  # cents/day
            active = (level >= 1) | warmup if sale_only else np.ones(n, dtype=bool)
            if name.endswith("新品测款"):  # a test plan that ran for a few months
                first = int(rng.integers(0, max(n // 2, 1)))
                active &= (np.arange(n) >= first) & (np.arange(n) < first + 90)
            noise = np.exp(rng.normal(0.0, 0.18, n))
            spend = np.where(active, budget * ramp * noise * (1.0 if not sale_only else 1.4), 0.0)
            spend = (np.round(spend / 100) * 100).astype(np.int64)  # whole yuan
            days = np.flatnonzero(spend > 0)
            sp = spend[days].astype(np.float64)
            a = roas * budget ** (1 - ELASTICITY)
            lift = _CONV_LIFT[level[days]] * np.where(warmup[days], 0.8, 1.0)
            gmv = a * sp ** ELASTICITY * lift * np.exp(rng.normal(0.0, 0.25, days.size))
            orders = np.round(gmv / (aov * rng.uniform(0.85, 1.15, days.size))).astype(np.int64)
            gmv = np.where(orders > 0, np.round(gmv), 0).astype(np.int64)
            c = cpc * 100 * np.where(level[days] >= 2, 1.3, 1.0) * np.exp(rng.normal(0.0, 0.1, days.size))
            clicks = np.maximum(np.round(sp / c), 1).astype(np.int64)
            imp = np.round(clicks / (ctr * np.exp(rng.normal(0.0, 0.12, days.size)))).astype(np.int64)
            rows["store"].append(np.full(days.size, s))
            rows["day"].append(days)
            rows["tool"] += [tool] * days.size
            rows["plan_id"].append(np.full(days.size, plan_id, dtype=np.int64))
            rows["plan_name"] += [name] * days.size
            rows["imp"].append(imp)
            rows["clk"].append(clicks)
            rows["cost"].append(spend[days])
            rows["orders"].append(orders)
            rows["gmv"].append(gmv)
            per_click = CART_ADDS_PER_CLICK.get(tool)
            rows["cart"].append(np.maximum(np.round(clicks * per_click).astype(np.int64), orders) if per_click
                                else np.full(days.size, -1, dtype=np.int64))
    cat_ = lambda key: np.concatenate(rows[key]) if rows[key] else np.zeros(0, dtype=np.int64)  # noqa: E731
    store, day = cat_("store"), cat_("day")
    order = np.lexsort((cat_("plan_id"), day, store))
    pick = lambda v: [v[i] for i in order]  # noqa: E731
    return AdRows(store=store[order], day=day[order], tool=pick(rows["tool"]), plan_id=cat_("plan_id")[order],
                  plan_name=pick(rows["plan_name"]), impressions=cat_("imp")[order], clicks=cat_("clk")[order],
                  cost=cat_("cost")[order], orders=cat_("orders")[order], gmv=cat_("gmv")[order],
                  cart_adds=cat_("cart")[order])


COMPETITORS = (
    ("森屿女装旗舰店", ("女装", "鞋靴")),
    ("拾光男装官方店", ("男装", "鞋靴")),
    ("木槿里服饰旗舰店", ("女装", "内衣家居服", "配饰")),
    ("北岸家纺旗舰店", ("家纺",)),
    ("简予生活馆", ("家纺", "内衣家居服", "配饰")),
)
LISTINGS_PER_STORE = {"tmall": 36, "jd": 20, "pdd": 20, "douyin": 16}
_PROMOS_SALE = ("满300减50", "跨店每满300减50", "满199减20", "第二件半价", "领券减30", "买二送一", "满2件8折")
_PROMOS_DAILY = ("", "", "", "领券减10", "满199减10", "新客立减5元")


@dataclass
class CompetitorRows:
    store: np.ndarray
    item_id: np.ndarray
    day: np.ndarray
    competitor: list[str]
    product: np.ndarray
    title: list[str]
    price: np.ndarray  # cents
    promo: list[str]
    monthly_sales: np.ndarray


def build_competitors(seed: int, cal: DemoCalendar, cat: Catalogue, product_weights: np.ndarray) -> CompetitorRows:
    rng = stream(seed, "competitors")
    n = cal.days
    total = product_weights.sum(axis=0)  # [P] over the window
    top = np.argsort(-total, kind="stable")[:60]
    cat_names = np.array(cat.category_names)[cat.category]
    out: dict[str, list] = {k: [] for k in ("store", "item", "day", "comp", "product", "title", "price", "promo", "sales")}
    for s, spec in enumerate(STORES):
        k = LISTINGS_PER_STORE.get(spec.platform, 0)
        pairs = [(ci, int(p)) for p in top for ci, (_, cats) in enumerate(COMPETITORS) if cat_names[p] in cats]
        if not k or not pairs:
            continue
        chosen = sorted(rng.choice(len(pairs), min(k, len(pairs)), replace=False))
        for j, pi in enumerate(chosen):
            ci, p = pairs[pi]
            comp = COMPETITORS[ci][0]
            item_id = 700_000_000_000 + s * 10_000_000_000 + (j + 1) * 7_919_111 + int(rng.integers(0, 7_919_111))
            first = max(0, int(cat.launch_day[p]) + int(rng.integers(0, 30)))
            days = np.arange(first, n)
            if days.size == 0:
                continue
            base = cat.price[p] * rng.uniform(0.75, 1.1)
            base = (np.round(base / 1_000) * 1_000 - 100).astype(np.int64)  # …9.00
            level = cal.level[s, days]
            joins = rng.random() < 0.8
            cut = np.where(joins, np.array([0.0, 0.05, 0.12, 0.2])[level], 0.0)
            episodes = np.zeros(days.size)
            for _ in range(rng.poisson(days.size / 45)):
                st = int(rng.integers(0, days.size))
                episodes[st:st + int(rng.integers(2, 7))] = rng.uniform(0.08, 0.15)
            price = np.round(base * (1 - np.maximum(cut, episodes)) / 100).astype(np.int64) * 100
            promo_i = rng.integers(0, len(_PROMOS_SALE), days.size)
            daily_i = rng.integers(0, len(_PROMOS_DAILY), days.size)
            promo = [(_PROMOS_SALE[a] if lv >= 1 else (f"限时直降{int(round(base * e / 100))}元" if e > 0 else _PROMOS_DAILY[b]))
                     for a, b, lv, e in zip(promo_i, daily_i, level, episodes)]
            base_sales = 20_000 / (1 + j) ** 0.8 * rng.uniform(0.3, 1.5)
            season = _trailing_mean(cal.order_mult[s], 30)[days]
            sales = np.round(base_sales * season * np.exp(rng.normal(0, 0.05, days.size))).astype(np.int64)
            title = f"{comp[:2]}{cat.title[p][len('栖木'):]}"
            out["store"].append(np.full(days.size, s))
            out["item"].append(np.full(days.size, item_id, dtype=np.int64))
            out["day"].append(days)
            out["comp"] += [comp] * days.size
            out["product"].append(np.full(days.size, p))
            out["title"] += [title] * days.size
            out["price"].append(price)
            out["promo"] += promo
            out["sales"].append(sales)
    cc = lambda key: np.concatenate(out[key]) if out[key] else np.zeros(0, dtype=np.int64)  # noqa: E731
    return CompetitorRows(store=cc("store"), item_id=cc("item"), day=cc("day"), competitor=out["comp"],
                          product=cc("product"), title=out["title"], price=cc("price"), promo=out["promo"],
                          monthly_sales=cc("sales"))


def _trailing_mean(x: np.ndarray, window: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(x)])
    i = np.arange(1, x.size + 1)
    lo = np.maximum(i - window, 0)
    return (c[i] - c[lo]) / (i - lo)
