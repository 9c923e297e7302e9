"""The app as shipped, plus a server-sent-events variant of the manager's live dashboard, for
``bench/live.py`` only: it measures what the events would cost under the shipped gunicorn
configuration against the polled ``/dashboard/live`` answered 304. Not part of the product.

``GET /t/<unit>/dashboard/stream`` holds the response open; once a second it reads the unit's
data revision (one Redis read, as a 304 poll does) and, when it moved, sends the same JSON the
polled endpoint answers, as one ``data:`` event. Between events the database session is closed,
so a stream holds a worker thread but no database connection.
"""

from __future__ import annotations

import inspect
import time

from flask import Response, stream_with_context

from blueprints.evaluation import dashboard_views
from blueprints.evaluation.common import bp
from tenant_app import create_app
from tenant_app.auth import tenant_user_required
from tenant_app.extensions import db
from tenant_app.tenancy import revisions
from tenant_app.tenancy.context import current_tenant_id

_live_answer = inspect.unwrap(dashboard_views.dashboard_live)  # without the access check or 304


@bp.get("/dashboard/stream")
@tenant_user_required("manager", "unit_admin")
def dashboard_stream():
    tenant_id = current_tenant_id()

    def events():
        last = None
        while True:
            revision = revisions.current(tenant_id)
            if revision != last:
                last = revision
                body = _live_answer().get_data(as_text=True)
                db.session.remove()
                yield f"data: {body}\n\n"
            time.sleep(1.0)

    return Response(
        stream_with_context(events()),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


app = create_app()
