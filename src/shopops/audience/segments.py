"""Segment rules: a JSON rule tree over customer facts, validated, compiled to an Ibis filter.

A rule tree is a group ``{"op": "and" | "or", "rules": [...]}`` whose items are
conditions ``{"field": "orders", "operator": "gte", "value": 2}`` or nested groups.
"Two or more orders, last one 60–180 days ago, spent over ¥500" is::

    {"op": "and", "rules": [
        {"field": "orders", "operator": "gte", "value": 2},
        {"field": "recency_days", "operator": "between", "value": [60, 180]},
        {"field": "gmv", "operator": "gt", "value": "500"}]}

Fields are the columns of :func:`shopops.customers.facts.customer_facts` (over the
segment's window, as of a day) plus two that need their own table: ``categories``
(categories of paid order lines in the window) and ``coupons_redeemed`` (the warehouse
``coupon_redemptions`` table, when the promotions app writes it). The compiled filter
runs in the warehouse; nothing is pulled to Python but the count or the rows asked for.

:func:`rules_validate` returns the normalised tree or raises ``ValidationError`` whose
message names the path (``rules.1.value``), the field, the operator and the value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import ibis
import ibis.expr.types as ir

from shopops.core.errors import ValidationError, translatable
from shopops.customers.lifecycle import STAGES
from shopops.customers.rfm import GROUPS


def _(message: str) -> str:
    """Marks a label for ``makemessages``; it is translated where it is shown
    (:mod:`shopops.audience.segment_labels`): this module imports no Django."""
    return message


MAX_DEPTH = 4
MAX_CONDITIONS = 40
KEYS = ("store_id", "customer_id")


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    label: str  # English msgid, translated where shown
    kind: str  # int | money | text | choice | bool | categories
    column: str = ""  # facts column ("" for computed fields)
    choices: tuple[str, ...] = ()
    help: str = ""

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS_BY_KIND[self.kind]


OPERATORS_BY_KIND: dict[str, tuple[str, ...]] = {
    "int": ("eq", "ne", "gt", "gte", "lt", "lte", "between"),
    "money": ("eq", "ne", "gt", "gte", "lt", "lte", "between"),
    "text": ("eq", "ne", "in", "not_in", "is_empty", "not_empty"),
    "choice": ("eq", "ne", "in", "not_in"),
    "bool": ("is_true", "is_false"),
    "categories": ("any_of", "all_of", "none_of"),
}
OPERATOR_LABELS: dict[str, str] = {
    "eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤", "between": _("between"),
    "in": _("is one of"), "not_in": _("is none of"), "is_empty": _("is empty"), "not_empty": _("is not empty"),
    "is_true": _("yes"), "is_false": _("no"),
    "any_of": _("bought any of"), "all_of": _("bought all of"), "none_of": _("bought none of"),
}
NO_VALUE = {"is_empty", "not_empty", "is_true", "is_false"}
LIST_VALUE = {"in", "not_in", "any_of", "all_of", "none_of"}

FIELDS: dict[str, Field] = {f.name: f for f in (
    Field("orders", _("Paid orders"), "int", "orders", help=_("paid orders up to the day, lifetime")),
    Field("gmv", _("Spend (GMV)"), "money", "gmv", help=_("amount paid up to the day, lifetime, ¥")),
    Field("recency_days", _("Days since last order"), "int", "recency_days"),
    Field("tenure_days", _("Days since first order"), "int", "tenure_days"),
    Field("aov", _("Average order value"), "money", "aov"),
    Field("orders_12m", _("Paid orders, last 12 months"), "int", "orders_12m"),
    Field("gmv_12m", _("Spend, last 12 months"), "money", "gmv_12m"),
    Field("orders_window", _("Paid orders in the RFM window"), "int", "orders_window"),
    Field("gmv_window", _("Spend in the RFM window"), "money", "gmv_window"),
    Field("province", _("Region (province)"), "text", "province"),
    Field("city", _("City"), "text", "city"),
    Field("platform", _("Channel (platform)"), "text", "platform"),
    Field("store_id", _("Store"), "text", "store_id"),
    Field("top_category", _("Top category"), "text", "top_category"),
    Field("categories", _("Categories bought"), "categories", help=_("categories of paid order lines, lifetime")),
    Field("r_score", _("RFM: R score"), "int", "r_score"),
    Field("f_score", _("RFM: F score"), "int", "f_score"),
    Field("m_score", _("RFM: M score"), "int", "m_score"),
    Field("rfm_segment", _("RFM group"), "choice", "rfm_segment", GROUPS),
    Field("stage", _("Lifecycle stage"), "choice", "stage", STAGES),
    Field("is_vip", _("VIP"), "bool", "is_vip"),
    Field("refunds", _("Refunds"), "int", "refunds"),
    Field("negative_reviews", _("Negative reviews"), "int", "negative_reviews"),
    Field("clv", _("Predicted CLV"), "money", help=_("predicted 12-month value (BG/NBD x Gamma-Gamma), fitted per store")),
    Field("coupons_redeemed", _("Coupons redeemed"), "int", help=_("coupon redemptions up to the day, lifetime")),
)}
COMPUTED = {"categories", "coupons_redeemed", "clv"}
def _path(path: str, leaf: str) -> str:
    return f"{path}.{leaf}" if path else leaf


def _number(value, *, kind: str, where: str):
    if isinstance(value, bool) or value is None or value == "":
        raise translatable(ValidationError, _("%(where)s: give a number."), where=where)
    try:
        if kind == "int":
            if isinstance(value, float) and not value.is_integer():
                raise ValueError
            d = Decimal(str(value))
            if d != d.to_integral_value():
                raise ValueError
            return int(d)
        if isinstance(value, float):
            value = repr(value)
        d = Decimal(str(value).replace(",", "").replace("¥", "").strip())
        if not d.is_finite():
            raise ValueError
        return str(d.quantize(Decimal("0.01")))
    except (InvalidOperation, ValueError) as exc:
        message = (_("%(where)s: %(value)s is not a whole number.") if kind == "int" else
                   _("%(where)s: %(value)s is not an amount such as 500 or 99.90."))
        raise translatable(ValidationError, message, where=where, value=repr(value)[:40]) from exc


def _condition(node: dict, path: str) -> dict:
    unknown = set(node) - {"field", "operator", "value"}
    if unknown:
        raise translatable(ValidationError, _("%(where)s: unknown keys %(keys)s; a condition has field, operator, value."),
                           where=path or "rule", keys=", ".join(sorted(map(str, unknown)))[:80])
    name = node.get("field")
    field = FIELDS.get(name) if isinstance(name, str) else None
    if field is None:
        raise translatable(ValidationError, _("%(where)s: unknown field %(value)s; expected one of %(known)s."),
                           where=_path(path, "field"), value=repr(name)[:40], known=", ".join(FIELDS))
    op = node.get("operator")
    if op not in field.operators:
        raise translatable(ValidationError, _("%(where)s: %(value)s does not apply to field %(field)s; expected one of "
                                              "%(known)s."),
                           where=_path(path, "operator"), value=repr(op)[:40], field=repr(name), known=", ".join(field.operators))
    where = f"{_path(path, 'value')} ({name} {op})"
    value = node.get("value")
    if op in NO_VALUE:
        return {"field": name, "operator": op, "value": None}
    if op == "between":
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise translatable(ValidationError, _("%(where)s: give a low and a high value."), where=where)
        low, high = (_number(v, kind=field.kind, where=where) for v in value)
        if Decimal(str(low)) > Decimal(str(high)):
            raise translatable(ValidationError, _("%(where)s: the low value %(low)s is above the high value %(high)s."),
                               where=where, low=low, high=high)
        return {"field": name, "operator": op, "value": [low, high]}
    if op in LIST_VALUE:
        if isinstance(value, str):
            value = [v.strip() for v in value.replace("，", ",").split(",")]
        if not isinstance(value, list | tuple):
            raise translatable(ValidationError, _("%(where)s: give a list of values."), where=where)
        items = sorted({str(v).strip() for v in value if str(v).strip()})
        if not items:
            raise translatable(ValidationError, _("%(where)s: give at least one value."), where=where)
        if field.choices:
            bad = [v for v in items if v not in field.choices]
            if bad:
                raise translatable(ValidationError, _("%(where)s: %(value)s is not one of %(known)s."), where=where,
                                   value=repr(bad[0])[:40], known=", ".join(field.choices))
        return {"field": name, "operator": op, "value": items}
    if field.kind in ("int", "money"):
        return {"field": name, "operator": op, "value": _number(value, kind=field.kind, where=where)}
    if value is None or str(value).strip() == "":
        raise translatable(ValidationError, _("%(where)s: give a value."), where=where)
    text = str(value).strip()
    if field.choices and text not in field.choices:
        raise translatable(ValidationError, _("%(where)s: %(value)s is not one of %(known)s."), where=where,
                           value=repr(text)[:40], known=", ".join(field.choices))
    return {"field": name, "operator": op, "value": text}


def rules_validate(tree) -> dict:
    """The normalised rule tree, or ValidationError naming path, field, operator and value."""
    count = [0]

    def group(node, path: str, depth: int) -> dict:
        if not isinstance(node, dict):
            raise translatable(ValidationError, _("%(where)s: expected a group {op, rules} or a condition, got %(value)s."),
                               where=path or "rules", value=repr(node)[:40])
        if "field" in node:
            count[0] += 1
            if count[0] > MAX_CONDITIONS:
                raise translatable(ValidationError, _("At most %(max)s conditions in one segment."), max=MAX_CONDITIONS)
            return _condition(node, path)
        op = node.get("op", "and")
        if op not in ("and", "or"):
            raise translatable(ValidationError, _("%(where)s: expected 'and' or 'or', got %(value)s."), where=_path(path, "op"),
                               value=repr(op)[:40])
        if depth > MAX_DEPTH:
            raise translatable(ValidationError, _("%(where)s: groups nest at most %(max)s deep."), where=path, max=MAX_DEPTH)
        rules = node.get("rules", [])
        if not isinstance(rules, list):
            raise translatable(ValidationError, _("%(where)s: expected a list, got %(value)s."), where=_path(path, "rules"),
                               value=repr(rules)[:40])
        return {"op": op, "rules": [group(r, _path(path, f"rules.{i}"), depth + 1) for i, r in enumerate(rules)]}

    if tree in (None, "", {}):
        tree = {"op": "and", "rules": []}
    out = group(tree, "", 0)
    if "field" in out:  # a lone condition: wrap it
        out = {"op": "and", "rules": [out]}
    return out


def fields_used(tree: dict) -> set[str]:
    if "field" in tree:
        return {tree["field"]}
    return set().union(*(fields_used(r) for r in tree.get("rules", [])))


# ------------------------------------------------------------------------------ compiler
def _literal(field: Field, value):
    if field.kind == "money":
        return ibis.literal(Decimal(value), type="decimal(18,2)")
    return ibis.literal(value)


def _compare(col: ir.Value, field: Field, op: str, value) -> ir.BooleanValue:
    if op == "between":
        low, high = (_literal(field, v) for v in value)
        return (col >= low) & (col <= high)
    if op in ("in", "not_in"):
        cond = col.isin(list(value))
        return (~cond | col.isnull()) if op == "not_in" else cond
    if op == "is_empty":
        return col.isnull() | (col == "")
    if op == "not_empty":
        return col.notnull() & (col != "")
    if op == "is_true":
        return col.fill_null(False)
    if op == "is_false":
        return ~col.fill_null(False)
    lit = _literal(field, value) if field.kind in ("int", "money") else ibis.literal(value)
    # a missing value matches no comparison (SQL NULL), except "is not equal to"
    return {
        "eq": lambda: col == lit,
        "ne": lambda: (col != lit) | col.isnull(),
        "gt": lambda: col > lit,
        "gte": lambda: col >= lit,
        "lt": lambda: col < lit,
        "lte": lambda: col <= lit,
    }[op]()


@dataclass(frozen=True, slots=True)
class Extras:
    """Tables the computed fields read, lifetime up to the facts' day."""

    lines_categories: ir.Table | None = None  # store_id, customer_id, category (one row each)
    coupon_redemptions: ir.Table | None = None  # store_id, customer_id, coupons_redeemed
    clv: ir.Table | None = None  # store_id, customer_id, clv


