"""Rollouts, the three-way merge: local changes kept, template changes taken, mandatory items
override with a message, unsettled conflicts stop the tenant and leave it untouched."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueVersion
from tenant_app.models.rollout import RolloutTarget
from tenant_app.models.tenants import Tenant
from tenant_app.services.rollout import rollouts
from tenant_app.tenancy import tenant_context
from tests.province.rollout_helpers import (
    changed,
    config_of,
    local_edit,
    make_version,
    payload_v1,
    roll,
    value_of,
)


@pytest.fixture()
def on_v1(app, tenant_a, tenant_b, province_admin):
    """Version 1 published and applied to phường A and B."""
    v1 = make_version(payload_v1())
    rollout = roll(v1, [tenant_a, tenant_b], actor=province_admin)
    assert rollouts.board(rollout)["counts"]["applied"] == 2
    return v1


def _target(rollout, tenant) -> RolloutTarget:
    db.session.expire_all()
    return db.session.execute(
        sa.select(RolloutTarget).where(
            RolloutTarget.rollout_id == rollout.id, RolloutTarget.tenant_id == tenant.id
        )
    ).scalar_one()


def _settings(tenant) -> dict:
    db.session.expire_all()
    return dict(db.session.get(Tenant, tenant.id).settings)


def test_rollout_first_apply_creates_the_template_configuration(on_v1, tenant_a):
    """Applying v1 to an empty unit creates its positions, items, ranges and settings."""
    assert value_of(tenant_a, "TH.SP02") == Decimal("2.000")
    assert _settings(tenant_a)["scoring_params"] == {"threshold_htxs": "90"}
    assert config_of(tenant_a).version_id == on_v1.id


def test_rollout_local_change_survives_upgrade(on_v1, tenant_a, province_admin):
    """A coefficient the unit changed stays when the new version does not touch it."""
    local_edit(tenant_a, "TH.SP01", {"coefficient": "1.3"})
    v2 = make_version(changed(payload_v1(), items={"TH.SP03": {"coefficient": "3.5"}}), 2)
    rollout = roll(v2, [tenant_a], actor=province_admin)
    target = _target(rollout, tenant_a)
    assert target.status == "applied"
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.300")
    assert value_of(tenant_a, "TH.SP03") == Decimal("3.500")
    assert [(k["key"], k["field"]) for k in target.diff["kept"]] == [("TH.SP01", "coefficient")]


def test_rollout_template_change_is_taken(on_v1, tenant_a, province_admin):
    """A value the unit never changed takes the new version's value, settings included."""
    v2 = make_version(
        changed(payload_v1(), items={"TH.SP01": {"coefficient": "1.5"}},
                params={"threshold_htxs": "92"}),
        2,
    )  # fmt: skip
    roll(v2, [tenant_a], actor=province_admin)
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.500")
    assert _settings(tenant_a)["scoring_params"] == {"threshold_htxs": "92"}
    assert config_of(tenant_a).version_id == v2.id


def test_rollout_mandatory_item_overrides_local_change_and_says_so(on_v1, tenant_a, province_admin):
    """Both changed a mandatory item: the template's value wins and the board says why."""
    local_edit(tenant_a, "TH.SP02", {"coefficient": "2.2"})
    v2 = make_version(changed(payload_v1(), items={"TH.SP02": {"coefficient": "1.8"}}), 2)
    rollout = roll(v2, [tenant_a], actor=province_admin)
    target = _target(rollout, tenant_a)
    assert target.status == "applied"
    assert value_of(tenant_a, "TH.SP02") == Decimal("1.800")
    [override] = target.diff["overrides"]
    assert "Mục bắt buộc «Thẩm định hồ sơ đất đai» (TH.SP02)" in override["message"]
    assert "(2.2)" in override["message"] and "(1.8)" in override["message"]
    assert override["message"] in target.message


def test_rollout_mandatory_range_narrowed_overrides_kept_value(on_v1, tenant_a, province_admin):
    """A kept local value outside the new allowed range is replaced by the template's."""
    local_edit(tenant_a, "TH.SP02", {"coefficient": "2.3"})
    v2 = make_version(changed(payload_v1(), items={"TH.SP02": {"allowed_max": "2.1"}}), 2)
    rollout = roll(v2, [tenant_a], actor=province_admin)
    assert value_of(tenant_a, "TH.SP02") == Decimal("2.000")
    assert "ngoài khoảng" in _target(rollout, tenant_a).diff["overrides"][0]["message"]


