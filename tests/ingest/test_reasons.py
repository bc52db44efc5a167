"""Issue 19 bug 14: every reject reason the pipeline writes reads in the page's language.

A 千牛 chat-service export (GBK, as the tool writes it) with one bad value of every kind the
pipeline checks — a share, a duration, a whole number, a date, a missing value, a control
character, an over-long cell, an agent no one has, a repeated row — is imported; each stored
(English) reason is then shown through ``reason_display`` in Chinese and in English.
"""

from __future__ import annotations

import re

from django.utils import translation

from shopops.ingest import known_values
from shopops.ingest.pipeline import MAX_CELL_CHARS, import_file
from shopops.ingest.profiles import profile_get
from shopops.ingest.reasons import reason_display

HEADER = "日期,客服旺旺,接待人数,询单人数,询单->最终付款人数,平均首次响应(秒),平均响应(秒),3分钟响应率,评价人数,客户满意率"
ROWS = [
    "2025-11-11,小王,120,40,12,25,30,95.5%,10,98%",     # row 2: fine
    "2025-11-12,小王,12o,40,12,25,30,95.5%,10,98%",     # row 3: 接待人数 "12o" (a letter o for a zero)
    "2025-11-13,小王,120,40,12,很快,30,八成,10,98%",     # row 4: a duration and a share in words
    "2025-11-31,小王,,40,12,25,30,95.5%,10,98%",        # row 5: no 11-31; 接待人数 missing
    "2025-11-14,老李,120,40,12,25,30,95.5%,10,98%",     # row 6: an agent no one has
    "2025-11-15,小\x01王,120,40,12,25,30,95.5%,10,98%",  # row 7: a control character
    f"2025-11-16,{'王' * (MAX_CELL_CHARS + 1)},120,40,12,25,30,95.5%,10,98%",  # row 8: an over-long cell
    "2025-11-11,小王,121,40,12,25,30,95.5%,10,98%",     # row 9: row 2 again (same day and agent)
]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_reject_reason_is_translated(warehouse, tmp_path, monkeypatch):
    key = ("service_chat_daily", "agent_name")
    what = known_values._PROVIDERS[key][1]  # the service app's own wording
    monkeypatch.setitem(known_values._PROVIDERS, key, (lambda: {"小王"}, what))
    path = tmp_path / "千牛接待数据.csv"
    path.write_bytes(("\n".join([HEADER, *ROWS]) + "\n").encode("gb18030"))
    out = import_file(path, profile=profile_get("service_qianniu"), con=warehouse, store_id="tmall")

    seen = {(r.row, r.column) for r in out.rejects}
    assert {(3, "接待人数"), (4, "平均首次响应(秒)"), (4, "3分钟响应率"), (5, "日期"), (5, "接待人数"),
            (6, "客服旺旺"), (7, "客服旺旺"), (8, "客服旺旺")} <= seen, sorted(seen)
    assert any(r.row == 9 and r.reason.startswith("duplicate of row 2") for r in out.rejects)
    with translation.override("zh-hans"):
        shown = {(r.row, r.column): reason_display(r.reason) for r in out.rejects}
    for r in out.rejects:
        text = shown[(r.row, r.column)]
        # translated: Chinese words, none of the stored English sentence's words left
        assert CJK.search(text) and text != r.reason, (r.row, r.column, r.reason, text)
        assert not re.search(r"\b(expected|unknown|known|value|characters?|contains|agent|duplicate|same)\b", text), text
    assert shown[(3, "接待人数")] == "应为整数"
    assert "百分比" in shown[(4, "3分钟响应率")] and "时长" in shown[(4, "平均首次响应(秒)")]
    assert "10,000" in shown[(8, "客服旺旺")] and "小王" in shown[(6, "客服旺旺")]
    with translation.override("en"):
        for r in out.rejects:
            assert reason_display(r.reason) == r.reason  # English pages show the stored text
