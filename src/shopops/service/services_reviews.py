"""Writes of the reviews side: scoring reviews, tickets for 差评 waves, reply drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext

from shopops.core.errors import ValidationError
from shopops.service import aspects
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
    """A 差评跟进 ticket per 差评 wave firing in the week up to ``day`` (once per wave: its key is the
    ticket's ``source_ref``); returns how many were created."""
    from shopops.service.selectors_reviews import product_issues, review_waves
    from shopops.service.services import ticket_create

    made = 0
    for w in review_waves(day=day, lookback=7, con=con):
        issues = product_issues(product_id=w.product_id, store_ids=(w.store_id,), last=w.last_day, weeks=2, con=con)
        top = ", ".join(f"{aspects.LABEL_ZH[a]} {n}" for a, n in list(issues.totals.items())[:3]) or "-"
        examples = [e["text"] for es in issues.examples.values() for e in es][:3]
        _, created = ticket_create(
            store_id=w.store_id, ticket_type=TicketType.BAD_REVIEW, source=TicketSource.REVIEW_WAVE,
            source_ref=w.key, product_id=w.product_id,
            priority=Priority.HIGH if w.bad >= 10 else Priority.NORMAL,
            subject=f"差评集中：商品 {w.product_id} 近 7 天 {w.bad} 条差评"[:200],
            description=(f"{w.first_day} 起商品 {w.product_id} 差评集中出现：7 天内 {w.bad} 条差评 / {w.reviews} 条评价"
                         f"（平时约 {w.expected:.1f} 条）。主要问题：{top}。\n"
                         + "\n".join(f"- {t}" for t in examples)),
            now=now)
        made += created
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