def test_rollout_conflict_stops_tenant_untouched_with_message(on_v1, tenant_a, province_admin):
    """Both changed a non-mandatory value differently: the tenant stops, nothing is written."""
    local_edit(tenant_a, "TH.SP01", {"coefficient": "1.3"})
    before_settings = _settings(tenant_a)
    v2 = make_version(
        changed(payload_v1(), items={"TH.SP01": {"coefficient": "1.5"},
                                     "TH.SP03": {"coefficient": "3.5"}},
                params={"threshold_htxs": "92"}),
        2,
    )  # fmt: skip
    rollout = roll(v2, [tenant_a], actor=province_admin)
    target = _target(rollout, tenant_a)
    assert target.status == "failed"
    assert "đơn vị đã đổi thành 1.3, mẫu mới đổi thành 1.5" in target.message
    assert target.conflicts[0]["key"] == "TH.SP01"
    assert value_of(tenant_a, "TH.SP01") == Decimal("1.300")
    assert value_of(tenant_a, "TH.SP03") == Decimal("3.000")
    assert _settings(tenant_a) == before_settings
    assert config_of(tenant_a).version_id == on_v1.id


def test_rollout_failing_tenant_does_not_stop_the_others(on_v1, tenant_a, tenant_b, province_admin):
    """A conflict in phường A; phường B is applied and the rollout finishes."""
    local_edit(tenant_a, "TH.SP01", {"coefficient": "1.3"})
    v2 = make_version(changed(payload_v1(), items={"TH.SP01": {"coefficient": "1.5"}}), 2)
    rollout = roll(v2, [tenant_a, tenant_b], actor=province_admin)
    board = rollouts.board(rollouts.get_rollout(rollout.id))
    assert {t["tenant"]: t["status"] for t in board["targets"]} == {
        "phuong-a": "failed",
        "phuong-b": "applied",
    }
    assert board["status"] == "finished"
    assert value_of(tenant_b, "TH.SP01") == Decimal("1.500")


def test_rollout_item_code_taken_locally_is_a_conflict(on_v1, tenant_a, province_admin):
    """A new template item whose code the unit already uses for its own item stops the tenant."""
    from tenant_app.services.workspace import catalogue

    with tenant_context(tenant_a):
        catalogue.create_item(
            {"kind": "work_item", "code": "SP09", "name": "Việc riêng", "unit_of_measure": "lần",
             "coefficient": "1"}
        )  # fmt: skip
        db.session.commit()
    extra = changed(payload_v1())["items"][0] | {
        "canonical_code": "TH.SP09", "code": "SP09", "name": "Tiếp công dân",
    }  # fmt: skip
    v2 = make_version(changed(payload_v1(), add=[extra]), 2)
    rollout = roll(v2, [tenant_a], actor=province_admin)
    target = _target(rollout, tenant_a)
    assert target.status == "failed"
    assert "dùng mã SP09" in target.message


def test_rollout_removed_item_is_deactivated(on_v1, tenant_a, province_admin):
    """An item the new version drops (and the unit never changed) stops being used."""
    from tests.province.rollout_helpers import item

    v2 = make_version(changed(payload_v1(), drop=["TH.SP03"]), 2)
    roll(v2, [tenant_a], actor=province_admin)
    row = item(tenant_a, "TH.SP03")
    assert (row.active, row.mandatory) == (False, False)


def test_rollout_second_apply_changes_nothing(on_v1, tenant_a, province_admin):
    """Applying the same version again is skipped: no version, config or event is added."""
    v2 = make_version(changed(payload_v1(), items={"TH.SP01": {"coefficient": "1.5"}}), 2)
    roll(v2, [tenant_a], actor=province_admin)
    from tenant_app.models.audit import AuditEvent
    from tenant_app.models.rollout import TenantConfig

    def counts():
        with tenant_context(tenant_a):
            result = tuple(
                db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
                for model in (CatalogueVersion, TenantConfig, AuditEvent)
            )
            db.session.commit()
        return result

    before = counts()
    again = roll(v2, [tenant_a], actor=province_admin)
    assert _target(again, tenant_a).status == "skipped"
    assert counts() == before
