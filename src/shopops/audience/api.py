"""JSON API of audience for the store's own channel: a customer's opt-out (PIPL).

Mounted with server-key auth by ``shopops.config.api`` at ``/api/customers/opt-out`` (the
address it had when it lived in customers). Errors in the one shape of ``shopops.config.api``.
Safe to retry: an opt-out recorded twice is one row.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from pydantic import Field

from shopops.audience import services
from shopops.audience.models import Channel
from shopops.customers.api import CustomerIn, store_for_request

router = Router(tags=["customers"])


class OptOutIn(CustomerIn):
    channel: str = Field(default="", description=f"one of {', '.join(Channel.values)}; empty: every channel")
    reason: str = Field(default="", max_length=200)


@router.post("/customers/opt-out", response=dict, summary="The customer asks for no more marketing messages (PIPL)")
def opt_out(request: HttpRequest, body: OptOutIn):
    row = services.opt_out_add(store_id=store_for_request(request, body.store_id), customer_id=body.customer_id,
                               channel=body.channel, reason=body.reason)
    return {"store_id": row.store_id, "customer_id": row.customer_id, "channel": row.channel,
            "since": row.created_at.isoformat()}
