"""Reading the trail: filters, newest first, readable diffs, labels, local dates."""

from __future__ import annotations

from datetime import datetime

from werkzeug.datastructures import MultiDict

from tenant_app.services.audit import audit_labels, audit_log
from tenant_app.tenancy import tenant_context
from tests.audit.helpers import record_in


def _actions(tenant, **args):
    with tenant_context(tenant):
        filters = audit_log.filters_from_args(MultiDict(args), province=False)
        return [e.action for e in audit_log.fetch(filters)]


def test_audit_log_lists_newest_first(trail, tenant_a):
    """The unit's events come newest first."""
    assert _actions(tenant_a) == ["auth.login", "account.updated"]


def test_audit_log_filters_by_action_exact_and_family(trail, tenant_a):
    """An action filter matches exactly, or a whole family when it ends with a dot."""
    assert _actions(tenant_a, action="account.updated") == ["account.updated"]
    assert _actions(tenant_a, action="auth.") == ["auth.login"]
    assert _actions(tenant_a, action="auth") == []


def test_audit_log_filters_by_actor_object_type_and_id(trail, tenant_a):
    """Actor (part of the name), object type and object id each narrow the list."""
    assert _actions(tenant_a, actor="STAFF.") == ["auth.login"]
    assert _actions(tenant_a, object_type="user") == ["account.updated"]
    assert _actions(tenant_a, object_id="u-2") == ["auth.login"]


def test_audit_log_filters_by_local_date_range(monkeypatch, tenant_a):
    """Dates are whole days in Vietnam time (UTC+7), both ends included."""
    for action, at in (
        ("test.before", datetime(2026, 2, 28, 16, 59)),  # 23:59 on 28/02 in Hanoi
        ("test.inside", datetime(2026, 2, 28, 17, 0)),  # 00:00 on 01/03 in Hanoi
        ("test.after", datetime(2026, 3, 1, 17, 0)),  # 00:00 on 02/03 in Hanoi
    ):
        monkeypatch.setattr("tenant_app.audit.utcnow", lambda at=at: at)
        record_in(tenant_a, action)
    assert _actions(tenant_a, since="2026-03-01", until="01/03/2026") == ["test.inside"]
    assert _actions(tenant_a, since="2026-03-01") == ["test.after", "test.inside"]


def test_audit_log_never_shows_another_units_events(trail, tenant_a, tenant_b):
    """A unit's list holds none of another unit's events, whatever the filter."""
    assert "account.created" not in _actions(tenant_a)
    assert _actions(tenant_a, object_id="b-only") == []
    assert _actions(tenant_b) == ["account.created"]


def test_audit_log_diff_lists_changed_fields_only():
    """The diff shows field: old → new for changed, added and removed fields."""
    changes = audit_log.diff(
        {"full_name": "Cũ", "active": True, "email": "a@x.vn"},
        {"full_name": "Mới", "active": True, "roles": ["staff"]},
    )
    assert [(c.field, c.old, c.new) for c in changes] == [
        ("email", "a@x.vn", "—"),
        ("full_name", "Cũ", "Mới"),
        ("roles", "—", '["staff"]'),
    ]


def test_audit_log_labels_known_actions_and_hides_unknown_codes(app):
    """Known codes have Vietnamese labels; an unknown code gets a generic label, not itself."""
    assert audit_labels.action_label("auth.login") == "Đăng nhập"
    assert audit_labels.action_label("auth.login_failed") == "Đăng nhập thất bại"
    assert audit_labels.action_label("x.unknown") == "Hành động khác"


def test_audit_log_formats_local_time():
    """Stored UTC times show as dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh."""
    assert audit_log.format_local(datetime(2026, 12, 31, 17, 5)) == "01/01/2027 00:05"


def test_audit_log_details_read_as_words(app):
    """A detail's key has its label and a list or a nested detail reads as words, not JSON."""
    [change] = audit_log.diff(None, {"roles": ["staff", "manager"]})
    assert (change.label, change.new_text) == ("Vai trò", "Cán bộ, công chức, Lãnh đạo, quản lý")
    [nested] = audit_log.diff(None, {"tenant": {"full_name": "A"}})
    assert nested.new_text == "Họ và tên: A"
