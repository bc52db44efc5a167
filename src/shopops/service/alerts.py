"""Alerts of the service app for insights (``shopops.core.alerts``): 差评 waves per product."""

from __future__ import annotations

import datetime as dt

from shopops.core.alerts import Alert


def alerts(day: dt.date, *, store_ids=None) -> list[Alert]:
    """One alert per product with a 差评 wave still firing in the last 3 days up to ``day``."""
    from shopops.service.selectors import product_titles_of
    from shopops.service.selectors_reviews import review_waves

    out = []
    waves = review_waves(day=day, store_ids=tuple(store_ids or ()), lookback=3)
    titles = product_titles_of((w.store_id, w.product_id) for w in waves)
    for w in waves:
        strong = w.bad >= 3 * max(w.expected, 1.0) and w.bad >= 10
        title = titles.get((w.store_id, w.product_id), "")  # the product by its listing title, else its id
        zh, en = (f"「{title}」", f"“{title}”") if title else (f"商品 {w.product_id}", f"product {w.product_id}")
        out.append(Alert(
            source="service", kind="review_wave", key=f"{w.store_id}:{w.product_id}", store_id=w.store_id, day=day,
            severity="high" if strong else "medium",
            text_zh=f"{zh}差评集中出现：近 7 天 {w.bad} 条差评（共 {w.reviews} 条评价，平时约 {w.expected:.1f} 条）",
            text_en=f"Bad-review wave on {en}: {w.bad} bad reviews in 7 days "
                    f"(of {w.reviews}; about {w.expected:.1f} usual)",
            product_id=w.product_id, link=f"/service/reviews/products/{w.store_id}/{w.product_id}/",
        ))
    return out


