"""Deputies' fields (lĩnh vực phụ trách): the divisions a deputy is in charge of.

Hand-computed case (period 2026-11): the vice-chairman Phó (leader_deputy, in the committee) is
assigned Phòng Tài chính (with Tổ Ngân sách below it) and Phòng Kinh tế. Their people: An
(Tài chính, 1 of 1 done → HTXS), Bình (Tổ Ngân sách, 0 of 7 done → 30 points, KHTNV), Cúc
(Kinh tế, 1 of 1 → HTXS); Dũng (Kinh tế) has no work in the period and is not counted. Lái, the
deputy's only direct report (driver, in the committee), is HTXS.

- Old rule (direct reports): 1 / 1 passing → unit result 100%.
- New rule (the divisions' people): An, Bình, Cúc → 2 / 3 passing, one fails → 50%
  (``unit_results_any_fail``), and the explanation names "Phòng Kinh tế, Phòng Tài chính".
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from marshmallow import ValidationError

from tenant_app.errors import translate_validation
from tenant_app.extensions import db
from tenant_app.models import AuditEvent, DeputyField, User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assessment, Assignment, Period, PeriodScore, Report
from tenant_app.models.staff import StaffMember
from tenant_app.schemas.deputy_fields import DeputyFieldSchema
from tenant_app.services.errors import Conflict, ServiceError
from tenant_app.services.evaluation import chain, scores
from tenant_app.services.workspace import catalogue, deputy_fields, org, positions, staff
from tenant_app.tenancy import tenant_context


def _unit(code, name, parent):
    return org.create_org_unit(
        {"code": code, "name": name, "kind": "body", "parent_id": parent,
         "effective_from": date(2025, 7, 1)}
    ).id  # fmt: skip


def _person(code, name, unit, position, manager):
    return staff.create_staff(
        {"code": code, "full_name": name, "staff_type": "cong_chuc",
         "start_date": date(2025, 7, 1), "org_unit_id": unit, "position_id": position,
         "manager_id": manager}
    ).id  # fmt: skip


def _build(tenant, ward):
    """The divisions, the deputies and the people of the hand-computed case (ids into ward)."""
    with tenant_context(tenant):
        post = positions.create_position(
            {"code": "PCT", "name": "Phó Chủ tịch UBND", "position_group": "leader_deputy"}
        )
        ward["deputy"] = _person("NS9", "Phạm Phó", ward["root"], post.id, ward["head"])
        ward["deputy2"] = _person("NS8", "Võ Phó Hai", ward["root"], post.id, ward["head"])
        ward["tc"] = _unit("TC", "Phòng Tài chính", ward["root"])
        ward["ns"] = _unit("NSA", "Tổ Ngân sách", ward["tc"])
        ward["kt"] = _unit("KT", "Phòng Kinh tế", ward["root"])
        clerk_pos = ward["clerk_pos"]
        ward["an"] = _person("NS10", "Nguyễn An", ward["tc"], clerk_pos, ward["head"])
        ward["binh"] = _person("NS11", "Lê Bình", ward["ns"], clerk_pos, ward["head"])
        ward["cuc"] = _person("NS12", "Trần Cúc", ward["kt"], clerk_pos, ward["head"])
        ward["dung"] = _person("NS13", "Hồ Dũng", ward["kt"], clerk_pos, ward["head"])
        ward["lai"] = _person("NS14", "Đỗ Lái", ward["root"], clerk_pos, ward["deputy"])
        db.session.commit()
    return ward


def _assign_fields(tenant, ward, *, ends_on=None):
    with tenant_context(tenant):
        for unit in (ward["tc"], ward["kt"]):
            db.session.add(
                DeputyField(
                    staff_id=ward["deputy"], org_unit_id=unit, starts_on=date(2026, 1, 1),
                    ends_on=ends_on, reference="QĐ 12/QĐ-UBND",
                )
            )  # fmt: skip
        db.session.commit()


def _work(tenant, ward, who, *, quantity, completed):
    period = db.session.get(Period, (tenant.id, ward["period"]))
    item = db.session.get(CatalogueItem, (tenant.id, ward["items"]["T1"]))
    assignment = Assignment(
        period_id=period.id, staff_id=ward[who], item_id=item.id,
        version_id=catalogue.version_at(item, period.starts_on).id, quantity=quantity,
        coefficient=1, due_on=date(2026, 11, 25),
    )  # fmt: skip
    db.session.add(assignment)
    db.session.flush()
    db.session.add(Report(assignment_id=assignment.id, completed=completed, status="accepted"))
    db.session.add(
        Assessment(period_id=period.id, staff_id=ward[who], stage="manager", general=[10, 10, 10])
    )
    db.session.commit()
    return period


def _month(tenant, ward):
    for who, quantity, completed in (
        ("an", 1, 1), ("binh", 7, 0), ("cuc", 1, 1), ("lai", 1, 1), ("deputy", 1, 1),
    ):  # fmt: skip
        period = _work(tenant, ward, who, quantity=quantity, completed=completed)
    return period


def _stored(staff_id) -> PeriodScore:
    return db.session.execute(
        sa.select(PeriodScore).where(PeriodScore.staff_id == staff_id)
    ).scalar_one()


def test_deputy_unit_result_counts_the_people_of_both_divisions(tenant_a, ward_a):
    """2 / 3 of the divisions' people pass (Bình of Tổ Ngân sách fails) → 50%, not the 100% of
    the deputy's one direct report; the explanation names the divisions."""
    ward = _build(tenant_a, ward_a)
    _assign_fields(tenant_a, ward)
    with tenant_context(tenant_a):
        period = _month(tenant_a, ward)
        scores.score_people(period)
        db.session.commit()
        assert _stored(ward["binh"]).grade == "KHTNV"
        leader = _stored(ward["deputy"]).inputs["leader"]
        assert leader["unit_results"] == "50"
        assert (leader["team_size"], leader["team_passing"], leader["team_pending"]) == (3, 2, 0)
        assert leader["team_units"] == ["Phòng Kinh tế", "Phòng Tài chính"]
        step = next(
            s
            for s in scores.explanation_of(_stored(ward["deputy"]), period)
            if s["code"] == "leader_criteria"
        )
        assert "2 / 3 cấp dưới đạt HTNV trở lên" in step["formula"]
        assert "Phòng Kinh tế, Phòng Tài chính" in step["formula"]


