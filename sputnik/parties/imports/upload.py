"""Receiving an import file: streamed to disk, hashed on the way, size-limited while it
streams (a 200 MB upload is cut off at the limit, never stored whole and checked after).
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.http import HttpRequest

IMPORT_DIR = "imports"


def max_upload_bytes() -> int:
    return int(getattr(settings, "SPUTNIK_IMPORT_MAX_UPLOAD_MB", 150)) * 1024 * 1024


def import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / IMPORT_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class StoredFile:
    """A file in the import area: path relative to MEDIA_ROOT, size, SHA-256, given name."""

    relative_path: str
    size: int
    sha256: str
    name: str

    @property
    def path(self) -> Path:
        return Path(settings.MEDIA_ROOT) / self.relative_path

    def discard(self) -> None:
        self.path.unlink(missing_ok=True)


def _new_relative_path() -> str:
    import_dir()
    return f"{IMPORT_DIR}/{uuid.uuid4().hex}.upload"


def store_stream(source: BinaryIO, name: str, *, limit: int | None = None) -> StoredFile:
    """Copy a stream into the import area (the CLI's way in); None limit: no limit."""
    relative = _new_relative_path()
    target = Path(settings.MEDIA_ROOT) / relative
    digest = hashlib.sha256()
    size = 0
    with open(target, "wb") as out:
        while block := source.read(1024 * 1024):
            size += len(block)
            if limit is not None and size > limit:
                out.close()
                target.unlink(missing_ok=True)
                raise FileTooLarge(limit)
            digest.update(block)
            out.write(block)
    return StoredFile(relative, size, digest.hexdigest(), Path(name).name[:255])


def store_path(path: Path) -> StoredFile:
    with open(path, "rb") as fh:
        return store_stream(fh, path.name)


class FileTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class ImportUploadHandler(FileUploadHandler):
    """Writes the upload straight into the import area, counting and hashing as it goes.

    Over the limit it stops the upload at once (the parser then discards the rest of
    the request body without storing it) and leaves `too_large` for the view.
    """

    def __init__(self, request: HttpRequest | None = None, limit: int | None = None) -> None:
        super().__init__(request)
        self.limit = limit if limit is not None else max_upload_bytes()
        self.too_large = False
        self.size = 0
        self._out: Any = None
        self._relative = ""
        self._digest = hashlib.sha256()

    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        # The declared length already says no: refuse before a byte is stored.
        if content_length and content_length > self.limit + 64 * 1024:
            self.too_large = True
        return None

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.too_large:
            raise StopUpload(connection_reset=False)
        self._relative = _new_relative_path()
        self._out = open(Path(settings.MEDIA_ROOT) / self._relative, "wb")  # noqa: SIM115
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.size > self.limit:
            self.too_large = True
            self._abandon()
            raise StopUpload(connection_reset=False)
        self._digest.update(raw_data)
        self._out.write(raw_data)
        return None

    def _abandon(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None
            (Path(settings.MEDIA_ROOT) / self._relative).unlink(missing_ok=True)

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self._out is None:
            return None
        self._out.close()
        self._out = None
        stored = StoredFile(
            self._relative, self.size, self._digest.hexdigest(), Path(self.file_name or "").name
        )
        uploaded = UploadedFile(
            file=open(stored.path, "rb"),  # noqa: SIM115 - Django closes request files
            name=stored.name,
            content_type=self.content_type,
            size=self.size,
        )
        uploaded.stored = stored  # type: ignore[attr-defined]
        return uploaded

    def upload_interrupted(self) -> None:
        self._abandon()


def copy_to(stored: StoredFile, target: Path) -> None:
    shutil.copyfile(stored.path, target)
