from django.urls import path

app_name = "customers"

urlpatterns: list = []

# audience: segments and outreach (views in views_audience)
from shopops.customers import views_audience as audience  # noqa: E402

urlpatterns += [
    path("segments/", audience.segment_list, name="segments"),
    path("segments/new/", audience.segment_builder, name="segment_new"),
    path("segments/preview/", audience.segment_preview, name="segment_preview"),
    path("segments/<int:segment_id>/", audience.segment_builder, name="segment"),
    path("segments/<int:segment_id>/refresh/", audience.segment_refresh, name="segment_refresh"),
    path("segments/<int:segment_id>/export/", audience.segment_export, name="segment_export"),
    path("outreach/", audience.outreach_list, name="outreach"),
    path("outreach/<int:outreach_id>/", audience.outreach_detail, name="outreach_detail"),
    path("outreach/<int:outreach_id>/send/", audience.outreach_send, name="outreach_send"),
]
