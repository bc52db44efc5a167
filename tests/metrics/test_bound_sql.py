"""SQL kept per shape with string values bound later (``runners.base.bound_sql``): the rows of each
value, counted by hand, on every engine; a value with quotes, backslashes or a line break is one
literal; Ibis compiles the shape once."""

from __future__ import annotations

import pyarrow as pa
import pytest

from shopops.metrics.runners.base import bound_sql
from shopops.warehouse.backends.compiled import execute_compiled
from shopops.warehouse.loader import load

ODD = "o'neil\\x\n-- ;"  # a quote, a backslash, a line break and a comment mark in one id


@pytest.fixture
def customers(any_warehouse):
    load(any_warehouse, "customers", pa.Table.from_pylist([
        {"store_id": "s1", "customer_id": cid, "city": nick}
        for cid, nick in (("c1", "一号"), ("c2", "二号"), (ODD, "奇"), ("c1'", "撇"))]))
    return any_warehouse


def _cities(con, ids: list[str], tag: str = "") -> list[str]:
    def build(marks: dict[str, str]):
        t = con.table("customers")
        return {"rows": t.filter(t.customer_id.isin([marks[f"c{i}"] for i in range(len(ids))])).select("city")}

    sql = bound_sql(con, ("test_bound_sql", tag, len(ids)), build, {f"c{i}": c for i, c in enumerate(ids)})
    return sorted(execute_compiled(con, *sql["rows"]).city)


def test_each_value_gets_its_own_rows(customers):
    assert _cities(customers, ["c1"]) == ["一号"]
    assert _cities(customers, ["c2"]) == ["二号"]
    assert _cities(customers, [ODD]) == ["奇"]  # by hand: the odd id is one literal, nothing more
    assert _cities(customers, ["c1'"]) == ["撇"]
    assert _cities(customers, ["c2", "nobody"]) == ["二号"]


def test_the_shape_compiles_once(customers, monkeypatch):
    import ibis

    _cities(customers, ["c1"], tag="once")

    def no_compile(*args, **kwargs):
        raise AssertionError("compiled again")

    monkeypatch.setattr(ibis, "to_sql", no_compile)
    assert _cities(customers, [ODD], tag="once") == ["奇"]
    with pytest.raises(AssertionError, match="compiled again"):  # two values: another shape
        _cities(customers, ["c1", "c2"], tag="once")


def test_a_value_the_sql_never_holds_is_refused(customers):
    def build(marks):
        t = customers.table("customers")
        return {"rows": t.filter(t.customer_id == "c1").select("city")}

    with pytest.raises(ValueError, match=r"\['c0'\] never reach the SQL"):
        bound_sql(customers, ("test_bound_sql_unused",), build, {"c0": "c1"})


def test_a_value_changed_before_it_reaches_the_sql_is_refused(warehouse):
    """A LIKE pattern made from the value in Python: the SQL holds the mark inside another literal."""
    def build(marks):
        t = warehouse.table("customers")
        return {"rows": t.filter(t.customer_id.like(marks["c0"] + "%")).select("city")}

    with pytest.raises(ValueError, match="transformed, not as a literal"):
        bound_sql(warehouse, ("test_bound_sql_like",), build, {"c0": "c1"})
