"""Segment live count: the builder's count of a rule through shopops next to hand-written
DuckDB SQL of the same count.

The builder counts on a snapshot of the customer facts kept per data version
(``audience.live.FactsSnapshot``, keyed like ``audience.selectors._cached_facts``): each rule
is compiled once to one SQL statement over it. Here the snapshot is built once (what the
first count after a load pays: ``subject_cold_s``), then each timed run is a rule the
snapshot has not seen (its compiled SQL and answer forgotten before every run), so
``subject_s`` = data-version lookup + Ibis build + SQL compile + the count. ``subject_again_s``
is the same rule asked again (answered from the snapshot).

Data: ``BENCH_SEG_CUSTOMERS`` customers (default 200,000) in 4 stores and ``BENCH_SEG_ORDERS``
orders (default 2,000,000; skewed) over two years, 5 % unpaid, generated with SQL (fixed seed).

Cases (best of ``BENCH_REPEAT``, default 3; each subject count is checked equal to its baseline;
CPU seconds of the process (``*_cpu_s``) and the load average are recorded next to them):

* ``count_orders_recency_spend`` — "two or more orders, last one 60–180 days ago, spent over ¥500";
  baseline: one GROUP BY ... HAVING over paid orders.
* ``count_with_rfm_group`` — the same AND rfm_segment in (at_risk, cant_lose, hibernating); the
  baseline is the RFM SQL of ``bench_customers`` (window ranks) filtered and counted.
* ``preview_count_and_top20`` — one builder edit: the count and the first 20 rows by spend in one
  query (``FactsSnapshot.preview``, what ``audience.selectors.segment_preview`` runs), vs the
  hand SQL count alone.

``subject_s`` is the latency a user waits for the live count after an edit.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import ibis

from shopops.customers.facts import customer_facts
from shopops.customers.lifecycle import StageRules
from shopops.audience.live import FactsSnapshot
from shopops.metrics.cache import LocalCache, cached
from shopops.warehouse.loader import ensure_tables

CUSTOMERS = int(os.environ.get("BENCH_SEG_CUSTOMERS", "200000"))
ORDERS = int(os.environ.get("BENCH_SEG_ORDERS", "2000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))
AS_OF = dt.date(2025, 12, 31)
RULES = StageRules()
PAID = "paid_date IS NOT NULL AND status NOT IN ('pending_payment', 'closed') AND customer_id NOT LIKE 'guest:%'"
EXAMPLE = {"op": "and", "rules": [
    {"field": "orders", "operator": "gte", "value": 2},
    {"field": "recency_days", "operator": "between", "value": [60, 180]},
    {"field": "gmv", "operator": "gt", "value": "500"}]}
WITH_RFM = {"op": "and", "rules": [*EXAMPLE["rules"],
                                   {"field": "rfm_segment", "operator": "in", "value": ["at_risk", "cant_lose", "hibernating"]}]}


def _generate(con) -> None:
    con.raw_sql("SELECT setseed(0.17)")
    con.raw_sql(f"""
        INSERT INTO orders (store_id, order_id, customer_id, status, created_at, paid_at, paid_date, paid_amount)
        SELECT 's' || (c % 4), 'o' || i, 'c' || c, st,
               (d::TIMESTAMP + INTERVAL 10 HOUR) AT TIME ZONE 'UTC',
               CASE WHEN st = 'closed' THEN NULL ELSE (d::TIMESTAMP + INTERVAL 10 HOUR) AT TIME ZONE 'UTC' END,
               CASE WHEN st = 'closed' THEN NULL ELSE d END,
               (10 + floor(random() * 50000) / 100)::DECIMAL(18, 2)
        FROM (SELECT i, floor(pow(random(), 2.2) * {CUSTOMERS})::BIGINT AS c,
                     DATE '2024-01-01' + floor(random() * 731)::INTEGER AS d,
                     CASE WHEN random() < 0.05 THEN 'closed' ELSE 'completed' END AS st
              FROM range({ORDERS}) t(i))
    """)


BASE_SQL = f"""
    SELECT store_id, customer_id, count(*) AS n, sum(paid_amount) AS gmv, DATE '{AS_OF}' - max(paid_date) AS recency
    FROM orders WHERE {PAID} AND paid_date <= DATE '{AS_OF}' GROUP BY ALL
