"""Workspace screen of a person's salary history and concurrent posts (unit administrator)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.workspace.common import bp
from blueprints.workspace.forms import ConcurrentPostForm, SalaryChangeForm, form_data
from blueprints.workspace.helpers import or_404, position_choices, unit_choices
from tenant_app.auth import tenant_user_required
from tenant_app.formatting import vn_date, vn_number
from tenant_app.forms import ActionForm
from tenant_app.services.workspace import salaries, staff
from tenant_app.web import saving


def _money(value) -> str:
    return vn_number(value, 0)


def _page(person, salary_form=None, post_form=None, status=200):
    post_form = post_form or ConcurrentPostForm(formdata=None)
    post_form.position_id.choices = position_choices(empty="—")
    post_form.org_unit_id.choices = unit_choices(empty="—")
    changes = [
        {
            "id": c.id,
            "from": vn_date(c.effective_from),
            "amount": _money(c.monthly_salary),
            "decision": c.decision_ref or "",
        }
        for c in salaries.changes_of(person)
    ]
    posts = [
        {
            "id": p.id,
            "position": p.position.name,
            "from": vn_date(p.effective_from),
            "to": vn_date(p.effective_to),
            "amount": _money(p.monthly_salary),
            "decision": p.decision_ref or "",
        }
        for p in salaries.posts_of(person)
    ]
    return (
        render_template(
            "workspace/staff_income.html",
            person=person,
            record_salary=_money(person.monthly_salary),
            changes=changes,
            posts=posts,
            salary_form=salary_form or SalaryChangeForm(formdata=None),
            post_form=post_form,
            action_form=ActionForm(formdata=None),
        ),
        status,
    )


@bp.get("/staff/<staff_id>/income")
@tenant_user_required("unit_admin")
def staff_income(staff_id: str):
    """The person's salary history and concurrent posts, with forms to add to them."""
    return _page(or_404(staff.get_staff, staff_id))


@bp.post("/staff/<staff_id>/income/salary")
@tenant_user_required("unit_admin")
def staff_salary_add(staff_id: str):
    person = or_404(staff.get_staff, staff_id)
    form = SalaryChangeForm()
    if form.validate_on_submit():
        with saving(form, fallback="monthly_salary") as saved:
            salaries.record_salary_change(
                person, form_data(form, salaries.SALARY_FIELDS), actor=current_user
            )
        if saved.ok:
            flash(_("Đã ghi nhận mức lương."), "success")
            return redirect(url_for("workspace.staff_income", staff_id=person.id))
    return _page(person, salary_form=form, status=400)


@bp.post("/staff/<staff_id>/income/salary/<change_id>/delete")
@tenant_user_required("unit_admin")
def staff_salary_delete(staff_id: str, change_id: str):
    person = or_404(staff.get_staff, staff_id)
    change = or_404(lambda key: salaries.get_change(person, key), change_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with saving() as saved:
        salaries.delete_salary_change(person, change, actor=current_user)
    if saved.ok:
        flash(_("Đã xóa mức lương."), "success")
    return redirect(url_for("workspace.staff_income", staff_id=person.id))


@bp.post("/staff/<staff_id>/income/posts")
@tenant_user_required("unit_admin")
def staff_post_add(staff_id: str):
    person = or_404(staff.get_staff, staff_id)
    form = ConcurrentPostForm()
    form.position_id.choices = position_choices(empty="—")
    form.org_unit_id.choices = unit_choices(empty="—")
    if form.validate_on_submit():
        with saving(form, fallback="position_id") as saved:
            salaries.add_concurrent_post(
                person, form_data(form, salaries.POST_FIELDS), actor=current_user
            )
        if saved.ok:
            flash(_("Đã thêm chức vụ kiêm nhiệm."), "success")
            return redirect(url_for("workspace.staff_income", staff_id=person.id))
    return _page(person, post_form=form, status=400)


@bp.post("/staff/<staff_id>/income/posts/<post_id>/delete")
@tenant_user_required("unit_admin")
def staff_post_delete(staff_id: str, post_id: str):
    person = or_404(staff.get_staff, staff_id)
    post = or_404(lambda key: salaries.get_post(person, key), post_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    with saving() as saved:
        salaries.delete_concurrent_post(post, actor=current_user)
    if saved.ok:
        flash(_("Đã xóa chức vụ kiêm nhiệm."), "success")
    return redirect(url_for("workspace.staff_income", staff_id=person.id))
