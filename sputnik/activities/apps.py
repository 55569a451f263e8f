from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "sputnik.activities"
    label = "activities"
    verbose_name = _("Timeline")

    def ready(self) -> None:
        from sputnik.activities import handlers  # noqa: F401  (subscribes to domain events)
