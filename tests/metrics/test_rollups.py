"""The daily rollups give the raw path's numbers, on DuckDB, PostgreSQL and Spark.

Two parts:

* **Parity** over the shared little store (``support.kpi_store``): every KPI a rollup covers, and
  every KPI derived only from covered ones, by day, week and period, by store, product, category
  and platform, with store and product filters — the rollup answer equals the raw answer (and the
  raw path equals the pandas oracle in ``test_parity.py``). Each case also checks that the rollup
  was read (or, where it cannot be exact, that it was not).
* **Maintenance** on a hand-made store whose numbers are counted by hand: a re-import that changes
  one day (a line's amount, an order moved to another paid day), a refund arriving days later for
  an older order (it changes the order's paid day: refunds are dated by their order's paid date in
  the catalog), a late order for lines already loaded, and the touched partitions are only those.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from shopops.core.periods import Grain, Period
from shopops.metrics.catalog import CATALOG, measures_needed
from shopops.metrics.rollups import COVERED, rollup_reads
from shopops.metrics.runners import Filter, KpiQuery, run_query
from shopops.warehouse import rollups as wrollups
from shopops.warehouse.loader import load

from support.kpi_store import DAYS, START, build, load_into

FRAMES = build(seed=5)
PERIOD = Period(START + dt.timedelta(days=2), START + dt.timedelta(days=DAYS - 3))
DAY = Period(START + dt.timedelta(days=5), START + dt.timedelta(days=5))

PRODUCT_KPIS = tuple(k for k, c in COVERED.items() if c.rollup == "product_daily")
STORE_KPIS = tuple(k for k, c in COVERED.items() if c.rollup == "store_daily")
# derived KPIs whose every base part a rollup covers
DERIVED = tuple(k for k in CATALOG if not CATALOG[k].is_base and set(measures_needed([k])) <= set(COVERED))
ADDITIVE_PRODUCT = tuple(k for k in PRODUCT_KPIS if not COVERED[k].per_day)
ADDITIVE_STORE = tuple(k for k in STORE_KPIS if not COVERED[k].per_day)


@pytest.fixture(scope="module")
def con(module_warehouse):
    load_into(module_warehouse, FRAMES)
    return module_warehouse


def both(q: KpiQuery, con):
    """(rollup answer, raw answer, whether the rollup was read)."""
    with rollup_reads(True):
        fast = run_query(q, con=con, cache=False, capture_sql=True)
    with rollup_reads(False):
        raw = run_query(q, con=con, cache=False, capture_sql=True)
    used = any("product_daily" in s or "store_daily" in s for s in fast.sql.values())
    assert not any("product_daily" in s or "store_daily" in s for s in raw.sql.values())
    return fast.rows, raw.rows, used


CASES = {
    # name: (kpis, query kwargs, whether the rollup answers at least one of them)
    "product_day": (PRODUCT_KPIS, dict(grain=Grain.DAY, by=("store_id", "product_id")), True),
    "product_day_all_stores": (PRODUCT_KPIS, dict(grain=Grain.DAY, by=("product_id",)), True),
    "product_period": (ADDITIVE_PRODUCT, dict(by=("store_id", "product_id")), True),
    "category_week": (ADDITIVE_PRODUCT, dict(grain=Grain.WEEK, by=("category",)), True),
    "platform_filter": (ADDITIVE_PRODUCT, dict(by=("product_id",), filters=(Filter("platform", ("tmall",)),)), True),
    "product_filter_excluded": (ADDITIVE_PRODUCT, dict(grain=Grain.DAY, by=("store_id",),
                                                       filters=(Filter("product_id", ("P01", "P02"), exclude=True),)), True),
    "one_store_total": (ADDITIVE_PRODUCT + ADDITIVE_STORE, dict(stores=("jd",)), True),
    "store_day": (STORE_KPIS, dict(grain=Grain.DAY, by=("store_id",)), True),
    "platform_day": (STORE_KPIS, dict(grain=Grain.DAY, by=("platform",)), True),
    "store_month": (ADDITIVE_STORE, dict(grain=Grain.MONTH, by=("store_id",)), True),
    "derived_by_store_day": (DERIVED, dict(grain=Grain.DAY, by=("store_id",)), True),
    "derived_total": (DERIVED, dict(), True),
    # not exact from a rollup: distinct buyers over a period, a dimension the rollup does not have
    "buyers_over_period": (("item_buyers", "paying_buyers"), dict(by=("store_id",)), False),
    "by_traffic_source": (("item_gmv", "gmv", "refund_amount"), dict(by=("traffic_source",)), False),
    "product_buyers_by_store_day": (("item_buyers",), dict(grain=Grain.DAY, by=("store_id",)), False),
}


# Spark runs a few cases only (each is a Spark job of several seconds): these cases of
# test_rollup_equals_raw, and the tests named in SPARK_TESTS
SPARK_CASES = ("product_day", "store_day", "derived_total", "by_traffic_source")
SPARK_TESTS = ("test_loads_keep_the_rollups_by_hand",)


@pytest.fixture(autouse=True)
def _few_on_spark(request: pytest.FixtureRequest) -> None:
    """Skips the other tests on Spark before their own fixtures run: the hand-made store's three loads
    (``small``) take 10–25 s there, wasted on a test that skips in its body."""
    spec = getattr(request.node, "callspec", None)
    if spec is None or "spark" not in (spec.params.get("any_warehouse"), spec.params.get("module_warehouse")):
        return
    if spec.params.get("case") in SPARK_CASES or request.node.originalname in SPARK_TESTS:
        return
    pytest.skip("Spark: only the few cases in SPARK_CASES and the tests in SPARK_TESTS")


@pytest.mark.parametrize("case", list(CASES))
def test_rollup_equals_raw(con, case):
    kpis, kwargs, uses = CASES[case]
    period = DAY if case == "one_store_total" else PERIOD
    fast, raw, used = both(KpiQuery(tuple(kpis), period, **kwargs), con)
    assert used is uses
    assert len(raw) > 0
    assert fast == raw


def test_spot_values_by_hand(con):
    """Two numbers straight from the frames with pandas, not through the runner or the rollup."""
    o, li = FRAMES["orders"], FRAMES["order_lines"]
    paid = o[o.paid_date.notna() & ~o.status.isin(["pending_payment", "closed"])]
    day = START + dt.timedelta(days=7)
    j = li.drop(columns=["paid_date"]).merge(paid[["store_id", "order_id", "paid_date", "customer_id"]],
                                             on=["store_id", "order_id"])
    j = j[(j.paid_date == day) & (j.store_id == "tmall")]
    top = j.groupby("product_id").paid_amount.apply(lambda s: sum(s, Decimal("0"))).idxmax()
    rows = j[j.product_id == top]
    res = run_query(KpiQuery(("item_gmv", "units_sold", "item_buyers"), Period(day, day), grain=Grain.DAY,
                             by=("store_id", "product_id"), stores=("tmall",), filters=(Filter("product_id", (top,)),)),
                    con=con, cache=False)
    assert res.rows == [{"bucket": day, "store_id": "tmall", "product_id": top,
                         "item_gmv": sum(rows.paid_amount, Decimal("0")).quantize(Decimal("0.01")),
                         "units_sold": int(rows.quantity.sum()), "item_buyers": rows.customer_id.nunique()}]


# --- maintenance on a hand-made store --------------------------------------------------------------

D1, D2, D3, D9 = (dt.date(2026, 3, d) for d in (1, 2, 3, 9))
UTC = dt.UTC


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(4), UTC)  # noon in Shanghai: the same business date


def _orders(rows):
    return pa.Table.from_pylist([
        {"store_id": "s1", "order_id": oid, "customer_id": cust, "status": status, "created_at": _at(day),
         "paid_at": _at(day), "paid_date": day, "paid_amount": Decimal(amount)}
        for oid, cust, day, amount, status in rows])


def _lines(rows):
    return pa.Table.from_pylist([
        {"store_id": "s1", "order_id": oid, "line_no": n, "product_id": pid, "quantity": qty,
         "paid_amount": Decimal(amount), "paid_date": day}
        for oid, n, pid, qty, amount, day in rows])


def _refunds(rows):
    return pa.Table.from_pylist([
        {"store_id": "s1", "refund_id": rid, "order_id": oid, "refunded_at": _at(day), "refund_date": day,
         "amount": Decimal(amount), "status": "success"} for rid, oid, day, amount in rows])


def _rollup(con, name: str) -> dict:
    t = con.table(name).execute()
    keys = ["date", "product_id"] if name == "product_daily" else ["date"]
    out = {}
    for r in t.to_dict("records"):
        k = tuple(pd.Timestamp(r[c]).date() if c == "date" else r[c] for c in keys)
        out[k if len(k) > 1 else k[0]] = {c: r[c] for c in r if c not in ("store_id", *keys)}
    return out


@pytest.fixture
def small(any_warehouse):
    con = any_warehouse
    load(con, "stores", pa.Table.from_pylist([{"store_id": "s1", "platform": "own", "name": "s1", "currency": "CNY",
                                               "time_zone": "Asia/Shanghai"}]))
    load(con, "orders", _orders([("o1", "c1", D1, "30.00", "paid"), ("o2", "c2", D1, "12.50", "completed"),
                                 ("o3", "c1", D2, "40.00", "paid"), ("o4", "c3", D2, "9.00", "closed")]))
    load(con, "order_lines", _lines([("o1", 1, "A", 1, "10.00", D1), ("o1", 2, "B", 2, "20.00", D1),
                                     ("o2", 1, "A", 1, "12.50", D1), ("o3", 1, "A", 4, "40.00", D2),
                                     ("o4", 1, "B", 1, "9.00", D2)]))
    return con


def test_loads_keep_the_rollups_by_hand(small):
    con = small
    prod = _rollup(con, "product_daily")
    # by hand: D1 A = o1 line 1 (10.00) + o2 (12.50), buyers c1 c2; B = 20.00 ×2; D2 A = o3 only (o4 closed)
    assert prod[(D1, "A")]["item_gmv"] == Decimal("22.50") and prod[(D1, "A")]["item_buyers"] == 2
    assert prod[(D1, "B")]["units_sold"] == 2
    assert prod[(D2, "A")]["item_gmv"] == Decimal("40.00") and (D2, "B") not in prod
    store = _rollup(con, "store_daily")
    assert store[D1]["gmv"] == Decimal("42.50") and store[D1]["order_rows"] == 2 and store[D2]["order_rows"] == 1

    # a re-import that changes one day: o2's line is now 15.00, and o1 moves from D1 to D3
    load(con, "order_lines", _lines([("o2", 1, "A", 1, "15.00", D1)]))
    load(con, "orders", _orders([("o1", "c1", D3, "30.00", "paid"), ("o2", "c2", D1, "15.00", "completed")]))
    prod = _rollup(con, "product_daily")
    assert prod[(D1, "A")]["item_gmv"] == Decimal("15.00") and prod[(D1, "A")]["item_buyers"] == 1
    assert (D1, "B") not in prod  # B was only in o1, which left D1
    assert prod[(D3, "A")]["item_gmv"] == Decimal("10.00") and prod[(D3, "B")]["item_gmv"] == Decimal("20.00")
    store = _rollup(con, "store_daily")
    assert store[D1]["gmv"] == Decimal("15.00") and store[D3]["gmv"] == Decimal("30.00")

    # a refund arriving on D9 for o3 (paid D2): it changes D2, the order's paid day, not D9
    load(con, "refunds", _refunds([("r1", "o3", D9, "25.00")]))
    store = _rollup(con, "store_daily")
    assert store[D2]["refund_amount"] == Decimal("25.00") and store[D2]["refunded_orders"] == 1
    assert D9 not in store
    res = run_query(KpiQuery(("refund_amount", "net_sales"), Period(D2, D2)), con=con, cache=False)
    assert res.rows == [{"refund_amount": Decimal("25.00"), "net_sales": Decimal("15.00")}]

    # the closed order is paid after all (its line was loaded before): D2 gains B
    load(con, "orders", _orders([("o4", "c3", D2, "9.00", "paid")]))
    prod = _rollup(con, "product_daily")
    assert prod[(D2, "B")]["item_gmv"] == Decimal("9.00")

    # and every covered KPI by day agrees with the raw path after all that
    q = KpiQuery(tuple(COVERED), Period(D1, D9), grain=Grain.DAY, by=("store_id",))
    with rollup_reads(False):
        raw = run_query(q, con=con, cache=False).rows
    q2 = KpiQuery(PRODUCT_KPIS, Period(D1, D9), grain=Grain.DAY, by=("store_id", "product_id"))
    with rollup_reads(False):
        raw2 = run_query(q2, con=con, cache=False).rows
    assert run_query(q, con=con, cache=False).rows == raw
    assert run_query(q2, con=con, cache=False).rows == raw2


def test_only_touched_partitions_are_recomputed(small, monkeypatch):
    con = small
    seen = []
    real = wrollups._replace

    def spy(session, table, parts, **kw):
        seen.append((table.name, {s: set(d) for s, d in parts.items()}))
        return real(session, table, parts, **kw)

    monkeypatch.setattr(wrollups, "_replace", spy)
    load(con, "order_lines", _lines([("o3", 1, "A", 4, "44.00", D2)]))  # changes a D2 line
    assert seen == [("product_daily", {"s1": {D2}})]
    seen.clear()
    load(con, "order_lines", _lines([("o3", 1, "A", 4, "44.00", D2)]))  # the same again: nothing changes
    assert seen == []
    load(con, "refunds", _refunds([("r2", "o1", D9, "5.00")]))  # o1 was paid D1
    assert seen == [("store_daily", {"s1": {D1}})]


def test_a_load_recomputes_only_the_sources_its_table_feeds_with_a_full_recomputes_rows(small, monkeypatch):
    """A load of the traffic report, reviews, stock snapshots or refunds recomputes only that source of the
    touched days (not the paid lines, the costly join); the other sources' parts are kept from the stored
    rows. By hand, and equal to a full recompute (``rebuild``) after each step."""
    con = small
    seen = []
    real = wrollups._replace

    def spy(session, table, parts, sources=None):
        seen.append((table.name, sources))
        return real(session, table, parts, sources=sources)

    monkeypatch.setattr(wrollups, "_replace", spy)

    def rows(name):  # Arrow, not pandas: an empty sum stays None (pandas makes it NaN, never equal to itself)
        return sorted(con.table(name).to_pyarrow().to_pylist(), key=lambda r: (str(r["date"]), r.get("product_id", "")))

    def same_as_full_recompute():
        kept = [rows("product_daily"), rows("store_daily")]
        wrollups.rebuild(con)
        assert [rows("product_daily"), rows("store_daily")] == kept
        return _rollup(con, "product_daily"), _rollup(con, "store_daily")

    traffic = [{"store_id": "s1", "date": D1, "product_id": pid, "traffic_source": src, "visitors": n}
               for pid, src, n in (("A", "search", 3), ("A", "ads", 2), ("C", "search", 7))]
    load(con, "traffic_daily", pa.Table.from_pylist(traffic))
    assert seen == [("product_daily", {"traffic"})]
    prod, _store = same_as_full_recompute()
    # by hand: A keeps its D1 sales (o1 line 1 + o2) and gains 5 visitors; C has traffic only
    assert prod[(D1, "A")]["item_gmv"] == Decimal("22.50") and prod[(D1, "A")]["visitor_days"] == 5
    assert prod[(D1, "A")]["traffic_rows"] == 2 and prod[(D1, "C")]["line_rows"] == 0
    assert prod[(D1, "C")]["visitor_days"] == 7 and pd.isna(prod[(D1, "C")]["item_gmv"])

    seen.clear()
    load(con, "traffic_daily", pa.Table.from_pylist([{**traffic[2], "visitors": 9}]))  # the report restated
    assert seen == [("product_daily", {"traffic"})]
    assert same_as_full_recompute()[0][(D1, "C")]["visitor_days"] == 9

    seen.clear()
    load(con, "reviews", pa.Table.from_pylist([
        {"store_id": "s1", "review_id": f"v{i}", "product_id": "A", "created_at": _at(D1), "review_date": D1,
         "rating": r} for i, r in enumerate((5, 1, None))]))
    load(con, "inventory_snapshots", pa.Table.from_pylist([{"store_id": "s1", "date": D2, "sku_id": "Z", "on_hand": 4}]))
    load(con, "refunds", _refunds([("r1", "o3", D9, "25.00")]))
    assert seen == [("product_daily", {"reviews"}), ("product_daily", {"stock"}), ("store_daily", {"refunds"})]
    prod, store = same_as_full_recompute()
    assert (prod[(D1, "A")]["review_rows"], prod[(D1, "A")]["positive_reviews"], prod[(D1, "A")]["bad_reviews"]) == (3, 1, 1)
    assert prod[(D1, "A")]["visitor_days"] == 5 and prod[(D2, "")]["stock_unit_days"] == 4
    assert store[D2]["refund_amount"] == Decimal("25.00") and store[D2]["gmv"] == Decimal("40.00")

    seen.clear()  # orders feed the paid lines and the store's orders and refunds: every source, as before
    load(con, "orders", _orders([("o3", "c1", D3, "40.00", "paid")]))  # o3 moves to D3 with its refund
    assert seen == [("product_daily", {"lines"}), ("store_daily", None)]
    prod, store = same_as_full_recompute()
    assert (D2, "A") not in prod and prod[(D3, "A")]["item_gmv"] == Decimal("40.00")
    assert D2 not in store and store[D3]["refund_amount"] == Decimal("25.00")


def test_sku_costs_and_stock_by_hand(small):
    """A SKU's cost changes the cost of goods of every day of its store; snapshots add up per product."""
    con = small
    load(con, "order_lines", _lines([("o1", 1, "A", 1, "10.00", D1)]).append_column(
        "sku_id", pa.array(["A-1"])))  # o1's line 1 is SKU A-1 (the others have no SKU: cost 0)
    load(con, "skus", pa.Table.from_pylist([{"store_id": "s1", "sku_id": "A-1", "product_id": "A", "cost": Decimal("4.00")},
                                            {"store_id": "s1", "sku_id": "A-2", "product_id": "A", "cost": None}]))
    assert _rollup(con, "product_daily")[(D1, "A")]["cogs"] == Decimal("4.00")
    load(con, "skus", pa.Table.from_pylist([{"store_id": "s1", "sku_id": "A-1", "product_id": "A", "cost": Decimal("6.50")}]))
    assert _rollup(con, "product_daily")[(D1, "A")]["cogs"] == Decimal("6.50")
    load(con, "inventory_snapshots", pa.Table.from_pylist([
        {"store_id": "s1", "date": D2, "sku_id": "A-1", "on_hand": 5}, {"store_id": "s1", "date": D2, "sku_id": "A-2", "on_hand": 7},
        {"store_id": "s1", "date": D2, "sku_id": "ZZ", "on_hand": 1}]))
    prod = _rollup(con, "product_daily")
    assert prod[(D2, "A")]["stock_unit_days"] == 12 and prod[(D2, "")]["stock_unit_days"] == 1
    q = KpiQuery(("cogs", "item_margin", "stock_unit_days", "days_of_inventory"), Period(D1, D3), by=("product_id",))
    with rollup_reads(False):
        raw = run_query(q, con=con, cache=False).rows
    assert run_query(q, con=con, cache=False).rows == raw


