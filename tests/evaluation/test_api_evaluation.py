"""Evaluation API: the month end to end over HTTP, isolation across tenants, roles, bad input."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.evaluation import Assignment, PeriodScore, Report
from tenant_app.models.users import User
from tenant_app.services.evaluation import assignments, periods, reports
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY, build_ward
from tests.helpers import bearer, token_for
from tests.security.samples import pdf_bytes

BASE = "/api/v1/t/phuong-a"
PDF = pdf_bytes()


class _Today(date):
    @classmethod
    def today(cls):
        return TODAY


@pytest.fixture()
def frozen_today(monkeypatch):
    """Services see TODAY (inside every window of period 2026-11) as the current date."""
    monkeypatch.setattr(periods, "date", _Today)


@pytest.fixture()
def head_headers(client, ward_a):
    return bearer(token_for(client, "phuong-a", "truong"))


@pytest.fixture()
def clerk_headers(client, ward_a):
    return bearer(token_for(client, "phuong-a", "vanthu"))


@pytest.fixture()
def ward_b(factory, tenant_b):
    return build_ward(factory, tenant_b)


def _assign(client, headers, ward, code, quantity):
    response = client.post(
        f"{BASE}/assignments",
        json={"period_id": str(ward["period"]), "staff_id": str(ward["clerk"]),
              "item_id": str(ward["items"][code]), "quantity": quantity,
              "due_on": "2026-11-25"},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _month(client, ward, head, clerk):
    """The DOMAIN.md worked month over the API; returns the clerk's report ids by item code."""
    reports = {}
    for code, qty, done, errors, delays in (
        ("T1", 10, 10, 1, 2),
        ("T2", 2, 2, 0, 0),
        ("T3", 1, 0, 0, 0),
    ):
        assignment = _assign(client, head, ward, code, qty)
        response = client.post(
            f"{BASE}/reports",
            json={"assignment_id": assignment["id"], "completed": done,
                  "completed_on": "2026-11-20", "submit": True},
            headers=clerk,
        )  # fmt: skip
        assert response.status_code == 201, response.get_json()
        report = response.get_json()
        assert report["status"] == "submitted"
        response = client.post(
            f"{BASE}/reports/{report['id']}/review",
            json={
                "accept": True,
                "major_errors": errors,
                "delays": delays,
                "delay_reason": "Đối chiếu sổ theo dõi văn bản",
            },
            headers=head,
        )
        assert response.status_code == 200, response.get_json()
        reports[code] = report["id"]
    for stage, headers in (("self", clerk), ("manager", head)):
        response = client.post(
            f"{BASE}/assessments",
            json={"period_id": str(ward["period"]), "staff_id": str(ward["clerk"]),
                  "stage": stage, "general": [9, 9, 9]},
            headers=headers,
        )  # fmt: skip
        assert response.status_code == 201, response.get_json()
    return reports


def test_api_month_round_trip_scores_the_worked_example(
    client, frozen_today, ward_a, head_headers, clerk_headers
):
    """Assign, report, review and assess over the API: the clerk's score is 78.625 → HTT,
    explained, re-scored after each write without any explicit recompute."""
    _month(client, ward_a, head_headers, clerk_headers)
    body = client.get(f"{BASE}/scores?period=2026-11", headers=clerk_headers).get_json()
    assert [(s["total"], s["grade"]) for s in body] == [("78.625000", "HTT")]
    assert body[0]["explanation"][0]["label"]


def test_api_approve_and_publish_opens_the_unit_list(
    client, frozen_today, ward_a, head_headers, clerk_headers
):
    """After the head approves and publishes, the period shows published_at."""
    _month(client, ward_a, head_headers, clerk_headers)
    response = client.post(
        f"{BASE}/scores/approve",
        json={"period_id": str(ward_a["period"]), "staff_ids": [str(ward_a["clerk"])]},
        headers=head_headers,
    )
    assert response.status_code == 200, response.get_json()
    response = client.post(f"{BASE}/periods/{ward_a['period']}/publish", headers=head_headers)
    assert response.status_code == 200 and response.get_json()["published_at"]


