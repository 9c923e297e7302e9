"""The layering holds: the import-linter contracts (.importlinter) and no import cycle anywhere."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import grimp

from tenant_app.background import paths
from tenant_app.jobs.schedule import PERIODIC

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tenant_app", "blueprints", "admin", "scoring")
# The composition root: create_app wires the web layers in, the CLI starts workers.
COMPOSITION = {
    ("tenant_app", "admin"),
    ("tenant_app", "blueprints"),
    ("tenant_app", "tenant_app.cli"),
}


def _graph():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    for importer, imported in COMPOSITION:
        graph.remove_import(importer=importer, imported=imported)
    return graph


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_cycle_finder_finds_a_planted_cycle():
    """The checker itself can fail: a -> b -> c -> a is reported, a tree is not."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycle_between_modules():
    """No module of ours imports, directly or through others, a module that imports it back
    (imports inside functions count too)."""
    graph = _graph()
    edges = {
        module: {imported for imported in graph.find_modules_directly_imported_by(module)}
        for module in graph.modules
    }
    assert _cycles(edges) == []


def test_import_contracts_hold():
    """`lint-imports` (run by `make lint` too) keeps every contract of .importlinter."""
    done = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:]


def test_every_job_path_names_a_job_function():
    """Each path services enqueue, and each scheduled entry, resolves to a function of jobs/."""
    named = {value for name, value in vars(paths).items() if name.isupper()}
    named |= {entry.func for entry in PERIODIC}
    for path in sorted(named):
        module, _sep, name = path.rpartition(".")
        assert module.startswith("tenant_app.jobs."), path
        assert callable(getattr(importlib.import_module(module), name)), path


def test_views_leave_side_effects_to_the_use_cases():
    """No view re-scores, enqueues a job or expires the session by hand: the services mark what
    must follow a change and the after-commit hook starts it (ARCHITECTURE "A use case owns its
    side effects")."""
    forbidden = ("request_rescore", "enqueue(", "expire_all(")
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for folder in ("blueprints", "admin")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(word in line for word in forbidden)
    ]
    assert found == []
