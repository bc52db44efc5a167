"""A year's State Council holiday notice entered by hand: parsing and checks (messages translated).

One line per day or span, fields separated by a comma, tab or spaces:

    2027-02-05~2027-02-11, 放假, 春节
    2027-02-14, 上班, 春节

* the day: ``YYYY-MM-DD`` or a span ``YYYY-MM-DD~YYYY-MM-DD`` (also ``..`` or ``至``);
* the kind: 放假 / 休 / holiday, or 上班 / 班 / 调休 / workday (a 调休 working day);
* the holiday's name (optional): 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节 …

Blank lines and lines starting with ``#`` are skipped; a first line naming the columns
(日期/date …) is a header. Every problem is reported with its line and value, and nothing is kept
unless every line is right.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

HOLIDAY, WORKDAY = "holiday", "makeup_workday"
KINDS = {"放假": HOLIDAY, "休": HOLIDAY, "假": HOLIDAY, "holiday": HOLIDAY, "off": HOLIDAY,
         "上班": WORKDAY, "班": WORKDAY, "调休": WORKDAY, "调休上班": WORKDAY, "workday": WORKDAY,
         "makeup_workday": WORKDAY, "work": WORKDAY}
NAMES_EN = {"元旦": "New Year's Day", "春节": "Spring Festival", "清明节": "Tomb-sweeping Day",
            "劳动节": "Labour Day", "端午节": "Dragon Boat Festival", "中秋节": "Mid-autumn Festival",
            "国庆节": "National Day"}
MAX_SPAN_DAYS = 15  # the longest holiday of a notice is 8–9 days; a longer span is a typo
_WEEKDAY_ZH = "一二三四五六日"


class ScheduleError(ValueError):
    """Every problem of an entered schedule (``problems``: one message per line)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True, slots=True)
class EnteredDay:
    day: dt.date
    kind: str  # HOLIDAY | WORKDAY
    name: str
    line: int


def _date(text: str, line: int, problems: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        problems.append(_("line %(line)s: “%(value)s” is not a date (expected YYYY-MM-DD)") % {"line": line, "value": text.strip()})
        return None


def parse_schedule(text: str, *, year: int) -> list[EnteredDay]:
    """The days of ``text`` for ``year``, by date (raises :class:`ScheduleError` with every problem)."""
    problems: list[str] = []
    seen: dict[dt.date, EnteredDay] = {}
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        fields = [f.strip() for f in re.split(r"\s*[,，\t]\s*|\s+", line, maxsplit=2)]
        if no == 1 and fields and fields[0].lower() in ("日期", "date", "day", "days"):
            continue
        if len(fields) < 2 or not fields[1]:
            problems.append(_("line %(line)s: “%(value)s” — expected a day (or span), a kind (放假/上班) and a name") % {"line": no, "value": line})
            continue
        span, kind_text = fields[0], fields[1]
        name = fields[2].strip() if len(fields) > 2 else ""
        kind = KINDS.get(kind_text.lower())
        if kind is None:
            problems.append(_("line %(line)s: kind “%(value)s” — expected 放假/holiday or 上班/workday") % {"line": no, "value": kind_text})
            continue
        parts = re.split(r"~|\.\.|至|—|/", span)
        if len(parts) > 2:
            problems.append(_("line %(line)s: “%(value)s” is not a day or a span first~last") % {"line": no, "value": span})
            continue
        first = _date(parts[0], no, problems)
        last = _date(parts[-1], no, problems) if len(parts) == 2 else first
        if first is None or last is None:
            continue
        if last < first:
            problems.append(_("line %(line)s: the span ends (%(last)s) before it starts (%(first)s)") % {"line": no, "last": last, "first": first})
            continue
        if (last - first).days + 1 > MAX_SPAN_DAYS:
            problems.append(_("line %(line)s: %(first)s~%(last)s is %(n)s days; a holiday of the notice is at most %(max)s")
                            % {"line": no, "first": first, "last": last, "n": (last - first).days + 1, "max": MAX_SPAN_DAYS})
            continue
        day = first
        while day <= last:
            if day.year != year:
                problems.append(_("line %(line)s: %(day)s is not in %(year)s") % {"line": no, "day": day, "year": year})
            elif kind == WORKDAY and day.weekday() < 5:
                problems.append(_("line %(line)s: %(day)s is a weekday (星期%(weekday)s); a 调休 working day is a Saturday or "
                                  "Sunday") % {"line": no, "day": day, "weekday": _WEEKDAY_ZH[day.weekday()]})
            elif day in seen:
                before = seen[day]
                if before.kind != kind:
                    problems.append((_("line %(line)s: %(day)s is already a holiday (line %(before)s)") if before.kind == HOLIDAY
                                     else _("line %(line)s: %(day)s is already a working day (line %(before)s)"))
                                    % {"line": no, "day": day, "before": before.line})
                else:
                    problems.append(_("line %(line)s: %(day)s is given twice (line %(before)s)")
                                    % {"line": no, "day": day, "before": before.line})
            else:
                seen[day] = EnteredDay(day, kind, name, no)
            day += dt.timedelta(days=1)
    if not problems and not seen:
        problems.append(_("no days given"))
    if problems:
        raise ScheduleError(problems)
    return sorted(seen.values(), key=lambda d: d.day)
