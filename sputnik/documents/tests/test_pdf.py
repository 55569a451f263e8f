"""The PDF renderer: Cyrillic text from a company-editable template, rendered in a sandbox."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import translation
from pypdf import PdfReader

from sputnik.documents.admin import SAMPLE_CONTEXT, DocumentTemplateForm
from sputnik.documents.defaults import CONSENT_FORM_KEY
from sputnik.documents.models import DocumentTemplate
from sputnik.documents.pdf import TemplateError, render_html, render_pdf


@pytest.fixture(autouse=True)
def _english():
    """The renderer's messages follow the active language; these tests read the English."""
    with translation.override("en"):
        yield


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def test_a_template_renders_to_a_pdf_with_cyrillic_text():
    data = render_pdf(
        "<h2>Здравствуйте, {{ person.full_name }}!</h2><p><b>Жирный</b> и <i>курсив</i></p>"
        "<ul><li>пункт</li></ul><table border='1'><tr><td>ячейка</td><td>☐</td></tr></table>",
        {"person": {"full_name": "Ёжиков Щукин-Эльдарович"}},
        title="Проверка",
    )
    assert data.startswith(b"%PDF-")
    text = _text(data)
    assert "Здравствуйте, Ёжиков Щукин-Эльдарович!" in text
    assert "Жирный" in text and "ячейка" in text and "☐" in text
    assert PdfReader(io.BytesIO(data)).metadata.title == "Проверка"


def test_values_are_escaped_so_markup_in_data_prints_as_text():
    html = render_html("<p>{{ name }}</p>", {"name": "<b>bold</b><script>x()</script>"})
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert "<script>x()</script>" in _text(
        render_pdf("<p>{{ name }}</p>", {"name": "<script>x()</script>"})
    )


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ person.__class__ }}{{ person.__init__.__globals__ }}",
        "{% for c in ''.__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    ],
)
def test_the_sandbox_refuses_reaching_python_internals(source):
    with pytest.raises(TemplateError):
        render_html(source, {"person": {"full_name": "x"}})


def test_include_and_import_have_nothing_to_load():
    with pytest.raises(TemplateError):
        render_html("{% include 'base.html' %}", {})
    with pytest.raises(TemplateError):
        render_html("{% import 'settings.py' as s %}", {})


def test_models_never_reach_the_template_only_plain_data(admin_user):
    # A model instance in the context is reduced to its text: no attributes, no password.
    with pytest.raises(TemplateError, match="password"):
        render_html("{{ user.password }}", {"user": admin_user})


def test_images_and_links_are_stripped_so_the_renderer_reads_no_file_or_url():
    html = render_html(
        '<p>x</p><img src="/etc/passwd"><a href="javascript:alert(1)">link</a>'
        '<img src="http://169.254.169.254/latest/meta-data">',
        {},
    )
    assert "<img" not in html and "href" not in html
    assert "link" in html
    assert _text(render_pdf('<img src="/etc/passwd"><p>ok</p>', {})).strip() == "ok"


def test_syntax_errors_and_unknown_placeholders_are_explained():
    with pytest.raises(TemplateError, match="line 1"):
        render_html("{% if %}", {})
    with pytest.raises(TemplateError, match="Unknown placeholder"):
        render_html("{{ persn.full_name }}", {"person": {}})


def test_a_runaway_loop_is_stopped():
    with pytest.raises(TemplateError, match="too long"):
        render_html(
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}", {}
        )


@pytest.mark.django_db
def test_the_consent_form_template_is_seeded_in_russian_and_english():
    seeded = DocumentTemplate.objects.filter(key=CONSENT_FORM_KEY)
    assert sorted(seeded.values_list("language", flat=True)) == ["en", "ru"]
    for template in seeded:
        assert "Иванов Сергей Петрович" in _text(render_pdf(template.body, SAMPLE_CONTEXT))


@pytest.mark.django_db
def test_the_admin_refuses_a_template_that_cannot_be_printed():
    form = DocumentTemplateForm(
        data={"key": "x", "language": "ru", "title": "X", "version": "1", "body": "{{ nope.x }}"}
    )
    assert not form.is_valid()
    assert "Unknown placeholder" in str(form.errors["body"])
    form = DocumentTemplateForm(
        data={
            "key": "x",
            "language": "ru",
            "title": "X",
            "version": "1",
            "body": "<p>{{ date }}</p>",
        }
    )
    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_administrators_edit_templates_in_the_admin(admin_user):
    client = Client()
    client.force_login(admin_user)
    template = DocumentTemplate.objects.get(key=CONSENT_FORM_KEY, language="ru")
    url = f"/admin/documents/documenttemplate/{template.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "key": template.key,
            "language": "ru",
            "title": template.title,
            "version": "2026-02",
            "body": "<p>Согласие {{ person.full_name }}</p>",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.version == "2026-02" and template.updated_by == admin_user