def extras_for(con, *, as_of: dt.date, store_ids=None, tree: dict | None = None, clv: ir.Table | None = None) -> Extras:
    """The computed fields' tables for ``tree`` (only those it uses), lifetime up to ``as_of``.

    ``clv`` (store_id, customer_id, clv) is made by the caller from the cached CLV fits
    (``audience.selectors.clv_table``): fitting is not this pure module's business."""
    from shopops.customers.facts import customer_categories

    used = fields_used(tree) if tree is not None else set(COMPUTED)
    cats = coupons = None
    if "categories" in used:
        c = customer_categories(con, as_of=as_of, store_ids=store_ids or None)
        cats = c.filter(c.category != "").select("store_id", "customer_id", "category")
    if "coupons_redeemed" in used:
        if "coupon_redemptions" not in con.list_tables():
            raise ValidationError("field coupons_redeemed: this warehouse has no coupon_redemptions table yet")
        r = con.table("coupon_redemptions")
        r = r.filter((r.business_date <= as_of) & r.customer_id.notnull())
        if store_ids:
            r = r.filter(r.store_id.isin(list(store_ids)))
        coupons = r.group_by("store_id", "customer_id").aggregate(coupons_redeemed=r.count())
    return Extras(cats, coupons, clv if "clv" in used else None)


