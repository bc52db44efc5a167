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
import statistics
import time

RENDERS = int(os.environ.get("BENCH_RENDERS", "20"))


def _p(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def run() -> list[dict]:
    var = os.environ.get("SHOPOPS_BENCH_DEMO_VAR")
    if not var:
        raise SystemExit("set SHOPOPS_BENCH_DEMO_VAR to the SHOPOPS_VAR_DIR of a set-up demo")
    os.environ["SHOPOPS_VAR_DIR"] = var
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopops.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import caches
    from django.test import Client
    from django.test.utils import setup_test_environment

    from shopops.campaigns.analytics import pages_warm
    from shopops.campaigns.models import CampaignPlan

    setup_test_environment()
    client = Client()
    client.force_login(get_user_model().objects.get(username="director"))
    d11 = CampaignPlan.objects.filter(name__contains="双11").order_by("-starts_on").first()
    live = (CampaignPlan.objects.filter(status__in=["running", "approved"]).order_by("-starts_on").first() or d11)
    pages = {
        "plan": f"/campaigns/plans/{d11.pk}/",
        "calendar": "/campaigns/calendar/",
        "board": "/campaigns/tasks/",
        "live": f"/campaigns/plans/{live.pk}/live/",
        "retro": f"/campaigns/plans/{d11.pk}/retro/",
    }
    rows = []
    assert client.get("/campaigns/tasks/").status_code == 200  # the process's first request imports every URL module
    caches["default"].clear()
    cold = {}
    for name, url in pages.items():  # an empty cache, no warm-up: the first visitor's wait
        t0 = time.perf_counter()
        r = client.get(url)
        cold[name] = time.perf_counter() - t0
        assert r.status_code == 200, (url, r.status_code)
    caches["default"].clear()
    t0, c0 = time.perf_counter(), time.process_time()
    warmed = pages_warm()
    warm_s = time.perf_counter() - t0
    warm_cpu = time.process_time() - c0
    for name, url in pages.items():
        times, cpus = [], []
        for _ in range(RENDERS):
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.get(url)
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            assert r.status_code == 200, (url, r.status_code)
        rows.append({"case": f"campaigns_{name}_page", "subject_s": _p(times, 0.95), "baseline_s": statistics.median(times),
                     "baseline": "p50 of the same renders (subject: p95)", "cold_first_render_s": cold[name],
                     "cpu_p50_s": statistics.median(cpus), "cpu_p95_s": _p(cpus, 0.95),
                     "load_average": os.getloadavg()[0], "renders": RENDERS, "url": url})
    rows.append({"case": "campaigns_pages_warm", "subject_s": warm_s, "baseline_s": warm_s, "cpu_s": warm_cpu,
                 "load_average": os.getloadavg()[0], "warmed": warmed})
    return rows
