"""Permissions per action, checked server-side: 403 for each action a user may not do."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shopops.service.models import Priority, Ticket, TicketStatus, TicketType
from shopops.service.services import ticket_create

from .conftest import PASSWORD


def client_for(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=PASSWORD)
    return c


@pytest.fixture
def ticket(desk):
    t, _ = ticket_create(store_id="tmall", ticket_type=TicketType.COMPLAINT, subject="发错颜色",
                         customer_id="tb123456789", customer_nickname="张三丰", assignee=desk["agents"]["mei"])
    return t


def test_a_role_without_the_service_module_gets_403_everywhere(desk, ticket):
    c = client_for("designer")
    for name, kwargs in [("service:queue", {}), ("service:ticket", {"ticket_id": ticket.pk}), ("service:templates", {}),
                         ("service:satisfaction", {}), ("service:chat_kpis", {}), ("service:ticket_new", {})]:
        assert c.get(reverse(name, kwargs=kwargs)).status_code == 403, name
    for name, data in [("service:ticket_reply", {"body": "x"}), ("service:ticket_status", {"to": "open"}),
                       ("service:ticket_assign", {"agent": desk["agents"]["mei"].pk}),
                       ("service:ticket_priority", {"priority": 4})]:
        assert c.post(reverse(name, kwargs={"ticket_id": ticket.pk}), data).status_code == 403, name
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW and ticket.notes.count() == 0


def test_an_agent_edits_only_their_own_tickets(desk, ticket):
    jie = client_for("jie")  # not the assignee
    url = lambda name: reverse(name, kwargs={"ticket_id": ticket.pk})  # noqa: E731
    assert jie.get(url("service:ticket")).status_code == 200  # may see it
    assert jie.post(url("service:ticket_reply"), {"body": "你好"}).status_code == 403
    assert jie.post(url("service:ticket_status"), {"to": "open"}).status_code == 403
    assert jie.post(url("service:ticket_assign"), {"agent": desk["agents"]["jie"].pk}).status_code == 403  # assigned already
    assert jie.post(url("service:ticket_priority"), {"priority": Priority.URGENT}).status_code == 403
    mei = client_for("mei")  # the assignee
    assert mei.post(url("service:ticket_reply"), {"body": "您好"}).status_code == 302
    assert mei.post(url("service:ticket_status"), {"to": "resolved"}).status_code == 302
    assert mei.post(url("service:ticket_assign"), {"agent": desk["agents"]["jie"].pk}).status_code == 403  # only the lead reassigns
    assert mei.post(url("service:ticket_priority"), {"priority": Priority.URGENT}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED and ticket.assignee == desk["agents"]["mei"]
    assert ticket.priority == Priority.NORMAL


def test_the_lead_reassigns_and_an_agent_takes_an_unassigned_ticket(desk, ticket):
    lead = client_for("cslead")
    url = reverse("service:ticket_assign", kwargs={"ticket_id": ticket.pk})
    assert lead.post(url, {"agent": desk["agents"]["jie"].pk}).status_code == 302
    assert lead.post(reverse("service:ticket_priority", kwargs={"ticket_id": ticket.pk}), {"priority": 4}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == desk["agents"]["jie"] and ticket.priority == 4
    free, _ = ticket_create(store_id="tmall", ticket_type=TicketType.PRESALE, subject="有货吗")
    mei = client_for("mei")
    take = reverse("service:ticket_assign", kwargs={"ticket_id": free.pk})
    assert mei.post(take, {"agent": desk["agents"]["jie"].pk}).status_code == 403  # not for someone else
    assert mei.post(take, {"agent": desk["agents"]["mei"].pk}).status_code == 302
    free.refresh_from_db()
    assert free.assignee == desk["agents"]["mei"]


def test_bad_input_gets_a_message_not_a_500(desk, ticket):
    mei = client_for("mei")
    r = mei.post(reverse("service:ticket_status", kwargs={"ticket_id": ticket.pk}), {"to": "closed"})
    assert r.status_code == 400 and "工单 #%s 不能从“新建”变为“已关闭”" % ticket.pk in r.content.decode()
    lead = client_for("cslead")
    r = lead.post(reverse("service:ticket_assign", kwargs={"ticket_id": ticket.pk}), {"agent": "999"})
    assert r.status_code == 400 and "999" in r.content.decode()
    r = lead.post(reverse("service:ticket_priority", kwargs={"ticket_id": ticket.pk}), {"priority": "9"})
    assert r.status_code == 400 and "优先级：9 不是有效的优先级" in r.content.decode()
    r = mei.post(reverse("service:ticket_reply", kwargs={"ticket_id": ticket.pk}), {"body": ""})
    assert r.status_code == 400
    assert ticket.notes.count() == 0 and Ticket.objects.get(pk=ticket.pk).status == TicketStatus.NEW


def test_customer_is_masked_for_those_who_may_not_see_it(desk, ticket):
    page = client_for("jie").get(reverse("service:ticket", kwargs={"ticket_id": ticket.pk})).content.decode()
    assert "tb123456789" not in page and "tb1******89" in page  # customer service may not export ids
    assert "张三丰" not in page and "张**" in page  # not the assignee: nickname masked
    page = client_for("mei").get(reverse("service:ticket", kwargs={"ticket_id": ticket.pk})).content.decode()
    assert "张三丰" in page and "tb123456789" not in page


def test_templates_are_edited_by_the_lead_only(desk):
    assert client_for("mei").get(reverse("service:template_new")).status_code == 403
    r = client_for("mei").post(reverse("service:template_new"), {"title": "x", "scenario": "greeting", "body": "hi"})
    assert r.status_code == 403
    r = client_for("cslead").post(reverse("service:template_new"),
                                  {"title": "问候", "scenario": "greeting", "body": "亲，{nick}您好", "is_active": "on"})
    assert r.status_code == 400 and "第 3 个字符处的变量 {nick} 不存在" in r.content.decode()
    r = client_for("cslead").post(reverse("service:template_new"),
                                  {"title": "问候", "scenario": "greeting", "body": "亲，{nickname}您好", "is_active": "on"})
    assert r.status_code == 302


def test_queue_exports_through_the_ui_layer(desk, ticket):
    import io

    import openpyxl

    r = client_for("mei").get(reverse("service:queue") + "?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][0] == ticket.pk and rows[1][1] == "发错颜色"
    r = client_for("mei").get(reverse("service:queue") + "?format=csv")
    assert r.status_code == 200 and "发错颜色" in r.content.decode("utf-8-sig")
