"""Large exports: 100,000 rows as streamed .xlsx and CSV, against the writers they replace.

Usage::

    .venv/bin/python bench/exports.py                     # 10,000 and 100,000 rows (~3 min)
    .venv/bin/python bench/exports.py --rows 20000 --small 2000 --no-baseline

No database: the rows have the shape of the province ``results`` export (``export_results``):
unit, code, name, department, position, period as text; total and self-assessment as Decimal
points; grade and stage as text; the approval time as a datetime; one name in 500 starts with
``=`` (formula-safe path). Each case runs in a fresh child process so that its peak RSS is its
own: the figure printed is the peak resident memory of the child less its memory before writing
(imports done), with the wall time and rows per second. Cases:

- ``xlsx-normal`` (baseline): the previous ``spreadsheets.build_workbook`` (openpyxl normal mode,
  every cell an object in memory, then saved), taken from ``--old-commit`` with ``git show``;
- ``xlsx-write-only``: the previous ``export_writers.XlsxFile`` (openpyxl write-only mode, rows
  streamed, from ``--old-commit``): memory flat, but without lxml openpyxl serialises the XML in
  pure Python and is hardly faster than normal mode — why XlsxWriter replaced it;
- ``xlsx-workbook``: ``spreadsheets.write_workbook`` (XlsxWriter, constant memory, rows streamed
  to disk) to a file — what the audit and comparison downloads now use;
- ``xlsx-results``: ``export_writers.XlsxFile`` (the same), the background province export's;
- ``csv-memory`` (baseline): the previous ``audit_export.to_csv`` (the whole file built in a
  string, then encoded);
- ``csv-stream``: ``audit_export.iter_csv`` written chunk by chunk, as the download streams it;
- ``csv-results``: ``export_writers.CsvFile`` (the background export's writer).

Ratios are against the baseline of the same format measured in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import types
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OLD_COMMIT = "7a68c0a"  # the last commit with the normal-mode build_workbook
HEADER = [
    "Đơn vị",
    "Mã nhân sự",
    "Họ và tên",
    "Phòng/ban",
    "Vị trí việc làm",
    "Kỳ",
    "Tổng điểm",
    "Xếp loại",
    "Điểm tự đánh giá",
    "Bước đánh giá",
    "Đã phê duyệt",
]
FORMATS = [None] * 6 + ["0.00", None, "0.00", None, "dd/mm/yyyy hh:mm"]
CASES = (
    "xlsx-normal",
    "xlsx-write-only",
    "xlsx-workbook",
    "xlsx-results",
    "csv-memory",
    "csv-stream",
    "csv-results",
)
BASELINES = {"xlsx": "xlsx-normal", "csv": "csv-memory"}
OLD_CASES = {"xlsx-normal", "xlsx-write-only", "csv-memory"}


def rows(count: int, *, decimals: bool = True):
    """``count`` rows of the results export, generated as they are read (never held)."""
    grades = ("Hoàn thành xuất sắc nhiệm vụ", "Hoàn thành tốt nhiệm vụ", "Hoàn thành nhiệm vụ")
    start = datetime(2026, 11, 30, 8, 0)
    for i in range(count):
        total = Decimal(6000 + (i * 37) % 4000) / 100
        own = Decimal(6000 + (i * 53) % 4000) / 100
        name = f"=Nguyễn Văn {i}" if i % 500 == 0 else f"Nguyễn Thị Minh {i % 9973}"
        yield [
            f"Phường {i // 334:03d} – Thanh Hóa",
            f"NV{i:06d}",
            name,
            "Văn phòng HĐND và UBND",
            "Chuyên viên văn thư",
            "Tháng 11/2026",
            total if decimals else float(total),
            grades[i % 3],
            own if decimals else float(own),
            "Đã phê duyệt",
            start + timedelta(minutes=i % 5000),
        ]


def old_module(commit: str, path: str, name: str) -> types.ModuleType:
    """The module ``path`` as it was at ``commit`` (``git show``), loaded under ``name``."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{commit}:{path}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    module = types.ModuleType(name)
    module.__file__ = f"{commit}:{path}"
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102
    return module


