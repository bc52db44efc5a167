"""Alerts from insights on the live campaign page.

Insights is above campaigns in the layers: it watches the running plans (``insights/campaign_watch.py``)
and keeps every module's alerts and its own findings, but campaigns cannot import it. A layer above both
(``shopops.web``, at start-up) registers the function that reads them with :func:`set_source`; without
one the live page shows no alert panel (never an error).

The source: ``source(*, plan_id, store_ids, start, end, language) -> list[LiveAlert]``: the open alerts
and findings of the plan's stores between ``start`` and ``end``, most severe first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LiveAlert:
    day: dt.date
    severity: str  # low | medium | high | critical
    severity_label: str
    module: str  # where it comes from, in the page's language
    store: str  # the store's name, or "" when it concerns no single store
    text: str  # one line in the page's language (plain text: the page escapes it)
    link: str  # a path inside shopops, or ""


_source: Callable[..., list[LiveAlert]] | None = None


def set_source(source: Callable[..., list[LiveAlert]] | None) -> None:
    global _source
    _source = source


def alerts_for(*, plan_id: int, store_ids, start: dt.date, end: dt.date, language: str) -> list[LiveAlert] | None:
    """The alerts of a plan's days, or None when no source is registered (nothing to show)."""
    if _source is None:
        return None
    return _source(plan_id=plan_id, store_ids=list(store_ids), start=start, end=end, language=language)
