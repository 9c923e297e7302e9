"""The review page loads the evidence files of all its reports in one query (no query per
report for the exemption-proof choices of each review form)."""

from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa

from tenant_app.extensions import db
from tests.evaluation.view_helpers import assign, report, ward_today
from tests.helpers import login


@contextmanager
def _statements(app):
    """The SQL statements run inside the block (an engine event listener)."""
    seen: list[str] = []

    def listen(_conn, _cursor, statement, *_args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


def _evidence_queries(app, client, ward) -> int:
    with _statements(app) as seen:
        response = client.get(f"/t/phuong-a/review?period={ward['period']}&show=all")
    assert response.status_code == 200
    return sum(1 for s in seen if "FROM evidence_files" in s)


def test_review_page_reads_evidence_in_one_query(app, client, factory, tenant_a):
    """With one submitted report and then with three (each with a file), the review page runs
    exactly one evidence query: the count does not grow with the reports."""
    ward = ward_today(factory, tenant_a)
    report(tenant_a, ward, assign(tenant_a, ward, "T1"), 5, evidence=True)
    login(client, "phuong-a", "truong")
    assert _evidence_queries(app, client, ward) == 1
    report(tenant_a, ward, assign(tenant_a, ward, "T2"), 1, evidence=True)
    report(tenant_a, ward, assign(tenant_a, ward, "T3"), 1, evidence=True)
    assert _evidence_queries(app, client, ward) == 1
