"""Many rows into one table in one statement: PostgreSQL's ``unnest`` of one array per column.

A feed batch writes thousands of rows. An INSERT with one VALUES tuple per row costs more to
build and to parse (SQLAlchemy renders it, psycopg splits every placeholder of it) than the
database spends storing them; ``INSERT … SELECT * FROM unnest(%s::type[], …)`` sends one short
statement and one array per column. Row-level security applies as to any INSERT (COPY, which
would be faster still, is refused on tables under RLS). Elsewhere (SQLite), an executemany.
"""

from __future__ import annotations

import sqlalchemy as sa

from tenant_app.extensions import db


def _array_type(column: sa.Column) -> str:
    return f"{column.type.compile(dialect=db.session.get_bind().dialect)}[]"


def insert_rows(
    table: sa.Table,
    rows: list[dict],
    *,
    conflict: tuple[str, ...] | None = None,
    returning: tuple[str, ...] = (),
) -> list[tuple]:
    """Insert ``rows`` (dicts with the same keys) into ``table``; skip rows that conflict on the
    unique ``conflict`` columns; return the ``returning`` columns of the rows inserted."""
    if not rows:
        return []
    names = list(rows[0])
    if db.session.get_bind().dialect.name != "postgresql":
        from sqlalchemy.dialects.sqlite import insert

        stmt = insert(table)
        if conflict:
            stmt = stmt.on_conflict_do_nothing(index_elements=list(conflict))
        if returning:
            stmt = stmt.returning(*(table.c[n] for n in returning))
            return [tuple(r) for r in db.session.execute(stmt, rows)]
        db.session.execute(stmt, rows)
        return []
    arrays = ", ".join(f"CAST(:{name} AS {_array_type(table.c[name])})" for name in names)
    sql = f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({arrays})"
    if conflict:
        sql += f" ON CONFLICT ({', '.join(conflict)}) DO NOTHING"
    if returning:
        sql += f" RETURNING {', '.join(returning)}"
    params = {name: [row[name] for row in rows] for name in names}
    result = db.session.execute(sa.text(sql), params)
    return [tuple(r) for r in result] if returning else []
