from django.contrib import admin

from shopops.service.models import Agent, BusinessHoursSetting, ReplyTemplate, SlaPolicy


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ("nickname", "user", "is_lead", "is_active", "chat_names")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("ticket_type", "priority", "first_response_minutes", "resolution_minutes", "escalate_on_breach")


admin.site.register(BusinessHoursSetting)
admin.site.register(ReplyTemplate)
