"""Generic mapping: which canonical field each column of an unknown file holds.

Pure functions over headers and profiles (no Django), used by the mapping page and
its service:

- ``target_fields(target)``: what a target (a canonical table or the virtual
  ``sales_lines``) can receive, with the type each field expects;
- ``suggest_mapping(headers, target=…, profiles=…)``: a suggestion per column, from the
  header's name — an exact canonical column name, a source header some existing
  profile already maps, a known synonym, or (weakest) a similar name;
- ``mapping_problems(target, columns)``: what stops a mapping from loading;
- ``mapping_toml(…)``: the mapping written as a profile, in the format of
  ``ingest/profiles/*.toml``.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import ibis.expr.datatypes as dt

from shopops.ingest.pipeline import BUSINESS_DATES
from shopops.ingest.profiles import DERIVATION_INPUTS, VIRTUAL_TABLES, FieldType, Profile
from shopops.warehouse.schema import TABLES

SALES_LINES = "sales_lines"

# The types a user may give a column on the mapping page. STATUS needs a table of the
# platform's labels, which only a hand-written profile carries.
MAPPABLE_TYPES: tuple[FieldType, ...] = (
    FieldType.STRING,
    FieldType.ID,
    FieldType.INT,
    FieldType.MONEY,
    FieldType.DATE,
    FieldType.DATETIME,
    FieldType.UNIX_SECONDS,
    FieldType.BOOLEAN,
    FieldType.PHONE,
    FieldType.IGNORE,
)

# The types a column may have to fill a field of a given (expected) type.
COMPATIBLE: dict[FieldType, frozenset[FieldType]] = {
    FieldType.STRING: frozenset({FieldType.STRING, FieldType.ID}),
    FieldType.ID: frozenset({FieldType.ID, FieldType.STRING}),
    FieldType.INT: frozenset({FieldType.INT}),
    FieldType.MONEY: frozenset({FieldType.MONEY}),
    FieldType.DATE: frozenset({FieldType.DATE}),
    FieldType.DATETIME: frozenset({FieldType.DATETIME, FieldType.UNIX_SECONDS}),
    FieldType.BOOLEAN: frozenset({FieldType.BOOLEAN}),
    FieldType.PHONE: frozenset({FieldType.PHONE}),
}

# sales_lines fields that are a canonical column under another name: (table, column).
VIRTUAL_SOURCES: dict[str, tuple[str, str]] = {
    "order_goods_amount": ("orders", "goods_amount"),
    "order_discount_amount": ("orders", "discount_amount"),
    "order_paid_amount": ("orders", "paid_amount"),
    "line_discount": ("order_lines", "discount_amount"),
    "line_paid_amount": ("order_lines", "paid_amount"),
    "refund_amount": ("refunds", "amount"),
    "refund_status": ("refunds", "status"),
}
# where the other sales_lines fields come from, in this order
_SALES_LINES_TABLES = ("orders", "order_lines", "customers", "products", "refunds")
SALES_LINES_REQUIRED = frozenset({"order_id", "product_id", "quantity", "created_at"})
SALES_LINES_AMOUNTS = ("unit_price", "line_paid_amount")  # at least one of them

# Options of a sales_lines mapping (see ingest/sales_lines.py): name -> kind.
SALES_LINES_OPTIONS: dict[str, str] = {
    "guest_customer": "bool",
    "paid_at_from_created": "bool",
    "cancel_prefix": "text",
    "default_status": "status",
}
ORDER_STATUSES = ("pending_payment", "paid", "shipped", "completed", "closed", "refunded")

# Header words that name a field, beyond the canonical name itself. Keys are field
# names of canonical tables or of sales_lines; a key only counts for a target that has
# that field.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "order_id": ("订单号", "订单编号", "订单ID", "主订单编号", "订单id", "order no", "order number", "invoice",
                 "invoice no", "invoiceno", "invoice number"),
    "customer_id": ("买家ID", "买家id", "买家会员名", "买家昵称", "客户ID", "客户编号", "会员ID", "用户ID", "customer",
                    "customerid", "customer id", "buyer", "buyer id", "user id", "client id"),
    "product_id": ("商品ID", "商品id", "商品编号", "宝贝ID", "货号", "stockcode", "stock code", "item id", "itemid",
                   "product", "product code", "productid", "item code"),
    "sku_id": ("SKU ID", "SKU编码", "SKUID", "sku", "规格ID", "sku code"),
    "title": ("商品名称", "商品标题", "宝贝标题", "宝贝名称", "标题", "description", "product name", "item name",
              "name of product"),
    "quantity": ("数量", "购买数量", "商品数量", "件数", "qty", "units", "quantity ordered"),
    "unit_price": ("单价", "商品单价", "价格", "销售单价", "unitprice", "unit price", "price", "price each"),
    "created_at": ("下单时间", "创建时间", "订单创建时间", "成交时间", "invoicedate", "invoice date", "order date",
                   "order time", "created", "created time", "purchase date"),
    "paid_at": ("付款时间", "支付时间", "payment time", "paid time", "payment date"),
    "order_paid_amount": ("实付金额", "买家实付", "实收款", "订单实付金额", "订单金额", "支付金额", "amount paid",
                          "order total", "total paid"),
    "paid_amount": ("实付金额", "买家实付", "实收款", "支付金额", "amount paid", "total paid"),
    "line_paid_amount": ("商品实付金额", "明细实付金额", "line total", "line amount", "sales"),
    "order_goods_amount": ("商品总金额", "商品总价", "goods amount"),
    "goods_amount": ("商品总金额", "商品总价", "goods amount"),
    "order_discount_amount": ("优惠金额", "订单优惠", "discount"),
    "discount_amount": ("优惠金额", "分摊优惠", "discount"),
    "line_discount": ("分摊优惠", "商品优惠", "line discount"),
    "shipping_fee": ("运费", "邮费", "shipping", "shipping fee", "postage", "freight"),
    "platform_discount": ("平台优惠", "平台补贴", "platform discount"),
    "refund_amount": ("退款金额", "refund amount", "refunded amount"),
    "amount": ("退款金额", "refund amount"),
    "province": ("省份", "省", "收货省份", "收货地址省份", "state", "region"),
    "city": ("城市", "市", "收货城市", "收货地址城市"),
    "phone": ("手机号", "手机号码", "联系电话", "联系手机", "收货人手机", "mobile", "phone number", "telephone"),
    "traffic_source": ("流量来源", "来源", "渠道", "source", "channel"),
    "is_presale": ("是否预售", "预售", "presale"),
    "line_no": ("行号", "子订单序号", "line", "line number"),
    "date": ("日期", "统计日期", "day", "stat date"),
    "visitors": ("访客数", "uv", "unique visitors"),
    "page_views": ("浏览量", "pv", "pageviews", "page views"),
    "add_to_cart_users": ("加购人数", "加购件数", "add to cart"),
    "buyers": ("支付买家数", "买家数", "buyers"),
    "ad_tool": ("推广工具", "投放工具", "ad tool", "ad product"),
    "plan_id": ("计划ID", "推广计划ID", "campaign id", "plan id"),
    "plan_name": ("计划名称", "推广计划名称", "campaign", "campaign name"),
    "impressions": ("展现量", "曝光量", "展现", "impressions", "views"),
    "clicks": ("点击量", "点击数", "clicks"),
    "cost": ("花费", "消耗", "成本", "spend", "cost"),
    "attributed_orders": ("成交笔数", "总成交笔数", "conversions"),
    "attributed_gmv": ("成交金额", "总成交金额", "revenue"),
    "attributed_cart_adds": ("加购数", "总购物车数", "总加购数", "cart adds", "add to carts"),
    "review_id": ("评价ID", "评论ID", "review id"),
    "rating": ("评分", "星级", "打分", "stars", "score"),
    "content": ("评价内容", "评论内容", "评价", "review", "comment", "text"),
    "on_hand": ("库存", "可用库存", "实际库存", "stock", "on hand", "inventory"),
    "in_transit": ("在途库存", "在途", "in transit"),
    "event_id": ("事件ID", "event id"),
    "visitor_id": ("访客ID", "user id", "userid", "visitor"),
    "event_type": ("行为类型", "事件类型", "behavior type", "event"),
    "occurred_at": ("发生时间", "时间", "timestamp", "time"),
    "refund_id": ("退款编号", "退款单号", "售后单号", "refund id"),
    "refunded_at": ("退款完成时间", "退款时间", "refund time"),
    "requested_at": ("申请时间", "退款申请时间", "request time"),
    "reason": ("退款原因", "售后原因", "reason"),
    "category": ("类目", "一级类目", "category"),
    "subcategory": ("二级类目", "子类目", "subcategory"),
    "brand": ("品牌", "brand"),
    "list_price": ("吊牌价", "原价", "list price", "msrp"),
    "spec": ("规格", "销售属性", "spec", "variant"),
    "merchant_code": ("商家编码", "外部编码", "merchant code"),
    "member_level": ("会员等级", "member level"),
    "gender": ("性别", "gender", "sex"),
    "first_seen_at": ("首次访问时间", "注册时间", "first seen", "signup date"),
    "competitor": ("竞品店铺", "竞店", "competitor"),
    "competitor_item_id": ("竞品ID", "竞品商品ID", "competitor item"),
    "promo_text": ("促销信息", "活动信息", "promotion"),
    "monthly_sales": ("月销量", "月销", "monthly sales"),
    "platform": ("平台", "platform"),
    "name": ("店铺名称", "店铺名", "store name", "shop name"),
    "currency": ("币种", "货币", "currency"),
    "time_zone": ("时区", "time zone", "timezone"),
}

CONFIDENCE_NAME = 1.0  # the header is the canonical column name
CONFIDENCE_PROFILE_SAME_TABLE = 1.0  # a profile of this target maps this header to the field
CONFIDENCE_SYNONYM = 0.9
CONFIDENCE_PROFILE_OTHER_TABLE = 0.85  # a profile of another table maps this header to the field
CONFIDENCE_SIMILAR = 0.6  # a close spelling of a name or synonym
SIMILAR_CUTOFF = 0.85


class Reason(StrEnum):
    NAME = "name"
    PROFILE = "profile"
    SYNONYM = "synonym"
    SIMILAR = "similar"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class TargetField:
    name: str
    type: FieldType  # the type a column filling it is given by default
    required: bool  # a mapping of this target must fill it


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """One column of the file: the field it fills (``""`` with IGNORE) and how to type it."""

    source: str
    to: str
    type: FieldType
    required: bool = False
    round: bool = False


@dataclass(frozen=True, slots=True)
class Suggestion:
    mapping: ColumnMapping
    confidence: float  # 0 when nothing matched (the column is ignored)
    reason: Reason
    detail: str = ""  # the profile id for Reason.PROFILE, the matched word for SYNONYM/SIMILAR


class ProblemKind(StrEnum):
    MISSING = "missing"  # a required field is not filled by any column
    TWICE = "twice"  # several columns fill the same field
    TYPE = "type"  # the column's type cannot fill the field
    UNKNOWN = "unknown"  # the field does not exist in the target
    AMOUNT = "amount"  # sales_lines: neither unit_price nor line_paid_amount is filled


@dataclass(frozen=True, slots=True)
class MappingProblem:
    kind: ProblemKind
    field: str
    sources: tuple[str, ...] = ()

    def message(self) -> str:
        """The problem in English (the web page shows a translated text)."""
        if self.kind is ProblemKind.MISSING and self.field == "customer_id":
            return "no column is mapped to customer_id: map the buyer id, or tick guest_customer"
        if self.kind is ProblemKind.MISSING:
            return f"no column is mapped to the required field {self.field}"
        if self.kind is ProblemKind.TWICE:
            return f"{', '.join(self.sources)} are all mapped to {self.field}; map one column to each field"
        if self.kind is ProblemKind.TYPE:
            return f"column {self.sources[0]} cannot fill {self.field} with that type"
        if self.kind is ProblemKind.UNKNOWN:
            return f"column {self.sources[0]} is mapped to {self.field}, which this target does not have"
        return "map unit_price or line_paid_amount: a sales line needs an amount"


# --- targets ----------------------------------------------------------------------------

def mapping_targets() -> list[str]:
    """Every target a mapping can load into: sales_lines first, then the canonical tables."""
    return [SALES_LINES, *TABLES]


def _type_of(dtype: dt.DataType, name: str) -> FieldType:
    if dtype.is_decimal():
        return FieldType.MONEY
    if dtype.is_timestamp():
        return FieldType.DATETIME
    if dtype.is_date():
        return FieldType.DATE
    if dtype.is_integer():
        return FieldType.INT
    if dtype.is_boolean():
        return FieldType.BOOLEAN
    if name.endswith("_id"):
        return FieldType.ID  # spreadsheets turn numeric ids into floats: 17850.0
    return FieldType.STRING


def _virtual_field_type(name: str) -> FieldType:
    if name == "phone":
        return FieldType.PHONE
    table, column = VIRTUAL_SOURCES.get(name, (None, name))
    for candidate in ([table] if table else _SALES_LINES_TABLES):
        if column in TABLES[candidate].column_names:
            return _type_of(TABLES[candidate].column(column).dtype, column)
    return FieldType.DATETIME if name.endswith("_at") else FieldType.STRING


def target_fields(target: str) -> list[TargetField]:
    """The fields a column may fill, in the target's column order."""
    if target == SALES_LINES:
        order = [c for t in _SALES_LINES_TABLES for c in TABLES[t].column_names]
        names = sorted(VIRTUAL_TABLES[SALES_LINES], key=lambda n: (order.index(n) if n in order else len(order), n))
        return [TargetField(n, _virtual_field_type(n), n in SALES_LINES_REQUIRED) for n in names]
    if target not in TABLES:
        raise KeyError(f"unknown target {target!r}; known: {', '.join(mapping_targets())}")
    table = TABLES[target]
    derived_day = BUSINESS_DATES.get(target, (None, None))[1]
    out = []
    for column in table.columns:
        automatic = (column.name == "store_id" and target != "stores") or column.name == derived_day
        out.append(TargetField(column.name, _type_of(column.dtype, column.name), not column.nullable and not automatic))
    for name in sorted(DERIVATION_INPUTS.get(target, ())):
        out.append(TargetField(name, FieldType.DATETIME, False))
    if "unified_id" in table.column_names:
        out.append(TargetField("phone", FieldType.PHONE, False))
    return out


