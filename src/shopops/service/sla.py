"""Business-hours arithmetic for SLAs: pure Python, no Django.

A service desk counts SLA time only while it is open: from ``opens`` to ``closes``
(minutes after local midnight, ``closes`` may be 1440 = midnight) on working days, in
the store's time zone. Which days are working days is a *calendar*: any
``Callable[[date], bool]``. :func:`default_calendar` takes China's official calendar
with 调休 (make-up working weekends) from ``shopops.core.festivals`` when that module
exists, else from ``chinesecalendar``, and falls back to Monday–Friday outside the
years those know.

Two operations, each other's inverse on open time:

* :func:`business_seconds_between` — open seconds in ``[start, end)``;
* :func:`add_business_seconds` — the instant at which ``seconds`` of open time after
  ``start`` have passed (a deadline). A start outside the open hours begins counting at
  the next opening.

and :func:`subtract_business_seconds`, the instant ``seconds`` of open time before an end
(where a ticket that has waited that long came in: the demo's queue).

Pauses (a ticket waiting on the customer) are handled by the caller: it keeps the
open seconds left when the pause began and computes a new deadline from the moment
the pause ends (``services.ticket_transition``).

"At risk" (:func:`at_risk`) is relative to the clock's own target: a deadline is at risk
when the business time left is at most :data:`WARN_SHARE` of the target, and never more
than :data:`WARN_CAP_SECONDS` before it (:func:`warning_seconds`): a 2-minute chat first
response is at risk in its last 30 seconds, a 30-minute one in its last 7½ minutes, a
4-hour or longer target in its last business hour.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

Calendar = Callable[[dt.date], bool]

ENTERED_TTL_SECONDS = 60.0  # how long an entered (not packaged) year's schedule is kept per process
MAX_DAYS = 3660  # ten years of days: a bound on every walk, so a calendar with no working day cannot hang


def weekdays(day: dt.date) -> bool:
    """Monday to Friday."""
    return day.weekday() < 5


def _festivals_calendar() -> Calendar | None:
    """A calendar over ``shopops.core.festivals.public_days(year)`` (holidays and 调休 working days)."""
    try:
        from shopops.core import festivals  # type: ignore[attr-defined]
    except ImportError:
        return None
    public_days = getattr(festivals, "public_days", None)
    if not callable(public_days):
        return None

    library_years = getattr(festivals, "holiday_years", None)
    generation = getattr(festivals, "entered_generation", lambda: 0)

    def split(year: int) -> tuple[frozenset, frozenset] | None:
        try:
            days = public_days(year)
        except LookupError:  # HolidayDataMissing: a year without the State Council schedule
            return None
        off = frozenset(d.day for d in days if str(getattr(d, "kind", "")) == "holiday")
        on = frozenset(d.day for d in days if str(getattr(d, "kind", "")) == "makeup_workday")
        return off, on

    library_year = lru_cache(maxsize=32)(split)
    entered: dict[int, tuple[float, int, tuple | None]] = {}

    def year_days(year: int) -> tuple[frozenset, frozenset] | None:
        if library_years is None or year in library_years():
            return library_year(year)
        # a year the package does not ship: an admin may enter (or change) its schedule at any
        # time (campaigns' holiday page), so the copy is kept a minute or until a save here
        now, gen = time.monotonic(), generation()
        hit = entered.get(year)
        if hit is not None and hit[1] == gen and now - hit[0] < ENTERED_TTL_SECONDS:
            return hit[2]
        value = split(year)
        entered[year] = (now, gen, value)
        return value

    def official(day: dt.date) -> bool:
        known = year_days(day.year)
        if known is None:
            return weekdays(day)
        off, on = known
        return day in on or (day not in off and weekdays(day))

    return official


@lru_cache(maxsize=1)
def _official_calendar() -> Calendar | None:
    festivals_calendar = _festivals_calendar()
    if festivals_calendar is not None:
        return festivals_calendar
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a locked dependency
        return None

    def official(day: dt.date) -> bool:
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:  # a year the library does not know yet
            return weekdays(day)

    return official


def default_calendar() -> Calendar:
    """Working days of mainland China with 调休 when a calendar is available, else Monday–Friday."""
    return _official_calendar() or weekdays


@dataclass(frozen=True, slots=True)
class BusinessHours:
    tz: str = "Asia/Shanghai"
    opens: int = 9 * 60  # minutes after local midnight
    closes: int = 18 * 60  # minutes after local midnight; 1440 = until midnight
    is_working_day: Calendar = weekdays

    def __post_init__(self) -> None:
        if not (0 <= self.opens < self.closes <= 1440):
            raise ValueError(f"business hours: opens {self.opens} must be before closes {self.closes} "
                             "(minutes after midnight, 0–1440)")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The open interval of ``day`` as UTC instants, or None on a day off (cached: queues ask often)."""
        return _window(self, day)

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        if not self.is_working_day(day):
            return None
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.zone)
        # aware + timedelta is wall-clock arithmetic in the zone
        start = midnight + dt.timedelta(minutes=self.opens)
        end = midnight + dt.timedelta(minutes=self.closes)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