def write(case: str, count: int, target: Path, old_commit: str) -> None:
    """Write ``count`` rows as ``case`` to ``target``."""
    from tenant_app.services.audit import audit_export
    from tenant_app.services.files import export_writers, spreadsheets

    if case == "xlsx-normal":
        old = old_module(old_commit, "tenant_app/services/files/spreadsheets.py", "old_sheets")
        sheet = old.Sheet("Kết quả đánh giá", HEADER, rows(count, decimals=False))
        target.write_bytes(old.build_workbook([sheet]))
    elif case == "xlsx-write-only":
        old = old_module(old_commit, "tenant_app/services/files/export_writers.py", "old_writers")
        writer = old.XlsxFile(target, HEADER, "Kết quả đánh giá")
        for row in rows(count):
            writer.write(row)
        writer.close()
    elif case == "xlsx-workbook":
        sheet = spreadsheets.Sheet(
            "Kết quả đánh giá", HEADER, rows(count, decimals=False), formats=FORMATS
        )
        spreadsheets.write_workbook(target, [sheet])
    elif case == "xlsx-results":
        writer = export_writers.XlsxFile(target, HEADER, "Kết quả đánh giá")
        for row in rows(count):
            writer.write(row)
        writer.close()
    elif case == "csv-memory":
        old = old_module(old_commit, "tenant_app/services/audit/audit_export.py", "old_audit")
        target.write_bytes(old.to_csv(HEADER, rows(count)))
    elif case == "csv-stream":
        with target.open("wb") as out:
            for chunk in audit_export.iter_csv(HEADER, rows(count)):
                out.write(chunk)
    elif case == "csv-results":
        writer = export_writers.CsvFile(target, HEADER)
        for row in rows(count):
            writer.write(row)
        writer.close()
    else:
        raise SystemExit(f"unknown case {case}")


def child(case: str, count: int, old_commit: str) -> None:
    """Run one case in this process and print its figures as JSON (the parent reads them)."""
    import openpyxl  # noqa: F401  (imports before the memory baseline)
    import xlsxwriter  # noqa: F401

    from tenant_app.services.audit import audit_export  # noqa: F401
    from tenant_app.services.files import export_writers, spreadsheets  # noqa: F401

    before = _peak_rss()
    with tempfile.TemporaryDirectory(prefix="kpi-bench-exports-") as folder:
        target = Path(folder) / f"out.{case.split('-')[0]}"
        started, cpu = time.perf_counter(), time.process_time()
        write(case, count, target, old_commit)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = target.stat().st_size
    figures = {"seconds": seconds, "cpu": cpu, "peak": _peak_rss() - before, "size": size}
    print(json.dumps(figures))


def _peak_rss() -> int:
    """The peak resident memory of this process so far, in bytes (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run(case: str, count: int, old_commit: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", case, str(count)]
    done = subprocess.run(
        [*command, "--old-commit", old_commit],
        capture_output=True, text=True, env=env, cwd=ROOT, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"{case} {count} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cell(figures: dict) -> str:
    return (
        f"{figures['seconds']:.2f} s, {figures['cpu']:.2f} s CPU, "
        f"+{figures['peak'] / 2**20:.1f} MiB"
    )


def _load() -> str:
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def _code_state() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        diff = subprocess.run(
            ["git", "-C", str(ROOT), "diff", "HEAD"], capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return f"{ROOT} (not a git checkout)"
    dirty = f" + uncommitted changes (diff sha256 {hashlib.sha256(diff).hexdigest()[:12]})"
    return f"{ROOT} at {head}{dirty if diff else ''}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="the large run")
    parser.add_argument("--small", type=int, default=10_000, help="the small run (memory slope)")
    parser.add_argument("--old-commit", default=OLD_COMMIT, help="where the baselines come from")
    parser.add_argument("--no-baseline", action="store_true", help="skip the old writers")
    parser.add_argument("--only", nargs="*", choices=CASES, help="run only these cases")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]), args.old_commit)
        return 0

    print(
        f"machine: {platform.platform()}, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}; {_load()} at the start",
        flush=True,
    )
    print(f"code: {_code_state()}; baselines from {args.old_commit}", flush=True)
    cases = [c for c in args.only or CASES if not (args.no_baseline and c in OLD_CASES)]
    results: dict[tuple[str, int], dict] = {}
    for count in (args.small, args.rows):
        for case in cases:
            figures = run(case, count, args.old_commit)
            results[case, count] = figures
            print(
                f"{case:15} {count:>8,} rows: {figures['seconds']:7.2f} s wall, "
                f"{figures['cpu']:7.2f} s CPU ({count / figures['cpu']:>9,.0f} rows/CPU-s), "
                "peak RSS "
                f"+{figures['peak'] / 2**20:6.1f} MiB, file {figures['size'] / 2**20:6.1f} MiB",
                flush=True,
            )
    print()
    print(
        f"| case | {args.small:,} rows: wall, CPU, peak RSS growth | {args.rows:,} rows | "
        "CPU vs baseline | memory |"
    )
    print("|---|---|---|---|---|")
    for case in cases:
        small, large = results[case, args.small], results[case, args.rows]
        base = results.get((BASELINES[case.split("-")[0]], args.rows))
        ratio = f"{large['cpu'] / base['cpu']:.2f}×" if base else "—"
        grown = large["peak"] - small["peak"]
        memory = "flat" if grown < 2**20 else f"+{grown / 2**20:.0f} MiB more for the large run"
        print(f"| {case} | {_cell(small)} | {_cell(large)} | {ratio} | {memory} |")
    print(f"\n{_load()} at the end", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