# --- suggestions ------------------------------------------------------------------------

_PARENTHESISED_TAIL = re.compile(r"\([^()]*\)$")
_SEPARATORS = re.compile(r"[\s_\-./:#]+")


def normalise_header(text: str) -> str:
    """Compare headers loosely: width, case, separators and a unit in brackets don't count.

    ``"实付金额（元）"`` -> ``"实付金额"``, ``"Unit Price"`` -> ``"unitprice"``.
    """
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = _PARENTHESISED_TAIL.sub("", text).strip()
    return _SEPARATORS.sub("", text)


def _translate(column: str, from_table: str, target: str) -> str | None:
    """The target's name for a column of another table, when the target has one."""
    if from_table == target:
        return column
    if target == SALES_LINES:
        for virtual, source in VIRTUAL_SOURCES.items():
            if source == (from_table, column):
                return virtual
        return column if column in VIRTUAL_TABLES[SALES_LINES] else None
    if from_table == SALES_LINES and column in VIRTUAL_SOURCES:
        table, canonical = VIRTUAL_SOURCES[column]
        return canonical if table == target else None
    return column


@dataclass(frozen=True, slots=True)
class _Candidate:
    confidence: float
    to: str
    type: FieldType
    round: bool
    reason: Reason
    detail: str


def _candidates(header: str, fields: dict[str, TargetField], target: str, profiles: Sequence[Profile]) -> list[_Candidate]:
    key = normalise_header(header)
    found: list[_Candidate] = []
    for name, spec in fields.items():
        if normalise_header(name) == key:
            found.append(_Candidate(CONFIDENCE_NAME, name, spec.type, False, Reason.NAME, name))
    for profile in profiles:
        for spec in profile.fields:
            if spec.type in (FieldType.IGNORE, FieldType.STATUS) or normalise_header(spec.source) != key:
                continue  # a status column's labels need the profile's own table of codes
            to = "phone" if spec.type is FieldType.PHONE else _translate(spec.to, profile.table, target)
            if to is None or to not in fields:
                continue
            same = profile.table == target
            kind = spec.type if spec.type in COMPATIBLE.get(fields[to].type, ()) else fields[to].type
            found.append(_Candidate(
                CONFIDENCE_PROFILE_SAME_TABLE if same else CONFIDENCE_PROFILE_OTHER_TABLE,
                to, kind, spec.round and kind is FieldType.MONEY, Reason.PROFILE, profile.id,
            ))
    for name, words in SYNONYMS.items():
        if name in fields:
            for word in words:
                if normalise_header(word) == key:
                    found.append(_Candidate(CONFIDENCE_SYNONYM, name, fields[name].type, False, Reason.SYNONYM, word))
                    break
    if not found and key:
        vocabulary: dict[str, tuple[str, str]] = {}
        for name in fields:
            vocabulary.setdefault(normalise_header(name), (name, name))
            for word in SYNONYMS.get(name, ()):
                vocabulary.setdefault(normalise_header(word), (name, word))
        for close in difflib.get_close_matches(key, list(vocabulary), n=3, cutoff=SIMILAR_CUTOFF):
            name, word = vocabulary[close]
            found.append(_Candidate(CONFIDENCE_SIMILAR, name, fields[name].type, False, Reason.SIMILAR, word))
    # stable: among equal confidences the first found (name, then profiles in order, then synonyms) wins
    return sorted(found, key=lambda c: -c.confidence)


