"""Data sources of the unit (unit administrators): settings, mappings, tokens, batches, rejected
and held records, replay and file uploads. Every write goes through the feeds services, which
audit it; ``saving`` commits or shows why not."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from blueprints.workspace.common import bp
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.forms import REQUIRED, ActionForm
from tenant_app.models.feeds import FeedBatch, FeedRecord
from tenant_app.models.vocabulary import FeedRecordStatus
from tenant_app.services.feeds import intake, processing, sources
from tenant_app.web import or_404, saving

admin_only = tenant_user_required("unit_admin")
BATCHES_SHOWN = 20
PROBLEMS_SHOWN = 200
UPLOAD_PROBLEMS_SHOWN = 50
TIME = {"type": "time"}
DAY = {"inputmode": "numeric"}


def _kinds():
    return [(str(k.value), str(v)) for k, v in sources.KIND_LABELS.items()]


def _policies():
    return [(str(k.value), str(v)) for k, v in sources.POLICY_LABELS.items()]


class SourceForm(FlaskForm):
    code = StringField(_l("Mã nguồn"), validators=[DataRequired(REQUIRED), Length(max=32)])
    name = StringField(_l("Tên nguồn"), validators=[DataRequired(REQUIRED), Length(max=200)])
    kind = SelectField(_l("Loại nguồn"), choices=_kinds, validate_choice=False)
    closing_day = StringField(_l("Ngày chốt số liệu (1–28 của tháng sau kỳ)"), render_kw=DAY)
    closing_time = StringField(_l("Giờ chốt số liệu (HH:MM)"), render_kw=TIME)
    late_policy = SelectField(
        _l("Số liệu gửi sau thời điểm chốt"), choices=_policies, validate_choice=False
    )
    submit = SubmitField(_l("Thêm nguồn"))


class SourceEditForm(FlaskForm):
    name = StringField(_l("Tên nguồn"), validators=[DataRequired(REQUIRED), Length(max=200)])
    closing_day = StringField(_l("Ngày chốt số liệu (1–28 của tháng sau kỳ)"), render_kw=DAY)
    closing_time = StringField(_l("Giờ chốt số liệu (HH:MM)"), render_kw=TIME)
    late_policy = SelectField(
        _l("Số liệu gửi sau thời điểm chốt"), choices=_policies, validate_choice=False
    )
    active = BooleanField(_l("Đang nhận dữ liệu"))
    submit = SubmitField(_l("Lưu"))


class OfficerMapForm(FlaskForm):
    external_id = StringField(
        _l("Mã cán bộ ở hệ thống nguồn"), validators=[DataRequired(REQUIRED), Length(max=64)]
    )
    staff_code = StringField(
        _l("Mã nhân sự của đơn vị"), validators=[DataRequired(REQUIRED), Length(max=32)]
    )
    submit = SubmitField(_l("Thêm / thay ánh xạ"))


class ItemMapForm(FlaskForm):
    external_code = StringField(
        _l("Mã thủ tục/loại việc ở nguồn"), validators=[DataRequired(REQUIRED), Length(max=64)]
    )
    canonical_code = StringField(
        _l("Mã chuẩn hoặc mã mục trong danh mục KPI"),
        validators=[DataRequired(REQUIRED), Length(max=64)],
    )
    submit = SubmitField(_l("Thêm / thay ánh xạ"))


class UploadForm(FlaskForm):
    file = FileField(
        _l("Tệp CSV hoặc Excel (.xlsx)"), validators=[FileRequired(_l("Hãy chọn tệp."))]
    )
    submit = SubmitField(_l("Tải lên"))


def _day(value: str | None):
    """The closing day as a number when it is one, else as typed (the service explains)."""
    text = (value or "").strip()
    return int(text) if text.isdigit() else text


def closing_rule(source) -> str:
    return _(
        "ngày %(day)d tháng sau, %(time)s",
        day=source.closing_day,
        time=source.closing_time.strftime("%H:%M"),
    )


def _counts() -> dict:
    """{source id: {status: number of records}} of every source of the unit."""
    out: dict = {}
    rows = db.session.execute(
        sa.select(FeedRecord.source_id, FeedRecord.status, sa.func.count()).group_by(
            FeedRecord.source_id, FeedRecord.status
        )
    )
    for source_id, status, number in rows:
        out.setdefault(source_id, {})[str(status)] = number
    return out


def _source(source_id):
    return or_404(sources.get_source, source_id)


# --- the list


@bp.route("/feeds", methods=["GET", "POST"])
@admin_only
def feeds_list():
    form = SourceForm()
    if request.method == "GET":
        form.closing_day.data = "3"
        form.closing_time.data = "17:00"
    status = 200
    if form.validate_on_submit():
        with saving(form, fallback="code") as saved:
            source = sources.create_source(
                {
                    "code": form.code.data,
                    "name": form.name.data,
                    "kind": form.kind.data,
                    "closing_day": _day(form.closing_day.data),
                    "closing_time": (form.closing_time.data or "").strip(),
                    "late_policy": form.late_policy.data,
                },
                actor=current_user,
            )
        if saved.ok:
            flash(_("Đã thêm nguồn dữ liệu %(name)s.", name=source.name), "success")
            return redirect(url_for("workspace.feed_source", source_id=source.id))
        status = 422
    elif form.is_submitted():
        status = 400
    return render_template(
        "workspace/feeds.html",
        form=form,
        rows=sources.list_sources(),
        counts=_counts(),
        closing_rule=closing_rule,
        kind_label=sources.kind_label,
        policy_label=sources.policy_label,
    ), status


# --- one source


def _page(source, *, status=200, new_token=None, problems=None, **forms):
    edit = forms.get("edit")
    if edit is None:
        edit = SourceEditForm(formdata=None)
        edit.name.data = source.name
        edit.closing_day.data = str(source.closing_day)
        edit.closing_time.data = source.closing_time.strftime("%H:%M")
        edit.late_policy.data = source.late_policy
        edit.active.data = source.active
    batches = db.session.execute(
        sa.select(FeedBatch)
        .where(FeedBatch.source_id == source.id)
        .order_by(FeedBatch.received_at.desc())
        .limit(BATCHES_SHOWN)
    ).scalars()
    troubled = db.session.execute(
        sa.select(FeedRecord)
        .where(
            FeedRecord.source_id == source.id,
            FeedRecord.status.in_((FeedRecordStatus.REJECTED, FeedRecordStatus.HELD)),
        )
        .order_by(FeedRecord.received_at.desc(), FeedRecord.position)
        .limit(PROBLEMS_SHOWN)
    ).scalars()
    response = render_template(
        "workspace/feed_source.html",
        source=source,
        edit=edit,
        officer_form=forms.get("officer") or OfficerMapForm(formdata=None),
        item_form=forms.get("item") or ItemMapForm(formdata=None),
        upload_form=forms.get("upload") or UploadForm(formdata=None),
        action_form=ActionForm(formdata=None),
        officers=sources.officer_maps(source),
        items=sources.item_maps(source),
        tokens=sources.tokens_of(source),
        batches=list(batches),
        troubled=list(troubled),
        counts=_counts().get(source.id, {}),
        new_token=new_token,
        problems=problems or [],
        closing_rule=closing_rule(source),
        kind_label=sources.kind_label,
        policy_label=sources.policy_label,
        reason_label=processing.reason_label,
    )
    headers = {"Cache-Control": "no-store"} if new_token else {}
    return response, status, headers


def _back(source):
    return redirect(url_for("workspace.feed_source", source_id=source.id))


def _require_action() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/feeds/<uuid:source_id>", methods=["GET", "POST"])
@admin_only
def feed_source(source_id):
    source = _source(source_id)
    if request.method == "GET":
        return _page(source)
    form = SourceEditForm()
    if form.validate_on_submit():
        with saving(form, fallback="name") as saved:
            sources.update_source(
                source,
                {
                    "name": form.name.data,
                    "closing_day": _day(form.closing_day.data),
                    "closing_time": (form.closing_time.data or "").strip(),
                    "late_policy": form.late_policy.data,
                    "active": form.active.data,
                },
                actor=current_user,
            )
        if saved.ok:
            flash(_("Đã lưu nguồn dữ liệu %(name)s.", name=source.name), "success")
            return _back(source)
        db.session.refresh(source)
        return _page(source, status=422, edit=form)
    return _page(source, status=400, edit=form)


@bp.post("/feeds/<uuid:source_id>/officers")
@admin_only
def feed_map_officer(source_id):
    source = _source(source_id)
    form = OfficerMapForm()
    if form.validate_on_submit():
        with saving(form, fallback="external_id") as saved:
            sources.map_officer(
                source, form.external_id.data, form.staff_code.data, actor=current_user
            )
        if saved.ok:
            flash(
                _(
                    "Đã ánh xạ mã cán bộ %(ext)s tới nhân sự %(code)s.",
                    ext=form.external_id.data.strip(),
                    code=form.staff_code.data.strip(),
                ),
                "success",
            )
            return _back(source)
        return _page(source, status=422, officer=form)
    return _page(source, status=400, officer=form)


@bp.post("/feeds/<uuid:source_id>/officers/remove")
@admin_only
def feed_unmap_officer(source_id):
    source = _source(source_id)
    _require_action()
    external = request.form.get("external", "")
    with saving() as saved:
        sources.unmap(source, "officer", external, actor=current_user)
    if saved.ok:
        flash(_("Đã bỏ ánh xạ mã cán bộ %(ext)s.", ext=external), "success")
    return _back(source)


@bp.post("/feeds/<uuid:source_id>/items")
@admin_only
def feed_map_item(source_id):
    source = _source(source_id)
    form = ItemMapForm()
    if form.validate_on_submit():
        with saving(form, fallback="external_code") as saved:
            sources.map_item(
                source, form.external_code.data, form.canonical_code.data, actor=current_user
            )
        if saved.ok:
            flash(
                _(
                    "Đã ánh xạ mã %(ext)s tới mục %(code)s của danh mục.",
                    ext=form.external_code.data.strip(),
                    code=form.canonical_code.data.strip(),
                ),
                "success",
            )
            return _back(source)
        return _page(source, status=422, item=form)
    return _page(source, status=400, item=form)


@bp.post("/feeds/<uuid:source_id>/items/remove")
@admin_only
def feed_unmap_item(source_id):
    source = _source(source_id)
    _require_action()
    external = request.form.get("external", "")
    with saving() as saved:
        sources.unmap(source, "item", external, actor=current_user)
    if saved.ok:
        flash(_("Đã bỏ ánh xạ mã %(ext)s.", ext=external), "success")
    return _back(source)


@bp.post("/feeds/<uuid:source_id>/tokens")
@admin_only
def feed_rotate_token(source_id):
    source = _source(source_id)
    _require_action()
    with saving() as saved:
        token, _row = sources.rotate_token(source, actor=current_user)
    if not saved.ok:
        return _back(source)
    return _page(source, new_token=token)


@bp.post("/feeds/<uuid:source_id>/tokens/<uuid:token_id>/revoke")
@admin_only
def feed_revoke_token(source_id, token_id):
    source = _source(source_id)
    _require_action()
    with saving() as saved:
        sources.revoke_token(source, token_id, actor=current_user)
    if saved.ok:
        flash(_("Đã thu hồi token."), "success")
    return _back(source)


@bp.post("/feeds/<uuid:source_id>/replay")
@admin_only
def feed_replay(source_id):
    source = _source(source_id)
    _require_action()
    with saving() as saved:
        outcome = processing.replay(source, actor=current_user)
    if saved.ok:
        if outcome["replayed"]:
            flash(
                _(
                    "Đã xử lý lại %(n)d bản ghi: %(a)d được chấp nhận, %(r)d bị từ chối, "
                    "%(h)d chờ kỳ sau.",
                    n=outcome["replayed"],
                    a=outcome["accepted"],
                    r=outcome["rejected"],
                    h=outcome["held"],
                ),
                "success",
            )
        else:
            flash(_("Không có bản ghi nào cần xử lý lại."), "info")
    return _back(source)


@bp.post("/feeds/<uuid:source_id>/upload")
@admin_only
def feed_upload(source_id):
    source = _source(source_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _page(source, status=400, upload=form)
    upload = form.file.data
    filename = upload.filename or ""
    data = upload.read()
    with saving(form, fallback="file") as saved:
        records = intake.read_upload(filename, data)
        batch = intake.receive(
            source,
            records,
            channel="xlsx" if filename.lower().endswith(".xlsx") else "csv",
            body=data,
            user=current_user,
            filename=filename,
        )
    if saved.ok:
        flash(
            _(
                "Đã nhận tệp %(name)s: %(n)d bản ghi.",
                name=filename,
                n=batch.record_count,
            ),
            "success",
        )
        return _back(source)
    problems = getattr(saved.error, "problems", None) or []
    shown = [
        _(
            "Dòng %(row)d, cột %(field)s: %(message)s",
            row=p["index"] + 2,
            field=p["field"],
            message=p["message"],
        )
        for p in problems[:UPLOAD_PROBLEMS_SHOWN]
    ]
    if len(problems) > UPLOAD_PROBLEMS_SHOWN:
        shown.append(_("… và %(n)d lỗi khác.", n=len(problems) - UPLOAD_PROBLEMS_SHOWN))
    return _page(source, status=saved.error.status or 422, upload=form, problems=shown)
