from pathlib import Path

from django.apps import AppConfig
from django.conf import settings


class WorkersConfig(AppConfig):
    name = "workers"
    verbose_name = "Bakgrundsjobb"

    def ready(self):
        # The tasks provide the named background work services ask for (surveys.services.background);
        # they import the models, so they are loaded once the app registry is ready, as Django's signal
        # handlers are.
        from . import tasks  # noqa: F401

        # The filesystem transport (embedded default) needs its folders before the first message.
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(key)
            if folder:
                Path(folder).mkdir(parents=True, exist_ok=True)
