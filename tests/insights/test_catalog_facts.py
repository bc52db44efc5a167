"""Insights reads KPI facts from the catalog: adding a KPI there is the only step to make it
detectable (a toy KPI added in the test is judged, alerts, and gets its noise floor)."""

from __future__ import annotations

import datetime as dt

import pytest

from shopops.metrics import catalog
from shopops.metrics.catalog import CATALOG, Direction, Kpi, Unit


@pytest.fixture
def toy_kpi():
    """Ad clicks again under another id, and GMV again: a count and a money sum that alert."""
    kpis = [catalog._kpi(Kpi("toy_clicks", "玩具点击量", "Toy clicks", "测试用。", "For a test.", Unit.COUNT,
                             source="ad_spend", measure=lambda t: t.clicks.sum(), alerts=True, priority=0)),
            catalog._kpi(Kpi("toy_paid", "玩具支付金额", "Toy paid amount", "测试用。", "For a test.", Unit.MONEY,
                             source="paid_orders", measure=lambda t: t.paid_amount.sum(), noise_base="paid_orders",
                             alerts=True))]
    yield kpis
    for k in kpis:
        CATALOG.pop(k.id)


def test_a_money_sum_without_its_noise_base_is_refused():
    with pytest.raises(AssertionError, match="noise_base"):
        catalog._kpi(Kpi("toy_no_base", "x", "x", "x", "x", Unit.MONEY, source="paid_orders",
                         measure=lambda t: t.paid_amount.sum()))
    assert "toy_no_base" not in CATALOG


def test_insights_takes_every_fact_from_the_catalog(toy_kpi):
    from shopops.insights.queries import detection_kpis, spec_of

    assert "toy_paid" in detection_kpis()
    spec = spec_of("toy_paid")
    assert (spec.kind, spec.volume, spec.alerting, spec.priority, spec.up_is_good) == (
        Unit.MONEY, "paid_orders", True, 99, True)
    assert (spec_of("toy_clicks").kind, spec_of("toy_clicks").volume, spec_of("toy_clicks").priority) == (
        Unit.COUNT, None, 0)
    # facts the catalog states for its own KPIs
    assert spec_of("conversion_rate").volume == "visitors" and spec_of("conversion_rate").drives_gmv
    assert spec_of("gmv").volume == "paid_orders" and not spec_of("gmv").drives_gmv
    assert spec_of("refund_rate").alerting is False and spec_of("refund_rate").up_is_good is False
    assert CATALOG["refund_rate"].direction is Direction.DOWN_IS_GOOD
    assert "closing_on_hand" not in detection_kpis() and "sell_through" not in detection_kpis()


@pytest.mark.slow
@pytest.mark.django_db
def test_a_kpi_added_to_the_catalog_is_detected(toy_kpi, incident_warehouse):
    """The ad cut planted at PDD on 2025-09-02 cuts its ad clicks, so the toy copy of clicks signals too."""
    from shopops.insights.pipeline import RunConfig, run_days

    day = dt.date(2025, 9, 2)
    t = next(t for t in incident_warehouse if t["kind"] == "ad_cut" and t["day"] == day.isoformat())
    result = run_days([day, day + dt.timedelta(days=1)], config=RunConfig())
    signals = [s for d in result.diagnosed if d.finding.store_id == t["store_id"]
               for s in [*d.finding.signals, *d.finding.suppressed]]
    print([(s.day, s.kpi, round(s.z, 1)) for s in signals])
    toy = {(s.day, s.window): s for s in signals if s.kpi == "toy_clicks"}
    clicks = {(s.day, s.window): s for s in signals if s.kpi == "clicks"}
    assert clicks and toy.keys() == clicks.keys()  # judged the same way as the KPI it copies
    assert all(toy[k].actual == pytest.approx(clicks[k].actual) and toy[k].low == pytest.approx(clicks[k].low)
               for k in clicks)
    first = next(d.finding for d in result.diagnosed if d.finding.store_id == t["store_id"] and d.finding.day == day)
    assert first.headline.kpi == "toy_clicks"  # its catalog priority (0) puts it first among equals
