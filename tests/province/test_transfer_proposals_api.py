"""The transfer proposals' API for unit administrators (``/api/v1/t/<unit>/transfer-proposals``):
A's administrator proposes the clerk to B, B's administrator lists, accepts or refuses, through
the same door and with the same audit as the page; other units and other roles get nothing."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models import AuditEvent
from tenant_app.models.transfers import TransferProposal
from tenant_app.tenancy import tenant_context
from tests.helpers import bearer, token_for
from tests.province.transfer_helpers import by_code, person

A = "/api/v1/t/phuong-a/transfer-proposals"
B = "/api/v1/t/phuong-b/transfer-proposals"
REFUSAL = {"refusal_reason": "Phường chưa có vị trí việc làm phù hợp."}


@pytest.fixture()
def tokens(client, wards, admins):
    """Bearer headers of A's and B's administrators."""
    return (
        bearer(token_for(client, "phuong-a", "admin.a")),
        bearer(token_for(client, "phuong-b", "admin.b")),
    )


def _body(a, **over):
    data = {
        "staff_id": str(a["clerk"]),
        "target": "phuong-b",
        "effective_on": "2026-10-01",
        "reference": "125/QĐ-UBND",
        "reason": "Điều động theo nhu cầu công tác giữa hai phường.",
    }
    data.update(over)
    return data


def _propose(client, wards, tokens) -> str:
    response = client.post(A, json=_body(wards[0]), headers=tokens[0])
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _rows(tenant):
    with tenant_context(tenant):
        return list(db.session.execute(sa.select(TransferProposal)).scalars())


def _actions(tenant):
    with tenant_context(tenant):
        return [e.action for e in db.session.execute(sa.select(AuditEvent)).scalars()]


def test_api_propose_writes_both_sides_and_audits_each(client, tenant_a, tenant_b, wards, tokens):
    """201 with A's side (``out``, B named, the nine months that would move); B holds the
    ``in`` side; each unit's chain records its step; nothing moves yet."""
    response = client.post(A, json=_body(wards[0]), headers=tokens[0])
    assert response.status_code == 201
    body = response.get_json()
    assert (body["side"], body["status"], body["other_unit"]) == ("out", "proposed", "phuong-b")
    assert body["results"] == [f"2026-{m:02d}" for m in range(1, 10)]
    (came,) = _rows(tenant_b)
    assert (str(came.proposal_id), came.side) == (body["id"], "in")
    assert "staff.transfer_proposed" in _actions(tenant_a)
    assert "staff.transfer_proposal_received" in _actions(tenant_b)
    assert person(tenant_a, wards[0]["clerk"]).end_date is None


def test_api_list_shows_both_sides_and_filters_by_status(client, wards, tokens):
    """A lists its sent proposal, B its received one (same id); ``status`` narrows the list."""
    proposal_id = _propose(client, wards, tokens)
    sent = client.get(A, headers=tokens[0])
    assert [(r["id"], r["side"]) for r in sent.get_json()] == [(proposal_id, "out")]
    assert '"total": 1' in sent.headers["X-Pagination"]
    received = client.get(f"{B}?status=proposed", headers=tokens[1]).get_json()
    assert [(r["id"], r["side"], r["full_name"]) for r in received] == [
        (proposal_id, "in", "Trần Thị Văn")
    ]
    assert client.get(f"{B}?status=refused", headers=tokens[1]).get_json() == []
    assert client.get(f"{B}?side=out", headers=tokens[1]).get_json() == []
    assert client.get(f"{B}?status=lost", headers=tokens[1]).status_code == 422


def test_api_accept_moves_the_person_and_answers_both_sides(
    client, tenant_a, tenant_b, wards, tokens
):
    """B accepts into its office as clerk: 200 with B's side (accepted, the new record), the
    person ends in A on 30/09, both sides and both chains record the answer."""
    proposal_id = _propose(client, wards, tokens)
    b = wards[1]
    response = client.post(
        f"{B}/{proposal_id}/accept",
        json={"org_unit_id": str(b["body"]), "position_id": str(b["clerk_pos"])},
        headers=tokens[1],
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    new = by_code(tenant_b, "NS2")
    assert (body["status"], body["staff_id"], body["decided_by"]) == (
        "accepted", str(new.id), "Quản Trị B",
    )  # fmt: skip
    assert person(tenant_a, wards[0]["clerk"]).end_date.isoformat() == "2026-09-30"
    assert [r.status for r in _rows(tenant_a)] == ["accepted"]
    assert "staff.transfer_accepted" in _actions(tenant_a)
    assert "staff.transfer_accepted" in _actions(tenant_b)


def test_api_refuse_records_the_reason_and_moves_nothing(client, tenant_a, tenant_b, wards, tokens):
    """B refuses with a reason: both sides refused with it, the clerk stays in A; a second
    answer is a 409."""
    proposal_id = _propose(client, wards, tokens)
    response = client.post(f"{B}/{proposal_id}/refuse", json=REFUSAL, headers=tokens[1])
    assert response.status_code == 200
    assert response.get_json()["refusal_reason"] == REFUSAL["refusal_reason"]
    assert [r.status for r in _rows(tenant_a) + _rows(tenant_b)] == ["refused", "refused"]
    assert person(tenant_a, wards[0]["clerk"]).end_date is None
    assert "staff.transfer_refused" in _actions(tenant_a)
    again = client.post(f"{B}/{proposal_id}/refuse", json=REFUSAL, headers=tokens[1])
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "already_answered"


def test_api_refusal_reason_too_short_is_refused(client, tenant_b, wards, tokens):
    """A reason under 10 characters: 422 naming ``refusal_reason`` in Vietnamese; ten spaces
    pass the schema but not the door (400); the proposal still waits."""
    proposal_id = _propose(client, wards, tokens)
    short = client.post(f"{B}/{proposal_id}/refuse", json={"refusal_reason": "không"},
                        headers=tokens[1])  # fmt: skip
    assert short.status_code == 422
    assert short.get_json()["error"]["fields"]["refusal_reason"] == [
        "Cần ghi lý do từ chối (ít nhất 10 ký tự)."
    ]
    blank = client.post(f"{B}/{proposal_id}/refuse", json={"refusal_reason": " " * 12},
                        headers=tokens[1])  # fmt: skip
    assert blank.status_code == 400
    assert blank.get_json()["error"]["code"] == "reason_required"
    assert [r.status for r in _rows(tenant_b)] == ["proposed"]


def test_api_propose_bad_date_is_refused(client, tenant_a, wards, tokens):
    """A malformed date is a 422 naming ``effective_on``; a date out of bounds a 400; nothing
    is written."""
    bad = client.post(A, json=_body(wards[0], effective_on="01/10/2026"), headers=tokens[0])
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"]["effective_on"] == [
        "Ngày hiệu lực không hợp lệ (ngày/tháng/năm)."
    ]
    far = client.post(A, json=_body(wards[0], effective_on="2999-01-01"), headers=tokens[0])
    assert far.status_code == 400
    assert far.get_json()["error"]["fields"] == {
        "effective_on": ["Ngày hiệu lực nằm ngoài khoảng cho phép."]
    }
    assert _rows(tenant_a) == []


