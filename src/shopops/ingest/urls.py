from django.urls import path

from shopops.ingest import views, views_keys, views_stores

app_name = "ingest"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("start/", views.upload_start, name="start"),
    path("jobs/", views.jobs, name="jobs"),
    path("jobs/export.xlsx", views.jobs_export, name="jobs_export"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/rejects.csv", views.job_rejects_csv, name="job_rejects_csv"),
    path("jobs/<int:job_id>/rejects.xlsx", views.job_rejects_xlsx, name="job_rejects_xlsx"),
    path("mapping/", views.mapping, name="mapping"),
    path("mapping/save/", views.mapping_save, name="mapping_save"),
    path("mapping/export.xlsx", views.saved_profiles_export, name="mappings_export"),
    path("mapping/<slug:slug>.toml", views.saved_profile_toml, name="mapping_toml"),
    path("mapping/<slug:slug>/delete/", views.saved_profile_remove, name="mapping_delete"),
    path("keys/", views_keys.api_keys, name="api_keys"),
    path("stores/", views_stores.store_settings, name="stores"),
    path("stores/<str:store_id>/ads/", views_stores.store_ads_set, name="store_ads"),
    path("keys/<slug:prefix>/revoke/", views_keys.api_key_revoke_view, name="api_key_revoke"),
]
