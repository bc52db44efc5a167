"""The demo-store generator: deterministic files in the standard profiles, with the
business invariants checked independently (pandas over the written files)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from shopops.demo.generator import PROFILE_ORDER, SCALES, generate
from shopops.warehouse.schema import TABLES

END = dt.date(2026, 11, 22)
STORES = ["tmall", "jd", "pdd", "douyin", "own"]
# what each channel really provides (issue 19): only the own mini-program has an event stream;
# the platform stores give their reports (product traffic report + whole-store daily report)
EVENT_STORES = ["own"]
PLATFORM_STORES = ["tmall", "jd", "pdd", "douyin"]


def _profile(pid: str) -> dict:
    text = resources.files("shopops.ingest").joinpath("profiles", f"{pid}.toml").read_text("utf-8")
    return tomllib.loads(text)


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    """60 days ending 2026-11-22: includes 双11."""
    out = tmp_path_factory.mktemp("demo60")
    return out, generate(out, days=60, scale="small", seed=7, end_date=END)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo365")
    return out, generate(out, days=365, scale="small", seed=7, end_date=END)


def _csv(path: Path) -> pd.DataFrame:
    """Every column as text, empty fields as ''."""
    header = path.open(encoding="utf-8").readline().rstrip("\n").split(",")
    options = pacsv.ConvertOptions(column_types={h: pa.string() for h in header}, strings_can_be_null=False,
                                   quoted_strings_can_be_null=False)
    return pacsv.read_csv(path, convert_options=options).to_pandas()


def _read(root: Path, store: str, pid: str) -> pd.DataFrame:
    return _csv(root / store / f"{pid}.csv")


def _cents(col: pd.Series) -> pd.Series:
    assert col.str.fullmatch(r"\d+\.\d{2}").all(), col[~col.str.fullmatch(r"\d+\.\d{2}")].head()
    parts = col.str.split(".", expand=True)
    return parts[0].astype("int64") * 100 + parts[1].astype("int64")


def _digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.csv"))}


def test_same_arguments_give_identical_files(short, tmp_path):
    root, manifest = short
    again = generate(tmp_path, days=60, scale="small", seed=7, end_date=END)
    assert _digest(root) == _digest(tmp_path)
    assert [(f.profile_id, f.store_id, f.rows) for f in again.files] == \
           [(f.profile_id, f.store_id, f.rows) for f in manifest.files]


def test_another_seed_gives_other_data(short, tmp_path):
    root, _ = short
    generate(tmp_path, days=60, scale="small", seed=8, end_date=END)
    a = (root / "tmall" / "shopops_orders.csv").read_bytes()
    b = (tmp_path / "tmall" / "shopops_orders.csv").read_bytes()
    assert a != b


def test_manifest_lists_files_in_load_order_with_row_counts(short):
    root, m = short
    assert m.stores == STORES
    assert m.start_date == END - dt.timedelta(days=59) and m.end_date == END
    assert m.files[0].profile_id == "shopops_stores" and m.files[0].store_id is None
    order = [f.profile_id for f in m.files[1:]]
    assert order == sorted(order, key=PROFILE_ORDER.index)
    for f in m.files:
        with open(f.path, encoding="utf-8") as fh:
            assert sum(1 for _ in fh) - 1 == f.rows, f.path
    assert {f.profile_id for f in m.files} == {"shopops_stores", *PROFILE_ORDER}


def test_headers_are_the_profiles_columns(short):
    _, m = short
    for f in m.files:
        header = f.path.open(encoding="utf-8").readline().rstrip("\n").split(",")
        assert header == list(_profile(f.profile_id)["columns"]), f.path


def test_natural_keys_are_unique(short):
    root, m = short
    for f in m.files:
        prof = _profile(f.profile_id)
        to_header = {spec["to"]: h for h, spec in prof["columns"].items()}
        key = [to_header[k] for k in TABLES[prof["table"]].key if k != "store_id" or f.store_id is None]
        df = _csv(f.path)
        assert not df.duplicated(key).any(), (f.path, key)


def test_value_formats(short):
    root, _ = short
    o = _read(root, "tmall", "shopops_orders")
    stamp = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"
    assert o["下单时间"].str.fullmatch(stamp).all()
    assert o["付款时间"].str.fullmatch(f"({stamp})?").all()
    assert set(o["是否预售"]) <= {"是", "否"}
    assert set(o["订单状态"]) <= set(_profile("shopops_orders")["status"])
    assert set(o["流量来源"]) <= {"search", "ads", "feed", "live", "social", "direct", "other"}
    for col in ("商品总金额", "优惠金额", "平台优惠", "运费", "实付金额"):
        _cents(o[col])
    c = _read(root, "jd", "shopops_customers")
    assert c["手机号"].str.fullmatch(r"1[3-9]\d{9}").all()
    assert set(c["性别"]) <= set(_profile("shopops_customers")["status"])
    r = _read(root, "douyin", "shopops_refunds")
    assert set(r["退款状态"]) <= set(_profile("shopops_refunds")["status"])
    p = _read(root, "pdd", "shopops_products")
    assert set(p["状态"]) <= set(_profile("shopops_products")["status"])
    t = _read(root, "own", "shopops_traffic_daily")
    assert t["日期"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


@pytest.mark.parametrize("store", STORES)
def test_order_amounts_add_up(short, store):
    root, _ = short
    o = _read(root, store, "shopops_orders")
    lines = _read(root, store, "shopops_order_lines")
    paid, goods = _cents(o["实付金额"]), _cents(o["商品总金额"])
    discount, platform = _cents(o["优惠金额"]), _cents(o["平台优惠"])
    assert (goods - discount == paid).all()
    assert (platform <= discount).all() and (paid > 0).all()
    line_paid = _cents(lines["实付金额"])
    assert (line_paid == _cents(lines["商品单价"]) * lines["购买数量"].astype(int) - _cents(lines["分摊优惠"])).all()
    by_order = line_paid.groupby(lines["订单编号"]).sum()
    assert by_order.reindex(o["订单编号"]).tolist() == paid.tolist()
    # paid within minutes of creation (presale balances are paid on the big day)
    created = pd.to_datetime(o["下单时间"])
    paid_at = pd.to_datetime(o["付款时间"].replace("", None))
    normal = o["是否预售"] == "否"
    wait = (paid_at - created)[normal & paid_at.notna()]
    assert wait.min() >= pd.Timedelta(0) and wait.max() <= pd.Timedelta(minutes=20)


@pytest.mark.parametrize("store", STORES)
def test_refunds_never_exceed_what_was_paid(short, store):
    root, _ = short
    o = _read(root, store, "shopops_orders").set_index("订单编号")
    r = _read(root, store, "shopops_refunds")
    assert r["订单编号"].isin(o.index).all()
    ok = r[r["退款状态"] == "退款成功"]
    refunded = _cents(ok["退款金额"]).groupby(ok["订单编号"]).sum()
    assert (refunded <= _cents(o["实付金额"]).reindex(refunded.index)).all()
    assert (o.loc[r["订单编号"], "付款时间"] != "").all()
    done = ok["退款完成时间"]
    assert (pd.to_datetime(done).values > pd.to_datetime(o.loc[ok["订单编号"], "付款时间"]).values).all()
    whole = ok[ok["行号"] == ""]["订单编号"]
    assert (o.loc[whole, "订单状态"] == "退款成功").all()
    assert set(o.index[o["订单状态"] == "退款成功"]) == set(whole)


def test_only_the_own_site_has_events_platform_stores_have_their_reports(short):
    root, m = short
    assert sorted({f.store_id for f in m.files if f.profile_id == "shopops_events"}) == EVENT_STORES
    assert sorted({f.store_id for f in m.files if f.profile_id == "shopops_shop_traffic_daily"}) == sorted(PLATFORM_STORES)
    assert sorted({f.store_id for f in m.files if f.profile_id == "shopops_traffic_daily"}) == sorted(STORES)
    for store in PLATFORM_STORES:
        assert not list((root / store).glob("shopops_events*.csv"))
        daily = _read(root, store, "shopops_shop_traffic_daily")
        assert len(daily) == 60 and daily["日期"].is_unique


@pytest.mark.parametrize("store", EVENT_STORES)
def test_every_paid_order_has_a_purchase_event_by_its_buyer(short, store):
    root, _ = short
    o = _read(root, store, "shopops_orders")
    lines = _read(root, store, "shopops_order_lines")
    e = _read(root, store, "shopops_events")
    assert e["事件ID"].is_unique
    paid = o[o["付款时间"] != ""]
    purchases = e[e["事件类型"] == "purchase"]
    expected = (lines[lines["付款时间"] != ""].merge(paid[["订单编号", "买家ID"]], on="订单编号")
                [["买家ID", "付款时间", "商品ID"]].rename(columns={"付款时间": "发生时间"}))
    got = purchases[["买家ID", "发生时间", "商品ID"]]
    merged = expected.merge(got.drop_duplicates(), how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert len(got) == len(expected)
    # unpaid orders leave a checkout but no purchase
    assert (e["事件类型"] == "checkout").sum() >= len(o)


@pytest.mark.parametrize("store", EVENT_STORES)
def test_traffic_daily_agrees_with_the_events(short, store):
    root, _ = short
    e = _read(root, store, "shopops_events")
    t = _read(root, store, "shopops_traffic_daily")
    e = e[e["商品ID"] != ""].assign(日期=lambda d: d["发生时间"].str[:10])
    keys = ["日期", "商品ID", "流量来源"]
    oracle = pd.DataFrame({
        "访客数": e.groupby(keys)["访客ID"].nunique(),
        "浏览量": e[e["事件类型"] == "product_view"].groupby(keys).size(),
        "加购人数": e[e["事件类型"] == "add_to_cart"].groupby(keys)["访客ID"].nunique(),
        "支付买家数": e[e["事件类型"] == "purchase"].groupby(keys)["买家ID"].nunique(),
    }).fillna(0).astype("int64")
    got = t.set_index(keys)[list(oracle.columns)].astype("int64")
    assert len(got) == len(oracle)
    pd.testing.assert_frame_equal(got.sort_index(), oracle.sort_index(), check_names=False)


@pytest.mark.parametrize("store", STORES)
def test_traffic_daily_agrees_with_the_orders(short, store):
    """Every store's product traffic report against its orders (no events needed): 支付金额 = line
    amounts of orders paid that day, and 支付买家数 = distinct buyers of those lines, by product and the
    order's source; a product-day-source with buyers has at least as many visitors."""
    root, _ = short
    t = _read(root, store, "shopops_traffic_daily")
    keys = ["日期", "商品ID", "流量来源"]
    o = _read(root, store, "shopops_orders")
    lines = _read(root, store, "shopops_order_lines")
    lines = lines[lines["付款时间"] != ""].merge(o[["订单编号", "流量来源", "买家ID"]], on="订单编号")
    lines["日期"] = lines["付款时间"].str[:10]
    paid = _cents(lines["实付金额"]).groupby([lines[k] for k in keys]).sum()
    reported = _cents(t["支付金额"]).groupby([t[k] for k in keys]).sum()
    reported = reported[reported > 0]
    assert paid.sort_index().equals(reported.sort_index())
    buyers = lines.groupby(keys)["买家ID"].nunique()
    got = t.set_index(keys)["支付买家数"].astype("int64")
    got = got[got > 0]
    pd.testing.assert_series_equal(got.sort_index(), buyers.sort_index(), check_names=False)
    assert (t["访客数"].astype("int64") >= t["支付买家数"].astype("int64")).all()


