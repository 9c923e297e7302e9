"""The console's template pages: structured editor, JSON mode, import, diff, publish, roles."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.rollout import TemplateVersion
from tenant_app.services.rollout import template_workbook, templates
from tests.helpers import csrf_token, login


def _editor_form(version) -> dict:
    """The editor's fields for ``version`` as the page would post them unchanged."""
    payload = version.payload
    form: dict = {"rule_set": payload["scoring"]["rule_set"],
                  "period_kind": payload["schedule"]["period_kind"],
                  "chain": payload["approval"]["chain"],
                  "income_scheme": payload["income"]["scheme"], "income_settings": "",
                  "params_extra": "", "notes": ""}  # fmt: skip
    for name, value in payload["scoring"]["params"].items():
        form[f"param_{name}"] = value
    for name, value in payload["schedule"]["windows"].items():
        form[f"window_{name}"] = str(value)
    for key in ("code", "name", "position_group", "description"):
        form[f"pos_{key}"] = [p[key] or "" for p in payload["positions"]]
    for key in payload["items"][0]:
        values = []
        for item in payload["items"]:
            value = item[key]
            if key == "positions":
                value = "; ".join(value)
            elif key == "bands":
                value = ""
            elif key == "mandatory":
                value = "1" if value else "0"
            values.append("" if value is None else value)
        form[f"item_{key}"] = values
    return form


def _draft(template, payload):
    draft = templates.create_draft(template, payload)
    db.session.commit()
    return draft


def test_console_editor_saves_a_changed_coefficient(admin_client, template, payload):
    """Changing one coefficient in the items table saves exactly that change."""
    draft = _draft(template, payload)
    url = f"/admin/templates/{template.id}/versions/{draft.id}/edit"
    form = _editor_form(draft)
    index = form["item_canonical_code"].index("TH.SP01")
    form["item_coefficient"][index] = "0.55"
    before = draft.payload
    response = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url), **form})
    assert response.status_code == 302
    db.session.expire_all()
    changes = templates.diff_payloads(before, db.session.get(TemplateVersion, draft.id).payload)
    assert [(c["key"], c["field"], c["new"]) for c in changes] == [
        ("TH.SP01", "coefficient", "0.55")
    ]


def test_console_editor_reads_numbers_the_vietnamese_way(admin_client, template, payload):
    """A coefficient typed "0,55" and a quota ratio "0,2" are 0.55 and 0.2, as in every form."""
    draft = _draft(template, payload)
    url = f"/admin/templates/{template.id}/versions/{draft.id}/edit"
    form = _editor_form(draft)
    index = form["item_canonical_code"].index("TH.SP01")
    form["item_coefficient"][index] = "0,55"
    form["param_quota_ratio"] = "0,2"
    response = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url), **form})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    saved = db.session.get(TemplateVersion, draft.id).payload
    item = next(i for i in saved["items"] if i["canonical_code"] == "TH.SP01")
    assert item["coefficient"] == "0.55"
    assert str(saved["scoring"]["params"]["quota_ratio"]) == "0.2"


def test_console_editor_shows_row_and_field_errors_in_vietnamese(admin_client, template, payload):
    """A bad value is refused with the table, row, code and field named; nothing is saved."""
    draft = _draft(template, payload)
    url = f"/admin/templates/{template.id}/versions/{draft.id}/edit"
    form = _editor_form(draft)
    index = form["item_canonical_code"].index("TH.SP01")
    form["item_coefficient"][index] = "-1"
    before = draft.payload
    response = admin_client.post(url, data={"csrf_token": csrf_token(admin_client, url), **form})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert (
        f"Danh mục – dòng {index + 1} (TH.SP01), Hệ số quy đổi: Hệ số quy đổi phải lớn hơn 0."
        in html
    )
    db.session.expire_all()
    assert db.session.get(TemplateVersion, draft.id).payload == before


def test_console_json_mode_refuses_invalid_json(admin_client, template, payload):
    """The advanced JSON editor refuses text that is not JSON and keeps the draft."""
    draft = _draft(template, payload)
    url = f"/admin/templates/{template.id}/versions/{draft.id}/json"
    response = admin_client.post(
        url, data={"csrf_token": csrf_token(admin_client, url), "payload": "{không phải json"}
    )
    assert response.status_code == 400
    assert "JSON không hợp lệ" in response.get_data(as_text=True)


