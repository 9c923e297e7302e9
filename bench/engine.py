"""Pure scoring engine throughput: ``scoring.score_period`` in people per CPU-second.

Generates ``--people`` PeriodInput objects up front (20 work items each: quantities 1–20,
completed ≤ assigned, coefficients 0.5/1/1.5/2.5 plus up to 6 random decimals, some errors,
delays and exemptions, general points with decimals, about 10% leaders with LeaderCriteria) and
reports that construction cost separately. Then times ``score_period`` over all of them with
``time.process_time()`` (CPU seconds of this process), ``--repeat`` times alternating with the
plain-loop baseline below, and prints the median (and best) people per CPU-second; then the
cost of building the lazy explanation for ``--explain-sample`` people (ms per person).

Baselines, in the same run and on the same generated inputs:

- the **previous engine** (Decimal arithmetic with the explanation built eagerly, commit
  ``--old-commit``, the parent of the exact-engine commit) extracted with ``git archive`` into a
  temporary directory and run in a child process on the first ``--old-people`` people (it is
  about 15x slower); skipped with a note when git or the commit is not available;
- a **plain Python loop** over the same Decimal fields (per person: sum assigned × coefficient,
  completed × coefficient and the error/delay deductions, plus the general points; no validation,
  no fractions, no grade) — the floor of any pure-Python engine.

Prints figures and asserts nothing.
Usage: ``.venv/bin/python bench/engine.py [--people 20000] [--repeat 7] [--explain-sample 1000]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ITEMS = 20
COEFFICIENTS = (Decimal("0.5"), Decimal("1"), Decimal("1.5"), Decimal("2.5"))
OLD_COMMIT = "19dd779"  # parent of 9f1bb4c "Exact scoring engine: integers and fractions, ..."


def raw_people(count: int, seed: int = 2026) -> list[tuple]:
    """Plain data for ``count`` people: (items, general, leader or None), deterministic."""
    rng = random.Random(seed)
    people = []
    for _ in range(count):
        items = []
        for k in range(ITEMS):
            assigned = rng.randint(1, 20)
            completed = assigned if rng.random() < 0.7 else rng.randint(0, assigned)
            coefficient = rng.choice(COEFFICIENTS)
            if rng.random() < 0.3:  # up to 6 decimals
                places = rng.randint(1, 6)
                coefficient += Decimal(rng.randint(1, 10**places - 1)).scaleb(-places)
            errors = rng.randint(1, min(completed, 3)) if completed and rng.random() < 0.1 else 0
            delays = rng.randint(1, min(completed, 3)) if completed and rng.random() < 0.1 else 0
            exempt_errors = rng.randint(0, errors) if errors and rng.random() < 0.3 else 0
            exempt_delays = rng.randint(0, delays) if delays and rng.random() < 0.3 else 0
            items.append(
                (f"SP{k:02d}", Decimal(assigned), coefficient, Decimal(completed), errors,
                 delays, exempt_errors, exempt_delays)
            )  # fmt: skip
        general = tuple(Decimal(rng.randint(500, 1000)).scaleb(-2) for _ in range(3))
        leader = None
        if rng.random() < 0.1:
            leader = (Decimal(rng.choice((70, 80, 90, 100))), Decimal(rng.randint(60, 100)))
        people.append((items, general, leader))
    return people


def build_inputs(scoring, raw: list[tuple]) -> list:
    """PeriodInput objects of ``scoring`` (the current package or the previous one)."""
    from dataclasses import fields

    leader_fields = {f.name for f in fields(scoring.LeaderCriteria)}
    team = {"team_size": 20, "team_passing": 19} if "team_size" in leader_fields else {}
    work_item, period_input = scoring.WorkItem, scoring.PeriodInput
    inputs = []
    for items, general, leader in raw:
        inputs.append(
            period_input(
                items=tuple(work_item(*item) for item in items),
                general=general,
                leader=None if leader is None else scoring.LeaderCriteria(*leader, **team),
            )
        )
    return inputs


def time_scoring(score, inputs: list, params, repeat: int) -> list[float]:
    """CPU seconds of scoring every input, once per repetition."""
    runs = []
    for _ in range(repeat):
        cpu = time.process_time()
        for period in inputs:
            score(period, params)
        runs.append(time.process_time() - cpu)
    return runs


def plain_loop(raw: list[tuple], repeat: int) -> list[float]:
    """CPU seconds of a plain Decimal loop over the same fields (the floor, see the docstring)."""
    error_rate = delay_rate = Decimal("0.25")
    runs = []
    for _ in range(repeat):
        cpu = time.process_time()
        for items, general, _leader in raw:
            assigned = completed = quality = on_time = Decimal(0)
            for _code, q, k, done, errors, delays, ex_e, ex_d in items:
                units = done * k
                assigned += q * k
                completed += units
                quality += max(Decimal(0), units - error_rate * k * (errors - ex_e))
                on_time += max(Decimal(0), units - delay_rate * k * (delays - ex_d))
            sum(general)
        runs.append(time.process_time() - cpu)
    return runs


def old_engine_child(old_dir: str, people: int, repeat: int) -> None:
    """In the child process: score with the previous engine found in ``old_dir``; print JSON."""
    sys.path.insert(0, old_dir)
    import scoring as old  # the previous package, first on the path

    assert str(Path(old.__file__).resolve()).startswith(str(Path(old_dir).resolve()))
    raw = raw_people(people)
    cpu = time.process_time()
    inputs = build_inputs(old, raw)
    construction = time.process_time() - cpu
    params = old.Params()
    runs = time_scoring(lambda p, pr: old.score_period(p, pr), inputs, params, repeat)
    print(json.dumps({"people": people, "construction": construction, "runs": runs}))


def old_engine(commit: str, people: int, repeat: int) -> dict | str:
    """Run the previous engine in a child process; its figures, or why it could not run."""
    with tempfile.TemporaryDirectory(prefix="kpi-old-engine-") as tmp:
        archive = Path(tmp) / "old.tar"
        try:
            with archive.open("wb") as out:
                subprocess.run(
                    ["git", "-C", str(ROOT), "archive", commit, "scoring"],
                    stdout=out, stderr=subprocess.PIPE, check=True,
                )  # fmt: skip
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
        except (OSError, subprocess.CalledProcessError) as exc:
            return f"previous engine not available ({exc})"
        child = subprocess.run(
            [sys.executable, __file__, "--_old-engine-dir", tmp, "--people", str(people),
             "--repeat", str(repeat)],
            capture_output=True, text=True, cwd=tmp,
        )  # fmt: skip
        if child.returncode != 0:
            return f"previous engine failed: {child.stderr.strip().splitlines()[-1:]}"
        return json.loads(child.stdout.strip().splitlines()[-1])


def _rate(people: int, seconds: float) -> float:
    return people / seconds if seconds else float("inf")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain-sample", type=int, default=1_000)
    parser.add_argument("--old-people", type=int, default=2_000)
    parser.add_argument("--old-repeat", type=int, default=3)
    parser.add_argument("--old-commit", default=OLD_COMMIT)
    parser.add_argument("--_old-engine-dir", dest="old_dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.old_dir:
        old_engine_child(args.old_dir, args.people, args.repeat)
        return 0

    sys.path.insert(0, str(ROOT))
    import scoring

    print(
        f"machine: {platform.platform()}, nproc {os.cpu_count()}, "
        f"Python {platform.python_version()}; load average at the start: {os.getloadavg()}"
    )
    print(f"engine {scoring.ENGINE_VERSION}, {args.people} people × {ITEMS} items")
    cpu = time.process_time()
    raw = raw_people(args.people)
    generated = time.process_time() - cpu
    cpu = time.process_time()
    inputs = build_inputs(scoring, raw)
    construction = time.process_time() - cpu
    leaders = sum(1 for p in inputs if p.leader is not None)
    print(
        f"random data: {generated:.2f} s CPU; PeriodInput construction (validation, scaled "
        f"integers): {construction:.2f} s CPU = {_rate(args.people, construction):,.0f} people/s, "
        f"{construction / args.people * 1e6:.0f} µs per person; {leaders} leaders"
    )

    params = scoring.Params()
    # The engine and the plain loop alternate, so that both see the same machine: on a shared
    # host the CPU time of one run varies by a third from one minute to the next.
    runs, loop = [], []
    for _ in range(args.repeat):
        runs += time_scoring(scoring.score_period, inputs, params, 1)
        loop += plain_loop(raw, 1)
    median = statistics.median(runs)
    rate = _rate(args.people, median)
    best = _rate(args.people, min(runs))
    print(
        f"score_period: median {median:.3f} s CPU over {args.repeat} runs "
        f"(min {min(runs):.3f}, max {max(runs):.3f}) = {rate:,.0f} people per CPU-second "
        f"(best run {best:,.0f}), {median / args.people * 1e6:.1f} µs per person "
        f"(target ≥ 20,000)"
    )
    grades = {}
    for period in inputs:
        grade = scoring.score_period(period, params).grade.value
        grades[grade] = grades.get(grade, 0) + 1
    print(f"grades: {dict(sorted(grades.items()))}")

    sample = inputs[: args.explain_sample]
    results = [scoring.score_period(p, params) for p in sample]
    cpu = time.process_time()
    for result in results:
        result.explanation  # noqa: B018 — built on first access
    explain = time.process_time() - cpu
    cpu = time.process_time()
    for result in results:
        scoring.explanation_to_dict(result.explanation)
    to_dict = time.process_time() - cpu
    print(
        f"explanation of {len(sample)} people (on demand): {explain / len(sample) * 1000:.3f} ms "
        f"CPU per person to build, {to_dict / len(sample) * 1000:.3f} ms more as JSON-ready dicts"
    )

    loop_rate = _rate(args.people, statistics.median(loop))
    loop_best = _rate(args.people, min(loop))
    print(
        f"baseline, plain Python Decimal loop over the same fields (no validation, fractions or "
        f"grade), runs alternating with the engine's: median {statistics.median(loop):.3f} s CPU "
        f"= {loop_rate:,.0f} people/s (best run {loop_best:,.0f}); score_period's speed / the "
        f"loop's = {rate / loop_rate:.2f}x by medians, {best / loop_best:.2f}x by best runs"
    )

    old_people = min(args.old_people, args.people)
    old = old_engine(args.old_commit, old_people, args.old_repeat)
    if isinstance(old, str):
        print(f"baseline, previous engine: {old}")
    else:
        old_median = statistics.median(old["runs"])
        old_rate = _rate(old["people"], old_median)
        print(
            f"baseline, previous engine (commit {args.old_commit}: Decimal, explanation built "
            f"eagerly), first {old['people']} of the same people, child process: median "
            f"{old_median:.3f} s CPU over {len(old['runs'])} runs = {old_rate:,.0f} people per "
            f"CPU-second (its construction {old['construction']:.2f} s); "
            f"ratio new / previous = {rate / old_rate:.1f}x"
        )
    print(f"load average at the end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
