"""``{% product_complaints store_id product_id %}``: the product's complaints section, for other apps' pages
(the product analysis page includes it). Shown only to users with the service module."""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("service/reviews/_product_section.html", takes_context=True)
def product_complaints(context, store_id: str, product_id: str) -> dict:
    from shopops.service import permissions, selectors_reviews
    from shopops.service.views_reviews import product_issues_context

    request = context.get("request")
    if request is None or not permissions.can_use(request.user):
        return {"allowed": False}
    try:
        issues = selectors_reviews.product_issues(product_id=str(product_id), store_ids=(str(store_id),))
    except Exception:  # no review tables yet: the section stays empty rather than breaking the product page
        return {"allowed": False}
    return {"allowed": True, "store_id": store_id, "product_id": product_id, **product_issues_context(issues)}