def test_head_counts_everyone_in_the_unit(tenant_a, ward_a):
    """The head (of the office, the unit's head) counts everyone posted in the unit with work in
    the period: the deputy, An, Bình, Cúc and Lái (Lái is the deputy's report, not the head's)
    → team of 5, Bình fails → 50%. Direct reports alone gave 4 (no Lái). The head is scored
    after the deputy in the same pass: nobody is pending for them."""
    ward = _build(tenant_a, ward_a)
    _assign_fields(tenant_a, ward)
    with tenant_context(tenant_a):
        period = _month(tenant_a, ward)
        _work(tenant_a, ward, "head", quantity=1, completed=1)
        scores.score_people(period)
        db.session.commit()
        leader = _stored(ward["head"]).inputs["leader"]
        assert (leader["team_size"], leader["team_pending"]) == (5, 0)
        assert leader["unit_results"] == "50"
        assert "team_units" not in leader


def test_deputy_without_a_field_in_the_period_counts_direct_reports(tenant_a, ward_a):
    """Fields that ended before November leave the old rule: Lái alone, 1 / 1 → 100%."""
    ward = _build(tenant_a, ward_a)
    _assign_fields(tenant_a, ward, ends_on=date(2026, 10, 31))
    with tenant_context(tenant_a):
        period = _month(tenant_a, ward)
        scores.score_people(period)
        db.session.commit()
        leader = _stored(ward["deputy"]).inputs["leader"]
        assert leader["unit_results"] == "100"
        assert (leader["team_size"], leader["team_passing"]) == (1, 1)
        assert "team_units" not in leader


