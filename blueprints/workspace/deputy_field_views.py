"""Deputies' fields (lĩnh vực phụ trách): the unit administrator's page on a deputy's record."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField

from blueprints.workspace.common import bp
from blueprints.workspace.forms import DATE
from tenant_app.auth import tenant_user_required
from tenant_app.schemas.deputy_fields import DeputyFieldSchema
from tenant_app.services.workspace import deputy_fields, org, staff
from tenant_app.web import load_form, or_404, saving

FIELDS = ("org_unit_id", "starts_on", "ends_on", "reference")


class DeputyFieldForm(FlaskForm):
    """Rendering and CSRF only: the values are checked by ``DeputyFieldSchema`` and the service."""

    org_unit_id = SelectField(_l("Đơn vị phụ trách"), validate_choice=False)
    starts_on = StringField(_l("Từ ngày"), render_kw=DATE)
    ends_on = StringField(_l("Đến hết ngày (để trống nếu chưa kết thúc)"), render_kw=DATE)
    reference = StringField(_l("Số quyết định phân công"))
    submit = SubmitField(_l("Phân công"))


@bp.route("/staff/<staff_id>/fields", methods=["GET", "POST"])
@tenant_user_required("unit_admin")
def deputy_fields_page(staff_id: str):
    person = or_404(staff.get_staff, staff_id)
    units = [unit for unit, _depth in org.tree()]
    form = DeputyFieldForm()
    form.org_unit_id.choices = [(str(u.id), f"{u.name} ({u.code})") for u in units]
    if request.method == "POST" and form.validate_on_submit():
        data = load_form(form, DeputyFieldSchema(), FIELDS, blank_to_none=("ends_on",))
        if data is not None:
            with saving(form, fallback="reference") as saved:
                deputy_fields.assign(person, data, actor=current_user)
            if saved.ok:
                flash(_("Đã phân công lĩnh vực phụ trách cho %(name)s.", name=person.full_name),
                      "success")  # fmt: skip
                return redirect(url_for("workspace.deputy_fields_page", staff_id=person.id))
    errors = bool(form.errors) or any(f.errors for f in form)
    return render_template(
        "workspace/deputy_fields.html",
        form=form,
        person=person,
        rows=deputy_fields.list_fields([person.id]),
        unit_names={u.id: u.name for u in units},
        is_deputy=deputy_fields.is_deputy(person.id),
    ), 400 if errors else 200


@bp.post("/deputy-fields/<field_id>/remove")
@tenant_user_required("unit_admin")
def deputy_field_remove(field_id: str):
    row = or_404(deputy_fields.get_field, field_id)
    staff_id = row.staff_id
    with saving(flash_error=True) as saved:
        deputy_fields.remove(row, actor=current_user)
    if saved.ok:
        flash(_("Đã xóa phân công lĩnh vực phụ trách %(ref)s.", ref=row.reference), "success")
    return redirect(url_for("workspace.deputy_fields_page", staff_id=staff_id))