def test_api_evidence_upload_and_download(
    client, frozen_today, ward_a, head_headers, clerk_headers
):
    """The clerk attaches a PDF to a draft report and reads the same bytes back."""
    assignment = _assign(client, head_headers, ward_a, "T1", 3)
    report = client.post(
        f"{BASE}/reports",
        json={"assignment_id": assignment["id"], "completed": 1},
        headers=clerk_headers,
    ).get_json()
    response = client.post(
        f"{BASE}/reports/{report['id']}/evidence",
        data={"file": (io.BytesIO(PDF), "bien-ban.pdf")},
        headers=clerk_headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    evidence_id = response.get_json()["id"]
    download = client.get(
        f"{BASE}/reports/{report['id']}/evidence/{evidence_id}", headers=head_headers
    )
    assert download.status_code == 200 and download.data == PDF


def test_api_assign_by_position_gives_work_to_every_holder(
    client, frozen_today, ward_a, head_headers
):
    """Bulk assignment by position creates one assignment per holder (here the clerk)."""
    response = client.post(
        f"{BASE}/assignments/by-position",
        json={"period_id": str(ward_a["period"]), "position_id": str(ward_a["clerk_pos"]),
              "item_id": str(ward_a["items"]["T2"]), "quantity": 2, "due_on": "2026-11-25"},
        headers=head_headers,
    )  # fmt: skip
    assert response.status_code == 201, response.get_json()
    assert [a["staff_id"] for a in response.get_json()] == [str(ward_a["clerk"])]


def test_api_assignments_list_is_paginated_and_filtered(
    client, frozen_today, ward_a, head_headers, clerk_headers
):
    """The list is paginated (X-Pagination) and a staff member sees only their own work."""
    for _ in range(3):
        _assign(client, head_headers, ward_a, "T1", 1)
    response = client.get(
        f"{BASE}/assignments?period_id={ward_a['period']}&page_size=2", headers=clerk_headers
    )
    assert response.status_code == 200
    assert len(response.get_json()) == 2
    assert '"total": 3' in response.headers["X-Pagination"]


def test_api_staff_sees_no_one_elses_scores_before_publication(
    client, frozen_today, tenant_a, ward_a, head_headers, clerk_headers
):
    """Before publication the clerk's score list holds only the clerk, even if others exist."""
    _month(client, ward_a, head_headers, clerk_headers)
    with tenant_context(tenant_a):
        clerk_score = db.session.execute(sa.select(PeriodScore)).scalar_one()
        db.session.add(
            PeriodScore(
                period_id=ward_a["period"], staff_id=ward_a["head"], a=0, b=0, c=0,
                task_score=0, task_points=0, general_points=0, total=50, grade="HTNV",
                explanation=[], rule_set=clerk_score.rule_set, inputs_digest="x",
            )
        )  # fmt: skip
        db.session.commit()
    body = client.get(f"{BASE}/scores?period=2026-11", headers=clerk_headers).get_json()
    assert [s["staff_id"] for s in body] == [str(ward_a["clerk"])]


def test_api_other_tenant_ids_are_404_on_every_route(
    client, frozen_today, tenant_b, ward_a, ward_b, head_headers
):
    """Ids of tenant B's period, assignment, report and staff answer 404 in tenant A."""
    with tenant_context(tenant_b):
        head_b = db.session.get(User, (tenant_b.id, ward_b["head_user"]))
        clerk_b = db.session.get(User, (tenant_b.id, ward_b["clerk_user"]))
        period_b = periods.get_period(ward_b["period"])
        from tenant_app.models.catalogue import CatalogueItem
        from tenant_app.models.staff import StaffMember

        item = db.session.get(CatalogueItem, (tenant_b.id, ward_b["items"]["T1"]))
        person = db.session.get(StaffMember, (tenant_b.id, ward_b["clerk"]))
        assignment = assignments.assign(
            period_b, person, item, quantity=2, due_on=date(2026, 11, 25), actor=head_b
        )
        report = reports.save_report(assignment, actor=clerk_b, completed=1, today=TODAY)
        db.session.commit()
        ids = {"period": period_b.id, "assignment": assignment.id, "report": report.id}
    other = "018f0000-0000-7000-8000-000000000000"
    requests = [
        ("get", f"/periods/{ids['period']}", None),
        ("post", f"/periods/{ids['period']}/publish", None),
        ("get", f"/assignments/{ids['assignment']}", None),
        ("delete", f"/assignments/{ids['assignment']}", None),
        ("get", f"/reports/{ids['report']}", None),
        ("post", f"/reports/{ids['report']}/review", {"accept": True}),
        ("get", f"/reports/{ids['report']}/evidence", None),
        ("get", f"/reports/{ids['report']}/evidence/{other}", None),
        ("post", f"/classifications/{other}/decision", {"final_grade": "HTT",
                                                        "reason": "Lý do đủ dài để ghi"}),
        ("get", f"/income-runs/{other}", None),
        ("get", f"/income-runs/{other}.xlsx", None),
        ("post", "/assignments", {"period_id": str(ids["period"]),
                                  "staff_id": str(ward_b["clerk"]),
                                  "item_id": str(ward_b["items"]["T1"]), "quantity": 1,
                                  "due_on": "2026-11-25"}),
        ("post", "/assessments", {"period_id": str(ids["period"]),
                                  "staff_id": str(ward_b["clerk"]), "stage": "manager",
                                  "general": [9, 9, 9]}),
        ("post", "/income-runs", {"period_id": str(ids["period"])}),
    ]  # fmt: skip
    for method, path, body in requests:
        response = getattr(client, method)(f"{BASE}{path}", json=body, headers=head_headers)
        assert response.status_code == 404, (method, path, response.get_json())
        assert response.get_json()["error"]["code"] == "not_found"


def test_api_staff_tokens_are_403_on_manager_routes(client, ward_a, clerk_headers):
    """A staff-only token is refused (403) on every manager route."""
    period = str(ward_a["period"])
    other = "018f0000-0000-7000-8000-000000000000"
    requests = [
        ("post", "/periods", {"year": 2026, "number": 12}),
        ("post", f"/periods/{period}/close", None),
        ("post", f"/periods/{period}/publish", None),
        ("post", "/assignments", {}),
        ("post", "/assignments/by-position", {}),
        ("delete", f"/assignments/{other}", None),
        ("post", f"/reports/{other}/review", {"accept": True}),
        ("post", "/scores/approve", {}),
        ("post", "/classifications/compute", {"year": 2026}),
        ("post", "/classifications/approve", {"year": 2026}),
        ("get", "/classifications/quota?year=2026", None),
        ("get", "/income-runs", None),
        ("post", "/income-runs", {"period_id": period}),
        ("get", f"/income-runs/{other}.xlsx", None),
    ]
    for method, path, body in requests:
        response = getattr(client, method)(f"{BASE}{path}", json=body, headers=clerk_headers)
        assert response.status_code == 403, (method, path)


def test_api_bad_input_is_422_in_vietnamese_and_writes_nothing(
    client, tenant_a, frozen_today, ward_a, head_headers
):
    """A negative quantity and a malformed date answer 422 with Vietnamese messages per field;
    no assignment is stored."""
    response = client.post(
        f"{BASE}/assignments",
        json={"period_id": str(ward_a["period"]), "staff_id": str(ward_a["clerk"]),
              "item_id": str(ward_a["items"]["T1"]), "quantity": -1, "due_on": "25/11/2026"},
        headers=head_headers,
    )  # fmt: skip
    assert response.status_code == 422
    fields = response.get_json()["error"]["fields"]
    assert fields["quantity"] == ["Phải lớn hơn 0 và nhỏ hơn hoặc bằng 1000000."]
    assert fields["due_on"] == ["Ngày không hợp lệ."]
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(sa.func.count()).select_from(Assignment)).scalar() == 0


def test_api_report_for_someone_elses_work_is_refused(
    client, tenant_a, frozen_today, ward_a, head_headers
):
    """The head cannot report on the clerk's assignment (403) and no report is stored."""
    assignment = _assign(client, head_headers, ward_a, "T1", 2)
    response = client.post(
        f"{BASE}/reports",
        json={"assignment_id": assignment["id"], "completed": 1},
        headers=head_headers,
    )
    assert response.status_code == 403
    with tenant_context(tenant_a):
        assert db.session.execute(sa.select(sa.func.count()).select_from(Report)).scalar() == 0
