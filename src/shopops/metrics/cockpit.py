"""The cockpit (驾驶舱): headline KPIs for a period with change vs the previous period, and a daily trend."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import ibis

from shopops.core.periods import Grain, Period, PeriodPreset, preset_period
from shopops.metrics.catalog import CATALOG, Direction, Kpi
from shopops.metrics.runners import KpiQuery, KpiResult, last_fact_date, run_query

COCKPIT_KPIS: tuple[str, ...] = (
    "gmv",
    "paid_orders",
    "paying_buyers",
    "visitors",
    "conversion_rate",
    "aov",
    "refund_rate",
    "ad_spend",
    "roas",
)


@dataclass(frozen=True, slots=True)
class Tile:
    kpi: Kpi
    value: Decimal | int | float | None
    previous: Decimal | int | float | None

    @property
    def change(self) -> float | None:
        """Relative change vs the previous period (0.12 = +12%); None when undefined."""
        if self.value is None or not self.previous:
            return None
        return float((Decimal(str(self.value)) - Decimal(str(self.previous))) / Decimal(str(self.previous)))

    @property
    def is_good(self) -> bool | None:
        change = self.change
        if change is None or change == 0:
            return None
        return (change > 0) == (self.kpi.direction is Direction.UP_IS_GOOD)


@dataclass(frozen=True, slots=True)
class Cockpit:
    period: Period
    previous: Period
    tiles: tuple[Tile, ...]
    trend: KpiResult
    stores: tuple[str, ...]
    as_of: dt.date | None


def cockpit_period(
    preset: str | None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    today: dt.date,
) -> Period:
    """Resolve the period a user picked; custom needs start and end."""
    if preset == PeriodPreset.CUSTOM or (start and end and not preset):
        if not (start and end):
            raise ValueError("a custom period needs a start and an end date")
        return Period(start, end)
    return preset_period(preset or PeriodPreset.LAST_7, today=today)


def reference_today(con: ibis.BaseBackend | None = None, *, today: dt.date) -> dt.date:
    """The business 'today' the presets are relative to.

    A live store's data reaches yesterday, so this is simply today. When the data stop
    earlier (the demo store, or imports that are days behind), presets are anchored to
    the day after the last paid order, so "yesterday" shows the last complete day.
    """
    last = last_fact_date(con)
    if last is None or last >= today - dt.timedelta(days=1):
        return today
    return last + dt.timedelta(days=1)


def cockpit_build(
    *,
    period: Period,
    stores: tuple[str, ...] = (),
    kpis: tuple[str, ...] = COCKPIT_KPIS,
    con: ibis.BaseBackend | None = None,
) -> Cockpit:
    current = run_query(KpiQuery(kpis, period, stores=stores), con=con)
    previous_period = period.previous()
    previous = run_query(KpiQuery(kpis, previous_period, stores=stores), con=con)
    trend = run_query(KpiQuery(kpis, period, grain=Grain.DAY, stores=stores), con=con)
    tiles = tuple(Tile(CATALOG[k], current.total(k), previous.total(k)) for k in kpis)
    return Cockpit(period, previous_period, tiles, trend, stores, last_fact_date(con))
