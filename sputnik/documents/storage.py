"""Private file storage for customer documents: never under a public URL.

Files sit under settings.DOCUMENTS_ROOT (default: <var>/documents), outside MEDIA_ROOT
and STATIC_ROOT, so no web server maps them; the only way out is the download view,
which checks visibility. On a scaled-out deployment point the "documents" storage at an
S3-compatible bucket (django-storages) without public read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


def documents_root() -> Path:
    root = getattr(settings, "DOCUMENTS_ROOT", None)
    if root:
        return Path(root)
    if getattr(settings, "TESTING", False):
        # Test uploads never land among the demo's real files.
        import tempfile

        return Path(tempfile.gettempdir()) / "sputnik-test-documents"
    return Path(settings.VAR_DIR) / "documents"


@deconstructible
class PrivateStorage(FileSystemStorage):
    """A file system storage whose root is read from settings on every use (tests move it)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(documents_root())

    @property  # type: ignore[override]
    def location(self) -> str:
        return str(documents_root().resolve())

    def url(self, name: str | None) -> str:
        raise NotImplementedError("Documents have no public URL; use the download view.")
