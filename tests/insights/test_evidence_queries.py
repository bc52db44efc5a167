"""The evidence reads no KPI covers (review texts, competitor prices, stock by product) give
the same rows on every warehouse engine as pandas over the same hand-made frames."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from shopops.insights import queries
from support.kpi_store import START, build, load_into

FIRST, LAST = START + dt.timedelta(days=3), START + dt.timedelta(days=9)


def _competitors() -> pd.DataFrame:
    rows = []
    for d in range(0, 12):
        for product, base in (("P01", 199), ("P02", 89)):
            rows.append({"store_id": "tmall", "competitor_item_id": f"C-{product}", "date": START + dt.timedelta(days=d),
                         "competitor": "森屿女装旗舰店", "product_id": product, "title": f"对标{product}",
                         "price": Decimal(base - (30 if d == 8 and product == "P01" else 0)), "promo_text": "",
                         "monthly_sales": 100})
    return pd.DataFrame(rows)


@pytest.mark.slow
def test_evidence_reads_equal_pandas(any_warehouse):
    con = any_warehouse
    frames = build()
    frames["competitor_snapshots"] = _competitors()
    load_into(con, frames)
    products = ["P01", "P02", "P05"]

    got = queries.bad_review_texts("tmall", products, FIRST, LAST, con=con)
    r = frames["reviews"]
    want = r[(r.store_id == "tmall") & r.product_id.isin(products) & (r.rating <= 2)
             & (r.review_date >= FIRST) & (r.review_date <= LAST)]
    assert sorted(zip(got.product_id, got.review_date)) == sorted(zip(want.product_id, want.review_date))
    assert len(want) > 0

    got = queries.competitor_prices("tmall", products, FIRST, LAST, con=con)
    c = frames["competitor_snapshots"]
    want = c[(c.date >= FIRST) & (c.date <= LAST)]
    assert sorted(zip(got.product_id, got.date, got.price.map(Decimal))) == \
        sorted(zip(want.product_id, want.date, want.price))

    got = queries.stock_by_product("jd", products, FIRST, LAST, con=con)
    s = frames["inventory_snapshots"].merge(frames["skus"][["store_id", "sku_id", "product_id"]], on=["store_id", "sku_id"])
    s = s[(s.store_id == "jd") & s.product_id.isin(products) & (s.date >= FIRST) & (s.date <= LAST)]
    want = s.groupby(["product_id", "date"], as_index=False).on_hand.sum()
    assert sorted(zip(got.product_id, got.date, got.on_hand.astype(int))) == \
        sorted(zip(want.product_id, want.date, want.on_hand.astype(int)))
    assert len(want) > 0


def test_each_store_is_read_in_its_own_kou_jing(warehouse):
    """Issue 19: a platform store's visitors come from its reports, an own-site store's from its events.
    The parity store with jd turned into an own-site store; expected values are pandas over its frames."""
    from shopops.core.periods import Period

    con = warehouse
    frames = build()
    frames["stores"].loc[frames["stores"].store_id == "jd", "platform"] = "own"
    load_into(con, frames)
    period = Period(FIRST, LAST)
    shop, ev, tr = frames["shop_traffic_daily"], frames["events"], frames["traffic_daily"]
    ev = ev[(ev.event_date >= FIRST) & (ev.event_date <= LAST)]
    tr = tr[(tr.date >= FIRST) & (tr.date <= LAST)]

    got = queries.store_daily(period, ("visitors", "conversion_rate", "page_views"), con=con)
    tmall = got[got.store_id == "tmall"].set_index("bucket")
    want = shop[(shop.store_id == "tmall") & (shop.date >= FIRST) & (shop.date <= LAST)].set_index("date")
    assert len(want) > 3
    for day, w in want.iterrows():
        assert tmall.loc[day, "visitors"] == w.visitors  # the whole-store daily report
        assert tmall.loc[day, "conversion_rate"] == pytest.approx(w.buyers / w.visitors)
    assert tmall.page_views.isna().all() and tmall.tracked_visitors.isna().all()  # no event stream
    jd = got[got.store_id == "jd"].set_index("bucket")
    per_day = ev[ev.store_id == "jd"].groupby("event_date").visitor_id.nunique()
    assert len(per_day) > 3
    for day, n in per_day.items():
        assert jd.loc[day, "visitors"] == n == jd.loc[day, "tracked_visitors"]

    got = queries.product_daily(period, {"tmall": ["P01"], "jd": ["P01"]}, con=con)
    p = got[got.store_id == "tmall"].set_index("bucket")["visitors"]
    want = tr[(tr.store_id == "tmall") & (tr.product_id == "P01")].groupby("date").visitors.sum()
    assert len(want) > 3 and all(p[d] == v for d, v in want.items())  # its product report, over the sources
    p = got[got.store_id == "jd"].set_index("bucket")["visitors"]
    want = ev[(ev.store_id == "jd") & (ev.product_id == "P01")].groupby("event_date").visitor_id.nunique()
    assert len(want) > 3 and all(p[d] == v for d, v in want.items())

    got = queries.breakdown_daily(period, ("gmv", "visitors", "paying_buyers"), "traffic_source", "tmall", con=con)
    by_source = got.groupby("traffic_source").visitors.sum()
    want = tr[tr.store_id == "tmall"].groupby("traffic_source").visitors.sum()
    assert {k: by_source[k] for k in want.index} == want.to_dict()


@pytest.mark.slow
def test_checkout_prices_by_the_day_an_order_was_placed_equal_pandas(any_warehouse):
    """``placed_prices``: units and Σ unit price × units of the lines of orders placed (paid or not) on each
    business day (UTC+8) of the window, against pandas over the same frames — orders placed just before and
    after a local midnight included (the window's edges are instants, compared as instants)."""
    con = any_warehouse
    frames = build()
    o = frames["orders"].copy()
    # move a few orders to the minutes around the window's local-midnight edges (UTC 16:00 the day before)
    edge = dt.datetime.combine(FIRST - dt.timedelta(days=1), dt.time(16), tzinfo=dt.UTC)
    for k, delta in enumerate((-1, 0, 1, 59)):
        o.loc[o.index[k], "created_at"] = edge + dt.timedelta(minutes=delta)
    frames["orders"] = o
    li = frames["order_lines"].copy()  # a checkout price on most lines (none on every fifth)
    li["unit_price"] = [None if k % 5 == 0 else Decimal(19 + k % 7) + Decimal("0.90") for k in range(len(li))]
    frames["order_lines"] = li
    load_into(con, frames)
    products = {"tmall": ["P01", "P02", "P03"], "jd": ["P01", "P04"]}
    got = queries.placed_prices(products, FIRST, LAST, con=con)

    placed = pd.to_datetime(o.created_at, utc=True) + pd.Timedelta(hours=8)
    oo = o.assign(date=placed.dt.date)[["store_id", "order_id", "date"]]
    li = li[li.unit_price.notna()].merge(oo, on=["store_id", "order_id"])
    li = li[(li.date >= FIRST) & (li.date <= LAST)]
    # the chosen stores' lines of any chosen id (the caller indexes each store's own products)
    li = li[li.store_id.isin(list(products)) & li.product_id.isin({p for ps in products.values() for p in ps})]
    want = {(r.store_id, r.product_id, r.date): (int(r.quantity), float(r.listed)) for r in
            li.assign(listed=[Decimal(u) * q for u, q in zip(li.unit_price, li.quantity)])
            .groupby(["store_id", "product_id", "date"], as_index=False)
            .agg(quantity=("quantity", "sum"), listed=("listed", lambda s: float(sum(s, Decimal(0))))).itertuples()}
    have = {(r.store_id, r.product_id, r.date): (int(r.units), float(r.listed)) for r in got.itertuples()}
    assert have == want
    assert len(want) > 5 and any(d == FIRST for (_s, _p, d) in want)
