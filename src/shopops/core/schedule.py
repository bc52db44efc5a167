"""Periodic jobs as data: what runs, and when, in the store's time zone (no Django).

Each app declares its jobs in its own ``jobs.py`` as ``JOBS = (PeriodicJob(...), ...)``;
the jobs app (``shopops.jobs``) finds them, fires each occurrence once and logs the run.

    PeriodicJob("insights_daily", "shopops.insights.jobs.insights_daily", daily(7, 0),
                label=("异常诊断与晨报", "Insights and the daily brief"))

A schedule is a wall-clock time in the store's zone (``settings.TIME_ZONE``): "07:00
every day" stays 07:00 in Asia/Shanghai whatever the server's clock zone. An occurrence
is identified by its UTC instant; the job log's unique (job, scheduled_for) makes every
occurrence run at most once, however many schedulers tick.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Schedule:
    """Daily at ``at``; or weekly on ``weekday`` (0 = Monday); or monthly on ``day``; or every
    ``every_minutes`` minutes counted from the store's midnight."""

    at: dt.time = dt.time(0, 0)
    weekday: int | None = None
    day: int | None = None
    every_minutes: int | None = None

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.weekday, self.day, self.every_minutes)) > 1:
            raise ValueError("a schedule is daily, weekly, monthly or every N minutes: pick one")
        if self.weekday is not None and not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday}: expected 0 (Monday) .. 6 (Sunday)")
        if self.day is not None and not 1 <= self.day <= 28:
            raise ValueError(f"day {self.day}: expected 1 .. 28 (every month has it)")
        if self.every_minutes is not None and not (0 < self.every_minutes <= 1440 and 1440 % self.every_minutes == 0):
            raise ValueError(f"every {self.every_minutes} minutes: expected a divisor of 1440")

    def _matches(self, day: dt.date) -> bool:
        if self.weekday is not None:
            return day.weekday() == self.weekday
        if self.day is not None:
            return day.day == self.day
        return True

    def _times(self) -> list[dt.time]:
        if self.every_minutes is None:
            return [self.at]
        return [dt.time(m // 60, m % 60) for m in range(0, 1440, self.every_minutes)]

    def _occurrences_on(self, day: dt.date, zone: ZoneInfo) -> list[dt.datetime]:
        if not self._matches(day):
            return []
        return [dt.datetime.combine(day, t, tzinfo=zone) for t in self._times()]

    def last_due(self, now: dt.datetime, zone: ZoneInfo) -> dt.datetime | None:
        """The latest occurrence at or before ``now`` (within the last 31 days), in ``zone``."""
        local = now.astimezone(zone)
        for back in range(0, 32):
            day = local.date() - dt.timedelta(days=back)
            due = [o for o in self._occurrences_on(day, zone) if o <= local]
            if due:
                return due[-1]
        return None

    def next_after(self, now: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """The first occurrence strictly after ``now``, in ``zone``."""
        local = now.astimezone(zone)
        for ahead in range(0, 62):
            day = local.date() + dt.timedelta(days=ahead)
            later = [o for o in self._occurrences_on(day, zone) if o > local]
            if later:
                return later[0]
        raise AssertionError("unreachable: every schedule fires within 62 days")

    def describe(self, language: str = "zh-hans") -> str:
        hhmm = self.at.strftime("%H:%M")
        en = language.startswith("en")
        if self.every_minutes is not None:
            return f"every {self.every_minutes} min" if en else f"每 {self.every_minutes} 分钟"
        if self.weekday is not None:
            names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun") if en else "一二三四五六日"
            return f"{names[self.weekday]} {hhmm}" if en else f"每周{names[self.weekday]} {hhmm}"
        if self.day is not None:
            return f"day {self.day} of the month, {hhmm}" if en else f"每月 {self.day} 日 {hhmm}"
        return f"daily {hhmm}" if en else f"每天 {hhmm}"


def daily(hour: int, minute: int = 0) -> Schedule:
    return Schedule(at=dt.time(hour, minute))


def weekly(weekday: int, hour: int, minute: int = 0) -> Schedule:
    return Schedule(at=dt.time(hour, minute), weekday=weekday)


def monthly(day: int, hour: int, minute: int = 0) -> Schedule:
    return Schedule(at=dt.time(hour, minute), day=day)


def every(minutes: int) -> Schedule:
    return Schedule(every_minutes=minutes)


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """One job of an app: a stable ``name`` (the job log's key), the dotted path of a callable
    ``fn(*, scheduled_for: datetime) -> str`` (its return is the run's output summary), when it
    runs, and its label (zh, en). ``catch_up`` is how late a missed occurrence still runs (a
    server started at 08:10 still runs the 07:00 brief; one started the next week does not run
    last week's)."""

    name: str
    callable: str
    schedule: Schedule
    label: tuple[str, str] = ("", "")
    catch_up: dt.timedelta = dt.timedelta(hours=12)

    def title(self, language: str = "zh-hans") -> str:
        zh, en = self.label
        return (en if language.startswith("en") else zh) or self.name


@dataclass(frozen=True, slots=True)
class BackgroundTask:
    """A Django task an app queues from the web (an import, a report): the dotted path of the
    ``@task`` and its label (zh, en). Declared in the app's ``jobs.py`` as ``TASKS = (...)`` so the
    jobs page can list its runs by name; the app enqueues it itself."""

    path: str
    label: tuple[str, str] = ("", "")

    def title(self, language: str = "zh-hans") -> str:
        zh, en = self.label
        return (en if language.startswith("en") else zh) or self.path.rsplit(".", 1)[-1]
