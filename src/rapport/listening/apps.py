from django.apps import AppConfig


class ListeningConfig(AppConfig):
    name = "rapport.listening"
    label = "listening"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Providers register on import: the source pages and ``listen`` find them all.
        from rapport.channels.registry import load_providers

        load_providers()
