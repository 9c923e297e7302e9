"""The province's own name: settings on the console, printed on every PDF and in page titles.

Unset, the product prints what it printed before ("KPI CÔNG VỤ / CẤP TỈNH", a dotted place line);
set, the authority heads every form (above the unit's own name on unit forms), the place dates
it, the province's name follows the product's in each page title. The logo must be a PNG/JPEG
inside the instance folder: a path that leaves it is refused, whatever it points at.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent, ProvinceSetting
from tenant_app.security import pdf_fetcher
from tenant_app.services.errors import ServiceError
from tenant_app.services.files import pdf_forms
from tenant_app.services.province import identity
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import golden_month, ward_today
from tests.helpers import login, post_form

AUTHORITY = "ỦY BAN NHÂN DÂN TỈNH THANH HÓA"
THANH_HOA = {"province_name": "Thanh Hóa", "authority_name": AUTHORITY, "place": "Thanh Hóa"}
PAGE = "/admin/province"
DOTS = "……………,"


def pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def pdf_images(data: bytes) -> set[tuple[int, int]]:
    """The sizes (pixels) of the distinct images the PDF embeds (pages may share one)."""
    return {
        image.image.size
        for page in pypdf.PdfReader(io.BytesIO(data)).pages
        for image in page.images
    }


def set_identity(**values):
    identity.seed({**THANH_HOA, **values})
    db.session.commit()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 20, 20)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture()
def instance(app) -> Path:
    return Path(app.config["KPI_INSTANCE_DIR"])


@pytest.fixture()
def golden_a(factory, tenant_a):
    ward = ward_today(factory, tenant_a)
    golden_month(tenant_a, ward)
    return ward


def person_form(tenant, ward) -> bytes:
    with tenant_context(tenant):
        return pdf_forms.person_form_pdf(ward["period"], ward["clerk"])


def unit_report(tenant, ward) -> str:
    with tenant_context(tenant):
        data = pdf_forms.unit_report_pdf(ward["period"], prepared_by="Ngô Thị Lập")
    return pdf_text(data)


def admin_client(app):
    client = app.test_client()
    login(client, None, "tinh.admin")
    return client


# --- defaults and printing --------------------------------------------------------------------


def test_unset_identity_falls_back_to_the_products_name(app):
    """Nothing stored: every field empty, no issuer, no place (the forms then print dots)."""
    current = identity.load()
    assert current == identity.Identity()
    assert current.issuer == "" and current.form_place == ""


def test_province_name_alone_gives_issuer_and_place(app):
    """Only the name set: the issuer is it in capitals, the place is it as written."""
    current = identity.Identity(province_name="Thanh Hóa")
    assert current.issuer == "THANH HÓA" and current.form_place == "Thanh Hóa"


def test_person_form_unset_keeps_the_dotted_place_line(golden_a, tenant_a):
    text = pdf_text(person_form(tenant_a, golden_a))
    assert DOTS in text and AUTHORITY not in text
    assert "PHƯỜNG A" in text  # the unit's own name, as before


def test_person_form_prints_authority_above_the_unit_and_the_place(golden_a, tenant_a):
    """Authority first, then the unit's own name (kept), then the national motto's column; the
    date line names the place instead of dots."""
    set_identity()
    text = pdf_text(person_form(tenant_a, golden_a))
    assert f"{AUTHORITY} PHƯỜNG A" in text
    assert "Thanh Hóa, ngày" in text and DOTS not in text


def test_place_defaults_to_the_province_name(golden_a, tenant_a):
    set_identity(place="", authority_name="")
    text = pdf_text(person_form(tenant_a, golden_a))
    assert "Thanh Hóa, ngày" in text and DOTS not in text
    assert "THANH HÓA PHƯỜNG A" in text


def test_unit_report_prints_authority_and_place(golden_a, tenant_a):
    set_identity(place="Sầm Sơn")
    text = unit_report(tenant_a, golden_a)
    assert f"{AUTHORITY} PHƯỜNG A" in text
    assert "Sầm Sơn, ngày" in text and DOTS not in text


def test_comparison_report_names_the_province_not_the_product(province, auditor_client):
    """The comparison PDF's issuer was "KPI CÔNG VỤ / CẤP TỈNH"; with the identity set it is the
    province's authority, and the date line has its place."""
    url = "/admin/comparison/export/report.pdf?period=2026-10"
    before = pdf_text(auditor_client.get(url).data)
    assert "KPI CÔNG VỤ" in before and "CẤP TỈNH" in before and DOTS in before
    set_identity()
    after = pdf_text(auditor_client.get(url).data)
    assert AUTHORITY in after and "Thanh Hóa, ngày" in after
    assert "KPI CÔNG VỤ" not in after and DOTS not in after


def test_logo_is_printed_on_the_form(golden_a, tenant_a, instance):
    """A PNG under the instance folder is embedded in the PDF (the 40×40 image it had not)."""
    assert pdf_images(person_form(tenant_a, golden_a)) == set()
    (instance / "branding").mkdir()
    (instance / "branding" / "seal.png").write_bytes(png_bytes())
    set_identity(logo_path="branding/seal.png")
    assert pdf_images(person_form(tenant_a, golden_a)) == {(40, 40)}


def test_logo_replaced_by_a_non_image_is_left_out(golden_a, tenant_a, instance):
    """The logo is checked again at print time: replaced by text, the form prints without it."""
    (instance / "seal.png").write_bytes(png_bytes())
    set_identity(logo_path="seal.png")
    (instance / "seal.png").write_text("not an image")
    data = person_form(tenant_a, golden_a)
    assert pdf_images(data) == set() and AUTHORITY in pdf_text(data)


