"""The 复盘's incremental GMV against the demo generator's truth, for every big sale of the demo
year (年货节, 38节, 618, 99划算节, 双11, 双12) and the own shop's monthly 会员日, on seeds the baseline
was never tuned on.

Every seed of earlier rounds is development material now (7, 11, 23, 37, 101, 202, 303, 404, 505, 606,
808, 909, 4242; 2116, 8357, 7562, 8893, 8662; 2744, 2537, 6362, 9931, 7149; 375, 837, 5672, 7394, 9479).
The five seeds here are round 5's held-out seeds (drawn by the lead at 2026-12-05 16:44 UTC, written in
docs/campaigns.md before any result on them, looked at once before and once after that round's change,
never tuned on). The truth is the GMV the generated data holds in the window minus the generator's
expected GMV without the campaign (``demo.generator.truth``), computed from the generator's own
intensities and its exact expected order subtotal — it shares no code with the baseline. The
baseline is the one the 复盘 fits (``retro.series_baseline``) on the daily GMV of the five stores,
with the product mix the warehouse would hold (units and item GMV per store, day and product); a
会员日 (the own shop's) with the four platform stores as its control (``retro.control_series``).

Speed: the daily GMV comes from ``truth.daily_sales`` — the generator's people and order models on
the same random streams, without events, reviews or CSV files (~1 s a seed instead of ~40 s);
``test_daily_sales_equal_the_generated_files`` checks against the files of a real ``generate``
read back with pandas that it is the same GMV. The warehouse holding the files' GMV is the 复盘
page tests' business (``test_analytics_pages``).

The floors below are what the method reaches on these seeds (measured once, round 5) with a margin,
and no lower than the worst mean over the four development sets; the test prints every error
(docs/campaigns.md has the tables)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

HELD_OUT_SEEDS = (216, 241, 2775, 7226, 8812)  # round 5's held-out seeds
END = dt.date(2026, 2, 20)  # 年货节 2026 (01-18 … 02-04) and a year before it
DAYS = 430
SCALE = "eval"
KINDS = ("年货节", "38节", "618", "99划算节", "双11", "双12", "会员日")  # 会员日: the own shop's, one day each
STORES = ("tmall", "jd", "pdd", "douyin", "own")

pytestmark = pytest.mark.slow  # five generated years (orders only) and their truth: ~20 s CPU, more wall on the shared machine


def _plan(window, start, stores=STORES):
    from shopops.campaigns.baseline import DateRange
    from shopops.campaigns.retro import RetroPlan
    from shopops.core.festivals import chinese_new_year
    from shopops.demo.generator.truth import campaign_windows, member_days

    reach = dt.timedelta(days=400)
    others = [DateRange(x.first, x.last) for x in campaign_windows(start - reach, END + reach)
              if x.first != window.first]
    for year in range(start.year - 1, END.year + 2):  # the 春节 period, as the plan pages leave it out
        cny = chinese_new_year(year)
        others.append(DateRange(cny - dt.timedelta(days=10), cny + dt.timedelta(days=7)))
    # the own shop's 会员日 are the stores' own days of every plan (a 会员日 judged itself is its window)
    own = tuple(DateRange(d, d) for d in member_days(start, END)["own"] if not (d == window.first == window.last))
    return RetroPlan(stores=stores, window=window, other_campaigns=tuple(others), other_days=own)


def _measure(seed: int) -> dict[str, list[tuple[float, float, bool]]]:
    """{kind: [(incremental error, counterfactual error, interval covers the truth), …]} of one seed."""
    from shopops.campaigns.baseline import BUYER_MEMORY_DAYS, BuyerBase, DateRange, ProductMix
    from shopops.campaigns.retro import AFTER_DAYS, MIN_DAYS_BEFORE, control_series, series_baseline, series_interval
    from shopops.demo.generator.spec import STORE_IDS
    from shopops.demo.generator.truth import campaign_truth, daily_sales

    sales = daily_sales(seed=seed, end_date=END, days=DAYS, scale=SCALE, by_product=True)
    all_days = sales.days
    all_stores = sales.gmv.sum(axis=0)
    own_store = sales.gmv[STORE_IDS.index("own")]
    truth = campaign_truth(seed=seed, end_date=END, days=DAYS, scale=SCALE, member_days_too=True)
    out: dict[str, list[tuple[float, float, bool]]] = {}
    for name, first in sorted({(t.name, t.first) for t in truth}, key=lambda k: k[1]):
        member = name == "会员日"
        rows = [t for t in truth if t.name == name and t.first == first and (not member or t.store_id == "own")]
        series = own_store if member else all_stores
        w = DateRange(rows[0].first, rows[0].last)
        lo = max(sales.start, w.first - dt.timedelta(days=365))
        hi = min(END, w.last + dt.timedelta(days=AFTER_DAYS))  # as the 复盘 reads (retro_build)
        i0, i1 = (lo - sales.start).days, (hi - sales.start).days
        days, values = all_days[i0:i1 + 1], series[i0:i1 + 1]
        plan = _plan(w, sales.start, ("own",) if member else STORES)
        rows_s = [STORE_IDS.index("own")] if member else list(range(len(STORE_IDS)))
        mix = ProductMix(units=sales.units[rows_s, i0:i1 + 1], value=sales.item_gmv[rows_s, i0:i1 + 1])
        # the stores outside the plan (a 会员日: the four platform stores) as the 复盘 reads them
        control = control_series(plan, days, values, all_stores[i0:i1 + 1])
        # the new buyers per day as the warehouse counts them (first paid order in the store), those
        # before the series decayed into ``carried`` (retro.buyer_series)
        new = sales.new_buyers[rows_s].sum(axis=0)
        carried = float((new[:i0] * np.exp(-np.arange(i0 - 1, -1, -1) / BUYER_MEMORY_DAYS)).sum())
        buyers = BuyerBase(new_buyers=new[i0:i1 + 1], new_value=sales.new_gmv[rows_s].sum(axis=0)[i0:i1 + 1],
                           carried=carried, since=sales.start)
        try:
            b = series_baseline(plan, days, values, mix, control, buyers)
        except ValueError:  # fewer than 28 ordinary days: the 复盘 refuses it too
            continue
        if np.count_nonzero(b.fit_mask[:days.index(w.first)]) < MIN_DAYS_BEFORE:
            continue  # the 复盘 refuses it too (年货节 nine days into the data)
        in_w = slice(days.index(w.first), days.index(w.last) + 1)
        actual = float(values[in_w].sum())
        without = float(sum(t.gmv_without for t in rows))
        baseline = b.window_total(w)
        b_lo, b_hi = series_interval(plan, days, values, b)
        true_inc = actual - without
        out.setdefault(name, []).append((((actual - baseline) - true_inc) / true_inc, (baseline - without) / without,
                                         actual - b_hi <= true_inc <= actual - b_lo))
    return out


@pytest.fixture(scope="module")
def measured():
    out: dict[str, list[tuple[float, float, bool]]] = {k: [] for k in KINDS}
    for seed in HELD_OUT_SEEDS:
        for kind, rows in _measure(seed).items():
            out[kind].extend(rows)
    for kind, errs in out.items():
        inc = [e for e, _, _ in errs]
        cf = [c for _, c, _ in errs]
        print(f"{kind}: incremental {[f'{e:+.3f}' for e in inc]} mean |e| {np.mean(np.abs(inc)):.3f} "
              f"max {max(np.abs(inc)):.3f}; counterfactual {[f'{c:+.3f}' for c in cf]}; "
              f"interval covers {sum(ok for _, _, ok in errs)}/{len(errs)}")
    return out


def test_daily_sales_equal_the_generated_files(tmp_path):
    """``daily_sales`` (orders only, nothing written) is the GMV the generated files hold, by payment
    day and store — read back from the CSV files with pandas."""
    from shopops.demo.generator import generate
    from shopops.demo.generator.spec import STORE_IDS
    from shopops.demo.generator.truth import daily_sales

    end = dt.date(2025, 11, 20)
    manifest = generate(tmp_path, days=45, scale="small", seed=31, end_date=end)
    frames = [pd.read_csv(f.path, dtype=str, usecols=["买家ID", "付款时间", "实付金额"]).assign(store=f.store_id)
              for f in manifest.files if f.profile_id == "shopops_orders"]
    orders = pd.concat(frames)
    orders = orders[orders["付款时间"].notna()]
    orders["day"] = pd.to_datetime(orders["付款时间"]).dt.date
    orders["amount"] = orders["实付金额"].astype(float)
    by_day = orders.groupby(["store", "day"])["amount"].agg(["sum", "count"])
    sales = daily_sales(seed=31, end_date=end, days=45, scale="small", by_product=True)
    assert sales.start == manifest.start_date
    assert set(orders["day"]) <= set(sales.days)
    for s, store in enumerate(STORE_IDS):
        for i, day in enumerate(sales.days):
            gmv, n = by_day.loc[(store, day)] if (store, day) in by_day.index else (0.0, 0)
            assert sales.gmv[s, i] == pytest.approx(gmv, abs=0.005), (store, day)
            assert sales.orders[s, i] == n, (store, day)
    assert sales.gmv.sum() > 0
    # new buyers (the buyer base the 复盘 grows the level with): a customer's first paid order in the store,
    # counted on its payment day with its amount — the warehouse's customer_type "new"
    firsts = orders.assign(at=pd.to_datetime(orders["付款时间"])).sort_values("at").groupby(["store", "买家ID"]).head(1)
    new = firsts.groupby(["store", "day"])["amount"].agg(["sum", "count"])
    for s, store in enumerate(STORE_IDS):
        for i, day in enumerate(sales.days):
            gmv, n = new.loc[(store, day)] if (store, day) in new.index else (0.0, 0)
            assert sales.new_buyers[s, i] == n, (store, day)
            assert sales.new_gmv[s, i] == pytest.approx(gmv, abs=0.005), (store, day)
    assert 0 < sales.new_buyers.sum() < sales.orders.sum()
    # by product (the mix the 复盘 reads): units and item GMV of paid lines per store and day, and
    # each store's per-product totals as a multiset (the files name products by platform id)
    columns = ["商品ID", "购买数量", "实付金额", "付款时间"]
    frames = [pd.read_csv(f.path, dtype=str, usecols=columns).assign(store=f.store_id)
              for f in manifest.files if f.profile_id == "shopops_order_lines"]
    lines = pd.concat(frames)
    lines = lines[lines["付款时间"].notna()]
    lines["day"] = pd.to_datetime(lines["付款时间"]).dt.date
    lines["units"] = lines["购买数量"].astype(int)
    lines["paid"] = lines["实付金额"].astype(float)
    per_day = lines.groupby(["store", "day"])[["units", "paid"]].sum()
    for s, store in enumerate(STORE_IDS):
        for i, day in enumerate(sales.days):
            units, paid = per_day.loc[(store, day)] if (store, day) in per_day.index else (0, 0.0)
            assert sales.units[s, i].sum() == units, (store, day)
            assert sales.item_gmv[s, i].sum() == pytest.approx(paid, abs=0.01), (store, day)
        per_product = lines[lines["store"] == store].groupby("商品ID")["units"].sum()
        assert sorted(per_product.tolist()) == sorted(x for x in sales.units[s].sum(axis=0).tolist() if x > 0)
    assert sales.units.sum() > 0


def test_every_sale_of_the_year_is_measured_on_every_seed(measured):
    sales = {k: len(v) for k, v in measured.items() if k != "会员日"}
    assert sales == {k: len(HELD_OUT_SEEDS) for k in KINDS if k != "会员日"}
    assert len(measured["会员日"]) >= 6 * len(HELD_OUT_SEEDS)  # the 18th of the months outside big sales


def test_the_baseline_is_within_six_percent_of_the_true_counterfactual(measured):
    # a single 会员日 of one store is one noisy day: not held to this (measured on these seeds: at most 4.5 %)
    bad = {k: [round(c, 3) for _, c, _ in v if abs(c) > 0.06] for k, v in measured.items() if k != "会员日"}
    assert not any(bad.values()), bad


def test_incremental_gmv_floors_per_sale(measured):
    # what the method reaches on these seeds (round 5, docs/campaigns.md), mean / max |error|: 双11 3.9 / 7.4 %,
    # 618 8.6 / 18.7, 双12 12.9 / 19.4, 99划算节 7.2 / 15.1, 38节 7.0 / 11.6, 年货节 21.2 / 62.3, 会员日 6.0 / 19.8;
    # the worst mean of the development sets: 3.2, 5.2, 7.8, 5.2, 7.4, 19.8, 5.3 %. Floors: these with a margin
    # round 6 (the buyer base, docs/campaigns.md): 双11 1.6 / 5.0 %, 618 6.2 / 14.9, 双12 8.6 / 18.5, 99划算节
    # 7.2 / 11.5, 38节 7.0 / 11.6, 年货节 9.2 / 19.9, 会员日 6.0 / 19.8; the mean over the 22 development seeds of
    # round 6: 1.6, 3.8, 6.5, 5.3, 5.8, 14.8, 5.1 %. Floors: the larger of the two means and the max, with a margin
    # round 7 (pooled month steps, guard days judged by the data, docs/campaigns.md): on these seeds 双11 2.6 / 7.4 %,
    # 618 5.5 / 16.5, 双12 6.3 / 9.1, 99划算节 7.7 / 11.7, 38节 7.4 / 15.1, 年货节 8.5 / 19.8; the mean over the 27
    # development seeds of round 7: 1.7, 3.6, 4.2, 4.8, 5.8, 13.8, 4.3 % — 双12 and 年货节 tightened
    floors = {"双11": (0.05, 0.08), "618": (0.09, 0.20), "双12": (0.09, 0.13), "99划算节": (0.10, 0.15),
              "38节": (0.10, 0.17), "年货节": (0.16, 0.25), "会员日": (0.08, 0.25)}
    for kind, (mean_floor, max_floor) in floors.items():
        errs = [abs(e) for e, _, _ in measured[kind]]
        assert float(np.mean(errs)) <= mean_floor and max(errs) <= max_floor, (kind, measured[kind])


def test_the_interval_covers_the_true_increment(measured):
    # a ~90 % interval: over the big sales of all seeds at least 80 % covered (measured 25 of 30 in round 5,
    # 28 of 30 in round 6), and the 会员日 too (40 of 40)
    sales = [ok for k, v in measured.items() if k != "会员日" for _, _, ok in v]
    members = [ok for _, _, ok in measured["会员日"]]
    assert sum(sales) >= 0.8 * len(sales), measured
    assert sum(members) >= 0.8 * len(members), measured["会员日"]
