"""The compiled DuckDB SQL of the important queries, kept under tests/metrics/sql/.

A change in generated SQL shows up as a diff here; review it (is it still de-duplicating
before counting, filtering dates before joining?) and regenerate with
``SNAPSHOT_UPDATE=1 pytest tests/metrics/test_sql_snapshots.py``.
"""

import datetime as dt
import os
from pathlib import Path

import ibis
import pytest

from shopops.core.periods import Grain, Period
from shopops.metrics.cockpit import COCKPIT_KPIS
from shopops.metrics.runners import CohortQuery, CohortRunner, FunnelQuery, FunnelRunner, KpiQuery, KpiRunner
from shopops.warehouse.schema import TABLES

SQL_DIR = Path(__file__).parent / "sql"
PERIOD = Period(dt.date(2025, 11, 1), dt.date(2025, 11, 30))


class UnboundWarehouse:
    """Just enough of a backend for to_expr(): unbound tables with the canonical schemas."""

    name = "duckdb"
    _shopops_rollups = False  # the raw path's SQL (the rollup path is checked in test_rollups.py)

    def table(self, name: str):
        return ibis.table(TABLES[name].schema, name=name)


CASES = {
    "cockpit_totals": lambda c: KpiRunner(KpiQuery(COCKPIT_KPIS, PERIOD), con=c).to_expr()["kpis"],
    "daily_trend_by_store": lambda c: KpiRunner(
        KpiQuery(("gmv", "paying_buyers", "visitors"), PERIOD, grain=Grain.DAY, by=("store_id",)), con=c).to_expr()["kpis"],
    "new_returning_buyers": lambda c: KpiRunner(
        KpiQuery(("new_buyers", "returning_buyers", "repurchase_rate"), PERIOD), con=c).to_expr()["kpis"],
    "cogs_by_category": lambda c: KpiRunner(
        KpiQuery(("item_gmv", "cogs", "units_sold", "skus_sold"), PERIOD, by=("category",)), con=c).to_expr()["kpis"],
    "bounce_rate": lambda c: KpiRunner(KpiQuery(("bounce_rate",), PERIOD), con=c).to_expr()["kpis"],
    "funnel_by_source": lambda c: FunnelRunner(FunnelQuery(PERIOD, by_traffic_source=True), con=c).to_expr()["funnel"],
    "cohorts": lambda c: CohortRunner(CohortQuery(PERIOD, months=6), con=c).to_expr()["cohort"],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_sql_matches_the_snapshot(name):
    sql = str(ibis.to_sql(CASES[name](UnboundWarehouse()), dialect="duckdb")).strip() + "\n"
    path = SQL_DIR / f"{name}.sql"
    if os.environ.get("SNAPSHOT_UPDATE") == "1":
        SQL_DIR.mkdir(exist_ok=True)
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with SNAPSHOT_UPDATE=1"
    assert sql == path.read_text(encoding="utf-8"), f"SQL of {name} changed: review, then SNAPSHOT_UPDATE=1"


def test_cost_of_goods_by_category_joins_the_unit_cost_of_each_sku():
    sql = (SQL_DIR / "cogs_by_category.sql").read_text(encoding="utf-8")
    assert '"skus"' in sql and '"cost"' in sql and '"category"' in sql


def test_distinct_counts_deduplicate_first():
    sql = (SQL_DIR / "cockpit_totals.sql").read_text(encoding="utf-8")
    assert "COUNT(DISTINCT" not in sql.upper()
