from pathlib import Path

from shopops.metrics.catalog import CATALOG, SOURCES, kpis_markdown, measures_needed

DOC = Path(__file__).parents[2] / "docs" / "kpis.md"


def test_docs_kpis_is_generated_from_the_catalog():
    assert DOC.read_text(encoding="utf-8") == kpis_markdown(), "docs/kpis.md is stale: run `shopops docs kpis > docs/kpis.md`"


def test_every_kpi_is_complete_and_ratios_resolve_to_measures():
    for k in CATALOG.values():
        assert k.label_zh and k.label_en and k.definition_zh and k.definition_en, k.id
        if k.is_ratio:
            assert {k.numerator, k.denominator} <= set(CATALOG), k.id
        else:
            assert k.source in SOURCES, k.id
    assert measures_needed(["conversion_rate", "aov"]) == ["gmv", "paying_buyers", "visitors"]