def suggest_mapping(headers: Sequence[str], *, target: str, profiles: Iterable[Profile] = ()) -> list[Suggestion]:
    """One suggestion per header, in header order. Each field is given to one column at
    most: the most confident claim wins (the leftmost column on a tie); a column whose
    candidates are all taken is ignored."""
    fields = {f.name: f for f in target_fields(target)}
    profiles = list(profiles)
    per_header = [_candidates(h, fields, target, profiles) for h in headers]
    claims = sorted(
        ((c.confidence, i, rank, c) for i, cands in enumerate(per_header) for rank, c in enumerate(cands)),
        key=lambda x: (-x[0], x[1], x[2]),
    )
    chosen: dict[int, _Candidate] = {}
    taken: set[str] = set()
    for _confidence, index, _rank, cand in claims:
        if index in chosen or cand.to in taken:
            continue
        chosen[index] = cand
        taken.add(cand.to)
    out = []
    for index, header in enumerate(headers):
        cand = chosen.get(index)
        if cand is None:
            out.append(Suggestion(ColumnMapping(header, "", FieldType.IGNORE), 0.0, Reason.NONE))
            continue
        mapping = ColumnMapping(header, cand.to, cand.type, required=fields[cand.to].required, round=cand.round)
        out.append(Suggestion(mapping, cand.confidence, cand.reason, cand.detail))
    return out


