"""The 复盘's incremental GMV against the demo generator's truth, for every big sale of the demo
year (年货节, 38节, 618, 99划算节, 双11, 双12) and the own shop's monthly 会员日, on seeds the baseline
was never tuned on.

The method was developed on seeds 7, 11, 23, 37 (and earlier 101, 202, 303, 404, 505, 606); the
seeds here are held out. The truth is the GMV the generated files hold in the window minus the
generator's expected GMV without the campaign (``demo.generator.truth``), computed from the
generator's own intensities — it shares no code with the baseline. The baseline is the one the
复盘 fits (``retro.series_baseline``) on the daily GMV of the five stores read from the generated
order files with pandas; that the warehouse holds the same GMV after the real ingest is the 复盘
page tests' business (``test_analytics_pages``), so no warehouse is loaded here.

What the baseline reaches on the development seeds (docs/campaigns.md, "Measured"): within ±5 %
of the true counterfactual for every sale and seed; as a share of the *incremental* GMV (the
issue's ±10 % goal) mean |error| under 10 % for 双11 and 618, and not for the small-lift sales
(their lift is 7–20 % of the window, so 1 % off the counterfactual is 5–15 % off the incremental).
The floors below hold what was reached there; the test prints every error."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

HELD_OUT_SEEDS = (808, 909, 4242)
END = dt.date(2026, 2, 20)  # 年货节 2026 (01-18 … 02-04) and a year before it
DAYS = 430
SCALE = "eval"
KINDS = ("年货节", "38节", "618", "99划算节", "双11", "双12", "会员日")  # 会员日: the own shop's, one day each

pytestmark = pytest.mark.slow  # three generated years at the eval scale: ~1.5–3 min on the shared machine


def _plan(window, start, stores=("tmall", "jd", "pdd", "douyin", "own")):
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
    own = tuple(DateRange(d, d) for d in member_days(start, END)["own"] if d != window.first)
    return RetroPlan(stores=stores, window=window, other_campaigns=tuple(others), other_days=own)


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """{kind: [(incremental error, counterfactual error), …]} over the held-out seeds."""
    from shopops.campaigns.baseline import DateRange
    from shopops.campaigns.retro import MIN_DAYS_BEFORE, series_baseline
    from shopops.demo.generator import generate
    from shopops.demo.generator.truth import campaign_truth

    out: dict[str, list[tuple[float, float]]] = {k: [] for k in KINDS}
    for seed in HELD_OUT_SEEDS:
        manifest = generate(tmp_path_factory.mktemp(f"retro-{seed}"), days=DAYS, scale=SCALE, seed=seed, end_date=END)
        frames = [pd.read_csv(f.path, dtype=str, usecols=["付款时间", "实付金额"]).assign(store=f.store_id)
                  for f in manifest.files if f.profile_id == "shopops_orders"]
        orders = pd.concat(frames)
        orders = orders[orders["付款时间"].notna()]
        orders["day"] = pd.to_datetime(orders["付款时间"]).dt.date
        orders["amount"] = orders["实付金额"].astype(float)
        all_stores = orders.groupby("day")["amount"].sum()
        own_store = orders[orders["store"] == "own"].groupby("day")["amount"].sum()
        truth = campaign_truth(seed=seed, end_date=END, days=DAYS, scale=SCALE, member_days_too=True)
        for name, first in sorted({(t.name, t.first) for t in truth}, key=lambda k: k[1]):
            member = name == "会员日"
            rows = [t for t in truth if t.name == name and t.first == first and (not member or t.store_id == "own")]
            daily = own_store if member else all_stores
            w = DateRange(rows[0].first, rows[0].last)
            lo = max(manifest.start_date, w.first - dt.timedelta(days=365))
            hi = min(END, w.last + dt.timedelta(days=63))
            days = [lo + dt.timedelta(days=i) for i in range((hi - lo).days + 1)]
            values = np.array([float(daily.get(d, 0.0)) for d in days])
            try:
                plan = _plan(w, manifest.start_date, ("own",)) if member else _plan(w, manifest.start_date)
                b = series_baseline(plan, days, values)
            except ValueError:  # fewer than 28 ordinary days: the 复盘 refuses it too
                continue
            if np.count_nonzero(b.fit_mask[:days.index(w.first)]) < MIN_DAYS_BEFORE:
                continue  # the 复盘 refuses it too (年货节 nine days into the data)
            actual = float(sum(daily.get(d, 0.0) for d in w.days()))
            without = float(sum(t.gmv_without for t in rows))
            baseline = b.window_total(w)
            out[name].append((((actual - baseline) - (actual - without)) / (actual - without),
                              (baseline - without) / without))
    for kind, errs in out.items():
        inc = [e for e, _ in errs]
        cf = [c for _, c in errs]
        print(f"{kind}: incremental {[f'{e:+.3f}' for e in inc]} mean |e| {np.mean(np.abs(inc)):.3f} "
              f"max {max(np.abs(inc)):.3f}; counterfactual {[f'{c:+.3f}' for c in cf]}")
    return out


def test_every_sale_of_the_year_is_measured_on_every_seed(measured):
    sales = {k: len(v) for k, v in measured.items() if k != "会员日"}
    assert sales == {k: len(HELD_OUT_SEEDS) for k in KINDS if k != "会员日"}
    assert len(measured["会员日"]) >= 6 * len(HELD_OUT_SEEDS)  # the 18th of the months outside big sales


def test_the_baseline_is_within_five_percent_of_the_true_counterfactual(measured):
    # a single 会员日 of one store is one noisy day: not held to this
    bad = {k: [round(c, 3) for _, c in v if abs(c) > 0.05] for k, v in measured.items() if k != "会员日"}
    assert not any(bad.values()), bad


def test_incremental_gmv_of_the_big_sales_within_ten_percent_on_average(measured):
    for kind in ("双11", "618"):
        errs = [abs(e) for e, _ in measured[kind]]
        assert float(np.mean(errs)) <= 0.10 and max(errs) <= 0.20, (kind, measured[kind])


def test_incremental_gmv_of_the_small_lift_sales_floors(measured):
    # what the method reaches where the lift is small (docs/campaigns.md): mean |error| per kind
    floors = {"38节": 0.15, "99划算节": 0.25, "双12": 0.30, "年货节": 0.30, "会员日": 0.20}
    for kind, floor in floors.items():
        mean = float(np.mean([abs(e) for e, _ in measured[kind]]))
        assert mean <= floor, (kind, round(mean, 3), measured[kind])
