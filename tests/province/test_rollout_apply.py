"""Rollouts, applying: one transaction per tenant, dry run, waves and resume, rollback, periods
keeping their frozen rules, and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.audit import AuditEvent, ProvinceAuditEvent
from tenant_app.models.catalogue import CatalogueItem, CatalogueVersion, ItemPosition
from tenant_app.models.jobs import JobRun
from tenant_app.models.org import JobPosition
from tenant_app.models.rollout import TenantConfig
from tenant_app.models.tenants import Tenant
from tenant_app.services.evaluation import periods
from tenant_app.services.rollout import rollout_apply, rollouts
from tenant_app.tenancy import tenant_context
from tests.province.rollout_helpers import (
    changed,
    config_of,
    make_version,
    payload_v1,
    roll,
    value_of,
)

TENANT_TABLES = (CatalogueItem, CatalogueVersion, ItemPosition, JobPosition, TenantConfig)


@pytest.fixture()
def on_v1(app, tenant_a, tenant_b, province_admin):
    """Version 1 published and applied to phường A and B."""
    v1 = make_version(payload_v1())
    roll(v1, [tenant_a, tenant_b], actor=province_admin)
    return v1


@pytest.fixture()
def v2(on_v1):
    """Version 2: SP01 coefficient 1.0 → 1.5, SP03 3.0 → 3.5, HTXS threshold 90 → 92."""
    payload = changed(
        payload_v1(),
        items={"TH.SP01": {"coefficient": "1.5"}, "TH.SP03": {"coefficient": "3.5"}},
        params={"threshold_htxs": "92"},
    )
    return make_version(payload, 2)


def _state(tenant) -> tuple:
    """Everything a rollout may write in a tenant, for before/after comparisons."""
    db.session.expire_all()
    with tenant_context(tenant):
        counts = tuple(
            db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one()
            for m in (*TENANT_TABLES, AuditEvent)
        )
        values = sorted(
            (str(v.item_id), v.effective_from, str(v.coefficient))
            for v in db.session.execute(sa.select(CatalogueVersion)).scalars()
        )
        db.session.commit()
    return counts, values, db.session.get(Tenant, tenant.id).settings


def test_rollout_dry_run_writes_nothing_to_tenants(v2, tenant_a, tenant_b, province_admin):
    """A dry run stores each tenant's diff on the rollout and changes no tenant table."""
    before = (_state(tenant_a), _state(tenant_b))
    rollout = roll(v2, [tenant_a, tenant_b], actor=province_admin, dry_run=True)
    assert (_state(tenant_a), _state(tenant_b)) == before
    board = rollouts.board(rollouts.get_rollout(rollout.id))
    assert board["status"] == "planned" and board["dry_run"]
    assert [t["counts"]["changes"] for t in board["targets"]] == [3, 3]
    assert [t["status_label"] for t in board["targets"]] == ["Sẽ áp dụng", "Sẽ áp dụng"]


def test_rollout_apply_after_dry_run(v2, tenant_a, province_admin):
    """Starting a dry-run rollout applies it; the board then counts the tenant applied."""
    rollout = roll(v2, [tenant_a], actor=province_admin, dry_run=True)
    rollouts.start_apply(rollouts.get_rollout(rollout.id), actor=province_admin)
    board = rollouts.board(rollouts.get_rollout(rollout.id))
    assert (board["status"], board["counts"]["applied"]) == ("finished", 1)
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.500")


def test_rollout_failure_midway_leaves_tenant_untouched(
    v2, tenant_a, tenant_b, province_admin, monkeypatch
):
    """A crash after the items were written (before the settings) rolls the whole tenant back;
    the other tenant is applied and the failed one reads why."""
    before = _state(tenant_a)
    real = rollout_apply._apply_settings

    def crash_in_a(tenant, new_settings, mode):
        if tenant.slug == "phuong-a":
            raise RuntimeError("mất kết nối giữa chừng")
        return real(tenant, new_settings, mode)

    monkeypatch.setattr(rollout_apply, "_apply_settings", crash_in_a)
    rollout = roll(v2, [tenant_a, tenant_b], actor=province_admin)
    assert _state(tenant_a) == before
    board = rollouts.board(rollouts.get_rollout(rollout.id))
    targets = {t["tenant"]: t for t in board["targets"]}
    assert targets["phuong-a"]["status"] == "failed"
    assert "mất kết nối giữa chừng" in targets["phuong-a"]["message"]
    assert targets["phuong-b"]["status"] == "applied"
    with tenant_context(tenant_a):
        runs = db.session.execute(sa.select(JobRun.status)).scalars().all()
        db.session.commit()
    assert "failed" in runs


def test_rollout_resume_finishes_failed_tenant_once(v2, tenant_a, tenant_b, province_admin,
                                                    monkeypatch):  # fmt: skip
    """After a crash, resume applies the failed tenant; the applied one is not applied again."""
    real = rollout_apply._apply_settings
    monkeypatch.setattr(
        rollout_apply, "_apply_settings",
        lambda t, s, m: (_ for _ in ()).throw(RuntimeError("x")) if t.slug == "phuong-a"
        else real(t, s, m),
    )  # fmt: skip
    rollout = roll(v2, [tenant_a, tenant_b], actor=province_admin)
    monkeypatch.setattr(rollout_apply, "_apply_settings", real)
    rollouts.resume(rollouts.get_rollout(rollout.id), actor=province_admin)
    board = rollouts.board(rollouts.get_rollout(rollout.id))
    assert board["counts"]["applied"] == 2 and board["status"] == "finished"
    with tenant_context(tenant_b):
        configs = db.session.execute(sa.select(sa.func.count()).select_from(TenantConfig))
        assert configs.scalar_one() == 2  # v1 and v2, once
        db.session.commit()