def test_rebuild_refills_after_writes_that_bypass_the_loader(small):
    con = small  # not on Spark: the parity fixture's load_into rebuilds there
    before = _rollup(con, "product_daily")
    wrollups.Session(con).execute('DELETE FROM "product_daily"')
    wrollups.rebuild(con, stores=["s1"])
    assert _rollup(con, "product_daily") == before


def test_a_load_of_many_days_is_refreshed_a_few_days_at_a_time_with_the_same_rows(small, monkeypatch):
    """A load touching many business days recomputes them in pieces (``REFRESH_CHUNK_DAYS``): every
    piece at most that many days, each day once, and the rollups as a one-statement rebuild has them."""
    con = small
    monkeypatch.setattr(wrollups, "REFRESH_CHUNK_DAYS", 2)
    seen = []
    real = wrollups._replace

    def spy(session, table, parts, **kw):
        seen.append((table.name, parts))
        return real(session, table, parts, **kw)

    monkeypatch.setattr(wrollups, "_replace", spy)
    days = [dt.date(2026, 4, d) for d in range(1, 8)]  # 7 days in one load of orders and one of lines

    def each_day_once_in_pieces_of_two(names):
        if con.name != "pyspark":  # Spark rewrites a rollup whole, once per load
            for name in names:
                pieces = [p["s1"] for n, p in seen if n == name]
                assert all(len(p) <= 2 for p in pieces) and sorted(d for p in pieces for d in p) == days, name
        seen.clear()

    load(con, "orders", _orders([(f"m{i}", f"c{i % 3}", d, f"{10 + i}.00", "paid") for i, d in enumerate(days)]))
    each_day_once_in_pieces_of_two(("product_daily", "store_daily"))
    load(con, "order_lines", _lines([(f"m{i}", 1, "A", 1, f"{10 + i}.00", d) for i, d in enumerate(days)]
                                    + [(f"m{i}", 2, "B", 2, "3.00", d) for i, d in enumerate(days)]))
    each_day_once_in_pieces_of_two(("product_daily",))
    monkeypatch.setattr(wrollups, "_replace", real)
    chunked = {n: _rollup(con, n) for n in ("product_daily", "store_daily")}
    # by hand: day i has order m<i> (paid 10+i) with line A (10+i) and line B (2 units, 3.00)
    assert chunked["product_daily"][(days[3], "A")]["item_gmv"] == Decimal("13.00")
    assert chunked["product_daily"][(days[3], "B")]["units_sold"] == 2
    assert chunked["store_daily"][days[6]]["gmv"] == Decimal("16.00")
    wrollups.rebuild(con, stores=["s1"])  # every partition in one statement
    assert {n: _rollup(con, n) for n in ("product_daily", "store_daily")} == chunked


