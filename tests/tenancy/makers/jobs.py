"""Row makers for the jobs tables (job_runs)."""

from __future__ import annotations

from tenant_app.extensions import db
from tenant_app.tenancy import tenant_context


def _job_run(factory, tenant, tag):
    from tenant_app.models import JobRun

    with tenant_context(tenant):
        row = JobRun(kind=f"test.{tag}", queue="default", params={"tag": tag})
        db.session.add(row)
        db.session.commit()
    return row


MAKERS = {"job_runs": (_job_run, "message")}
