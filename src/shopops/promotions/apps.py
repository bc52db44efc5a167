from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "shopops.promotions"
    label = "promotions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Coupons attached to outreach sends and points rewards (customers may not import promotions).
        from shopops.customers.coupons import register_issuer

        register_issuer(_issue_coupons, choices=_coupon_choices)


def _issue_coupons(*, coupon_ref: str, customer_ids: list[str], now) -> dict[str, str]:
    from shopops.promotions import selectors, services

    coupon = selectors.coupon_get(coupon_id=int(coupon_ref))
    return {c.customer_id: c.code for c in services.coupon_issue(coupon=coupon, now=now, customer_ids=customer_ids)}


def _coupon_choices() -> list[tuple[str, str]]:
    from django.utils import timezone

    from shopops.promotions.models import Coupon

    return [(str(c.pk), c.name) for c in Coupon.objects.filter(valid_until__gt=timezone.now()).order_by("-id")[:200]]
