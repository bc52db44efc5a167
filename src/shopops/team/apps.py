from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TeamConfig(AppConfig):
    name = "shopops.team"
    label = "team"
    verbose_name = "Team"

    def ready(self) -> None:
        from shopops.team.services import role_groups_sync

        def _sync(sender, **kwargs):  # noqa: ANN001 - signal signature
            if sender.name == self.name:
                role_groups_sync()

        post_migrate.connect(_sync, dispatch_uid="shopops.team.role_groups_sync", weak=False)
