"""Runs store findings once (twice changes nothing), people act on them, the brief goes to the
outbox in each robot's format, and the pages render and export — on the incident store."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from shopops.core.errors import ShopopsError
from shopops.core.roles import Role
from shopops.insights import services
from shopops.insights.delivery import Message, dingtalk_payload, feishu_payload, wecom_payload
from shopops.insights.models import Delivery, Finding, Mute, Task
from shopops.team.services import role_groups_sync, user_create

D = dt.date
DAYS = [D(2025, 8, 26) + dt.timedelta(days=i) for i in range(10)]  # the first six incidents
PASSWORD = "a-long-test-password"


@pytest.fixture
def run(incident_warehouse, db):
    return services.insights_run(days=DAYS)


@pytest.mark.slow
def test_run_twice_changes_nothing_and_keeps_what_people_did(run, django_user_model):
    first = {(f.store_id, f.day, f.kpi, f.cause) for f in Finding.objects.all()}
    assert run.created == len(first) >= 5
    assert ("own", D(2025, 9, 4)) in {(s, d) for s, d, *_ in first}  # the tracking outage
    user = django_user_model.objects.create_user("ops1", password=PASSWORD)
    f = Finding.objects.get(store_id="own", day=D(2025, 9, 4))
    task = services.finding_assign(finding=f, assignee=user, by=user, note="check the snippet")
    again = services.insights_run(days=DAYS)
    assert again.created == 0 and again.updated == len(first)
    assert {(f.store_id, f.day, f.kpi, f.cause) for f in Finding.objects.all()} == first
    f.refresh_from_db()
    assert f.status == Finding.Status.ASSIGNED and f.assignee == user
    # assigning again does not make a second task
    assert services.finding_assign(finding=f, assignee=user, by=user) == task
    assert Task.objects.filter(finding=f).count() == 1


@pytest.mark.slow
def test_acknowledge_mute_and_muted_findings_stay_muted(run, django_user_model):
    user = django_user_model.objects.create_user("ops2", password=PASSWORD)
    f = Finding.objects.get(store_id="own", day=D(2025, 9, 4))
    services.finding_acknowledge(finding=f, user=user)
    assert f.status == Finding.Status.ACKNOWLEDGED
    for language, message in (("en", "Mute for: 0 days is out of range"), ("zh-hans", "静默天数：0 天超出范围")):
        with translation.override(language), pytest.raises(ShopopsError, match=message):
            services.finding_mute(finding=f, days=0, by=user)
    services.finding_mute(finding=f, days=7, by=user)
    assert f.muted_until == D(2025, 9, 11)
    assert Mute.objects.get(store_id="own", kpi=f.kpi).until == D(2025, 9, 11)
    # a new finding on the muted KPI within the mute is created muted
    Finding.objects.filter(pk=f.pk).delete()
    services.insights_run(days=DAYS)
    assert Finding.objects.get(store_id="own", day=D(2025, 9, 4)).status == Finding.Status.MUTED


def test_robot_payloads_follow_each_format():
    m = Message(title="晨报 2025-09-04", lines=["▼ 支付金额 ¥1.00", "· [高] 小程序: 访客数 28"], link="http://x/b")
    w = wecom_payload(m)
    assert w["msgtype"] == "markdown" and w["markdown"]["content"].startswith("### 晨报 2025-09-04\n▼ 支付金额")
    d = dingtalk_payload(m)
    assert d["msgtype"] == "markdown" and d["markdown"]["title"] == "晨报 2025-09-04" and "[http://x/b]" in d["markdown"]["text"]
    f = feishu_payload(m)
    post = f["content"]["post"]["zh_cn"]
    assert f["msg_type"] == "post" and post["title"] == "晨报 2025-09-04"
    assert post["content"][0] == [{"tag": "text", "text": "▼ 支付金额 ¥1.00"}]
    assert post["content"][-1] == [{"tag": "a", "text": "http://x/b", "href": "http://x/b"}]


@pytest.mark.slow
def test_brief_goes_to_the_outbox_once_per_channel(run, settings, mailoutbox):
    settings.SHOPOPS_INSIGHTS_CHANNELS = [{"channel": "wecom"}, {"channel": "dingtalk"}, {"channel": "feishu"},
                                          {"channel": "email", "to": ["director@example.com"]}]
    rows = services.brief_deliver(day=D(2025, 9, 4), language="zh-hans", link="http://testserver/insights/brief/")
    assert {r.channel: r.status for r in rows} == {"wecom": "outbox", "dingtalk": "outbox", "feishu": "outbox",
                                                   "email": "sent"}
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["director@example.com"]
    body = mailoutbox[0].body
    assert "晨报" in mailoutbox[0].subject and "访客数" in body and "埋点缺失" in body
    services.brief_deliver(day=D(2025, 9, 4), language="zh-hans", link="http://testserver/insights/brief/")
    assert Delivery.objects.count() == 4 and len(mailoutbox) == 1  # nothing sent twice


@pytest.mark.slow
def test_pages_render_filter_and_export(run, client):
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    client.login(username="director", password=PASSWORD)
    r = client.get(reverse("insights:inbox"), {"start": "2025-08-26", "end": "2025-09-04", "status": ""})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.count('data-finding="') == Finding.objects.filter(day__lte=D(2025, 9, 4)).count()
    r = client.get(reverse("insights:inbox"), {"store": "own", "start": "2025-08-26", "end": "2025-09-04", "status": ""})
    assert r.content.decode().count('data-store="own"') == Finding.objects.filter(store_id="own", day__lte=D(2025, 9, 4)).count()
    r = client.get(reverse("insights:inbox"), {"start": "2025-13-01"})
    assert r.status_code == 400 and "data-errors" in r.content.decode()
    r = client.get(reverse("insights:inbox"), {"start": "2025-13-01", "export": "xlsx"})
    assert r.status_code == 400 and r["Content-Type"].startswith("text/html")  # no file of the unfiltered inbox
    r = client.get(reverse("insights:brief"), {"day": "2025-02-30"})
    assert r.status_code == 400 and "2025-02-30" in r.content.decode()
    r = client.get(reverse("insights:inbox"), {"start": "2025-08-26", "end": "2025-09-04", "status": "", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) - 1 == Finding.objects.filter(day__lte=D(2025, 9, 4)).count()
    f = Finding.objects.get(store_id="own", day=D(2025, 9, 4))
    page = client.get(reverse("insights:finding", args=[f.pk])).content.decode()
    assert 'data-evidence="tracking_gap"' in page and 'id="band-data"' in page and 'data-table="mix-rate"' in page
    r = client.post(reverse("insights:finding_action", args=[f.pk, "mute"]), {"days": "abc"}, follow=True)
    assert "abc" in r.content.decode()
    r = client.post(reverse("insights:finding_action", args=[f.pk, "mute"]), {"days": "-1"}, follow=True)
    assert "静默天数：-1 天超出范围" in r.content.decode()  # the service's message in the page's language
    for bad in ("abc", "\x00", "9" * 30, "-1"):  # not an id from the list: the message, not a 500, nothing assigned
        r = client.post(reverse("insights:finding_action", args=[f.pk, "assign"]), {"assignee": bad}, follow=True)
        assert r.status_code == 200 and "负责人:请从列表中选择" in r.content.decode(), bad
        assert not f.tasks.exists()
    # a product finding shows the product's own decomposition and its last 14 days, the finding's day on top
    products = [f for f in Finding.objects.exclude(product_id="") if (f.diagnosis or {}).get("product")]
    assert products, "no product finding among the incidents' days"
    for f in products:
        page = client.get(reverse("insights:finding", args=[f.pk])).content.decode()
        days = f.diagnosis["product"]["days"]
        assert 'data-table="product-days"' in page and days[0]["date"] == f.day.isoformat() and days[0]["in_window"]
        assert page.count("data-in-window") == f.window
        for e in f.diagnosis["evidence"]:  # a 差评 cause names what the buyers wrote about
            if e["kind"] == "bad_reviews" and e.get("product_id") == f.product_id:
                assert e["facts"]["topics"], e
    assert client.get(reverse("insights:brief"), {"day": "2025-09-04"}).status_code == 200
    assert "data-errors" in client.get(reverse("insights:brief"), {"day": "4.9.2025"}).content.decode()


def test_an_empty_warehouse_gives_no_findings_and_pages_still_render(warehouse, client, django_user_model):
    summary = services.insights_run(days=[D(2025, 9, 4)])
    assert summary.findings == [] and Finding.objects.count() == 0
    user = django_user_model.objects.create_superuser("root", "r@example.com", PASSWORD)
    client.force_login(user)
    assert "data-empty" in client.get(reverse("insights:inbox")).content.decode()
    r = client.get(reverse("insights:brief"), {"day": "2025-09-04"})
    assert r.status_code == 200
    with pytest.raises(ShopopsError, match="no day"):
        services.insights_run(days=[])
