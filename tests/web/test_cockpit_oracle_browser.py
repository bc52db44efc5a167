"""Acceptance: the demo store goes through the real pipeline; the cockpit in Chromium shows
the numbers an independent pandas reading of the demo's export files gives.

The oracle reads the CSV files as an ops analyst would in Excel: Chinese headers, local
times as written, statuses as labelled. It shares no code with shopops.
"""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from shopops.demo.services import demo_build
from shopops.team.services import demo_users_create

END = dt.date(2026, 11, 12)
UNPAID = {"等待买家付款", "交易关闭"}


def read(root: Path, profile: str) -> pd.DataFrame:
    frames = []
    for path in sorted(root.glob(f"*/{profile}*.csv")):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame["店铺"] = path.parent.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def money(series) -> Decimal:
    return sum((Decimal(v) for v in series if v != ""), Decimal("0"))


def oracle(root: Path, start: dt.date, end: dt.date, stores=None) -> dict:
    def in_period(dates: pd.Series) -> pd.Series:
        return (dates >= start.isoformat()) & (dates <= end.isoformat())

    def scoped(frame):
        return frame[frame["店铺"].isin(stores)] if stores else frame

    orders = scoped(read(root, "shopops_orders"))
    paid = orders[(orders["付款时间"] != "") & ~orders["订单状态"].isin(UNPAID)]
    paid = paid[in_period(paid["付款时间"].str[:10])]
    gmv = money(paid["实付金额"])
    buyers = len(paid[["店铺", "买家ID"]].drop_duplicates())
    # visitors in each channel's own 口径: the own mini-program's events, the platform stores'
    # whole-store daily reports (shopops_shop_traffic_daily: a platform gives reports, not events)
    events = scoped(read(root, "shopops_events"))
    events = events[in_period(events["发生时间"].str[:10]) & (events["店铺"] == "own")]
    site_visitors = len(events[["店铺", "访客ID"]].drop_duplicates())
    reports = scoped(read(root, "shopops_shop_traffic_daily"))
    reports = reports[in_period(reports["日期"])]
    report_visitors = sum(int(v) for v in reports["访客数"])
    report_buyers = sum(int(v) for v in reports["支付买家数"])
    refunds = scoped(read(root, "shopops_refunds"))
    refunds = refunds[(refunds["退款状态"] == "退款成功")].merge(paid[["店铺", "订单编号"]], on=["店铺", "订单编号"])
    ads = scoped(read(root, "shopops_ad_spend_daily"))
    ads = ads[in_period(ads["日期"])]
    spend, ad_gmv = money(ads["花费"]), money(ads["成交金额"])
    if stores and "own" not in stores:  # platform stores only: the platform's figures
        visit = {"report_visitors": report_visitors, "report_conversion_rate": report_buyers / report_visitors}
    else:  # every store: each in its own 口径, added up
        visit = {"channel_visitors": site_visitors + report_visitors,
                 "channel_conversion_rate": buyers / (site_visitors + report_visitors)}
    return {
        "gmv": gmv,
        "paid_orders": len(paid),
        "paying_buyers": buyers,
        **visit,
        "aov": (gmv / buyers).quantize(Decimal("0.01")),
        "refund_rate": float(money(refunds["退款金额"]) / gmv),
        "ad_spend": spend,
        "roas": float(ad_gmv / spend),
    }


def tiles(page) -> dict:
    return {
        el.get_attribute("data-kpi"): el.get_attribute("data-value")
        for el in page.query_selector_all(".tile-value[data-kpi]")
    }


def assert_page_equals(shown: dict, want: dict) -> None:
    for kpi, value in want.items():
        if isinstance(value, float):
            assert float(shown[kpi]) == pytest.approx(value, rel=1e-9), kpi
        elif isinstance(value, Decimal):
            assert Decimal(shown[kpi]) == value, kpi
        else:
            assert int(shown[kpi]) == value, kpi


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_cockpit_tiles_equal_pandas_over_the_demo_export_files(live_server, browser_page, warehouse, settings, artifacts_dir):
    demo_build(days=45, scale="small", seed=11, end_date=END)
    # other tests build demos in the same var dir: take this one's files by name
    (root,) = (Path(settings.VAR_DIR) / "demo").glob(f"small-45d-seed11-{END.isoformat()}")
    demo_users_create()

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", "shopops-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    start = END - dt.timedelta(days=7)
    page.goto(f"{live_server.url}/?period=custom&start={start}&end={END - dt.timedelta(days=1)}")
    assert_page_equals(tiles(page), oracle(root, start, END - dt.timedelta(days=1)))
    page.screenshot(path=str(artifacts_dir / "cockpit-demo-zh.png"), full_page=True)

    # one store, the default "yesterday" (the last day with data), in English
    page.goto(f"{live_server.url}/?period=yesterday&store=jd")
    assert_page_equals(tiles(page), oracle(root, END, END, ["jd"]))
    page.click("text=English")
    page.wait_for_selector("text=Conversion rate")
    page.screenshot(path=str(artifacts_dir / "cockpit-demo-en.png"), full_page=True)
