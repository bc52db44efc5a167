"""The campaign pages' render times on a demo (the Django test client, in process).

Subject: p95 of ``BENCH_RENDERS`` (default 20) renders of each page — the plan page of the
demo's 双11, the marketing calendar (month), the task board, the live page of the newest running
or approved plan and the 复盘 of the 双11 — after ``campaigns.analytics.pages_warm`` (what the
``campaigns_warm`` job does after an import). Baseline: the p50 of the same renders. Also
recorded: each page's first render with an empty cache and no warm-up (what the first visitor
after an import waited before the job existed; the process has served one request before, so
importing the URL modules is not in it), and the warm-up's own time.

Needs a demo set up in ``SHOPOPS_BENCH_DEMO_VAR`` (a ``SHOPOPS_VAR_DIR`` after
``shopops manage migrate && shopops setup-demo``, the small demo unless set up otherwise); it is
only read.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _pages import demo_client, first_renders, time_pages  # noqa: E402

RENDERS = int(os.environ.get("BENCH_RENDERS", "20"))


def run() -> list[dict]:
    client = demo_client(os.environ.get("SHOPOPS_BENCH_DEMO_VAR"))
    from django.core.cache import caches

    from shopops.campaigns.analytics import pages_warm
    from shopops.campaigns.models import CampaignPlan

    d11 = CampaignPlan.objects.filter(name__contains="双11").order_by("-starts_on").first()
    live = (CampaignPlan.objects.filter(status__in=["running", "approved"]).order_by("-starts_on").first() or d11)
    pages = {
        "plan": f"/campaigns/plans/{d11.pk}/",
        "calendar": "/campaigns/calendar/",
        "board": "/campaigns/tasks/",
        "live": f"/campaigns/plans/{live.pk}/live/",
        "retro": f"/campaigns/plans/{d11.pk}/retro/",
    }
    assert client.get("/campaigns/tasks/").status_code == 200  # the process's first request imports every URL module
    cold = first_renders(client, pages)
    caches["default"].clear()
    t0, c0 = time.perf_counter(), time.process_time()
    warmed = pages_warm()
    warm_s = time.perf_counter() - t0
    warm_cpu = time.process_time() - c0
    rows = time_pages(client, pages, "campaigns", RENDERS, cold)
    rows.append({"case": "campaigns_pages_warm", "subject_s": warm_s, "baseline_s": warm_s, "cpu_s": warm_cpu,
                 "load_average": os.getloadavg()[0], "warmed": warmed})
    return rows
