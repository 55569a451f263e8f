"""Template helpers of the catalogue pages."""

from __future__ import annotations

from django import template
from django.templatetags.static import static

register = template.Library()


@register.filter
def static_or_empty(path: str) -> str:
    """The URL of a shipped picture, or "" when the manifest does not know it: a wrong path
    typed in the admin hides one picture instead of failing the whole page."""
    if not path:
        return ""
    try:
        return static(path)
    except ValueError:
        return ""
