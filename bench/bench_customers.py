"""Customer analytics at scale: RFM + lifecycle stage + VIP per customer, and monthly stage transitions,
through shopops (Ibis → DuckDB) next to hand-written DuckDB SQL of the same result.

Data: ``BENCH_CUSTOMERS`` customers (default 1,000,000) in 4 stores and ``BENCH_ORDERS`` orders
(default 10,000,000; skewed: a few customers buy often, most once or twice) over two years,
5 % of them unpaid (``closed``), generated with SQL in a temp DuckDB (fixed seed), written to the
canonical ``orders`` table.

Cases (subject and baseline both materialise their result as a DuckDB temp table, so no
rows travel to Python; best of ``BENCH_REPEAT``, default 2):

* ``rfm_stage_vip`` — subject: ``customer_facts(...)`` projected to the RFM, stage and VIP
  columns; baseline: one SQL statement computing the same columns (window ranks, FILTER
  aggregates, a lag for reactivation, a VALUES grid for the group names).
* ``customer_facts_full`` — subject: every facts column (refunds, reviews, top category,
  province … joins included); baseline: the same hand SQL as above (what the extra columns cost).
* ``lifecycle_transitions`` — 12 month ends; subject: ``lifecycle_transitions(...)`` (a range
  join of active months with month ends); baseline: SQL with an ASOF join.

Each baseline's result is checked against the subject's before timing counts.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import ibis

from shopops.customers.facts import customer_facts, lifecycle_transitions
from shopops.customers.lifecycle import StageRules
from shopops.customers.rfm import GROUP_GRID
from shopops.warehouse.loader import ensure_tables

CUSTOMERS = int(os.environ.get("BENCH_CUSTOMERS", "1000000"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "10000000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "2"))
AS_OF = dt.date(2025, 12, 31)
START = dt.date(2025, 1, 1)
RULES = StageRules()  # new 30, active 90, churn 180, VIP 2000 / 1 order, window 365
PAID = "paid_date IS NOT NULL AND status NOT IN ('pending_payment', 'closed') AND customer_id NOT LIKE 'guest:%'"


def _generate(con) -> None:
    con.raw_sql("SELECT setseed(0.42)")
    con.raw_sql(f"""
        INSERT INTO orders (store_id, order_id, customer_id, status, created_at, paid_at, paid_date, paid_amount)
        SELECT 's' || (c % 4), 'o' || i, 'c' || c, st,
               (d::TIMESTAMP + INTERVAL 10 HOUR) AT TIME ZONE 'UTC',
               CASE WHEN st = 'closed' THEN NULL ELSE (d::TIMESTAMP + INTERVAL 10 HOUR) AT TIME ZONE 'UTC' END,
               CASE WHEN st = 'closed' THEN NULL ELSE d END,
               (10 + floor(random() * 50000) / 100)::DECIMAL(18, 2)
        FROM (
            SELECT i, floor(pow(random(), 2.2) * {CUSTOMERS})::BIGINT AS c,
                   DATE '2024-01-01' + floor(random() * 731)::INTEGER AS d,
                   CASE WHEN random() < 0.05 THEN 'closed' ELSE 'completed' END AS st
            FROM range({ORDERS}) t(i)
        )
    """)


def _rfm_sql(as_of: dt.date, r: StageRules) -> str:
    grid = ", ".join(f"({a}, {b}, '{g}')" for (a, b), g in GROUP_GRID.items())
    d = f"DATE '{as_of}'"
    w = r.rfm_window_days
    return f"""
    WITH o AS (SELECT store_id, customer_id, paid_date, paid_amount FROM orders WHERE {PAID} AND paid_date <= {d}),
    days AS (SELECT store_id, customer_id, paid_date,
                    paid_date - lag(paid_date) OVER (PARTITION BY store_id, customer_id ORDER BY paid_date) AS gap
             FROM (SELECT DISTINCT store_id, customer_id, paid_date FROM o)),
    ret AS (SELECT store_id, customer_id, max(paid_date) AS last_return FROM days WHERE gap >= {r.churn_days} GROUP BY ALL),
    agg AS (SELECT store_id, customer_id, min(paid_date) AS first_d, max(paid_date) AS last_d,
                   count(*) FILTER (WHERE {d} - paid_date < {w}) AS orders_window,
                   coalesce(sum(paid_amount) FILTER (WHERE {d} - paid_date < {w}), 0) AS gmv_window,
                   count(*) FILTER (WHERE {d} - paid_date < 365) AS orders_12m,
                   coalesce(sum(paid_amount) FILTER (WHERE {d} - paid_date < 365), 0) AS gmv_12m
            FROM o GROUP BY ALL),
    base AS (SELECT a.*, {d} - last_d AS recency_days, {d} - first_d AS tenure_days, r.last_return
             FROM agg a LEFT JOIN ret r USING (store_id, customer_id)),
    scored AS (SELECT store_id, customer_id,
                 1 + floor(5 * (rank() OVER (PARTITION BY store_id ORDER BY recency_days DESC) - 1) / count(*) OVER (PARTITION BY store_id))::INTEGER AS r_score,
                 1 + floor(5 * (rank() OVER (PARTITION BY store_id ORDER BY orders_window) - 1) / count(*) OVER (PARTITION BY store_id))::INTEGER AS f_score,
                 1 + floor(5 * (rank() OVER (PARTITION BY store_id ORDER BY gmv_window) - 1) / count(*) OVER (PARTITION BY store_id))::INTEGER AS m_score
               FROM base WHERE orders_window > 0),
    grid(r, fm, segment) AS (VALUES {grid})
    SELECT b.store_id, b.customer_id, b.recency_days, b.orders_window, b.gmv_window, s.r_score, s.f_score, s.m_score,
           g.segment AS rfm_segment,
           CASE WHEN tenure_days < {r.new_days} THEN 'new'
                WHEN recency_days >= {r.churn_days} THEN 'churned'
                WHEN last_return IS NOT NULL AND {d} - last_return < {r.active_days} THEN 'reactivated'
                WHEN recency_days < {r.active_days} THEN 'active' ELSE 'at_risk' END AS stage,
           gmv_12m >= {r.vip_min_spend} AND orders_12m >= {r.vip_min_orders} AS is_vip
    FROM base b LEFT JOIN scored s USING (store_id, customer_id)
    LEFT JOIN grid g ON g.r = s.r_score AND g.fm = (s.f_score + s.m_score) // 2
    """


def _transitions_sql(start: dt.date, as_of: dt.date, r: StageRules) -> str:
    before = start - dt.timedelta(days=1)
    return f"""
    WITH o AS (SELECT DISTINCT store_id, customer_id, paid_date FROM orders WHERE {PAID} AND paid_date <= DATE '{as_of}'),
    days AS (SELECT *, paid_date - lag(paid_date) OVER (PARTITION BY store_id, customer_id ORDER BY paid_date) >= {r.churn_days} AS is_return
             FROM o),
    months AS (SELECT store_id, customer_id, date_trunc('month', paid_date)::DATE AS m, max(paid_date) AS last_d,
                      max(CASE WHEN is_return THEN paid_date END) AS ret_m, min(paid_date) AS first_m_day
               FROM days GROUP BY ALL),
    cum AS (SELECT *, max(ret_m) OVER (PARTITION BY store_id, customer_id ORDER BY m) AS ret,
                   min(first_m_day) OVER (PARTITION BY store_id, customer_id) AS first_d
            FROM months),
    cal AS (SELECT least(last_day(x)::DATE, DATE '{as_of}') AS month_end
            FROM generate_series(DATE '{before.replace(day=1)}', DATE '{as_of}', INTERVAL 1 MONTH) t(x)),
    firsts AS (SELECT store_id, customer_id, min(m) AS first_m FROM months GROUP BY ALL),
    grid AS (SELECT f.store_id, f.customer_id, c.month_end FROM firsts f JOIN cal c ON c.month_end >= f.first_m),
    h AS (SELECT g.store_id, g.customer_id, g.month_end,
                 CASE WHEN g.month_end - cum.first_d < {r.new_days} THEN 'new'
                      WHEN g.month_end - cum.last_d >= {r.churn_days} THEN 'churned'
                      WHEN cum.ret IS NOT NULL AND g.month_end - cum.ret < {r.active_days} THEN 'reactivated'
                      WHEN g.month_end - cum.last_d < {r.active_days} THEN 'active' ELSE 'at_risk' END AS stage
          FROM grid g ASOF JOIN cum ON g.store_id = cum.store_id AND g.customer_id = cum.customer_id AND g.month_end >= cum.m),
    hp AS (SELECT *, lag(stage) OVER (PARTITION BY store_id, customer_id ORDER BY month_end) AS p,
                  lag(month_end) OVER (PARTITION BY store_id, customer_id ORDER BY month_end) AS p_end
           FROM h),
    cal2 AS (SELECT month_end, lag(month_end) OVER (ORDER BY month_end) AS prev_end FROM cal)
    SELECT hp.month_end, CASE WHEN hp.p_end = cal2.prev_end THEN hp.p ELSE 'none' END AS from_stage,
           hp.stage AS to_stage, count(*) AS customers
    FROM hp JOIN cal2 ON hp.month_end = cal2.month_end
    WHERE hp.month_end >= DATE '{start}'
    GROUP BY ALL
    """


def _best(fn) -> float:
    times = []
    for _ in range(REPEAT):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _same(con, a: str, b: str, cols: str) -> None:
    diff = con.raw_sql(f"SELECT count(*) FROM ((SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b}) "
                       f"UNION ALL (SELECT {cols} FROM {b} EXCEPT ALL SELECT {cols} FROM {a}))").fetchone()[0]
    if diff:
        raise AssertionError(f"{a} and {b} differ in {diff} rows over ({cols})")


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-customers-"))
    con = ibis.duckdb.connect(str(tmp / "w.duckdb"))
    ensure_tables(con)
    t = time.perf_counter()
    _generate(con)
    gen_s = time.perf_counter() - t
    paid = con.raw_sql(f"SELECT count(*), count(DISTINCT (store_id, customer_id)) FROM orders WHERE {PAID}").fetchone()
    info = {"orders": ORDERS, "paid_orders": int(paid[0]), "customers": int(paid[1]), "generate_s": round(gen_s, 2)}
    rows = []

    rfm_cols = ["store_id", "customer_id", "recency_days", "orders_window", "gmv_window", "r_score", "f_score",
                "m_score", "rfm_segment", "stage", "is_vip"]
    facts = customer_facts(con, as_of=AS_OF, rules=RULES)
    cases = {
        "rfm_stage_vip": lambda: con.create_table("s_rfm", facts.select(*rfm_cols), temp=True, overwrite=True),
        "customer_facts_full": lambda: con.create_table("s_full", facts, temp=True, overwrite=True),
    }
    baseline_sql = _rfm_sql(AS_OF, RULES)

    def baseline():
        con.raw_sql(f"CREATE OR REPLACE TEMP TABLE b_rfm AS {baseline_sql}")

    for case, subject in cases.items():
        subject_s = _best(subject)
        baseline_s = _best(baseline)
        _same(con, "s_rfm" if case == "rfm_stage_vip" else "s_full", "b_rfm",
              "store_id, customer_id, recency_days, orders_window, gmv_window, r_score::INT, f_score::INT, "
              "m_score::INT, rfm_segment, stage, is_vip")
        rows.append({"case": case, "subject_s": subject_s, "baseline_s": baseline_s, **info,
                     "baseline": "hand-written DuckDB SQL (window ranks, FILTER aggregates, lag)"})

    trans = lifecycle_transitions(con, start=START, as_of=AS_OF, rules=RULES)
    subject_s = _best(lambda: con.create_table("s_tr", trans, temp=True, overwrite=True))
    tr_sql = _transitions_sql(START, AS_OF, RULES)
    baseline_s = _best(lambda: con.raw_sql(f"CREATE OR REPLACE TEMP TABLE b_tr AS {tr_sql}"))
    _same(con, "s_tr", "b_tr", "month_end, from_stage, to_stage, customers")
    n_tr = con.raw_sql("SELECT sum(customers) FROM s_tr").fetchone()[0]
    rows.append({"case": "lifecycle_transitions", "subject_s": subject_s, "baseline_s": baseline_s, **info,
                 "customer_months": int(n_tr), "baseline": "hand-written DuckDB SQL (ASOF join of month ends)"})
    con.disconnect()
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
