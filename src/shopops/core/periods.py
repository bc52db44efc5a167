"""Business periods in the store's time zone.

"Yesterday" is the shop's yesterday: days are computed in the store time zone
(Asia/Shanghai by default), never in UTC or the server's zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo


class Grain(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class PeriodPreset(StrEnum):
    YESTERDAY = "yesterday"
    LAST_7 = "last7"
    LAST_30 = "last30"
    MONTH_TO_DATE = "mtd"
    CUSTOM = "custom"


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of business dates."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_calendar_month(self) -> bool:
        return self.start.day == 1 and self.start.month == self.end.month and (
            self.end + dt.timedelta(days=1)).day == 1

    def previous(self) -> Period:
        """The period just before this one (环比): the calendar month before a whole calendar
        month (October for November, not its last 30 days); else the days of equal length
        just before."""
        end = self.start - dt.timedelta(days=1)
        if self.is_calendar_month:
            return Period(end.replace(day=1), end)
        return Period(end - dt.timedelta(days=self.days - 1), end)

    def same_period_last_year(self) -> Period:
        return Period(_minus_year(self.start), _minus_year(self.end))

    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``2025-11-01..2025-11-30``, ``2025-11`` (a month), ``2025-W45`` or ``2025-11-11``."""
        text = text.strip()
        try:
            if ".." in text:
                a, b = text.split("..", 1)
                start, end = dt.date.fromisoformat(a), dt.date.fromisoformat(b)
            elif "-W" in text:
                year, week = text.split("-W")
                start = dt.date.fromisocalendar(int(year), int(week), 1)
                end = start + dt.timedelta(days=6)
            elif len(text) == 7:
                year, month = (int(x) for x in text.split("-"))
                return month_period(year, month)
            else:
                start = end = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise ValueError(
                f"not a period: {text!r}; expected YYYY-MM-DD, YYYY-MM, YYYY-Www or START..END"
            ) from exc
        return cls(start, end)


def _minus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def month_period(year: int, month: int) -> Period:
    start = dt.date(year, month, 1)
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return Period(start, nxt - dt.timedelta(days=1))


def business_today(tz_name: str, now: dt.datetime | None = None) -> dt.date:
    """Today's date in the store's time zone."""
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass a zone-aware 'now'")
    return now.astimezone(ZoneInfo(tz_name)).date()


def preset_period(preset: PeriodPreset | str, *, today: dt.date) -> Period:
    """The period a preset names, relative to the business date ``today``.

    Every preset ends yesterday at the latest: today is not over yet.
    """
    yesterday = today - dt.timedelta(days=1)
    preset = PeriodPreset(preset)
    if preset is PeriodPreset.YESTERDAY:
        return Period(yesterday, yesterday)
    if preset is PeriodPreset.LAST_7:
        return Period(yesterday - dt.timedelta(days=6), yesterday)
    if preset is PeriodPreset.LAST_30:
        return Period(yesterday - dt.timedelta(days=29), yesterday)
    if preset is PeriodPreset.MONTH_TO_DATE:
        start = yesterday.replace(day=1)
        return Period(start, yesterday)
    raise ValueError("a custom period needs explicit dates")
