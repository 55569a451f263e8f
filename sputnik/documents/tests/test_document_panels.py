"""The documents panels of the person's and the company's cards: the files each holds,
with download links, for users who see the holder; a 404 for the others."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from sputnik.documents.services import document_upload
from sputnik.parties.services import company_create

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n" + b"0" * 64


def test_the_person_card_lists_the_persons_documents_with_download_links(
    client, owner, person, django_assert_max_num_queries
):
    for name in ("согласие.pdf", "паспорт.pdf"):
        document_upload(actor=owner, person=person, kind="other", upload=ContentFile(PDF, name))
    client.force_login(owner)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("documents:person_documents", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("паспорт.pdf") < html.index("согласие.pdf")  # newest first
    link = html.split('href="', 2)[1].split('"', 1)[0]
    assert link.startswith(f"/persons/{person.pk}/documents/")
    assert client.get(link).status_code == 200


def test_the_company_card_lists_only_what_the_company_holds(client, owner, person):
    company = company_create(actor=owner, data={"name": "ООО Ромашка"})
    document_upload(actor=owner, company=company, kind="quote", upload=ContentFile(PDF, "kp.pdf"))
    document_upload(
        actor=owner, person=person, kind="other", upload=ContentFile(PDF, "private.pdf")
    )
    client.force_login(owner)
    html = client.get(reverse("documents:company_documents", args=[company.pk])).content.decode()
    assert "kp.pdf" in html and "private.pdf" not in html
    assert f"/companies/{company.pk}/documents/" in html


def test_another_centres_user_gets_a_404_and_no_file_names(client, owner, outsider, person):
    document_upload(actor=owner, person=person, kind="other", upload=ContentFile(PDF, "a.pdf"))
    company = company_create(actor=owner, data={"name": "ООО Ромашка"})
    client.force_login(outsider)
    for url in (
        reverse("documents:person_documents", args=[person.pk]),
        reverse("documents:company_documents", args=[company.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert b"a.pdf" not in response.content


def test_an_empty_panel_says_so_in_the_users_language(client, owner, person):
    client.force_login(owner)
    url = reverse("documents:person_documents", args=[person.pk])
    assert "No documents." in client.get(url).content.decode()  # the owner reads English
    owner.language = "ru"
    owner.save(update_fields=["language"])
    assert "Документов нет." in client.get(url).content.decode()
