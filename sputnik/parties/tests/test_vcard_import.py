"""vCard import: 2.1 (quoted-printable, soft line breaks, Windows-1251), 3.0 and 4.0, many
cards, folded lines; duplicates skipped; per-card errors; UI and API."""

from __future__ import annotations

import quopri

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sputnik.core.services import token_create
from sputnik.parties.errors import AccessDenied
from sputnik.parties.models import Address, Person
from sputnik.parties.services import person_create
from sputnik.parties.vcard import VCardFileError, read_vcards, vcard_import

pytestmark = pytest.mark.django_db

CARDS_30_40 = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Петров;Пётр;Петрович;;\r\nFN:Петров Пётр Петрович\r\n"
    "TEL;TYPE=CELL:8 (912) 111-22-33\r\nEMAIL;TYPE=INTERNET:Petrov@Example.RU\r\n"
    "BDAY:1975-05-09\r\nTITLE:Директор\r\nADR;TYPE=WORK:;;ул. Тверская\\, 1;Москва;;125009;Россия\r\n"
    "NOTE:Любит рыбалку\\, охоту\\nи внедорожники\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Анна Смирнова\r\nN:Смирнова;Анна;;;\r\n"
    "TEL;VALUE=uri;TYPE=voice:tel:+79124445566\r\n"
    "NOTE:очень длинная заметка, которая свёрнута на несколько строк по правилам RFC 6350 \r\n"
    " и продолжается здесь\r\nEND:VCARD\r\n"
)


def _phone_21() -> bytes:
    family = quopri.encodestring("Кузнецов".encode()).decode()
    fn_1 = quopri.encodestring("Кузнецов ".encode()).decode()
    fn_2 = quopri.encodestring("Алексей".encode()).decode()
    family_1251 = quopri.encodestring("Соколова".encode("cp1251")).decode()
    return (
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        f"N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{family};Алексей;;;\r\n"
        # a soft line break: "=" at the end continues the value on the next line
        f"FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:{fn_1}=\r\n{fn_2}\r\n"
        "TEL;CELL;PREF:+7 912 777-88-99\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:2.1\r\n"
        f"N;CHARSET=WINDOWS-1251;ENCODING=QUOTED-PRINTABLE:{family_1251};Ольга;;;\r\n"
        "TEL;HOME:89127778800\r\nEND:VCARD\r\n"
    ).encode()


def test_cards_of_version_3_and_4_are_read_with_every_field():
    first, second = read_vcards(CARDS_30_40.encode())
    assert (first.last_name, first.first_name, first.middle_name) == ("Петров", "Пётр", "Петрович")
    assert first.phones == ["8 (912) 111-22-33"]
    assert first.birthday.isoformat() == "1975-05-09"
    assert first.note == "Любит рыбалку, охоту\nи внедорожники"
    assert (
        first.addresses[0]["kind"] == "work" and first.addresses[0]["street"] == "ул. Тверская, 1"
    )
    assert second.phones == ["+79124445566"]
    assert second.note.endswith("RFC 6350 и продолжается здесь")


def test_phone_exports_in_2_1_with_quoted_printable_and_soft_breaks_are_read():
    first, second = read_vcards(_phone_21())
    assert (first.last_name, first.first_name) == ("Кузнецов", "Алексей")
    assert first.phones == ["+7 912 777-88-99"]
    assert second.last_name == "Соколова"


def test_a_windows_1251_file_is_read():
    data = "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Орлов;Олег;;;\r\nEND:VCARD\r\n".encode("cp1251")
    [card] = read_vcards(data)
    assert card.last_name == "Орлов"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"name;phone\r\nIvanov;+79120000000\r\n", "no BEGIN:VCARD"),
        (b"%PDF-1.4\x00\x00binary", "binary"),
        (b"", "no BEGIN:VCARD"),
    ],
)
def test_a_file_that_is_not_a_vcard_gets_a_clear_message(data, message):
    with pytest.raises(VCardFileError, match=message):
        read_vcards(data)


def test_a_huge_file_is_refused_before_it_is_parsed(monkeypatch):
    from sputnik.parties.vcard import reader

    monkeypatch.setattr(reader, "MAX_VCARD_BYTES", 100)
    with pytest.raises(VCardFileError, match="too large"):
        read_vcards(b"BEGIN:VCARD\r\n" + b"X" * 200)


