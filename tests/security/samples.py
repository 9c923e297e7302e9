"""Small, real files of every kind the evidence service accepts, made in memory for the tests."""

from __future__ import annotations

import io
import zipfile

OOXML_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{part}" ContentType="{content_type}"/>'
    "</Types>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def pdf_bytes(pages: int = 1) -> bytes:
    """A PDF of ``pages`` blank pages (pypdf's writer)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (8, 8)) -> bytes:
    """A small red image in ``fmt`` (PNG or JPEG)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, fmt)
    return out.getvalue()


def zip_bytes(entries: dict[str, bytes | str]) -> bytes:
    """A ZIP of ``entries`` (name → content), the first one stored uncompressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for index, (name, content) in enumerate(entries.items()):
            package.writestr(name, content, zipfile.ZIP_STORED if index == 0 else None)
    return out.getvalue()


def docx_bytes(main_type: str = DOCX_MAIN) -> bytes:
    """A Word package: content types naming ``word/document.xml`` as its main part."""
    return zip_bytes(
        {
            "[Content_Types].xml": OOXML_TYPES.format(part="word/document.xml",
                                                      content_type=main_type),
            "word/document.xml": "<w:document xmlns:w='urn:w'><w:body/></w:document>",
        }
    )  # fmt: skip


def xlsx_bytes() -> bytes:
    """An Excel workbook written by openpyxl."""
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def odt_bytes() -> bytes:
    """An OpenDocument text: ``mimetype`` first, then ``content.xml`` and the manifest."""
    return zip_bytes(
        {
            "mimetype": "application/vnd.oasis.opendocument.text",
            "content.xml": "<office:document-content xmlns:office='urn:o'/>",
            "META-INF/manifest.xml": "<manifest:manifest xmlns:manifest='urn:m'/>",
        }
    )