def test_fetcher_serves_the_given_logo_and_nothing_beside_it(instance):
    logo = instance / "seal.png"
    logo.write_bytes(png_bytes())
    other = instance / "other.png"
    other.write_bytes(png_bytes())
    fetcher = pdf_fetcher.fetcher(also=(logo,))
    assert fetcher.fetch(logo.as_uri()).read() == logo.read_bytes()
    with pytest.raises(pdf_fetcher.RefusedResource):
        fetcher.fetch(other.as_uri())
    with pytest.raises(pdf_fetcher.RefusedResource):
        pdf_fetcher.fetcher().fetch(logo.as_uri())


# --- page titles -------------------------------------------------------------------------------


def test_page_titles_carry_the_province_name(app, province_admin, tenant_a):
    client = admin_client(app)
    html = client.get("/admin/").get_data(as_text=True)
    assert "· KPI Công vụ</title>" in html and "Thanh Hóa" not in html
    set_identity()
    html = client.get("/admin/").get_data(as_text=True)
    assert "· KPI Công vụ – Thanh Hóa</title>" in html
    assert '<span class="province">Thanh Hóa</span>' in html
    # A unit's page too (its sign-in page), read by no province user.
    html = app.test_client().get("/t/phuong-a/login").get_data(as_text=True)
    assert "KPI Công vụ – Thanh Hóa</title>" in html


# --- the console form --------------------------------------------------------------------------


def test_admin_saves_identity_on_the_console_audited(app, province_admin):
    client = admin_client(app)
    response = post_form(client, PAGE, {**THANH_HOA, "logo_path": ""})
    assert response.status_code == 302
    assert identity.load() == identity.Identity(**THANH_HOA)
    event = db.session.execute(
        sa.select(ProvinceAuditEvent).order_by(ProvinceAuditEvent.seq.desc()).limit(1)
    ).scalar_one()
    assert event.action == "province.identity_updated"
    assert event.actor_name == "tinh.admin"
    assert event.before == {"province_name": "", "authority_name": "", "place": ""}
    assert event.after == THANH_HOA
    row = db.session.get(ProvinceSetting, "identity")
    assert row.updated_by == province_admin.id
    page = client.get(PAGE).get_data(as_text=True)
    assert f'value="{AUTHORITY}"' in page


def test_saving_the_same_values_records_nothing(app, province_admin):
    client = admin_client(app)
    post_form(client, PAGE, THANH_HOA)
    count = db.session.execute(sa.select(sa.func.count()).select_from(ProvinceAuditEvent)).scalar()
    post_form(client, PAGE, THANH_HOA)
    again = db.session.execute(sa.select(sa.func.count()).select_from(ProvinceAuditEvent)).scalar()
    assert again == count


def test_auditor_may_not_change_the_identity(app, auditor):
    client = app.test_client()
    login(client, None, "tinh.thanhtra")
    assert client.get(PAGE).status_code == 403
    with pytest.raises(ServiceError) as refused:
        identity.update(actor=auditor, **THANH_HOA)
    assert refused.value.status == 403
    assert db.session.get(ProvinceSetting, "identity") is None


def test_too_long_a_name_is_refused(app, province_admin):
    response = post_form(admin_client(app), PAGE, {**THANH_HOA, "authority_name": "Ủ" * 201})
    assert response.status_code == 200
    assert identity.load() == identity.Identity()
    with pytest.raises(ServiceError) as refused:
        identity.update(actor=province_admin, **{**THANH_HOA, "place": "x" * 101})
    assert refused.value.field == "place"


@pytest.mark.parametrize(
    "path",
    [
        "../outside.png",
        "branding/../../outside.png",
        "{outside}",  # absolute, outside the instance folder
        "link.png",  # a symbolic link inside, pointing out
        "/etc/passwd",
        ".",
    ],
)
def test_logo_path_escape_is_refused(app, province_admin, instance, path):
    """Whatever the path names outside the instance folder (even a valid PNG), it is refused
    with a message on the field, and nothing is stored."""
    outside = instance.parent / "outside.png"  # beside the instance folder: a valid PNG
    outside.write_bytes(png_bytes())
    (instance / "branding").mkdir()
    os.symlink(outside, instance / "link.png")
    path = path.format(outside=outside)
    response = post_form(admin_client(app), PAGE, {**THANH_HOA, "logo_path": path})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert db.session.get(ProvinceSetting, "identity") is None
    with pytest.raises(ServiceError) as refused:
        identity.check_logo(path)
    assert refused.value.field == "logo_path"


def test_logo_must_be_an_image_by_content(app, province_admin, instance):
    """A text file named .png, a PDF and a truncated PNG are refused; a JPEG is accepted."""
    from PIL import Image

    (instance / "fake.png").write_text("<svg/>")
    (instance / "doc.png").write_bytes(b"%PDF-1.4\n%%EOF")
    (instance / "cut.png").write_bytes(png_bytes()[:60])
    for name in ("fake.png", "doc.png", "cut.png"):
        with pytest.raises(ServiceError, match="PNG hoặc JPEG"):
            identity.check_logo(name)
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "JPEG")
    (instance / "seal.jpg").write_bytes(buffer.getvalue())
    saved = identity.update(actor=province_admin, **{**THANH_HOA, "logo_path": "./seal.jpg"})
    db.session.commit()
    assert saved.logo_path == "seal.jpg"  # stored as its clean relative path
