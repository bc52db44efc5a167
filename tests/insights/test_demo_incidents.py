"""The demo's first run: the incidents it plants (a 差评 wave on Tmall's best seller up to the last
day, a price rise on Tmall's second best seller on the last two days, an ad budget cut at JD on the
two days before) are in the inbox, each with its cause; the wave also raises the service module's
review_wave alert and opens one 差评跟进 ticket. The truth is the generator's incidents.json, never
the code under test."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
END = dt.date(2026, 12, 3)


def test_the_demo_first_run_shows_the_planted_incidents(warehouse, settings, monkeypatch, tmp_path):
    from shopops.demo.reviews import reviews_demo_ensure
    from shopops.demo.services import _insights_demo_ensure, demo_build
    from shopops.insights.models import Finding, ModuleAlert
    from shopops.service.models import Ticket

    demo_build(days=90, scale="small", seed=7, end_date=END, with_incidents=True)
    truth_file = Path(settings.VAR_DIR) / "demo" / f"small-90d-seed7-{END.isoformat()}-incidents" / "incidents.json"
    truth = {t["kind"]: t for t in json.loads(truth_file.read_text("utf-8"))}
    assert set(truth) == {"price_rise", "ad_cut", "bad_reviews"}

    # what demo_setup runs on the first start: the reviews scored and wave tickets opened, then the inbox
    # (the seed model scores, so that no test trains on the shared corpora; a wave is counted from the stars)
    from shopops.service import sentiment_corpus

    monkeypatch.setenv("SHOPOPS_SENTIMENT_MODEL", str(tmp_path / "none.npz"))
    monkeypatch.setattr(sentiment_corpus, "data_dir", lambda project_root=None: None)
    reviews_demo_ensure(last_day=END, echo=lambda _: None)
    _insights_demo_ensure(echo=lambda _: None)

    wave = truth["bad_reviews"]
    alerts = list(ModuleAlert.objects.filter(source="service", kind="review_wave"))
    assert [(a.store_id, a.product_id) for a in alerts] == [(wave["store_id"], wave["product_id"])]
    tickets = list(Ticket.objects.filter(source="review_wave"))
    assert [(t.store_id, t.product_id, t.ticket_type) for t in tickets] == [
        (wave["store_id"], wave["product_id"], "bad_review")]

    for kind in ("price_rise", "ad_cut"):  # the wave is checked above by its alert and ticket
        t = truth[kind]
        first, last = dt.date.fromisoformat(t["day"]), dt.date.fromisoformat(t["last_day"])
        found = list(Finding.objects.filter(store_id=t["store_id"], day__gte=first, day__lte=last).order_by("day"))
        assert found, f"the planted {kind} at {t['store_id']} {first}..{last} is not in the inbox"
        top = found[0].diagnosis["evidence"][0]
        assert found[0].cause == t["cause"] == top["kind"]
        if t["product_id"]:
            assert top["product_id"] == t["product_id"]
