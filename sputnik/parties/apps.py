from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "sputnik.parties"
    label = "parties"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from sputnik.parties.dedup import handlers  # noqa: F401  (name keys follow persons)
        from sputnik.parties.distribution import tasks  # noqa: F401  (Huey periodic escalation)
