"""The demo's first run: both incidents it plants (a price rise on Tmall's best seller on the last
two days, an ad budget cut at JD on the two days before) are in the inbox, each with its cause.
The truth is the generator's incidents.json, never the code under test."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
END = dt.date(2026, 12, 3)


def test_the_demo_first_run_shows_both_planted_incidents(warehouse, settings):
    from shopops.demo.services import _insights_demo_ensure, demo_build
    from shopops.insights.models import Finding

    demo_build(days=90, scale="small", seed=7, end_date=END, with_incidents=True)
    truth_file = Path(settings.VAR_DIR) / "demo" / f"small-90d-seed7-{END.isoformat()}-incidents" / "incidents.json"
    truth = {t["kind"]: t for t in json.loads(truth_file.read_text("utf-8"))}
    assert set(truth) == {"price_rise", "ad_cut"}

    _insights_demo_ensure(echo=lambda _: None)  # what demo_setup runs on the first start

    for kind, t in truth.items():
        first, last = dt.date.fromisoformat(t["day"]), dt.date.fromisoformat(t["last_day"])
        found = list(Finding.objects.filter(store_id=t["store_id"], day__gte=first, day__lte=last).order_by("day"))
        assert found, f"the planted {kind} at {t['store_id']} {first}..{last} is not in the inbox"
        top = found[0].diagnosis["evidence"][0]
        assert found[0].cause == t["cause"] == top["kind"]
        if t["product_id"]:
            assert top["product_id"] == t["product_id"]
