from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "sputnik.marketing"
    label = "marketing"
    verbose_name = _("Marketing")

    def ready(self) -> None:
        from sputnik.marketing import handlers  # noqa: F401  (subscribes to domain events)
