"""PDF documents from company-editable templates: Jinja2 (sandboxed) → safe HTML → fpdf2.

    render_pdf(template_source, context) -> bytes

The template is written by company staff, so it runs in Jinja2's SandboxedEnvironment
with no loader (no `{% include %}`/`{% import %}`), strict placeholders, and only plain
data in the context (dicts, lists, text, numbers, dates) — never model instances, so a
template cannot walk from a person to a password hash. Values are HTML-escaped (a
`<script>` in a name prints as text), and the rendered HTML passes an allowlist (nh3)
before fpdf2 lays it out: no images or links, so a template cannot make the renderer
read a local file or fetch a URL. Fonts are DejaVu Sans (vendored, Cyrillic included).
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import nh3
from django.utils.translation import gettext as _
from fpdf import FPDF
from jinja2.sandbox import SandboxedEnvironment

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FAMILY = "DejaVu"
# Rendered HTML beyond this is a template bug (a runaway loop), not a document.
MAX_HTML_CHARS = 500_000

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "b", "strong", "i", "em", "u",
    "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "font", "blockquote",
    "sup", "sub", "small", "center", "code", "pre",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "table": {"width", "border", "cellpadding", "align"},
    "td": {"width", "align", "colspan", "rowspan", "bgcolor"},
    "th": {"width", "align", "colspan", "rowspan", "bgcolor"},
    "tr": {"align", "bgcolor"},
    "p": {"align", "line-height"},
    "font": {"color", "size", "face"},
    "ol": {"start", "type"},
    "ul": {"type"},
}


class TemplateError(ValueError):
    """The template cannot be rendered; the message is for the person who edits it."""


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=None,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _plain(value: Any) -> Any:
    """Reduce a context to plain data: what a template may see is exactly what we pass."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


def check_template(template_source: str) -> None:
    """Raise TemplateError when the source is not a valid template."""
    try:
        _environment().from_string(template_source)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(
            _("Template error on line %(line)s: %(message)s")
            % {"line": exc.lineno, "message": exc.message}
        ) from exc


def render_html(template_source: str, context: Mapping[str, Any]) -> str:
    """The template rendered with `context`, reduced to the HTML subset the PDF supports."""
    check_template(template_source)
    template = _environment().from_string(template_source)
    parts: list[str] = []
    size = 0
    try:
        for chunk in template.generate(**_plain(dict(context))):
            size += len(chunk)
            if size > MAX_HTML_CHARS:
                raise TemplateError(_("The document is too long; check the template's loops."))
            parts.append(chunk)
    except jinja2.UndefinedError as exc:
        raise TemplateError(
            _("Unknown placeholder in the template: %(message)s") % {"message": exc.message}
        ) from exc
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateError(_("The template tried something that is not allowed.")) from exc
    except jinja2.TemplateError as exc:
        raise TemplateError(
            _("The template cannot be rendered: %(message)s") % {"message": exc.message or ""}
        ) from exc
    except (TypeError, ValueError, ArithmeticError, OverflowError) as exc:
        raise TemplateError(
            _("The template cannot be rendered: %(message)s") % {"message": str(exc)[:200]}
        ) from exc
    return nh3.clean(
        "".join(parts),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        link_rel=None,
        strip_comments=True,
    )


def _pdf(title: str) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font(FONT_FAMILY, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT_FAMILY, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    # No oblique face is vendored: italics fall back to the upright face, still Cyrillic.
    pdf.add_font(FONT_FAMILY, "I", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT_FAMILY, "BI", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(18, 15, 18)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_creator("Sputnik CRM")
    if title:
        pdf.set_title(title)
    pdf.set_font(FONT_FAMILY, size=10)
    pdf.add_page()
    return pdf


def render_pdf(template_source: str, context: Mapping[str, Any], *, title: str = "") -> bytes:
    """A PDF of the template rendered with `context`; TemplateError if it cannot be made."""
    html = render_html(template_source, context)
    pdf = _pdf(title)
    try:
        pdf.write_html(html, font_family=FONT_FAMILY)
        return bytes(pdf.output())
    except Exception as exc:  # fpdf2 raises many types for layouts it cannot place
        raise TemplateError(
            _("The document cannot be laid out: %(message)s") % {"message": str(exc)[:200]}
        ) from exc
