"""DSR (店铺动态评分) through the import pipeline: the fixture's values were written by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_get

FIXTURE = Path(__file__).parents[1] / "ingest" / "platform_fixtures" / "dsr_tmall.csv"


def run(con, path):
    return import_file(path, profile=profile_get("dsr_tmall"), con=con, store_id="tmall", strict=True, pii_key="k")


def test_dsr_rows_land_and_reimport_changes_nothing(warehouse):
    out = run(warehouse, FIXTURE)
    assert out.loaded and out.rows_rejected == 0
    rows = warehouse.raw_sql("select date, description, description_industry, service, logistics, logistics_industry "
                             "from shop_scores order by date").fetchall()
    assert [tuple(r) for r in rows] == [
        (dt.date(2025, 11, 10), Decimal("4.8200"), Decimal("4.7500"), Decimal("4.8500"), Decimal("4.7900"), Decimal("4.8000")),
        (dt.date(2025, 11, 11), Decimal("4.8100"), Decimal("4.7500"), Decimal("4.8500"), Decimal("4.7700"), Decimal("4.8000")),
        (dt.date(2025, 11, 12), Decimal("4.8000"), Decimal("4.7400"), Decimal("4.8400"), Decimal("4.7400"), Decimal("4.7900")),
    ]
    again = run(warehouse, FIXTURE)
    assert again.loaded and {t: (r.inserted, r.updated) for t, r in again.tables.items()} == {"shop_scores": (0, 0)}


def test_bad_rows_are_named_and_nothing_loads(warehouse, tmp_path):
    text = FIXTURE.read_text("utf-8")
    bad = tmp_path / "dsr.csv"
    bad.write_text(text.replace("2025-11-11,4.81,", "2025-11-11,4.8分,").replace("2025/11/12,", "2025-11-32,"), "utf-8")
    out = run(warehouse, bad)
    assert not out.loaded
    assert sorted((r.row, r.column, r.value) for r in out.rejects) == [(3, "描述相符", "4.8分"), (4, "统计日期", "2025-11-32")]
    assert "expected an amount" in [r.reason for r in out.rejects if r.column == "描述相符"][0]
    assert warehouse.table("shop_scores").count().execute() == 0
