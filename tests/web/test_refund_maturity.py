"""Refund KPIs on a matured basis (issue 19 item 4): the previous period at the same order
age, immature figures marked, a fall never called an improvement — metrics and cockpit.

The shop, counted by hand (one CNY store; the data's last day is 2025-11-30):

  current  2025-11-24..30: o1 11-25 100.00, o2 11-29 100.00; refund of o1 20.00 done 11-26
  previous 2025-11-17..23: p1 11-18 100.00, p2 11-20 100.00; refund of p1 50.00 done 11-19,
                           refund of p2 100.00 done 11-27 (after 11-23: not known at the same age)
  last paid order 11-30 (o3, 0.00 — a free sample, only to place the last day)

  refund rate now 20 / 200 = 10 %; previous as known today 150 / 200 = 75 %;
  previous at the same order age (refunds by 11-30 − 7 days = 11-23) 50 / 200 = 25 %
  -> change −60 %, immature (orders 0–6 days old < 30): not an improvement
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.core.periods import Period
from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

UTC = dt.UTC
WEEK = Period(dt.date(2025, 11, 24), dt.date(2025, 11, 30))


def _at(day: str, hour: int = 4) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=UTC)


@pytest.fixture
def shop(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "tmall", "platform": "tmall", "name": "天猫旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))

    def order(oid, day, amount):
        return {"store_id": "tmall", "order_id": oid, "customer_id": f"c-{oid}", "status": "paid",
                "created_at": _at(day), "paid_at": _at(day), "paid_date": dt.date.fromisoformat(day),
                "paid_amount": Decimal(amount)}

    load(warehouse, "orders", pa.Table.from_pylist([
        order("o1", "2025-11-25", "100.00"), order("o2", "2025-11-29", "100.00"), order("o3", "2025-11-30", "0.00"),
        order("p1", "2025-11-18", "100.00"), order("p2", "2025-11-20", "100.00")]))

    def refund(rid, oid, amount, day):
        return {"store_id": "tmall", "refund_id": rid, "order_id": oid, "amount": Decimal(amount), "status": "success",
                "requested_at": _at(day, 1), "refunded_at": _at(day), "refund_date": dt.date.fromisoformat(day)}

    load(warehouse, "refunds", pa.Table.from_pylist([
        refund("r1", "o1", "20.00", "2025-11-26"), refund("r2", "p1", "50.00", "2025-11-19"),
        refund("r3", "p2", "100.00", "2025-11-27")]))
    return warehouse


def test_the_previous_week_is_read_at_the_same_order_age(shop):
    from shopops.metrics.maturity import refund_comparisons

    got = refund_comparisons(kpis=("gmv", "refund_rate", "refund_amount"), period=WEEK, base=WEEK.previous(),
                             as_of=dt.date(2025, 11, 30), con=shop)
    assert set(got) == {("refund_rate", ""), ("refund_amount", "")}  # gmv does not mature
    rate = got[("refund_rate", "")]
    assert rate.known_by == dt.date(2025, 11, 23) and not rate.mature
    assert rate.current == pytest.approx(0.10) and rate.base == pytest.approx(0.25)
    assert rate.change == pytest.approx(-0.6)
    assert got[("refund_amount", "")].base == Decimal("50.00")


def test_a_month_old_period_is_mature(shop):
    from shopops.metrics.maturity import is_mature

    assert not is_mature(WEEK, dt.date(2025, 11, 30))
    assert not is_mature(WEEK, dt.date(2025, 12, 29))  # 29 days after its last day
    assert is_mature(WEEK, dt.date(2025, 12, 30))


@pytest.mark.django_db
def test_the_cockpit_marks_the_refund_rate_and_calls_no_improvement(client, shop):
    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    html = client.get(reverse("web:cockpit"), {"period": "custom", "start": "2025-11-24", "end": "2025-11-30"}
                      ).content.decode()
    tile = re.search(r'<article class="tile" data-tile="refund_rate">.*?</article>', html, re.S).group(0)
    assert 'data-previous="0.25' in tile  # not 0.75: p2's refund came after the same age
    assert 'data-change="-0.6' in tile and "change-good" not in tile and "change-flat" in tile
    assert 'data-same-age="2025-11-23"' in tile and "data-immature" in tile and "数据未成熟" in tile
    gmv = re.search(r'<article class="tile" data-tile="gmv">.*?</article>', html, re.S).group(0)
    assert "data-same-age" not in gmv


@pytest.mark.django_db
def test_the_stores_page_compares_refunds_at_the_same_order_age_and_marks_them(client, shop):
    """The same hand numbers on /stores/: the total and the tmall row read the previous week at the
    same order age (25 %, not 75 %), −60 % is not coloured good, and the cells are marked immature."""
    from tests.support.pages import table_rows

    role_groups_sync()
    client.force_login(user_create(username="d", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    html = client.get(reverse("web:stores"), {"period": "custom", "start": "2025-11-24", "end": "2025-11-30"}
                      ).content.decode()
    rows = table_rows(html, "stores")
    assert len(rows) == 2  # tmall and the total
    for row in rows:
        assert float(row["refund_rate"]) == pytest.approx(0.10)
        assert float(row["refund_rate__change"]) == pytest.approx(-0.6)
    cells = re.findall(r'<td class="num change-cell change-(\w+)" data-col="refund_rate__change"[^>]*data-mark', html)
    assert cells and all(tone != "good" for tone in cells)
    assert "data-immature" in html and "退款数据尚未成熟" in html


def test_a_comparison_query_with_refunds_at_the_same_age(shop):
    from shopops.metrics.runners import run_query
    from shopops.metrics.runners.comparison import PREVIOUS, ComparisonQuery

    plain = run_query(ComparisonQuery(("refund_rate", "gmv"), WEEK, against=(PREVIOUS,)), con=shop)
    assert plain.row("refund_rate").changes[PREVIOUS].base == pytest.approx(0.75)  # as known today
    assert plain.row("refund_rate").is_good is True  # the plain reading calls it good …
    mature = run_query(ComparisonQuery(("refund_rate", "gmv"), WEEK, against=(PREVIOUS,), refunds_at_same_age=True),
                       con=shop)
    rate = mature.row("refund_rate")
    assert rate.changes[PREVIOUS].base == pytest.approx(0.25) and rate.immature and rate.is_good is None  # … not so
    assert rate.same_age_known_by == dt.date(2025, 11, 23)
    assert not mature.row("gmv").immature and mature.row("gmv").changes[PREVIOUS].base == Decimal("200.00")


def test_the_figures_compile_once_per_input_and_read_new_rows(shop, monkeypatch):
    """The second read of the same figures runs the kept SQL (Ibis' compiler is not called) and
    sees a refund loaded in between: the SQL is kept, never the answer. By hand: 20 → 20 + 30."""
    import ibis

    from shopops.metrics.maturity import refund_figures

    first = refund_figures(period=WEEK, known_by=dt.date(2025, 11, 30), by_store=True, con=shop)["tmall"]
    assert (first.gmv, first.paid_orders, first.refund_amount, first.refunded_orders) == (
        Decimal("200.00"), 3, Decimal("20.00"), 1)
    load(shop, "refunds", pa.Table.from_pylist([
        {"store_id": "tmall", "refund_id": "r4", "order_id": "o2", "amount": Decimal("30.00"), "status": "success",
         "requested_at": _at("2025-11-29", 1), "refunded_at": _at("2025-11-29"), "refund_date": dt.date(2025, 11, 29)}]))

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(ibis, "to_sql", no_compile)
    again = refund_figures(period=WEEK, known_by=dt.date(2025, 11, 30), by_store=True, con=shop)["tmall"]
    assert (again.refund_amount, again.refunded_orders) == (Decimal("50.00"), 2)
    with pytest.raises(AssertionError, match="compiled again"):  # other inputs: other SQL
        refund_figures(period=WEEK, known_by=dt.date(2025, 11, 29), by_store=True, con=shop)
