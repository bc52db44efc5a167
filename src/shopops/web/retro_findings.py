"""The 复盘's findings (``campaigns.retro_findings``), read from insights: registered at start-up by
:class:`shopops.web.apps.WebConfig` — web is the layer above both (like ``web.campaign_alerts``).

Each finding comes with its texts in zh-Hans and English (store, product, KPI, actual, expected, the named
cause, severity) so the link keeps what the finding said when it was linked, in either language.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation

from shopops.campaigns.retro_findings import FindingFacts

LANGUAGES = (("zh", "zh-hans"), ("en", "en"))


def _facts(f, names: dict[str, str]) -> FindingFacts:
    from shopops.insights import selectors, texts
    from shopops.insights.models import Severity

    out: dict[str, dict[str, str]] = {}
    for key, lang in LANGUAGES:
        with translation.override(lang):
            view = selectors.finding_view(f, names)
            top = view.evidence[0] if view.evidence else None
            cause = f"{top['label']}: {top['text']}" if top else (texts.cause_label(f.cause) if f.cause else "")
            out[key] = {"store": view.store_name, "product": view.product_title,
                        "kpi": texts.kpi_label(f.kpi, bool(f.product_id)),
                        "actual": texts.fmt_value(f.kpi, f.actual),
                        "expected": texts.expected_text(f.kpi, f.expected, f.low, f.high),
                        "cause": cause, "severity": str(Severity(f.severity).label) if f.severity in Severity.values else f.severity}
    return FindingFacts(finding_id=f.pk, day=f.day, store_id=f.store_id, product_id=f.product_id or "", kpi=f.kpi,
                        actual=float(f.actual), expected=float(f.expected), severity=f.severity,
                        link=reverse("insights:finding", args=[f.pk]), texts=out)


def retro_findings(*, store_ids: list[str], start: dt.date, end: dt.date) -> list[FindingFacts]:
    from shopops.insights import selectors

    names = selectors.store_names()
    rows = selectors.finding_list(status="", start=start, end=end).filter(store_id__in=store_ids).order_by("day", "store_id")
    return [_facts(f, names) for f in rows]


def retro_finding(*, finding_id: int) -> FindingFacts | None:
    from shopops.insights import selectors
    from shopops.insights.models import Finding

    try:
        f = selectors.finding_get(finding_id=finding_id)
    except Finding.DoesNotExist:
        return None
    return _facts(f, selectors.store_names())
