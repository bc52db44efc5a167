"""The mapping suggester, the mapping checks and the TOML a saved mapping is written as.

Expected mappings are written by hand from the headers (what a person would map), not
read back from the suggester.
"""

from pathlib import Path

import pytest

from shopops.ingest.mapping import (
    SALES_LINES,
    ColumnMapping,
    ProblemKind,
    Reason,
    mapping_problems,
    mapping_targets,
    mapping_toml,
    normalise_header,
    suggest_mapping,
    suggest_target,
    target_fields,
)
from shopops.ingest.profiles import FieldType, profile_from_toml, profile_get, profiles
from shopops.warehouse.schema import TABLES

FIXTURE_PROFILE = profile_from_toml(
    (Path(__file__).parent / "fixtures" / "online_retail_uci.toml").read_text(encoding="utf-8")
)
UCI_HEADERS = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID", "Country"]
ALL_PROFILES = list(profiles().values())


def fields_of(suggestions):
    return {s.mapping.source: s.mapping.to for s in suggestions}


def test_uci_headers_get_the_mapping_of_the_hand_written_profile():
    suggestions = suggest_mapping(UCI_HEADERS, target=SALES_LINES, profiles=ALL_PROFILES)
    expected = {f.source: f.to for f in FIXTURE_PROFILE.fields}
    # Country -> province is a judgement call of the fixture; the suggester leaves it alone
    assert fields_of(suggestions) == {**expected, "Country": ""}
    types = {s.mapping.source: s.mapping.type for s in suggestions}
    assert types["Quantity"] is FieldType.INT
    assert types["InvoiceDate"] is FieldType.DATETIME
    assert types["UnitPrice"] is FieldType.MONEY
    assert types["CustomerID"] is FieldType.ID  # 17850.0 -> 17850
    assert types["Country"] is FieldType.IGNORE
    required = {s.mapping.source for s in suggestions if s.mapping.required}
    assert required == {"InvoiceNo", "StockCode", "Quantity", "InvoiceDate"}


def test_every_header_gets_one_suggestion_in_header_order():
    headers = ["b", "Quantity", "a"]
    suggestions = suggest_mapping(headers, target=SALES_LINES)
    assert [s.mapping.source for s in suggestions] == headers
    assert [(s.mapping.to, s.reason, s.confidence) for s in suggestions] == [
        ("", Reason.NONE, 0.0), ("quantity", Reason.NAME, 1.0), ("", Reason.NONE, 0.0),
    ]


def test_headers_a_profile_of_the_same_table_maps_win_and_say_which_profile():
    headers = ["订单编号", "买家ID", "下单时间", "实付金额（元）", "收货省份"]
    suggestions = suggest_mapping(headers, target="orders", profiles=[profile_get("shopops_orders")])
    assert fields_of(suggestions) == {
        "订单编号": "order_id", "买家ID": "customer_id", "下单时间": "created_at",
        "实付金额（元）": "paid_amount",  # full-width brackets and the unit do not count
        "收货省份": "province",
    }
    assert {(s.reason, s.detail) for s in suggestions} == {(Reason.PROFILE, "shopops_orders")}
    assert all(s.confidence == 1.0 for s in suggestions)


def test_an_orders_profile_header_becomes_the_order_level_field_of_sales_lines():
    suggestions = suggest_mapping(["实付金额", "商品总金额"], target=SALES_LINES,
                                  profiles=[profile_get("shopops_orders")])
    assert fields_of(suggestions) == {"实付金额": "order_paid_amount", "商品总金额": "order_goods_amount"}


def test_a_status_column_is_not_suggested_from_a_profile_with_a_label_table():
    # the profile's 订单状态 needs its [status] table of labels, which a mapping does not carry
    suggestions = suggest_mapping(["订单状态"], target="orders", profiles=[profile_get("shopops_orders")])
    assert fields_of(suggestions) == {"订单状态": ""}


def test_synonyms_and_similar_names():
    suggestions = suggest_mapping(["商品名称", "数量", "Unit Price", "Quantiy"], target="order_lines")
    got = {s.mapping.source: (s.mapping.to, s.reason) for s in suggestions}
    assert got["商品名称"] == ("", Reason.NONE)  # order_lines has no title
    assert got["数量"] == ("quantity", Reason.SYNONYM)
    assert got["Unit Price"] == ("unit_price", Reason.NAME)  # separators and case do not count
    assert got["Quantiy"] == ("", Reason.NONE)  # quantity is taken by 数量 already


def test_a_misspelt_header_is_matched_as_similar_when_the_field_is_free():
    [s] = suggest_mapping(["Quantiy"], target="order_lines")
    assert (s.mapping.to, s.reason, s.confidence) == ("quantity", Reason.SIMILAR, 0.6)


def test_each_field_goes_to_one_column_the_most_confident():
    # "quantity" is the canonical name (1.0); "数量" only a synonym (0.9)
    suggestions = suggest_mapping(["数量", "quantity"], target="order_lines")
    assert fields_of(suggestions) == {"数量": "", "quantity": "quantity"}
    # on a tie the leftmost column wins
    suggestions = suggest_mapping(["数量", "购买数量"], target="order_lines")
    assert fields_of(suggestions) == {"数量": "quantity", "购买数量": ""}


