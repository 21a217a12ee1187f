from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "rapport.commerce"
    label = "commerce"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the tracking processor: from now on every processed batch of
        # events reaches the catalogue, carts and orders.
        from . import processor  # noqa: F401
