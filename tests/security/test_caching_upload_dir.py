"""Finding 10 (caching, upload folder): no private response is stored by a browser or a proxy;
``KPI_UPLOAD_DIR`` decides where evidence files and import workbooks land."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from tenant_app.config import load, upload_dir
from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import assignments, evidence, reports
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY, build_ward
from tests.helpers import bearer, login, token_for
from tests.spreadsheets.xlsx import make_xlsx


def test_finding10_api_answer_is_no_store(client, admin_a):
    """A JSON answer of the API to a bearer token carries ``Cache-Control: no-store``."""
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    response = client.get("/api/v1/t/phuong-a/me", headers=headers)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_finding10_signed_in_download_is_no_store(client, admin_a):
    """A workbook downloaded in a signed-in session is ``no-store`` (not send_file's no-cache)."""
    login(client, "phuong-a", "admin.a")
    response = client.get("/t/phuong-a/imports/templates/users.xlsx")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_finding10_api_error_answer_is_no_store(client, tenant_a):
    """Even a refused API call (401) is not stored."""
    response = client.get("/api/v1/t/phuong-a/me")
    assert response.status_code == 401
    assert "no-store" in response.headers["Cache-Control"]


def test_caching_static_assets_keep_their_caching(client, admin_a):
    """The app's own CSS stays cacheable (revalidated), even for a signed-in user."""
    login(client, "phuong-a", "admin.a")
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in (response.headers.get("Cache-Control") or "")


def test_finding10_upload_dir_is_read_from_the_environment(tmp_path):
    """``KPI_UPLOAD_DIR`` is read; without it uploads stay under the instance folder."""
    chosen = tmp_path / "elsewhere"
    settings = load({"KPI_INSTANCE_DIR": str(tmp_path / "inst"), "KPI_UPLOAD_DIR": str(chosen)})
    assert upload_dir(settings) == chosen
    default = load({"KPI_INSTANCE_DIR": str(tmp_path / "inst")})
    assert upload_dir(default) == tmp_path / "inst" / "uploads"


def test_finding10_import_workbook_lands_in_upload_dir(app, client, admin_a, tenant_a, tmp_path):
    """An uploaded import workbook is stored under ``KPI_UPLOAD_DIR``, not the instance folder."""
    chosen = tmp_path / "uploads-volume"
    app.config["KPI_UPLOAD_DIR"] = str(chosen)
    headers = bearer(token_for(client, "phuong-a", "admin.a"))
    data = make_xlsx([["le.van.c", "Lê Văn C", None, "Cán bộ, công chức"]])
    response = client.post(
        "/api/v1/t/phuong-a/imports",
        data={"kind": "users", "file": (io.BytesIO(data), "tai-khoan.xlsx")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 202, response.get_json()
    stored = chosen / str(tenant_a.id) / f"{response.get_json()['id']}.xlsx"
    assert stored.read_bytes() == data
    assert not (Path(app.config["KPI_INSTANCE_DIR"]) / "uploads" / str(tenant_a.id)).exists()


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_finding10_evidence_lands_in_upload_dir(app, factory, tenant_a, tmp_path):
    """An evidence file is stored under ``KPI_UPLOAD_DIR/<tenant>/evidence``."""
    chosen = tmp_path / "evidence-volume"
    app.config["KPI_UPLOAD_DIR"] = str(chosen)
    ward = build_ward(factory, tenant_a)
    with tenant_context(tenant_a):
        period = db.session.get(Period, (tenant_a.id, ward["period"]))
        head = db.session.get(User, (tenant_a.id, ward["head_user"]))
        clerk = db.session.get(StaffMember, (tenant_a.id, ward["clerk"]))
        item = db.session.get(CatalogueItem, (tenant_a.id, ward["items"]["T1"]))
        clerk_user = db.session.get(User, (tenant_a.id, ward["clerk_user"]))
        assignment = assignments.assign(
            period, clerk, item, quantity=2, due_on=date(2026, 11, 25), actor=head
        )
        report = reports.save_report(
            assignment, actor=clerk_user, completed=2, completed_on=date(2026, 11, 19), today=TODAY
        )
        row = evidence.add_evidence(
            report, filename="anh.png", stream=io.BytesIO(_png()), actor=clerk_user
        )
        path = evidence.evidence_path(row)
    assert chosen / str(tenant_a.id) / "evidence" in path.parents
    assert path.is_file()
