"""The Gantt's month scale: labels that fit their month (pure; unsaved tasks)."""

from __future__ import annotations

import datetime as dt

from shopops.campaigns.models import Task
from shopops.campaigns.selectors import task_timeline

D = dt.date


def test_a_month_cut_by_a_long_timelines_edge_shows_its_number_only():
    # 2025-12-10 … 2027-01-27 (414 days): December 2025 shows 22 days (≈ 5 % of the width, too narrow for
    # "2025-12", which was cut to "2025-1"); January 2027 shows 27 days and keeps its full label
    tasks = [Task(pk=1, title="a", starts_on=D(2025, 12, 10), due_on=D(2025, 12, 12)),
             Task(pk=2, title="b", due_on=D(2027, 1, 27))]
    t = task_timeline(tasks, today=D(2026, 12, 7))
    labels = [m["label"] for m in t.months]
    assert labels[0] == "12" and labels[1] == "2026-01" and labels[-1] == "2027-01" and len(labels) == 14
    assert abs(sum(m["width"] for m in t.months) - 100) < 1e-9  # the months tile the span
    # a short timeline (one campaign): its edge months are wide enough for the full label
    short = task_timeline([Task(pk=3, title="c", starts_on=D(2026, 11, 20), due_on=D(2026, 12, 12))], today=D(2026, 12, 7))
    assert [m["label"] for m in short.months] == ["2026-11", "2026-12"]
