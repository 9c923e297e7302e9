"""The impact preview writes money the Vietnamese way (118.182.400), not as raw digits."""

from __future__ import annotations

import re

from tenant_app.services.rollout import rollout_impact
from tests.province.rollout_helpers import make_version, payload_v1


def test_impact_preview_groups_income_by_thousands(admin_client, tenant_a, monkeypatch):
    """Supplementary income before → after reads 118.182.400 → 120.000.000."""
    version = make_version(payload_v1(), 1, status="draft")
    result = {
        "tenant_name": "Phường A", "period": "2026-10", "people": 3, "changed": 1,
        "conflicts": 0,
        "before": {"grades": {"HTNV": 1}, "htxs": 0, "htxs_allowed": 1, "income": "118182400"},
        "after": {"grades": {"HTNV": 1}, "htxs": 0, "htxs_allowed": 1, "income": "120000000"},
    }  # fmt: skip
    monkeypatch.setattr(rollout_impact, "preview", lambda *a, **k: [result])
    page = admin_client.get("/admin/rollouts/impact").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = admin_client.post(
        "/admin/rollouts/impact",
        data={"csrf_token": token, "version": version.id, "tenants": ["phuong-a"]},
    )
    html = response.get_data(as_text=True)
    assert "118.182.400 → 120.000.000" in html
    assert "118182400" not in html
