"""The exemption decision screen (issue 17 item 7): the approver the period names lists the
proposed exemptions, opens one with its reason and proof, approves or refuses it with a comment;
the proposer and the person are notified and the score is recomputed (b: 93.75 → 100, see
``test_exemption_proof``)."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.evaluation import Notification, PeriodScore, Report
from tenant_app.tenancy import tenant_context
from tests.evaluation.test_exemption_proof import (
    DEDUCTED,
    REASON,
    WAIVED,
    _approver_is_unit_admin,
    _get,
    _report,
    propose,
)
from tests.helpers import login, post_form

BASE = "/t/phuong-a"


def _proposed(tenant, ward) -> tuple:
    """A report of the clerk whose exemption of one major error the head proposed, the unit
    administrator being the period's approver; returns (report id, proof file id)."""
    with tenant_context(tenant):
        period, _clerk, head, report, file = _report(tenant, ward)
        _approver_is_unit_admin(period)
        propose(report, head, file)
        db.session.commit()
        return report.id, file.id


def _b(tenant, ward):
    """The clerk's b as stored by the re-score that follows a change (jobs run in-process)."""
    with tenant_context(tenant):
        return db.session.execute(
            sa.select(PeriodScore.b).where(
                PeriodScore.period_id == ward["period"], PeriodScore.staff_id == ward["clerk"]
            )
        ).scalar_one()


def _notes(tenant, user_id) -> list[str]:
    with tenant_context(tenant):
        return list(
            db.session.execute(
                sa.select(Notification.message).where(
                    Notification.user_id == user_id, Notification.kind == "exemption_decided"
                )
            ).scalars()
        )


def test_approver_lists_opens_and_approves_an_exemption(client, tenant_a, ward_a, admin_a):
    """The unit administrator (the named approver) sees the proposal in the list and on the
    dashboard, opens it (reason, proof link, proposer), approves it: status approved, the
    clerk's b recomputed from 93.75 to 100, the head (proposer) and the clerk notified."""
    rid, fid = _proposed(tenant_a, ward_a)
    assert _b(tenant_a, ward_a) == DEDUCTED
    login(client, "phuong-a", "admin.a")
    listing = client.get(f"{BASE}/exemptions").get_data(as_text=True)
    assert "1 lỗi, 0 lần chậm" in listing
    assert f"{BASE}/exemptions/{rid}" in listing
    dashboard = client.get(f"{BASE}/dashboard").get_data(as_text=True)
    assert "Có 1 đề nghị miễn trừ chờ bạn duyệt." in dashboard
    page = client.get(f"{BASE}/exemptions/{rid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert REASON in html
    assert f"{BASE}/evidence/{fid}" in html
    assert "Xác nhận mất điện" in html
    assert client.get(f"{BASE}/evidence/{fid}").status_code == 200
    response = post_form(client, f"{BASE}/exemptions/{rid}", {"approve": "Duyệt miễn trừ"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{BASE}/exemptions")
    with tenant_context(tenant_a):
        assert _get(Report, tenant_a, rid).exemption_status == "approved"
    assert _b(tenant_a, ward_a) == WAIVED
    (to_head,) = _notes(tenant_a, ward_a["head_user"])
    (to_clerk,) = _notes(tenant_a, ward_a["clerk_user"])
    assert "đã được duyệt" in to_head and to_head == to_clerk
    assert "Không có đề nghị miễn trừ nào chờ bạn duyệt." in client.get(
        f"{BASE}/exemptions"
    ).get_data(as_text=True)


def test_refusal_without_a_comment_is_shown_then_refused_with_one(
    client, tenant_a, ward_a, admin_a
):
    """Refusing without a comment answers 400 with the message next to the field and changes
    nothing; with a comment the exemption is refused, the deduction kept, the comment sent."""
    rid, _fid = _proposed(tenant_a, ward_a)
    login(client, "phuong-a", "admin.a")
    url = f"{BASE}/exemptions/{rid}"
    response = post_form(client, url, {"refuse": "Không duyệt", "comment": ""})
    assert response.status_code == 400
    assert "Không duyệt miễn trừ cần ghi rõ lý do." in response.get_data(as_text=True)
    with tenant_context(tenant_a):
        assert _get(Report, tenant_a, rid).exemption_status == "proposed"
    response = post_form(client, url, {"refuse": "Không duyệt", "comment": "Thiếu xác nhận"})
    assert response.status_code == 302
    with tenant_context(tenant_a):
        assert _get(Report, tenant_a, rid).exemption_status == "refused"
    assert _b(tenant_a, ward_a) == DEDUCTED
    (to_clerk,) = _notes(tenant_a, ward_a["clerk_user"])
    assert "không được duyệt: Thiếu xác nhận" in to_clerk
    # Decided: the page no longer offers it.
    assert client.get(url).status_code == 302


def test_someone_not_named_approver_gets_403(client, tenant_a, ward_a, admin_a):
    """The head (a manager, the proposer, but not the named approver) neither lists nor opens
    nor decides it."""
    rid, _fid = _proposed(tenant_a, ward_a)
    login(client, "phuong-a", "truong")
    assert "Không có đề nghị miễn trừ nào" in client.get(f"{BASE}/exemptions").get_data(
        as_text=True
    )
    assert client.get(f"{BASE}/exemptions/{rid}").status_code == 403
    response = post_form(
        client, f"{BASE}/exemptions/{rid}", {"approve": "1"}, page=f"{BASE}/exemptions"
    )
    assert response.status_code == 403
    with tenant_context(tenant_a):
        assert _get(Report, tenant_a, rid).exemption_status == "proposed"


def test_the_person_scored_cannot_open_it(client, tenant_a, ward_a, admin_a):
    """The clerk (staff only) gets 403 on the list and the page."""
    rid, _fid = _proposed(tenant_a, ward_a)
    login(client, "phuong-a", "vanthu")
    assert client.get(f"{BASE}/exemptions").status_code == 403
    assert client.get(f"{BASE}/exemptions/{rid}").status_code == 403


def test_another_tenant_cannot_see_or_decide_it(client, tenant_a, ward_a, admin_a, admin_b):
    """Unit B's administrator gets 404 for unit A's report id under B, sees nothing in B's
    list, and unit A's exemption stays proposed."""
    rid, _fid = _proposed(tenant_a, ward_a)
    login(client, "phuong-b", "admin.b")
    assert client.get(f"/t/phuong-b/exemptions/{rid}").status_code == 404
    listing = client.get("/t/phuong-b/exemptions").get_data(as_text=True)
    assert str(rid) not in listing
    response = post_form(
        client, f"/t/phuong-b/exemptions/{rid}", {"approve": "1"}, page="/t/phuong-b/exemptions"
    )
    assert response.status_code == 404
    with tenant_context(tenant_a):
        assert _get(Report, tenant_a, rid).exemption_status == "proposed"
        assert _get(User, tenant_a, ward_a["head_user"]) is not None
