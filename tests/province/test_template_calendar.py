"""The calendar's own settings in the template (``schedule.calendar``): validation in Vietnamese,
editor, workbook, payload view and diff, and the rollout writing ``Tenant.settings["calendar"]``
that ``lateness`` reads (issue 18 item 1)."""

from __future__ import annotations

import copy
import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.audit import AuditEvent
from tenant_app.models.rollout import TemplateVersion
from tenant_app.models.tenants import Tenant
from tenant_app.services.evaluation import lateness
from tenant_app.services.rollout import template_workbook, templates
from tenant_app.services.rollout.template_payload import (
    PayloadInvalid,
    describe_errors,
    diff_payloads,
    field_label,
    validate_payload,
)
from tenant_app.tenancy import tenant_context
from tests.helpers import csrf_token
from tests.province.rollout_helpers import fresh, make_version, payload_v1, roll
from tests.province.test_template_console import _editor_form

DEFAULTS = {"auto_close": True, "auto_lock": True, "lock_after_days": 5, "annual_deadline": "12-15"}


def _errors(data) -> dict:
    with pytest.raises(PayloadInvalid) as caught:
        validate_payload(data)
    return caught.value.errors


def _calendar(tenant) -> dict:
    db.session.expire_all()
    return lateness.settings(fresh(tenant))


def test_calendar_absent_from_a_payload_takes_the_defaults(app, payload):
    """A payload without ``schedule.calendar`` (a version made before it) loads with the
    defaults, and an old stored payload differs from its canonical form in nothing."""
    result = validate_payload(payload)
    assert result["schedule"]["calendar"] == DEFAULTS
    stored_before = copy.deepcopy(result)
    del stored_before["schedule"]["calendar"]
    assert diff_payloads(stored_before, result) == []
    assert validate_payload(stored_before) == result


def test_calendar_values_are_kept_and_typed(app, payload):
    """Yes/no and a whole number as a spreadsheet or form gives them become bool and int."""
    payload["schedule"]["calendar"] = {
        "auto_close": "Không", "auto_lock": "1", "lock_after_days": "7.0",
        "annual_deadline": "01-15",
    }  # fmt: skip
    assert validate_payload(payload)["schedule"]["calendar"] == {
        "auto_close": False, "auto_lock": True, "lock_after_days": 7, "annual_deadline": "01-15",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("lock_after_days", 61,
         "Số ngày khóa kỳ sau hạn phê duyệt phải là số nguyên từ 0 đến 60."),
        ("lock_after_days", 2.5,
         "Số ngày khóa kỳ sau hạn phê duyệt phải là số nguyên từ 0 đến 60."),
        ("lock_after_days", True,
         "Số ngày khóa kỳ sau hạn phê duyệt phải là số nguyên từ 0 đến 60."),
        ("annual_deadline", "02-30",
         "Hạn xếp loại cả năm phải là “12-15” (15/12) hoặc “01-15” (15/01 năm sau)."),
        ("auto_close", "có lẽ", "Tự động đóng kỳ phải là “Có” hoặc “Không”."),
    ],
)  # fmt: skip
def test_calendar_validation_names_the_field_in_vietnamese(app, payload, key, value, message):
    """Each bad value is refused by path with a Vietnamese message naming the setting."""
    payload["schedule"]["calendar"] = {key: value}
    errors = _errors(payload)
    assert errors == {f"schedule.calendar.{key}": [message]}
    (line,) = describe_errors(errors, payload)
    assert line == f"Lịch kỳ đánh giá, {field_label('calendar.' + key)}: {message}"


def test_calendar_validation_refuses_an_unknown_key(app, payload):
    payload["schedule"]["calendar"] = {"auto_open": True}
    assert list(_errors(payload)) == ["schedule.calendar.auto_open"]


