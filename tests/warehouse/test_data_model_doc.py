from pathlib import Path

from shopops.warehouse.schema import TABLES, data_model_markdown

DOC = Path(__file__).parents[2] / "docs" / "data-model.md"


def test_docs_data_model_is_generated_from_the_schema():
    assert DOC.read_text(encoding="utf-8") == data_model_markdown(), (
        "docs/data-model.md is stale: run `shopops docs data-model > docs/data-model.md`"
    )


def test_every_table_the_foundation_promises_exists_with_documented_columns():
    promised = {
        "stores", "products", "skus", "customers", "orders", "order_lines", "refunds", "traffic_daily",
        "events", "ad_spend_daily", "reviews", "inventory_snapshots", "competitor_snapshots",
    }
    assert promised <= set(TABLES)
    for table in TABLES.values():
        assert table.doc
        assert set(table.key) <= set(table.column_names)
        assert all(c.doc for c in table.columns), table.name