def suggest_target(headers: Sequence[str], profiles: Iterable[Profile]) -> str:
    """The target whose suggestions fill the most required fields (then the most fields)."""
    profiles = list(profiles)

    def score(target: str) -> tuple[float, float]:
        fields = {f.name: f for f in target_fields(target)}
        suggestions = suggest_mapping(headers, target=target, profiles=profiles)
        filled = {s.mapping.to for s in suggestions if s.mapping.to}
        required = [n for n, f in fields.items() if f.required]
        share = len(filled & set(required)) / len(required) if required else 0.0
        return share, sum(s.confidence for s in suggestions)

    return max(mapping_targets(), key=score)


# --- checking and writing ------------------------------------------------------------

def mapping_problems(
    target: str, columns: Sequence[ColumnMapping], options: dict | None = None
) -> list[MappingProblem]:
    """What stops this mapping from loading, in field order; empty when it can be saved."""
    fields = {f.name: f for f in target_fields(target)}
    if target == SALES_LINES and not (options or {}).get("guest_customer"):
        # every order needs a buyer: from a column, or a guest id per order
        fields["customer_id"] = TargetField("customer_id", fields["customer_id"].type, True)
    problems: list[MappingProblem] = []
    by_field: dict[str, list[str]] = {}
    for column in columns:
        if column.type is FieldType.IGNORE or not column.to:
            continue
        if column.to not in fields:
            problems.append(MappingProblem(ProblemKind.UNKNOWN, column.to, (column.source,)))
            continue
        by_field.setdefault(column.to, []).append(column.source)
        if column.type not in COMPATIBLE[fields[column.to].type]:
            problems.append(MappingProblem(ProblemKind.TYPE, column.to, (column.source,)))
    for name, sources in by_field.items():
        if len(sources) > 1:
            problems.append(MappingProblem(ProblemKind.TWICE, name, tuple(sources)))
    for name, spec in fields.items():
        if spec.required and name not in by_field:
            problems.append(MappingProblem(ProblemKind.MISSING, name))
    if target == SALES_LINES and not any(a in by_field for a in SALES_LINES_AMOUNTS):
        problems.append(MappingProblem(ProblemKind.AMOUNT, SALES_LINES_AMOUNTS[0]))
    order = list(fields)
    return sorted(problems, key=lambda p: order.index(p.field) if p.field in order else len(order))


