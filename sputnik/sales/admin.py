"""Sales admin. The catalogue's admin classes live in admin_catalogue.py, the deals'
(pipelines, stages, lost reasons) in admin_deals.py."""

from sputnik.sales import (
    admin_catalogue,  # noqa: F401
    admin_deals,  # noqa: F401
)
