"""Run SQL that Ibis compiled for a backend, returning what ``con.execute(expr)`` would.

The metrics runners keep the SQL Ibis compiled for a query and run it again for the same
query. Wrapping that text back into Ibis (``con.sql(text)``) makes sqlglot re-parse it —
as slow as compiling on a small store — so on DuckDB the text goes straight to the
engine and the Arrow result is converted to the frame Ibis' own DuckDB converter makes
from the expression's schema, exactly as ``execute`` does. Other engines take the
``con.sql`` path.

Converting a small result through pandas Series and Ibis' converter costs more than the
query itself on a small store (a millisecond or two per call), so columns of the common
types (integers, floats, decimals, strings, dates, booleans) are built straight from Arrow
into the dtypes the converter gives (:func:`_fast_column`; the equality is test-checked,
nulls included); a result with any other type takes the converter.

A runner that only reads its result row by row (the KPI totals and trends, the event funnel)
needs no frame at all: :func:`execute_compiled_records` gives the rows as dicts of Python
values straight from Arrow's columns — the values ``frame_records(execute_compiled(...))``
gives, except that a missing value is ``None`` (not NaN), a whole number an ``int`` even in a
column with nulls (pandas makes it float) and a date a ``datetime.date`` (not a ``Timestamp``); building and reading a one-row pandas frame costs about half a
millisecond, an eighth of such a query on a small store.
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat
from ibis.backends import BaseBackend

_SLOW = object()


def _fast_column(col: pa.ChunkedArray, dtype: dt.DataType):
    """The column as Ibis' DuckDB converter would give it, or ``_SLOW`` for other types."""
    at = col.type
    nulls = col.null_count
    if dtype.is_integer() and pat.is_decimal(at) and not (at.scale == 0 and not nulls and not dtype.is_unsigned_integer()):
        return _SLOW
    if dtype.is_integer() and pat.is_decimal(at):
        try:  # DuckDB's SUM of integers is a HUGEINT (decimal(38, 0) in Arrow); Ibis types it int64
            col = pc.cast(col, pa.int64())
        except pa.ArrowInvalid:  # out of range: the converter decides
            return _SLOW
        at = col.type
    if dtype.is_integer() and pat.is_signed_integer(at) and not dtype.is_unsigned_integer():
        if nulls:
            return col.to_numpy().astype("float64")  # NaN where null, as pandas does
        return col.to_numpy().astype(dtype.to_numpy(), copy=False)
    if dtype.is_floating() and pat.is_floating(at) and at.bit_width == 64:
        return col.to_numpy().astype("float64", copy=False)
    if dtype.is_decimal() and pat.is_decimal(at):
        return np.array(col.to_pylist(), dtype=object)
    if dtype.is_string() and (pat.is_string(at) or pat.is_large_string(at)):
        return np.array(col.to_pylist(), dtype=object)
    if dtype.is_date() and pat.is_date32(at):
        return col.to_numpy().astype("datetime64[s]")
    if dtype.is_boolean() and pat.is_boolean(at):
        return np.array(col.to_pylist(), dtype=object) if nulls else col.to_numpy()
    return _SLOW


def _frame(table: pa.Table, schema: ibis.Schema) -> pd.DataFrame:
    if list(table.column_names) == list(schema.names) and table.num_rows:
        cols = {}
        for name, col in zip(table.column_names, table.columns):
            got = _fast_column(col, schema[name])
            if got is _SLOW:
                break
            cols[name] = got
        else:
            return pd.DataFrame(cols)
    return _converted(table, schema)


def _converted(table: pa.Table, schema: ibis.Schema) -> pd.DataFrame:
    """Ibis' own conversion (every type)."""
    from ibis.backends.duckdb.converter import DuckDBPandasData

    frame = pd.DataFrame({
        name: (col.to_pylist() if (pat.is_nested(col.type) or pat.is_dictionary(col.type) or col.null_count)
               else col.to_pandas())
        for name, col in zip(table.column_names, table.columns)
    })
    return DuckDBPandasData.convert_table(frame, schema)


def execute_compiled(con: BaseBackend, sql: str, schema: ibis.Schema) -> pd.DataFrame:
    if con.name != "duckdb":
        return con.execute(con.sql(sql, schema=schema))
    return _frame(con.con.execute(sql).to_arrow_table(), schema)


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """``frame.to_dict("records")`` (Python scalars: ``Series.tolist`` boxes like it), without
    pandas' row-by-row path: on the small frames the runners shape that costs more than the query."""
    names = list(frame.columns)
    columns = [frame[name].tolist() for name in names]
    return [dict(zip(names, values)) for values in zip(*columns)]


def _plain_column(col: pa.ChunkedArray, dtype: dt.DataType):
    """The column's values as Python objects (see the module docstring), or ``_SLOW``."""
    at = col.type
    if dtype.is_integer() and pat.is_decimal(at):  # DuckDB's SUM of integers (HUGEINT)
        return [None if v is None else int(v) for v in col.to_pylist()] if at.scale == 0 else _SLOW
    if ((dtype.is_integer() and pat.is_integer(at)) or (dtype.is_floating() and pat.is_floating(at))
            or (dtype.is_decimal() and pat.is_decimal(at)) or (dtype.is_boolean() and pat.is_boolean(at))
            or (dtype.is_string() and (pat.is_string(at) or pat.is_large_string(at)))
            or (dtype.is_date() and pat.is_date32(at))):
        return col.to_pylist()
    return _SLOW


def execute_compiled_records(con: BaseBackend, sql: str, schema: ibis.Schema) -> list[dict]:
    """The result's rows as dicts (see the module docstring); other engines, and results of other
    types, through the frame of :func:`execute_compiled`."""
    if con.name != "duckdb":
        return frame_records(execute_compiled(con, sql, schema))
    table = con.con.execute(sql).to_arrow_table()
    names = list(table.column_names)
    if names != list(schema.names):
        return frame_records(_frame(table, schema))
    columns = []
    for name, col in zip(names, table.columns):
        values = _plain_column(col, schema[name])
        if values is _SLOW:
            return frame_records(_frame(table, schema))
        columns.append(values)
    return [dict(zip(names, row)) for row in zip(*columns)]