def test_rescoring_a_division_member_rescores_their_deputy(tenant_a, ward_a):
    """Bình's report corrected to 7 of 7 (HTXS): the deputy, who is not Bình's manager, is
    re-scored to 3 / 3 → 100%."""
    ward = _build(tenant_a, ward_a)
    _assign_fields(tenant_a, ward)
    with tenant_context(tenant_a):
        period = _month(tenant_a, ward)
        scores.score_people(period)
        db.session.commit()
        assert _stored(ward["deputy"]).inputs["leader"]["unit_results"] == "50"
        db.session.execute(
            sa.update(Report)
            .where(
                Report.assignment_id.in_(
                    sa.select(Assignment.id).where(Assignment.staff_id == ward["binh"])
                )
            )
            .values(completed=7)
        )
        scores.rescore_person(period, ward["binh"])
        db.session.commit()
        assert _stored(ward["binh"]).grade == "HTXS"
        leader = _stored(ward["deputy"]).inputs["leader"]
        assert (leader["unit_results"], leader["team_passing"]) == ("100", 3)


def test_chain_deputy_stage_goes_to_the_deputy_in_charge_of_the_division(tenant_a, ward_a):
    """Both vice-chairmen sit in the committee above every division; with the fields Cúc (Kinh
    tế) and Bình (Tổ Ngân sách, below Tài chính) have only Phó; the clerk of the office, whose
    division nobody is assigned, keeps the old rule (both)."""
    ward = _build(tenant_a, ward_a)
    _assign_fields(tenant_a, ward)
    with tenant_context(tenant_a):
        found = chain.deputies_in_charge([ward["cuc"], ward["binh"], ward["clerk"]])
        assert found[ward["cuc"]] == {ward["deputy"]}
        assert found[ward["binh"]] == {ward["deputy"]}
        assert found[ward["clerk"]] == {ward["deputy"], ward["deputy2"]}


# --- the service and its validation


def test_unit_admin_assigns_a_field_and_it_is_audited(factory, tenant_a, ward_a):
    ward = _build(tenant_a, ward_a)
    admin = factory.user(tenant_a, "quantri", ("unit_admin",), full_name="Quản Trị")
    with tenant_context(tenant_a):
        deputy = db.session.get(StaffMember, (tenant_a.id, ward["deputy"]))
        data = DeputyFieldSchema().load(
            {"org_unit_id": str(ward["kt"]), "starts_on": "2026-01-01",
             "reference": "QĐ 12/QĐ-UBND"}
        )  # fmt: skip
        row = deputy_fields.assign(deputy, data, actor=admin)
        db.session.commit()
        assert (row.org_unit_id, row.ends_on, row.recorded_by) == (ward["kt"], None, admin.id)
        event = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "deputy_field.assigned")
        ).scalar_one()
        assert str(event.object_id) == str(row.id)
        with pytest.raises(Conflict) as clash:
            deputy_fields.assign(deputy, {**data, "starts_on": date(2026, 6, 1)}, actor=admin)
        assert "Phòng Kinh tế đã được phân công" in clash.value.message
        deputy_fields.remove(row, actor=admin)
        db.session.commit()
        assert db.session.execute(sa.select(DeputyField)).first() is None
        assert db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "deputy_field.removed")
        ).scalar_one()


def test_only_the_unit_admin_assigns_and_only_to_a_deputy(factory, tenant_a, ward_a):
    ward = _build(tenant_a, ward_a)
    admin = factory.user(tenant_a, "quantri", ("unit_admin",), full_name="Quản Trị")
    data = {"org_unit_id": ward["kt"], "starts_on": date(2026, 1, 1), "reference": "QĐ 12"}
    with tenant_context(tenant_a):
        manager = db.session.get(User, (tenant_a.id, ward["head_user"]))
        deputy = db.session.get(StaffMember, (tenant_a.id, ward["deputy"]))
        clerk = db.session.get(StaffMember, (tenant_a.id, ward["clerk"]))
        with pytest.raises(ServiceError) as refused:
            deputy_fields.assign(deputy, data, actor=manager)
        assert refused.value.status == 403
        with pytest.raises(ServiceError) as not_deputy:
            deputy_fields.assign(clerk, data, actor=admin)
        assert "cấp phó" in not_deputy.value.message


