"""The desk in Chromium, in zh and en: queue → ticket → reply from a template → resolve."""

from __future__ import annotations

import pytest

from shopops.core.roles import Role
from shopops.service.models import ReplyTemplate, Ticket, TicketStatus, TicketType
from shopops.service.services import agent_ensure, reply_template_save, ticket_create
from shopops.team.services import role_groups_sync, user_create
from support.pages import browser_login

PASSWORD = "a-long-test-password"


def _flow(page, base, ticket: Ticket, template: ReplyTemplate, *, language: str, artifacts_dir) -> None:
    page.goto(f"{base}/service/")
    page.wait_for_selector("#ticket-queue")
    page.screenshot(path=str(artifacts_dir / f"service-queue-{language}.png"), full_page=True)
    page.click(f'#ticket-queue a[href="/service/tickets/{ticket.pk}/"]')
    page.wait_for_selector("#ticket-title")
    page.select_option("#template-select", str(template.pk))
    page.click("#draft-button")
    page.wait_for_function("() => document.querySelector('#reply-form textarea').value.includes('T2025')")
    assert page.locator("#reply-form textarea").input_value().startswith("<i>小猪</i>您好")
    page.click("#reply-button")
    page.wait_for_selector(".svc-note >> text=T2025")
    page.click('button[data-status="resolved"]')
    page.wait_for_selector("button[data-status=closed]")
    page.screenshot(path=str(artifacts_dir / f"service-ticket-{language}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reply_from_template_and_resolve(live_server, browser_page, artifacts_dir):
    role_groups_sync()
    user = user_create(username="mei", password=PASSWORD, role=Role.CUSTOMER_SERVICE)
    agent = agent_ensure(user=user, nickname="小美")
    template = reply_template_save(title="物流催件", scenario="logistics",
                                   body="{nickname}您好，订单{order_id}已为您催促快递，我是{agent}")
    tickets = [ticket_create(store_id="tmall", ticket_type=TicketType.LOGISTICS, subject=f"快递没动 {n}",
                             order_id="T2025", customer_nickname="<i>小猪</i>", assignee=agent)[0] for n in (1, 2)]
    page = browser_page
    browser_login(page, live_server.url, "mei", PASSWORD)
    page.click('nav a[href="/service/"]')  # the sidebar entry
    _flow(page, live_server.url, tickets[0], template, language="zh", artifacts_dir=artifacts_dir)
    assert page.locator("#ticket-status").inner_text() == "已解决"
    assert page.locator("h1").inner_text() == "客服工作台"

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    _flow(page, live_server.url, tickets[1], template, language="en", artifacts_dir=artifacts_dir)
    assert page.locator("#ticket-status").inner_text() == "Resolved"
    assert page.locator("h1").inner_text() == "Service desk"
    for t in tickets:
        t.refresh_from_db()
        assert t.status == TicketStatus.RESOLVED and t.first_response_at is not None
        assert t.notes.get().body == "<i>小猪</i>您好，订单T2025已为您催促快递，我是小美"
    assert ReplyTemplate.objects.get(pk=template.pk).usage_count == 2
