"""The audit trail of a rollout: what a unit's first rollout created, recorded as one event
carrying the list, readable on the audit page, on a chain that verifies; and the locks that let
units be applied side by side on several workers."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.org import JobPosition
from tenant_app.models.rollout import Rollout, RolloutTarget
from tenant_app.services.audit import audit_log
from tenant_app.services.audit.audit_chain import verify_all
from tenant_app.services.rollout import rollout_tenant
from tenant_app.tenancy import tenant_context
from tests.helpers import login, requires_postgres
from tests.province.rollout_helpers import changed, fresh, make_version, payload_v1, roll

CREATED = "configuration.created"


def _events(tenant, action=None) -> list[AuditEvent]:
    db.session.expire_all()
    with tenant_context(fresh(tenant)):
        stmt = sa.select(AuditEvent).order_by(AuditEvent.seq)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        rows = list(db.session.execute(stmt).scalars())
        db.session.commit()
    return rows


def _ids(tenant, model) -> dict[str, str]:
    with tenant_context(fresh(tenant)):
        rows = dict(db.session.execute(sa.select(model.code, model.id)).all())
        db.session.commit()
    return {code: str(row_id) for code, row_id in rows.items()}


@pytest.fixture()
def first_rollout(app, tenant_a, province_admin):
    """Version 1 rolled out to the empty phường A; returns (rollout id, version id)."""
    version = make_version(payload_v1())
    rollout = roll(version, [tenant_a], actor=province_admin)
    return rollout.id, version.id


def test_first_rollout_records_what_it_created_in_one_event(first_rollout, tenant_a):
    """The unit's chain gets one event naming every position and item created, with their
    ids, the rollout and version that created them, instead of one event per row."""
    rollout_id, version_id = first_rollout
    (event,) = _events(tenant_a, CREATED)
    after = event.after
    assert (after["rollout"], after["version"]) == (rollout_id, version_id)
    assert (event.object_type, event.object_id) == ("tenant", str(fresh(tenant_a).id))
    assert after["origin"] == "template" and after["effective_from"]
    positions = {p["code"]: p for p in after["positions"]}
    items = {i["code"]: i for i in after["items"]}
    assert {code: p["id"] for code, p in positions.items()} == _ids(tenant_a, JobPosition)
    assert {code: i["id"] for code, i in items.items()} == _ids(tenant_a, CatalogueItem)
    assert positions["CM02"]["name"] == "Chuyên viên địa chính"
    assert items["SP02"]["mandatory"] is True and items["SP02"]["allowed_min"] == "1.6"
    assert items["CT01"]["positions"] == ["CM02"]
    actions = [e.action for e in _events(tenant_a)]
    assert "catalogue_item.created" not in actions and "position.created" not in actions


def test_first_rollout_chains_verify(first_rollout, tenant_a):
    """The unit's chain and the province chain verify after a first rollout."""
    checked, broken = verify_all()
    assert broken == [] and checked >= len(_events(tenant_a))


def test_upgrade_lists_the_items_it_adds_in_one_event(first_rollout, tenant_a, province_admin):
    """An upgrade that adds items records them the same way; changed items keep their own
    before/after events."""
    payload = changed(payload_v1(), items={"TH.SP01": {"coefficient": "1.5"}})
    payload["items"].append({**payload["items"][0], "canonical_code": "TH.SP09", "code": "SP09",
                             "name": "Tiếp công dân"})  # fmt: skip
    roll(make_version(payload, 2), [tenant_a], actor=province_admin)
    created = _events(tenant_a, CREATED)
    assert [e["code"] for e in created[-1].after["items"]] == ["SP09"]
    assert created[-1].after["positions"] == []
    assert len(_events(tenant_a, "catalogue_item.updated")) == 1


def test_created_list_reads_in_vietnamese(first_rollout, tenant_a):
    """Each created row is one line in words: labelled fields, codes of the vocabulary
    (position group, kind, method) by their Vietnamese names, no raw JSON."""
    (event,) = _events(tenant_a, CREATED)
    changes = {c.field: c for c in audit_log.diff(event.before, event.after)}
    lines = changes["items"].entries
    assert len(lines) == 4 and len(changes["positions"].entries) == 2
    sp02 = next(line for line in lines if "SP02" in line)
    assert "Tên: Thẩm định hồ sơ đất đai" in sp02 and "Bắt buộc: có" in sp02
    assert "Loại: Sản phẩm/công việc" in sp02 and "Vị trí việc làm: CM02" in sp02
    assert "Nhóm vị trí: Chuyên môn, nghiệp vụ dùng chung" in changes["positions"].entries[0]
    assert "{" not in changes["items"].new_text


def test_created_list_on_the_province_audit_page(client, first_rollout, tenant_a, auditor):
    """The auditor's page shows the event with its label and one list entry per item."""
    login(client, None, "tinh.thanhtra")
    html = client.get(f"/admin/audit?tenant=phuong-a&action={CREATED}").get_data(as_text=True)
    assert "Tạo vị trí việc làm và chỉ tiêu KPI theo mẫu cấu hình" in html
    assert html.count('<ol class="audit-entries">') == 2
    assert "Tên: Báo cáo định kỳ" in html and "&#34;code&#34;" not in html


@requires_postgres
def test_finishing_a_rollout_does_not_wait_for_units_still_writing(app, first_rollout, tenant_a):
    """The rollout row is locked FOR NO KEY UPDATE at the end of a unit: another unit whose
    rows reference the rollout (a key-share lock until it commits) does not block it, which
    is how two workers deadlocked against the province chain."""
    rollout_id, _version_id = first_rollout
    owner = sa.create_engine(app.config["KPI_DATABASE_OWNER_URL"])
    started, release = threading.Event(), threading.Event()

    def other_unit():
        with owner.connect() as conn:
            conn.execute(sa.text("SELECT 1 FROM rollouts WHERE id = :r FOR KEY SHARE"),
                         {"r": rollout_id})  # fmt: skip
            started.set()
            release.wait(10)
            conn.rollback()

    thread = threading.Thread(target=other_unit)
    thread.start()
    try:
        assert started.wait(10)
        with tenant_context(fresh(tenant_a)):
            db.session.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
            rollout_tenant._finish_rollout(db.session.get(Rollout, rollout_id))
            db.session.rollback()
    finally:
        release.set()
        thread.join()
        owner.dispose()


@requires_postgres
def test_a_unit_locks_the_rollout_before_the_province_chain(
    app, tenant_a, tenant_b, province_admin, first_rollout
):
    """Lock order in a unit's job: the rollout row, then the province chain, the order of
    ``start_apply`` and ``resume`` (which update the row, then record on the chain)."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, parameters, *_args):
        statements.append(f"{statement} {parameters}")

    version = make_version(changed(payload_v1(), params={"threshold_htxs": "93"}), 2)
    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        roll(version, [tenant_a], actor=province_admin)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    row_lock = next(i for i, s in enumerate(statements) if "FOR NO KEY UPDATE" in s)
    chain_lock = [i for i, s in enumerate(statements) if "pg_advisory_xact_lock" in s
                  and "'k': 0" in s]  # fmt: skip
    assert chain_lock and row_lock < chain_lock[-1]
    db.session.expire_all()
    assert db.session.execute(
        sa.select(sa.func.count()).select_from(ProvinceAuditEvent)
        .where(ProvinceAuditEvent.action == "rollout.applied")
    ).scalar_one() == 2  # fmt: skip
    assert db.session.execute(
        sa.select(sa.func.count()).select_from(RolloutTarget)
    ).scalar_one() == 2  # fmt: skip
