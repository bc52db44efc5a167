"""The same segment counts and send results on DuckDB, PostgreSQL and Spark (pandas oracle)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from shopops.audience.outreach.results import results_compute
from shopops.audience.selectors import segment_member_keys
from support.kpi_store import spark_append
from tests.audience.audience_shop import AS_OF, UNPAID, build, per_customer

pytestmark = pytest.mark.django_db
RULE = {"op": "and", "rules": [
    {"field": "orders", "operator": "gte", "value": 2},
    {"op": "or", "rules": [
        {"field": "recency_days", "operator": "between", "value": [60, 180]},
        {"field": "categories", "operator": "all_of", "value": ["鞋靴", "配饰"]},
    ]},
    {"field": "gmv", "operator": "gt", "value": "500"},
]}


def _load(con, frames) -> None:
    from shopops.warehouse import versions
    from shopops.warehouse.loader import load

    for table, frame in frames.items():
        batch = pa.Table.from_pandas(frame, preserve_index=False)
        if con.name == "pyspark":  # appended directly (a loader merge rewrites the table): bump by hand
            spark_append(con, table, batch)
            versions.bump(con, table, set(frame.store_id))
        else:
            load(con, table, batch)


def test_segment_and_results_on_every_engine(any_warehouse):
    con = any_warehouse
    frames = build()
    _load(con, frames)
    c = per_customer(frames)
    e = c[(c.orders >= 2) & (c.gmv > Decimal(500))
          & (c.recency_days.between(60, 180) | c.categories.map(lambda s: {"鞋靴", "配饰"} <= s))]
    expected = set(zip(e.store_id, e.customer_id, strict=True))
    assert segment_member_keys(rules=RULE, as_of=AS_OF, con=con) == expected

    # results over the last 30 days of the fixture for an arbitrary split of the members
    keys = sorted(expected)
    groups = pd.DataFrame([{"store_id": s, "customer_id": k, "group": "holdout" if i % 5 == 0 else "treatment"}
                           for i, (s, k) in enumerate(keys)])
    sent_at = dt.datetime(2025, 10, 31, 16, tzinfo=dt.UTC)
    r = results_compute(con, recipients=groups, sent_at=sent_at, window_days=30)
    o = frames["orders"]
    o = o[~o.status.isin(UNPAID) & o.paid_at.notna()]
    o = o[(o.paid_at >= sent_at) & (o.paid_at < sent_at + dt.timedelta(days=30))]
    per = o.groupby(["store_id", "customer_id"]).agg(n=("order_id", "size"),
                                                     gmv=("paid_amount", lambda s: sum(s, Decimal(0))))
    g = groups.merge(per.reset_index(), how="left")
    t = g[g.group == "treatment"]
    assert r.treatment.customers == len(t)
    assert r.treatment.buyers == int(t.n.notna().sum()) and r.treatment.repeaters == int((t.n >= 2).sum())
    assert r.treatment.gmv == sum((x for x in t.gmv if isinstance(x, Decimal)), Decimal(0))