def test_double_eleven_is_the_biggest_day(short):
    root, _ = short
    gmv = []
    for store in STORES:
        o = _read(root, store, "shopops_orders")
        o = o[o["付款时间"] != ""]
        gmv.append(_cents(o["实付金额"]).groupby(o["付款时间"].str[:10]).sum())
    daily = pd.concat(gmv).groupby(level=0).sum()
    assert daily.idxmax() == "2026-11-11"
    assert daily.max() > 3 * daily.median()


def test_year_has_promotions_seasonality_and_repeat_buyers(year):
    root, m = year
    assert m.start_date == dt.date(2025, 11, 23)
    orders = pd.concat([_read(root, s, "shopops_orders").assign(store=s) for s in STORES])
    paid = orders[orders["付款时间"] != ""].assign(day=lambda d: d["付款时间"].str[:10])
    assert 25_000 <= len(paid) <= 40_000
    per_buyer = paid.groupby(["store", "买家ID"]).size()
    assert 0.15 <= (per_buyer >= 2).mean() <= 0.45
    amount = _cents(paid["实付金额"])
    daily = amount.groupby(paid["day"]).sum()
    assert daily.idxmax() == "2026-11-11"
    ordinary_june = daily["2026-06-07":"2026-06-14"].median()
    assert daily["2026-06-18"] > 1.8 * ordinary_june  # 618
    assert daily["2026-02-16":"2026-02-18"].mean() < 0.6 * daily["2026-03-10":"2026-03-31"].median()  # 春节
    # discounts deepen on the big days
    rate = _cents(paid["优惠金额"]).groupby(paid["day"]).sum() / _cents(paid["商品总金额"]).groupby(paid["day"]).sum()
    assert rate["2026-11-11"] > 3 * rate["2026-05-11":"2026-05-15"].mean()
    assert _cents(paid["平台优惠"])[(paid["store"] == "tmall") & (paid["day"] == "2026-11-11")].sum() > 0
    # the same person in several stores: same phone, different customer ids
    customers = pd.concat([_read(root, s, "shopops_customers").assign(store=s) for s in STORES])
    stores_per_phone = customers.groupby("手机号")["store"].nunique()
    assert (stores_per_phone >= 2).mean() > 0.03
    assert not customers["买家ID"].duplicated().any()
    # refunds 5–10 % of paid orders; reviews mostly positive; ~20–30 % of completed orders reviewed
    refunds = pd.concat([_read(root, s, "shopops_refunds") for s in STORES])
    assert 0.04 <= refunds["订单编号"].nunique() / len(paid) <= 0.11
    reviews = pd.concat([_read(root, s, "shopops_reviews") for s in STORES])
    completed = (orders["订单状态"] == "交易成功").sum()
    assert 0.18 <= len(reviews) / completed <= 0.35
    assert (reviews["评分"].astype(int) >= 4).mean() > 0.75
    assert reviews["评价内容"].nunique() > 0.5 * len(reviews)
    negative = reviews["评分"].astype(int) <= 2
    after_refund = reviews["订单编号"].isin(refunds["订单编号"])
    assert negative[after_refund].mean() > 3 * negative[~after_refund].mean()


