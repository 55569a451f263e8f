"""Sales models, one module per area: catalogue, deals, quotes and orders."""

from sputnik.sales.models.catalogue import *  # noqa: F403
from sputnik.sales.models.deals import *  # noqa: F403
from sputnik.sales.models.quotes import *  # noqa: F403