@lru_cache(maxsize=8192)
def _window(hours: BusinessHours, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    return hours._window(day)


def _aware(value: dt.datetime, name: str) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name}: naive datetime; pass a zone-aware instant")
    return value.astimezone(dt.UTC)


WARN_SHARE = 0.25  # a deadline is at risk within the last quarter of its SLA target …
WARN_CAP_SECONDS = 3600  # … and at most its last business hour (a target of 4 hours or more)


def warning_seconds(target_seconds: int | None) -> int:
    """The business seconds before a deadline from which it is at risk: :data:`WARN_SHARE` of the clock's
    target (whole seconds, rounded down), at most :data:`WARN_CAP_SECONDS`; the cap when the target is not
    known (or not positive)."""
    if target_seconds is None or target_seconds <= 0:
        return WARN_CAP_SECONDS
    return min(WARN_CAP_SECONDS, int(target_seconds * WARN_SHARE))


def at_risk(seconds_left: int | None, target_seconds: int | None) -> bool:
    """Not overdue yet, and no more business time left than :func:`warning_seconds` of the target."""
    return seconds_left is not None and 0 <= seconds_left <= warning_seconds(target_seconds)


def business_seconds_between(start: dt.datetime, end: dt.datetime, hours: BusinessHours) -> int:
    """Open seconds in ``[start, end)``; 0 when ``end <= start``."""
    start, end = _aware(start, "start"), _aware(end, "end")
    if end <= start:
        return 0
    zone = hours.zone
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    total = 0.0
    steps = 0
    while day <= last:
        steps += 1
        if steps > MAX_DAYS + (last - start.astimezone(zone).date()).days:
            break
        w = hours.window(day)
        if w is not None:
            lo, hi = max(w[0], start), min(w[1], end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += dt.timedelta(days=1)
    return int(total)


def add_business_seconds(start: dt.datetime, seconds: int, hours: BusinessHours) -> dt.datetime:
    """The instant ``seconds`` of open time after ``start`` (a deadline)."""
    start = _aware(start, "start")
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    zone = hours.zone
    day = start.astimezone(zone).date()
    left = float(seconds)
    for _ in range(MAX_DAYS):
        w = hours.window(day)
        if w is not None and w[1] > start:
            lo = max(w[0], start)
            available = (w[1] - lo).total_seconds()
            if left <= available:
                if left == 0:
                    return lo
                return lo + dt.timedelta(seconds=left)
            left -= available
        day += dt.timedelta(days=1)
    raise ValueError(f"no working day within {MAX_DAYS} days of {start.isoformat()}: check the calendar")


def subtract_business_seconds(end: dt.datetime, seconds: int, hours: BusinessHours) -> dt.datetime:
    """The latest instant with ``seconds`` of open time between it and ``end``
    (``business_seconds_between(result, end) == seconds``): where a clock that has run that long
    started. An ``end`` outside the open hours counts back from the last closing before it."""
    end = _aware(end, "end")
    if seconds < 0:
        raise ValueError(f"seconds must be >= 0, got {seconds}")
    day = end.astimezone(hours.zone).date()
    left = float(seconds)
    for _ in range(MAX_DAYS):
        w = hours.window(day)
        if w is not None and w[0] < end:
            hi = min(w[1], end)
            available = (hi - w[0]).total_seconds()
            if left <= available:
                return hi - dt.timedelta(seconds=left)
            left -= available
        day -= dt.timedelta(days=1)
    raise ValueError(f"no working day within {MAX_DAYS} days before {end.isoformat()}: check the calendar")
