from django.urls import path

from shopops.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("run/", views.run, name="run"),
    path("brief/", views.brief, name="brief"),
    path("brief/send/", views.brief_send, name="brief_send"),
    path("outbox/", views.outbox, name="outbox"),
    path("alerts/<int:alert_id>/<slug:action>/", views.alert_action, name="alert_action"),
    path("<int:finding_id>/", views.finding_detail, name="finding"),
    path("<int:finding_id>/<slug:action>/", views.finding_action, name="finding_action"),
]
