"""Admin screens of customers: points rewards (until a rewards page exists) and read-only
views of the points ledger and check-ins. (Segments, sends, opt-outs: ``audience.admin``.)"""

from __future__ import annotations

from django.contrib import admin

from shopops.customers.models import CheckIn, PointsEntry, PointsReward


@admin.register(PointsReward)
class PointsRewardAdmin(admin.ModelAdmin):
    list_display = ("name", "coupon_ref", "points_cost", "is_active")
    list_editable = ("is_active",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnly):
    list_display = ("created_at", "store_id", "customer_id", "kind", "points", "reference")
    search_fields = ("customer_id", "reference")
    list_filter = ("kind",)


@admin.register(CheckIn)
class CheckInAdmin(ReadOnly):
    list_display = ("day", "store_id", "customer_id", "streak", "points")
    search_fields = ("customer_id",)
