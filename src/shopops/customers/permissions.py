"""Who may do what in the customers area beyond seeing it (the ``customers`` module).

Segments hold lists of customers that can be exported (ids, hashes) and are built to act
on them: building, refreshing and exporting them takes the customers module and a module
of those who act on customers (promotions: ops, copywriters) or analyse them (traffic &
funnel: analysts). Customer service sees single customers, not lists — no segments.
Sending outreach takes the promotions module (``audience.views.SEND_PERMISSION``).
"""

from __future__ import annotations

from shopops.core.roles import Module

CUSTOMERS_PERMISSION = f"team.use_{Module.CUSTOMERS.value}"
SEGMENT_PERMISSIONS = (f"team.use_{Module.PROMOTIONS.value}", f"team.use_{Module.TRAFFIC.value}")


def can_use_segments(user) -> bool:
    return bool(user.is_authenticated and user.has_perm(CUSTOMERS_PERMISSION)
                and any(user.has_perm(p) for p in SEGMENT_PERMISSIONS))
