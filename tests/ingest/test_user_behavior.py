"""Behaviour logs in the Tianchi UserBehavior layout (no header, unix seconds) become events."""

import datetime as dt

from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_get

LOG = """1,2268318,2520377,pv,1511544070
1,2333346,2520771,pv,1511561733
100,1603476,2951233,cart,1511616481
100,1603476,2951233,buy,1511616700
100,1603476,2951233,buy,1511616700
7,42,9,like,1511616800
8,43,9,pv,yesterday
"""


def test_headerless_log_imports_with_mapped_types_and_utc_times(warehouse, tmp_path):
    path = tmp_path / "UserBehavior.csv"
    path.write_text(LOG, encoding="utf-8")
    out = import_file(path, profile=profile_get("tianchi_user_behavior"), con=warehouse, store_id="taobao")
    assert (out.rows_read, out.inserted, out.rows_rejected) == (7, 4, 3)
    reasons = {(r.row, r.column): r.reason for r in out.rejects}
    # a headerless file's first record is row 1
    assert reasons[(6, "behavior_type")].startswith("unknown value; expected one of: pv, cart, fav, buy")
    assert reasons[(7, "timestamp")] == "expected seconds since 1970-01-01 (a whole number)"
    assert reasons[(5, "store_id, event_id")].startswith("duplicate of row 4")
    events = warehouse.table("events").order_by("occurred_at").to_pandas()
    assert list(events.event_type) == ["product_view", "product_view", "add_to_cart", "purchase"]
    # 1511544070 = 2017-11-24 17:21:10 UTC = 2017-11-25 01:21:10 in Shanghai
    assert events.occurred_at[0].to_pydatetime() == dt.datetime(2017, 11, 24, 17, 21, 10, tzinfo=dt.UTC)
    assert events.event_date[0].date() == dt.date(2017, 11, 25)
    again = import_file(path, profile=profile_get("tianchi_user_behavior"), con=warehouse, store_id="taobao")
    assert (again.inserted, again.updated) == (0, 0)
