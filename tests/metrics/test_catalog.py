from pathlib import Path

from shopops.metrics.catalog import CATALOG, SOURCES, kpi_dimensions, kpis_markdown, measures_needed

DOC = Path(__file__).parents[2] / "docs" / "kpis.md"


def test_docs_kpis_is_generated_from_the_catalog():
    assert DOC.read_text(encoding="utf-8") == kpis_markdown(), "docs/kpis.md is stale: run `shopops docs kpis > docs/kpis.md`"


def test_every_kpi_is_complete_and_derived_kpis_resolve_to_base_kpis():
    for k in CATALOG.values():
        assert k.label_zh and k.label_en and k.definition_zh and k.definition_en and k.formula(), k.id
        assert set(k.parts) <= set(CATALOG), k.id
        if k.is_base:
            assert k.source in SOURCES, k.id
        assert "store_id" in kpi_dimensions(k.id) and "platform" in kpi_dimensions(k.id), k.id
    assert measures_needed(["conversion_rate", "aov"]) == ["gmv", "paying_buyers", "visitors"]
    # with the cost of goods, what says whether it is known: item GMV and the item GMV of costed lines
    assert measures_needed(["gross_margin_rate"]) == ["gmv", "item_gmv", "refund_amount", "cogs", "costed_item_gmv",
                                                      "platform_discount", "refund_covered_gmv"]


def test_dimensions_follow_the_sources():
    assert kpi_dimensions("gmv") == ("store_id", "traffic_source", "province", "platform", "customer_type")
    assert kpi_dimensions("avg_unit_price") == ("store_id", "traffic_source", "province", "platform", "product_id",
                                                "category", "customer_type")
    assert kpi_dimensions("cac") == ("store_id", "platform")
    assert kpi_dimensions("roas") == ("store_id", "ad_tool", "plan_id", "platform")