def test_console_published_version_has_no_editor(admin_client, published):
    """The editor of a published version redirects with a refusal, and a POST changes nothing."""
    url = f"/admin/templates/{published.template_id}/versions/{published.id}/edit"
    response = admin_client.get(url, follow_redirects=True)
    assert "Phiên bản đã ban hành không thể sửa" in response.get_data(as_text=True)
    token = csrf_token(admin_client, f"/admin/templates/{published.template_id}")
    before = published.payload
    admin_client.post(url, data={"csrf_token": token, "rule_set": "nd335_2025"})
    db.session.expire_all()
    assert db.session.get(TemplateVersion, published.id).payload == before


def test_console_imports_xlsx_into_a_draft(admin_client, published):
    """A workbook exported from v1 and edited comes back as draft v2 with that one change."""
    payload = dict(published.payload)
    payload["items"] = [dict(i) for i in payload["items"]]
    payload["items"][0]["target"] = "95"
    data = template_workbook.workbook(payload)
    url = f"/admin/templates/{published.template_id}/import"
    token = csrf_token(admin_client, f"/admin/templates/{published.template_id}")
    response = admin_client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(data), "bo-chi-so.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    draft = db.session.execute(
        sa.select(TemplateVersion).where(TemplateVersion.status == "draft")
    ).scalar_one()
    changes = templates.diff_payloads(published.payload, draft.payload)
    assert [(c["key"], c["field"], c["new"]) for c in changes] == [("TH.CT01", "target", "95")]


def test_console_import_names_sheet_and_row_of_a_bad_value(admin_client, published):
    """A bad coefficient in the workbook is reported with its sheet row; no draft is made."""
    payload = dict(published.payload)
    payload["items"] = [dict(i) for i in payload["items"]]
    payload["items"][1]["coefficient"] = "abc"
    token = csrf_token(admin_client, f"/admin/templates/{published.template_id}")
    response = admin_client.post(
        f"/admin/templates/{published.template_id}/import",
        data={"csrf_token": token,
              "file": (io.BytesIO(template_workbook.workbook(payload)), "x.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )  # fmt: skip
    assert "Danh mục – dòng 3 (TH.SP01), Hệ số quy đổi: Phải là số." in response.get_data(
        as_text=True
    )
    assert (
        db.session.execute(
            sa.select(TemplateVersion).where(TemplateVersion.status == "draft")
        ).first()
        is None
    )


def test_console_diff_page_shows_each_change(admin_client, published, payload):
    """The diff page names the item, the field and both values."""
    template = templates.get_template(published.template_id)
    payload["items"][0]["coefficient"] = "0.45"
    draft = _draft(template, payload)
    response = admin_client.get(
        f"/admin/templates/{template.id}/versions/{draft.id}/diff?against={published.id}"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 thay đổi" in html
    assert "TH.SP01" in html and "Hệ số quy đổi" in html
    assert "<td>0.5</td>" in html and "<td>0.45</td>" in html


def test_console_publish_button_publishes_the_draft(admin_client, template, payload):
    """Publishing from the console makes the version published."""
    draft = _draft(template, payload)
    page = f"/admin/templates/{template.id}/versions/{draft.id}"
    response = admin_client.post(
        f"{page}/publish", data={"csrf_token": csrf_token(admin_client, page), "confirm": "yes"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TemplateVersion, draft.id).status == "published"


def test_console_publish_refused_without_confirmation(admin_client, template, payload):
    """Publishing without ticking the confirmation box changes nothing and says why; the form
    states what publishing does."""
    draft = _draft(template, payload)
    page = f"/admin/templates/{template.id}/versions/{draft.id}"
    html = admin_client.get(page).get_data(as_text=True)
    assert 'name="confirm"' in html and "không sửa được nữa" in html
    response = admin_client.post(
        f"{page}/publish", data={"csrf_token": csrf_token(admin_client, page)},
        follow_redirects=True,
    )  # fmt: skip
    assert "Hãy đánh dấu ô xác nhận trước khi ban hành." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(TemplateVersion, draft.id).status == "draft"


PAGES = [
    "/admin/templates/",
    "/admin/templates/{t}",
    "/admin/templates/{t}/versions/{v}",
    "/admin/templates/{t}/versions/{v}/export.json",
    "/admin/onboarding/",
    "/admin/units",
]


@pytest.mark.parametrize("page", PAGES)
def test_console_auditor_is_refused(client, auditor, published, page):
    """An auditor (read-only province role) gets 403 on templates, onboarding and units."""
    login(client, None, "tinh.thanhtra")
    url = page.format(t=published.template_id, v=published.id)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_console_tenant_user_is_not_served(client, tenant_a, admin_a, published, page):
    """A unit administrator signed in to their unit is sent to the province sign-in page."""
    login(client, "phuong-a", "admin.a")
    url = page.format(t=published.template_id, v=published.id)
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login")
