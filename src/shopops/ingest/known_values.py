"""Columns whose values must be known to an app above ingest (an inversion, like the coupon issuer).

An app registers, for a (table, column), a function returning the accepted values (or None
when it has none configured yet: then anything is accepted). The pipeline rejects a row whose
value is not among them, naming row, column and value, so every import path (page, CLI, API)
applies the same rule. The service app registers the agents' chat-tool names for
``service_chat_daily.agent_name``.
"""

from __future__ import annotations

from collections.abc import Callable

_PROVIDERS: dict[tuple[str, str], tuple[Callable[[], set[str] | None], str]] = {}


def register_known_values(table: str, column: str, provider: Callable[[], set[str] | None], *, what: str,
                          ) -> None:
    """``provider()`` returns the accepted values; ``what`` names them in messages ("agent")."""
    _PROVIDERS[(table, column)] = (provider, what)


def known_values(table: str, column: str) -> tuple[set[str], str] | None:
    entry = _PROVIDERS.get((table, column))
    if entry is None:
        return None
    values = entry[0]()
    return None if values is None else (values, entry[1])