def test_schema_messages_are_vietnamese(app):
    with app.test_request_context():
        with pytest.raises(ValidationError) as bad:
            DeputyFieldSchema().load(
                {"org_unit_id": "x", "starts_on": "2026-05-01", "ends_on": "2026-04-01",
                 "reference": "QĐ"}
            )  # fmt: skip
        assert "org_unit_id" in bad.value.messages
        assert translate_validation(bad.value.messages)["org_unit_id"] == [
            "Mã định danh không hợp lệ."
        ]
        assert bad.value.messages["reference"] == [
            "Số quyết định phân công cần từ 3 đến 100 ký tự."
        ]


def test_a_field_of_another_unit_is_not_read(factory, tenant_a, tenant_b, ward_a):
    """Tenant B's field naming tenant A's ids is refused; B's fields never reach A's scores."""
    from tests.evaluation.conftest import build_ward

    ward = _build(tenant_a, ward_a)
    ward_b = build_ward(factory, tenant_b, "b")
    with tenant_context(tenant_b):
        db.session.add(
            DeputyField(
                staff_id=ward_b["head"], org_unit_id=ward_b["body"], starts_on=date(2026, 1, 1),
                reference="QĐ B",
            )
        )  # fmt: skip
        db.session.commit()
    with tenant_context(tenant_a):
        assert deputy_fields.fields_in(date(2026, 11, 1), date(2026, 11, 30)) == {}
        assert deputy_fields.list_fields() == []
        found = chain.deputies_in_charge([ward["cuc"]])
        assert found[ward["cuc"]] == {ward["deputy"], ward["deputy2"]}


# --- the page on the person's record


def _page(staff_id, slug="phuong-a"):
    return f"/t/{slug}/staff/{staff_id}/fields"


def test_page_assigns_a_division_and_refuses_bad_input_in_vietnamese(
    client, tenant_a, ward_a, admin_a
):
    from tests.helpers import login, post_form

    ward = _build(tenant_a, ward_a)
    login(client, "phuong-a", "admin.a")
    form = {"org_unit_id": str(ward["tc"]), "starts_on": "2026-01-01", "ends_on": "",
            "reference": "QĐ 12/QĐ-UBND"}  # fmt: skip
    assert post_form(client, _page(ward["deputy"]), form).status_code == 302
    page = client.get(_page(ward["deputy"])).get_data(as_text=True)
    assert "Phòng Tài chính" in page and "QĐ 12/QĐ-UBND" in page
    bad = post_form(client, _page(ward["deputy"]), {**form, "ends_on": "2025-12-31"})
    assert bad.status_code == 400
    assert "Ngày kết thúc không được trước ngày bắt đầu." in bad.get_data(as_text=True)
    with tenant_context(tenant_a):
        assert len(deputy_fields.list_fields()) == 1


def test_page_of_another_unit_is_not_found(client, factory, tenant_a, tenant_b, ward_a):
    """Ward B's administrator can neither open a ward A deputy's page nor remove A's field."""
    from tests.evaluation.conftest import build_ward
    from tests.helpers import login, post_form

    ward = _build(tenant_a, ward_a)
    _assign_fields(tenant_a, ward)
    factory.user(tenant_b, "admin.b", ("unit_admin",), full_name="Quản Trị B")
    ward_b = build_ward(factory, tenant_b, "-b")
    with tenant_context(tenant_a):
        field_id = deputy_fields.list_fields()[0].id
    login(client, "phuong-b", "admin.b")
    own = _page(ward_b["head"], "phuong-b")
    assert client.get(_page(ward["deputy"], "phuong-b")).status_code == 404
    form = {"org_unit_id": str(ward["tc"]), "starts_on": "2026-01-01", "reference": "QĐ B"}
    posted = post_form(client, _page(ward["deputy"], "phuong-b"), form, page=own)
    assert posted.status_code == 404
    removed = post_form(client, f"/t/phuong-b/deputy-fields/{field_id}/remove", {}, page=own)
    assert removed.status_code == 404
    with tenant_context(tenant_a):
        assert len(deputy_fields.list_fields()) == 2