def test_normalise_header():
    assert normalise_header(" Unit_Price ") == "unitprice"
    assert normalise_header("实付金额（元）") == "实付金额"
    assert normalise_header("ＳＫＵ　ＩＤ") == "skuid"


def test_targets_are_sales_lines_and_every_canonical_table():
    assert mapping_targets() == [SALES_LINES, *TABLES]


def test_target_fields_types_and_required():
    orders = {f.name: f for f in target_fields("orders")}
    assert orders["paid_amount"].type is FieldType.MONEY and orders["paid_amount"].required
    assert orders["created_at"].type is FieldType.DATETIME and orders["created_at"].required
    assert orders["order_id"].type is FieldType.ID
    assert not orders["store_id"].required  # the store is chosen at import
    assert not orders["paid_date"].required  # derived from paid_at
    assert target_fields("stores")[0].name == "store_id" and target_fields("stores")[0].required
    events = {f.name: f for f in target_fields("events")}
    assert not events["event_date"].required  # derived from occurred_at
    assert "phone" in {f.name for f in target_fields("customers")}
    assert "paid_at" in {f.name for f in target_fields("order_lines")}  # a derivation input
    lines = {f.name: f for f in target_fields(SALES_LINES)}
    assert {n for n, f in lines.items() if f.required} == {"order_id", "product_id", "quantity", "created_at"}
    assert lines["line_paid_amount"].type is FieldType.MONEY
    assert lines["phone"].type is FieldType.PHONE
    with pytest.raises(KeyError, match="unknown target"):
        target_fields("nope")


def test_suggested_target_of_uci_headers_is_sales_lines_and_of_an_orders_file_orders():
    assert suggest_target(UCI_HEADERS, ALL_PROFILES) == SALES_LINES
    orders_headers = ["订单编号", "买家ID", "订单状态", "下单时间", "付款时间", "实付金额"]
    assert suggest_target(orders_headers, ALL_PROFILES) == "orders"


def M(source, to, type_=FieldType.STRING, **kw):  # noqa: N802 - short test helper
    return ColumnMapping(source, to, type_, **kw)


def test_problems_missing_twice_type_unknown_and_amount():
    columns = [
        M("a", "order_id"), M("b", "order_id"), M("q", "quantity", FieldType.MONEY), M("z", "no_such"),
        M("d", "created_at", FieldType.DATETIME), M("x", "", FieldType.IGNORE),
    ]
    problems = {(p.kind, p.field, p.sources) for p in mapping_problems(SALES_LINES, columns)}
    assert problems == {
        (ProblemKind.TWICE, "order_id", ("a", "b")),
        (ProblemKind.TYPE, "quantity", ("q",)),
        (ProblemKind.UNKNOWN, "no_such", ("z",)),
        (ProblemKind.MISSING, "product_id", ()),
        (ProblemKind.MISSING, "customer_id", ()),  # no buyer column and no guest option
        (ProblemKind.AMOUNT, "unit_price", ()),
    }
    messages = [p.message() for p in mapping_problems(SALES_LINES, columns)]
    assert "a, b are all mapped to order_id; map one column to each field" in messages


def test_the_uci_mapping_has_no_problem_and_guests_make_the_buyer_optional():
    columns = [M(f.source, f.to, f.type, required=f.required, round=f.round) for f in FIXTURE_PROFILE.fields]
    assert mapping_problems(SALES_LINES, columns, FIXTURE_PROFILE.options) == []
    without_buyer = [c for c in columns if c.to != "customer_id"]
    assert mapping_problems(SALES_LINES, without_buyer, {"guest_customer": True}) == []
    assert [p.field for p in mapping_problems(SALES_LINES, without_buyer, {})] == ["customer_id"]


def test_toml_round_trips_to_the_same_profile_as_the_fixture():
    columns = [M(f.source, f.to, f.type, required=f.required, round=f.round) for f in FIXTURE_PROFILE.fields]
    text = mapping_toml(profile_id="online_retail_uci", name="UCI Online Retail 交易明细", target=SALES_LINES,
                        columns=columns, options=FIXTURE_PROFILE.options, name_en="UCI Online Retail transactions")
    profile = profile_from_toml(text)
    assert profile == FIXTURE_PROFILE


def test_toml_quotes_awkward_headers_and_writes_ignored_columns():
    columns = [M('单 "价"\\元', "unit_price", FieldType.MONEY, round=True), M("备注\t1", "", FieldType.IGNORE),
               M("x", "quantity", FieldType.INT, required=True)]
    profile = profile_from_toml(mapping_toml(profile_id="odd", name="奇怪", target="order_lines", columns=columns))
    assert [(f.source, f.to, f.type, f.round, f.required) for f in profile.fields] == [
        ('单 "价"\\元', "unit_price", FieldType.MONEY, True, False),
        ("备注\t1", "", FieldType.IGNORE, False, False),
        ("x", "quantity", FieldType.INT, False, True),
    ]
    assert profile.options == {}
