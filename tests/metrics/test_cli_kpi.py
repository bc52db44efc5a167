"""`shopops kpi`: the analyst's command line."""

import csv
import io

from shopops.cli import main

from support.kpi_store import START, build, load_into, oracle

FRAMES = build()


def test_kpi_command_prints_a_table_or_csv_by_store(warehouse, capsys):
    load_into(warehouse, FRAMES)
    assert main(["kpi", "gmv", "conversion_rate", "--by", "store", "--period", "2025-11", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["store_id"] for r in rows] == ["jd", "tmall", "tmall2"]
    want = oracle(FRAMES, START.replace(day=1), START.replace(day=30), ["jd"])
    assert rows[0]["gmv"] == str(want["gmv"])
    assert main(["kpi", "gmv", "--period", "2025-11", "--grain", "week"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["bucket", "gmv"] and len(table) == 1 + 5
    assert main(["kpi", "gmw", "--period", "2025-11"]) == 2
    assert "unknown KPI 'gmw'" in capsys.readouterr().err
    assert main(["kpi", "gmv", "--by", "ad_tool", "--period", "2025-11"]) == 2
    assert "cannot be broken down by 'ad_tool'" in capsys.readouterr().err
