"""Reading an uploaded table: what it is, how it is encoded and split, and its rows.

Russian reality first: Excel on Windows saves CSV in Windows-1251 with `;` between
values; newer tools write UTF-8, with or without a byte-order mark, and `,`. The type is
decided by the file's content, never by its name. XLSX is read with calamine (Rust, the
fastest reader available here); formulas are never evaluated: the value Excel saved with
the formula is used, and formula cells are reported.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree
from django.conf import settings

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t", "|")
# Single-byte code pages a Russian table may come in when it is not UTF-8.
CYRILLIC_CODEPAGES = ["cp1251", "koi8_r", "cp866", "mac_cyrillic"]
ENCODING_CHOICES = ("utf-8", "utf-8-sig", "cp1251", "koi8_r", "cp866", "utf-16")
MAX_CELL = 100_000  # characters; a longer "cell" is a broken quote swallowing the file
# Unpacked size a workbook may claim: a zip bomb claims far more than any real table.
MAX_XLSX_UNPACKED = 3 * 1024 * 1024 * 1024
MAX_XLSX_RATIO = 200

csv.field_size_limit(MAX_CELL)


class FileProblem(Exception):
    """The file as a whole cannot be imported; `code` names the message (see messages.py)."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class FileInfo:
    format: str  # "csv" | "xlsx"
    headers: list[str]
    sample: list[list[Any]]
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    # Formula cells (xlsx): how many, the first few references, and where they are.
    formula_count: int = 0
    formula_refs: list[str] = field(default_factory=list)
    formula_cells: set[tuple[int, int]] = field(default_factory=set)
    estimated_rows: int = 0


def max_rows() -> int:
    return int(getattr(settings, "SPUTNIK_IMPORT_MAX_ROWS", 2_000_000))


# --- what the file is ------------------------------------------------------------------


def file_kind(path: Path, name: str = "") -> str:
    """ "csv" or "xlsx" by content; FileProblem for anything else."""
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise FileProblem("file_empty")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem("file_xls")
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as zf:
                names = set(zf.namelist())
                if "xl/vbaProject.bin" in names or name.lower().endswith(".xlsm"):
                    raise FileProblem("file_macros")
                if "xl/workbook.xml" not in names:
                    raise FileProblem("file_type")
                unpacked = sum(i.file_size for i in zf.infolist())
                packed = max(1, sum(i.compress_size for i in zf.infolist()))
                if unpacked > MAX_XLSX_UNPACKED or unpacked / packed > MAX_XLSX_RATIO:
                    raise FileProblem("file_zip_bomb")
        except zipfile.BadZipFile as exc:
            raise FileProblem("file_type") from exc
        return "xlsx"
    return "csv"


def detect_encoding(sample: bytes, *, truncated: bool) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in sample:
        raise FileProblem("file_binary")
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # The sample may end inside a multi-byte character.
        if truncated and exc.start >= len(sample) - 3:
            return "utf-8"
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_isolation=CYRILLIC_CODEPAGES).best()
    if best is None:
        raise FileProblem("file_binary")
    return str(best.encoding)


def detect_delimiter(text: str) -> str:
    """The candidate that splits the first records into the most, most consistent columns."""
    lines = text.splitlines()[:50]
    if len(lines) > 1:
        lines = lines[:-1]  # the sample may cut the last line short
    best, best_score = ",", 0.0
    for candidate in DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=candidate) if r]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = consistent * 10 + min(counts[0], 50) / 50
        if score > best_score:
            best, best_score = candidate, score
    return best


def _clean_headers(raw: list[Any]) -> list[str]:
    headers = []
    for i, value in enumerate(raw):
        text = re.sub(r"\s+", " ", str(value if value is not None else "")).strip()
        headers.append(text[:200] or f"#{i + 1}")
    while headers and headers[-1].startswith("#") and not str(raw[len(headers) - 1] or ""):
        headers.pop()  # trailing empty columns
    return headers


