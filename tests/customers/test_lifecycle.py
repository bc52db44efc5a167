"""Lifecycle stages and monthly transitions on a hand-built fixture, counted by hand.

Rules: new < 30 days since the first order, active < 60 days since the last, churned >= 90
days since the last; a return is an order 90+ days after the previous one. Month ends:
2024-12-31 (only as a from-side), 2025-01-31 … 2025-05-31 and as_of 2025-06-15.

Hand count (stage at each month end, store s1 unless named):

    customer   orders                                   12-31   01     02      03      04        05        06-15
    A          01-10 (twice), 02-20, 05-01              -       new    active  active  at_risk   active    active
    B          01-05                                    -       new    active  at_risk churned   churned   churned
    C          03-25, 06-10                             -       -      -       new     active    at_risk   active
    D          2024-12-01, 04-20 (gap 140: a return)    active  at_risk at_risk churned reactivated reactivated reactivated
    E          06-01 (and 06-20, after as_of)           -       -      -       -       -         -         new
    s2/A       02-01                                    -       -      new     active  at_risk   churned   churned

Not customers: F (only a closed, unpaid order), a guest, G (only a pending order).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from shopops.customers.facts import customer_facts, lifecycle_history, lifecycle_transitions
from shopops.customers.lifecycle import StageRules, month_ends, stage_of
from shopops.warehouse.loader import load

RULES = StageRules(new_days=30, active_days=60, churn_days=90, vip_min_spend=Decimal("300"), vip_min_orders=2)
AS_OF = dt.date(2025, 6, 15)
D = dt.date

ORDERS = [  # store, customer, paid date (None: unpaid), status, amount
    ("s1", "A", D(2025, 1, 10), "completed", "100.00"),
    ("s1", "A", D(2025, 1, 10), "completed", "50.00"),
    ("s1", "A", D(2025, 2, 20), "completed", "100.00"),
    ("s1", "A", D(2025, 5, 1), "refunded", "80.00"),
    ("s1", "B", D(2025, 1, 5), "completed", "500.00"),
    ("s1", "C", D(2025, 3, 25), "paid", "20.00"),
    ("s1", "C", D(2025, 6, 10), "shipped", "20.00"),
    ("s1", "D", D(2024, 12, 1), "completed", "200.00"),
    ("s1", "D", D(2025, 4, 20), "completed", "200.00"),
    ("s1", "E", D(2025, 6, 1), "completed", "10.00"),
    ("s1", "E", D(2025, 6, 20), "completed", "999.00"),
    ("s1", "F", None, "closed", "30.00"),
    ("s1", "G", None, "pending_payment", "30.00"),
    ("s1", "guest:O99", D(2025, 3, 1), "completed", "30.00"),
    ("s2", "A", D(2025, 2, 1), "completed", "40.00"),
]

HAND = {  # (store, customer): stages at 01-31, 02-28, 03-31, 04-30, 05-31, 06-15 (None: not yet a customer)
    ("s1", "A"): ["new", "active", "active", "at_risk", "active", "active"],
    ("s1", "B"): ["new", "active", "at_risk", "churned", "churned", "churned"],
    ("s1", "C"): [None, None, "new", "active", "at_risk", "active"],
    ("s1", "D"): ["at_risk", "at_risk", "churned", "reactivated", "reactivated", "reactivated"],
    ("s1", "E"): [None, None, None, None, None, "new"],
    ("s2", "A"): [None, "new", "active", "at_risk", "churned", "churned"],
}
BEFORE = {("s1", "D"): "active"}  # stage on 2024-12-31
ENDS = [D(2025, 1, 31), D(2025, 2, 28), D(2025, 3, 31), D(2025, 4, 30), D(2025, 5, 31), AS_OF]


@pytest.fixture
def store(warehouse):
    load(warehouse, "stores", pa.table({"store_id": ["s1", "s2"], "platform": ["own", "jd"], "name": ["s1", "s2"],
                                        "currency": ["CNY"] * 2, "time_zone": ["Asia/Shanghai"] * 2}))
    rows = []
    for i, (s, c, day, status, amount) in enumerate(ORDERS):
        at = None if day is None else dt.datetime.combine(day, dt.time(4), dt.UTC)
        rows.append({"store_id": s, "order_id": f"O{i}", "customer_id": c, "status": status,
                     "created_at": at or dt.datetime(2025, 3, 1, tzinfo=dt.UTC), "paid_at": at, "paid_date": day,
                     "paid_amount": Decimal(amount)})
    load(warehouse, "orders", pa.Table.from_pandas(pd.DataFrame(rows), preserve_index=False))
    return warehouse


def expected_transitions() -> Counter:
    out: Counter = Counter()
    for key, stages in HAND.items():
        prev = BEFORE.get(key, "none")
        for end, stage in zip(ENDS, stages):
            if stage is not None:
                out[(end, prev, stage)] += 1
            prev = stage or "none"
    return out


def test_hand_count_is_what_the_reference_rule_says():
    # the pure rule agrees with the hand table (guards the table against typos)
    assert stage_of(as_of=D(2025, 4, 30), first=D(2024, 12, 1), last=D(2025, 4, 20),
                    last_return=D(2025, 4, 20), rules=RULES) == "reactivated"
    assert stage_of(as_of=D(2025, 4, 30), first=D(2025, 1, 10), last=D(2025, 2, 20), last_return=None,
                    rules=RULES) == "at_risk"
    assert month_ends(D(2025, 1, 1), AS_OF) == ENDS


def test_stages_at_as_of(store):
    got = customer_facts(store, as_of=AS_OF, rules=RULES).to_pandas().set_index(["store_id", "customer_id"])
    assert sorted(got.index) == sorted(HAND)
    assert {k: got.stage[k] for k in HAND} == {k: v[-1] for k, v in HAND.items()}
    # D came back on 04-20 after 140 days away
    assert pd.Timestamp(got.last_return_date[("s1", "D")]).date() == D(2025, 4, 20)
    # VIP: 12-month GMV >= 300 and >= 2 orders: A (330, 4 orders) and D (400, 2); not B (one order of 500)
    assert set(got.index[got.is_vip]) == {("s1", "A"), ("s1", "D")}
    # E's order after as_of does not count
    assert got.orders[("s1", "E")] == 1


def test_history_matches_the_hand_table(store):
    h = lifecycle_history(store, start=D(2025, 1, 1), as_of=AS_OF, rules=RULES).to_pandas()
    h["month_end"] = [pd.Timestamp(v).date() for v in h.month_end]
    got = {(r.store_id, r.customer_id, r.month_end): r.stage for r in h.itertuples()}
    want = {(k[0], k[1], end): stage for k, stages in HAND.items() for end, stage in zip(ENDS, stages) if stage}
    assert got == want


def test_transitions_match_the_hand_count(store):
    t = lifecycle_transitions(store, start=D(2025, 1, 1), as_of=AS_OF, rules=RULES).to_pandas()
    got = Counter({(pd.Timestamp(r.month_end).date(), r.from_stage, r.to_stage): int(r.customers)
                   for r in t.itertuples()})
    want = expected_transitions()
    assert got == want
    # a few of the hand-counted cells spelled out
    assert want[(D(2025, 4, 30), "churned", "reactivated")] == 1
    assert want[(AS_OF, "churned", "churned")] == 2
    assert want[(D(2025, 1, 31), "none", "new")] == 2


def test_transitions_for_one_store_and_bad_start(store):
    t = lifecycle_transitions(store, start=D(2025, 3, 1), as_of=AS_OF, rules=RULES, store_ids=["s2"]).to_pandas()
    got = {(pd.Timestamp(r.month_end).date(), r.from_stage, r.to_stage): int(r.customers) for r in t.itertuples()}
    assert got == {(D(2025, 3, 31), "new", "active"): 1, (D(2025, 4, 30), "active", "at_risk"): 1,
                   (D(2025, 5, 31), "at_risk", "churned"): 1, (AS_OF, "churned", "churned"): 1}
    with pytest.raises(ValueError, match="start=datetime.date\\(2025, 7, 1\\)"):
        lifecycle_transitions(store, start=D(2025, 7, 1), as_of=AS_OF, rules=RULES)