def test_import_creates_persons_through_the_service_and_skips_duplicates(owner, person):
    data = CARDS_30_40 + (
        # the same phone as `person`, in another spelling: a duplicate
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Иванов;Сергей;;;\r\nTEL:+7 912 345 67 89\r\nEND:VCARD\r\n"
        # the same e-mail as the first card of this very file
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Петров;П.;;;\r\nEMAIL:petrov@example.ru\r\nEND:VCARD\r\n"
    )
    report = vcard_import(actor=owner, data=data.encode(), filename="contacts.vcf")
    assert [o.status for o in report.outcomes] == ["created", "created", "duplicate", "duplicate"]
    assert "Иванов Сергей Петрович" in report.outcomes[2].messages[0]
    petrov = Person.objects.get(last_name="Петров")
    assert petrov.owner == owner and petrov.source == "import"
    assert petrov.source_campaign == "contacts.vcf"
    assert petrov.job_title == "Директор"
    assert set(petrov.contacts.values_list("value", flat=True)) == {
        "+79121112233",
        "petrov@example.ru",
    }
    assert Address.objects.get(person=petrov).city == "Москва"
    # importing the same file again changes nothing
    again = vcard_import(actor=owner, data=data.encode(), filename="contacts.vcf")
    assert again.created == 0 and again.duplicates == 4
    assert Person.objects.count() == 3


def test_a_duplicate_in_another_centre_is_skipped_without_naming_that_person(owner, outsider):
    person_create(actor=outsider, data={"last_name": "Тайный", "phones": ["+79990001122"]})
    data = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:X;Y;;;\r\nTEL:+79990001122\r\nEND:VCARD\r\n"
    with translation.override("en"):
        [outcome] = vcard_import(actor=owner, data=data).outcomes
    assert outcome.status == "duplicate"
    assert "another centre" in outcome.messages[0]
    assert "Тайный" not in outcome.messages[0]


def test_a_broken_card_is_reported_by_number_and_the_others_are_kept(owner):
    data = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Хороший;Первый;;;\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nTEL:+79120000000\r\nEND:VCARD\r\n"  # no name
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{'Я' * 150};Длинный;;;\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Хороший;Второй;;;\r\nTEL:12\r\nEMAIL:not-an-email\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Оборванный;;;;\r\n"  # no END
    ).encode()
    with translation.override("en"):
        report = vcard_import(actor=owner, data=data)
    statuses = [(o.number, o.status) for o in report.outcomes]
    assert statuses == [(1, "created"), (2, "error"), (3, "error"), (4, "created"), (5, "error")]
    assert "no name" in report.outcomes[1].messages[0]
    assert report.outcomes[2].messages[0].startswith("Last name: At most 100 characters")
    assert any("12" in m and "left out" in m for m in report.outcomes[3].messages)
    assert "END:VCARD" in report.outcomes[4].messages[0]
    assert Person.objects.filter(last_name="Хороший").count() == 2
    assert not Person.objects.filter(first_name="Длинный").exists()


def test_only_users_who_may_create_persons_may_import(marketer):
    with pytest.raises(AccessDenied):
        vcard_import(actor=marketer, data=CARDS_30_40.encode())
    assert not Person.objects.exists()


def test_the_upload_page_imports_and_shows_the_report(owner):
    client = Client()
    client.force_login(owner)
    url = reverse("parties:person_vcard_import")
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("c.vcf", CARDS_30_40.encode(), content_type="text/vcard")
    page = client.post(url, {"file": upload}).content.decode()
    assert "Persons created: 2." in page
    assert "Петров" in page and "Смирнова" in page


def test_the_upload_page_explains_a_file_that_is_not_a_vcard(owner):
    client = Client()
    client.force_login(owner)
    upload = SimpleUploadedFile("c.vcf", b"<script>alert(1)</script>", content_type="text/vcard")
    page = client.post(reverse("parties:person_vcard_import"), {"file": upload}).content.decode()
    assert "This is not a vCard file" in page
    assert "<script>alert(1)</script>" not in page
    assert not Person.objects.exists()


def test_the_upload_page_is_refused_to_read_only_roles(marketer):
    client = Client()
    client.force_login(marketer)
    assert client.get(reverse("parties:person_vcard_import")).status_code == 403


def test_the_api_imports_a_vcard_file(owner):
    token = token_create(actor=None, user=owner)
    client = Client(headers={"authorization": f"Bearer {token}"})
    upload = SimpleUploadedFile("c.vcf", CARDS_30_40.encode(), content_type="text/vcard")
    response = client.post("/api/v1/imports/vcard", {"file": upload})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 2 and body["errors"] == 0
    assert body["cards"][0]["status"] == "created" and body["cards"][0]["person_id"]
    bad = SimpleUploadedFile("c.vcf", b"hello", content_type="text/vcard")
    response = client.post("/api/v1/imports/vcard", {"file": bad})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
