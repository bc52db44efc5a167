"""A full daily insights run (detection + diagnosis) vs the plain KPI queries it needs, in the same run.

Subject: ``shopops.insights.pipeline.run_days([day])`` — every daily catalog KPI × every
store, and ``BENCH_TOP_PRODUCTS`` (default 1,000) products per store × item GMV / units /
visitors, over the 56-day lookback; then the diagnosis of every finding (breakdowns by
source, product and new/returning, evidence queries). Baseline: the KPI queries alone
that the run starts with (store KPIs by day, the top-product ranking, product KPIs by
day), through the same metrics runners on the same connection — what any daily job
reading these numbers pays anyway. ``ratio`` = subject / baseline; the subject's own
split (queries, detection, diagnosis) is recorded too.

Warehouse: ``SHOPOPS_BENCH_WAREHOUSE`` (a DuckDB URL, e.g. the large demo store) when set;
else a demo store is generated (``BENCH_DEMO_SCALE``, default eval; ``BENCH_DEMO_DAYS``,
default 90) and imported through the ingest pipeline into a temp DuckDB. The day is the
last day with paid orders (``BENCH_DAY`` to choose).

Rollups: a second row times the same daily run with the daily rollups turned off
(``metrics.rollups.rollup_reads(False)``: every KPI from the raw tables, as before the rollups)
against the run with them (the default), alternating, each with the result cache emptied first
(a daily run follows an import, which changes the data version of every cached result). Both wall
and CPU seconds (``time.process_time``: DuckDB works in the process) and the load average are
recorded: on a shared machine the CPU ratio is the one to read. ``BENCH_ROLLUPS=0`` skips it.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import ibis

from shopops.core.periods import Period
from shopops.insights import queries
from shopops.insights.pipeline import RunConfig, run_days
from shopops.metrics.cache import default_cache
from shopops.metrics.rollups import rollup_reads
from shopops.metrics.runners import last_fact_date

REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
TOP = int(os.environ.get("BENCH_TOP_PRODUCTS", "1000"))
DAYS = int(os.environ.get("BENCH_DEMO_DAYS", "90"))
SCALE = os.environ.get("BENCH_DEMO_SCALE", "eval")


def _warehouse() -> tuple[ibis.BaseBackend, str]:
    url = os.environ.get("SHOPOPS_BENCH_WAREHOUSE")
    if url:
        path = url.split("://", 1)[-1]
        return ibis.duckdb.connect(path, read_only=True), f"SHOPOPS_BENCH_WAREHOUSE={url}"
    from shopops.demo.generator import generate
    from shopops.ingest.pipeline import import_file
    from shopops.ingest.profiles import profile_get
    from shopops.warehouse.loader import ensure_tables

    tmp = Path(tempfile.mkdtemp(prefix="bench-insights-"))
    con = ibis.duckdb.connect(str(tmp / "warehouse.duckdb"))
    ensure_tables(con)
    manifest = generate(tmp / "demo", days=DAYS, scale=SCALE, seed=7, end_date=dt.date(2025, 10, 14))
    for f in manifest.files:
        import_file(f.path, profile=profile_get(f.profile_id), con=con, store_id=f.store_id, strict=True)
    return con, f"demo {SCALE} {DAYS} days (generated + imported)"


def _best(fn, repeat: int):
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def _cold(fn):
    """Run ``fn`` with an empty result cache: (wall s, CPU s, its result)."""
    cache = default_cache()
    if hasattr(cache, "clear"):
        cache.clear()
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, out


def _rollups_row(day: dt.date, config: RunConfig, con) -> dict:
    """The daily run with the rollups off (the raw path) vs on, alternating, best of ``REPEAT`` each."""
    best = {False: [float("inf"), float("inf")], True: [float("inf"), float("inf")]}
    parts: dict[bool, dict] = {}
    loads = []
    for _ in range(REPEAT):
        for on in (False, True):
            with rollup_reads(on):
                wall, cpu, result = _cold(lambda: run_days([day], config=config, con=con))
            best[on] = [min(best[on][0], wall), min(best[on][1], cpu)]
            parts[on] = result.timings
            loads.append(os.getloadavg()[0])
    return {
        "case": f"daily_run_rollups_{day}",
        "subject_s": best[True][0], "baseline_s": best[False][0],
        "baseline": "the same daily run with the rollups off (every KPI from the raw tables)",
        "subject_cpu_s": round(best[True][1], 3), "baseline_cpu_s": round(best[False][1], 3),
        "cpu_ratio": round(best[True][1] / best[False][1], 3) if best[False][1] else None,
        "load_average": f"{min(loads):.1f}-{max(loads):.1f}",
        **{f"subject_{k}_s": round(v, 3) for k, v in parts[True].items()},
        **{f"baseline_{k}_s": round(v, 3) for k, v in parts[False].items()},
    }


def run() -> list[dict]:
    con, source = _warehouse()
    day = dt.date.fromisoformat(os.environ["BENCH_DAY"]) if os.environ.get("BENCH_DAY") else last_fact_date(con)
    config = RunConfig(top_products=TOP)
    lookback = config.settings.lookback_days
    period = Period(day - dt.timedelta(days=lookback), day)
    history = Period(period.start, day - dt.timedelta(days=1))
    kpis = ("gmv", *[k for k in queries.detection_kpis() if k != "gmv"])

    def baseline():
        frame = queries.store_daily(period, kpis, con=con)
        products = queries.top_products(history, TOP, con=con)
        pframe = queries.product_daily(period, products, con=con)
        return len(frame), sum(len(v) for v in products.values()), len(pframe)

    def subject():
        return run_days([day], config=config, con=con)

    baseline()  # warm both (compiled-SQL cache, DuckDB buffers) the same way
    baseline_s, (store_rows, n_products, product_rows) = _best(baseline, REPEAT)
    subject_s, result = _best(subject, REPEAT)
    rows = [_rollups_row(day, config, con)] if os.environ.get("BENCH_ROLLUPS", "1") != "0" else []
    return rows + [{
        "case": f"daily_run_{day}",
        "subject_s": subject_s,
        "baseline_s": baseline_s,
        "baseline": "the KPI queries the run needs (store KPIs by day, top products, product KPIs by day)",
        "warehouse": source,
        "stores": len({r for r in result.skipped}),
        "kpis": len(kpis),
        "products": n_products,
        "series_judged": result.series,
        "findings": len(result.diagnosed),
        "store_rows": store_rows,
        "product_rows": product_rows,
        **{f"subject_{k}_s": round(v, 3) for k, v in result.timings.items()},
    }]
