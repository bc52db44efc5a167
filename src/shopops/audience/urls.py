"""Segments and outreach. Included under ``/customers/`` (config/urls.py), so their addresses
stay ``/audience/segments/…`` and ``/audience/outreach/…``: the customer area's tabs."""

from django.urls import path

from shopops.audience import views

app_name = "audience"

urlpatterns: list = [
    path("segments/", views.segment_list, name="segments"),
    path("segments/new/", views.segment_builder, name="segment_new"),
    path("segments/preview/", views.segment_preview, name="segment_preview"),
    path("segments/<int:segment_id>/", views.segment_builder, name="segment"),
    path("segments/<int:segment_id>/refresh/", views.segment_refresh, name="segment_refresh"),
    path("segments/<int:segment_id>/export/", views.segment_export, name="segment_export"),
    path("outreach/", views.outreach_list, name="outreach"),
    path("outreach/<int:outreach_id>/", views.outreach_detail, name="outreach_detail"),
    path("outreach/<int:outreach_id>/send/", views.outreach_send, name="outreach_send"),
]
