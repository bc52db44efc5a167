"""All-stores targets made of the stores' own (metrics.runners.targets.stores_summed), worked by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from shopops.metrics.runners.targets import TargetSpec, stores_summed

NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def spec(store, kpi, value, month=NOV):
    return TargetSpec(store, kpi, month, Decimal(value))


def test_every_store_set_adds_up_and_a_partial_set_does_not():
    specs = (spec("a", "gmv", "100.50"), spec("b", "gmv", "200"), spec("c", "gmv", "300"),
             spec("a", "paid_orders", "10"), spec("b", "paid_orders", "20"),  # c has none: no all-stores orders target
             spec("a", "conversion_rate", "0.03"), spec("b", "conversion_rate", "0.02"), spec("c", "conversion_rate", "0.01"),
             spec("a", "gmv", "1", DEC), spec("b", "gmv", "1", DEC), spec("c", "gmv", "1", DEC), spec("", "gmv", "9", DEC))
    got = stores_summed(specs, ["a", "b", "c"])
    # GMV of November: 100.50 + 200 + 300; a ratio never adds up; December has its own all-stores target (kept)
    assert got == (TargetSpec("", "gmv", NOV, Decimal("600.50"), summed=True),)
    assert stores_summed(specs, []) == ()
