"""Admin screens: until the promotion editor page exists, promotions, campaigns, coupons,
flash sales and floor prices are set up here. Parameters are validated per kind on save."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError as DjangoValidationError

from shopops.core.errors import ValidationError
from shopops.promotions.models import AuditLog, Campaign, Coupon, CouponCode, FlashSale, FloorPrice, Promotion
from shopops.promotions.services import flash_sale_gate_forget, promotion_parameters_validate


class PromotionForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = "__all__"

    def clean(self):
        data = super().clean()
        try:
            data["parameters"] = promotion_parameters_validate(kind=data.get("kind", ""), parameters=data.get("parameters") or {})
        except ValidationError as exc:
            raise DjangoValidationError(str(exc)) from exc
        return data


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    form = PromotionForm
    list_display = ("name", "kind", "stackable", "exclusive_group", "priority", "bearer", "starts_at", "ends_at", "is_active")
    list_filter = ("kind", "bearer", "is_active")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_at", "ends_at", "status")
    filter_horizontal = ("promotions",)
    readonly_fields = ("status", "published_at")  # publishing goes through the floor check


admin.site.register(Coupon)
admin.site.register(CouponCode, list_display=("code", "coupon", "customer_id", "claimed_at", "redeemed_at", "order_id"))
@admin.register(FlashSale)
class FlashSaleAdmin(admin.ModelAdmin):
    list_display = ("sku", "price", "quantity", "remaining", "per_buyer_limit", "starts_at", "ends_at")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        flash_sale_gate_forget(flash_sale_id=obj.pk)  # the Redis gate primes again from the edited row
admin.site.register(FloorPrice, list_display=("sku", "list_price", "cost", "min_margin", "committed_price"))


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "campaign", "reason")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
