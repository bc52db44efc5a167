"""The texts the system writes on tickets (subjects, descriptions, notes), built from their parameters
in the reader's language.

A ticket made from a fact (a refund, a 1–2 star review, a 差评 wave) keeps ``generated = {"kind": …,
…parameters}``; pages show :func:`subject` / :func:`description` of it in the active language, so an
English agent reads "Refund JDR…: 不喜欢/效果不好" where a Chinese one reads "退款 JDR…：不喜欢/效果不好".
The stored ``subject``/``description`` are the same texts in Chinese (the site's language: search,
the API and the admin read them). What the buyer wrote (a review, a refund reason) and the store's own
listing title stay as written. A ticket typed by a person has no ``generated`` and shows its subject.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import translation
from django.utils.translation import gettext, pgettext

REFUND, REVIEW, WAVE, WAVE_CHANGED = "refund", "review", "review_wave", "review_wave_changed"


def _zh() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


def _product(p: Mapping) -> str:
    """The product by its listing title, else by its id (商品 600002312610 / product 600002312610)."""
    title = str(p.get("product_title") or "")
    if title and title != str(p.get("product_id", "")):
        return title
    return gettext("product %(id)s") % {"id": p.get("product_id", "")}


def _refund_status(code: str) -> str:
    labels = {"requested": pgettext("refund status", "requested"), "success": pgettext("refund status", "refunded"),
              "rejected": pgettext("refund status", "rejected"), "cancelled": pgettext("refund status", "cancelled")}
    return labels.get(code, code)


def _aspects(top) -> str:
    from shopops.service.aspects import LABEL_EN, LABEL_ZH

    labels = LABEL_ZH if _zh() else LABEL_EN
    return ", ".join(f"{labels.get(a, a)} {n}" for a, n in top) or "-"


def subject(generated: Mapping) -> str:
    """The subject of a generated ticket in the active language; KeyError for an unknown kind or a missing field."""
    kind = generated["kind"]
    if kind == REFUND:
        return gettext("Refund %(refund)s: %(reason)s") % {
            "refund": generated["refund_id"], "reason": generated.get("reason") or gettext("no reason given")}
    if kind == REVIEW:
        return gettext("%(stars)s★ review: %(text)s") % {
            "stars": generated["rating"], "text": generated.get("excerpt") or gettext("(no text)")}
    if kind == WAVE:
        return gettext("Bad-review wave: %(product)s, %(bad)s bad reviews in 7 days") % {
            "product": _product(generated), "bad": generated["bad"]}
    raise KeyError(kind)


def description(generated: Mapping) -> str | None:
    """The description of a generated ticket in the active language; None where it is the buyer's own text
    (a review ticket's description is the review)."""
    kind = generated["kind"]
    if kind == REFUND:
        return gettext("Order %(order)s asked for a refund of %(amount)s (%(status)s). Reason: %(reason)s") % {
            "order": generated["order_id"], "amount": generated["amount"],
            "status": _refund_status(str(generated.get("status") or "")), "reason": generated.get("reason") or "-"}
    if kind == WAVE:
        head = gettext("Bad reviews bunch up on %(product)s from %(first_day)s: %(bad)s bad of %(reviews)s reviews "
                       "in 7 days (about %(expected)s usual). Main issues: %(issues)s.") % {
            "product": _product(generated), "first_day": generated["first_day"], "bad": generated["bad"],
            "reviews": generated["reviews"], "expected": f"{float(generated['expected']):.1f}",
            "issues": _aspects(generated.get("top", []))}
        return "\n".join([head, *(f"- {t}" for t in generated.get("examples", []))])
    return None


def note(generated: Mapping) -> str:
    """An internal note the system wrote, in the active language."""
    if generated["kind"] == WAVE_CHANGED:
        return gettext("The bad-review wave changed: %(bad)s bad of %(reviews)s reviews in 7 days (was %(was_bad)s "
                       "of %(was_reviews)s); the subject and description show the new counts.") % {
            k: generated[k] for k in ("bad", "reviews", "was_bad", "was_reviews")}
    raise KeyError(generated["kind"])


def shown(build, generated: Mapping | None, stored: str) -> str:
    """``build(generated)`` in the active language, else the stored text (typed by a person, or of a kind or
    shape this code does not know)."""
    if not generated:
        return stored
    try:
        text = build(generated)
    except (KeyError, TypeError, ValueError):
        return stored
    return stored if text is None else text


def in_chinese(build, generated: Mapping) -> str:
    """The text as stored: in Chinese, the site's language, whatever language the job runs in."""
    with translation.override("zh-hans"):
        return build(generated)
