from django.contrib import admin

from shopops.jobs.models import JobRun


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "trigger", "scheduled_for", "status", "started_at", "seconds", "worker")
    list_filter = ("status", "trigger", "name")
    readonly_fields = [f.name for f in JobRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
