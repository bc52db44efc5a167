"""Evaluation on planted incidents: detection precision and recall, top-1 / top-3 accuracy of
the named cause, and false alerts on normal days — measured against the truth the demo
generator wrote (``incidents.json``), never against the code under test.

Floors were set after measuring (see docs/insights.md for the figures): they sit one or two
incidents below what the engine reached, so a real regression fails and noise does not.
"""

from __future__ import annotations

import datetime as dt

import pytest

from shopops.insights.calendar import CampaignCalendar
from shopops.insights.pipeline import RunConfig, run_days
from tests.insights.conftest import END, EVAL_FIRST

STORES = ("tmall", "jd", "pdd", "douyin", "own")


def _windows(truth):
    return [dict(t, first=dt.date.fromisoformat(t["day"]), last=dt.date.fromisoformat(t["last_day"])) for t in truth]


def _matches(d, incidents):
    f = d.finding
    return [t for t in incidents if t["store_id"] == f.store_id and t["first"] <= f.day <= t["last"]]


def _names_truth(evidence, t) -> bool:
    return evidence.kind == t["cause"] and (t["product_id"] is None or evidence.product_id == t["product_id"])


@pytest.mark.slow
@pytest.mark.django_db
def test_planted_incidents_are_found_and_explained(incident_warehouse):
    incidents = _windows(incident_warehouse)
    days = [EVAL_FIRST + dt.timedelta(days=i) for i in range((END - EVAL_FIRST).days + 1)]
    result = run_days(days, config=RunConfig())
    found = result.diagnosed

    true_findings = [d for d in found if _matches(d, incidents)]
    precision = len(true_findings) / len(found) if found else 0.0
    detected, top1, top3 = [], 0, 0
    for t in incidents:
        hits = [d for d in found if t in _matches(d, incidents)]
        if not hits:
            continue
        detected.append(t)
        first = hits[0]
        top1 += bool(first.evidence) and _names_truth(first.evidence[0], t)
        top3 += any(_names_truth(e, t) for e in first.evidence[:3])
    recall = len(detected) / len(incidents)

    # false alerts on normal store-days: no incident, no campaign
    calendar = CampaignCalendar()
    campaign = {(s, d) for s in STORES for d in days if calendar.name(d, s)}
    incident_days = {(t["store_id"], t["first"] + dt.timedelta(days=k)) for t in incidents
                     for k in range((t["last"] - t["first"]).days + 1)}
    normal = {(s, d) for s in STORES for d in days} - campaign - incident_days
    false = [d for d in found if (d.finding.store_id, d.finding.day) in normal]

    print(f"\nplanted incidents: {len(incidents)}; findings: {len(found)} over {len(days)} days × {len(STORES)} stores")
    print(f"detection recall {recall:.2f} ({len(detected)}/{len(incidents)}), precision {precision:.2f} "
          f"({len(true_findings)}/{len(found)})")
    print(f"named cause top-1 {top1}/{len(detected)} detected ({top1 / len(incidents):.2f} of all), "
          f"top-3 {top3}/{len(detected)}")
    print(f"false alerts on normal store-days: {len(false)} of {len(normal)} ({len(false) / len(normal):.2%})")
    for t in incidents:
        hits = [d for d in found if t in _matches(d, incidents)]
        named = [(e.kind, e.product_id) for e in hits[0].evidence[:3]] if hits else None
        print(f"  {t['kind']:16} {t['store_id']:7} {t['day']}  {'found' if hits else 'MISSED':6} {named}")
    for d in false:
        print(f"  false: {d.finding.store_id} {d.finding.day} {[s.kpi for s in d.finding.signals[:3]]}")

    assert recall >= 0.6
    assert precision >= 0.65
    assert top1 >= 0.85 * len(detected)
    assert top3 >= 0.9 * len(detected)
    assert len(false) / len(normal) <= 0.02
