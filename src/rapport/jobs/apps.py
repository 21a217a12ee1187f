from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "rapport.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Import every app's tasks module so periodic jobs register themselves
        # and listeners subscribe before the first event is published.
        autodiscover_modules("tasks")
        autodiscover_modules("listeners")
