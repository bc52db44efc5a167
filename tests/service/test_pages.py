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
    bad = c.get(reverse("service:chat_kpis"), {"period": "2025-13"}).content.decode()
    assert "not a period: &#x27;2025-13&#x27;" in bad


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
