"""``/api/v1/t/<slug>/feeds/<source>/…``: records from external systems, and their configuration.

A source posts with its own token (``kpi_f…``), which may only write that source's records in
that unit: any other route answers 401 to it, another source or unit 403/401. The unit
administrator configures sources, mappings and tokens and replays rejected records with an
ordinary API token.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import abort, g, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from blueprints.api.paging import page
from blueprints.api.uploads import UploadParser
from blueprints.api.visibility import SECURITY, admins
from tenant_app.auth import _bearer
from tenant_app.extensions import db
from tenant_app.models.feeds import FeedBatch, FeedRecord
from tenant_app.schemas.common import ApiErrorSchema
from tenant_app.schemas.feeds import (
    FeedBatchInSchema,
    FeedBatchSchema,
    FeedRecordListArgsSchema,
    FeedRecordOutSchema,
    FeedSourceSchema,
    FeedSourceUpdateSchema,
    FeedTokenSchema,
    FeedUploadSchema,
    ItemMapSchema,
    MappingsSchema,
    OfficerMapSchema,
    ReplaySchema,
)
from tenant_app.services.errors import NotFound, ServiceError
from tenant_app.services.feeds import intake, processing, sources
from tenant_app.tenancy.resolve import make_tenant_blueprint

blp = make_tenant_blueprint(
    Blueprint(
        "api_feeds",
        __name__,
        url_prefix="/api/v1/t/<tenant_slug>",
        description="Dữ liệu tự động từ hệ thống một cửa, quản lý văn bản, giải ngân",
    )
)


blp.ARGUMENTS_PARSER = UploadParser()
FEED_SECURITY = [{"feedToken": []}]


def _source_by_code(code: str):
    source = sources.find_source(code)
    if source is None:
        raise NotFound("not_found", _("Không tìm thấy nguồn dữ liệu."))
    return source


def feed_token_required(view):
    """A valid feed token of the source named in the path (401 otherwise; 403 for another
    source's token). Sets ``g.feed_source`` and ``g.feed_token``."""

    @functools.wraps(view)
    def wrapped(*args, source_code, **kwargs):
        token = _bearer()
        row = sources.resolve_token(token) if token else None
        if row is None:
            abort(401)
        source = _source_by_code(source_code)
        if row.source_id != source.id:
            abort(403)
        db.session.commit()  # last_used_at
        g.feed_source, g.feed_token = source, row
        return view(*args, **kwargs)

    return wrapped


def _accepted(batch: FeedBatch):
    db.session.refresh(batch)
    return batch


@blp.route("/feeds/<source_code>/records")
class FeedRecords(MethodView):
    @feed_token_required
    @blp.doc(security=FEED_SECURITY)
    @blp.arguments(FeedBatchInSchema)
    @blp.response(202, FeedBatchSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the source is paused")
    def post(self, data):
        """Send up to 5,000 records. The batch is stored as received and decided in the
        background; each record ends accepted, rejected (with a reason) or held. Sending the
        same ``external_id`` and ``event`` again changes nothing; order does not matter."""
        raw = (request.get_json(silent=True) or {}).get("records")
        batch = intake.receive(
            g.feed_source,
            raw,
            channel="api",
            body=request.get_data(cache=True),
            token=g.feed_token,
            checked=True,
        )
        return _accepted(batch)


@blp.route("/feeds/<source_code>/uploads")
class FeedUploads(MethodView):
    @feed_token_required
    @blp.doc(security=FEED_SECURITY)
    @blp.arguments(FeedUploadSchema, location="files")
    @blp.response(202, FeedBatchSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the source is paused")
    @blp.alt_response(413, schema=ApiErrorSchema, description="file too large")
    def post(self, form):
        """The same records as a CSV or .xlsx file (columns external_id, event, officer,
        item_code, occurred_at, due_on, value; header on row 1), for systems without an API."""
        upload = form["file"]
        data = upload.read()
        records = intake.read_upload(upload.filename, data)
        batch = intake.receive(
            g.feed_source,
            records,
            channel="xlsx" if upload.filename.lower().endswith(".xlsx") else "csv",
            body=data,
            token=g.feed_token,
            filename=upload.filename,
        )
        return _accepted(batch)


@blp.route("/feeds/<source_code>/batches/<uuid:batch_id>")
class FeedBatchStatus(MethodView):
    @feed_token_required
    @blp.doc(security=FEED_SECURITY)
    @blp.response(200, FeedBatchSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, batch_id):
        """How a batch ended: accepted, rejected, held and duplicate counts."""
        batch = db.session.get(FeedBatch, (g.feed_source.tenant_id, batch_id))
        if batch is None or batch.source_id != g.feed_source.id:
            raise NotFound("not_found", _("Không tìm thấy lô dữ liệu."))
        return batch


@blp.route("/feeds/<source_code>/rejected")
class FeedRejected(MethodView):
    @feed_token_required
    @blp.doc(security=FEED_SECURITY)
    @blp.response(200, FeedRecordOutSchema(many=True))
    @blp.paginate()
    def get(self, pagination_parameters):
        """The source's rejected and held records with their reasons (so it can fix its side)."""
        return page(_records_of(g.feed_source, None, problems_only=True), pagination_parameters)


def _records_of(source, status, *, problems_only=False):
    stmt = sa.select(FeedRecord).where(FeedRecord.source_id == source.id)
    if status:
        stmt = stmt.where(FeedRecord.status == status)
    elif problems_only:
        stmt = stmt.where(FeedRecord.status != "accepted")
    return stmt.order_by(FeedRecord.received_at.desc(), FeedRecord.position)


# --- configuration by the unit administrator


@blp.route("/feed-sources")
class FeedSources(MethodView):
    decorators = [admins]

    @blp.doc(security=SECURITY)
    @blp.response(200, FeedSourceSchema(many=True))
    def get(self):
        """The unit's data sources."""
        return sources.list_sources()

    @blp.doc(security=SECURITY)
    @blp.arguments(FeedSourceSchema)
    @blp.response(201, FeedSourceSchema)
    @blp.alt_response(409, schema=ApiErrorSchema, description="the code is taken")
    def post(self, data):
        """Add a data source (kind, name, data-closing day and time, late policy)."""
        if data.get("closing_time") is None:
            data.pop("closing_time", None)
        source = sources.create_source(data, actor=g.api_user)
        db.session.commit()
        return source


@blp.route("/feed-sources/<uuid:source_id>")
class FeedSourceById(MethodView):
    decorators = [admins]

    @blp.doc(security=SECURITY)
    @blp.response(200, FeedSourceSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, source_id):
        """One data source."""
        return sources.get_source(source_id)

    @blp.doc(security=SECURITY)
    @blp.arguments(FeedSourceUpdateSchema)
    @blp.response(200, FeedSourceSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def patch(self, data, source_id):
        """Change a source's name, closing rule, late policy or pause it."""
        source = sources.update_source(sources.get_source(source_id), data, actor=g.api_user)
        db.session.commit()
        return source


@blp.route("/feed-sources/<uuid:source_id>/mappings")
class FeedMappings(MethodView):
    decorators = [admins]

    @blp.doc(security=SECURITY)
    @blp.response(200, MappingsSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, source_id):
        """The source's officer and item mappings."""
        source = sources.get_source(source_id)
        return {
            "officers": [
                {"external_id": m.external_id, "staff_code": p.code}
                for m, p in sources.officer_maps(source)
            ],
            "items": [
                {"external_code": m.external_code, "canonical_code": i.canonical_code or i.code}
                for m, i in sources.item_maps(source)
            ],
        }


@blp.route("/feed-sources/<uuid:source_id>/officers")
class FeedOfficerMaps(MethodView):
    decorators = [admins]

    @blp.doc(security=SECURITY)
    @blp.arguments(OfficerMapSchema)
    @blp.response(200, OfficerMapSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def put(self, data, source_id):
        """Map an external officer id to a person of the unit (by staff code)."""
        source = sources.get_source(source_id)
        sources.map_officer(source, data["external_id"], data["staff_code"], actor=g.api_user)
        db.session.commit()
        return data


@blp.route("/feed-sources/<uuid:source_id>/items")
class FeedItemMaps(MethodView):
    decorators = [admins]

    @blp.doc(security=SECURITY)
    @blp.arguments(ItemMapSchema)
    @blp.response(200, ItemMapSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def put(self, data, source_id):
        """Map an external procedure or task type to a catalogue item (by canonical code)."""
        source = sources.get_source(source_id)
        sources.map_item(source, data["external_code"], data["canonical_code"], actor=g.api_user)
        db.session.commit()
        return data


@blp.route("/feed-sources/<uuid:source_id>/tokens")
class FeedTokens(MethodView):
    decorators = [admins]

    @blp.doc(security=SECURITY)
    @blp.response(200, FeedTokenSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    def get(self, source_id):
        """The source's tokens (never the secret)."""
        return sources.tokens_of(sources.get_source(source_id))

    @blp.doc(security=SECURITY)
    @blp.response(201, FeedTokenSchema)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, source_id):
        """Rotate: revoke the source's tokens and issue a new one (shown once)."""
        token, row = sources.rotate_token(sources.get_source(source_id), actor=g.api_user)
        db.session.commit()
        return {**{k: getattr(row, k) for k in ("id", "name", "expires_at")}, "token": token}


@blp.route("/feed-sources/<uuid:source_id>/tokens/<uuid:token_id>")
class FeedTokenById(MethodView):
    decorators = [admins]

    @blp.doc(security=SECURITY)
    @blp.response(204)
    @blp.alt_response(404, schema=ApiErrorSchema)
    def delete(self, source_id, token_id):
        """Revoke one token from now on."""
        sources.revoke_token(sources.get_source(source_id), token_id, actor=g.api_user)
        db.session.commit()


@blp.route("/feed-sources/<uuid:source_id>/records")
class FeedSourceRecords(MethodView):
    decorators = [admins]

    @blp.doc(security=SECURITY)
    @blp.arguments(FeedRecordListArgsSchema, location="query")
    @blp.response(200, FeedRecordOutSchema(many=True))
    @blp.alt_response(404, schema=ApiErrorSchema)
    @blp.paginate()
    def get(self, args, source_id, pagination_parameters):
        """The source's records, newest first (filter: status accepted, rejected or held)."""
        source = sources.get_source(source_id)
        return page(_records_of(source, args["status"]), pagination_parameters)


@blp.route("/feed-sources/<uuid:source_id>/replay")
class FeedReplay(MethodView):
    decorators = [admins]

    @blp.doc(security=SECURITY)
    @blp.arguments(ReplaySchema)
    @blp.response(200, description="how many records were replayed and how they ended")
    @blp.alt_response(404, schema=ApiErrorSchema)
    def post(self, data, source_id):
        """Decide the rejected and held records again with today's mappings and periods."""
        source = sources.get_source(source_id)
        try:
            outcome = processing.replay(source, data.get("record_ids"), actor=g.api_user)
        except ServiceError:
            db.session.rollback()
            raise
        db.session.commit()
        return outcome