def test_api_propose_to_an_unknown_or_own_unit_is_refused(client, tenant_a, wards, tokens):
    """An unknown slug (400 ``unknown_target``) and A itself (400 ``same_unit``), both naming
    ``target``; nothing is written."""
    unknown = client.post(A, json=_body(wards[0], target="khong-co"), headers=tokens[0])
    assert unknown.status_code == 400
    error = unknown.get_json()["error"]
    assert (error["code"], list(error["fields"])) == ("unknown_target", ["target"])
    own = client.post(A, json=_body(wards[0], target="phuong-a"), headers=tokens[0])
    assert own.status_code == 400
    assert own.get_json()["error"]["code"] == "same_unit"
    assert _rows(tenant_a) == []


def test_api_propose_a_person_of_another_unit_is_404(client, tenant_a, tenant_b, wards, tokens):
    """B's clerk proposed by A is no one A has: 404 naming ``staff_id``, nothing in either."""
    response = client.post(A, json=_body(wards[0], staff_id=str(wards[1]["clerk"])),
                           headers=tokens[0])  # fmt: skip
    assert response.status_code == 404
    assert list(response.get_json()["error"]["fields"]) == ["staff_id"]
    assert _rows(tenant_a) == [] and _rows(tenant_b) == []


def test_api_another_unit_cannot_read_or_answer_the_proposal(
    client, factory, tenant_a, tenant_b, wards, tokens
):
    """C's administrator: its own list is empty, the proposal is 404 to read, accept or refuse
    in C, and C's token is not valid on B's address (401); A cannot answer its own proposal."""
    third = factory.tenant("phuong-c", name="Phường C")
    factory.user(third, "admin.c", ("unit_admin", "staff"), full_name="Quản Trị C")
    c = bearer(token_for(client, "phuong-c", "admin.c"))
    proposal_id = _propose(client, wards, tokens)
    C = "/api/v1/t/phuong-c/transfer-proposals"
    assert client.get(C, headers=c).get_json() == []
    assert client.get(f"{C}/{proposal_id}", headers=c).status_code == 404
    assert client.post(f"{C}/{proposal_id}/refuse", json=REFUSAL, headers=c).status_code == 404
    accept = {"org_unit_id": str(uuid.uuid4()), "position_id": str(uuid.uuid4())}
    assert client.post(f"{C}/{proposal_id}/accept", json=accept, headers=c).status_code == 404
    assert client.get(B, headers=c).status_code == 401
    assert client.post(f"{B}/{proposal_id}/refuse", json=REFUSAL, headers=c).status_code == 401
    assert client.post(f"{A}/{proposal_id}/refuse", json=REFUSAL, headers=tokens[0]).status_code \
        == 404  # fmt: skip
    assert [r.status for r in _rows(tenant_b)] == ["proposed"]


def test_api_is_for_unit_administrators_only(client, tenant_a, tenant_b, wards, tokens):
    """A staff token and a manager token of B are refused (403) on every operation."""
    proposal_id = _propose(client, wards, tokens)
    for username in ("vanthub", "truongb"):
        headers = bearer(token_for(client, "phuong-b", username))
        assert client.get(B, headers=headers).status_code == 403
        assert client.get(f"{B}/{proposal_id}", headers=headers).status_code == 403
        refused = client.post(f"{B}/{proposal_id}/refuse", json=REFUSAL, headers=headers)
        assert refused.status_code == 403
    staff_a = bearer(token_for(client, "phuong-a", "vanthu"))
    assert client.post(A, json=_body(wards[0]), headers=staff_a).status_code == 403
    assert [r.status for r in _rows(tenant_b)] == ["proposed"]
