"""A finding handed to someone lands on the team's task board, where they see, move and close it (it was kept
in a table of insights no page showed)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.campaigns.models import Task as BoardTask
from shopops.campaigns.selectors import store_today
from shopops.core.roles import Role
from shopops.insights import services
from shopops.insights.models import Finding
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password"


def test_an_assigned_finding_is_a_task_on_the_assignees_board(client, warehouse):
    load(warehouse, "stores", pa.table({"store_id": ["tmall"], "platform": ["tmall"], "name": ["栖木旗舰店"],
                                        "currency": ["CNY"], "time_zone": ["Asia/Shanghai"]}))
    role_groups_sync()
    boss = user_create(username="boss", password=PASSWORD, role=Role.OPS_DIRECTOR)
    designer = user_create(username="des", password=PASSWORD, role=Role.DESIGNER)
    f = Finding.objects.create(store_id="tmall", day=dt.date(2026, 12, 5), severity="medium", severity_rank=1,
                               kpi="item_buyers", product_id="P1", actual=6, expected=12, low=0, high=25, relative=-0.5,
                               window=2, money_at_stake=100, cause="bad_reviews", signals=[],
                               diagnosis={"titles": {"P1": "羊绒衫"}})
    task = services.finding_assign(finding=f, assignee=designer, by=boss, note="换主图")
    board = BoardTask.objects.get(pk=task.board_task_id)
    # names, not codes: the store's name, the day, the KPI's name, the product's title
    assert board.title == "跟进：栖木旗舰店 2026-12-05 · 商品支付买家数 · 羊绒衫"
    assert board.assignee == designer and board.role == Role.DESIGNER.value
    assert board.due_on == store_today() + dt.timedelta(days=services.ASSIGNMENT_DUE_DAYS)
    assert f"/insights/{f.pk}/" in board.description and "换主图" in board.description
    # assigning again makes no second task
    assert services.finding_assign(finding=f, assignee=designer, by=boss) == task and BoardTask.objects.count() == 1
    # the designer finds it on the board (only mine) and may move it; the finding links to it
    client.force_login(designer)
    html = client.get(reverse("campaigns:board") + "?mine=1").content.decode()
    assert f'data-task="{board.pk}"' in html
    assert client.post(reverse("campaigns:task_status", args=[board.pk]), {"status": "done"}).status_code == 302
    client.force_login(boss)
    page = client.get(reverse("insights:finding", args=[f.pk])).content.decode()
    assert f'data-board-task="{board.pk}"' in page and "已完成" in page
