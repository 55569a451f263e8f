"""The configurator: each rule kind, the price breakdown, moving between valid
configurations, and (hypothesis) never calling an invalid selection valid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sputnik.core.demo.catalogue import CARS
from sputnik.sales.models import Option, OptionRule, SavedConfiguration
from sputnik.sales.services.catalogue import option_rule_create, product_define
from sputnik.sales.services.configurator import (
    ConfigurationResult,
    check,
    configuration_choose,
    configuration_default,
    configuration_price,
    configuration_save,
    configuration_validate,
    option_states,
    product_spec,
)

VESTA = CARS[0]


@pytest.fixture
def vesta(admin_user):
    return product_define(actor=admin_user, definition=VESTA)


def _rules(result: ConfigurationResult) -> list[str]:
    return [e.rule for e in result.errors]


VALID = ["comfort", "16-mt", "white"]


@pytest.mark.django_db
def test_a_complete_configuration_is_valid_and_priced_line_by_line(vesta):
    result = configuration_validate(product=vesta, option_codes=[*VALID, "winter", "wheels-17"])
    assert result.valid, result.errors
    assert result.option_codes == ("comfort", "16-mt", "white", "wheels-17", "winter")
    amounts = {line.code: line.amount for line in result.lines}
    assert amounts == {
        "LADA-VESTA": Decimal("1390000.00"),
        "comfort": Decimal("95000.00"),
        "16-mt": Decimal("0.00"),
        "white": Decimal("0.00"),
        "wheels-17": Decimal("38000.00"),
        "winter": Decimal("35000.00"),
    }
    assert result.total == Decimal("1558000.00")
    assert result.currency == "RUB"


@pytest.mark.django_db
def test_exactly_one_group_without_a_choice_is_named(vesta):
    with translation.override("en"):
        result = configuration_validate(product=vesta, option_codes=["comfort", "white"])
    assert not result.valid
    assert _rules(result) == ["exactly_one"]
    assert result.errors[0].group == "engine"
    assert "Двигатель и коробка" in result.errors[0].message


@pytest.mark.django_db
def test_two_choices_in_a_single_choice_group_are_refused(vesta):
    result = configuration_validate(product=vesta, option_codes=[*VALID, "luxe"])
    assert _rules(result) == ["exactly_one"]
    assert result.errors[0].options == ("comfort", "luxe")


@pytest.mark.django_db
def test_at_most_one_group_refuses_two_but_accepts_none(vesta):
    assert configuration_validate(product=vesta, option_codes=VALID).valid
    result = configuration_validate(product=vesta, option_codes=[*VALID, "wheels-17", "wheels-18"])
    assert _rules(result) == ["at_most_one"]


@pytest.mark.django_db
def test_a_requirement_names_both_options(vesta):
    with translation.override("en"):
        result = configuration_validate(product=vesta, option_codes=[*VALID, "multimedia"])
    assert _rules(result) == ["requires"]
    assert (
        result.errors[0].message == "“Мультимедиа 10″ с навигацией” requires “Камера заднего вида”."
    )


@pytest.mark.django_db
def test_an_exclusion_is_reported_once_whichever_side_is_chosen(vesta):
    result = configuration_validate(product=vesta, option_codes=["classic", "18-mt", "white"])
    assert _rules(result) == ["excludes"]
    assert set(result.errors[0].options) == {"classic", "18-mt"}


@pytest.mark.django_db
def test_unknown_options_are_named_and_not_priced(vesta):
    result = configuration_validate(product=vesta, option_codes=[*VALID, "turbo-x"])
    assert _rules(result) == ["unknown_option"]
    assert "turbo-x" in result.errors[0].message
    assert "turbo-x" not in result.option_codes


@pytest.mark.django_db
def test_options_of_another_model_are_unknown_here(vesta, admin_user):
    niva = product_define(actor=admin_user, definition=CARS[1])
    result = configuration_validate(
        product=niva, option_codes=["comfort", "17-mt", "white", "multimedia"]
    )
    assert _rules(result) == ["unknown_option"]


@pytest.mark.django_db
def test_an_inactive_option_is_unknown_and_its_rules_do_not_bind(vesta):
    Option.objects.filter(product=vesta, code="camera").update(is_active=False)
    result = configuration_validate(product=vesta, option_codes=[*VALID, "camera"])
    assert _rules(result) == ["unknown_option"]
    # multimedia requires camera; the rule is void while camera cannot be chosen
    assert configuration_validate(product=vesta, option_codes=[*VALID, "multimedia"]).valid


@pytest.mark.django_db
def test_pricing_refuses_an_invalid_configuration_with_the_rule_named(vesta):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        configuration_price(product=vesta, option_codes=["classic", "16-cvt", "white"])
    messages = caught.value.message_dict["option_codes"]
    assert messages == ["“Classic” cannot be combined with “1.6 л, 90 л.с., вариатор”."]


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [0, -1, 10_000, "2", True])
def test_bad_quantities_are_refused(vesta, quantity):
    with pytest.raises(ValidationError) as caught:
        configuration_price(product=vesta, option_codes=VALID, quantity=quantity)
    assert "quantity" in caught.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("codes", ["comfort", [1, 2], ["x" * 51], [""], ["a"] * 201])
def test_malformed_option_lists_are_refused(vesta, codes):
    with pytest.raises(ValidationError) as caught:
        configuration_validate(product=vesta, option_codes=codes)
    assert "option_codes" in caught.value.message_dict


@pytest.mark.django_db
def test_quantity_multiplies_the_total(vesta):
    result = configuration_price(product=vesta, option_codes=VALID, quantity=3)
    assert result.total == result.unit_price * 3 == Decimal("1485000.00") * 3


@pytest.mark.django_db
def test_the_default_configuration_is_valid(vesta):
    spec = product_spec(vesta)
    default = configuration_default(spec)
    assert default == ("classic", "16-mt", "white")
    assert check(spec, default) == []


@pytest.mark.django_db
def test_choosing_an_option_brings_what_it_requires(vesta):
    spec = product_spec(vesta)
    chosen = configuration_choose(spec, VALID, "multimedia")
    assert set(chosen) == {*VALID, "multimedia", "camera"}
    assert check(spec, chosen) == []
    # dropping the camera drops the multimedia that needs it
    assert set(configuration_choose(spec, chosen, "camera")) == set(VALID)


@pytest.mark.django_db
def test_choosing_in_a_single_choice_group_replaces_the_choice(vesta):
    spec = product_spec(vesta)
    assert configuration_choose(spec, VALID, "luxe") == ("luxe", "16-mt", "white")
    # an exactly-one choice is not deselected by clicking it again
    assert configuration_choose(spec, VALID, "comfort") == tuple(VALID)
    # an at-most-one choice is
    with_wheels = configuration_choose(spec, VALID, "wheels-18")
    assert "wheels-18" in with_wheels
    assert "wheels-18" not in configuration_choose(spec, with_wheels, "wheels-18")


@pytest.mark.django_db
def test_options_that_would_break_a_rule_are_disabled_with_the_reason(vesta):
    spec = product_spec(vesta)
    with translation.override("en"):
        states = option_states(spec, ["classic", "16-mt", "white"])
    assert states["classic"].selected
    assert not states["18-mt"].available
    assert states["18-mt"].reason == "Not available with “Classic”."
    assert states["multimedia"].reason == "Not available with “Classic”."
    assert not states["multimedia"].available
    assert states["comfort"].available and states["winter"].available
    # with the 1.8 engine chosen, Classic is the one disabled
    states = option_states(spec, ["comfort", "18-mt", "white"])
    assert not states["classic"].available


@pytest.mark.django_db
def test_a_saved_configuration_keeps_the_priced_breakdown(vesta, admin_user):
    result = configuration_price(product=vesta, option_codes=[*VALID, "winter"])
    saved = configuration_save(actor=admin_user, result=result, source="crm")
    saved.refresh_from_db()
    assert saved.reference.startswith("C-")
    assert saved.total == result.total
    assert saved.breakdown["option_codes"] == ["comfort", "16-mt", "white", "winter"]
    assert saved.breakdown["lines"][0]["amount"] == "1390000.00"


@pytest.mark.django_db
def test_an_invalid_configuration_is_never_saved(vesta, admin_user):
    result = configuration_validate(product=vesta, option_codes=["comfort"])
    with pytest.raises(ValidationError):
        configuration_save(actor=admin_user, result=result, source="crm")
    assert SavedConfiguration.objects.count() == 0


@pytest.mark.django_db
def test_rules_that_contradict_or_cross_products_are_refused(vesta, admin_user):
    niva = product_define(actor=admin_user, definition=CARS[1])
    camera = Option.objects.get(product=vesta, code="camera")
    multimedia = Option.objects.get(product=vesta, code="multimedia")
    with pytest.raises(ValidationError):
        option_rule_create(actor=admin_user, option=camera, kind="excludes", target=multimedia)
    with pytest.raises(ValidationError):
        option_rule_create(
            actor=admin_user,
            option=camera,
            kind="requires",
            target=Option.objects.get(product=niva, code="towbar"),
        )
    comfort = Option.objects.get(product=vesta, code="comfort")
    luxe = Option.objects.get(product=vesta, code="luxe")
    with pytest.raises(ValidationError):
        option_rule_create(actor=admin_user, option=comfort, kind="requires", target=luxe)
    count = OptionRule.objects.count()
    option_rule_create(actor=admin_user, option=camera, kind="requires", target=comfort)
    assert OptionRule.objects.count() == count + 1


# --- property: the configurator never calls an invalid selection valid --------------


def _independent_check(definition: dict, codes: set[str]) -> bool:
    """The rules restated from the definition itself, not from the loaded spec."""
    groups = definition["groups"]
    all_codes = {o["code"] for g in groups for o in g["options"]}
    if not codes <= all_codes:
        return False
    for group in groups:
        picked = [o["code"] for o in group["options"] if o["code"] in codes]
        if group["selection"] == "exactly_one" and len(picked) != 1:
            return False
        if group["selection"] == "at_most_one" and len(picked) > 1:
            return False
    for a, kind, b in definition["rules"]:
        if kind == "requires" and a in codes and b not in codes:
            return False
        if kind == "excludes" and a in codes and b in codes:
            return False
    return True


@pytest.mark.django_db
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_validation_agrees_with_the_rules_on_random_selections(vesta, data):
    spec = _SPEC_CACHE.setdefault(vesta.pk, product_spec(vesta))
    universe = sorted({o["code"] for g in VESTA["groups"] for o in g["options"]} | {"bogus"})
    codes = data.draw(st.sets(st.sampled_from(universe), max_size=9))
    errors = check(spec, codes)
    assert (not errors) == _independent_check(VESTA, codes)


@pytest.mark.django_db
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    clicks=st.lists(
        st.sampled_from(sorted({o["code"] for g in VESTA["groups"] for o in g["options"]})),
        max_size=15,
    )
)
def test_clicking_only_enabled_options_always_stays_valid(vesta, clicks):
    spec = _SPEC_CACHE.setdefault(vesta.pk, product_spec(vesta))
    current = configuration_default(spec)
    for code in clicks:
        state = option_states(spec, current)[code]
        if state.selected or state.available:
            current = configuration_choose(spec, current, code)
        assert _independent_check(VESTA, set(current)), (code, current)


_SPEC_CACHE: dict[int, object] = {}


@pytest.fixture(autouse=True)
def _fresh_spec_cache():
    _SPEC_CACHE.clear()
    yield
    _SPEC_CACHE.clear()


@pytest.mark.django_db
def test_prices_are_resolved_for_the_day_asked(vesta):
    result = configuration_validate(product=vesta, option_codes=VALID, at=dt.date(2030, 1, 1))
    assert result.at == dt.date(2030, 1, 1)
    assert result.price_list_id is None
