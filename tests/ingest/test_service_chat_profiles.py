"""The chat-service export profiles (千牛, 京东咚咚, 拼多多, 抖店飞鸽) on hand-written fixtures, and the
chat KPIs over them. Every expected value was worked out by hand from the files in
``platform_fixtures/service_*.csv`` (products of the per-day averages and their bases are
summed, then divided: see the comments)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from shopops.core.periods import Period
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_detect, profile_get
from shopops.ingest.readers import open_source
from shopops.metrics.runners.base import run_query
from shopops.metrics.runners.kpis import KpiQuery

FIXTURES = Path(__file__).parent / "platform_fixtures"
STORES = {"service_qianniu": "tmall", "service_jd_dongdong": "jd", "service_pdd": "pdd", "service_doudian_feige": "douyin"}
ENCODINGS = {"service_qianniu": "gb18030", "service_jd_dongdong": "gb18030", "service_pdd": "utf-8-sig",
             "service_doudian_feige": "utf-8"}
AGENTS = {
    "xiaomei": ["小林家旗舰店:小美", "jd_xlj_kf01", "pdd_xlj_01", "小林家-飞鸽-小雨"],
    "ajie": ["小林家旗舰店:阿杰", "jd_xlj_kf02", "pdd_xlj_02", "小林家-飞鸽-阿宁"],
}


@pytest.fixture
def agents(db):
    from shopops.service.services import agent_ensure

    User = get_user_model()
    for name, chat_names in AGENTS.items():
        agent_ensure(user=User.objects.create_user(name, password="x"), nickname=name, chat_names=chat_names)


def run(con, pid: str, path: Path | None = None):
    return import_file(path or FIXTURES / f"{pid}.csv", profile=profile_get(pid), con=con, store_id=STORES[pid],
                       strict=True)


@pytest.mark.parametrize("pid", list(STORES))
def test_fixture_encoding_and_detection(pid):
    raw = (FIXTURES / f"{pid}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == (ENCODINGS[pid] == "utf-8-sig")
    if ENCODINGS[pid] == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    with open_source(FIXTURES / f"{pid}.csv") as src:
        profile, score = profile_detect(list(src.headers))
    assert profile is not None and profile.id == pid and score > 0.6


def test_qianniu_rows_and_kpis(warehouse, agents):
    out = run(warehouse, "service_qianniu")
    assert out.loaded and out.rows_rejected == 0 and out.tables["service_chat_daily"].inserted == 6
    row = warehouse.raw_sql("select consultations, inquiries, inquiry_buyers, first_response_seconds, "
                            "avg_response_seconds, response_3min_rate, rated, satisfaction_rate from service_chat_daily "
                            "where agent_name = '小林家旗舰店:阿杰' and date = '2025-11-12'").fetchone()
    assert tuple(row) == (188, 100, 35, 12.0, 29.0, pytest.approx(0.975), 10, pytest.approx(0.80))
    period = Period(dt.date(2025, 11, 11), dt.date(2025, 11, 13))
    kpis = ("chat_consultations", "chat_inquiries", "chat_inquiry_buyers", "chat_inquiry_conversion",
            "chat_first_response_seconds", "chat_avg_response_seconds", "chat_response_3min_rate", "chat_satisfaction")
    total = run_query(KpiQuery(kpis, period), con=warehouse).rows[0]
    assert total["chat_consultations"] == 312 + 255 + 205 + 188 + 148 + 138  # 1246
    assert total["chat_inquiries"] == 700 and total["chat_inquiry_buyers"] == 255
    assert total["chat_inquiry_conversion"] == pytest.approx(255 / 700)
    # 8×312 + 15×255 + 6×205 + 12×188 + 7×148 + 11×138 = 12361 seconds over 1246 chats
    assert total["chat_first_response_seconds"] == pytest.approx(12361 / 1246)
    # 21×312 + 32×255 + 18×205 + 29×188 + 19×148 + 27×138 = 30392
    assert total["chat_avg_response_seconds"] == pytest.approx(30392 / 1246)
    # .985×312 + .96×255 + .99×205 + .975×188 + 1×148 + .95×138 = 1217.47
    assert total["chat_response_3min_rate"] == pytest.approx(1217.47 / 1246)
    # satisfied 38 + 18 + 24 + 8 + 7 = 95 of 40 + 20 + 25 + 10 + 8 = 103 rated (the day without a rate is left out);
    # the plain mean of the daily rates would be 0.896 — not what the KPI says
    assert total["chat_satisfaction"] == pytest.approx(95 / 103)
    per_agent = {r["agent_name"]: r for r in run_query(KpiQuery(("chat_consultations", "chat_satisfaction"), period,
                                                                by=("agent_name",)), con=warehouse).rows}
    assert per_agent["小林家旗舰店:小美"]["chat_consultations"] == 665
    assert per_agent["小林家旗舰店:小美"]["chat_satisfaction"] == pytest.approx(62 / 65)
    assert per_agent["小林家旗舰店:阿杰"]["chat_satisfaction"] == pytest.approx(33 / 38)


@pytest.mark.parametrize(("pid", "agent", "day", "expected"), [
    # (first response s, average response s, 3-minute rate, satisfaction)
    ("service_jd_dongdong", "jd_xlj_kf02", "2025-11-12", (65.0, 80.0, 0.90, 0.80)),  # 00:01:05, 00:01:20
    ("service_pdd", "pdd_xlj_02", "2025-11-12", (62.0, 80.0, 0.85, 0.75)),  # 1分2秒, 1分20秒
    ("service_doudian_feige", "小林家-飞鸽-小雨", "2025-11-11", (65.0, 90.0, 0.85, 0.8333)),  # 1分05秒, 1分30秒
])
def test_durations_and_shares_of_each_platform(warehouse, agents, pid, agent, day, expected):
    out = run(warehouse, pid)
    assert out.loaded and out.rows_rejected == 0
    row = warehouse.raw_sql(f"select first_response_seconds, avg_response_seconds, response_3min_rate, satisfaction_rate "
                            f"from service_chat_daily where agent_name = '{agent}' and date = '{day}'").fetchone()
    assert tuple(row) == tuple(pytest.approx(v) for v in expected)
    again = run(warehouse, pid)
    assert again.loaded and {t: (r.inserted, r.updated) for t, r in again.tables.items()} == {"service_chat_daily": (0, 0)}


BAD = [
    ("service_qianniu", (",小林家旗舰店:阿杰,190,", ",小林家旗舰店:阿强,190,"),
     (5, "客服旺旺", "小林家旗舰店:阿强", "unknown agent")),
    ("service_qianniu", (",98.50%,", ",985%,"),
     (2, "3分钟响应率", "985%", "expected a share like 85.2% or 0.852 (0–100 %)")),
    ("service_pdd", (",1分2秒,", ",1分2,"),
     (5, "平均首次人工响应时长", "1分2", "expected a duration like 25, 25秒, 25s, 1分05秒 or 00:01:05 (seconds)")),
    ("service_jd_dongdong", (",388,", ",三百八十八,"), (2, "接待量", "三百八十八", "expected a whole number")),
]


@pytest.mark.parametrize(("pid", "edit", "expected"), BAD, ids=[f"{b[0]}-{b[2][1]}" for b in BAD])
def test_bad_row_is_named_and_nothing_loads(warehouse, agents, tmp_path, pid, edit, expected):
    text = (FIXTURES / f"{pid}.csv").read_bytes().decode(ENCODINGS[pid])
    assert edit[0] in text
    bad = tmp_path / f"{pid}.csv"
    bad.write_bytes(text.replace(edit[0], edit[1], 1).encode(ENCODINGS[pid]))
    out = run(warehouse, pid, bad)
    assert not out.loaded and out.rows_rejected == 1
    (r,) = out.rejects
    assert (r.row, r.column, r.value) == expected[:3]
    assert r.reason.startswith(expected[3])
    assert warehouse.raw_sql("select count(*) from service_chat_daily").fetchone()[0] == 0


def test_unknown_agent_message_names_the_fix(warehouse, agents, tmp_path):
    text = (FIXTURES / "service_qianniu.csv").read_bytes().decode("gb18030").replace("小林家旗舰店:小美", "新人小王")
    bad = tmp_path / "qn.csv"
    bad.write_bytes(text.encode("gb18030"))
    out = run(warehouse, "service_qianniu", bad)
    assert not out.loaded and out.rows_rejected == 3
    assert {r.row for r in out.rejects} == {2, 4, 6}
    assert "add the name to an agent's chat names" in out.rejects[0].reason
