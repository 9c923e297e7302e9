"""Evidence files: accepted by content type and size, kept in the tenant's own folder."""

from __future__ import annotations

import io
from datetime import date

import pytest

from tenant_app.extensions import db
from tenant_app.models import User
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Period
from tenant_app.models.staff import StaffMember
from tenant_app.services.errors import ServiceError
from tenant_app.services.evaluation import assignments, evidence, reports
from tenant_app.tenancy import tenant_context
from tests.evaluation.conftest import TODAY, build_ward
from tests.security.samples import pdf_bytes

PDF = pdf_bytes()


def _report(tenant, ward):
    period = db.session.get(Period, (tenant.id, ward["period"]))
    head = db.session.get(User, (tenant.id, ward["head_user"]))
    clerk = db.session.get(StaffMember, (tenant.id, ward["clerk"]))
    item = db.session.get(CatalogueItem, (tenant.id, ward["items"]["T1"]))
    assignment = assignments.assign(
        period, clerk, item, quantity=2, due_on=date(2026, 11, 25), actor=head
    )
    clerk_user = db.session.get(User, (tenant.id, ward["clerk_user"]))
    return reports.save_report(
        assignment, actor=clerk_user, completed=2, completed_on=date(2026, 11, 19), today=TODAY
    ), clerk_user


def test_evidence_pdf_is_stored_under_the_tenant(app, tenant_a, ward_a):
    """A PDF is stored with its hash in the tenant's folder and audited."""
    with tenant_context(tenant_a):
        report, clerk_user = _report(tenant_a, ward_a)
        row = evidence.add_evidence(
            report, filename="Biên bản.pdf", stream=io.BytesIO(PDF), actor=clerk_user
        )
        path = evidence.evidence_path(row)
        assert path.read_bytes() == PDF
        assert f"/uploads/{tenant_a.id}/evidence/" in str(path)
        assert row.content_type == "application/pdf" and row.filename == "Biên bản.pdf"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("virus.pdf", b"MZ\x90\x00 not a pdf"),
        ("script.html", b"<script>alert(1)</script>"),
        ("empty.pdf", b""),
        ("archive.zip", b"PK\x03\x04 plain zip"),
    ],
)
def test_evidence_wrong_type_is_refused(app, tenant_a, ward_a, name, data):
    """Only PDF, PNG, JPEG and office documents are accepted, judged by their bytes."""
    with tenant_context(tenant_a):
        report, clerk_user = _report(tenant_a, ward_a)
        with pytest.raises(ServiceError) as error:
            evidence.add_evidence(report, filename=name, stream=io.BytesIO(data), actor=clerk_user)
        assert error.value.field == "file"


def test_evidence_oversized_is_refused(app, tenant_a, ward_a):
    """A file over 10 MB is refused with 413."""
    with tenant_context(tenant_a):
        report, clerk_user = _report(tenant_a, ward_a)
        big = io.BytesIO(PDF + b"0" * evidence.MAX_BYTES)
        with pytest.raises(ServiceError) as error:
            evidence.add_evidence(report, filename="lon.pdf", stream=big, actor=clerk_user)
        assert error.value.status == 413


def test_evidence_of_other_tenant_is_not_found(app, factory, tenant_a, tenant_b, ward_a):
    """Tenant B cannot look up tenant A's evidence by id."""
    with tenant_context(tenant_a):
        report, clerk_user = _report(tenant_a, ward_a)
        row = evidence.add_evidence(
            report, filename="a.pdf", stream=io.BytesIO(PDF), actor=clerk_user
        )
        db.session.commit()
    with tenant_context(tenant_b), pytest.raises(ServiceError) as error:
        evidence.get_evidence(row.id)
    assert error.value.status == 404


def test_evidence_only_the_reporter_attaches(app, tenant_a, ward_a):
    """The manager cannot attach evidence to the clerk's report."""
    with tenant_context(tenant_a):
        report, _clerk_user = _report(tenant_a, ward_a)
        head = db.session.get(User, (tenant_a.id, ward_a["head_user"]))
        with pytest.raises(ServiceError) as error:
            evidence.add_evidence(report, filename="a.pdf", stream=io.BytesIO(PDF), actor=head)
        assert error.value.status == 403


def test_evidence_build_ward_in_b_does_not_clash(app, factory, tenant_b):
    """The same structure can exist in another tenant (codes are per tenant)."""
    assert build_ward(factory, tenant_b)["period"]
