from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "sputnik.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from sputnik.sales import handlers  # noqa: F401  (subscribes to domain events)
        from sputnik.sales.services import spec_cache  # noqa: F401  (catalogue edits evict priced specs)