def sniff(
    path: Path,
    *,
    name: str = "",
    encoding: str | None = None,
    delimiter: str | None = None,
    sample_rows: int = 20,
) -> FileInfo:
    """Detect format, encoding and separator; read the header and the first rows."""
    kind = file_kind(path, name)
    if kind == "xlsx":
        return _sniff_xlsx(path, sample_rows)
    size = path.stat().st_size
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE_BYTES)
    encoding = encoding or detect_encoding(sample, truncated=size > len(sample))
    try:
        text = sample.decode(encoding, errors="strict")
    except UnicodeDecodeError as exc:
        if size > len(sample) and exc.start >= len(sample) - 4:
            text = sample[: exc.start].decode(encoding)
        else:
            raise FileProblem("file_encoding", encoding=encoding, row=1) from exc
    except LookupError as exc:
        raise FileProblem("file_encoding", encoding=encoding, row=1) from exc
    if "\x00" in text:
        raise FileProblem("file_binary")
    text = text.lstrip("\ufeff")
    delimiter = delimiter or detect_delimiter(text)
    info = FileInfo(format="csv", headers=[], sample=[], encoding=encoding, delimiter=delimiter)
    rows = iter_rows(path, info, include_header=True)
    try:
        first = next(rows, None)
        if first is None or not any(str(v).strip() for v in first[1]):
            raise FileProblem("file_no_header")
        info.headers = _clean_headers(first[1])
        for _n, row in rows:
            info.sample.append(row)
            if len(info.sample) >= sample_rows:
                break
    finally:
        rows.close()
    newlines = _count_newlines(path)
    info.estimated_rows = max(newlines - 1, len(info.sample))
    if info.estimated_rows > max_rows():
        raise FileProblem("file_too_many_rows", limit=max_rows())
    return info


def _count_newlines(path: Path) -> int:
    count = 0
    last = b""
    with open(path, "rb") as fh:
        while block := fh.read(4 * 1024 * 1024):
            count += block.count(b"\n")
            last = block
    return count + (1 if last and not last.endswith(b"\n") else 0)


# --- rows --------------------------------------------------------------------------------


Rows = Generator[tuple[int, list[Any]], None, None]


def iter_rows(path: Path, info: FileInfo, *, after: int = 1, include_header: bool = False) -> Rows:
    """(row number as a spreadsheet shows it, values) for each data row numbered past `after`.

    The header is row 1. Blank rows are skipped but keep their numbers, so a resumed
    pass starts exactly after the last row the previous one committed.
    """
    if info.format == "xlsx":
        yield from _iter_xlsx(path, info, after=after, include_header=include_header)
        return
    with open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=info.encoding or "utf-8", errors="strict", newline="")
        reader = csv.reader(text, delimiter=info.delimiter or ",")
        number = 0
        try:
            for values in reader:
                number += 1
                if number == 1:
                    if values and values[0].startswith("\ufeff"):
                        values[0] = values[0][1:]
                    if include_header:
                        yield number, values
                    continue
                if number <= after:
                    continue
                if not any(values) or not "".join(values).strip():
                    continue
                yield number, values
        except UnicodeDecodeError as exc:
            raise FileProblem(
                "file_encoding", encoding=info.encoding, row=max(number + 1, 1)
            ) from exc
        except csv.Error as exc:
            raise FileProblem("file_broken_csv", row=number + 1, detail=str(exc)[:200]) from exc


# --- xlsx ----------------------------------------------------------------------------------


def _first_sheet(workbook: Any) -> str:
    for meta in workbook.sheets_metadata:
        if str(meta.typ).endswith("WorkSheet") and str(meta.visible).endswith("Visible"):
            return str(meta.name)
    return str(workbook.sheet_names[0])


def _open_xlsx(path: Path) -> Any:
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own, undocumented exception types
        raise FileProblem("file_unreadable_xlsx", detail=str(exc)[:200]) from exc


