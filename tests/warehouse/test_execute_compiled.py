"""``warehouse.backends.compiled.execute_compiled`` on DuckDB builds the frame straight from Arrow
for the common types; the frame must be exactly what Ibis' own ``execute`` gives for the same
SQL and schema (dtypes, values, Python types of the cells, nulls included)."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from shopops.warehouse.backends.compiled import execute_compiled

ROWS = """(VALUES (1::BIGINT, 2.50::DECIMAL(38,2), DATE '2025-01-02', 'a', 1.5::DOUBLE, true, 3::INTEGER, 7::SMALLINT),
                  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                  (-4, -0.01, DATE '1999-12-31', '中文', NULL, false, NULL, -1))
          t(i, d, dt, s, f, b, i32, i16)"""
NO_NULLS = """(VALUES (1::BIGINT, 2.50::DECIMAL(38,2), DATE '2025-01-02', 'a', 1.5::DOUBLE, true, 3::INTEGER, 7::SMALLINT),
                      (-4, -0.01, DATE '1999-12-31', '中文', 2.0, false, 5, -1))
              t(i, d, dt, s, f, b, i32, i16)"""
SCHEMA = {"i": "int64", "d": "decimal(38, 2)", "dt": "date", "s": "string", "f": "float64", "b": "boolean",
          "i32": "int32", "i16": "int16"}
CASES = [
    *[(f"SELECT {c} FROM {rows}", {c: SCHEMA[c]}) for rows in (ROWS, NO_NULLS) for c in SCHEMA],
    (f"SELECT * FROM {ROWS}", SCHEMA),
    (f"SELECT * FROM {NO_NULLS}", SCHEMA),
    (f"SELECT * FROM {NO_NULLS} WHERE i > 100", SCHEMA),  # no rows
    # DuckDB sums integers into a HUGEINT (decimal(38, 0) in Arrow); the runners' schema says int64
    ("SELECT sum(x) AS s, count(*) AS n FROM (VALUES (1::BIGINT), (2)) v(x) GROUP BY x % 2 ORDER BY 1",
     {"s": "int64", "n": "int64"}),
    ("SELECT * FROM (SELECT sum(x) AS s FROM (VALUES (1::BIGINT), (2)) v(x) UNION ALL SELECT NULL) ORDER BY 1",
     {"s": "int64"}),
    ("SELECT sum(x) AS s FROM (VALUES (1::BIGINT)) v(x)", {"s": "decimal(38, 0)"}),
    ("SELECT TIMESTAMP '2025-01-01 10:00:00' AS ts, [1, 2] AS l", {"ts": "timestamp(6)", "l": "array<int32>"}),
]


@pytest.mark.parametrize(("sql", "schema"), CASES)
def test_the_frame_is_what_ibis_execute_gives(sql, schema):
    con = ibis.duckdb.connect()
    schema = ibis.schema(schema)
    got = execute_compiled(con, sql, schema)
    want = con.execute(con.sql(sql, schema=schema))
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert [[type(v) for v in got[c]] for c in got] == [[type(v) for v in want[c]] for c in want]


def _plain(value, dtype):
    """A cell as ``execute_compiled_records`` gives it: None for a missing value, a date for a date
    (other types come through the frame as they are),
    an int for a whole number (pandas makes an integer column with a null float, Ibis' converter a
    summed one with a null Decimal)."""
    import math
    from decimal import Decimal

    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if dtype.is_date() and isinstance(value, pd.Timestamp):
        return value.date()
    if dtype.is_integer() and isinstance(value, float | Decimal):
        return int(value)
    return value


@pytest.mark.parametrize(("sql", "schema"), CASES)
def test_the_records_are_the_frames_records(sql, schema):
    """Same values, same Python types as the rows of the frame (a missing value None, a date a date)."""
    from shopops.warehouse.backends.compiled import execute_compiled_records, frame_records

    con = ibis.duckdb.connect()
    schema = ibis.schema(schema)
    got = execute_compiled_records(con, sql, schema)
    want = [{k: _plain(v, schema[k]) for k, v in r.items()} for r in frame_records(con.execute(con.sql(sql, schema=schema)))]
    assert got == want
    assert [[type(v) for v in r.values()] for r in got] == [[type(v) for v in r.values()] for r in want]
