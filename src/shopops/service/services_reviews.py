"""Writes of the reviews side: scoring reviews, tickets for 差评 waves, reply drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext

from shopops.core.errors import ValidationError
from shopops.service import ticket_text
from shopops.service.models import Priority, ReplyTemplate, TemplateScenario, TicketSource, TicketType


def review_scores_run(*, since: dt.date | None = None, rescore: bool = False, con=None,
                      echo: Callable[[str], None] = lambda _: None):
    """Score every review that this installation's model, adapted to the review's store, has not scored yet
    (``review_scores``; the stores' adapted models are kept in ``<VAR_DIR>/models/stores/``)."""
    from shopops.service.review_model import model_dir, sentiment_model
    from shopops.service.review_scoring import review_scores_refresh
    from shopops.warehouse.connection import connect

    return review_scores_refresh(con=con or connect(), model=sentiment_model(echo=echo), since=since,
                                 rescore=rescore, folder=model_dir() / "stores", echo=echo)


def review_wave_tickets(*, day: dt.date, con=None, now: dt.datetime | None = None) -> int:
    """A 差评跟进 ticket per product with a 差评 wave firing in the week up to ``day``; returns how many were
    created.

    One ticket per wave and product: a product that already has an active wave ticket gets that ticket
    updated (subject, description and counts, with an internal note that the wave changed) instead of a
    second one — a wave's first day moves as the week slides and one product can fire twice in a week, so
    the wave's key alone (the ticket's ``source_ref``) would open a ticket per key. Of one run's waves of a
    product, the latest counts. Running again with the same facts changes nothing."""
    from django.db import transaction
    from django.utils import timezone

    from shopops.service.models import Ticket, TicketNote, TicketStatus
    from shopops.service.selectors import product_title
    from shopops.service.selectors_reviews import product_issues, review_waves
    from shopops.service.services import ticket_create, ticket_set_priority

    now = now or timezone.now()
    latest = {}
    for w in review_waves(day=day, lookback=7, con=con):  # sorted by first day: the last of a product wins
        latest[(w.store_id, w.product_id)] = w
    made = 0
    for (store_id, product_id), w in sorted(latest.items()):
        issues = product_issues(product_id=product_id, store_ids=(store_id,), last=w.last_day, weeks=2, con=con)
        generated = {
            "kind": ticket_text.WAVE, "product_id": product_id,
            "product_title": product_title(store_id=store_id, product_id=product_id),
            "first_day": w.first_day.isoformat(), "bad": w.bad, "reviews": w.reviews,
            "expected": round(float(w.expected), 1),
            "top": [[a, int(n)] for a, n in list(issues.totals.items())[:3]],
            "examples": [e["text"] for es in issues.examples.values() for e in es][:3]}
        subject = ticket_text.in_chinese(ticket_text.subject, generated)[:200]
        description = ticket_text.in_chinese(ticket_text.description, generated)
        priority = Priority.HIGH if w.bad >= 10 else Priority.NORMAL
        open_ticket = (Ticket.objects.filter(source=TicketSource.REVIEW_WAVE, store_id=store_id, product_id=product_id)
                       .exclude(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED]).order_by("created_at", "id")
                       .first())
        if open_ticket is None:
            _, created = ticket_create(
                store_id=store_id, ticket_type=TicketType.BAD_REVIEW, source=TicketSource.REVIEW_WAVE,
                source_ref=w.key, product_id=product_id, priority=priority, subject=subject,
                description=description, generated=generated, now=now)
            made += created
            continue
        was = open_ticket.generated or {}
        if was == generated:
            continue  # the same wave, the same counts: nothing to write
        with transaction.atomic():
            if (was.get("bad"), was.get("reviews")) != (w.bad, w.reviews):
                change = {"kind": ticket_text.WAVE_CHANGED, "bad": w.bad, "reviews": w.reviews,
                          "was_bad": was.get("bad", "?"), "was_reviews": was.get("reviews", "?")}
                TicketNote.objects.create(ticket=open_ticket, body=ticket_text.in_chinese(ticket_text.note, change),
                                          internal=True, generated=change, created_at=now)
            open_ticket.subject, open_ticket.description, open_ticket.generated = subject, description, generated
            open_ticket.updated_at = now
            open_ticket.save(update_fields=["subject", "description", "generated", "updated_at"])
            if priority > open_ticket.priority:
                ticket_set_priority(ticket=open_ticket, priority=priority, now=now, detail="raised: the wave grew")
    return made


def review_reply_draft(*, store_id: str, review_id: str, template_id: int | None = None, con=None) -> tuple[str, ReplyTemplate]:
    """A reply to a review from a 评价回复 template (the chosen one, or the most used for the store's
    platform); ``{product}`` is the product's title (its id when it has none), ``{store}`` the store's name,
    ``{nickname}`` 亲 (platforms mask buyers' names) — the buyer reads this text."""
    from shopops.metrics.dimensions import store_names
    from shopops.service.selectors import product_title
    from shopops.service.selectors_reviews import review_get
    from shopops.service.services import template_render

    review = review_get(store_id=store_id, review_id=review_id, con=con)
    if review is None:
        raise ValidationError(gettext("Review %(review)s of store %(store)s does not exist.")
                              % {"review": str(review_id)[:60], "store": str(store_id)[:60]})
    templates = ReplyTemplate.objects.filter(scenario=TemplateScenario.REVIEW_REPLY, is_active=True)
    if template_id is not None:
        template = templates.filter(pk=template_id).first()
        if template is None:
            raise ValidationError(gettext("Reply template %(id)s does not exist or is not a reply to a review.")
                                  % {"id": template_id})
    else:
        bad = review["rating"] is not None and review["rating"] <= 2 or review["polarity"] == -1
        ordered = sorted(templates, key=lambda t: (("差" in t.title or "歉" in t.body) != bad, -t.usage_count, t.pk))
        if not ordered:
            raise ValidationError(gettext("No active template for replies to reviews (话术 with the scenario “reply to a review”): "
                                          "add one first."))
        template = ordered[0]
    text = template_render(template=template, values={
        "nickname": "亲", "product": product_title(store_id=store_id, product_id=review["product_id"]),
        "order_id": review["order_id"] or "", "store": store_names().get(store_id, store_id)})
    return text, template