def _xlsx_value(value: Any) -> Any:
    # Numbers come back as floats: a phone or an INN typed as a number must not become
    # "79123456789.0".
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return int(value)
    return value


def _sniff_xlsx(path: Path, sample_rows: int) -> FileInfo:
    workbook = _open_xlsx(path)
    sheet_name = _first_sheet(workbook)
    info = FileInfo(format="xlsx", headers=[], sample=[], sheet=sheet_name)
    count, refs, cells = _formula_cells(path, sheet_name)
    info.formula_count, info.formula_refs, info.formula_cells = count, refs, cells
    rows = _iter_xlsx(path, info, include_header=True, workbook=workbook)
    try:
        first = next(rows, None)
        if first is None or not any(str(v).strip() for v in first[1] if v is not None):
            raise FileProblem("file_no_header")
        info.headers = _clean_headers(first[1])
        for _n, row in rows:
            info.sample.append(row)
            if len(info.sample) >= sample_rows:
                break
    finally:
        rows.close()
    sheet = workbook.get_sheet_by_name(sheet_name)
    info.estimated_rows = max(int(sheet.height) - 1, 0)
    if info.estimated_rows > max_rows():
        raise FileProblem("file_too_many_rows", limit=max_rows())
    return info


def _iter_xlsx(
    path: Path,
    info: FileInfo,
    *,
    after: int = 1,
    include_header: bool = False,
    workbook: Any = None,
) -> Rows:
    workbook = workbook or _open_xlsx(path)
    try:
        sheet = workbook.get_sheet_by_name(info.sheet or _first_sheet(workbook))
        # calamine's range starts at the first used cell; keep spreadsheet row numbers.
        first_row = (sheet.start or (0, 0))[0] + 1
        for offset, values in enumerate(sheet.iter_rows()):
            number = first_row + offset
            if number == first_row:
                if include_header:
                    yield number, [_xlsx_value(v) for v in values]
                continue
            if number <= after:
                continue
            row = [_xlsx_value(v) for v in values]
            if not any(v not in ("", None) for v in row):
                continue
            yield number, row
    except FileProblem:
        raise
    except Exception as exc:  # see _open_xlsx
        raise FileProblem("file_unreadable_xlsx", detail=str(exc)[:200]) from exc


_CELL_WITH_FORMULA = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"[^>]*?>(?:<is>.*?</is>)?<f[ >/]', re.S)


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _sheet_member(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rid = None
    for sheet in workbook.iterfind("m:sheets/m:sheet", ns):
        if sheet.get("name") == sheet_name:
            rid = sheet.get(f"{{{ns['r']}}}id")
    if rid is None:
        return None
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iterfind("rel:Relationship", ns):
        if rel.get("Id") == rid:
            target = rel.get("Target") or ""
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    return None


def _formula_cells(
    path: Path, sheet_name: str, keep: int = 100_000
) -> tuple[int, list[str], set[tuple[int, int]]]:
    """Count the sheet's formula cells by scanning its XML (calamine does not say)."""
    count = 0
    refs: list[str] = []
    cells: set[tuple[int, int]] = set()
    try:
        with zipfile.ZipFile(path) as zf:
            member = _sheet_member(zf, sheet_name)
            if member is None or member not in zf.namelist():
                return 0, [], set()
            with zf.open(member) as fh:
                carry = b""
                while block := fh.read(1024 * 1024):
                    data = carry + block
                    last_end = 0
                    for m in _CELL_WITH_FORMULA.finditer(data):
                        count += 1
                        if len(refs) < 5:
                            refs.append((m.group(1) + m.group(2)).decode())
                        if len(cells) < keep:
                            cells.add((int(m.group(2)), _column_index(m.group(1))))
                        last_end = m.end()
                    tail = data[max(last_end, len(data) - 2000) :]
                    carry = tail
    except (zipfile.BadZipFile, KeyError, ParseError, ValueError):
        return 0, [], set()
    return count, refs, cells
