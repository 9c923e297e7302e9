"""Three units with figures worked out by hand, for the province comparison tests.

October 2026 (a month), shared item ``HS.01``:

* **A – Phường An** (published): totals 95 (HTXS), 85 (HTT), 65 (HTNV); self scores 100, 85, 60.
  Mean 245/3 = 81.666667; population SD √(466.666667/3) = 12.472191; quota allowed
  floor(20 % × 1 HTT) = 0 < 1 HTXS → ``quota_exceeded``. Self gap (5 + 0 − 5)/3 = 0, absolute
  10/3 = 3.333333, equal 1/3. Reports: 2, one late (50 %), one returned (50 %). HS.01: 10 units
  assigned, 8 done on time, 1 error: a = 80, b = (8 − 0.25)/10 = 77.5, c = 80 → 79.166667.
* **B – Phường Bình** (published): five people at 80,00 (HTT), self 80 → ``inflation``
  (100 % HTXS+HTT), ``uniformity`` (SD 0), ``self_equals_manager`` (5/5). HS.01: 10 done, 2
  delays: a = 100, b = 100, c = (10 − 0.5)/10 = 95 → 98.333333. Reports: 1, late.
* **C – Xã Cẩm** (not published): 70 (HTT), 50 (HTNV). HS.01: 2 of 4 done → a = b = c = 50.

An auditor sees A and B: 8 people, mean 645/8 = 80.625. A province administrator also sees C.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import sqlalchemy as sa

from tenant_app import audit
from tenant_app.extensions import db
from tenant_app.models import CatalogueVersion
from tenant_app.models.base import utcnow
from tenant_app.models.evaluation import Assignment, Report
from tenant_app.services.comparison import aggregates
from tenant_app.services.evaluation import periods
from tenant_app.services.workspace import catalogue, org, positions, staff
from tenant_app.tenancy import tenant_context
from tests.evaluation.scores_helpers import stored_score

START = date(2025, 7, 1)
PAGE = "/admin/comparison?period=2026-10"  # the units table of the month above

# name, total, grade, self total, org unit code
PEOPLE_A = [
    ("An Văn Một", 95, "HTXS", 100, "VP"),
    ("An Thị Hai", 85, "HTT", 85, "VP"),
    ("An Văn Ba", 65, "HTNV", 60, "KT"),
]
PEOPLE_B = [(f"Bình Văn {n}", 80, "HTT", 80, "VP") for n in ("Một", "Hai", "Ba", "Bốn", "Năm")]
PEOPLE_C = [("Cẩm Thị Một", 70, "HTT", None, "VP"), ("Cẩm Văn Hai", 50, "HTNV", None, "KT")]


def _structure():
    root = org.create_org_unit(
        {"code": "UB", "name": "UBND", "kind": "committee", "effective_from": START}
    )
    bodies = {
        code: org.create_org_unit(
            {
                "code": code,
                "name": name,
                "kind": "body",
                "parent_id": root.id,
                "effective_from": START,
            }
        )  # fmt: skip
        for code, name in (("VP", "Văn phòng HĐND và UBND"), ("KT", "Phòng Kinh tế"))
    }
    position = positions.create_position(
        {"code": "CV", "name": "Chuyên viên", "position_group": "professional_common"}
    )
    return bodies, position


def _item(code: str, canonical: str | None, name: str):
    item = catalogue.create_item(
        {"kind": "work_item", "code": code, "name": name, "unit_of_measure": "hồ sơ",
         "coefficient": "1", "effective_from": date(2026, 1, 1),
         **({"canonical_code": canonical} if canonical else {})},
        from_template=canonical is not None,
    )  # fmt: skip
    version = db.session.execute(
        sa.select(CatalogueVersion).where(CatalogueVersion.item_id == item.id)
    ).scalar_one()
    return item, version


def _work(period, person, item_version, *, qty, done, errors=0, delays=0, returned=0):
    item, version = item_version
    assignment = Assignment(
        period_id=period.id, staff_id=person.id, item_id=item.id, version_id=version.id,
        quantity=Decimal(qty), coefficient=Decimal(1), due_on=period.ends_on,
    )  # fmt: skip
    db.session.add(assignment)
    db.session.flush()
    db.session.add(
        Report(
            assignment_id=assignment.id, completed=Decimal(done), status="accepted",
            major_errors=errors, delays=delays, returned_count=returned,
            submitted_at=datetime(2026, 10, 20, 3, 0),
        )
    )  # fmt: skip


def build_unit(tenant, people, *, publish: bool, works=()) -> dict:
    """The unit's org chart, people and scores of October 2026 (``works``: (person index,
    canonical code or None, qty, done, errors, delays, returned)); aggregates rebuilt."""
    with tenant_context(tenant):
        bodies, position = _structure()
        members = []
        for n, (name, _total, _grade, _self, unit) in enumerate(people, start=1):
            members.append(
                staff.create_staff(
                    {
                        "code": f"NS{n}",
                        "full_name": name,
                        "staff_type": "cong_chuc",
                        "start_date": START,
                        "org_unit_id": bodies[unit].id,
                        "position_id": position.id,
                    }
                )  # fmt: skip
            )
        period = periods.open_period(year=2026, number=10, kind="month")
        scores = []
        for member, (_name, total, grade, self_total, _unit) in zip(members, people, strict=True):
            score = stored_score(period, member.id, total, grade)
            score.self_total = None if self_total is None else Decimal(self_total)
            scores.append(score)
        db.session.flush()
        audit.record(
            "score.approved",
            object_type="period_score",
            object_id=scores[0].id,
            after={"staff_id": members[0].id, "total": scores[0].total, "grade": scores[0].grade},
        )
        items = {}
        for index, canonical, qty, done, errors, delays, returned in works:
            key = canonical or "local"
            if key not in items:
                code = f"SP{len(items) + 1}"
                items[key] = _item(code, canonical, f"Hồ sơ {code} của {tenant.name}")
            _work(period, members[index], items[key], qty=qty, done=done, errors=errors,
                  delays=delays, returned=returned)  # fmt: skip
        if publish:
            period.published_at = utcnow()
        db.session.commit()
        aggregates.refresh_period(period)
        db.session.commit()
        return {"period": period.id, "staff": [m.id for m in members], "bodies": bodies}


def build_province(factory) -> dict:
    """Units A, B (published) and C (not published) as described above."""
    a = factory.tenant("phuong-an", name="Phường An")
    b = factory.tenant("phuong-binh", name="Phường Bình")
    c = factory.tenant("xa-cam", name="Xã Cẩm", kind="xa")
    return {
        "a": a,
        "b": b,
        "c": c,
        "a_ids": build_unit(
            a,
            PEOPLE_A,
            publish=True,
            works=[(1, "HS.01", 10, 8, 1, 0, 1), (1, None, 2, 2, 0, 1, 0)],
        ),  # fmt: skip
        "b_ids": build_unit(b, PEOPLE_B, publish=True, works=[(0, "HS.01", 10, 10, 0, 2, 0)]),
        "c_ids": build_unit(c, PEOPLE_C, publish=False, works=[(0, "HS.01", 4, 2, 0, 0, 0)]),
    }


# --- reading pages


class _Tables(HTMLParser):
    """Rows of cell texts of every ``<table>`` of a page (whitespace collapsed)."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._cell: list[str] | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("summary", "details") and self._cell is not None:
            self._skip += tag == "details"

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self.tables:
            text = " ".join("".join(self._cell).replace("\xa0", " ").split())
            self.tables[-1][-1].append(text)
            self._cell = None
        elif tag == "details" and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if self._cell is not None and not self._skip:
            self._cell.append(data)


def tables(html: str) -> list[list[list[str]]]:
    """Every table of ``html`` as rows of cell texts (collapsible details left out)."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def row_of(table: list[list[str]], first: str) -> list[str]:
    """The row whose first cell starts with ``first``."""
    found = [row for row in table if row and row[0].startswith(first)]
    assert found, f"no row {first!r} in {[r[:1] for r in table]}"
    return found[0]


def cross_tenant_reads() -> list:
    """The ``cross_tenant.read`` events of the province chain, oldest first."""
    from tenant_app.models import ProvinceAuditEvent

    db.session.expire_all()
    return list(
        db.session.execute(
            sa.select(ProvinceAuditEvent)
            .where(ProvinceAuditEvent.action == "cross_tenant.read")
            .order_by(ProvinceAuditEvent.seq)
        ).scalars()
    )
