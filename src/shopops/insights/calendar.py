"""Known campaign days: the days detection does not judge (and leaves out of every baseline).

The platform big sales move every KPI on purpose, so a 双11 spike is not an anomaly and
the slump after it is not one either. Windows (warm-up and encore included):

| campaign | days |
|---|---|
| 年货节 / 春节 | 30 days before Chinese New Year to 6 days after |
| 38节 | 3/1 – 3/8 |
| 618 | 5/20 – 6/20 |
| 99划算节 | 9/7 – 9/9 |
| 双11 | 10/15 – 11/13 |
| 双12 | 12/5 – 12/12 |

Stores add their own days (会员日, 周年庆, a livestream night): ``store_days`` maps a store
to extra dates, and ``monthly`` a store to a day of the month that is a campaign day
every month (the demo's own mini-program holds 会员日 on the 18th).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# 春节 (Chinese New Year's day), Gregorian.
CHINESE_NEW_YEAR = {
    2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23), 2032: dt.date(2032, 2, 11), 2033: dt.date(2033, 1, 31),
    2034: dt.date(2034, 2, 19), 2035: dt.date(2035, 2, 8),
}
# the demo store's own monthly 会员日; real stores set theirs in SHOPOPS_INSIGHTS_MONTHLY_CAMPAIGN_DAYS
DEFAULT_MONTHLY = {"own": 18}


def campaign_windows(year: int) -> list[tuple[str, dt.date, dt.date]]:
    d = dt.date
    cny = CHINESE_NEW_YEAR.get(year, d(year, 2, 5))
    return [
        ("年货节", cny - dt.timedelta(days=30), cny + dt.timedelta(days=6)),
        ("38节", d(year, 3, 1), d(year, 3, 8)),
        ("618", d(year, 5, 20), d(year, 6, 20)),
        ("99划算节", d(year, 9, 7), d(year, 9, 9)),
        ("双11", d(year, 10, 15), d(year, 11, 13)),
        ("双12", d(year, 12, 5), d(year, 12, 12)),
    ]


@dataclass(frozen=True)
class CampaignCalendar:
    store_days: Mapping[str, frozenset[dt.date]] = field(default_factory=dict)
    monthly: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_MONTHLY))

    def name(self, day: dt.date, store_id: str = "") -> str:
        """The campaign of ``day`` ("" when none)."""
        for label, first, last in campaign_windows(day.year) + campaign_windows(day.year + 1):
            if first <= day <= last:
                return label
        if store_id and day in self.store_days.get(store_id, frozenset()):
            return "store"
        if store_id and self.monthly.get(store_id) == day.day:
            return "会员日"
        return ""

    def store_day(self, day: dt.date, store_id: str) -> bool:
        """``day`` is one of the store's own campaign days (its extra dates, its monthly day), inside a
        platform window too (a 会员日 on the 18th of a 年货节 is both)."""
        return bool(store_id) and (day in self.store_days.get(store_id, frozenset())
                                   or self.monthly.get(store_id) == day.day)

    def days(self, store_ids: Iterable[str], first: dt.date, last: dt.date) -> dict[str, frozenset[dt.date]]:
        """Campaign days per store between ``first`` and ``last``."""
        span = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        return {s: frozenset(d for d in span if self.name(d, s)) for s in store_ids}
