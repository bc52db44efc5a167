"""Who may do what on the service desk, checked server-side per action.

* Seeing the desk takes the service module (``team.use_service``).
* The **lead** (an agent marked lead, or a user with the team module, or a superuser) may do
  everything: reassign any ticket, change priorities, edit templates and SLA policies.
* An **agent** edits (replies, notes, status) the tickets assigned to them or created by
  them, and may take an unassigned ticket for themselves; nothing else.
* Customer ids are shown whole only to users who may export customer ids; otherwise
  masked (``customers.masking``). The nickname is shown to those who may edit the ticket
  (they write to the customer), masked to everyone else.
"""

from __future__ import annotations

from shopops.core.roles import Action, Module, action_permission
from shopops.customers.masking import mask_id, mask_name
from shopops.service.models import Agent, Ticket

PERMISSION = f"team.use_{Module.SERVICE.value}"
LEAD_PERMISSION = f"team.use_{Module.TEAM.value}"


def _agent(user) -> Agent | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_service_agent", False)
    if cached is False:
        cached = Agent.objects.filter(user=user).first()
        user._service_agent = cached
    return cached


def can_use(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm(PERMISSION))


def is_lead(user) -> bool:
    if not can_use(user):
        return False
    agent = _agent(user)
    return bool(user.is_superuser or user.has_perm(LEAD_PERMISSION) or (agent and agent.is_lead))


def can_edit(user, ticket: Ticket) -> bool:
    if is_lead(user):
        return True
    if not can_use(user):
        return False
    agent = _agent(user)
    return bool((agent and ticket.assignee_id == agent.pk) or (ticket.created_by_id and ticket.created_by_id == user.pk))


def can_assign(user, ticket: Ticket, target: Agent | None) -> bool:
    """The lead assigns to anyone; an agent only takes an unassigned ticket for themselves."""
    if is_lead(user):
        return True
    agent = _agent(user)
    return bool(can_use(user) and agent and target is not None and target.pk == agent.pk and ticket.assignee_id is None)


def can_set_priority(user, ticket: Ticket) -> bool:
    return is_lead(user)


def can_edit_templates(user) -> bool:
    return is_lead(user)


def customer_shown(user, ticket: Ticket) -> tuple[str, str]:
    """(customer id, nickname) as this user may see them."""
    full_ids = user.has_perm(action_permission(Action.EXPORT_CUSTOMER_IDS))
    cid = ticket.customer_id if full_ids else mask_id(ticket.customer_id)
    nick = ticket.customer_nickname if can_edit(user, ticket) else mask_name(ticket.customer_nickname)
    return cid, nick
