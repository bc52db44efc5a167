"""Admin screens of audience: opt-outs and templates, and read-only views of what the
audience pages write (segments, sends, outbox)."""

from __future__ import annotations

from django.contrib import admin

from shopops.audience.models import MessageTemplate, OptOut, OutboxMessage, Outreach, Segment


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("store_id", "customer_id", "channel", "reason", "created_at")
    search_fields = ("customer_id",)
    list_filter = ("channel", "store_id")


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "body_zh", "body_en")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Segment)
class SegmentAdmin(ReadOnly):
    list_display = ("name", "member_count", "refreshed_as_of")


@admin.register(Outreach)
class OutreachAdmin(ReadOnly):
    list_display = ("name", "segment", "channel", "status", "sent_at", "treatment", "holdout")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly):
    list_display = ("created_at", "channel", "recipient", "text")
    list_filter = ("channel",)
