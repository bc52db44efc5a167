"""Alerts of the service app for insights (``shopops.core.alerts``): 差评 waves per product."""

from __future__ import annotations

import datetime as dt

from shopops.core.alerts import Alert


def alerts(day: dt.date, *, store_ids=None) -> list[Alert]:
    """One alert per product with a 差评 wave still firing in the last 3 days up to ``day``."""
    from shopops.service.selectors_reviews import review_waves

    out = []
    for w in review_waves(day=day, store_ids=tuple(store_ids or ()), lookback=3):
        strong = w.bad >= 3 * max(w.expected, 1.0) and w.bad >= 10
        out.append(Alert(
            source="service", kind="review_wave", key=f"{w.store_id}:{w.product_id}", store_id=w.store_id, day=day,
            severity="high" if strong else "medium",
            text_zh=f"商品 {w.product_id} 差评集中出现：近 7 天 {w.bad} 条差评（共 {w.reviews} 条评价，平时约 {w.expected:.1f} 条）",
            text_en=f"Bad-review wave on product {w.product_id}: {w.bad} bad reviews in 7 days "
                    f"(of {w.reviews}; about {w.expected:.1f} usual)",
            product_id=w.product_id, link=f"/service/reviews/products/{w.store_id}/{w.product_id}/",
        ))
    return out


