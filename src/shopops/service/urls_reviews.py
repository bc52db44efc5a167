from django.urls import path

from shopops.service import views_reviews

urlpatterns = [
    path("reviews/", views_reviews.review_list, name="reviews"),
    path("reviews/products/", views_reviews.product_issues, name="review_products"),
    path("reviews/products/<str:store_id>/<str:product_id>/", views_reviews.product_detail, name="review_product"),
    path("reviews/dsr/", views_reviews.dsr, name="dsr"),
    path("reviews/<str:store_id>/<str:review_id>/reply/", views_reviews.reply_draft, name="review_reply"),
]
