"""Workspace screen of a person's salary history and concurrent posts (unit administrator)."""

from __future__ import annotations

import functools

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


def _added(person, form, add, fields, *, fallback: str, done: str, form_key: str):
    """Record what ``form`` posted with ``add`` (a service taking the person, the values of
    ``fields`` and the actor), then back to the income page; else the page with the form's
    errors (under ``form_key``)."""
    if form.validate_on_submit():
        with saving(form, fallback=fallback) as saved:
            add(person, form_data(form, fields), actor=current_user)
        if saved.ok:
            flash(done, "success")
            return redirect(url_for("workspace.staff_income", staff_id=person.id))
    return _page(person, status=400, **{form_key: form})


def _deleted(person, remove, *, done: str):
    """Run ``remove`` (a deletion taking the actor) after the action form's CSRF check, then
    back to the income page."""
    if not ActionForm().validate_on_submit():
        abort(400)
    with saving() as saved:
        remove(actor=current_user)
    if saved.ok:
        flash(done, "success")
    return redirect(url_for("workspace.staff_income", staff_id=person.id))


@bp.post("/staff/<staff_id>/income/salary")
@tenant_user_required("unit_admin")
def staff_salary_add(staff_id: str):
    person = or_404(staff.get_staff, staff_id)
    return _added(
        person, SalaryChangeForm(), salaries.record_salary_change, salaries.SALARY_FIELDS,
        fallback="monthly_salary", done=_("Đã ghi nhận mức lương."), form_key="salary_form",
    )  # fmt: skip


@bp.post("/staff/<staff_id>/income/salary/<change_id>/delete")
@tenant_user_required("unit_admin")
def staff_salary_delete(staff_id: str, change_id: str):
    person = or_404(staff.get_staff, staff_id)
    change = or_404(lambda key: salaries.get_change(person, key), change_id)
    return _deleted(
        person,
        functools.partial(salaries.delete_salary_change, person, change),
        done=_("Đã xóa mức lương."),
    )


@bp.post("/staff/<staff_id>/income/posts")
@tenant_user_required("unit_admin")
def staff_post_add(staff_id: str):
    person = or_404(staff.get_staff, staff_id)
    form = ConcurrentPostForm()
    form.position_id.choices = position_choices(empty="—")
    form.org_unit_id.choices = unit_choices(empty="—")
    return _added(
        person, form, salaries.add_concurrent_post, salaries.POST_FIELDS,
        fallback="position_id", done=_("Đã thêm chức vụ kiêm nhiệm."), form_key="post_form",
    )  # fmt: skip


@bp.post("/staff/<staff_id>/income/posts/<post_id>/delete")
@tenant_user_required("unit_admin")
def staff_post_delete(staff_id: str, post_id: str):
    person = or_404(staff.get_staff, staff_id)
    post = or_404(lambda key: salaries.get_post(person, key), post_id)
    return _deleted(
        person,
        functools.partial(salaries.delete_concurrent_post, post),
        done=_("Đã xóa chức vụ kiêm nhiệm."),
    )
