"""The pre-campaign stocking plan (备货计划), pure: for a campaign window, per item, what to order and
by when, and the risks of not ordering (stock-out) and of ordering (overstock after the campaign).

Per item, from ``today`` and the forecast path (daily means **with the campaign uplift**, from
tomorrow, covering at least the window plus ``post_days``) and its daily error sd:

* ``D_pre``  — demand from tomorrow to the day before the window (sold from stock before it starts);
* ``D_camp`` — demand over the window; ``σ_camp = √Σ (σ_d · u_d)²`` with ``u_d`` the uplift that day;
* **needed at the start** = ``D_camp + z · σ_camp`` (the service level's buffer for the window);
* **available at the start** = on hand + on order (open POs counted once) − ``D_pre``;
* **order** = needed − available, raised to the MOQ and whole case packs (0 when covered);
* **latest order date** = window start − ⌈lead time + z_LT · lead-time sd⌉ days (the order must
  arrive before the first day); ``late`` when that date is before today — then the
  ``units_at_risk_if_late`` are the window's demand before the earliest possible arrival;
* **stock-out risk without the order** = P(window demand > available) (normal approximation) and
  the expected units short = σ · L(z) (the normal loss function);
* **overstock after the campaign** = expected units left after the window (with the order) minus
  the ``post_days`` of demand after it; ``post_cover_days`` is how many days of post-campaign
  demand the leftover covers.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from statistics import NormalDist

from shopops.inventory.replenishment import SupplyTerms, z_of

_N = NormalDist()


@dataclass(frozen=True, slots=True)
class CampaignStockInput:
    item_id: str
    terms: SupplyTerms
    on_hand: int
    daily_demand: tuple[float, ...]  # forecast mean with uplift, one per day from today + 1
    demand_sd: float  # daily forecast error sd (before uplift)
    uplift: tuple[float, ...] = ()  # the uplift of each day of ``daily_demand`` (1 when empty)
    open_po_qty: int | None = None
    in_transit: int = 0

    @property
    def on_order(self) -> int:
        return self.open_po_qty if self.open_po_qty is not None else self.in_transit


@dataclass(frozen=True, slots=True)
class CampaignStockLine:
    item_id: str
    supplier_id: str
    demand_before: float
    demand_campaign: float
    sd_campaign: float
    needed_at_start: int
    available_at_start: float
    order_qty: int
    order_cost: Decimal
    latest_order_date: dt.date
    late: bool
    units_at_risk_if_late: float
    stockout_probability: float  # without the order
    expected_short_units: float  # without the order
    leftover_after: float  # expected units left after the window, with the order
    post_demand: float
    overstock_units: float
    post_cover_days: float | None


def _loss(z: float) -> float:
    """Standard normal loss function E[(Z − z)+]."""
    return _N.pdf(z) - z * (1 - _N.cdf(z))


def campaign_stocking_plan(items: list[CampaignStockInput], *, today: dt.date, first: dt.date, last: dt.date,
                           service_level: float = 0.95, post_days: int = 30) -> list[CampaignStockLine]:
    if last < first:
        raise ValueError(f"campaign window: last day {last} is before the first {first}")
    if first <= today:
        raise ValueError(f"campaign window starts {first}, not after today ({today})")
    if not 0.5 <= service_level < 1:
        raise ValueError(f"service level must be in [0.5, 1), got {service_level}")
    z = z_of(service_level)
    pre = (first - today).days - 1  # days from tomorrow to the day before the window
    length = (last - first).days + 1
    out = []
    for it in items:
        need_days = pre + length + post_days
        path = list(it.daily_demand) or [0.0]
        path += [path[-1]] * max(need_days - len(path), 0)
        up = list(it.uplift) + [1.0] * max(need_days - len(it.uplift), 0)
        d_pre = sum(path[:pre])
        window = path[pre:pre + length]
        d_camp = sum(window)
        sd = math.sqrt(sum((it.demand_sd * u) ** 2 for u in up[pre:pre + length]))
        needed = math.ceil(d_camp + z * sd - 1e-9)
        available = it.on_hand + it.on_order - d_pre
        t = it.terms
        qty = t.round_up(math.ceil(needed - available - 1e-9)) if needed > available else 0
        lead = math.ceil(t.lead_time_days + z * t.lead_time_sd_days - 1e-9)
        latest = first - dt.timedelta(days=lead)
        late = latest < today
        arrival = today + dt.timedelta(days=lead)
        late_days = max(min((arrival - first).days + 1, length), 0) if late else 0
        at_risk = sum(window[:late_days])
        if sd > 0:
            zz = (max(available, 0) - d_camp) / sd
            p_out = 1 - _N.cdf(zz)
            short = sd * _loss(zz)
        else:
            p_out = 1.0 if d_camp > max(available, 0) else 0.0
            short = max(d_camp - max(available, 0), 0.0)
        leftover = max(available, 0) + qty - d_camp
        post = sum(path[pre + length:pre + length + post_days])
        over = max(leftover - post, 0.0)
        post_daily = post / post_days if post_days else 0.0
        cover = (max(leftover, 0) / post_daily) if post_daily > 0 else None
        cost = (t.cost_at(qty) * qty).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        out.append(CampaignStockLine(
            item_id=it.item_id, supplier_id=t.supplier_id, demand_before=d_pre, demand_campaign=d_camp,
            sd_campaign=sd, needed_at_start=needed, available_at_start=available, order_qty=qty, order_cost=cost,
            latest_order_date=latest, late=late, units_at_risk_if_late=at_risk, stockout_probability=p_out,
            expected_short_units=short, leftover_after=leftover, post_demand=post, overstock_units=over,
            post_cover_days=cover))
    return out
