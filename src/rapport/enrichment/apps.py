from django.apps import AppConfig


class EnrichmentConfig(AppConfig):
    name = "rapport.enrichment"
    label = "enrichment"
    default_auto_field = "django.db.models.BigAutoField"
