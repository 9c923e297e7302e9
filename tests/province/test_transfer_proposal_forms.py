"""The unit administrators' transfer page validates its forms with the schemas: a refused form
comes back (400) with what was typed and a Vietnamese message next to the field at fault, and
nothing is written."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.transfers import TransferProposal
from tenant_app.tenancy import tenant_context
from tests.helpers import login, post_form
from tests.province.transfer_helpers import by_code

PAGE_A, PAGE_B = "/t/phuong-a/transfers", "/t/phuong-b/transfers"


def _rows(tenant):
    with tenant_context(tenant):
        return list(db.session.execute(sa.select(TransferProposal)).scalars())


def _field(html: str, field_id: str) -> str:
    """The ``div.field`` block holding the input ``field_id`` (its label, input, messages)."""
    match = re.search(
        r'<div class="field[^"]*">(?:(?!<div class="field).)*?id="' + re.escape(field_id)
        + r'".*?</div>',
        html,
        re.S,
    )  # fmt: skip
    assert match, f"no field {field_id}"
    return match.group(0)


def _proposal_form(a, **over):
    data = {
        "staff_id": str(a["clerk"]), "target": "phuong-b", "effective_on": "2026-10-01",
        "reference": "125/QĐ-UBND", "reason": "Điều động theo nhu cầu công tác.",
    }  # fmt: skip
    data.update(over)
    return data


def test_propose_form_errors_name_the_fields_and_keep_the_values(
    app, tenant_a, tenant_b, wards, admins
):
    """No date and a four-letter reason: 400, each message beside its field, the person,
    the unit and the decision number kept as typed; nothing proposed."""
    client = app.test_client()
    login(client, "phuong-a", "admin.a")
    response = post_form(
        client, f"{PAGE_A}/propose",
        _proposal_form(wards[0], effective_on="", reason="Cần"), page=PAGE_A,
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Cần nhập ngày hiệu lực của việc chuyển." in _field(html, "effective_on")
    assert "Lý do chuyển cần từ 10 đến 1000 ký tự." in _field(html, "reason")
    assert 'value="125/QĐ-UBND"' in _field(html, "reference")
    assert re.search(r'<option selected value="phuong-b">|<option value="phuong-b" selected',
                     _field(html, "target"))  # fmt: skip
    assert f'value="{wards[0]["clerk"]}"' in _field(html, "staff_id")
    assert "Cần" in _field(html, "reason")  # the reason typed comes back too
    assert _rows(tenant_a) == [] and _rows(tenant_b) == []


def test_propose_form_malformed_date_and_unknown_unit_are_named(app, tenant_a, wards, admins):
    """A date that is no date, then a unit that does not exist: 400 with the message beside
    ``effective_on``, then beside ``target``; nothing proposed."""
    client = app.test_client()
    login(client, "phuong-a", "admin.a")
    bad_date = post_form(
        client, f"{PAGE_A}/propose", _proposal_form(wards[0], effective_on="31/09/2026"),
        page=PAGE_A,
    )  # fmt: skip
    assert bad_date.status_code == 400
    assert "Ngày hiệu lực không hợp lệ (ngày/tháng/năm)." in _field(
        bad_date.get_data(as_text=True), "effective_on"
    )
    unknown = post_form(
        client, f"{PAGE_A}/propose", _proposal_form(wards[0], target="khong-co"), page=PAGE_A
    )
    assert unknown.status_code == 400
    assert "Không có đơn vị chuyển đến “khong-co”." in _field(
        unknown.get_data(as_text=True), "target"
    )
    assert _rows(tenant_a) == []


def test_accept_form_malformed_post_is_named_beside_it(app, tenant_b, wards, proposal_id):
    """A division id that is no id: 400, the message beside that proposal's division field,
    nobody moved, the proposal still waiting."""
    client = app.test_client()
    login(client, "phuong-b", "admin.b")
    response = post_form(
        client, f"{PAGE_B}/{proposal_id}/accept",
        {"org_unit_id": "khong-phai-ma", "position_id": str(wards[1]["clerk_pos"])}, page=PAGE_B,
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Đơn vị công tác không hợp lệ." in _field(html, f"org_unit_id-a-{proposal_id}")
    assert by_code(tenant_b, "NS2") is None
    assert [r.status for r in _rows(tenant_b)] == ["proposed"]


def test_refuse_form_short_reason_keeps_what_was_typed(app, tenant_b, wards, proposal_id):
    """A five-letter reason: 400, the message and the text beside that proposal's reason."""
    client = app.test_client()
    login(client, "phuong-b", "admin.b")
    response = post_form(
        client, f"{PAGE_B}/{proposal_id}/refuse", {"refusal_reason": "không"}, page=PAGE_B
    )
    block = _field(response.get_data(as_text=True), f"refusal_reason-r-{proposal_id}")
    assert response.status_code == 400
    assert "Cần ghi lý do từ chối (ít nhất 10 ký tự)." in block and 'value="không"' in block
    assert [r.status for r in _rows(tenant_b)] == ["proposed"]


def test_answer_forms_are_404_for_a_proposal_not_received(app, tenant_a, wards, proposal_id):
    """A's administrator posting an answer to its own proposal (A holds the ``out`` side) or
    to an unknown id gets 404; nothing changes."""
    client = app.test_client()
    login(client, "phuong-a", "admin.a")
    own = post_form(client, f"{PAGE_A}/{proposal_id}/refuse",
                    {"refusal_reason": "Tự rút lại đề nghị này."}, page=PAGE_A)  # fmt: skip
    assert own.status_code == 404
    unknown = post_form(client, f"{PAGE_A}/khong-co/refuse",
                        {"refusal_reason": "Tự rút lại đề nghị này."}, page=PAGE_A)  # fmt: skip
    assert unknown.status_code == 404
    assert [r.status for r in _rows(tenant_a)] == ["proposed"]


def test_answer_form_on_an_answered_proposal_says_so(app, tenant_b, wards, proposal_id):
    """A second answer (refused already): back to the page with the message, nothing changed."""
    client = app.test_client()
    login(client, "phuong-b", "admin.b")
    reason = {"refusal_reason": "Phường chưa có vị trí việc làm phù hợp."}
    first = post_form(client, f"{PAGE_B}/{proposal_id}/refuse", reason, page=PAGE_B)
    assert first.status_code == 302
    again = post_form(
        client, f"{PAGE_B}/{proposal_id}/accept",
        {"org_unit_id": str(wards[1]["body"]), "position_id": str(wards[1]["clerk_pos"])},
        page=PAGE_B, follow_redirects=True,
    )  # fmt: skip
    assert "Đề nghị chuyển công tác này đã được trả lời (Bị từ chối)." in again.get_data(
        as_text=True
    )
    assert by_code(tenant_b, "NS2") is None
    assert [r.status for r in _rows(tenant_b)] == ["refused"]
