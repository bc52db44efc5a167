"""docs/importing.md: a hand-written guide, then the reference generated from the profiles."""

from pathlib import Path

from shopops.ingest.profile_docs import MARKER, importing_markdown, profiles_markdown
from shopops.ingest.profiles import profiles

DOC = Path(__file__).parents[2] / "docs" / "importing.md"


def test_generated_part_equals_the_profiles():
    text = DOC.read_text(encoding="utf-8")
    assert text.count(MARKER) == 1
    _, after = text.split(MARKER)
    assert after.lstrip("\n") == profiles_markdown(), (
        "docs/importing.md is stale: run `.venv/bin/python -m shopops.ingest.profile_docs`"
    )
    assert importing_markdown(text) == text


def test_reference_covers_every_profile_with_its_mapping():
    md = profiles_markdown()
    for profile in profiles().values():
        assert f"### `{profile.id}` — {profile.name_zh}" in md
    section = md.split("### `ads_ddss`")[1].split("\n### ")[0]
    assert "| 推广工具 | `ad_tool` | string | no | `ddss` |  |" in section
    assert "| 推广计划 | `plan_id` | string | yes |  |  |" in section
    assert "layout: 拼多多 推广中心 > 多多搜索" in section
    items = md.split("### `tmall_order_items`")[1].split("\n### ")[0]
    assert "`sales_lines` (virtual) → `order_lines`, `products`" in items
    assert '- Option `emit = ["order_lines", "products"]`' in items
    jd = md.split("### `jd_orders`")[1].split("\n### ")[0]
    assert "| 联系电话 | `unified_id` (salted hash), `phone_masked` | phone | no |  |  |" in jd
    assert "| 等待出库 | `paid` |" in jd
    assert "客户姓名" in jd.split("not kept (`ignore`):")[1].split("\n")[0]


def test_hand_written_guide_explains_every_option_and_type():
    head = DOC.read_text(encoding="utf-8").split(MARKER)[0]
    for word in ("--strict", "GB18030", "gzip", "zip", "XLSX", "row 1", "upsert", "SHOPOPS_PII_SALT",
                 "sales_lines", "`header = false`", "`key_from", "`emit", "`paid_at_from_created",
                 "`default_status", "`guest_customer", "`cancel_prefix", "`formats`", "`round`", "`default`",
                 "`required`", "`unix_seconds`", "`ignore`", "`phone`", "`status`", "`id`"):
        assert word in head, word
