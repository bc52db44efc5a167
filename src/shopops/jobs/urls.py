from django.urls import path

from shopops.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<slug:name>/run/", views.job_run_now, name="run_now"),
    path("cli/", views.cli_submit, name="cli_submit"),
    path("cli/<int:run_id>/", views.cli_status, name="cli_status"),
]