# --- a dimension filter (runners and rollups alike: metrics.sources.keeps) -------------------------

FILTER_CASES = [(("a", "b"), False), (("", "a"), False), (("",), False), (("a",), True), (("", "a"), True),
                (("zz",), True), ((), False)]


@pytest.mark.parametrize("values,exclude", FILTER_CASES)
def test_a_filter_keeps_the_rows_of_coalesce_in(con, values, exclude):
    """``keeps`` (a bare ``IN``, so DuckDB uses a hash lookup) keeps exactly the rows ``COALESCE(col, '') [NOT]
    IN (…)`` keeps: a missing value reads as "", a stored "" too; the oracle is pandas on the same rows."""
    import ibis

    from shopops.metrics.sources import keeps

    rows = pd.DataFrame({"k": range(6), "p": [None, "", "a", "b", "c", None]})
    t = ibis.memtable(rows)
    got = sorted(con.execute(t.filter(keeps(t.p, Filter("product_id", values, exclude))).select("k")).k.tolist())
    hit = rows.p.fillna("").isin(values)
    want = sorted(rows[~hit if exclude else hit].k.tolist())
    assert got == want


def test_a_long_product_filter_is_a_bare_in_and_gives_the_oracle_numbers(con):
    """Insights filters by a store's ~1,000 judged products: the answer is the pandas sum over those products."""
    li, o = FRAMES["order_lines"], FRAMES["orders"]
    paid = o[o.paid_date.notna() & ~o.status.isin(["pending_payment", "closed"])]
    j = li.drop(columns=["paid_date"]).merge(paid[["store_id", "order_id", "paid_date"]], on=["store_id", "order_id"])
    j = j[(j.paid_date >= PERIOD.start) & (j.paid_date <= PERIOD.end)]
    chosen = sorted(j.product_id.dropna().unique())[::2]
    ids = tuple(chosen) + tuple(f"nope{k}" for k in range(300))
    want = j[j.product_id.isin(chosen)].groupby("product_id").paid_amount.apply(lambda s: sum(s, Decimal("0")))
    q = KpiQuery(("item_gmv",), PERIOD, by=("product_id",), filters=(Filter("product_id", ids),))
    fast, raw, _used = both(q, con)
    assert fast == raw
    assert {r["product_id"]: r["item_gmv"] for r in raw} == {p: v.quantize(Decimal("0.01")) for p, v in want.items()}


