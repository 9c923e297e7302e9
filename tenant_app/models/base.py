"""The tenant-owned table mixin and shared column helpers.

Every tenant-owned table has ``tenant_id`` NOT NULL leading its primary key, and every foreign key
between tenant tables is composite ``(tenant_id, x_id)``, so a row can never point into another
tenant and the schema is ready to be distributed by ``tenant_id``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, QueryableAttribute, declared_attr, mapped_column

from tenant_app.ids import uuid7


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class TenantScoped:
    """Mixin for tenant-owned tables: ``(tenant_id, id)`` primary key; scoped by the ORM and RLS."""

    __tenant_scoped__ = True
    # Columns whose change alone shows on no cached page (``tenancy.revisions``): writing only
    # these does not move the unit's data revision. "*" for bookkeeping tables (sessions, audit
    # events, job runs) that no cached page reads.
    __revision_neutral__ = frozenset()

    @staticmethod
    def __revision_owner__(obj, identity_map):
        """Whose pages a change of ``obj`` concerns (``tenancy.revisions``): the person of its
        ``staff_id`` column, as ``("staff", id, column)``; None (the unit's shared pages) for a
        row with no such column. Models override it (a report: its assignment's person)."""
        if "staff_id" in type(obj).__table__.c:
            return "staff", obj.staff_id, "staff_id"
        return None

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:
        return mapped_column(
            sa.Integer,
            sa.ForeignKey("tenants.id"),
            primary_key=True,
            nullable=False,
            sort_order=-20,
        )

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid7, sort_order=-10)


def tenant_fk(columns: list[str], target: str, **kwargs) -> sa.ForeignKeyConstraint:
    """A composite foreign key ``(tenant_id, *columns)`` → ``target(tenant_id, id)``."""
    return sa.ForeignKeyConstraint(
        ["tenant_id", *columns], [f"{target}.tenant_id", f"{target}.id"], **kwargs
    )


def tenant_tables(metadata: sa.MetaData) -> list[sa.Table]:
    """Every tenant-owned table of ``metadata`` (those with a leading ``tenant_id`` key)."""
    return [
        t
        for t in metadata.sorted_tables
        if "tenant_id" in t.c and list(t.primary_key.columns)[0].name == "tenant_id"
    ]


def _tenant_column(column):
    """The ``tenant_id`` of the entity (class, alias) or table that ``column`` belongs to."""
    if isinstance(column, QueryableAttribute):
        return column.parent.entity.tenant_id
    return column.table.c.tenant_id


def tenant_join(left, right, *criteria) -> sa.ColumnElement[bool]:
    """The ON clause of a composite-key join: ``left == right`` within one tenant.

    ``tenant_join(Report.assignment_id, Assignment.id)`` is
    ``Report.tenant_id == Assignment.tenant_id AND Report.assignment_id == Assignment.id``; the
    tenant columns are those of the entities (or aliases, or tables) the two columns belong to.
    Further ``criteria`` are ANDed after them.
    """
    return sa.and_(_tenant_column(left) == _tenant_column(right), left == right, *criteria)
