"""The path past one PostgreSQL: statements that turn the schema into Citus distributed tables.

Tenant tables are distributed by ``tenant_id`` and co-located (every key and foreign key starts
with ``tenant_id``, so joins and constraints stay on one shard); province-wide tables become
reference tables, copied to every node.
"""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.models.base import tenant_tables


def citus_ddl(metadata: sa.MetaData) -> list[str]:
    """Return the SQL statements, in an order Citus accepts (references first, then by FKs)."""
    distributed = tenant_tables(metadata)
    names = {t.name for t in distributed}
    reference = [t for t in metadata.sorted_tables if t.name not in names]
    # The append-only triggers of the audit tables need Citus's leave to run on shards.
    statements = [
        "CREATE EXTENSION IF NOT EXISTS citus;",
        "SET citus.enable_unsafe_triggers TO on;",
    ]
    statements += [f"SELECT create_reference_table('{t.name}');" for t in reference]
    anchor = None
    for table in distributed:
        if anchor is None:
            statements.append(f"SELECT create_distributed_table('{table.name}', 'tenant_id');")
            anchor = table.name
        else:
            statements.append(
                f"SELECT create_distributed_table('{table.name}', 'tenant_id', "
                f"colocate_with => '{anchor}');"
            )
    return statements


def distribution_problems(metadata: sa.MetaData) -> list[str]:
    """Return every key of a tenant table that does not start with ``tenant_id``."""
    problems = []
    for table in tenant_tables(metadata):
        pk = [c.name for c in table.primary_key.columns]
        if pk[0] != "tenant_id":
            problems.append(f"{table.name}: primary key {pk}")
        for constraint in table.constraints:
            if isinstance(constraint, sa.UniqueConstraint):
                cols = [c.name for c in constraint.columns]
                if cols[0] != "tenant_id":
                    problems.append(f"{table.name}: unique {cols}")
        for index in table.indexes:
            if index.unique and [c.name for c in index.columns][0] != "tenant_id":
                problems.append(f"{table.name}: unique index {index.name}")
        for fk in table.foreign_key_constraints:
            target = fk.referred_table
            leads = fk.column_keys[0] == "tenant_id" and fk.elements[0].column.name == "tenant_id"
            if target.name in {t.name for t in tenant_tables(metadata)} and not leads:
                problems.append(f"{table.name}: foreign key {fk.column_keys} → {target.name}")
        for column in table.columns:
            if column.unique:
                problems.append(f"{table.name}: column {column.name} unique on its own")
    return problems
