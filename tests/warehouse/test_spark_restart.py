"""A Spark warehouse survives a restart: a second process sees the tables the first created,
merges into them, and reads what it merged (the catalog is a Hive metastore in the warehouse
directory, not the first process's memory)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.spark

SCRIPT = textwrap.dedent('''
    import datetime as dt, json, sys
    from decimal import Decimal
    import pyarrow as pa
    from shopops.warehouse import connection, versions
    from shopops.warehouse.loader import ensure_tables, load

    T0 = dt.datetime(2025, 11, 10, 16, 5, tzinfo=dt.UTC)
    cols = ["store_id", "order_id", "customer_id", "status", "created_at", "paid_at", "paid_date", "paid_amount"]
    def orders(rows):
        return pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols)})
    A = ("tmall", "A1", "c1", sys.argv[1], T0, T0, dt.date(2025, 11, 11), Decimal("199.00"))
    B = ("tmall", "B1", "c2", "paid", T0, T0, dt.date(2025, 11, 11), Decimal("59.90"))
    con = connection.connect()
    ensure_tables(con)
    result = load(con, "orders", orders([A, B]))
    frame = con.table("orders").to_pandas().sort_values("order_id")
    print(json.dumps({"inserted": result.inserted, "updated": result.updated,
                      "rows": [[r.order_id, r.status] for r in frame.itertuples()],
                      "versions": [list(v) for v in versions.versions(con, ["orders"], ["tmall"])]}))
''')


def _run(tmp_path: Path, status: str) -> dict:
    env = dict(os.environ, SHOPOPS_WAREHOUSE_URL="pyspark://local[1]?database=ceo",
               SHOPOPS_SPARK_WAREHOUSE=str(tmp_path / "spark"), SHOPOPS_VAR_DIR=str(tmp_path / "var"),
               SPARK_LOCAL_IP="127.0.0.1", PYTHONPATH=os.pathsep.join(sys.path))
    done = subprocess.run([sys.executable, "-c", SCRIPT, status], env=env, capture_output=True, text=True,
                          timeout=900, cwd=tmp_path)  # a fresh warehouse: every table created
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_second_process_sees_and_merges_into_the_first_ones_tables(tmp_path):
    if shutil.which("java") is None:
        pytest.fail("Spark needs java on PATH (scripts/system-deps.sh spark)")
    first = _run(tmp_path, "paid")
    assert (first["inserted"], first["updated"]) == (2, 0)
    second = _run(tmp_path, "refunded")  # a new process: same keys, one row changed
    assert (second["inserted"], second["updated"]) == (0, 1)
    assert second["rows"] == [["A1", "refunded"], ["B1", "paid"]]
    version = {(s, t): v for s, t, v, _token in second["versions"]}
    assert version[("tmall", "orders")] == 2  # bumped once per process that changed rows
    assert (tmp_path / "spark" / "metastore_db").is_dir()
    assert not (tmp_path / "metastore_db").exists() and not (tmp_path / "derby.log").exists()  # nothing in the cwd
