"""The cockpit's compute (uncached: the Django cache cleared before each) with and without the traffic
coverage query (branch hux): run with PYTHONPATH pointing at each tree, SHOPOPS_VAR_DIR at a small demo
(60 days, seed 7, to 2026-12-05) plus the UCI slice; prints the CPU time of 9 computes (all stores, own, tmall)."""
import os, sys, time, datetime as dt, django
django.setup()
from shopops.warehouse.connection import connect
from shopops.metrics import cockpit as c
from shopops.metrics.cockpit import COCKPIT_TILES
from shopops.core.periods import Period
con = connect()
period = Period(dt.date(2026, 11, 29), dt.date(2026, 12, 5))
as_of = dt.date(2026, 12, 5)
from django.core.cache import cache as dj
def once(stores):
    dj.clear()
    return c._cockpit_compute(period=period, stores=stores, kpis=COCKPIT_TILES, con=con, as_of=as_of, specs=None)
once(())  # warm compiled SQL
out = []
for rep in range(3):
    for stores in ((), ("own",), ("tmall",)):
        t0 = time.process_time(); once(stores); out.append(time.process_time() - t0)
print(f"{sys.argv[1]} cpu total {sum(out):.2f}s over {len(out)} computes, mean {sum(out)/len(out)*1000:.0f} ms; load {os.getloadavg()[0]:.1f}")
