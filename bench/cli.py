"""Command-line options the benchmarks share: their database's owner URL, the wards, the port."""

from __future__ import annotations

import argparse
import os

LOCAL_SERVER = "postgresql://postgres@127.0.0.1:5432"


def bench_parser(
    doc: str, *, database: str, tenants: int | None = None, port: int | None = None
) -> argparse.ArgumentParser:
    """A parser described by the first line of ``doc`` with ``--database-url`` (an owner URL;
    default ``KPI_BENCH_DATABASE_URL``, else the database ``database`` on the local server) and,
    when given their defaults, ``--tenants`` (demo wards) and ``--port`` (the server's)."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("KPI_BENCH_DATABASE_URL", f"{LOCAL_SERVER}/{database}"),
    )
    if tenants is not None:
        parser.add_argument("--tenants", type=int, default=tenants)
    if port is not None:
        parser.add_argument("--port", type=int, default=port)
    return parser
