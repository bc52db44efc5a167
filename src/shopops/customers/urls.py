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

# Segments and outreach are shopops.audience (its urls are included under /customers/ first).

# The 360° page: /customers/<key>/, an opaque key of (store, buyer id) (customers/keys.py).
# It matches any /customers/<a>/: it must stay the LAST pattern.
urlpatterns += [
    path("<str:key>/", views.customer, name="customer"),
]
