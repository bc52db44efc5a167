from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from shopops.config.api import api
from shopops.web.views import ThrottledLoginView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("import/", include("shopops.ingest.urls")),
    path("reports/", include("shopops.reports.urls")),
    path("promotions/", include("shopops.promotions.urls")),
    # segments and outreach keep their /customers/segments/… and /customers/outreach/… addresses;
    # audience first: the customer page /customers/<key>/ matches any /customers/<a>/
    path("customers/", include("shopops.audience.urls")),
    path("customers/", include("shopops.customers.urls")),
    path("insights/", include("shopops.insights.urls")),
    path("campaigns/", include("shopops.campaigns.urls")),
    path("inventory/", include("shopops.inventory.urls")),
    path("service/", include("shopops.service.urls")),
    path("jobs/", include("shopops.jobs.urls")),
    path("", include("shopops.web.urls")),
]