@pytest.mark.parametrize("rollups_on", [True, False])
def test_base_frame_is_the_result_rows_as_floats(con, rollups_on):
    """``base_frame`` (column-wise floats) equals ``run_query(q).to_frame()`` cell by cell, row order included,
    with the rollups and without (a product without events that day: 0 visitors, as the rows say)."""
    from shopops.metrics.runners import base_frame

    kpis = ("item_gmv", "units_sold", "item_buyers", "visitors", "visitor_days", "bad_reviews", "review_count")
    ids = tuple(sorted(FRAMES["order_lines"].product_id.dropna().unique())[:7]) + ("",)
    q = KpiQuery(kpis, PERIOD, grain=Grain.DAY, by=("store_id", "product_id"), filters=(Filter("product_id", ids),))
    with rollup_reads(rollups_on):
        rows = run_query(q, con=con, cache=False).to_frame()
        got = base_frame(q, con=con)
    assert len(rows) > 20 and rows.visitors.eq(0).any()
    want = rows.assign(**{k: [float(v) for v in rows[k]] for k in kpis})
    pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)
    assert all(got[k].dtype == "float64" for k in kpis)
    with pytest.raises(ValueError):
        base_frame(KpiQuery(("aov",), PERIOD, by=("store_id",)), con=con)


