"""The demo's campaign truth: its model of the generator agrees with the generated files (pandas),
and computing it changes nothing the generator writes."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest

from shopops.demo.generator import generate
from shopops.demo.generator.calendar import build_calendar
from shopops.demo.generator.truth import campaign_truth, campaign_windows

END = dt.date(2025, 12, 20)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    out = tmp_path_factory.mktemp("truth")
    manifest = generate(out, days=365, scale="small", seed=5, end_date=END)
    frames = []
    for f in manifest.files:
        if f.profile_id == "shopops_orders":
            df = pd.read_csv(f.path, dtype=str, usecols=["付款时间", "实付金额"])
            df["store"] = f.store_id
            frames.append(df)
    o = pd.concat(frames)
    o = o[o["付款时间"].notna()].copy()
    o["day"] = pd.to_datetime(o["付款时间"]).dt.date
    o["amount"] = o["实付金额"].astype(float)
    return manifest, o


def _digest(manifest) -> str:
    h = hashlib.sha256()
    for f in manifest.files:
        h.update(f.path.read_bytes())
    return h.hexdigest()


def test_windows_are_the_generators_big_sales():
    names = [(w.name, w.first, w.last) for w in campaign_windows(dt.date(2025, 1, 1), END)]
    assert ("双11", dt.date(2025, 10, 15), dt.date(2025, 11, 13)) in names
    assert ("618", dt.date(2025, 5, 20), dt.date(2025, 6, 20)) in names
    assert all(n != "春节" for n, _, _ in names)


def test_counterfactual_calendar_only_differs_inside_the_window():
    start = END - dt.timedelta(days=364)
    cal, cf = build_calendar(start, END), build_calendar(start, END, without=("双11", 2025))
    differs = {cal.dates[i] for i in range(cal.days) if (cal.order_mult[:, i] != cf.order_mult[:, i]).any()}
    assert differs and min(differs) >= dt.date(2025, 10, 15) and max(differs) <= dt.date(2025, 11, 13)
    assert (cf.order_mult[:, (dt.date(2025, 11, 11) - start).days] < cal.order_mult[:, (dt.date(2025, 11, 11) - start).days]).all()


def test_truth_model_matches_the_files_and_changes_nothing(year, tmp_path):
    manifest, orders = year
    before = _digest(manifest)
    truth = campaign_truth(seed=5, end_date=END, days=365, scale="small")
    # the expected paid orders with the campaign ≈ what the files hold (Poisson noise: big sales only)
    for name in ("618", "双11"):
        rows = [t for t in truth if t.name == name]
        exp = sum(t.paid_orders_with_expected for t in rows)
        w = rows[0]
        n = ((orders["day"] >= w.first) & (orders["day"] <= w.last)).sum()
        assert abs(n / exp - 1) < 0.05, (name, n, exp)
        gmv = orders[(orders["day"] >= w.first) & (orders["day"] <= w.last)]["amount"].sum()
        assert abs(gmv / float(sum(t.gmv_with_expected for t in rows)) - 1) < 0.06
        # the sale adds orders: without it fewer are expected, never more
        assert all(t.paid_orders_without < t.paid_orders_with_expected for t in rows)
    again = generate(tmp_path / "again", days=365, scale="small", seed=5, end_date=END)
    assert _digest(again) == before
