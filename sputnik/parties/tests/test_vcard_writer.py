"""vCard 4.0 export (RFC 6350) read back with a real parser (vobject)."""

from __future__ import annotations

import datetime as dt

import pytest
import vobject
from django.test import Client
from django.urls import reverse

from sputnik.parties.exports.columns import Record
from sputnik.parties.services import address_create, company_create, person_create, person_update
from sputnik.parties.vcard.writer import fold, person_vcard

pytestmark = pytest.mark.django_db


def _cards(user, **params) -> list:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("parties:person_export"), {"format": "vcard", **params})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(vobject.readComponents(text))


def test_a_person_round_trips_through_vobject_with_every_field(owner, person):
    employer = company_create(actor=owner, data={"name": "ООО «Ромашка»; филиал, Москва"})
    person_update(
        actor=owner,
        person=person,
        data={
            "birthday": dt.date(1980, 1, 2),
            "job_title": "Главный инженер",
            "employer_id": employer.pk,
            "wishes": "Хочет Ниву; зелёную,\nс фаркопом \\ лебёдкой",
            "phones": ["8 (912) 345-67-89", "+7 495 123-45-67"],
        },
    )
    address_create(
        actor=owner,
        person=person,
        data={
            "kind": "home",
            "postcode": "101000",
            "city": "Москва",
            "street": "ул. Ленина, д. 1; кв. 2",
        },
    )
    [card] = _cards(owner)
    assert card.version.value == "4.0"
    assert card.fn.value == "Иванов Сергей Петрович"
    assert (card.n.value.family, card.n.value.given, card.n.value.additional) == (
        "Иванов",
        "Сергей",
        "Петрович",
    )
    tels = [t.value for t in card.contents["tel"]]
    assert tels == ["tel:+79123456789", "tel:+74951234567"]
    assert card.contents["tel"][0].params["VALUE"] == ["uri"]
    assert card.email.value == "sergey.ivanov@example.ru"
    assert card.bday.value == "19800102"
    assert card.org.value == ["ООО «Ромашка»; филиал, Москва"]
    assert card.title.value == "Главный инженер"
    assert card.note.value == "Хочет Ниву; зелёную,\nс фаркопом \\ лебёдкой"
    adr = card.adr.value
    assert (adr.street, adr.city, adr.code) == ("ул. Ленина, д. 1; кв. 2", "Москва", "101000")
    assert card.uid.value.startswith("urn:uuid:")


def test_a_script_tag_in_a_name_is_plain_text_in_the_vcard(owner):
    person_create(actor=owner, data={"last_name": "<script>alert(1)</script>", "first_name": "Икс"})
    [card] = _cards(owner)
    assert card.n.value.family == "<script>alert(1)</script>"


def test_an_employer_the_user_may_not_see_is_left_out(owner, outsider, person):
    hidden = company_create(actor=outsider, data={"name": "ООО Чужая"})
    person.employer_id = hidden.pk
    person.save(update_fields=["employer_id"])
    [card] = _cards(owner)
    assert "org" not in card.contents


def test_long_cyrillic_lines_fold_at_75_octets_without_breaking_characters():
    line = "NOTE:" + "Очень длинная заметка о клиенте " * 10
    folded = fold(line)
    physical = folded.split("\r\n")[:-1]
    assert all(len(p.encode("utf-8")) <= 75 for p in physical)
    assert all(p.startswith(" ") for p in physical[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(physical)) == line


def test_many_persons_become_many_cards_and_visibility_applies(owner, outsider, person):
    for i in range(5):
        person_create(actor=owner, data={"last_name": f"Клиент{i}", "first_name": "Тест"})
    person_create(actor=outsider, data={"last_name": "Чужой", "first_name": "Тест"})
    cards = _cards(owner)
    assert len(cards) == 6
    assert "Чужой" not in {c.n.value.family for c in cards}
    assert [c.n.value.family for c in _cards(owner, q="клиент3")] == ["Клиент3"]


def test_writer_escapes_text_values_per_rfc_6350():
    record = Record(
        values={
            "id": 1,
            "last_name": "Smith; Jr",
            "first_name": "John, Q",
            "middle_name": "",
            "wishes": "a\\b",
        }
    )
    text = person_vcard(record)
    assert "N:Smith\\; Jr;John\\, Q;;;\r\n" in text
    assert "NOTE:a\\\\b\r\n" in text
    card = vobject.readOne(text)
    assert card.n.value.family == "Smith; Jr"
    assert card.n.value.given == "John, Q"
