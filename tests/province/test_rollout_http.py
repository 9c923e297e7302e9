"""Rollouts over HTTP: the province API, the console pages, who may use them, impact preview."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion
from tenant_app.models.evaluation import Assignment, PeriodScore, Report
from tenant_app.models.rollout import Rollout, TemplateVersion
from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import periods, scores
from tenant_app.tenancy import tenant_context
from tests.helpers import bearer, login, token_for
from tests.province.rollout_helpers import (
    changed,
    fresh,
    local_edit,
    make_version,
    payload_v1,
    roll,
    value_of,
)
from tests.workspace.conftest import make_structure

API = "/api/v1/province"


@pytest.fixture()
def v1(app, tenant_a, tenant_b, province_admin):
    """Version 1 applied to both wards."""
    version = make_version(payload_v1())
    roll(version, [tenant_a, tenant_b], actor=province_admin)
    return version


@pytest.fixture()
def v2(v1):
    """The id of version 2 (published): SP01 1.0 → 1.5 (an id: requests end the test's session)."""
    return make_version(changed(payload_v1(), items={"TH.SP01": {"coefficient": "1.5"}}), 2).id


@pytest.fixture()
def headers(client, province_admin):
    """Bearer headers of the province administrator."""
    return bearer(token_for(client, None, "tinh.admin"))


def test_api_rollout_dry_run_then_apply(client, headers, v2, tenant_a, tenant_b):
    """POST creates a dry run with per-tenant diffs; apply applies; GET reads the board."""
    response = client.post(
        f"{API}/rollouts", json={"version": v2, "tenants": ["phuong-a"]}, headers=headers
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["dry_run"], body["status"], body["total"]) == (True, "planned", 1)
    assert body["targets"][0]["counts"]["changes"] == 1
    diff = client.get(f"{API}/rollouts/{body['id']}/tenants/phuong-a", headers=headers)
    assert diff.get_json()["diff"]["changes"][0]["field"] == "coefficient"
    applied = client.post(f"{API}/rollouts/{body['id']}/apply", headers=headers).get_json()
    assert (applied["status"], applied["counts"]["applied"]) == ("finished", 1)
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.500")
    assert value_of(tenant_b, "TH.SP01") == Decimal("1.000")
    listing = client.get(f"{API}/rollouts", headers=headers).get_json()
    assert body["id"] in [r["id"] for r in listing]


def test_api_rollout_by_current_version_and_waves(client, headers, v2, tenant_a, tenant_b):
    """Selecting units by the version they run, in two waves; resume starts wave 2."""
    response = client.post(
        f"{API}/rollouts",
        json={"version": v2, "current_version": v2 - 1, "dry_run": False, "waves": 2},
        headers=headers,
    )
    body = response.get_json()
    assert response.status_code == 201, body
    assert [t["wave"] for t in body["targets"]] == [1, 2]
    assert body["counts"] == {"pending": 1, "running": 0, "applied": 1, "skipped": 0, "failed": 0}
    resumed = client.post(f"{API}/rollouts/{body['id']}/resume", headers=headers).get_json()
    assert resumed["counts"]["applied"] == 2 and resumed["status"] == "finished"


def test_api_rollout_refuses_a_draft_and_unknown_units(client, headers, v1):
    """A draft version is 409; an unknown slug names the slug."""
    draft, v1_id = make_version(payload_v1(), 3, status="draft").id, v1.id
    response = client.post(
        f"{API}/rollouts", json={"version": draft, "tenants": ["phuong-a"]}, headers=headers
    )
    assert response.status_code == 409
    response = client.post(
        f"{API}/rollouts", json={"version": v1_id, "tenants": ["khong-co"]}, headers=headers
    )
    assert response.status_code == 400 and "khong-co" in response.get_json()["error"]["message"]


def test_api_rollback_and_configuration(client, headers, v2, tenant_a):
    """Rollback through the API returns the unit to v1; the configuration shows the history."""
    client.post(
        f"{API}/rollouts",
        json={"version": v2, "tenants": ["phuong-a"], "dry_run": False},
        headers=headers,
    )
    response = client.post(f"{API}/tenants/phuong-a/rollback", json={}, headers=headers)
    assert response.status_code == 202 and response.get_json()["status"] == "succeeded"
    config = client.get(f"{API}/tenants/phuong-a/configuration", headers=headers).get_json()
    assert config["current"]["version"] == v2 - 1
    assert [c["rolled_back"] for c in config["history"]] == [False, True, False]
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.000")


def test_api_rollouts_are_in_the_openapi_document(client):
    """The rollout routes are documented."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/province/rollouts",
        "/api/v1/province/rollouts/{rollout_id}",
        "/api/v1/province/rollouts/{rollout_id}/resume",
        "/api/v1/province/tenants/{slug}/rollback",
        "/api/v1/province/impact-previews",
    ):
        assert path in paths


def test_api_rollouts_refuse_auditor_and_tenant_tokens(client, v2, auditor, admin_a):
    """An auditor gets 403, a unit's token 401; neither creates a rollout."""
    auditor_headers = bearer(token_for(client, None, "tinh.thanhtra"))
    tenant_headers = bearer(token_for(client, "phuong-a", "admin.a"))
    body = {"version": v2, "tenants": ["phuong-a"], "dry_run": False}
    before = db.session.execute(sa.select(sa.func.count()).select_from(Rollout)).scalar_one()
    assert client.post(f"{API}/rollouts", json=body, headers=auditor_headers).status_code == 403
    assert client.post(f"{API}/rollouts", json=body, headers=tenant_headers).status_code == 401
    for headers in (auditor_headers, tenant_headers):
        assert client.post(
            f"{API}/tenants/phuong-a/rollback", json={}, headers=headers
        ).status_code in (401, 403)
    after = db.session.execute(sa.select(sa.func.count()).select_from(Rollout)).scalar_one()
    assert after == before


def test_console_rollout_pages_refuse_auditor_and_unit_users(client, v2, auditor, admin_a):
    """The console's rollout pages are 403 for an auditor; a unit's user never reaches them."""
    login(client, None, "tinh.thanhtra")
    assert client.get("/admin/rollouts/new").status_code == 403
    assert client.post("/admin/rollouts/new", data={"version": v2}).status_code in (400, 403)
    client.post("/admin/logout")
    unit = login(client, "phuong-a", "admin.a")
    assert unit.status_code == 302
    response = client.get("/admin/rollouts/new")
    assert response.status_code in (302, 403, 404)
    assert "/admin/login" in response.headers.get("Location", "/admin/login")


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_console_new_rollout_board_apply_and_rollback(admin_client, v2, tenant_a):
    """New rollout → dry-run board with the diff → apply → unit page → rollback."""
    page = admin_client.get("/admin/rollouts/new")
    assert page.status_code == 200
    response = admin_client.post(
        "/admin/rollouts/new",
        data={"csrf_token": _token(page.get_data(as_text=True)), "version": v2,
              "tenants": ["phuong-a"], "waves": "1", "effective": "next_period"},
    )  # fmt: skip
    assert response.status_code == 302
    board_url = response.headers["Location"]
    board = admin_client.get(board_url).get_data(as_text=True)
    assert "Sẽ áp dụng" in board and "rollout-board.js" in board
    rollout_id = int(board_url.rstrip("/").rsplit("/", 1)[1])
    status = admin_client.get(f"/admin/rollouts/{rollout_id}/status.json").get_json()
    assert status["targets"][0]["counts"]["changes"] == 1
    detail = admin_client.get(f"/admin/rollouts/{rollout_id}/tenants/phuong-a")
    assert "Soạn thảo văn bản" in detail.get_data(as_text=True)
    admin_client.post(
        f"/admin/rollouts/{rollout_id}/apply", data={"csrf_token": _token(board), "confirm": "yes"}
    )
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.500")
    listing = admin_client.get("/admin/rollouts/").get_data(as_text=True)
    assert f'href="/admin/rollouts/{rollout_id}"' in listing
    unit = admin_client.get("/admin/rollouts/units/phuong-a").get_data(as_text=True)
    assert "Quay lại phiên bản trước" in unit
    admin_client.post("/admin/rollouts/units/phuong-a/rollback", data={"csrf_token": _token(unit)})
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.000")


def test_console_apply_refused_without_confirmation(admin_client, v2, tenant_a):
    """The board says how many units the rollout applies to; without ticking the confirmation
    box nothing is applied."""
    page = admin_client.get("/admin/rollouts/new")
    response = admin_client.post(
        "/admin/rollouts/new",
        data={"csrf_token": _token(page.get_data(as_text=True)), "version": v2,
              "tenants": ["phuong-a"], "waves": "1", "effective": "next_period"},
    )  # fmt: skip
    board_url = response.headers["Location"]
    board = admin_client.get(board_url).get_data(as_text=True)
    assert "Áp dụng v2 cho 1 đơn vị" in board and 'name="confirm"' in board
    rollout_id = int(board_url.rstrip("/").rsplit("/", 1)[1])
    refused = admin_client.post(
        f"/admin/rollouts/{rollout_id}/apply", data={"csrf_token": _token(board)},
        follow_redirects=True,
    )  # fmt: skip
    assert "Hãy đánh dấu ô xác nhận trước khi áp dụng." in refused.get_data(as_text=True)
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.000")


def test_rollout_conflict_reads_in_the_readers_language(admin_client, headers, v2, tenant_a):
    """A stored conflict: the API gives its code and a Vietnamese message; the console shows it
    in English once the reader chose English."""
    local_edit(tenant_a, "TH.SP01", {"coefficient": "1.3"})
    rollout = roll(db.session.get(TemplateVersion, v2), [fresh(tenant_a)], dry_run=True)
    url = f"/rollouts/{rollout.id}/tenants/phuong-a"
    [conflict] = admin_client.get(API + url, headers=headers).get_json()["conflicts"]
    assert (conflict["code"], conflict["params"]["local"]) == ("both_changed", "1.3")
    assert "đơn vị đã đổi thành 1.3, mẫu mới đổi thành 1.5" in conflict["message"]
    admin_client.get("/lang/en")
    page = admin_client.get(f"/admin{url}").get_data(as_text=True)
    assert "the unit changed it to 1.3, the new template changes it to 1.5" in page


def _closed_period_with_scores(tenant):
    """October 2026 closed and scored: the clerk (salary 8,000,000 VND) did 8 of 10 units of
    TH.SP01."""
    ids = make_structure(tenant, "X")
    with tenant_context(tenant):
        db.session.get(StaffMember, (tenant.id, ids["clerk"])).monthly_salary = Decimal(8_000_000)
        period = periods.open_period(year=2026, number=10, kind="month")
        item = db.session.execute(
            sa.select(CatalogueItem).where(CatalogueItem.canonical_code == "TH.SP01")
        ).scalar_one()
        version = db.session.execute(
            sa.select(CatalogueVersion).where(CatalogueVersion.item_id == item.id)
        ).scalar_one()
        for code, quantity, done in (("TH.SP01", 10, 8), ("TH.SP03", 2, 2)):
            row = db.session.execute(
                sa.select(CatalogueItem).where(CatalogueItem.canonical_code == code)
            ).scalar_one()
            assignment = Assignment(
                period_id=period.id, staff_id=ids["clerk"], item_id=row.id,
                version_id=version.id, quantity=quantity,
                coefficient=Decimal("1.0") if code == "TH.SP01" else Decimal("3.0"),
                due_on=date(2026, 10, 31),
            )  # fmt: skip
            db.session.add(assignment)
            db.session.flush()
            db.session.add(Report(assignment_id=assignment.id, completed=done, status="accepted"))
        db.session.flush()
        scores.score_people(period)
        periods.close_period(period)
        db.session.commit()


def test_impact_preview_rescores_the_last_closed_period_and_saves_nothing(
    admin_client, v1, tenant_a
):
    """A draft with a higher coefficient and HTNV threshold turns the clerk's HTNV (61.25 points)
    into KHTNV (58.33) in the preview; stored scores, catalogue and settings stay as they were."""
    _closed_period_with_scores(tenant_a)
    draft = make_version(
        changed(payload_v1(), items={"TH.SP01": {"coefficient": "3.0"}},
                params={"threshold_htxs": "90", "threshold_htnv": "60"}),
        2, status="draft",
    )  # fmt: skip
    draft_id = draft.id

    def state():
        db.session.expire_all()
        with tenant_context(fresh(tenant_a)):
            rows = sorted(
                (str(s.staff_id), str(s.total), s.grade)
                for s in db.session.execute(sa.select(PeriodScore)).scalars()
            )
            versions = db.session.execute(
                sa.select(sa.func.count()).select_from(CatalogueVersion)
            ).scalar_one()
            db.session.commit()
        return rows, versions, fresh(tenant_a).settings

    before = state()
    page = admin_client.get("/admin/rollouts/impact")
    response = admin_client.post(
        "/admin/rollouts/impact",
        data={"csrf_token": _token(page.get_data(as_text=True)), "version": draft_id,
              "tenants": ["phuong-a"]},
    )  # fmt: skip
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2026-10" in html
    assert state() == before
    from tenant_app.services.rollout import rollout_impact

    draft = db.session.get(type(draft), draft_id)
    tenant = fresh(tenant_a)
    [result] = rollout_impact.preview(draft, [tenant])
    assert result["period"] == "2026-10" and result["people"] == 1
    assert (result["before"]["grades"]["HTNV"], result["after"]["grades"]["KHTNV"]) == (1, 1)
    assert result["changed"] == 1
    # HTNV pays 0.1 of the 8,000,000 salary; KHTNV nothing.
    assert (result["before"]["income"], result["after"]["income"]) == ("800000", "0")
    assert state() == before