def test_small_scale_stays_small(year):
    _, m = year
    # only the own mini-program's events are written (~1.5M simulated for all five stores)
    assert 150_000 <= m.rows("shopops_events") <= 300_000
    assert 250 <= m.rows("shopops_products") / len(m.stores) <= 350
    assert 1_000 <= m.rows("shopops_skus") / len(m.stores) <= 1_400


def test_ads_have_diminishing_returns(year):
    root, _ = year
    ads = _read(root, "tmall", "shopops_ad_spend_daily")
    assert set(ads["推广工具"]) == {"ztc", "ylmf", "wxt"}
    plan = ads[ads["计划名称"] == ads["计划名称"].iloc[0]]
    cost, gmv = _cents(plan["花费"]).astype(float), _cents(plan["成交金额"]).astype(float)
    slope = np.polyfit(np.log(cost), np.log(gmv.clip(lower=1)), 1)[0]
    assert 0.4 < slope < 0.95
    assert not (root / "own" / "shopops_ad_spend_daily.csv").exists() or \
        len(_read(root, "own", "shopops_ad_spend_daily")) == 0


def test_large_tables_roll_over_into_part_files(tmp_path, monkeypatch):
    tiny = dataclasses.replace(SCALES["small"], name="tiny", new_persons_per_day=6.0, existing_persons=300,
                               browse_sessions_per_order=8.0, part_rows=500)
    monkeypatch.setitem(SCALES, "tiny", tiny)
    m = generate(tmp_path, days=62, scale="tiny", seed=3, end_date=END)
    parts = [f for f in m.files if f.profile_id == "shopops_events" and f.store_id == "own"]
    assert len(parts) >= 2
    assert [re.search(r"part-(\d{3})", f.path.name).group(1) for f in parts] == \
           [f"{i:03d}" for i in range(1, len(parts) + 1)]
    ids = pd.concat([_csv(f.path) for f in parts])["事件ID"]
    assert ids.is_unique and len(ids) == sum(f.rows for f in parts)


def test_ad_reports_carry_add_to_carts_where_the_tool_reports_them(short):
    """直通车/引力魔方/万相台/京准通 reports give 加购数 (at least the plan's orders, fewer than its
    clicks); 多多搜索 and 巨量千川 reports have none (empty)."""
    root, _ = short
    for store, tools in (("tmall", {"ztc", "ylmf", "wxt"}), ("jd", {"jzt"}), ("pdd", set()), ("douyin", set())):
        path = root / store / "shopops_ad_spend_daily.csv"
        if not path.exists():
            continue
        ads = _csv(path)
        reported = ads[ads["推广工具"].isin(tools)]
        assert (reported["加购数"] != "").all(), store
        carts = reported["加购数"].astype(int)
        assert (carts >= reported["成交笔数"].astype(int)).all() and (carts <= reported["点击量"].astype(int)).all()
        assert (ads.loc[~ads["推广工具"].isin(tools), "加购数"] == "").all(), store
        assert len(reported) > 0 or not tools, store
