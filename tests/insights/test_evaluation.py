"""Evaluation on random planted incidents: detection recall and precision, the named cause (top-1 /
top-3) and false alerts on normal store-days — measured against the truth the demo generator
wrote (``incidents.json``), never against the code under test.

Three schedules drawn at random (``shopops.insights.evaluation.draw_schedule``: one incident of
every kind at a random store, day and product rank 0–9) on seeds neither tuning
(``bench/eval_insights.py --set dev``) nor the reported figures (``--set heldout``) use: two on
ordinary days, one inside 618. Each runs the real chain — generator (eval scale), ingest
pipeline, ``run_days`` over the three weeks. The floors hold the *mean* over the schedules; they sit
below what the engine reached on them (docs/insights.md has the multi-seed figures).
"""

from __future__ import annotations

import datetime as dt
import statistics

import pytest

from shopops.insights.calendar import CampaignCalendar
from shopops.insights.evaluation import SEASONS, STORES, Season, draw_schedule, score
from shopops.insights.pipeline import RunConfig, run_days

D = dt.date
SCHEDULES = (
    (11, Season("ordinary", D(2025, 8, 11), D(2025, 8, 31))),
    (12, Season("campaign", D(2025, 5, 27), D(2025, 6, 16))),
    (13, Season("ordinary", D(2025, 7, 14), D(2025, 8, 3))),
)


@pytest.fixture(scope="module")
def schedules(tmp_path_factory):
    """(season, warehouse path, truth) per schedule, built through the generator and the ingest pipeline."""
    import json

    import ibis

    from shopops.demo.generator import generate
    from shopops.demo.generator.incidents import Incident
    from shopops.ingest.pipeline import import_file
    from shopops.ingest.profiles import profile_get
    from shopops.warehouse.loader import ensure_tables

    out = []
    for seed, season in SCHEDULES:
        root = tmp_path_factory.mktemp(f"schedule-{seed}")
        plan = draw_schedule(seed, season, per_kind=1)
        manifest = generate(root / "files", days=season.generate_days, scale="eval", seed=seed, end_date=season.last,
                            incidents=[Incident(p.kind, p.store_id, p.day, rank=p.rank) for p in plan])
        con = ibis.duckdb.connect(str(root / "warehouse.duckdb"))
        ensure_tables(con)
        for f in manifest.files:
            import_file(f.path, profile=profile_get(f.profile_id), con=con, store_id=f.store_id, strict=True)
        con.disconnect()
        out.append((season, str(root / "warehouse.duckdb"),
                    json.loads((root / "files" / "incidents.json").read_text("utf-8"))))
    return out


def test_the_schedule_draws_every_kind_apart():
    season = SEASONS["ordinary"]
    plan = draw_schedule(5, season)
    assert sorted(p.kind for p in plan) == sorted(k for k in
                                                  ("price_rise", "stock_out", "bad_reviews", "competitor_cut",
                                                   "ad_cut", "tracking_outage") for _ in range(3))
    for p in plan:
        assert season.first <= p.day <= season.last - dt.timedelta(days=1)
        assert p.store_id != "own" or p.kind not in ("ad_cut", "competitor_cut")
        assert p.kind != "tracking_outage" or p.store_id == "own"  # the only store with an event stream
        same = [q for q in plan if q.store_id == p.store_id and q is not p]
        assert all(abs((q.day - p.day).days) >= 5 for q in same)
    assert draw_schedule(5, season) == plan and draw_schedule(6, season) != plan


@pytest.mark.parametrize("name", ["double12", "women38"])
def test_a_short_window_holds_one_incident_of_each_kind(name):
    """双12 and 38节 are 8 days: one incident of each kind, every one inside the window, a store's 5 days
    apart — for seeds whose first random days leave a store fragmented too (drawn again)."""
    season = SEASONS[name]
    kinds = ("price_rise", "stock_out", "bad_reviews", "competitor_cut", "ad_cut", "tracking_outage")
    for seed in range(40):
        plan = draw_schedule(seed, season)
        assert sorted(p.kind for p in plan) == sorted(kinds)
        for p in plan:
            assert season.first <= p.day <= season.last - dt.timedelta(days=1)
            assert p.kind != "tracking_outage" or p.store_id == "own"
            assert p.store_id != "own" or p.kind not in ("ad_cut", "competitor_cut")
            assert all(abs((q.day - p.day).days) >= 5 for q in plan if q.store_id == p.store_id and q is not p)
    # the long seasons' schedules are the ones their cached warehouses were built from (attempt 0)
    assert len(draw_schedule(5, SEASONS["double11"])) == 18


@pytest.mark.slow
def test_planted_incidents_are_found_and_explained(schedules):
    import ibis

    calendar = CampaignCalendar()
    scores = []
    for season, path, truth in schedules:
        con = ibis.duckdb.connect(path, read_only=True)
        found = run_days(season.days, config=RunConfig(), con=con).diagnosed  # three weeks: one backfill
        con.disconnect()
        campaign = {(s, d) for s in STORES for d in season.days if calendar.name(d, s)}
        sc = score(found, truth, season.days, campaign_days=campaign)
        scores.append(sc)
        print(f"\n{season.name} {season.first}..{season.last}: recall {sc.recall:.2f} ({sc.detected}/{sc.incidents}), "
              f"precision {sc.precision:.2f} ({sc.true_findings}/{sc.findings}), top-1 {sc.top1}/{sc.detected}, "
              f"top-3 {sc.top3}/{sc.detected}, false alerts {sc.false_alerts}/{sc.normal_store_days} normal, "
              f"{sc.campaign_false_alerts}/{sc.campaign_store_days} campaign store-days")
        for o in sc.outcomes:
            t = o.truth
            print(f"  {t['kind']:16} {t['store_id']:7} {t['day']} rank {t['rank']} {'found' if o.found else 'MISSED'} "
                  f"{o.named}")

    def mean(xs):
        return statistics.mean(xs)

    recall = mean([s.recall for s in scores])
    precision = mean([s.precision for s in scores])
    top1 = sum(s.top1 for s in scores) / max(sum(s.detected for s in scores), 1)
    top3 = sum(s.top3 for s in scores) / max(sum(s.detected for s in scores), 1)
    normal = sum(s.normal_store_days for s in scores)
    false_rate = sum(s.false_alerts for s in scores) / normal
    campaign_recall = scores[1].recall
    print(f"\nmean recall {recall:.2f}, precision {precision:.2f}, top-1 {top1:.2f}, top-3 {top3:.2f} of detected, "
          f"false alerts {false_rate:.2%} of normal store-days; inside 618: recall {campaign_recall:.2f}")
    # measured on these three schedules (2026-12-05, main after platform stores lost their events): recall 0.83,
    # precision 0.77, top-1 and top-3 1.00, false alerts 4.35 % of normal store-days (the mid-July schedule right
    # after 618 carries them: store-level bands that miss the month's turn), inside 618 recall 0.67; after issue
    # 18's sixth pass (k18p: settled level, units as a compound count, the products' shared bar) the same except
    # false alerts 3.80 % (7 of 92 normal store-days of the mid-July schedule, none on the other). Floors sit
    # under the mean (the schedules are fixed: the run is deterministic); held-out figures on many more
    # schedules are in docs/insights.md
    assert recall >= 0.75
    assert campaign_recall >= 0.6
    assert precision >= 0.7
    assert top1 >= 0.9
    assert top3 >= 0.9
    assert false_rate <= 0.06
