"""Fixtures of the province's templates and onboarding: a small valid payload, a published
version, a logged-in province administrator."""

from __future__ import annotations

import copy

import pytest

from tenant_app.extensions import db
from tests.helpers import login

PAYLOAD = {
    "positions": [
        {"code": "LD01", "name": "Chủ tịch UBND", "position_group": "leader_head"},
        {"code": "CM01", "name": "Công chức tư pháp – hộ tịch",
         "position_group": "professional_sector"},
    ],
    "items": [
        {
            "canonical_code": "TH.SP01", "kind": "work_item", "code": "SP01",
            "name": "Giải quyết hồ sơ hộ tịch", "unit_of_measure": "hồ sơ",
            "coefficient": "0.50", "positions": ["CM01"], "mandatory": True,
            "allowed_min": "0.4", "allowed_max": "0.6",
        },
        {
            "canonical_code": "TH.CT01", "kind": "indicator", "code": "CT01",
            "name": "Tỷ lệ hồ sơ giải quyết đúng hạn", "unit_of_measure": "%",
            "direction": "higher", "scoring_method": "ratio_capped", "aggregation": "average",
            "target": 98, "weight": "25", "positions": ["LD01"],
        },
    ],
    "scoring": {"rule_set": "nd335_2025", "params": {"threshold_htxs": 90}},
    "schedule": {"period_kind": "month", "windows": {"report": 3}},
    "approval": {"chain": ["self", "manager", "leader"]},
    "income": {"scheme": "coefficient_salary", "settings": {}},
}  # fmt: skip


@pytest.fixture()
def payload():
    """A small valid payload as a user would type it (not canonical)."""
    return copy.deepcopy(PAYLOAD)


@pytest.fixture()
def template(app):
    """An empty template of the province."""
    from tenant_app.services.rollout import templates

    row = templates.create_template({"code": "PHUONG", "name": "Bộ chỉ số cấp phường"})
    db.session.commit()
    return row


@pytest.fixture()
def published(template, payload):
    """Version 1 of ``template``, published."""
    from tenant_app.services.rollout import templates

    version = templates.create_draft(template, payload)
    templates.publish(version)
    db.session.commit()
    return version


@pytest.fixture()
def admin_client(client, province_admin):
    """A client signed in to the console as the province administrator."""
    assert login(client, None, "tinh.admin").status_code == 302
    return client


@pytest.fixture()
def client_factory(app):
    """Make more clients (other people, other browsers) of the same app."""
    return app.test_client


# Two wards for the transfer tests (A's clerk with published months, B's structure).
from tests.province.transfer_helpers import admins, proposal_id, wards  # noqa: E402, F401
