"""A ticket's page speaks the reader's language: its order is 订单 (not another app's 建议采购)
and the history of an escalation names the deadlines missed, not the services' codes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.test import Client
from django.urls import reverse

from shopops.service.models import TicketType
from shopops.service.services import ticket_assign, ticket_create, tickets_escalate

from .conftest import PASSWORD

SH = ZoneInfo("Asia/Shanghai")


def _escalated_ticket(desk):
    t0 = dt.datetime(2025, 11, 3, 10, 0, tzinfo=SH)  # Monday; normal priority: first response due 11:00
    ticket, _ = ticket_create(store_id="tmall", ticket_type=TicketType.RETURN, subject="衣服偏小想退货",
                              order_id="DEMO100008", customer_id="c-1", customer_nickname="老王", now=t0)
    ticket_assign(ticket=ticket, agent=desk["agents"]["mei"], now=t0)
    assert tickets_escalate(now=t0 + dt.timedelta(hours=1, minutes=1))
    return ticket


def _page(ticket, language: str) -> str:
    c = Client()
    assert c.login(username="cslead", password=PASSWORD)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = c.get(reverse("service:ticket", kwargs={"ticket_id": ticket.pk}))
    assert response.status_code == 200
    return response.content.decode()


def _history(html: str) -> str:
    return html.split('<ul class="muted panel-body svc-history">', 1)[1].split("</ul>", 1)[0]


def test_ticket_page_in_chinese(desk):
    html = _page(_escalated_ticket(desk), "zh-hans")
    assert "<dt>订单</dt><dd>DEMO100008</dd>" in html
    assert "建议采购" not in html
    history = _history(html)
    assert "已升级: 首次响应 (SLA 超时)" in history
    assert "优先级: 普通 → 高 (SLA 超时自动升级)" in history
    assert "创建: 手工创建" in history
    for code in ("first_response", "SLA breached", "raised on SLA breach"):
        assert code not in history


def test_ticket_page_in_english(desk):
    history = _history(_page(_escalated_ticket(desk), "en"))
    assert "Escalated: first response (SLA breached)" in history
    assert "Priority: Normal → High (raised on SLA breach)" in history
    assert "first_response" not in history
