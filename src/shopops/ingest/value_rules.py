"""Value rules shared by the two typing paths (``pipeline.type_batch`` in Polars and
``fast_csv`` in DuckDB), so both read a file the same way."""

from __future__ import annotations

import polars as pl

MAX_CELL_CHARS = 10_000  # no canonical column holds more; a longer cell is a broken file (or an attack)
TRUE_WORDS = ["是", "true", "TRUE", "True", "1", "Y", "y", "yes", "YES"]
FALSE_WORDS = ["否", "false", "FALSE", "False", "0", "N", "n", "no", "NO"]


def fixed_offset(naive: pl.Series, tz: str):
    """The store zone's one UTC offset over the days of ``naive`` (± a day), or None when it
    changes there (or the span is too long to check): then each value is looked up on its own."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    low, high = naive.min(), naive.max()
    if low is None:
        return dt.timedelta(0)
    zone = ZoneInfo(tz)
    try:
        day, last = low.date() - dt.timedelta(days=1), high.date() + dt.timedelta(days=1)
    except OverflowError:  # year 1 or 9999: the lookup per value handles the edges
        return None
    if (last - day).days > 40_000:
        return None
    offsets = set()
    while day <= last:
        offsets.add(dt.datetime.combine(day, dt.time(), zone).utcoffset())
        day += dt.timedelta(days=1)
        if len(offsets) > 1:
            return None
    return offsets.pop()


PHONE_SHOWN_HEAD, PHONE_SHOWN_TAIL = 3, 2  # a phone's mask: 13812345678 -> 138******78, 6 of 11 digits hidden
