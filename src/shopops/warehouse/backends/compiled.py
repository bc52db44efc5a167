"""Run SQL that Ibis compiled for a backend, returning what ``con.execute(expr)`` would.

The metrics runners keep the SQL Ibis compiled for a query and run it again for the same
query. Wrapping that text back into Ibis (``con.sql(text)``) makes sqlglot re-parse it —
as slow as compiling on a small store — so on DuckDB the text goes straight to the
engine and the Arrow result is converted with Ibis' own DuckDB converter and the
expression's schema, exactly as ``execute`` does. Other engines take the ``con.sql`` path.
"""

from __future__ import annotations

import ibis
import pandas as pd
from ibis.backends import BaseBackend


def execute_compiled(con: BaseBackend, sql: str, schema: ibis.Schema) -> pd.DataFrame:
    if con.name != "duckdb":
        return con.execute(con.sql(sql, schema=schema))
    import pyarrow.types as pat
    from ibis.backends.duckdb.converter import DuckDBPandasData

    table = con.con.execute(sql).to_arrow_table()
    frame = pd.DataFrame({
        name: (col.to_pylist() if (pat.is_nested(col.type) or pat.is_dictionary(col.type) or col.null_count)
               else col.to_pandas())
        for name, col in zip(table.column_names, table.columns)
    })
    return DuckDBPandasData.convert_table(frame, schema)
