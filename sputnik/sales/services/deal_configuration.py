"""A configuration from the configurator added to a deal as one priced line.

The configurator checks and prices (services/configurator.py); the deal services keep
the line and the deal's amount in step (services/deals.py). This joins the two in one
transaction, so a deal never holds a line without its saved configuration, nor a saved
configuration without its line.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sputnik.core.models import User
from sputnik.core.roles import Right
from sputnik.parties.errors import AccessDenied
from sputnik.sales.models import Deal, DealLine, Product, SavedConfiguration
from sputnik.sales.selectors.deals import visible_deals
from sputnik.sales.services.configurator import configuration_price, configuration_save
from sputnik.sales.services.deals import deal_line_add


@transaction.atomic
def deal_line_add_configuration(
    *,
    actor: User,
    deal: Deal,
    product: Product,
    option_codes: Sequence[str],
    quantity: int = 1,
) -> DealLine:
    """Price a configuration of `product` for the deal and add it as one line.

    Priced by the configurator's own service at the deal's centre (its price lists on
    today's date), so the line carries what a quote of this deal would. The line keeps
    the priced configuration, with the reference of the saved configuration that is
    linked to the deal and its person.

    Refused, with nothing written: a user who may not edit deals or does not see this one
    (AccessDenied, "not visible" for the latter), a closed deal, and an invalid
    configuration (ValidationError under `option_codes`, each broken rule named by the
    configurator in the active language).
    """
    if actor is None or not actor.has_right(Right.PARTY_EDIT):
        raise AccessDenied(Right.PARTY_EDIT)
    locked = visible_deals(actor).select_for_update().filter(pk=deal.pk).first()
    if locked is None:
        raise AccessDenied("not visible")
    if locked.is_closed:
        raise ValidationError({"__all__": [_("The deal is closed and can no longer be changed.")]})
    result = configuration_price(
        product=product, option_codes=option_codes, centre=locked.centre_id, quantity=quantity
    )
    saved = configuration_save(
        actor=actor,
        result=result,
        source=SavedConfiguration.Source.CRM,
        person_id=locked.person_id,
        deal_id=locked.pk,
    )
    return deal_line_add(
        actor=actor,
        deal=locked,
        data={
            "product_id": result.product_id,
            "description": result.description[:300],
            "quantity": result.quantity,
            "unit_price": result.unit_price,
            "configuration": {**result.as_dict(), "reference": saved.reference},
        },
    )
