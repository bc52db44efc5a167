from django.urls import path

from shopops.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list_page, name="list"),
    path("generate/", views.report_generate_start, name="generate"),
    path("<str:report_id>/", views.report_page, name="report"),
    path("<str:report_id>/progress/", views.report_progress, name="progress"),
    path("<str:report_id>/retry/", views.report_retry_start, name="retry"),
    path("<str:report_id>/download/<str:fmt>/", views.report_download, name="download"),
]
