"""Absences (leave with its document): the unit administrator's or a manager's list and form."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField

from blueprints.workspace.common import bp
from blueprints.workspace.forms import DATE
from tenant_app.auth import tenant_user_required
from tenant_app.models.staff import ABSENCE_KIND_LABELS
from tenant_app.schemas.absences import AbsenceSchema
from tenant_app.services.workspace import absences
from tenant_app.web import load_form, or_404, saving

FIELDS = ("kind", "starts_on", "ends_on", "reference", "note")


class AbsenceForm(FlaskForm):
    """Rendering and CSRF only: the values are checked by ``AbsenceSchema`` and the service."""

    staff_id = SelectField(_l("Người vắng mặt"), validate_choice=False)
    kind = SelectField(_l("Loại"), validate_choice=False)
    starts_on = StringField(_l("Từ ngày"), render_kw=DATE)
    ends_on = StringField(_l("Đến hết ngày"), render_kw=DATE)
    reference = StringField(_l("Số quyết định, văn bản"))
    note = TextAreaField(_l("Ghi chú"))
    submit = SubmitField(_l("Ghi vắng mặt"))


@bp.route("/absences", methods=["GET", "POST"])
@tenant_user_required("unit_admin", "manager")
def absences_page():
    if not absences.may_record(current_user):
        abort(403)
    people = absences.recordable_people(current_user)
    by_id = {str(p.id): p for p in people}
    form = AbsenceForm()
    form.staff_id.choices = [(str(p.id), f"{p.full_name} ({p.code})") for p in people]
    form.kind.choices = [(k, str(v)) for k, v in ABSENCE_KIND_LABELS.items()]
    chosen = request.args.get("staff", "")
    if request.method == "GET" and chosen in by_id:
        form.staff_id.data = chosen
    if request.method == "POST" and form.validate_on_submit():
        person = by_id.get(form.staff_id.data or "")
        if person is None:
            abort(404)
        data = load_form(form, AbsenceSchema(), FIELDS, blank_to_none=("note",))
        if data is not None:
            with saving(form, fallback="reference") as saved:
                absences.record(person, data, actor=current_user)
            if saved.ok:
                flash(_("Đã ghi vắng mặt của %(name)s.", name=person.full_name), "success")
                return redirect(url_for("workspace.absences_page", staff=person.id))
    if chosen in by_id:
        rows = absences.list_absences([by_id[chosen].id])
    elif current_user.has_role("unit_admin"):
        rows = absences.list_absences()  # people who have left included
    else:
        rows = absences.list_absences([p.id for p in people])
    errors = bool(form.errors) or any(f.errors for f in form)
    return render_template(
        "workspace/absences.html",
        form=form,
        rows=rows,
        names=absences.names_of({r.staff_id for r in rows}),
        chosen=by_id.get(chosen),
        today=date.today(),
    ), 400 if errors else 200


@bp.post("/absences/<absence_id>/remove")
@tenant_user_required("unit_admin", "manager")
def absence_remove(absence_id: str):
    row = or_404(absences.get_absence, absence_id)
    staff_id = row.staff_id
    with saving(flash_error=True) as saved:
        absences.remove(row, actor=current_user)
    if saved.ok:
        flash(_("Đã xóa thông tin vắng mặt %(ref)s.", ref=row.reference), "success")
    return redirect(url_for("workspace.absences_page", staff=staff_id))
