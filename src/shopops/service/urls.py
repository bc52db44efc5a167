from django.urls import path

from shopops.service import urls_reviews, views, views_chat

app_name = "service"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:ticket_id>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:ticket_id>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:ticket_id>/status/", views.ticket_status, name="ticket_status"),
    path("tickets/<int:ticket_id>/assign/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<int:ticket_id>/priority/", views.ticket_priority, name="ticket_priority"),
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:template_id>/", views.template_edit, name="template_edit"),
    path("chat/", views_chat.chat_kpis, name="chat_kpis"),
    path("satisfaction/", views.satisfaction, name="satisfaction"),
    path("survey/<str:token>/", views.survey_answer, name="survey_answer"),
    *urls_reviews.urlpatterns,  # reviews, product complaints, DSR (svc-reviews)
]
