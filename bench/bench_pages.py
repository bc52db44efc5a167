"""The cockpit, the analysis pages, the KPI catalog and the insights inbox: render times on a set-up demo.

Through Django's test client, in process (the warehouse — DuckDB or PostgreSQL — is read by the
same process, so its work is in the CPU time on DuckDB; on PostgreSQL the server's is not).

For each page (its default period, every store, as the director sees it):

* ``first`` — the first render with an empty result cache and no compiled SQL (a fresh process
  after a restart; the process has served one request before, so importing the URL modules is
  not in it);
* ``after_import`` — the first render after a new data version (``versions.new_epoch``: what an
  import does to every cached result), the compiled SQL kept as in a running server; for the
  cockpit, the customers page and the RFM page also with the warm-up an import runs
  (``metrics.cockpit.cockpit_warm``, ``metrics.customer_overview.customers_warm``,
  ``customers.selectors.rfm_warm``) before it;
* ``BENCH_RENDERS`` (default 20) renders after that: p50 / p95 wall and CPU time
  (``time.process_time``) — a repeat visit must hit the cache.

The subject is the warm p95, the baseline its p50. Every row records the load average: on the
shared 2-core machine the wall times mostly measure the other work; read the CPU columns.

Needs a demo set up in ``SHOPOPS_BENCH_DEMO_VAR`` (a ``SHOPOPS_VAR_DIR`` after ``shopops manage
migrate && shopops setup-demo``); for a PostgreSQL warehouse set ``SHOPOPS_WAREHOUSE_URL`` as the
demo was built with. ``BENCH_PAGES`` (comma-separated names) picks pages. The warehouse is only
read, except that ``after_import`` writes a new epoch row into ``_data_versions`` (every cached
result is recomputed afterwards; no fact changes).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pages import demo_client, percentile  # noqa: E402

RENDERS = int(os.environ.get("BENCH_RENDERS", "20"))

PAGES = {
    "cockpit": "/",
    "cockpit_last30": "/?period=last30",
    "traffic": "/traffic/",
    "products": "/products/",
    "stores": "/stores/",
    "ads": "/ads/",
    "customers": "/customers/",
    "targets": "/targets/",
    "kpis": "/kpis/",
    "insights": "/insights/",
    "rfm": "/customers/rfm/",
}


def _get(client, url: str) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    r = client.get(url)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert r.status_code == 200, (url, r.status_code)
    return wall, cpu


def _has_warm() -> bool:
    from shopops.metrics import cockpit

    return hasattr(cockpit, "cockpit_warm")


def _has_customers_warm() -> bool:
    import importlib.util

    return importlib.util.find_spec("shopops.metrics.customer_overview") is not None


def _has_rfm_warm() -> bool:
    from shopops.customers import selectors

    return hasattr(selectors, "rfm_warm")


def _warm_up_row(con, client, where: str, name: str, url: str, warm) -> dict:
    """A new data version, the page's warm-up job, then the page's first render: one row."""
    from shopops.warehouse.versions import new_epoch

    new_epoch(con)
    t0, c0 = time.perf_counter(), time.process_time()
    warm()
    warm_wall, warm_cpu = time.perf_counter() - t0, time.process_time() - c0
    after_warm = _get(client, url)
    print(f"  {name} warm-up after a new data version: {warm_wall:.2f} s (CPU {warm_cpu:.2f}), then the "
          f"page {after_warm[0]:.3f} s (CPU {after_warm[1]:.3f})", flush=True)
    return {"case": f"pages_{name}_warm_up", "subject_s": warm_wall, "baseline_s": warm_wall, "cpu_s": warm_cpu,
            "first_render_after_warm_s": after_warm[0], "first_render_after_warm_cpu_s": after_warm[1],
            "load_average": os.getloadavg()[0], "warehouse": where}


def run() -> list[dict]:
    client = demo_client(os.environ.get("SHOPOPS_BENCH_DEMO_VAR"))
    from django.core.cache import caches

    from shopops.metrics.runners.base import compiled
    from shopops.warehouse.connection import connect
    from shopops.warehouse.versions import new_epoch

    wanted = [p for p in os.environ.get("BENCH_PAGES", "").split(",") if p] or list(PAGES)
    pages = {name: PAGES[name] for name in wanted}
    client.get("/kpis/")  # the process's first request imports every URL module
    con = connect()
    where = con.name
    cache = caches["default"]

    def cockpit_warm() -> tuple[float, float]:
        from shopops.metrics.cockpit import cockpit_warm as warm

        t0, c0 = time.perf_counter(), time.process_time()
        warm()
        return time.perf_counter() - t0, time.process_time() - c0

    first: dict[str, tuple[float, float]] = {}
    for name, url in pages.items():  # a fresh process: no cached results, no compiled SQL
        cache.clear()
        compiled.clear()
        first[name] = _get(client, url)
    for name, url in pages.items():  # every page once, so that compiled SQL is there as in a running server
        client.get(url)
    after: dict[str, tuple[float, float]] = {}
    for name, url in pages.items():
        new_epoch(con)  # what an import does to every cached result
        after[name] = _get(client, url)
    warm_row = None
    if "cockpit" in pages and _has_warm():
        new_epoch(con)
        warm_wall, warm_cpu = cockpit_warm()
        after_warm = _get(client, pages["cockpit"])
        warm_row = {"case": "pages_cockpit_warm_up", "subject_s": warm_wall, "baseline_s": warm_wall,
                    "cpu_s": warm_cpu, "first_render_after_warm_s": after_warm[0],
                    "first_render_after_warm_cpu_s": after_warm[1], "load_average": os.getloadavg()[0],
                    "warehouse": where}
        print(f"  cockpit warm-up after a new data version: {warm_wall:.2f} s (CPU {warm_cpu:.2f}), then the "
              f"cockpit {after_warm[0]:.3f} s (CPU {after_warm[1]:.3f})", flush=True)
    customers_row = rfm_row = None
    if "customers" in pages and _has_customers_warm():
        from shopops.metrics.customer_overview import customers_warm

        customers_row = _warm_up_row(con, client, where, "customers", pages["customers"], customers_warm)
    if "rfm" in pages and _has_rfm_warm():
        from shopops.customers.selectors import rfm_warm

        rfm_row = _warm_up_row(con, client, where, "rfm", pages["rfm"], rfm_warm)
    rows = []
    for name, url in pages.items():
        client.get(url)  # the version changed since this page's last render: not a repeat visit
        walls, cpus = [], []
        for _ in range(RENDERS):
            wall, cpu = _get(client, url)
            walls.append(wall)
            cpus.append(cpu)
        rows.append({"case": f"page_{name}", "subject_s": percentile(walls, 0.95), "baseline_s": statistics.median(walls),
                     "baseline": "p50 of the same renders (subject: p95)",
                     "cpu_p50_s": statistics.median(cpus), "cpu_p95_s": percentile(cpus, 0.95),
                     "first_s": first[name][0], "first_cpu_s": first[name][1],
                     "after_import_s": after[name][0], "after_import_cpu_s": after[name][1],
                     "load_average": os.getloadavg()[0], "renders": RENDERS, "url": url, "warehouse": where})
        print(f"  {name}: first {first[name][0]:.2f} s (CPU {first[name][1]:.2f}), after import "
              f"{after[name][0]:.2f} s (CPU {after[name][1]:.2f}), warm p50 {statistics.median(walls):.3f} "
              f"p95 {percentile(walls, 0.95):.3f} s (CPU {statistics.median(cpus):.3f} / {percentile(cpus, 0.95):.3f}), "
              f"load {os.getloadavg()[0]:.1f}", flush=True)
    rows += [r for r in (warm_row, customers_row, rfm_row) if r]
    return rows
