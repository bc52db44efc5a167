"""Campaign windows from the platforms' festival calendar (``shopops.core.festivals``), pure.

Each phase of a festival is its own kind (``double11:main``, ``618:opening`` …), the same kind every
year, so the uplift learned on last year's phase applies to this year's. Phases overlap in the
calendar (a balance-payment day inside the opening days): shorter phases come first so the
peak day is learned as itself. 春节 (the couriers' holiday, a dip in demand) is a window too:
``spring_festival`` from nine days before to six days after 春节.
"""

from __future__ import annotations

import datetime as dt

from shopops.core.festivals import chinese_new_year, festivals_between
from shopops.inventory.forecasting.uplift import CampaignWindow

SPRING_BEFORE, SPRING_AFTER = 9, 6


def festival_windows(first: dt.date, last: dt.date, *, platform: str = "tmall",
                     spring_festival: bool = True) -> list[CampaignWindow]:
    """Windows of every festival phase overlapping ``first``–``last`` on ``platform``."""
    out: list[CampaignWindow] = []
    for f in festivals_between(first, last, platform):
        for ph in f.phases:
            if ph.last < first or ph.first > last:
                continue
            out.append(CampaignWindow(kind=f"{f.key}:{ph.kind.value}", first=ph.first, last=ph.last))
    if spring_festival:
        for year in range(first.year, last.year + 2):
            try:
                cny = chinese_new_year(year)
            except Exception:  # noqa: BLE001 — outside the lunar library's range: no window
                continue
            a, b = cny - dt.timedelta(days=SPRING_BEFORE), cny + dt.timedelta(days=SPRING_AFTER)
            if b >= first and a <= last:
                out.append(CampaignWindow(kind="spring_festival", first=a, last=b))
    return sorted(out, key=lambda w: ((w.last - w.first).days, w.first, w.kind))
