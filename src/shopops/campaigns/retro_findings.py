"""Insights findings for the 复盘: which abnormal KPI days of a plan's stores and window a planner may
link to the retrospective ("went well" / "went badly" / "lesson").

Insights is above campaigns in the layers (like the live page's alerts, ``live_alerts``): a layer above
both (``shopops.web``, at start-up) registers the functions that read findings with :func:`set_source`.
Without one the 复盘 offers no suggestions and a link is refused with a message (never an error); the
findings already linked keep showing, because :class:`~shopops.campaigns.models.RetroFinding` keeps
what the finding said when it was linked (in both languages), so the 复盘 document does not change
when insights re-detects a day later.

The source: ``findings(*, store_ids, start, end) -> list[FindingFacts]`` (every finding of those stores
between the days, muted ones too: a 复盘 is history) and ``finding(*, finding_id) -> FindingFacts | None``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class FindingFacts:
    finding_id: int
    day: dt.date
    store_id: str
    product_id: str
    kpi: str
    actual: float
    expected: float
    severity: str
    link: str  # the finding's page (a path inside shopops)
    # per language ("zh", "en"): store, product, kpi, actual, expected, cause, severity (plain text: pages escape it)
    texts: dict[str, dict[str, str]] = field(default_factory=dict)


def texts_in(texts: dict[str, dict[str, str]], language: str) -> dict[str, str]:
    """The texts of ``language`` (zh-hans → zh; anything else → en), else the other language's."""
    lang = "zh" if (language or "").lower().startswith("zh") else "en"
    return texts.get(lang) or texts.get("en") or texts.get("zh") or {}


@dataclass(frozen=True, slots=True)
class Source:
    findings: Callable[..., list[FindingFacts]]
    finding: Callable[..., FindingFacts | None]


_source: Source | None = None


def set_source(source: Source | None) -> None:
    global _source
    _source = source


def available() -> bool:
    return _source is not None


def findings_between(*, store_ids, start: dt.date, end: dt.date) -> list[FindingFacts] | None:
    """The findings of the stores between the days (oldest first), or None when no source is registered."""
    if _source is None:
        return None
    return _source.findings(store_ids=list(store_ids), start=start, end=end)


def finding(finding_id: int) -> FindingFacts | None:
    """One finding, or None when there is none with that id (or no source)."""
    if _source is None:
        return None
    return _source.finding(finding_id=finding_id)