def test_calendar_diff_is_labelled_in_words(app, payload):
    """A changed deadline is one change of the schedule, labelled in Vietnamese words."""
    old = validate_payload(payload)
    payload["schedule"]["calendar"] = {"annual_deadline": "01-15"}
    (change,) = diff_payloads(old, validate_payload(payload))
    assert (change["section"], change["field"], change["old"], change["new"]) == (
        "schedule", "calendar.annual_deadline", "12-15", "01-15",
    )  # fmt: skip
    assert field_label(change["field"]) == "Lịch tự động: Hạn xếp loại cả năm"
    assert field_label("calendar.lock_after_days") == (
        "Lịch tự động: Số ngày khóa kỳ sau hạn phê duyệt"
    )


def test_calendar_workbook_round_trip_and_old_workbooks(app, payload):
    """The "Tham số" sheet carries the four settings (yes/no as words) and reads them back; a
    workbook without them (made before) gives the defaults; a deadline Excel turned into a
    date still reads."""
    payload["schedule"]["calendar"] = {"auto_lock": False, "lock_after_days": 9,
                                       "annual_deadline": "01-15"}  # fmt: skip
    canonical = validate_payload(payload)
    data = template_workbook.workbook(canonical)
    book = openpyxl.load_workbook(io.BytesIO(data))
    rows = {r[0]: r[1] for r in book["Tham số"].iter_rows(min_row=2, values_only=True)}
    assert rows["schedule.calendar.auto_lock"] == "Không"
    assert rows["schedule.calendar.annual_deadline"] == "01-15"
    assert template_workbook.payload_from_workbook(data) == canonical

    sheet = book["Tham số"]
    for row in list(sheet.iter_rows(min_row=2)):
        if row[0].value == "schedule.calendar.annual_deadline":
            row[1].value = date(2026, 1, 15)  # "01-15" typed into Excel
    out = io.BytesIO()
    book.save(out)
    assert template_workbook.payload_from_workbook(out.getvalue()) == canonical

    for row in list(sheet.iter_rows(min_row=2)):
        if str(row[0].value).startswith("schedule.calendar."):
            row[0].value = row[1].value = None
    out = io.BytesIO()
    book.save(out)
    read = template_workbook.payload_from_workbook(out.getvalue())
    assert read["schedule"]["calendar"] == DEFAULTS


def test_calendar_workbook_bad_value_names_the_row_field(app, payload):
    canonical = validate_payload(payload)
    canonical["schedule"]["calendar"]["lock_after_days"] = 90
    with pytest.raises(PayloadInvalid) as caught:
        template_workbook.payload_from_workbook(template_workbook.workbook(canonical))
    assert caught.value.errors == {
        "_file": [
            "Lịch kỳ đánh giá, Lịch tự động: Số ngày khóa kỳ sau hạn phê duyệt: "
            "Số ngày khóa kỳ sau hạn phê duyệt phải là số nguyên từ 0 đến 60."
        ]
    }


def test_calendar_old_version_exports_and_shows_defaults(admin_client, template, payload):
    """A version stored before the calendar existed exports and shows the defaults."""
    draft = templates.create_draft(template, payload)
    stored = copy.deepcopy(draft.payload)
    del stored["schedule"]["calendar"]
    draft.payload = stored
    db.session.commit()
    base = f"/admin/templates/{template.id}/versions/{draft.id}"
    page = admin_client.get(base).get_data(as_text=True)
    assert "Lịch tự động" in page and "15 tháng 12 của năm" in page
    data = admin_client.get(f"{base}/export.xlsx").get_data()
    read = template_workbook.payload_from_workbook(data)
    assert read["schedule"]["calendar"] == DEFAULTS


def test_calendar_editor_refuses_a_bad_number_beside_the_field(admin_client, template, payload):
    """61 days is refused in Vietnamese naming the setting; the draft keeps its value."""
    draft = templates.create_draft(template, payload)
    db.session.commit()
    url = f"/admin/templates/{template.id}/versions/{draft.id}/edit"
    form = {**_editor_form(draft), "calendar_lock_after_days": "61"}
    response = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url), **form})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Số ngày khóa kỳ sau hạn phê duyệt phải là số nguyên từ 0 đến 60." in text
    db.session.expire_all()
    assert db.session.get(TemplateVersion, draft.id).payload["schedule"]["calendar"] == DEFAULTS


