"""Many events in one transaction: the chain head is read once, and stays right across
savepoints, interleaved chains and transactions."""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models import AuditEvent
from tenant_app.models.audit import ProvinceAuditEvent
from tenant_app.models.org import JobPosition
from tenant_app.services.audit.audit_chain import verify_all
from tenant_app.tenancy import tenant_context
from tests.helpers import requires_postgres


def _head_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if "ORDER BY" in s and "audit_events.seq DESC" in s)


def test_a_transaction_of_many_events_reads_the_head_once(tenant_a):
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with tenant_context(tenant_a):
            for i in range(75):
                audit.record("catalogue.item_created", object_type="item", after={"i": i})
            db.session.commit()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", seen)
    assert _head_reads(statements) == 1
    with tenant_context(tenant_a):
        seqs = db.session.execute(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars()
        assert list(seqs) == list(range(1, 76))
    assert verify_all() == (75, [])


def test_a_rolled_back_savepoint_takes_its_events_and_the_chain_continues(tenant_a):
    with tenant_context(tenant_a):
        audit.record("test.kept", object_type="test")
        nested = db.session.begin_nested()
        audit.record("test.undone", object_type="test")
        audit.record("test.undone", object_type="test")
        nested.rollback()
        audit.record("test.after", object_type="test")
        db.session.commit()
        audit.record("test.next_transaction", object_type="test")
        db.session.commit()
        rows = db.session.execute(
            sa.select(AuditEvent.seq, AuditEvent.action).order_by(AuditEvent.seq)
        ).all()
    assert rows == [(1, "test.kept"), (2, "test.after"), (3, "test.next_transaction")]
    assert verify_all() == (3, [])


def test_a_rolled_back_transaction_leaves_no_stale_head(tenant_a):
    with tenant_context(tenant_a):
        audit.record("test.first", object_type="test")
        db.session.commit()
        audit.record("test.lost", object_type="test")
        db.session.rollback()
        audit.record("test.second", object_type="test")
        db.session.commit()
        seqs = list(
            db.session.execute(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)).scalars()
        )
    assert seqs == [1, 2]
    assert verify_all() == (2, [])


def test_units_and_the_province_chain_separately_in_one_transaction(tenant_a, tenant_b):
    for _ in range(2):
        with tenant_context(tenant_a):
            audit.record("test.a", object_type="test")
        with tenant_context(tenant_b):
            audit.record("test.b", object_type="test")
        audit.record("test.province", object_type="test", province=True)
    db.session.commit()
    province = list(
        db.session.execute(
            sa.select(ProvinceAuditEvent.seq)
            .where(ProvinceAuditEvent.action == "test.province")
            .order_by(ProvinceAuditEvent.seq)
        ).scalars()
    )
    assert len(province) == 2 and province[1] == province[0] + 1
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            seqs = db.session.execute(sa.select(AuditEvent.seq).order_by(AuditEvent.seq))
            assert list(seqs.scalars())[-2:] == [1, 2]
    checked, broken = verify_all()
    assert broken == [] and checked >= 6


@requires_postgres
def test_pending_writes_are_flushed_before_the_chain_is_locked(tenant_a):
    """What the transaction has pending is written before the chain's lock, not under it: the
    lock is held until commit and every other writer of the chain waits for it."""
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    with tenant_context(tenant_a):
        audit.record("test.first", object_type="test")
        db.session.commit()
        sa.event.listen(db.engine, "before_cursor_execute", seen)
        try:
            db.session.add(JobPosition(code="VT99", name="Văn thư", position_group="support"))
            audit.record("test.province", object_type="test", province=True)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", seen)
        db.session.rollback()
    insert = next(i for i, s in enumerate(statements) if s.startswith("INSERT INTO job_positions"))
    lock = next(i for i, s in enumerate(statements) if "pg_advisory_xact_lock" in s)
    assert insert < lock
