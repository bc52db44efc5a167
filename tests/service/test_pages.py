"""The chat KPI and satisfaction pages on real rows: values as hand-counted, the target shown, bad input named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.test import Client
from django.urls import reverse

from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_get
from shopops.service.models import SurveyKind, SurveySend
from shopops.service.services import survey_answer

from .conftest import PASSWORD

FIXTURE = Path(__file__).parents[1] / "ingest" / "platform_fixtures" / "service_qianniu.csv"


def test_chat_page_per_agent_from_summed_parts(warehouse, desk):
    desk["agents"]["mei"].chat_names = ["小林家旗舰店:小美"]
    desk["agents"]["mei"].save()
    desk["agents"]["jie"].chat_names = ["小林家旗舰店:阿杰"]
    desk["agents"]["jie"].save()
    out = import_file(FIXTURE, profile=profile_get("service_qianniu"), con=warehouse, store_id="tmall", strict=True)
    assert out.loaded
    c = Client()
    c.login(username="mei", password=PASSWORD)
    html = c.get(reverse("service:chat_kpis"), {"period": "2025-11-11..2025-11-13"}).content.decode()
    mei_row = html.split('<th scope="row">小美')[1].split("</tr>")[0]
    assert ">665<" in mei_row  # 312 + 205 + 148 chats served
    assert "95.4%" in mei_row  # satisfied (38 + 24) / rated (40 + 25) = 95.38 %
    assert "92.2%" in html  # all agents: 95 of 103
    bad = c.get(reverse("service:chat_kpis"), {"period": "2025-13"})
    assert bad.status_code == 400 and "期间：2025-13 不是有效的期间" in bad.content.decode()
    # an export under a bad period is refused, not the default period's rows
    bad = c.get(reverse("service:chat_kpis"), {"period": "2025-13", "format": "xlsx"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("text/html")
    bad = c.get(reverse("service:satisfaction"), {"period": "11月"})
    assert bad.status_code == 400 and "期间：11月 不是有效的期间" in bad.content.decode()


def test_satisfaction_page_shows_target_and_intervals(desk):
    now = dt.datetime.now(dt.UTC)
    for i, score in enumerate([5, 5, 4, 2]):
        send = SurveySend.objects.create(kind=SurveyKind.CSAT, trigger=SurveySend.Trigger.TICKET_CLOSED, store_id="tmall",
                                         customer_id=f"c{i}", agent=desk["agents"]["mei"], channel="sms", token=f"t{i}",
                                         status=SurveySend.Status.SENT, sent_at=now, expires_at=now + dt.timedelta(days=7))
        survey_answer(token=send.token, score=score, now=now)
    c = Client()
    c.login(username="jie", password=PASSWORD)
    html = c.get(reverse("service:satisfaction"), {"by": "agent"}).content.decode()
    assert "目标 ≥ 85%" in html
    row = html.split('<th scope="row">小美</th>')[1].split("</tr>")[0]
    assert ">4<" in row and "75.0%" in row and 'class="num sla-late"' in row  # 3 of 4, below the target
    assert "30.1% – 95.4%" in row  # Wilson 95 % for 3/4 (by hand)


def test_chat_page_sums_an_agent_over_their_accounts(warehouse, desk):
    """One person on two chat accounts: a row over both, ratios from the summed parts (hand-counted from
    the fixture: all six rows are hers)."""
    desk["agents"]["mei"].chat_names = ["小林家旗舰店:小美", "小林家旗舰店:阿杰"]
    desk["agents"]["mei"].save()
    out = import_file(FIXTURE, profile=profile_get("service_qianniu"), con=warehouse, store_id="tmall", strict=True)
    assert out.loaded
    c = Client()
    c.login(username="mei", password=PASSWORD)
    html = c.get(reverse("service:chat_kpis"), {"period": "2025-11-11..2025-11-13"}).content.decode()
    person = html.split('id="chat-by-person"', 1)[1].split("</table>", 1)[0]
    row = person.split('<th scope="row">小美', 1)[1].split("</tr>", 1)[0]
    assert "2 个账号" in row
    assert ">1,246<" in row  # thousands separated as on every page; 312 + 255 + 205 + 188 + 148 + 138 chats served
    assert "36.4%" in row  # inquiry buyers 255 of inquirers 700
    assert "92.2%" in row  # satisfied 38 + 18 + 24 + 8 + 7 = 95 of 103 ratings
    assert person.count('<th scope="row">') == 1  # only agents with more than one account


def test_chat_page_without_shared_accounts_has_no_person_table(warehouse, desk):
    for name, account in (("mei", "小林家旗舰店:小美"), ("jie", "小林家旗舰店:阿杰")):
        desk["agents"][name].chat_names = [account]
        desk["agents"][name].save()
    assert import_file(FIXTURE, profile=profile_get("service_qianniu"), con=warehouse, store_id="tmall", strict=True).loaded
    c = Client()
    c.login(username="mei", password=PASSWORD)
    html = c.get(reverse("service:chat_kpis"), {"period": "2025-11-11..2025-11-13"}).content.decode()
    assert 'id="chat-by-agent"' in html and ">665<" in html  # the per-account table as before
    assert 'id="chat-by-person"' not in html
