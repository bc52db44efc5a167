"""Live pace against pandas over the generated files (independent of the metrics layer)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from shopops.campaigns.pacing import PacePlan, pace_build, project, target_curve

D = dt.date
ALL = ("tmall", "jd", "pdd", "douyin", "own")


def test_target_curve_and_projection_by_hand():
    curve, source = target_curve([1, 1, 2], 3)
    assert source == "last_year" and list(curve) == [0.25, 0.5, 1.0]
    curve, source = target_curve(None, 4)
    assert source == "flat" and list(curve) == [0.25, 0.5, 0.75, 1.0]
    # a shape of the wrong length (last year's window was shorter) falls back to flat
    assert target_curve([1, 2], 3)[1] == "flat"
    # last year's window began before the stores' first sale: those days are unknown, not ¥0 (the
    # demo's 双12 had a target of ¥0 on its first two days and a projected 322 %): an average day each
    curve, source = target_curve([0, 0, 10, 20, 30], 5)
    assert source == "last_year" and np.allclose(curve, [0.2, 0.4, 0.5, 0.7, 1.0])
    # 120 sold after half of the curve: projected to finish at 240
    assert project(120.0, np.array([0.25, 0.5, 1.0]), 2) == 240.0
    assert project(5.0, np.array([0.5, 1.0]), 0) is None
    with pytest.raises(ValueError, match="ends"):
        PacePlan(stores=ALL, first=D(2025, 11, 11), last=D(2025, 11, 1))


@pytest.mark.django_db
def test_pace_of_double11_equals_pandas_over_the_files(small_warehouse):
    manifest, orders = small_warehouse
    plan = PacePlan(stores=("tmall", "jd"), first=D(2025, 10, 15), last=D(2025, 11, 13),
                    target_gmv=Decimal("1500000"))
    pace = pace_build(plan, as_of=D(2025, 11, 11))
    mine = orders[orders["store"].isin(["tmall", "jd"])]
    inside = mine[(mine["day"] >= plan.first) & (mine["day"] <= D(2025, 11, 11))]
    assert pace.gmv == Decimal(str(round(inside["amount"].sum(), 2)))
    assert len(pace.days) == 28 and pace.days[-1].day == D(2025, 11, 11)
    by_day = inside.groupby("day")["amount"].sum()
    assert pace.days[-1].gmv == Decimal(str(round(by_day[D(2025, 11, 11)], 2)))
    assert pace.paying_buyers == inside[["store", "买家ID"]].drop_duplicates().shape[0]
    # no data a year earlier in this demo (it starts 2024-12-21): the curve is flat
    assert pace.shape_source == "flat"
    assert pace.days[-1].target_cum == Decimal("1400000.00")  # 28 of 30 days
    assert pace.projected_gmv == (pace.gmv * 30 / 28).quantize(Decimal("0.01"))
    # hours of 11-11 in store time, from the files' local payment times
    day = inside[inside["day"] == D(2025, 11, 11)]
    hours = pd.to_datetime(day["付款时间"]).dt.hour
    expected = day.groupby(hours)["amount"].sum().reindex(range(24), fill_value=0.0)
    assert np.allclose(pace.hours["gmv"].to_numpy(), expected.to_numpy(), atol=0.005)
    assert pace.hours["gmv"][0] > pace.hours["gmv"][4]  # 双11 opens at midnight
    assert pace.top_products and pace.top_products[0]["item_gmv"] >= pace.top_products[-1]["item_gmv"]
    tools = {c["ad_tool"] for c in pace.ad_by_channel}
    assert {"ztc", "jzt"} <= tools and "jlqc" not in tools  # Douyin's tool is not in these stores
