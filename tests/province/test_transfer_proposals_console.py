"""The province sees the transfers proposed between unit administrators that wait for an answer:
on ``/admin/transfers`` (administrators, and auditors read-only) and on
``/api/v1/province/transfer-proposals``, read across units through the audited door only."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import ProvinceAuditEvent
from tenant_app.tenancy.door import transfer_answer_write
from tests.helpers import bearer, csrf_token, login, token_for

API = "/api/v1/province/transfer-proposals"


def _waiting(html: str) -> str:
    return html.split('id="waiting-proposals"')[1].split("</table>")[0]


def _door_reads() -> list[dict]:
    return [
        e.after
        for e in db.session.execute(
            sa.select(ProvinceAuditEvent).where(ProvinceAuditEvent.action == "cross_tenant.read")
        ).scalars()
    ]


def test_console_lists_a_waiting_proposal_through_the_door(client, province_admin, proposal_id):
    """The administrator's page lists it (date, person, A → B, 01/10/2026, the decision, the
    status, who proposed) and the read is recorded on the province chain."""
    login(client, None, "tinh.admin")
    html = client.get("/admin/transfers").get_data(as_text=True)
    listed = _waiting(html)
    for text in ("Trần Thị Văn (NS2)", "Phường A", "Phường B", "01/10/2026", "125/QĐ-UBND",
                 "Chờ đơn vị nhận xem xét", "Quản Trị A"):  # fmt: skip
        assert text in listed
    assert "Bước 1: chọn đơn vị" in html
    assert {"purpose": "transfer proposals waiting between units", "tenants": "all"} in (
        _door_reads()
    )


def test_console_drops_an_answered_proposal(client, tenant_b, province_admin, proposal_id, admins):
    """Once B refuses, the proposal no longer waits and is not listed."""
    transfer_answer_write(
        tenant_b, proposal_id, accept=False, actor=admins[1],
        refusal_reason="Phường chưa có vị trí việc làm phù hợp.",
    )  # fmt: skip
    login(client, None, "tinh.admin")
    listed = _waiting(client.get("/admin/transfers").get_data(as_text=True))
    assert "Trần Thị Văn" not in listed and "Không có đề nghị nào đang chờ." in listed


def test_console_auditor_reads_the_list_and_writes_nothing(client, auditor, wards, proposal_id):
    """The auditor sees the waiting proposal but no transfer form; the form, the preview and
    the confirmation are refused (403)."""
    login(client, None, "tinh.thanhtra")
    response = client.get("/admin/transfers")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Trần Thị Văn (NS2)" in _waiting(html)
    assert "Bước 1: chọn đơn vị" not in html
    assert client.get("/admin/transfers/new?source=phuong-a&target=phuong-b").status_code == 403
    token = csrf_token(client, "/admin/transfers")
    for action in ("preview", "confirm"):
        posted = client.post(f"/admin/transfers/{action}", data={"csrf_token": token})
        assert posted.status_code == 403


def test_province_api_lists_waiting_proposals_for_admins_and_auditors(
    client, province_admin, auditor, proposal_id
):
    """Both province roles get the same row (the two units by slug and name), paginated; the
    auditor still cannot transfer (403)."""
    for username in ("tinh.admin", "tinh.thanhtra"):
        response = client.get(API, headers=bearer(token_for(client, None, username)))
        assert response.status_code == 200
        (row,) = response.get_json()
        assert (row["id"], row["from_unit"], row["to_unit"], row["to_unit_name"]) == (
            str(proposal_id), "phuong-a", "phuong-b", "Phường B",
        )  # fmt: skip
        assert (row["effective_on"], row["reference"], row["status"], row["proposed_by"]) == (
            "2026-10-01", "125/QĐ-UBND", "proposed", "Quản Trị A",
        )  # fmt: skip
        assert '"total": 1' in response.headers["X-Pagination"]
    auditor_token = bearer(token_for(client, None, "tinh.thanhtra"))
    assert client.post("/api/v1/province/transfers", json={}, headers=auditor_token).status_code \
        == 403  # fmt: skip


def test_province_api_refuses_unit_tokens(client, proposal_id):
    """A unit administrator's token is no province token: 401."""
    token = bearer(token_for(client, "phuong-a", "admin.a"))
    assert client.get(API, headers=token).status_code == 401
