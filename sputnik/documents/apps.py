from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "sputnik.documents"
    label = "documents"
    verbose_name = _("Documents")

    def ready(self) -> None:
        from sputnik.documents import handlers  # noqa: F401  (subscribes to domain events)