# --- the refresh's plan inside an import (DuckDB) ---------------------------------------------------

def _tables(node) -> set[str]:
    """The tables a DuckDB plan node (``EXPLAIN (FORMAT json)``) reads, itself and below."""
    table = node.get("extra_info", {}).get("Table", "")
    return ({table.rsplit(".", 1)[-1]} if table else set()) | {t for c in node["children"] for t in _tables(c)}


def _joins(node):
    if node["name"] == "HASH_JOIN":
        yield node
    for c in node["children"]:
        yield from _joins(c)


def test_the_lines_refresh_builds_on_the_paid_orders_not_on_the_lines_just_written(warehouse, monkeypatch):
    """DuckDB counts a table's rows from what is committed: inside the load that wrote them, order lines
    loaded into an empty table are estimated at ~0 rows, so a join with ``orders`` built its hash
    table on every line of the store, once per month of days (bench/README, 2026-12-06: 26 s of CPU
    for 4.1M lines instead of 6 s). The refresh joins the lines with the chunk's paid orders set aside
    in the same transaction: the lines are the probe side, and the rows are the same."""
    import json

    from shopops.warehouse.backends.sql import Session

    con = warehouse
    day = dt.date(2026, 4, 1)
    load(con, "orders", _orders([(f"o{i}", f"c{i % 50}", day, "10.00", "paid") for i in range(400)]))
    plans = []
    original = Session.execute

    def spy(self, sql):
        if "_paid_orders_" in sql and "order_lines" in sql and not sql.startswith("DROP"):
            plans.append(json.loads(original(self, f"EXPLAIN (FORMAT json) {sql}").fetchall()[0][1]))
        return original(self, sql)

    monkeypatch.setattr(Session, "execute", spy)
    load(con, "order_lines", _lines([(f"o{i}", n, "A" if n == 1 else "B", 1, "5.00", day)
                                     for i in range(400) for n in (1, 2)]))
    monkeypatch.setattr(Session, "execute", original)
    assert plans, "the lines refresh did not join with the paid orders set aside"
    for plan in plans:
        joins = [j for j in _joins(plan[0]) if any(t.startswith("_paid_orders_") for t in _tables(j))
                 and "order_lines" in _tables(j)]
        assert joins
        for j in joins:
            probe, build = j["children"]
            assert "order_lines" in _tables(probe) and "order_lines" not in _tables(build), j
    # by hand: 400 paid orders of customers c0..c49, each with a line of A and one of B at 5.00
    rows = _rollup(con, "product_daily")
    assert rows[(day, "A")]["item_gmv"] == rows[(day, "B")]["item_gmv"] == Decimal("2000.00")
    assert rows[(day, "A")]["item_buyers"] == 50 and rows[(day, "A")]["line_rows"] == 400
