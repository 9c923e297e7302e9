"""The template's rule set per kind of person: validated, canonical, through the workbook."""

from __future__ import annotations

import pytest

from tenant_app.services.rollout.template_payload import PayloadInvalid, validate_payload
from tenant_app.services.rollout.template_workbook import payload_from_workbook, workbook


def _errors(data) -> dict:
    with pytest.raises(PayloadInvalid) as caught:
        validate_payload(data)
    return caught.value.errors


def test_unknown_rule_set_for_a_kind_of_person_is_refused_in_vietnamese(app, payload):
    payload["scoring"]["params"] = {"staff_rule_sets": {"vien_chuc": "nd999"}}
    errors = _errors(payload)
    assert list(errors) == ["scoring.params.staff_rule_sets.vien_chuc"]
    assert errors["scoring.params.staff_rule_sets.vien_chuc"][0].startswith(
        "Bộ quy tắc 'nd999' không tồn tại"
    )


def test_unknown_kind_of_person_is_refused(app, payload):
    payload["scoring"]["params"] = {"staff_rule_sets": {"giao_vien": "vc_2026"}}
    errors = _errors(payload)
    assert (
        "Loại cán bộ 'giao_vien' không hợp lệ"
        in errors["scoring.params.staff_rule_sets.giao_vien"][0]
    )


def test_bad_effective_date_and_quota_population_are_refused(app, payload):
    payload["scoring"]["params"] = {"vc_2026_effective_from": "1/7/2026"}
    assert list(_errors(payload)) == ["scoring.params.vc_2026_effective_from"]
    payload["scoring"]["params"] = {"quota_staff_types": ["cong_chuc", "khach"]}
    assert list(_errors(payload)) == ["scoring.params.quota_staff_types"]


def test_mapping_is_canonical_and_reads_back_from_the_workbook(app, payload):
    """A partial mapping is completed with the defaults; the workbook gives the same payload."""
    payload["scoring"]["params"] = {
        "staff_rule_sets": {"hop_dong": "vc_2026"},
        "quota_staff_types": ["vien_chuc", "cong_chuc"],
        "vc_2026_effective_from": "2026-07-01",
    }
    result = validate_payload(payload)
    assert result["scoring"]["params"] == {
        "quota_staff_types": ["cong_chuc", "vien_chuc"],
        "staff_rule_sets": {
            "can_bo": "nd335_2025",
            "cong_chuc": "nd335_2025",
            "vien_chuc": "vc_2026",
            "hop_dong": "vc_2026",
        },
        "vc_2026_effective_from": "2026-07-01",
    }
    assert validate_payload(payload_from_workbook(workbook(result))) == result


def test_version_page_shows_each_kinds_rule_set(admin_client, published):
    """The version page lists every kind of person with its rule set (defaults included)."""
    url = f"/admin/templates/{published.template_id}/versions/{published.id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert "Bộ quy tắc theo loại cán bộ" in page
    assert "Viên chức: <code>vc_2026</code>" in page
    assert "Công chức: <code>nd335_2025</code>" in page
    assert "2026-01-01" in page
