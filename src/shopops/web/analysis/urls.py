"""Analysis pages, included into the ``web`` namespace (``web:traffic`` …)."""

from django.urls import path, register_converter

from shopops.web.analysis import views
from shopops.core.converters import ExternalIdConverter

register_converter(ExternalIdConverter, "external_id")

urlpatterns = [
    path("traffic/", views.traffic, name="traffic"),
    path("products/", views.products, name="products"),
    path("products/<external_id:store>/<external_id:product_id>/", views.product, name="product"),
    path("stores/", views.stores, name="stores"),
    path("ads/", views.ads, name="ads"),
    path("customers/", views.customers, name="customers"),
    path("targets/", views.targets, name="targets"),
]
