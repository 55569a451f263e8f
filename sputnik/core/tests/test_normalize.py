"""Contact data has one spelling: phones in E.164, e-mails folded, VINs checked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from sputnik.core.normalize import (
    normalize_email,
    normalize_phone,
    normalize_vin,
    search_key,
    try_normalize_phone,
    vin_check_digit,
)

# Russian mobile numbers: 9xx operator code followed by seven digits.
mobile_digits = st.from_regex(r"9[0-9]{9}", fullmatch=True)


def _spellings(ten: str) -> list[str]:
    code, a, b, c = ten[:3], ten[3:6], ten[6:8], ten[8:]
    return [
        f"8 ({code}) {a}-{b}-{c}",
        f"+7 {code} {a} {b} {c}",
        ten,
        f"8-{code}-{a}-{b}-{c}",
        f"+7({code}){a}{b}{c}",
        f"  7 {code} {a}{b}{c}  ",
    ]


@settings(max_examples=200)
@given(mobile_digits)
def test_every_spelling_of_a_russian_mobile_normalises_to_the_same_e164(ten):
    try:
        expected = normalize_phone("+7" + ten)
    except ValidationError:
        # A few 9xx ranges are not allocated; then every spelling is refused alike.
        for spelling in _spellings(ten):
            assert try_normalize_phone(spelling) is None
        return
    assert expected == "+7" + ten
    for spelling in _spellings(ten):
        assert normalize_phone(spelling) == expected


def test_the_documented_example_gives_e164():
    assert normalize_phone("8 (912) 345-67-89") == "+79123456789"
    assert normalize_phone("+7 912 345 67 89") == "+79123456789"
    assert normalize_phone("9123456789") == "+79123456789"
    assert normalize_phone("8-912-345-67-89") == "+79123456789"


def test_a_foreign_number_in_international_form_is_kept_in_its_country():
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "abc",
        "позвоните мне",
        "12345",
        "8 912",
        "<script>alert(1)</script>",
        "8 (912) 345-67-89 доб. 12",
        "+7 912 345 67 89 0000000000000000000000000000000000000",
        "+",
        "()--",
        "javascript:alert(1)",
    ],
)
def test_junk_is_not_a_phone_and_says_why(junk):
    with pytest.raises(ValidationError) as info:
        normalize_phone(junk)
    assert info.value.messages and all(m.strip() for m in info.value.messages)
    assert try_normalize_phone(junk) is None


@settings(max_examples=500)
@given(st.text(max_size=60))
def test_fuzzed_phone_input_raises_only_validation_error(raw):
    try:
        value = normalize_phone(raw)
    except ValidationError as exc:
        assert exc.messages
    else:
        assert value.startswith("+") and value[1:].isascii() and value[1:].isdigit()


@settings(max_examples=300)
@given(st.text(alphabet="0123456789 +-()./", max_size=30))
def test_fuzzed_digit_soup_raises_only_validation_error(raw):
    try:
        value = normalize_phone(raw)
    except ValidationError as exc:
        assert exc.messages
    else:
        assert value.startswith("+")


def test_e_mail_is_case_insensitive():
    assert normalize_email("Sergey.Ivanov@Example.RU") == "sergey.ivanov@example.ru"
    assert normalize_email("  SERGEY.IVANOV@example.ru ") == normalize_email(
        "sergey.ivanov@EXAMPLE.ru"
    )


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "plain",
        "a@",
        "@example.ru",
        "a@b",
        "<script>@x.ru",
        "a b@example.ru",
        "a@example..ru",
        "x" * 400 + "@example.ru",
    ],
)
def test_junk_is_not_an_e_mail_and_says_why(junk):
    with pytest.raises(ValidationError) as info:
        normalize_email(junk)
    assert info.value.messages and all(m.strip() for m in info.value.messages)


@settings(max_examples=500)
@given(st.text(max_size=80))
def test_fuzzed_e_mail_input_raises_only_validation_error(raw):
    try:
        value = normalize_email(raw)
    except ValidationError as exc:
        assert exc.messages
    else:
        assert "@" in value and value == value.casefold()


@settings(max_examples=300)
@given(st.emails())
def test_generated_e_mails_fold_to_one_spelling(address):
    try:
        folded = normalize_email(address)
    except ValidationError:
        return  # hypothesis generates some addresses Django's validator rejects
    assert normalize_email(address.upper()) == folded


# --- VIN -----------------------------------------------------------------------------

VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
vin_bodies = st.text(alphabet=VIN_CHARS, min_size=16, max_size=16)


def _valid_vin(body: str) -> str:
    draft = body[:8] + "0" + body[8:]
    return draft[:8] + vin_check_digit(draft) + draft[9:]


def test_a_known_real_vin_passes():
    assert normalize_vin("1M8GDM9AXKP042788") == "1M8GDM9AXKP042788"
    assert normalize_vin("1m8gdm9a-xkp 042788") == "1M8GDM9AXKP042788"


@settings(max_examples=300)
@given(vin_bodies)
def test_generated_valid_vins_pass(body):
    vin = _valid_vin(body)
    assert normalize_vin(vin) == vin
    assert normalize_vin(vin.lower()) == vin


@settings(max_examples=300)
@given(vin_bodies, st.integers(min_value=0, max_value=16), st.sampled_from(VIN_CHARS))
def test_changing_one_character_of_a_valid_vin_fails_the_check(body, position, replacement):
    vin = _valid_vin(body)
    changed = vin[:position] + replacement + vin[position + 1 :]
    if changed == vin:
        return
    # Weight 0 at the check position means a changed 9th character is the check digit itself.
    if position != 8 and vin_check_digit(changed) == vin[8]:
        return  # a genuine collision of the mod-11 checksum, not a miss
    with pytest.raises(ValidationError) as info:
        normalize_vin(changed)
    assert info.value.messages


@pytest.mark.parametrize(
    "junk", ["", "1M8GDM9AXKP04278", "1M8GDM9AXKP0427888", "IM8GDM9AXKP042788", "1M8GDM9A<KP042788"]
)
def test_a_vin_of_wrong_length_or_letters_is_refused(junk):
    with pytest.raises(ValidationError):
        normalize_vin(junk)


@settings(max_examples=500)
@given(st.text(max_size=40))
def test_fuzzed_vin_input_raises_only_validation_error(raw):
    try:
        value = normalize_vin(raw)
    except ValidationError as exc:
        assert exc.messages
    else:
        assert len(value) == 17 and all(c in VIN_CHARS for c in value)


# --- search key ----------------------------------------------------------------------


def test_search_key_folds_cyrillic_case_and_yo():
    assert search_key("Семёнов", "Пётр") == "семенов петр"
    assert search_key("СЕМЁНОВ") == search_key("семенов")
    assert search_key("  Ёлкин ", None, "", " Артём") == "елкин артем"


@given(
    st.text(
        alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ ", max_size=30
    )
)
def test_search_key_of_upper_and_lower_case_cyrillic_is_the_same(name):
    assert search_key(name.upper()) == search_key(name.lower())
    assert "ё" not in search_key(name)
