"""Platform period exports (issue 19 item 1): 生意参谋 / 京东商智 / the standard layout for a whole period.

``platform_fixtures/sycm_shop_period.csv`` is written by hand in GB18030 like the platform's
download; its rows, by hand:

  统计日期                 访客数   浏览量  加购  收藏  下单  支付买家数  支付金额
  2025-11-01~2025-11-30   9,876    32407  1302  470   366   321         92162.40
  2025-11-10至2025-11-16  9512     32407  1290  466   360   318         92162.40
  2025-11-24~2025-11-30   3120     9870   402   150   131   112         30105.00
  2025-09-01~2025-09-30   28410 …  (September)
  2025-08-01~2025-08-31   30122 …  (August)

``platform_fixtures/jd_shop_period.csv`` (京东商智, GB18030): 2025-11-01至2025-11-30 访客数 5120, 成交客户数 201,
成交金额 40200.00, and four weeks of November.

(9,876 is written with a thousands separator, as the platform's .csv does for large counts.)
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from shopops.core.errors import ValidationError
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_detect, profile_get
from shopops.ingest.readers import first_record, open_source

FIXTURE = Path(__file__).parent / "platform_fixtures" / "sycm_shop_period.csv"
DAILY = Path(__file__).parent / "platform_fixtures" / "sycm_shop_daily.csv"
HEADER = "统计日期,访客数,浏览量,加购人数,商品收藏买家数,下单买家数,支付买家数,支付金额,支付转化率,客单价"


def _rows(con):
    t = con.table("shop_traffic_period")
    return sorted(t.order_by("period_start").to_pyarrow().to_pylist(), key=lambda r: r["period_start"])


def _write(tmp_path: Path, name: str, lines: list[str], encoding: str = "gb18030") -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_the_file_is_gb18030_and_is_told_from_the_daily_download_by_its_values():
    with pytest.raises(UnicodeDecodeError):
        FIXTURE.read_bytes().decode("utf-8")
    for path, expected in ((FIXTURE, "sycm_shop_period"), (DAILY, "sycm_shop_daily")):
        with open_source(path) as src:
            profile, score = profile_detect(list(src.headers), first_record(src))
        assert profile is not None and profile.id == expected and score >= 0.5


def test_a_period_export_imports_its_periods_and_again_changes_nothing(warehouse):
    profile = profile_get("sycm_shop_period")
    out = import_file(FIXTURE, profile=profile, con=warehouse, store_id="tmall", strict=True)
    assert out.loaded and out.rows_rejected == 0 and out.inserted == 5
    rows = _rows(warehouse)
    assert [(r["period_start"], r["period_end"]) for r in rows] == [
        (dt.date(2025, 8, 1), dt.date(2025, 8, 31)), (dt.date(2025, 9, 1), dt.date(2025, 9, 30)),
        (dt.date(2025, 11, 1), dt.date(2025, 11, 30)), (dt.date(2025, 11, 10), dt.date(2025, 11, 16)),
        (dt.date(2025, 11, 24), dt.date(2025, 11, 30))]
    month = rows[2]
    assert (month["store_id"], month["visitors"], month["page_views"], month["add_to_cart_users"],
            month["favorite_users"], month["order_buyers"], month["buyers"], month["paid_amount"]) == (
        "tmall", 9876, 32407, 1302, 470, 366, 321, Decimal("92162.40"))
    assert rows[3]["visitors"] == 9512 and rows[3]["buyers"] == 318
    again = import_file(FIXTURE, profile=profile, con=warehouse, store_id="tmall", strict=True)
    assert again.inserted == 0 and again.updated == 0 and _rows(warehouse) == rows


def test_bad_periods_are_rejected_naming_row_column_value_and_what_was_expected(warehouse, tmp_path):
    path = _write(tmp_path, "bad.csv", [
        HEADER,
        "2025-11-30~2025-11-01,100,1,1,1,1,1,1.00,1%,1",  # row 2: ends before it starts
        "2025-11-01~2025-11-3x,100,1,1,1,1,1,1.00,1%,1",  # row 3: not a date
        "2025-11-01~2025-11-07,,1,1,1,1,1,1.00,1%,1",  # row 4: 访客数 missing
        "2025-11-01 - 2025-11-07,120,1,1,1,1,2,1.00,1%,1",  # row 5: fine (" - " separator)
    ])
    out = import_file(path, profile=profile_get("sycm_shop_period"), con=warehouse, store_id="tmall")
    got = sorted((r.row, r.column, r.value, r.reason) for r in out.rejects)
    assert got == [
        (2, "统计日期", "2025-11-30~2025-11-01", "ends before it starts: expected period_end on or after period_start"),
        (3, "统计日期", "2025-11-01~2025-11-3x",
         "expected a period like 2026-11-01~2026-11-30 (or 2026-11-01至2026-11-30, or one date)"),
        (4, "访客数", "", "required value is missing"),
    ]
    assert [(r["period_start"], r["period_end"], r["visitors"]) for r in _rows(warehouse)] == [
        (dt.date(2025, 11, 1), dt.date(2025, 11, 7), 120)]
    # strict: nothing of the file is written
    strict = import_file(path, profile=profile_get("sycm_shop_period"), con=warehouse, store_id="jd", strict=True)
    assert not strict.loaded and strict.rows_rejected == 3
    assert {r["store_id"] for r in _rows(warehouse)} == {"tmall"}


def test_a_period_file_given_the_daily_profile_is_refused_with_the_profile_it_looks_like(warehouse):
    with pytest.raises(ValidationError) as err:
        import_file(FIXTURE, profile=profile_get("sycm_shop_daily"), con=warehouse, store_id="tmall")
    text = str(err.value)
    assert "row 2, column 统计日期: '2025-11-01~2025-11-30'" in text and "sycm_shop_period" in text
    assert _rows(warehouse) == [] and warehouse.table("shop_traffic_daily").count().execute() == 0


def test_the_jd_and_the_standard_period_layouts(warehouse, tmp_path):
    jd = FIXTURE.with_name("jd_shop_period.csv")
    with pytest.raises(UnicodeDecodeError):
        jd.read_bytes().decode("utf-8")
    with open_source(jd) as src:
        assert profile_detect(list(src.headers), first_record(src))[0].id == "jd_shop_period"
    out = import_file(jd, profile=profile_get("jd_shop_period"), con=warehouse, store_id="jd", strict=True)
    assert out.inserted == 5
    std = _write(tmp_path, "std.csv", [
        "开始日期,结束日期,访客数,浏览量,加购人数,收藏人数,下单买家数,支付买家数,支付金额",
        "2025-11-01,2025-11-30,777,900,50,20,15,12,1200.00",
        "2025-11-09,2025-11-02,5,5,1,1,1,1,1.00",  # ends before it starts
    ], encoding="utf-8")
    out = import_file(std, profile=profile_get("shopops_shop_traffic_period"), con=warehouse, store_id="mini")
    assert [(r.row, r.column, r.value) for r in out.rejects] == [(3, "结束日期", "2025-11-02")]
    got = {(r["store_id"], r["visitors"], r["buyers"], r["paid_amount"], r["favorite_users"]) for r in _rows(warehouse)
           if r["period_start"] == dt.date(2025, 11, 1) and r["period_end"] == dt.date(2025, 11, 30)}
    assert got == {("jd", 5120, 201, Decimal("40200.00"), None), ("mini", 777, 12, Decimal("1200.00"), 20)}


def test_the_period_reasons_read_in_chinese():
    from django.utils import translation

    from shopops.ingest.reasons import reason_display

    with translation.override("zh-hans"):
        assert reason_display("ends before it starts: expected period_end on or after period_start") == \
            "结束早于开始:period_end 应不早于 period_start"
        assert reason_display("expected a period like 2026-11-01~2026-11-30 (or 2026-11-01至2026-11-30, or one date)"
                              ).startswith("应为时间段")


@pytest.mark.django_db
def test_the_upload_page_detects_each_layout_by_its_first_row():
    from shopops.ingest.selectors import upload_inspect

    assert upload_inspect(FIXTURE).profile.id == "sycm_shop_period"
    assert upload_inspect(DAILY).profile.id == "sycm_shop_daily"


def test_the_wrong_layout_message_reads_in_chinese(warehouse):
    from django.utils import translation

    from shopops.ingest.reasons import file_error_display

    with pytest.raises(ValidationError) as err:
        import_file(FIXTURE, profile=profile_get("sycm_shop_daily"), con=warehouse, store_id="tmall")
    with translation.override("zh-hans"):
        shown = file_error_display(str(err.value))
    assert shown.startswith("sycm_shop_period.csv:第 2 行「统计日期」列的值 '2025-11-01~2025-11-30' 不符合导入方案 "
                            "sycm_shop_daily 的格式") and shown.endswith("看起来是导入方案 sycm_shop_period 的文件"), shown
