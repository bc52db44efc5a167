from django.urls import path, register_converter

from shopops.service import views_reviews
from shopops.core.converters import ExternalIdConverter

register_converter(ExternalIdConverter, "service_external_id")

urlpatterns = [
    path("reviews/", views_reviews.review_list, name="reviews"),
    path("reviews/products/", views_reviews.product_issues, name="review_products"),
    path("reviews/products/<service_external_id:store_id>/<service_external_id:product_id>/",
         views_reviews.product_detail, name="review_product"),
    path("reviews/dsr/", views_reviews.dsr, name="dsr"),
    path("reviews/<service_external_id:store_id>/<service_external_id:review_id>/reply/", views_reviews.reply_draft,
         name="review_reply"),
]
