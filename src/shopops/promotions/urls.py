from django.urls import path

from shopops.promotions import views

app_name = "promotions"

urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/publish/", views.campaign_publish, name="campaign_publish"),
    path("simulator/", views.simulator, name="simulator"),
    path("promotions/", views.promotions, name="promotions"),
    path("promotions/new/", views.promotion_create, name="promotion_create"),
    path("promotions/<int:promotion_id>/edit/", views.promotion_edit, name="promotion_edit"),
]