def test_calendar_round_trip_editor_workbook_rollout_lateness(
    admin_client, template, payload, tenant_a, tenant_b, province_admin
):
    """Editor form → version payload → workbook → published version → rollout to unit A only:
    A classifies by 15 January (``annual_deadline(2026) == 2027-01-15``) and its calendar
    settings are audited with the rollout's settings; unit B keeps the defaults."""
    draft = templates.create_draft(template, payload)
    db.session.commit()
    url = f"/admin/templates/{template.id}/versions/{draft.id}/edit"
    page = admin_client.get(url).get_data(as_text=True)
    assert 'name="calendar_annual_deadline"' in page and "15 tháng 1 năm sau" in page
    form = {
        **_editor_form(draft),
        "calendar_auto_close": "1",
        "calendar_auto_lock": "0",
        "calendar_lock_after_days": "12",
        "calendar_annual_deadline": "01-15",
    }
    response = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url), **form})
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    db.session.expire_all()
    edited = db.session.get(TemplateVersion, draft.id).payload
    wanted = {"auto_close": True, "auto_lock": False, "lock_after_days": 12,
              "annual_deadline": "01-15"}  # fmt: skip
    assert edited["schedule"]["calendar"] == wanted
    shown = admin_client.get(f"/admin/templates/{template.id}/versions/{draft.id}")
    assert "15 tháng 1 năm sau" in shown.get_data(as_text=True)

    # the editor posted without the calendar's fields keeps the draft's calendar
    bare = _editor_form(db.session.get(TemplateVersion, draft.id))
    assert admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url), **bare})
    db.session.expire_all()
    assert db.session.get(TemplateVersion, draft.id).payload["schedule"]["calendar"] == wanted

    from_book = template_workbook.payload_from_workbook(template_workbook.workbook(edited))
    assert from_book == edited
    version = make_version(from_book, 1)
    roll(version, [tenant_a], actor=province_admin)

    assert _calendar(tenant_a) == wanted
    with tenant_context(fresh(tenant_a)):
        assert lateness.annual_deadline(2026) == date(2027, 1, 15)
    assert _calendar(tenant_b) == DEFAULTS
    assert lateness.annual_deadline(2026, fresh(tenant_b)) == date(2026, 12, 15)
    assert "calendar" not in (db.session.get(Tenant, tenant_b.id).settings or {})

    with tenant_context(fresh(tenant_a)):
        changed = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.action == "configuration.settings_changed")
        ).scalar_one()
        assert changed.after["calendar"] == wanted and changed.before["calendar"] is None
        db.session.commit()


def test_calendar_local_override_survives_a_template_leaving_it_alone(
    app, tenant_a, province_admin
):
    """A unit rolled out with the defaults, then given "01-15" locally (the province's override),
    keeps it when a next version changes something else; a version made before the calendar
    existed leaves it too."""
    v1 = make_version(payload_v1())
    roll(v1, [tenant_a], actor=province_admin)
    assert _calendar(tenant_a) == DEFAULTS
    row = fresh(tenant_a)
    row.settings = {**row.settings, "calendar": {**DEFAULTS, "annual_deadline": "01-15"}}
    db.session.commit()

    old_style = copy.deepcopy(payload_v1())
    old_style["scoring"]["params"] = {"threshold_htxs": "92"}
    del old_style["schedule"]["calendar"]  # stored before the calendar was in the template
    v2 = make_version(old_style, 2)
    roll(v2, [tenant_a], actor=province_admin)
    db.session.expire_all()
    settings = fresh(tenant_a).settings
    assert settings["scoring_params"] == {"threshold_htxs": "92"}
    assert _calendar(tenant_a)["annual_deadline"] == "01-15"
