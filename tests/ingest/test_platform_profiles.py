"""Platform export profiles on hand-written fixtures in the platforms' own layouts.

Every expected value below was worked out by hand from the fixture files in
``platform_fixtures/`` (or the rows written in this module for the .xlsx ones); none
is computed by shopops code. Times in the files are Asia/Shanghai (UTC+8): a 00:05
time on the 11th is 16:05 UTC on the 10th and belongs to business date the 11th.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_detect, profile_get, profile_matches_sample, profiles
from shopops.ingest.readers import first_record, open_source, xlsx_sheets

FIXTURES = Path(__file__).parent / "platform_fixtures"
SALT = "test-salt"  # the PII key of these imports


def hmac_of(phone: str) -> str:
    """HMAC-SHA256 under the test key, computed here (not by the code under test)."""
    return hmac.new(SALT.encode(), phone.encode(), hashlib.sha256).hexdigest()
UTC = dt.UTC

# profile id -> store the fixture belongs to
STORES = {
    "tmall_orders": "tmall",
    "tmall_order_items": "tmall",
    "jd_orders": "jd",
    "pdd_orders": "pdd",
    "douyin_orders": "douyin",
    "sycm_product_traffic": "tmall",
    "sycm_shop_daily": "tmall",
    "sycm_shop_period": "tmall",
    "jd_shop_period": "jd",
    "ads_ztc": "tmall",
    "ads_ylmf": "tmall",
    "ads_wxt": "tmall",
    "ads_jzt": "jd",
    "ads_ddss": "pdd",
    "ads_jlqc": "douyin",
    "reviews_jd": "jd",
    "stock_erp": "tmall",
    "competitor_snapshots_manual": "tmall",
}
# the platforms export GBK; these fixtures are GB18030 bytes (pdd/stock: UTF-8 with BOM)
ENCODINGS = {"sycm_shop_daily": "gb18030", "sycm_shop_period": "gb18030", "jd_shop_period": "gb18030", "tmall_orders": "gb18030", "tmall_order_items": "gb18030", "jd_orders": "gb18030",
             "pdd_orders": "utf-8-sig", "stock_erp": "utf-8-sig"}
XLSX = {"sycm_product_traffic", "competitor_snapshots_manual"}


# --- the two .xlsx fixtures, built from rows written here -----------------------------

SYCM_HEADER = [
    "统计日期", "商品ID", "商品名称", "主商品ID", "商品类型", "货号", "商品状态", "商品访客数", "商品浏览量",
    "平均停留时长", "商品详情页跳出率", "商品收藏人数", "商品加购件数", "商品加购人数", "下单买家数", "下单件数",
    "下单金额", "下单转化率", "支付买家数", "支付件数", "支付金额", "商品支付转化率", "支付新买家数",
    "支付老买家数", "老买家支付金额", "访客平均价值", "成功退款金额",
]


def _sycm(day, pid, name, uv, pv, cart_users, buyers, paid, rate):
    """One 商品排行 row; the columns the profile ignores get plausible constants."""
    return [day, pid, name, pid, "普通商品", "", "当前在线", uv, pv, "18.6", "62.35%", 12, 30, cart_users,
            buyers, buyers, paid, rate, buyers, buyers, paid, rate, 0, 0, 0, "3.20", "0.00"]


def sycm_rows():
    return [
        SYCM_HEADER,
        # text cells as downloaded; 12,345 and 202,644.00 with thousands separators
        _sycm("2025-11-11", 695123456789, "羽绒服女中长款2025新款白鸭绒加厚外套", "12,345", 30567, 1023, 156,
              "202,644.00", "1.26%"),
        # an id that Excel stored as a float, an amount stored as a number
        _sycm("2025-11-11", 695123456790.0, "纯棉长袖T恤女宽松百搭", 5432, 9876, 321, 88, 15752.0, "1.62%"),
        _sycm("2025-11-11", "695123456791", "羊毛围巾女冬季加厚", 2100, 3300, 150, 40, "3596.00", "1.90%"),
        # an Excel date cell (read back as 2025-11-12 00:00:00)
        _sycm(dt.datetime(2025, 11, 12), 695123456789, "羽绒服女中长款2025新款白鸭绒加厚外套", 8000, 20000, 600, 90,
              "116,910.00", "1.13%"),
        _sycm("2025-11-12", 695123456792, "珊瑚绒睡衣套装女冬", 150, 220, 8, 0, "0.00", "0.00%"),
        # a new listing without a payment amount (empty optional field)
        _sycm("2025/11/12", 695123456793, "双面羊绒大衣女中长款", 30, 45, 0, 0, None, "-"),
    ]


COMPETITOR_HEADER = ["日期", "平台", "竞品店铺", "竞品链接ID", "竞品链接", "对标商品ID", "竞品标题", "到手价",
                     "促销信息", "月销量", "备注"]


def competitor_rows():
    return [
        COMPETITOR_HEADER,
        [dt.datetime(2025, 11, 11), "天猫", "波司登官方旗舰店", 712345678901,
         "https://detail.tmall.com/item.htm?id=712345678901", 695123456789, "波司登羽绒服女中长款2025新款",
         1199.0, "跨店每满300减50;88VIP 95折", 1200, None],
        ["2025-11-11", "天猫", "雪中飞官方旗舰店", "723456789012", "https://detail.tmall.com/item.htm?id=723456789012",
         "695123456789", "雪中飞羽绒服女中长款加厚", "¥1,099.00", "满1000减100", "2,000", "主图换了"],
        ["2025/11/12", "淘宝", "小林家女装", 734567890123, "https://item.taobao.com/item.htm?id=734567890123",
         695123456790, "纯棉长袖T恤女宽松", 69.9, None, 5000, "手动记录"],
        [dt.datetime(2025, 11, 12), "天猫", "波司登官方旗舰店", 712345678901,
         "https://detail.tmall.com/item.htm?id=712345678901", 695123456789, "波司登羽绒服女中长款2025新款",
         1099.0, "跨店每满300减50", 1500, None],
        [dt.datetime(2025, 11, 12), "京东", "雪中飞京东自营旗舰店", 100098765432,
         "https://item.jd.com/100098765432.html", 695123456789, "雪中飞羽绒服女中长款", "1149.00", None, None,
         "京东不显示月销"],
    ]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def fixture(pid: str, tmp_path: Path, *, rows: list[list] | None = None) -> Path:
    """The fixture file of a profile (the .xlsx ones are written to tmp_path)."""
    if pid == "sycm_product_traffic":
        return write_xlsx(tmp_path / "【生意参谋平台】商品排行.xlsx", {"商品排行": rows or sycm_rows()})
    if pid == "competitor_snapshots_manual":
        # the template opens on an instructions sheet; the data sheet is found by its header
        return write_xlsx(tmp_path / "竞品监控表.xlsx", {
            "填写说明": [["填写说明"], ["每行一个竞品链接一天；月销量填整数（1万+ 填 10000）"]],
            "竞品监控": rows or competitor_rows(),
        })
    return FIXTURES / f"{pid}.csv"


def run(con, path: Path, pid: str, **kw):
    return import_file(path, profile=profile_get(pid), con=con, store_id=STORES[pid], strict=True, pii_key=SALT, **kw)


def one(con, sql: str):
    return con.raw_sql(sql).fetchone()[0]


def rows_of(con, sql: str) -> list[tuple]:
    return [tuple(r) for r in con.raw_sql(sql).fetchall()]


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def loaded(out, counts: dict[str, int]) -> None:
    assert out.loaded and out.rows_rejected == 0 and out.rejects == []
    assert {t: r.inserted for t, r in out.tables.items()} == counts


# --- every profile has a fixture, and the fixtures are what they claim ----------------

def test_every_platform_profile_has_a_fixture_in_its_encoding():
    ours = {p for p in profiles() if p.split("_")[0] in
            {"tmall", "taobao", "jd", "pdd", "douyin", "sycm", "ads", "reviews", "stock", "competitor"}}
    assert ours == set(STORES)
    for pid in set(STORES) - XLSX:
        raw = (FIXTURES / f"{pid}.csv").read_bytes()
        encoding = ENCODINGS.get(pid, "utf-8")
        if encoding == "gb18030":
            with pytest.raises(UnicodeDecodeError):
                raw.decode("utf-8")
        assert raw.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
        assert 5 <= len(raw.decode(encoding).strip().splitlines()) - 1 <= 15


# --- round trips, expected values by hand -----------------------------------------------

def test_tmall_order_report(warehouse):
    out = run(warehouse, FIXTURES / "tmall_orders.csv", "tmall_orders")
    loaded(out, {"orders": 7})
    got = dict(rows_of(warehouse, "select order_id, status from orders"))
    assert got == {
        "3712345678901234501": "completed", "3712345678901234502": "shipped", "3712345678901234503": "paid",
        "3712345678901234504": "pending_payment", "3712345678901234505": "closed",
        "3712345678901234506": "completed", "3712345678901234507": "completed",
    }
    # 1199.00 + 328.00 + (99.90 − 10.00 买家应付邮费: paid_amount excludes shipping) + 0 + 0 + 649.00 + 1,438.20
    assert one(warehouse, "select sum(paid_amount) from orders") == Decimal("3704.10")
    # paid on the 11th in Shanghai: 1199.00 + 328.00 + 1438.20 (…503 paid at 00:00:15 on the 12th)
    assert one(warehouse, "select sum(paid_amount) from orders where paid_date = '2025-11-11'") == Decimal("2965.20")
    first = rows_of(warehouse, "select customer_id, created_at, paid_at, paid_date, goods_amount, shipping_fee, province "
                               "from orders where order_id = '3712345678901234501'")[0]
    # 2025/11/11 00:05:03 and 00:05:41 in Shanghai; 买家应付货款 "1,299.00"
    assert first == ("tb_xiaomei88", utc(2025, 11, 10, 16, 5, 3), utc(2025, 11, 10, 16, 5, 41),
                     dt.date(2025, 11, 11), Decimal("1299.00"), Decimal("0.00"), None)
    assert rows_of(warehouse, "select paid_date, shipping_fee, paid_amount from orders "
                              "where order_id = '3712345678901234503'") == [
        (dt.date(2025, 11, 12), Decimal("10.00"), Decimal("89.90"))]  # 实付 99.90 less its 10.00 shipping (see profile)
    assert one(warehouse, "select paid_date from orders where order_id = '3712345678901234506'") == dt.date(2025, 11, 10)
    assert one(warehouse, "select count(*) from orders where paid_at is null") == 2


def test_tmall_item_report_adds_lines_and_products_only(warehouse):
    run(warehouse, FIXTURES / "tmall_orders.csv", "tmall_orders")
    out = run(warehouse, FIXTURES / "tmall_order_items.csv", "tmall_order_items")
    loaded(out, {"order_lines": 8, "products": 7})
    assert one(warehouse, "select count(*) from orders") == 7  # untouched
    assert one(warehouse, "select count(*) from customers") == 0
    assert one(warehouse, "select sum(paid_amount) from orders") == Decimal("3704.10")  # 实付 less 邮费 (see above)
    # price × quantity: 1299.00 + 358.00 + 89.90 + 159.00 + 459.00 + 699.00 + 899.00 + 699.00
    assert one(warehouse, "select sum(paid_amount) from order_lines") == Decimal("4661.90")
    assert rows_of(warehouse, "select line_no, product_id, sku_id, quantity, unit_price, paid_amount from order_lines "
                              "where order_id = '3712345678901234507' order by line_no") == [
        (1, "YRF-2025-02", "YRF-2025-02-BK-S", 1, Decimal("899.00"), Decimal("899.00")),
        (2, "WJ-1108", "WJ-1108-RD", 1, Decimal("699.00"), Decimal("699.00")),
    ]
    assert rows_of(warehouse, "select unit_price, quantity, paid_amount from order_lines "
                              "where order_id = '3712345678901234505'") == [(Decimal("153.00"), 3, Decimal("459.00"))]
    assert one(warehouse, "select unit_price from order_lines where order_id = '3712345678901234501'") == Decimal("1299.00")
    assert one(warehouse, "select title from products where product_id = 'TX-0931'") == "纯棉长袖T恤女宽松百搭"


def test_jd_order_export(warehouse):
    out = run(warehouse, FIXTURES / "jd_orders.csv", "jd_orders")
    loaded(out, {"orders": 6, "order_lines": 7, "customers": 4, "products": 5})
    assert dict(rows_of(warehouse, "select order_id, status from orders")) == {
        "301234567890": "completed", "301234567891": "shipped", "301234567892": "paid",
        "301234567893": "pending_payment", "301234567894": "closed", "301234567895": "completed",
    }
    # 应付金额 per order: 547 + 1199 + 399 + 259 + 89 + 238; paid ones only: 547 + 1199 + 399 + 238
    assert one(warehouse, "select sum(paid_amount) from orders") == Decimal("2731.00")
    assert one(warehouse, "select sum(paid_amount) from orders where paid_at is not null") == Decimal("2383.00")
    assert rows_of(warehouse, "select customer_id, goods_amount, paid_amount, created_at, paid_at, paid_date "
                              "from orders where order_id = '301234567890'") == [
        ("jd_7a3f9c21", Decimal("577.00"), Decimal("547.00"), utc(2025, 11, 10, 16, 5, 3),
         utc(2025, 11, 10, 16, 6, 10), dt.date(2025, 11, 11))]
    assert one(warehouse, "select paid_date from orders where order_id = '301234567892'") == dt.date(2025, 11, 12)
    assert rows_of(warehouse, "select shipping_fee, paid_at from orders where order_id = '301234567893'") == [(None, None)]
    assert rows_of(warehouse, "select line_no, product_id, quantity, unit_price, paid_amount, paid_date from order_lines "
                              "where order_id = '301234567890' order by line_no") == [
        (1, "100012345678", 1, Decimal("399.00"), Decimal("399.00"), dt.date(2025, 11, 11)),
        (2, "100023456789", 2, Decimal("89.00"), Decimal("178.00"), dt.date(2025, 11, 11)),
    ]
    # 京东价 "1,299.00"
    assert one(warehouse, "select unit_price from order_lines where order_id = '301234567891'") == Decimal("1299.00")
    assert one(warehouse, "select sum(paid_amount) from order_lines") == Decimal("2881.00")
    # first seen: the earlier of jd_caicai's two orders (2025-11-10 12:00 in Shanghai)
    assert one(warehouse, "select first_seen_at from customers where customer_id = 'jd_caicai'") == utc(2025, 11, 10, 4)


def test_jd_phones_are_hashed_and_masked_never_stored_raw(warehouse):
    run(warehouse, FIXTURES / "jd_orders.csv", "jd_orders")
    got = dict((c, (m, u)) for c, m, u in rows_of(warehouse, "select customer_id, phone_masked, unified_id from customers"))
    assert got == {
        "jd_7a3f9c21": ("138******78", hmac_of("13812345678")),
        "小明同学jd": ("139******11", hmac_of("13900001111")),  # "+86 139-0000-1111"
        "jd_caicai": ("158******22", hmac_of("15800002222")),
        "wx_9876": (None, None),
    }
    for table in ("orders", "order_lines", "customers", "products"):
        dump = warehouse.table(table).to_pandas().to_string()
        for raw in ("13812345678", "13900001111", "15800002222", "139-0000-1111"):
            assert raw not in dump, (table, raw)


def test_pdd_order_export(warehouse):
    out = run(warehouse, FIXTURES / "pdd_orders.csv", "pdd_orders")
    loaded(out, {"orders": 5, "order_lines": 5, "customers": 5, "products": 3})
    assert dict(rows_of(warehouse, "select order_id, status from orders")) == {
        "251111-084512367890123": "completed", "251111-091234567890124": "paid",
        "251112-102345678901125": "shipped", "251110-113456789012126": "refunded",
        "251111-124567890123127": "completed",
    }
    # 用户实付金额: 61.90 + 1149.00 + 37.80 + 69.90 + 54.70; on the 11th: 61.90 + 1149.00 + 54.70
    assert one(warehouse, "select sum(paid_amount) from orders") == Decimal("1373.30")
    assert one(warehouse, "select sum(paid_amount) from orders where paid_date = '2025-11-11'") == Decimal("1265.60")
    # 订单成交时间 is the payment: paid_at = created_at
    assert rows_of(warehouse, "select customer_id, created_at, paid_at, paid_date, province, city from orders "
                              "where order_id = '251111-084512367890123'") == [
        ("guest:251111-084512367890123", utc(2025, 11, 10, 16, 5, 3), utc(2025, 11, 10, 16, 5, 3),
         dt.date(2025, 11, 11), "浙江省", "杭州市")]
    assert one(warehouse, "select paid_date from orders where order_id = '251110-113456789012126'") == dt.date(2025, 11, 10)
    # 商品总价 "1,299.00", 店铺优惠 100.00, 平台优惠 50.00
    assert rows_of(warehouse, "select goods_amount, discount_amount, platform_discount from orders "
                              "where order_id = '251111-091234567890124'") == [
        (Decimal("1299.00"), Decimal("100.00"), Decimal("50.00"))]
    assert rows_of(warehouse, "select quantity, unit_price, discount_amount, paid_amount, sku_id from order_lines "
                              "where order_id = '251112-102345678901125'") == [
        (2, None, Decimal("0.00"), Decimal("37.80"), "3234567890123")]
    assert one(warehouse, "select province from customers where customer_id = 'guest:251111-124567890123127'") == "河南省"
    assert one(warehouse, "select count(*) from refunds") == 0


def test_douyin_order_export(warehouse):
    out = run(warehouse, FIXTURES / "douyin_orders.csv", "douyin_orders")
    loaded(out, {"orders": 5, "order_lines": 6, "customers": 5, "products": 4})
    assert rows_of(warehouse, "select order_id, status, traffic_source from orders order by order_id") == [
        ("6921234567890123456", "completed", "live"),
        ("6921234567890200001", "shipped", "live"),
        ("6921234567890300001", "pending_payment", "feed"),
        ("6921234567890400001", "closed", "search"),
        ("6921234567890500001", "paid", "live"),
    ]
    # sum of 订单应付金额 per order: 179.00 + (108.00 + 189.00) + 29.90 + 199.00 + 1,199.00
    assert one(warehouse, "select sum(paid_amount) from orders") == Decimal("1903.90")
    assert one(warehouse, "select sum(paid_amount) from orders where paid_date = '2025-11-11'") == Decimal("1675.00")
    assert rows_of(warehouse, "select created_at, paid_date from orders where order_id = '6921234567890123456'") == [
        (utc(2025, 11, 10, 16, 5, 3), dt.date(2025, 11, 11))]
    # two sub-orders: goods 59.00 × 2 + 199.00, discounts 10.00 + 10.00, platform share 5.00 (per main order)
    assert rows_of(warehouse, "select goods_amount, discount_amount, platform_discount, paid_amount, province, city "
                              "from orders where order_id = '6921234567890200001'") == [
        (Decimal("317.00"), Decimal("20.00"), Decimal("5.00"), Decimal("297.00"), "广东省", "广州市")]
    assert rows_of(warehouse, "select line_no, product_id, sku_id, quantity, unit_price, discount_amount, paid_amount "
                              "from order_lines where order_id = '6921234567890200001' order by line_no") == [
        (1, "3623456789012345678", "DDK-09-BK", 2, Decimal("59.00"), Decimal("10.00"), Decimal("108.00")),
        (2, "3612345678901234567", "KS-2201-BK-L", 1, Decimal("199.00"), Decimal("10.00"), Decimal("189.00")),
    ]
    # ¥199.00 and "1,299.00" / "1,199.00"
    assert one(warehouse, "select unit_price from order_lines where order_id = '6921234567890123456'") == Decimal("199.00")
    assert rows_of(warehouse, "select goods_amount, paid_amount, platform_discount from orders "
                              "where order_id = '6921234567890500001'") == [
        (Decimal("1299.00"), Decimal("1199.00"), Decimal("30.00"))]
    assert rows_of(warehouse, "select shipping_fee, paid_at from orders where order_id = '6921234567890300001'") == [
        (None, None)]


def test_sycm_product_ranking_xlsx(warehouse, tmp_path):
    out = run(warehouse, fixture("sycm_product_traffic", tmp_path), "sycm_product_traffic")
    loaded(out, {"traffic_daily": 6})
    assert rows_of(warehouse, "select distinct traffic_source from traffic_daily") == [("all",)]
    assert rows_of(warehouse, "select date, count(*) from traffic_daily group by 1 order by 1") == [
        (dt.date(2025, 11, 11), 3), (dt.date(2025, 11, 12), 3)]
    # 12,345 + 5432 + 2100 + 8000 + 150 + 30
    assert one(warehouse, "select sum(visitors) from traffic_daily") == 28057
    # 202,644.00 + 15752 + 3596.00 + 116,910.00 + 0.00 (+ empty)
    assert one(warehouse, "select sum(paid_amount) from traffic_daily") == Decimal("338902.00")
    assert rows_of(warehouse, "select visitors, page_views, add_to_cart_users, buyers, paid_amount from traffic_daily "
                              "where date = '2025-11-12' and product_id = '695123456789'") == [
        (8000, 20000, 600, 90, Decimal("116910.00"))]
    assert one(warehouse, "select buyers from traffic_daily where product_id = '695123456790'") == 88  # float id cell
    assert one(warehouse, "select paid_amount from traffic_daily where product_id = '695123456793'") is None


AD_EXPECTED = {
    # profile: (rows, cost, attributed gmv, attributed orders) summed by hand over the fixture
    "ads_ztc": (6, "5469.50", "37625.00", 35),  # 720 + 180.50 + 3,150 + 234 + 1050 + 135
    "ads_ylmf": (5, "4250.50", "29929.00", 31),  # 900 + 2,000 + 480 + 320 + 550.50
    "ads_wxt": (5, "8710.00", "68047.00", 71),  # 5,040 + 750 + 1920 + 200 + 800; one empty 总成交金额
    "ads_jzt": (5, "4960.00", "10977.00", 23),  # 2,640 + 480 + 1080 + 160 + 600; 总订单行
    "ads_ddss": (5, "1600.00", "5269.20", 56),  # 540 + 320 + 360 + 200 + 180; one empty 交易额
    "ads_jlqc": (5, "6300.00", "19814.00", 113),  # 3,000 + 800 + 1500 + 400 + 600
}


@pytest.mark.parametrize("pid", list(AD_EXPECTED))
def test_ad_reports(warehouse, pid):
    n, cost, gmv, orders = AD_EXPECTED[pid]
    out = run(warehouse, FIXTURES / f"{pid}.csv", pid)
    loaded(out, {"ad_spend_daily": n})
    assert rows_of(warehouse, "select distinct ad_tool from ad_spend_daily") == [(pid.removeprefix("ads_"),)]
    assert one(warehouse, "select sum(cost) from ad_spend_daily") == Decimal(cost)
    assert one(warehouse, "select sum(attributed_gmv) from ad_spend_daily") == Decimal(gmv)
    assert one(warehouse, "select sum(attributed_orders) from ad_spend_daily") == orders
    assert one(warehouse, "select count(distinct date) from ad_spend_daily") == 3


def test_ad_report_details(warehouse):
    run(warehouse, FIXTURES / "ads_ztc.csv", "ads_ztc")
    # 2025/11/11: "50,000" impressions, "2,100" clicks, "3,150.00" spent
    assert rows_of(warehouse, "select plan_name, impressions, clicks, cost, attributed_orders from ad_spend_daily "
                              "where date = '2025-11-11' and plan_id = '31234567'") == [
        ("双11-羽绒服-关键词", 50000, 2100, Decimal("3150.00"), 20)]
    assert one(warehouse, "select plan_name from ad_spend_daily where date = '2025-11-12' and plan_id = '31234568'") is None
    run(warehouse, FIXTURES / "ads_jzt.csv", "ads_jzt")
    assert one(warehouse, "select cost from ad_spend_daily where ad_tool = 'jzt' and date = '2025-11-10'") == Decimal("600.00")
    run(warehouse, FIXTURES / "ads_ddss.csv", "ads_ddss")
    # no plan id in the layout: the plan's name is its id, plan_name stays empty
    assert rows_of(warehouse, "select plan_id, plan_name, cost from ad_spend_daily where ad_tool = 'ddss' "
                              "and date = '2025-11-12' order by plan_id") == [
        ("毛毯-搜索-双11", None, Decimal("360.00")), ("牙刷-搜索-长尾词", None, Decimal("200.00"))]


def test_jd_reviews(warehouse):
    out = run(warehouse, FIXTURES / "reviews_jd.csv", "reviews_jd")
    loaded(out, {"reviews": 6})
    assert rows_of(warehouse, "select rating, count(*) from reviews group by 1 order by 1") == [
        (1, 1), (2, 1), (3, 1), (4, 1), (5, 2)]
    assert one(warehouse, "select count(*) from reviews where rating <= 2") == 2  # 差评
    # 2025-11-12 00:00:05 in Shanghai; no text (empty optional field); identity from order, product, time
    assert rows_of(warehouse, "select review_id, order_id, created_at, review_date, content, customer_id from reviews "
                              "where product_id = '100056789012'") == [
        ("301234567895|100056789012|2025-11-11 16:00:05.000000+00:00", "301234567895",
         utc(2025, 11, 11, 16, 0, 5), dt.date(2025, 11, 12), None, None)]
    assert one(warehouse, "select content from reviews where order_id = '301234567891'") == "收到就有划痕，客服态度差"


def test_erp_stock(warehouse):
    out = run(warehouse, FIXTURES / "stock_erp.csv", "stock_erp")
    loaded(out, {"inventory_snapshots": 6})
    # 可用数: "1,200" + 70 + 0 on the 11th; 1060 + 70 + 197 on 2025/11/12 (a negative 可用数 is refused:
    # tests/inventory/test_erp_imports.py)
    assert rows_of(warehouse, "select date, sum(on_hand) from inventory_snapshots group by 1 order by 1") == [
        (dt.date(2025, 11, 11), 1270), (dt.date(2025, 11, 12), 1327)]
    assert one(warehouse, "select sum(in_transit) from inventory_snapshots") == 800
    assert rows_of(warehouse, "select on_hand, in_transit from inventory_snapshots "
                              "where date = '2025-11-11' and sku_id = 'TX-0931-BK-L'") == [(70, None)]


def test_competitor_template_xlsx(warehouse, tmp_path):
    out = run(warehouse, fixture("competitor_snapshots_manual", tmp_path), "competitor_snapshots_manual")
    loaded(out, {"competitor_snapshots": 5})
    # 1199.0 (number cell) + "¥1,099.00" + 69.9 + 1099.0 + "1149.00"
    assert one(warehouse, "select sum(price) from competitor_snapshots") == Decimal("4615.90")
    # 1200 + "2,000" + 5000 + 1500 (+ empty)
    assert one(warehouse, "select sum(monthly_sales) from competitor_snapshots") == 9700
    assert rows_of(warehouse, "select competitor_item_id, date, competitor, product_id, price, promo_text "
                              "from competitor_snapshots order by date, competitor_item_id") == [
        ("712345678901", dt.date(2025, 11, 11), "波司登官方旗舰店", "695123456789", Decimal("1199.00"),
         "跨店每满300减50;88VIP 95折"),
        ("723456789012", dt.date(2025, 11, 11), "雪中飞官方旗舰店", "695123456789", Decimal("1099.00"), "满1000减100"),
        ("100098765432", dt.date(2025, 11, 12), "雪中飞京东自营旗舰店", "695123456789", Decimal("1149.00"), None),
        ("712345678901", dt.date(2025, 11, 12), "波司登官方旗舰店", "695123456789", Decimal("1099.00"), "跨店每满300减50"),
        ("734567890123", dt.date(2025, 11, 12), "小林家女装", "695123456790", Decimal("69.90"), None),
    ]


# --- detection, re-import ---------------------------------------------------------------

@pytest.mark.parametrize("pid", list(STORES))
def test_detect_picks_the_profile_for_its_own_export(pid, tmp_path):
    path = fixture(pid, tmp_path)
    sample = None
    if pid in XLSX:  # a workbook: try each sheet's header row, keep the best match
        headers = list(max((h for _, h in xlsx_sheets(path)), key=lambda h: profile_detect(list(h))[1]))
    else:
        with open_source(path) as src:
            headers, sample = list(src.headers), first_record(src)
    profile, score = profile_detect(headers, sample)
    assert profile is not None and profile.id == pid and score > 0.6
    # no similar profile that could take the file comes close (the ad tools share most metric names); 生意参谋's
    # 按日 and period downloads share their headers and are told apart by the first row's 统计日期
    got = set(headers)
    others = [len(set(p.headers) & got) / len(set(p.headers) | got) for p in profiles().values()
              if p.id != pid and {f.source for f in p.fields if f.required} <= got
              and (sample is None or profile_matches_sample(p, sample))]
    assert max(others, default=0.0) < 0.5


@pytest.mark.parametrize("pid", list(STORES))
def test_reimporting_changes_nothing(warehouse, tmp_path, pid):
    path = fixture(pid, tmp_path)
    first = run(warehouse, path, pid)
    again = run(warehouse, path, pid)
    assert first.loaded and first.inserted > 0
    assert again.loaded and again.rows_rejected == 0
    assert {t: (r.inserted, r.updated) for t, r in again.tables.items()} == {t: (0, 0) for t in first.tables}


# --- one bad value per family: strict mode names it and loads nothing --------------------

MONEY = "expected an amount like 1299.00 or ¥1,299.00 (at most 2 decimals)"
WHOLE = "expected a whole number"
BAD_CSV = [
    # profile, (old, new) replaced once in the fixture text, expected (row, column, value, reason)
    ("tmall_orders", (",328.00,", ",328.005,"), (3, "买家实际支付金额", "328.005", MONEY)),
    ("tmall_order_items", (",179.00,2,", ",179.00,两,"), (3, "购买数量", "两", WHOLE)),
    ("jd_orders", (",13812345678,", ",1381234567,"), (2, "联系电话", "138*****67", "expected an 11-digit mobile number (or one masked as 138****5678)")),
    ("pdd_orders", (",已发货，待签收,", ",已发货，待收货,"),
     (4, "订单状态", "已发货，待收货",
      "unknown value; expected one of: 待发货, 已发货，待签收, 已签收, 未发货，退款成功, 已发货，退款成功")),
    ("douyin_orders", ("2025-11-11 12:30:00", "2025-11-31 12:30:00"),
     (7, "订单提交时间", "2025-11-31 12:30:00", "expected a date and time like 2025-11-11 00:05:00")),
    ("ads_ztc", (',"3,150.00",', ',"3,150.00元",'), (4, "花费", "3,150.00元", MONEY)),
    ("reviews_jd", (",301234567890,5,", ",301234567890,5星,"), (2, "评价星级", "5星", WHOLE)),
    ("stock_erp", (",TX-0931-BK-L,纯棉长袖T恤女,TX-0931,黑色;L,80,", ",,纯棉长袖T恤女,TX-0931,黑色;L,80,"),
     (3, "商品编码", "", "required value is missing")),
]


@pytest.mark.parametrize(("pid", "edit", "expected"), BAD_CSV, ids=[b[0] for b in BAD_CSV])
def test_one_bad_value_is_named_and_nothing_loads(warehouse, tmp_path, pid, edit, expected):
    encoding = ENCODINGS.get(pid, "utf-8")
    text = (FIXTURES / f"{pid}.csv").read_bytes().decode(encoding)
    assert text.count(edit[0]) >= 1
    bad = tmp_path / f"{pid}.csv"
    bad.write_bytes(text.replace(edit[0], edit[1], 1).encode(encoding))
    out = run(warehouse, bad, pid)
    _rejected_exactly(warehouse, out, pid, expected)


def test_bad_values_in_workbooks_are_named_by_spreadsheet_row(warehouse, tmp_path):
    rows = sycm_rows()
    rows[2][SYCM_HEADER.index("商品访客数")] = "5.4万"  # row 3 of the sheet
    out = run(warehouse, fixture("sycm_product_traffic", tmp_path, rows=rows), "sycm_product_traffic")
    _rejected_exactly(warehouse, out, "sycm_product_traffic", (3, "商品访客数", "5.4万", WHOLE))
    rows = competitor_rows()
    rows[2][COMPETITOR_HEADER.index("月销量")] = "1万+"
    out = run(warehouse, fixture("competitor_snapshots_manual", tmp_path, rows=rows), "competitor_snapshots_manual")
    _rejected_exactly(warehouse, out, "competitor_snapshots_manual", (3, "月销量", "1万+", WHOLE))


def _rejected_exactly(con, out, pid, expected):
    assert not out.loaded and out.rows_rejected == 1
    assert [(r.row, r.column, r.value, r.reason) for r in out.rejects] == [expected]
    table = profile_get(pid).table
    for name in (["orders", "order_lines", "customers", "products"] if table == "sales_lines" else [table]):
        assert con.table(name).count().execute() == 0, name