def _toml_string(text: str) -> str:
    # a JSON string is a TOML basic string, except that TOML also forbids a raw DEL
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return _toml_string(str(value))


def mapping_toml(
    *,
    profile_id: str,
    name: str,
    target: str,
    columns: Sequence[ColumnMapping],
    options: dict | None = None,
    name_en: str | None = None,
) -> str:
    """The mapping as a profile file (``profiles.profile_from_toml`` reads it back)."""
    lines = [
        "# A generic mapping saved from the shopops mapping page.",
        f"id = {_toml_string(profile_id)}",
        f"table = {_toml_string(target)}",
        f"name_zh = {_toml_string(name)}",
        f"name_en = {_toml_string(name_en or name)}",
    ]
    options = {k: v for k, v in (options or {}).items() if v not in (None, "", False)}
    if options:
        lines += ["", "[options]"] + [f"{key} = {_toml_value(value)}" for key, value in options.items()]
    lines += ["", "[columns]"]
    for column in columns:
        if column.type is FieldType.IGNORE or not column.to:
            spec = '{ type = "ignore" }'
        else:
            parts = [f"to = {_toml_string(column.to)}", f"type = {_toml_string(column.type.value)}"]
            if column.required:
                parts.append("required = true")
            if column.round and column.type is FieldType.MONEY:
                parts.append("round = true")
            spec = "{ " + ", ".join(parts) + " }"
        lines.append(f"{_toml_string(column.source)} = {spec}")
    return "\n".join(lines) + "\n"
