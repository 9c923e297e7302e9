"""Finding 8: evidence is accepted by its real structure and served under a safe, matching name.

A header alone (``%PDF-`` before HTML, ``PK`` with nothing behind) is refused; a file that opens
is stored as a clean basename with its detected type's extension, and downloaded as an
attachment (RFC 5987 ``filename*``) with the detected mimetype and ``nosniff``.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import EvidenceFile, Period, Report
from tenant_app.models.staff import StaffMember
from tenant_app.security import filetypes
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import assignments, evidence, reports
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY, build_ward
from tests.helpers import bearer, login, token_for
from tests.security.samples import (
    DOCM_MAIN,
    DOCX_MAIN,
    OOXML_TYPES,
    docx_bytes,
    image_bytes,
    odt_bytes,
    pdf_bytes,
    xlsx_bytes,
    zip_bytes,
)

HTML_AS_PDF = b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>\n"
BARE_ZIP_HEADER = b"PK\x03\x04" + b"\x00" * 64


@pytest.fixture()
def ward(factory, tenant_a):
    """Ward A with the head, the clerk and period 2026-11."""
    return build_ward(factory, tenant_a)


@pytest.fixture()
def draft(tenant_a, ward):
    """(report id, clerk user id): a draft report of the clerk on two T1 items."""
    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward["period"]))
        head = db.session.get(User, (tenant_a.id, ward["head_user"]))
        clerk = db.session.get(StaffMember, (tenant_a.id, ward["clerk"]))
        item = db.session.get(CatalogueItem, (tenant_a.id, ward["items"]["T1"]))
        assignment = assignments.assign(
            period, clerk, item, quantity=2, due_on=date(2026, 11, 25), actor=head
        )
        clerk_user = db.session.get(User, (tenant_a.id, ward["clerk_user"]))
        report = reports.save_report(
            assignment, actor=clerk_user, completed=2, completed_on=date(2026, 11, 19), today=TODAY
        )
        db.session.commit()
        return report.id, clerk_user.id


def _add(tenant, draft, filename, data) -> EvidenceFile:
    report_id, user_id = draft
    with tenant_context(tenant):
        report = db.session.get(Report, (tenant.id, report_id))
        actor = db.session.get(User, (tenant.id, user_id))
        row = evidence.add_evidence(report, filename=filename, stream=io.BytesIO(data), actor=actor)
        db.session.commit()
        return row


def _stored(tenant) -> int:
    with tenant_context(tenant):
        return db.session.execute(sa.select(sa.func.count()).select_from(EvidenceFile)).scalar()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("../../x.html", HTML_AS_PDF),
        ("bien-ban.docx", BARE_ZIP_HEADER),
        ("bien-ban.docx", zip_bytes({"word/document.xml": "<w/>"})),
        ("macro.docx", docx_bytes(DOCM_MAIN)),
        ("anh.png", image_bytes("PNG")[:40]),
        ("anh.jpg", image_bytes("JPEG")[:60]),
    ],
    ids=["html-behind-pdf-header", "zip-header-only", "zip-without-content-types",
         "macro-enabled-word", "truncated-png", "truncated-jpeg"],
)  # fmt: skip
def test_finding8_a_header_without_the_structure_is_refused(tenant_a, draft, name, data):
    """A file that only starts like an accepted kind is refused, in Vietnamese naming the
    accepted kinds, and nothing is stored."""
    with pytest.raises(ServiceError) as error:
        _add(tenant_a, draft, name, data)
    assert error.value.code == "file_type" and error.value.field == "file"
    assert "PDF" in error.value.message and "Word (.docx)" in error.value.message
    assert _stored(tenant_a) == 0


@pytest.mark.parametrize(
    ("name", "data", "stored_as", "mimetype"),
    [
        ("Biên bản.pdf", pdf_bytes(), "Biên bản.pdf", "application/pdf"),
        ("anh-chup.pdf", image_bytes("PNG"), "anh-chup.png", "image/png"),
        ("anh.jpeg", image_bytes("JPEG"), "anh.jpg", "image/jpeg"),
        ("to-trinh.zip", docx_bytes(), "to-trinh.docx", filetypes.DOCX.mimetype),
        ("bang-tinh.docx", xlsx_bytes(), "bang-tinh.xlsx", filetypes.XLSX.mimetype),
        ("van-ban.odt", odt_bytes(), "van-ban.odt", filetypes.ODT.mimetype),
    ],
)
def test_finding8_accepted_kinds_are_stored_with_the_detected_extension(
    tenant_a, draft, name, data, stored_as, mimetype
):
    """Each kind that opens is stored with the detected mimetype, and its name and storage key
    carry the detected extension whatever the uploaded name said."""
    row = _add(tenant_a, draft, name, data)
    assert (row.filename, row.content_type) == (stored_as, mimetype)
    assert row.storage_key.endswith(filetypes.kind_of(mimetype).extension)


def test_finding8_stored_name_is_a_safe_basename(tenant_a, draft):
    """A real PDF named ``../../x.html`` with control characters is stored as ``x.pdf``."""
    row = _add(tenant_a, draft, "..\\../..//x\x00\r\n.html", pdf_bytes())
    assert row.filename == "x.pdf"


def test_finding8_api_download_is_a_safe_attachment(client, tenant_a, ward, draft):
    """The API serves the file as an attachment named x.pdf (ASCII and RFC 5987 forms), typed
    application/pdf, with nosniff."""
    row = _add(tenant_a, draft, "../../x.html", pdf_bytes())
    headers = bearer(token_for(client, "phuong-a", "truong"))
    response = client.get(
        f"/api/v1/t/phuong-a/reports/{draft[0]}/evidence/{row.id}", headers=headers
    )
    assert response.status_code == 200 and response.data == pdf_bytes()
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"x.pdf\"; filename*=UTF-8''x.pdf"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_finding8_a_row_stored_before_the_fix_is_served_under_a_safe_name(
    client, tenant_a, ward, draft
):
    """A row kept with the old unsafe name ``../../x.html`` downloads as ``x.pdf``."""
    row = _add(tenant_a, draft, "bien-ban.pdf", pdf_bytes())
    with tenant_context(tenant_a):
        db.session.execute(
            sa.update(EvidenceFile).where(EvidenceFile.id == row.id).values(filename="../../x.html")
        )
        db.session.commit()
    login(client, "phuong-a", "vanthu")
    response = client.get(f"/t/phuong-a/evidence/{row.id}")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="x.pdf"') and ".html" not in disposition
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_finding8_vietnamese_name_keeps_its_letters_in_filename_star(client, tenant_a, draft):
    """A Vietnamese name downloads with an ASCII fallback and the UTF-8 ``filename*``."""
    row = _add(tenant_a, draft, "Biên bản họp.pdf", pdf_bytes())
    login(client, "phuong-a", "vanthu")
    disposition = client.get(f"/t/phuong-a/evidence/{row.id}").headers["Content-Disposition"]
    assert 'filename="Bien-ban-hop.pdf"' in disposition
    assert "filename*=UTF-8''Bi%C3%AAn%20b%E1%BA%A3n%20h%E1%BB%8Dp.pdf" in disposition


def test_finding8_pdf_page_count_is_bounded(monkeypatch):
    """A PDF over the page bound is refused."""
    monkeypatch.setattr(filetypes, "MAX_PDF_PAGES", 2)
    assert filetypes.detect(pdf_bytes(2)) is filetypes.PDF
    with pytest.raises(filetypes.UnacceptedFile):
        filetypes.detect(pdf_bytes(3))


def test_finding8_image_size_is_bounded_against_decompression_bombs(monkeypatch):
    """An image over the pixel bound (or the side bound) is refused before it is decoded."""
    monkeypatch.setattr(filetypes, "MAX_IMAGE_PIXELS", 63)
    with pytest.raises(filetypes.UnacceptedFile):
        filetypes.detect(image_bytes("PNG", (8, 8)))
    monkeypatch.setattr(filetypes, "MAX_IMAGE_PIXELS", 10**9)
    monkeypatch.setattr(filetypes, "MAX_IMAGE_SIDE", 100)
    with pytest.raises(filetypes.UnacceptedFile):
        filetypes.detect(image_bytes("PNG", (101, 1)))


def test_finding8_office_package_unpacked_size_is_bounded(monkeypatch):
    """A package whose entries unpack past the bound is refused (a ZIP bomb)."""
    monkeypatch.setattr(filetypes, "MAX_UNZIPPED_BYTES", 10_000)
    padded = zip_bytes(
        {
            "[Content_Types].xml": OOXML_TYPES.format(
                part="word/document.xml", content_type=DOCX_MAIN
            ),
            "word/document.xml": "<w/>",
            "word/padding.bin": b"\x00" * 20_000,
        }
    )
    with pytest.raises(filetypes.UnacceptedFile):
        filetypes.detect(padded)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x.html", "x.pdf"),
        ("C:\\Users\\a\\bao-cao.exe", "bao-cao.pdf"),
        ("tệp\x07\x1b[31m.pdf", "tệp[31m.pdf"),
        ("a<b>c:d|e?.pdf", "a_b_c_d_e_.pdf"),
        ("...", "tep.pdf"),
        ("", "tep.pdf"),
        (".htaccess", "htaccess.pdf"),
    ],
)
def test_finding8_safe_name_drops_paths_and_control_characters(name, expected):
    """``safe_name`` keeps the last path part, drops control and reserved characters and
    replaces the extension with the detected kind's."""
    assert filetypes.safe_name(name, filetypes.PDF) == expected
