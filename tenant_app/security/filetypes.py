"""What an uploaded file really is, judged by its structure; the safe name it is kept and served as.

``detect`` opens the bytes with the parser of each accepted kind, with bounds (pages, pixels,
ZIP entries and their uncompressed size): a PDF must open with pypdf and have pages, an image
must decode with Pillow, an Office document must be a ZIP whose content types name the main
part of a Word or Excel document (OpenDocument: its ``mimetype`` entry and ``content.xml``).
A header alone (``%PDF-`` before HTML, ``PK`` with nothing behind) is not enough.

``safe_name`` turns the name a browser sent into a basename without path parts or control
characters whose extension is the detected kind's, and ``content_disposition`` the header that
downloads it under that name (RFC 6266 with the RFC 5987 ``filename*``).
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from defusedxml import ElementTree

MAX_PDF_PAGES = 2000
MAX_IMAGE_PIXELS = 50_000_000
MAX_IMAGE_SIDE = 20_000
MAX_ZIP_ENTRIES = 5000
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_NAME_LENGTH = 150
CONTENT_TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"


@dataclass(frozen=True)
class FileKind:
    """An accepted kind of file: its code, the mimetype it is served with, its extension."""

    code: str
    mimetype: str
    extension: str


PDF = FileKind("pdf", "application/pdf", ".pdf")
PNG = FileKind("png", "image/png", ".png")
JPEG = FileKind("jpeg", "image/jpeg", ".jpg")
DOCX = FileKind(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"
)
XLSX = FileKind(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
)
ODT = FileKind("odt", "application/vnd.oasis.opendocument.text", ".odt")
ODS = FileKind("ods", "application/vnd.oasis.opendocument.spreadsheet", ".ods")
KINDS = (PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS)
# A stored file whose mimetype is none of the above is served as opaque bytes.
UNKNOWN = FileKind("bin", "application/octet-stream", ".bin")

IMAGES = {"PNG": PNG, "JPEG": JPEG}
# Main part content type of an Office Open XML package → the kind (macro-enabled ones are not).
OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
ODF = {ODT.mimetype: ODT, ODS.mimetype: ODS}
# Characters no file name should carry on any desktop (path separators are dropped before).
RESERVED = re.compile(r'[<>:"|?*]+')
ASCII_LETTERS = str.maketrans({"đ": "d", "Đ": "D"})
NOT_ASCII_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnacceptedFile(ValueError):
    """The bytes are none of the accepted kinds (or exceed a bound while being checked)."""


def detect(data: bytes) -> FileKind:
    """Return the kind of ``data`` after opening it with that kind's parser.

    Raises UnacceptedFile when no accepted kind opens it within the bounds.
    """
    if data.startswith(b"%PDF-"):
        return _check_pdf(data)
    if data.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")):
        return _check_image(data)
    if data.startswith(b"PK\x03\x04"):
        return _check_package(data)
    raise UnacceptedFile("unknown signature")


def kind_of(mimetype: str | None) -> FileKind:
    """Return the accepted kind served as ``mimetype`` (UNKNOWN for anything else)."""
    return next((k for k in KINDS if k.mimetype == mimetype), UNKNOWN)


def _check_pdf(data: bytes) -> FileKind:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise UnacceptedFile("encrypted PDF")
        pages = len(reader.pages)
    except UnacceptedFile:
        raise
    except Exception as exc:  # any parser failure means "not a PDF we accept"
        raise UnacceptedFile(f"PDF does not open: {exc.__class__.__name__}") from exc
    if not 1 <= pages <= MAX_PDF_PAGES:
        raise UnacceptedFile(f"PDF with {pages} pages")
    return PDF


def _check_image(data: bytes) -> FileKind:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(IMAGES)) as image:
                kind = IMAGES[image.format]
                width, height = image.size
                if max(width, height) > MAX_IMAGE_SIDE or width * height > MAX_IMAGE_PIXELS:
                    raise UnacceptedFile(f"image of {width}x{height} pixels")
                image.verify()
            # verify() checks structure only (PNG checksums); decode the pixels too.
            with Image.open(io.BytesIO(data), formats=[image.format]) as image:
                image.load()
    except UnacceptedFile:
        raise
    except Exception as exc:  # Pillow raises many types (and the bomb warning, as an error)
        raise UnacceptedFile(f"image does not decode: {exc.__class__.__name__}") from exc
    return kind


def _check_package(data: bytes) -> FileKind:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                raise UnacceptedFile(f"ZIP of {len(entries)} entries")
            if sum(e.file_size for e in entries) > MAX_UNZIPPED_BYTES:
                raise UnacceptedFile("ZIP too large once unpacked")
            names = {e.filename for e in entries}
            if "[Content_Types].xml" in names:
                return _ooxml_kind(package, names)
            if "mimetype" in names:
                return _odf_kind(package, names)
    except UnacceptedFile:
        raise
    except Exception as exc:  # a broken ZIP or manifest
        raise UnacceptedFile(f"package does not open: {exc.__class__.__name__}") from exc
    raise UnacceptedFile("ZIP that is no Office document")


def _read(package: zipfile.ZipFile, name: str) -> bytes:
    """The entry ``name``, refused past MAX_MANIFEST_BYTES however small its header claims."""
    with package.open(name) as entry:
        content = entry.read(MAX_MANIFEST_BYTES + 1)
    if len(content) > MAX_MANIFEST_BYTES:
        raise UnacceptedFile(f"{name} too large")
    return content


def _ooxml_kind(package: zipfile.ZipFile, names: set[str]) -> FileKind:
    root = ElementTree.fromstring(_read(package, "[Content_Types].xml"))
    for override in root.iter(f"{CONTENT_TYPES_NS}Override"):
        kind = OOXML_MAIN.get(override.get("ContentType", ""))
        if kind is not None and override.get("PartName", "").lstrip("/") in names:
            return kind
    raise UnacceptedFile("no Word or Excel main part")


def _odf_kind(package: zipfile.ZipFile, names: set[str]) -> FileKind:
    kind = ODF.get(_read(package, "mimetype").decode("ascii", "replace").strip())
    if kind is None or "content.xml" not in names:
        raise UnacceptedFile("no OpenDocument text or spreadsheet")
    return kind


def safe_name(filename: str | None, kind: FileKind, fallback: str = "tep") -> str:
    """Return ``filename``'s last path part, without control or reserved characters, with the
    extension of ``kind`` in place of its own (``fallback`` when nothing usable is left)."""
    text = unicodedata.normalize("NFC", filename or "")
    base = re.split(r"[/\\]", text)[-1]
    base = "".join(c for c in base if not unicodedata.category(c).startswith("C"))
    stem = os.path.splitext(base)[0]
    stem = " ".join(RESERVED.sub("_", stem).split()).strip(" .")
    return f"{stem[:MAX_NAME_LENGTH].rstrip(' .') or fallback}{kind.extension}"


def ascii_name(name: str, kind: FileKind, fallback: str = "tep") -> str:
    """Return ``name`` without diacritics, other characters as dashes, ending in ``kind``'s
    extension: the ``filename`` for clients that ignore ``filename*``."""
    stem = os.path.splitext(name)[0].translate(ASCII_LETTERS)
    plain = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    return f"{NOT_ASCII_SAFE.sub('-', plain).strip('-.') or fallback}{kind.extension}"


def content_disposition(name: str, kind: FileKind) -> str:
    """Return an ``attachment`` Content-Disposition for ``name`` (already a ``safe_name``):
    an ASCII ``filename`` and the UTF-8 ``filename*`` (RFC 6266, RFC 5987)."""
    return (
        f'attachment; filename="{ascii_name(name, kind)}"; '
        f"filename*=UTF-8''{quote(name, safe='')}"
    )
