"""Reading import files: detection, header mapping, cell values. No database needed except
where custom fields are looked up."""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sputnik.core.normalize import try_normalize_phone
from sputnik.parties.imports import values
from sputnik.parties.imports.fields import suggest_mapping
from sputnik.parties.imports.reading import FileProblem, iter_rows, sniff
from sputnik.parties.imports.testing import csv_bytes, xlsx_bytes

HEADER = ["Фамилия", "Имя", "Телефон", "Дата рождения"]
ROWS = [
    ["Иванов", "Сергей", "8 (912) 345-67-89", "01.02.1980"],
    ["Ёлкина", "Анна", "+7 903 111 22 33", ""],
]


def write(tmp_path: Path, data: bytes, name: str = "f.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("cp1251", "cp1251"), ("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig")],
)
@pytest.mark.parametrize("delimiter", [";", ","])
def test_encoding_and_separator_are_detected(tmp_path, encoding, expected, delimiter):
    path = write(tmp_path, csv_bytes([HEADER, *ROWS], encoding=encoding, delimiter=delimiter))
    info = sniff(path)
    assert (info.format, info.encoding, info.delimiter) == ("csv", expected, delimiter)
    assert info.headers == HEADER
    assert info.sample[1][0] == "Ёлкина"
    rows = list(iter_rows(path, info))
    assert [n for n, _v in rows] == [2, 3]


def test_a_semicolon_file_with_commas_inside_values_keeps_its_columns(tmp_path):
    data = csv_bytes(
        [["ФИО", "Комментарий"], ["Иванов Сергей", "звонить вечером, после 18"]], delimiter=";"
    )
    info = sniff(write(tmp_path, data))
    assert info.delimiter == ";"
    assert len(info.headers) == 2


def test_a_binary_file_is_refused(tmp_path):
    with pytest.raises(FileProblem) as exc:
        sniff(write(tmp_path, b"\x00\x01\x02binary\x00" * 100))
    assert exc.value.code == "file_binary"


def test_an_old_excel_file_and_a_macro_workbook_are_refused(tmp_path):
    with pytest.raises(FileProblem) as exc:
        sniff(write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "a.xls"))
    assert exc.value.code == "file_xls"
    path = write(tmp_path, xlsx_bytes([HEADER]), "a.xlsx")
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"macro")
    with pytest.raises(FileProblem) as exc:
        sniff(path, name="a.xlsx")
    assert exc.value.code == "file_macros"


def test_an_empty_file_and_a_file_without_header_are_refused(tmp_path):
    with pytest.raises(FileProblem) as exc:
        sniff(write(tmp_path, b""))
    assert exc.value.code == "file_empty"
    with pytest.raises(FileProblem) as exc:
        sniff(write(tmp_path, b";;;\r\n1;2;3;4\r\n"))
    assert exc.value.code == "file_no_header"


def test_a_broken_quote_is_reported_with_its_row(tmp_path):
    body = 'Фамилия,Имя\r\nИванов,Сергей\r\n"Петров,Иван\r\n' + ("x" * 200_000) + "\r\n"
    path = write(tmp_path, body.encode())
    with pytest.raises(FileProblem) as exc:
        list(iter_rows(path, sniff(path)))
    assert exc.value.code == "file_broken_csv"
    assert exc.value.params["row"] == 3


def test_xlsx_is_read_with_cached_formula_values_and_formula_cells_reported(tmp_path):
    rows = [
        ["Фамилия", "Имя", "Телефон", "Дата рождения"],
        ["Иванов", "Сергей", 79123456789, dt.date(1980, 2, 1)],
    ]
    data = xlsx_bytes(
        rows, formulas={"B3": ('="Ан"&"на"', "Анна"), "A3": ('=UPPER("петрова")', "ПЕТРОВА")}
    )
    path = write(tmp_path, data, "clients.xlsx")
    info = sniff(path, name="clients.xlsx")
    assert info.format == "xlsx"
    assert info.formula_count == 2
    assert set(info.formula_refs) == {"A3", "B3"}
    assert (3, 0) in info.formula_cells
    first, second = [v for _n, v in iter_rows(path, info)]
    assert first[2] == 79123456789  # a number typed as a phone is not 7.9e10
    assert second[:2] == ["ПЕТРОВА", "Анна"]  # the saved values, never recalculated


