"""The app's PostgreSQL connections never keep a prepared statement (issue 14).

A prepared statement may switch to a generic plan, in which a feed batch's ``IN (…1,000 values…)``
chunks are searched value by value for every row of the source: a long-lived worker decided
5,000-record batches 3 to 8 times slower (docs/performance.md, "Data feeds").
"""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db
from tenant_app.models.feeds import FeedRecord
from tenant_app.tenancy import tenant_context
from tests.helpers import requires_postgres


@requires_postgres
def test_feed_chunk_query_is_never_prepared_on_a_kept_connection(app, fed_ward, tenant_a):
    """The chunk query of a batch, run twelve times on one connection (psycopg would prepare it
    at the fifth), leaves no prepared statement that could run with a generic plan."""
    ids = [f"HS-{n:04d}" for n in range(50)]
    with tenant_context(tenant_a):
        for _ in range(12):
            db.session.execute(
                sa.select(FeedRecord.external_id, FeedRecord.event).where(
                    FeedRecord.source_id == fed_ward["source"],
                    FeedRecord.external_id.in_(ids),
                    FeedRecord.status == "accepted",
                )
            ).all()
        prepared = db.session.execute(
            sa.text("SELECT statement, generic_plans FROM pg_prepared_statements")
        ).all()
        db.session.rollback()
    assert prepared == []


@requires_postgres
def test_feed_engine_connections_have_no_prepare_threshold(app):
    """Every connection the app's engine opens has psycopg's automatic preparing turned off."""
    with db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw.prepare_threshold is None
        conn.rollback()
