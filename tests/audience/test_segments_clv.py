"""Segment rules on CLV read each store's cached CLV fit (``customers.selectors.store_clv_fit``):
the same numbers as a fresh fit, fitted once per data version, and a store without a model
refuses the rule with the reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.core.errors import ValidationError


@pytest.mark.django_db
def test_a_clv_rule_on_a_store_without_a_model_refuses_with_the_reason(warehouse):
    """A store too small to fit: the rule says so in the user's language (zh and en) and never
    compares against a missing value."""
    import pyarrow as pa
    from django.utils import translation

    from shopops.audience import services
    from shopops.audience.selectors import clv_by_customer, segment_member_keys
    from shopops.customers.clv import ClvUnavailableError
    from shopops.warehouse.loader import load

    sh = dt.timezone(dt.timedelta(hours=8))
    load(warehouse, "stores", pa.table({"store_id": ["tiny"], "platform": ["own"], "name": ["Tiny"],
                                        "currency": ["CNY"], "time_zone": ["Asia/Shanghai"]}))
    rows = []
    for i in range(5):
        day = dt.date(2025, 10, 1) + dt.timedelta(days=i)
        at = dt.datetime.combine(day, dt.time(10), sh)
        rows.append({"store_id": "tiny", "order_id": f"O{i}", "customer_id": f"C{i}", "status": "completed",
                     "created_at": at, "paid_at": at, "paid_date": day, "paid_amount": Decimal("100.00")})
    load(warehouse, "orders", pa.Table.from_pylist(rows))
    rule = {"op": "and", "rules": [{"field": "clv", "operator": "gt", "value": "10"}]}
    as_of = dt.date(2025, 10, 31)
    with translation.override("en"):
        with pytest.raises(ValidationError, match="CLV is not available for store tiny: too few customers"):
            clv_by_customer(as_of=as_of, store_ids=["tiny"], con=warehouse)
        with pytest.raises(ValidationError, match="store tiny"):
            segment_member_keys(rules=rule, as_of=as_of, store_ids=["tiny"], con=warehouse)
        with pytest.raises(ValidationError, match="store tiny"):
            services.segment_save(name="big spenders", rules=rule, store_ids=["tiny"], as_of=as_of, con=warehouse)
    from shopops.customers.labels import error_message

    with pytest.raises(ClvUnavailableError) as info:
        clv_by_customer(as_of=as_of, store_ids=["tiny"], con=warehouse)
    assert (info.value.store_id, info.value.reason) == ("tiny", "too_few")
    with translation.override("zh-hans"):
        assert error_message(info.value).startswith("店铺 tiny 无法计算 CLV：有复购的顾客太少")
