"""Each store's customer stage rules (RFM window, active/churn/new days, VIP thresholds), read
from the app DB (``CustomerSettings``) for the pure facts engine (``customers.facts``), which
takes them as ``rules=`` and imports no Django."""

from __future__ import annotations

from collections.abc import Iterable

from shopops.customers.lifecycle import RulesByStore, StageRules


def store_rules(store_ids: Iterable[str] | None = None) -> RulesByStore:
    """Each store's rules from ``CustomerSettings`` (the default row applies to the rest)."""
    from shopops.customers.models import CustomerSettings

    rows = {s.store_id: StageRules.from_settings(s) for s in CustomerSettings.objects.all()}
    default = rows.pop("", StageRules())
    if store_ids is not None:
        rows = {k: v for k, v in rows.items() if k in set(store_ids)}
    return RulesByStore(default, rows)
