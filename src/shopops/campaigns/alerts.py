"""Alerts of the campaigns module for insights (``shopops.core.alerts``): overdue tasks.

``day`` is the business day judged (the 晨报's yesterday): a task due on or before it and still
open is overdue. One alert per such task, so the 晨报 and the inbox name it and
its owner until it is done; high when the task's campaign starts within three days or has
started, medium otherwise.
"""

from __future__ import annotations

import datetime as dt

from shopops.core.alerts import Alert


def alerts(day: dt.date, *, store_ids=None) -> list[Alert]:
    from shopops.campaigns.selectors import overdue_tasks

    out = []
    wanted = set(store_ids or ())
    for task in overdue_tasks(day=day + dt.timedelta(days=1)):  # due on or before ``day`` and still open after it
        stores = task.plan.store_ids if task.plan else []
        if wanted and stores and not wanted & set(stores):
            continue
        late = (day + dt.timedelta(days=1) - task.due_on).days  # days past due on the morning after ``day``
        owner = task.assignee.username if task.assignee else (task.get_role_display() or "—")
        soon = task.plan is not None and (task.plan.starts_on - day).days <= 3
        campaign = f"{task.plan.name} · " if task.plan else ""
        out.append(Alert(
            source="campaigns", kind="task_overdue", key=f"task:{task.pk}", store_id=stores[0] if len(stores) == 1 else "",
            day=day, severity="high" if soon else "medium",
            text_zh=f"任务逾期 {late} 天：{campaign}{task.title}（负责人 {owner}，截止 {task.due_on:%m-%d}）",
            text_en=f"Task {late} day(s) overdue: {campaign}{task.title} (owner {owner}, due {task.due_on:%m-%d})",
            link=f"/campaigns/tasks/{task.pk}/"))
    return out