"""
EXAMPLE_SQL = f"SELECT count(*) FROM ({BASE_SQL}) WHERE n >= 2 AND recency BETWEEN 60 AND 180 AND gmv > 500"


def _rfm_count_sql() -> str:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_customers", Path(__file__).with_name("bench_customers.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rfm = module._rfm_sql(AS_OF, RULES)
    return (f"SELECT count(*) FROM ({rfm}) r JOIN ({BASE_SQL}) b USING (store_id, customer_id) "
            "WHERE b.n >= 2 AND b.recency BETWEEN 60 AND 180 AND b.gmv > 500 "
            "AND r.rfm_segment IN ('at_risk', 'cant_lose', 'hibernating')")


VERSION_TABLES = ("stores", "customers", "products", "orders", "order_lines", "refunds", "reviews")


def _best(fn, before=None) -> tuple[float, float, object]:
    """(best wall seconds, CPU seconds of that run, result) over ``REPEAT`` runs."""
    best, cpu, out = float("inf"), 0.0, None
    for _ in range(REPEAT):
        if before is not None:
            before()
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        wall = time.perf_counter() - t
        if wall < best:
            best, cpu = wall, time.process_time() - c
    return best, cpu, out


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-segments-"))
    con = ibis.duckdb.connect(str(tmp / "w.duckdb"))
    ensure_tables(con)
    _generate(con)
    facts = customer_facts(con, as_of=AS_OF, rules=RULES)
    snapshots = LocalCache(size=2, timeout=300, pickled=False)

    def snapshot() -> FactsSnapshot:
        return cached("bench:customer-facts", (AS_OF,), lambda: FactsSnapshot.build(facts),
                      con=con, tables=VERSION_TABLES, cache=snapshots)

    t = time.perf_counter()
    snapshot().count(con, EXAMPLE)
    cold_s = time.perf_counter() - t
    rows = []
    for case, tree, sql in (("count_orders_recency_spend", EXAMPLE, EXAMPLE_SQL),
                            ("count_with_rfm_group", WITH_RFM, _rfm_count_sql())):
        load = _load()
        subject_s, subject_cpu, got = _best(lambda tree=tree: snapshot().count(con, tree),
                                            before=lambda: snapshot().forget_rules())
        again_s, _, _ = _best(lambda tree=tree: snapshot().count(con, tree))
        baseline_s, baseline_cpu, want = _best(lambda sql=sql: int(con.raw_sql(sql).fetchone()[0]))
        if got != want:
            raise AssertionError(f"{case}: shopops counted {got}, the hand SQL {want}")
        rows.append({"case": case, "subject_s": subject_s, "baseline_s": baseline_s, "ratio": subject_s / baseline_s,
                     "subject_cpu_s": subject_cpu, "baseline_cpu_s": baseline_cpu, "subject_again_s": again_s,
                     "subject_cold_s": cold_s, "facts_rows": snapshot().rows, "loadavg": load,
                     "count": got, "orders": ORDERS, "customers_max": CUSTOMERS,
                     "baseline": "hand-written DuckDB SQL of the same count"})
    # what one edit in the builder costs: count + first 20 by spend (one query), vs the SQL count alone
    cols = ("store_id", "customer_id", "gmv")
    load = _load()
    subject_s, subject_cpu, (total, frame) = _best(lambda: snapshot().preview(con, EXAMPLE, cols, limit=20),
                                                   before=lambda: snapshot().forget_rules())
    baseline_s, baseline_cpu, want = _best(lambda: int(con.raw_sql(EXAMPLE_SQL).fetchone()[0]))
    if total != want or len(frame) != 20:
        raise AssertionError("preview total differs from the hand SQL count")
    rows.append({"case": "preview_count_and_top20", "subject_s": subject_s, "baseline_s": baseline_s,
                 "ratio": subject_s / baseline_s, "subject_cpu_s": subject_cpu, "baseline_cpu_s": baseline_cpu,
                 "loadavg": load, "count": want, "orders": ORDERS, "customers_max": CUSTOMERS,
                 "baseline": "hand-written DuckDB SQL of the count alone"})
    con.disconnect()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
