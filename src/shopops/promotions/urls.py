from django.urls import path

from shopops.promotions import views

app_name = "promotions"

urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:campaign_id>/publish/", views.campaign_publish, name="campaign_publish"),
    path("simulator/", views.simulator, name="simulator"),
]
