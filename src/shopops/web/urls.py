from django.urls import include, path

from shopops.web import views

app_name = "web"

urlpatterns = [
    path("", views.cockpit, name="cockpit"),
    path("kpis/", views.kpi_catalog, name="kpis"),
    path("m/<slug:module>/", views.module_not_built, name="module"),
    path("", include("shopops.web.analysis.urls")),
]
