from django.urls import path

from shopops.customers import views

app_name = "customers"

# /customers/ itself is the overview of web (new vs returning buyers, cohorts): not defined here.
urlpatterns: list = [
    path("list/", views.customer_list, name="list"),
    path("rfm/", views.rfm, name="rfm"),
    path("lifecycle/", views.lifecycle, name="lifecycle"),
    path("clv/", views.clv, name="clv"),
]

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

# The 360° page: /customers/<key>/, an opaque key of (store, buyer id) (customers/keys.py).
# It matches any /customers/<a>/: it must stay the LAST pattern.
urlpatterns += [
    path("<str:key>/", views.customer, name="customer"),
]
