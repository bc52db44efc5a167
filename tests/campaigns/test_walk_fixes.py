"""Gaps found walking the campaign pages as their users (acceptance walk of issue #17): the date inputs
in Chinese, the messages of unlabelled fields."""

from __future__ import annotations

import datetime as dt
import re

import pyarrow as pa
import pytest
from django.conf import settings
from django.urls import reverse

from shopops.campaigns import services
from shopops.campaigns.models import Task
from shopops.core.roles import Role
from shopops.warehouse.loader import load

from .factories import plan, user

pytestmark = pytest.mark.django_db


def _values(html: str, name: str) -> list[str]:
    return re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) + \
        re.findall(rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_inputs_carry_iso_values_in_every_language(client, language):
    """<input type=date> accepts only 2026-12-10: zh-Hans rendered 2026/12/10, the browser showed the
    field empty and the edit form could not be saved without typing the dates again."""
    client.force_login(user(Role.OPS_DIRECTOR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    p = plan()  # 2026-12-10 – 2026-12-13
    task = services.task_create(title="选品", plan=p, starts_on=dt.date(2026, 11, 20), due_on=dt.date(2026, 11, 25))
    html = client.get(reverse("campaigns:plan_edit", args=[p.pk])).content.decode()
    assert _values(html, "starts_on") == ["2026-12-10"] and _values(html, "ends_on") == ["2026-12-13"]
    html = client.get(reverse("campaigns:task", args=[task.pk])).content.decode()
    assert _values(html, "starts_on") == ["2026-11-20"] and _values(html, "due_on") == ["2026-11-25"]
    html = client.get(reverse("campaigns:calendar"), {"date": "2026-12-05"}).content.decode()
    assert _values(html, "date") == ["2026-12-01"]  # the month view opens on the month's first day


def test_saving_the_edit_form_as_rendered_keeps_the_dates(client, warehouse):
    """Post back what the Chinese edit page shows: the plan keeps its dates."""
    client.force_login(user(Role.OPS_DIRECTOR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    load(warehouse, "stores", pa.table({"store_id": ["own"], "platform": ["own"], "name": ["商城"], "currency": ["CNY"],
                                        "time_zone": ["Asia/Shanghai"]}))
    p = plan()
    html = client.get(reverse("campaigns:plan_edit", args=[p.pk])).content.decode()
    data = {"name": "双12 改", "stores": "own", "starts_on": _values(html, "starts_on")[0],
            "ends_on": _values(html, "ends_on")[0]}
    r = client.post(reverse("campaigns:plan_edit", args=[p.pk]), data)
    assert r.status_code == 302, re.findall(r"(?:errorlist|alert)[^>]*>(.*?)</", r.content.decode(), re.S)
    p.refresh_from_db()
    assert (p.name, p.starts_on, p.ends_on) == ("双12 改", dt.date(2026, 12, 10), dt.date(2026, 12, 13))


def test_an_unknown_task_status_names_the_field_not_none(client):
    client.force_login(user(Role.OPS_DIRECTOR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    task = services.task_create(title="t", due_on=dt.date(2026, 12, 1))
    r = client.post(reverse("campaigns:task_status", args=[task.pk]), {"status": "zzz"})
    body = r.content.decode()
    assert r.status_code == 400 and "None:" not in body and "Status: Select a valid choice. zzz is not one" in body
    assert Task.objects.get().status == "todo"