def available_fields(columns) -> list[Field]:
    """The fields a rule may use on facts with these columns (computed fields always)."""
    return [f for f in FIELDS.values() if f.name in COMPUTED or (f.column or f.name) in set(columns)]


def compile_filter(facts: ir.Table, tree: dict, extras: Extras = Extras()) -> ir.Table:
    """``facts`` (one row per store_id, customer_id) keeping the rows that match ``tree``."""
    tree = rules_validate(tree)
    t = facts
    cat_conditions: list[tuple[str, dict]] = []

    def collect(node: dict) -> None:
        if "field" in node:
            if node["field"] == "categories":
                cat_conditions.append((f"_cat{len(cat_conditions)}", node))
            return
        for r in node["rules"]:
            collect(r)

    collect(tree)
    for alias, node in cat_conditions:
        if extras.lines_categories is None:
            raise ValidationError("field categories: no order lines table was given")
        c = extras.lines_categories
        c = c.filter(c.category.isin(node["value"]))
        agg = c.group_by(*KEYS).aggregate(**{alias: c.category.nunique()})
        t = t.left_join(agg, list(KEYS)).select(*t.columns, alias)
        t = t.mutate(**{alias: t[alias].fill_null(0)})
    if "coupons_redeemed" in fields_used(tree) and "coupons_redeemed" not in t.columns:
        if extras.coupon_redemptions is None:
            raise ValidationError("field coupons_redeemed: this warehouse has no coupon_redemptions table yet")
        c = extras.coupon_redemptions
        t = t.left_join(c, list(KEYS)).select(*t.columns, "coupons_redeemed")
        t = t.mutate(coupons_redeemed=t.coupons_redeemed.fill_null(0))
    if "clv" in fields_used(tree) and "clv" not in t.columns:
        if extras.clv is None:
            raise ValidationError("field clv: the CLV model has not run for these stores")
        t = t.left_join(extras.clv, list(KEYS)).select(*t.columns, "clv")
    cat_alias = {id(node): alias for alias, node in cat_conditions}

    def predicate(node: dict) -> ir.BooleanValue:
        if "field" in node:
            field = FIELDS[node["field"]]
            op, value = node["operator"], node["value"]
            if field.kind == "categories":
                n = t[cat_alias[id(node)]]
                return {"any_of": n >= 1, "all_of": n == len(value), "none_of": n == 0}[op]
            column = field.column or field.name
            if column not in t.columns:
                raise ValidationError(f"field {field.name}: not available in the customer facts of this warehouse")
            return _compare(t[column], field, op, value)
        parts = [predicate(r) for r in node["rules"]]
        if not parts:
            return ibis.literal(True)
        out = parts[0]
        for p in parts[1:]:
            out = (out & p) if node["op"] == "and" else (out | p)
        return out

    # an empty group matches everyone (AND of nothing); an empty OR group too, by the same rule
    out = t.filter(predicate(tree))
    return out.select(*facts.columns)