def test_rollout_waves_start_one_after_another(v2, tenant_a, tenant_b, province_admin):
    """Two waves: the second waits for «resume», then the rollout finishes."""
    rollout = roll(v2, [tenant_a, tenant_b], actor=province_admin, waves=2)
    board = rollouts.board(rollouts.get_rollout(rollout.id))
    assert {t["tenant"]: t["status"] for t in board["targets"]} == {
        "phuong-a": "applied",
        "phuong-b": "pending",
    }
    assert board["status"] == "running"
    rollouts.resume(rollouts.get_rollout(rollout.id), actor=province_admin)
    board = rollouts.board(rollouts.get_rollout(rollout.id))
    assert board["counts"]["applied"] == 2 and board["status"] == "finished"


def test_rollback_restores_previous_configuration(on_v1, v2, tenant_a, province_admin):
    """Rollback returns values, settings and the recorded version to v1."""
    roll(v2, [tenant_a], actor=province_admin)
    current_id = config_of(tenant_a).id
    run = rollouts.request_rollback(tenant_a, config_id=current_id, actor=province_admin)
    assert run.status == "succeeded", run.message
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.000")
    assert value_of(tenant_a, "TH.SP03") == Decimal("3.000")
    db.session.expire_all()
    assert db.session.get(Tenant, tenant_a.id).settings["scoring_params"] == {
        "threshold_htxs": "90"
    }
    now = config_of(tenant_a)
    assert now.version_id == on_v1.id and now.previous_id is None
    with tenant_context(tenant_a):
        assert db.session.get(TenantConfig, (tenant_a.id, current_id)).rolled_back
        db.session.commit()


def test_rollback_twice_of_the_same_config_changes_nothing(v2, tenant_a, province_admin):
    """A repeated rollback request for the same configuration is a no-op."""
    roll(v2, [tenant_a], actor=province_admin)
    current_id = config_of(tenant_a).id
    rollouts.request_rollback(tenant_a, config_id=current_id, actor=province_admin)
    state = _state(tenant_a)
    again = rollouts.request_rollback(tenant_a, config_id=current_id, actor=province_admin)
    assert again.result["status"] == "already_rolled_back"
    assert _state(tenant_a) == state


def test_rollout_open_period_keeps_its_frozen_rules(v2, tenant_a, province_admin):
    """With a period open, v2 takes effect from the day after it; the period keeps its
    parameters and the values in force at its start."""
    today = date.today()
    with tenant_context(tenant_a):
        period = periods.open_period(year=today.year, number=today.month, kind="month")
        db.session.commit()
        period_id, starts, ends = period.id, period.starts_on, period.ends_on
    roll(v2, [tenant_a], actor=province_admin)
    next_start = ends + timedelta(days=1)
    assert config_of(tenant_a).effective_from == next_start
    assert value_of(tenant_a, "TH.SP01", on=starts) == Decimal("1.000")
    assert value_of(tenant_a, "TH.SP01", on=next_start) == Decimal("1.500")
    with tenant_context(tenant_a):
        frozen = periods.get_period(period_id)
        assert periods.params_of(frozen).threshold_htxs == Decimal("90")
        db.session.commit()


def test_rollout_immediately_gives_the_open_period_the_new_rules(on_v1, tenant_a, province_admin):
    """«Immediately»: the open period takes the new parameters, audited on the period."""
    today = date.today()
    with tenant_context(tenant_a):
        period = periods.open_period(year=today.year, number=today.month, kind="month")
        db.session.commit()
        period_id = period.id
    v2 = make_version(changed(payload_v1(), params={"threshold_htxs": "92"}), 2)
    roll(v2, [tenant_a], actor=province_admin, effective="immediately")
    with tenant_context(tenant_a):
        assert periods.params_of(periods.get_period(period_id)).threshold_htxs == Decimal("92")
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
        db.session.commit()
    assert "period.rules_changed" in actions


def test_rollout_steps_are_audited_on_both_chains(v2, tenant_a, province_admin):
    """Province chain: created, started, applied per tenant; tenant chain: the changes."""
    roll(v2, [tenant_a], actor=province_admin)
    province = db.session.execute(
        sa.select(ProvinceAuditEvent.action, ProvinceAuditEvent.actor_name)
    ).all()
    actions = [a for a, _n in province]
    for action in ("rollout.created", "rollout.started", "rollout.applied"):
        assert action in actions
    assert ("rollout.applied", "tinh.admin") in province
    with tenant_context(tenant_a):
        tenant_actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
        db.session.commit()
    for action in ("catalogue_item.updated", "configuration.settings_changed",
                   "configuration.applied"):  # fmt: skip
        assert action in tenant_actions


@pytest.mark.parametrize("key", ["23778407085060", str(2**31), "99999999999999999999"])
def test_an_id_beyond_the_integer_range_is_not_found_not_a_server_error(app, key):
    """Found by schemathesis: POST /rollouts with version 23778407085060 answered 500 on PostgreSQL
    (integer out of range); a number no row can have is simply not found."""
    from tenant_app.services.errors import NotFound

    with pytest.raises(NotFound):
        rollouts.get_version(key)
    with pytest.raises(NotFound):
        rollouts.get_rollout(key)
