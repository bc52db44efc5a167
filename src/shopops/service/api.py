"""JSON API of the service desk: create tickets (a chat tool, the store's own backend) and
collect survey answers. Mounted under ``/api/service/`` with server-key auth by
``shopops.config.api``; errors in its one shape. Creating a ticket is safe to retry: the same
``request_id`` returns the ticket made the first time (``created: false``)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from shopops.service import services
from shopops.service.models import Priority, Ticket, TicketSource, TicketType

router = Router(tags=["service"])


def _store(request: HttpRequest, store_id: str) -> str:
    own = getattr(request.auth, "store_id", "") or ""
    if store_id and own and store_id != own:
        raise HttpError(403, f"store_id: this API key is for store {own!r}, not {store_id!r}")
    if not (store_id or own):
        raise HttpError(400, "store_id is required")
    return store_id or own


class TicketIn(Schema):
    store_id: str = Field(default="", max_length=64, description="empty: the API key's store")
    request_id: str = Field(min_length=1, max_length=128, description="the caller's id: a retry returns the same ticket")
    ticket_type: TicketType
    priority: int = Field(default=int(Priority.NORMAL), ge=1, le=4)
    subject: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10000)
    order_id: str = Field(default="", max_length=128)
    customer_id: str = Field(default="", max_length=128)
    customer_nickname: str = Field(default="", max_length=128)
    product_id: str = Field(default="", max_length=128)


class TicketOut(Schema):
    id: int
    created: bool
    status: str
    priority: int
    first_response_due: dt.datetime | None
    resolution_due: dt.datetime | None


def _out(ticket: Ticket, created: bool) -> dict:
    return {"id": ticket.pk, "created": created, "status": ticket.status, "priority": ticket.priority,
            "first_response_due": ticket.first_response_due, "resolution_due": ticket.resolution_due}


@router.post("/service/tickets", response=TicketOut, summary="Create a ticket (idempotent on request_id)")
def ticket_create(request: HttpRequest, body: TicketIn):
    data = body.dict()
    request_id = data.pop("request_id")
    data["store_id"] = _store(request, data["store_id"])
    data["ticket_type"] = TicketType(data["ticket_type"]).value
    ticket, created = services.ticket_create(**data, source=TicketSource.API, source_ref=request_id)
    return _out(ticket, created)


@router.get("/service/tickets/{ticket_id}", response=TicketOut, summary="A ticket's status and deadlines")
def ticket_get(request: HttpRequest, ticket_id: int):
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    own = getattr(request.auth, "store_id", "") or ""
    if ticket is None or (own and ticket.store_id != own):
        raise HttpError(404, f"ticket {ticket_id} does not exist")
    return _out(ticket, False)


class AnswerIn(Schema):
    token: str = Field(min_length=1, max_length=64)
    score: int = Field(description="CSAT 1–5, NPS 0–10")
    comment: str = Field(default="", max_length=2000)


class AnswerOut(Schema):
    kind: str
    score: int


@router.post("/service/surveys/answer", response=AnswerOut, summary="Answer a survey send (once per token)")
def survey_answer(request: HttpRequest, body: AnswerIn):
    answer = services.survey_answer(token=body.token, score=body.score, comment=body.comment, via="api")
    return {"kind": answer.send.kind, "score": answer.score}
