"""Timing Django pages in process (the test client): shared by the page benches.

``demo_client(var)`` sets the process up on a set-up demo's ``SHOPOPS_VAR_DIR`` (only read) and
returns a test client logged in as the director; ``time_pages(client, pages, prefix, renders)`` times
each page's first render with an empty cache and then ``renders`` renders, and returns one bench row a
page: subject = p95 wall, baseline = p50 wall, with CPU p50/p95 and the load average recorded.
"""

from __future__ import annotations

import os
import statistics
import time


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def demo_client(var: str | None):
    if not var:
        raise SystemExit("set SHOPOPS_BENCH_DEMO_VAR to the SHOPOPS_VAR_DIR of a set-up demo")
    os.environ["SHOPOPS_VAR_DIR"] = var
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopops.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    try:
        setup_test_environment()
    except RuntimeError:  # another page bench set it up in this process already
        pass
    client = Client()
    client.force_login(get_user_model().objects.get(username="director"))
    try:  # as `shopops serve` does before serving: every page imported, long-lived objects frozen
        from shopops.web.startup import settle
    except ImportError:  # a branch from before it
        return client
    if os.environ.get("BENCH_SETTLE", "1") != "0":
        settle()
    return client


def first_renders(client, pages: dict[str, str]) -> dict[str, float]:
    """Each page once with an empty cache: the first visitor's wait."""
    from django.core.cache import caches

    caches["default"].clear()
    cold = {}
    for name, url in pages.items():
        t0 = time.perf_counter()
        r = client.get(url)
        cold[name] = time.perf_counter() - t0
        assert r.status_code == 200, (url, r.status_code)
    return cold


def time_pages(client, pages: dict[str, str], prefix: str, renders: int, cold: dict[str, float]) -> list[dict]:
    rows = []
    for name, url in pages.items():
        times, cpus = [], []
        for _ in range(renders):
            t0, c0 = time.perf_counter(), time.process_time()
            r = client.get(url)
            times.append(time.perf_counter() - t0)
            cpus.append(time.process_time() - c0)
            assert r.status_code == 200, (url, r.status_code)
        rows.append({"case": f"{prefix}_{name}_page", "subject_s": percentile(times, 0.95),
                     "baseline_s": statistics.median(times), "baseline": "p50 of the same renders (subject: p95)",
                     "cold_first_render_s": cold.get(name), "cpu_p50_s": statistics.median(cpus),
                     "cpu_p95_s": percentile(cpus, 0.95), "load_average": os.getloadavg()[0],
                     "renders": renders, "url": url})
    return rows
