"""The cockpit's store coverages: traffic and ads as two cached queries (``traffic_coverage`` + ``ad_coverage``,
as before session 14) against one query returning both (``store_coverages``), in the same run, alternating.

    SHOPOPS_VAR_DIR=<a demo> PYTHONPATH=src python bench/cockpit_coverage_query.py [reps]

Uncached (the Django cache cleared before each): the coverage step alone, and the whole cockpit compute
(``metrics.cockpit._cockpit_compute``, all stores / own / tmall, the demo's last 7 days) with the coverage step
done each way (the old way patched in). CPU time (``time.process_time``) and the load average.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time

import django

django.setup()

from django.core.cache import cache as dj  # noqa: E402

from shopops.core.periods import Period  # noqa: E402
from shopops.metrics import cockpit as c  # noqa: E402
from shopops.metrics.cockpit import COCKPIT_TILES  # noqa: E402
from shopops.metrics.runners import ad_coverage, last_fact_date, store_coverages, traffic_coverage  # noqa: E402
from shopops.warehouse.connection import connect  # noqa: E402

con = connect()
end = last_fact_date(con)
period = Period(end - dt.timedelta(days=6), end)
SELECTIONS = ((), ("own",), ("tmall",))


def two_queries(period, kinds=("traffic", "ads"), *, stores=(), con=None, sources=None):
    """Before: one cached query per kind."""
    out = {}
    if "traffic" in kinds:
        out["traffic"] = traffic_coverage(period, stores=stores, con=con)
    if "ads" in kinds:
        out["ads"] = ad_coverage(period, stores=stores, con=con)
    return out


def timed(fn) -> float:
    dj.clear()
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def coverage_step(way):
    return lambda: [way(period, stores=s, con=con) for s in SELECTIONS]


def cockpit(way):
    def run():
        c.store_coverages = way  # the cockpit module's name for the step
        for s in SELECTIONS:
            c._cockpit_compute(period=period, stores=s, kpis=COCKPIT_TILES, con=con, as_of=end, specs=None)
    return run


reps = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ways = {"two": two_queries, "one": store_coverages}
assert two_queries(period, con=con) == store_coverages(period, con=con)  # the same answer
for case, make in (("coverage step", coverage_step), ("cockpit compute", cockpit)):
    for way in ways.values():
        timed(make(way))  # warm compiled SQL
    times = {name: [] for name in ways}
    for _ in range(reps):
        for name, way in ways.items():
            times[name].append(timed(make(way)))
    c.store_coverages = store_coverages
    two, one = statistics.median(times["two"]), statistics.median(times["one"])
    print(f"{case}: two queries {two * 1000:.0f} ms, one query {one * 1000:.0f} ms CPU (median of {reps}, "
          f"3 selections each); one / two = {one / two:.2f}; load {os.getloadavg()[0]:.1f}", flush=True)
