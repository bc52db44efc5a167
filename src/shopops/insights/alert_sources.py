"""The modules that raise alerts for insights (see ``shopops.core.alerts``).

Each entry is the dotted path of a function ``alerts(day, *, store_ids=None) -> list[Alert]``.
A module that ships alerts adds its line here; nothing else in insights changes.
"""

from __future__ import annotations

SOURCES: tuple[str, ...] = ()
