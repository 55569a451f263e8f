"""Sales admin. The catalogue's admin classes live in admin_catalogue.py, the deals'
(pipelines, stages, lost reasons) in admin_deals.py, the order workflow's in
admin_quotes.py."""

from sputnik.sales import (
    admin_catalogue,  # noqa: F401
    admin_deals,  # noqa: F401
    admin_quotes,  # noqa: F401  (order workflow; quotes and orders read-only)
)
