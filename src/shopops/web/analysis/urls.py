"""Analysis pages, included into the ``web`` namespace (``web:traffic`` …)."""

from django.urls import path

from shopops.web.analysis import views

urlpatterns = [
    path("traffic/", views.traffic, name="traffic"),
    path("products/", views.products, name="products"),
    path("products/<str:store>/<str:product_id>/", views.product, name="product"),
    path("stores/", views.stores, name="stores"),
    path("ads/", views.ads, name="ads"),
    path("customers/", views.customers, name="customers"),
    path("targets/", views.targets, name="targets"),
]
