"""The unit's audit log page: unit administrators only, their own unit only."""

from __future__ import annotations

import sqlalchemy as sa

from tests.audit.helpers import unguarded
from tests.helpers import login


def _rows(html: str) -> str:
    """The table body of an audit page (the filter form lists every action code)."""
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_audit_page_shows_labels_codes_and_diff(client, trail):
    """A unit administrator sees Vietnamese labels (the raw code only as a tooltip) and each
    detail as label: old → new, never a raw key."""
    login(client, "phuong-a", "admin.a")
    html = client.get("/t/phuong-a/audit").get_data(as_text=True)
    assert '<span title="auth.login">Đăng nhập</span>' in html
    assert "Sửa tài khoản" in html and "account.updated" in html
    assert '<dt>Họ và tên</dt><dd translate="no">Nguyễn Văn Cũ → Nguyễn Văn Mới</dd>' in html
    assert "full_name" not in html
    assert html.index("auth.login") < html.index("account.updated")  # newest first


def test_audit_page_never_shows_another_unit(client, trail):
    """Unit B's events never appear on unit A's page, even when asked for by id."""
    login(client, "phuong-a", "admin.a")
    html = client.get("/t/phuong-a/audit?object_id=b-only&tenant=phuong-b").get_data(as_text=True)
    assert "account.created" not in _rows(html) and "b-only" not in _rows(html)
    assert "account.created" not in _rows(client.get("/t/phuong-a/audit").get_data(as_text=True))


def test_audit_page_of_another_unit_is_404(client, trail):
    """Unit A's administrator asking for unit B's log gets 404, not 403."""
    login(client, "phuong-a", "admin.a")
    assert client.get("/t/phuong-b/audit").status_code == 404
    assert client.get("/t/phuong-b/audit/export.csv").status_code == 404


def test_audit_page_refuses_staff(client, trail):
    """A staff member of the unit gets 403 on every audit page."""
    login(client, "phuong-a", "staff.a")
    for url in ("/t/phuong-a/audit", "/t/phuong-a/audit/verify", "/t/phuong-a/audit/export.csv"):
        assert client.get(url).status_code == 403, url


def test_audit_page_filters_by_action(client, trail):
    """The action filter narrows the list."""
    login(client, "phuong-a", "admin.a")
    html = client.get("/t/phuong-a/audit?action=account.updated").get_data(as_text=True)
    assert "1 sự kiện" in html and "auth.login" not in _rows(html)


def test_audit_page_verify_reports_intact_chain(client, trail):
    """Verifying on demand says the chain is intact."""
    login(client, "phuong-a", "admin.a")
    html = client.get("/t/phuong-a/audit/verify").get_data(as_text=True)
    assert "Chuỗi nhật ký toàn vẹn" in html


def test_audit_page_verify_names_first_broken_link(app, client, trail, tenant_a):
    """A tampered event is named as the first broken link of the unit's chain."""
    with unguarded(app.config["KPI_DATABASE_OWNER_URL"]) as conn:
        conn.execute(
            sa.text("UPDATE audit_events SET actor_name = 'x' WHERE seq = 1 AND tenant_id = :t"),
            {"t": tenant_a.id},
        )
    login(client, "phuong-a", "admin.a")
    html = client.get("/t/phuong-a/audit/verify").get_data(as_text=True)
    assert "Chuỗi nhật ký toàn vẹn" not in html
    assert "sự kiện #1" in html and f"tenant:{tenant_a.id}" in html


def test_audit_page_bad_date_is_explained_and_dropped(client, trail):
    """A date that cannot be read is reported in Vietnamese and that filter is ignored."""
    login(client, "phuong-a", "admin.a")
    response = client.get("/t/phuong-a/audit?since=hom-qua")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ngày không hợp lệ" in html and "account.updated" in _rows(html)
