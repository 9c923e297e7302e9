"""A ward at scale for the worklist tests and bench/review_pages.py: 300 people in six divisions
under the head's office, each with work in the open period and reports in every state."""

from __future__ import annotations

from datetime import date, datetime

from tenant_app.extensions import db
from tenant_app.models.catalogue import CatalogueItem
from tenant_app.models.evaluation import Assignment, Period, Report
from tenant_app.services.workspace import catalogue, org, staff
from tenant_app.tenancy import tenant_context
from tests.evaluation.view_helpers import ward_today

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Minh", "Nga", "Phúc", "Thảo")
# Report state of the n-th assignment of a person: waiting for review about a third of the time.
STATES = ("submitted", "accepted", None, "draft", "submitted", "returned", "accepted")


def build_big_ward(factory, tenant, people: int = 300, divisions: int = 6, per_person: int = 4):
    """ward_today plus ``people`` staff (codes BW001…) in ``divisions`` units under the office
    the head runs, ``per_person`` assignments each with reports; returns the ward's ids plus
    ``divisions`` (unit ids) and ``people`` (staff ids in code order)."""
    ward = ward_today(factory, tenant)
    with tenant_context(tenant):
        period = db.session.get(Period, (tenant.id, ward["period"]))
        units = [
            org.create_org_unit(
                {"code": f"BP{n}", "name": f"Bộ phận {n}", "kind": "body",
                 "parent_id": ward["body"], "effective_from": date(2025, 7, 1)}
            ).id
            for n in range(1, divisions + 1)
        ]  # fmt: skip
        item_ids = list(ward["items"].values())
        versions = {
            iid: catalogue.version_at(
                db.session.get(CatalogueItem, (tenant.id, iid)), period.starts_on
            )
            for iid in item_ids
        }
        ids = []
        for n in range(people):
            person = staff.create_staff(
                {"code": f"BW{n + 1:03d}",
                 "full_name": f"{SURNAMES[n % 10]} Văn {GIVEN[(n // 10) % 12]} {n + 1}",
                 "staff_type": "cong_chuc", "start_date": date(2025, 7, 1),
                 "org_unit_id": units[n % divisions], "position_id": ward["clerk_pos"]}
            )  # fmt: skip
            ids.append(person.id)
        db.session.flush()
        now = datetime(2026, 1, 1)
        for n, sid in enumerate(ids):
            for k in range(per_person):
                iid = item_ids[(n + k) % len(item_ids)]
                version = versions[iid]
                assignment = Assignment(
                    period_id=period.id, staff_id=sid, item_id=iid, version_id=version.id,
                    quantity=5, coefficient=version.coefficient, due_on=period.ends_on,
                )  # fmt: skip
                db.session.add(assignment)
                state = STATES[(n + k) % len(STATES)]
                if state is None:
                    continue
                db.session.flush()
                db.session.add(
                    Report(
                        assignment_id=assignment.id, completed=3, completed_on=period.starts_on,
                        status=state, submitted_at=None if state == "draft" else now,
                        review_comment="Bổ sung biên bản" if state == "returned" else None,
                    )
                )  # fmt: skip
        db.session.commit()
    return {**ward, "divisions": units, "people": ids}
