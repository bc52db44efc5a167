from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "shopops.ingest"
    label = "ingest"

    def ready(self) -> None:
        from shopops.ingest import checks  # noqa: F401  (registers the deploy checks)
