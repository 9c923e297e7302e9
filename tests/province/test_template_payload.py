"""The payload format: validation with Vietnamese field errors, canonical form, exact diffs."""

from __future__ import annotations

import copy

import pytest

from tenant_app.services.rollout.template_payload import (
    PayloadInvalid,
    diff_payloads,
    local_change_count,
    validate_payload,
)


def _errors(data) -> dict:
    with pytest.raises(PayloadInvalid) as caught:
        validate_payload(data)
    return caught.value.errors


def test_payload_validation_names_each_bad_field_in_vietnamese(app, payload):
    """Bad values come back per path, in Vietnamese, and nothing is accepted."""
    payload["items"][0]["coefficient"] = "0"
    del payload["items"][1]["name"]
    payload["schedule"]["period_kind"] = "week"
    assert _errors(payload) == {
        "items.0.coefficient": ["Hệ số quy đổi phải lớn hơn 0."],
        "items.1.name": ["Thiếu trường bắt buộc."],
        "schedule.period_kind": ["Phải là một trong: month, quarter."],
    }


def test_payload_validation_refuses_unknown_position_code(app, payload):
    """An item may only apply to positions of the same payload."""
    payload["items"][1]["positions"] = ["XX99"]
    assert _errors(payload) == {"items.1.positions": ["Vị trí không có trong mẫu: XX99."]}


def test_payload_validation_checks_indicator_fields_by_kind(app, payload):
    """An indicator without a direction and a work item with a target are both refused."""
    payload["items"][1]["direction"] = None
    payload["items"][0]["target"] = "5"
    errors = _errors(payload)
    assert errors["items.1.direction"] == ["Chiều đánh giá là bắt buộc với chỉ tiêu."]
    assert errors["items.0.target"] == ["Sản phẩm/công việc chỉ có hệ số quy đổi."]


def test_payload_validation_refuses_unknown_scoring_param(app, payload):
    """A scoring parameter the rule set does not know is named with the scoring engine's text."""
    payload["scoring"]["params"] = {"nguong_xuat_sac": 95}
    assert _errors(payload) == {
        "scoring.params.nguong_xuat_sac": ["Tham số 'nguong_xuat_sac' không tồn tại."]
    }


def test_payload_validation_refuses_chain_without_head(app, payload):
    """The approval chain must end with the head's approval."""
    payload["approval"]["chain"] = ["self", "manager"]
    assert list(_errors(payload)) == ["approval.chain"]


def test_payload_validation_refuses_duplicate_canonical_code(app, payload):
    """Two items with one canonical code: the second is named, pointing at the first row."""
    payload["items"][1]["canonical_code"] = "TH.SP01"
    assert _errors(payload)["items.1.canonical_code"] == ["Mã chuẩn bị trùng với dòng 1."]


def test_payload_canonical_form_is_normalised_and_sorted(app, payload):
    """Decimals become normalised strings, entries sort by key, absent fields become null."""
    result = validate_payload(payload)
    assert [p["code"] for p in result["positions"]] == ["CM01", "LD01"]
    assert [i["canonical_code"] for i in result["items"]] == ["TH.CT01", "TH.SP01"]
    work = result["items"][1]
    assert (work["coefficient"], work["allowed_min"], work["target"]) == ("0.5", "0.4", None)
    assert result["items"][0]["target"] == "98"
    assert result["items"][0]["cap_percent"] == "100"
    assert result["scoring"]["params"] == {"threshold_htxs": "90"}
    assert result["schedule"]["windows"] == {
        "report": 3, "self_assessment": 5, "review": 8, "approval": 10,
    }  # fmt: skip
    assert validate_payload(result) == result


def test_diff_payloads_lists_changes_field_by_field_by_key(app, payload):
    """Added, removed and changed entries are keyed by code, one change per differing field."""
    old = validate_payload(payload)
    new_data = copy.deepcopy(payload)
    new_data["items"][0]["coefficient"] = "0.55"
    new_data["items"][0]["name"] = "Giải quyết hồ sơ đăng ký hộ tịch"
    del new_data["items"][1]
    new_data["positions"].append(
        {"code": "CM02", "name": "Công chức văn hóa", "position_group": "professional_sector"}
    )
    new_data["schedule"]["windows"]["report"] = 4
    new = validate_payload(new_data)
    changes = diff_payloads(old, new)
    assert [(c["section"], c["key"], c["change"], c["field"]) for c in changes] == [
        ("positions", "CM02", "added", None),
        ("items", "TH.CT01", "removed", None),
        ("items", "TH.SP01", "changed", "coefficient"),
        ("items", "TH.SP01", "changed", "name"),
        ("schedule", "schedule", "changed", "windows.report"),
    ]
    coefficient = changes[2]
    assert (coefficient["old"], coefficient["new"]) == ("0.5", "0.55")
    assert changes[1]["old"]["name"] == "Tỷ lệ hồ sơ giải quyết đúng hạn"


def test_diff_payloads_of_equal_payloads_is_empty(app, payload):
    """A payload typed differently but meaning the same thing has no differences."""
    again = copy.deepcopy(payload)
    again["items"][0]["coefficient"] = 0.5
    again["items"].reverse()
    assert diff_payloads(validate_payload(payload), validate_payload(again)) == []


def test_local_change_count_counts_entries_not_fields(app, payload):
    """Two fields changed on one item and one item added make two local changes."""
    base = validate_payload(payload)
    current = copy.deepcopy(base)
    current["items"][1]["coefficient"] = "0.6"
    current["items"][1]["name"] = "Khác"
    current["items"].append({**current["items"][1], "canonical_code": "LOCAL1", "code": "L1"})
    assert local_change_count(base, current) == 2