@pytest.mark.django_db
def test_headers_suggest_fields_in_russian_and_english():
    ru = ["ФИО", "Моб. телефон", "Эл. почта", "Дата рождения", "Код клиента", "Что-то своё"]
    assert suggest_mapping(ru, "person") == {
        "0": "full_name",
        "1": "phone",
        "2": "email",
        "3": "birthday",
        "4": "external_id",
    }
    en = ["Last Name", "First name", "Mobile", "E-mail", "Phone 2", "DOB"]
    assert suggest_mapping(en, "person") == {
        "0": "last_name",
        "1": "first_name",
        "2": "phone",
        "3": "email",
        "4": "phone",
        "5": "birthday",
    }
    assert suggest_mapping(["Наименование", "ИНН", "Сайт"], "company") == {
        "0": "name",
        "1": "inn",
        "2": "website",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01.02.1980", dt.date(1980, 2, 1)),
        ("1.2.80", dt.date(1980, 2, 1)),
        ("1980-02-01", dt.date(1980, 2, 1)),
        ("1980-02-01 00:00:00", dt.date(1980, 2, 1)),
        ("29252", dt.date(1980, 2, 1)),
        (29252, dt.date(1980, 2, 1)),
        ("1 февраля 1980 г.", dt.date(1980, 2, 1)),
        ("01 фев. 1980", dt.date(1980, 2, 1)),
        ("1 Февраль 1980", dt.date(1980, 2, 1)),
        ("February 1, 1980", dt.date(1980, 2, 1)),
        ("1 Feb 1980", dt.date(1980, 2, 1)),
        (dt.datetime(1980, 2, 1, 0, 0), dt.date(1980, 2, 1)),
    ],
)
def test_dates_in_russian_spellings_and_excel_serials(raw, expected):
    assert values.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["31.02.1990", "вчера", "1 мартобря 1990", "99999999"])
def test_impossible_dates_are_errors(raw):
    with pytest.raises(values.CellError):
        values.parse_date(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "8 (912) 345-67-89",
        "+7 912 345 67 89",
        "89123456789",
        "9123456789",
        "7-912-345-67-89",
        "+7(912)3456789",
    ],
)
def test_phones_in_any_spelling_become_one_e164(raw):
    assert values.clean_phone(raw) == "+79123456789"


def test_foreign_and_kazakh_numbers_take_the_general_path():
    assert values.fast_phone("+7 701 123 45 67") is None
    assert values.clean_phone("+7 701 123 45 67") == try_normalize_phone("+7 701 123 45 67")
    assert values.clean_phone("+49 30 901820") == "+4930901820"


@settings(max_examples=3000, deadline=None)
@given(
    st.integers(min_value=10**9, max_value=10**10 - 1),
    st.sampled_from(["8{}", "+7{}", "{}", "7{}"]),
)
def test_the_fast_phone_path_agrees_with_phonenumbers(nsn, spelling):
    text = spelling.format(nsn)
    fast = values.fast_phone(text)
    if fast is not None:
        assert fast == try_normalize_phone(text)


def test_fast_path_agrees_on_a_random_sample_of_formatted_numbers():
    rng = random.Random(3)
    for _ in range(5000):
        n = f"{rng.randrange(3 * 10**9, 10**10)}"
        text = f"8 ({n[:3]}) {n[3:6]}-{n[6:8]}-{n[8:]}"
        fast = values.fast_phone(text)
        assert fast is None or fast == try_normalize_phone(text)


def test_emails_are_folded_and_bad_ones_refused():
    assert values.clean_email("Sergey.Ivanov@Example.RU") == "sergey.ivanov@example.ru"
    assert values.split_emails("a@b.ru; C@D.ru") == ["a@b.ru", "c@d.ru"]
    with pytest.raises(values.CellError):
        values.clean_email("bad@")


def test_names_in_caps_are_title_cased_but_markup_is_left_alone():
    assert values.clean_name("ИВАНОВ-ПЕТРОВ") == "Иванов-Петров"
    assert values.clean_name("мак-дональд") == "Мак-Дональд"
    assert values.clean_name("<b>x</b>") == "<b>x</b>"
    assert values.split_full_name("иванов сергей петрович") == ("Иванов", "Сергей", "Петрович")


def test_choices_accept_russian_and_english_labels():
    assert values.clean_stage("Клиент") == "customer"
    assert values.clean_stage("prospect") == "prospect"
    assert values.clean_family_status("женат") == "married"
    assert values.clean_bool("да") is True and values.clean_bool("нет") is False
    with pytest.raises(values.CellError):
        values.clean_stage("что-то")
