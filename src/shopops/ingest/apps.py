from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "shopops.ingest"
    label = "ingest"
