"""Toy alert sources for tests of insights' module alerts (``shopops.core.alerts``).

Their dotted paths start with ``support``, so the alerts they return carry source "support".
``RAISED`` is what ``toy`` returns; tests set it.
"""

from __future__ import annotations

RAISED: list = []


def toy(day):
    return [a for a in RAISED if a.day <= day]


def broken(day):
    raise RuntimeError("the stock table is locked")


def wrong_source(day):
    from shopops.core.alerts import Alert

    return [Alert(source="inventory", kind="k", key="1", store_id="", day=day, severity="low", text_zh="x", text_en="x")]
