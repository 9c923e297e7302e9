"""After-commit effects: jobs a change asks for, enqueued once its transaction is committed.

A service that changes what a job's result depends on calls ``after_commit(queue, path, ...)``
while it writes; the request (or job, or import) commits as usual, and the one ``after_commit``
listener registered by ``init_app`` enqueues what was asked, each distinct request once, in the
order asked. A rollback forgets them. So the HTML view, the API, an import and a job all get the
same follow-up without remembering to ask, and nothing is enqueued for work that was not saved.

``key`` deduplicates within a transaction (ten reports of one person, one re-score): the first
request of a key is kept, unless a later one says ``replace`` (it then takes the first one's place
in the order). ``job_id`` fixes the rq job id, and ``absorb`` skips the enqueue while a job with
that id still waits in Redis (its run will read everything afresh): a burst of commits costs one
job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

_PENDING = "kpi_after_commit"


@dataclass(frozen=True)
class Effect:
    queue: str
    path: str
    tenant_id: int | None
    args: tuple = ()
    kwargs: tuple = ()  # sorted (name, value) pairs, hashable
    job_id: str | None = None
    absorb: bool = False


def after_commit(
    session: Session,
    queue: str,
    path: str,
    tenant_id: int | None,
    *args,
    key=None,
    job_id: str | None = None,
    absorb: bool = False,
    replace: bool = False,
    **kwargs,
) -> None:
    """Enqueue ``path(tenant_id, *args, **kwargs)`` on ``queue`` once ``session`` commits.

    A second request of the same ``key`` in the transaction is dropped, or with ``replace``
    takes the place of the first.
    """
    named = tuple(sorted(kwargs.items()))
    effect = Effect(queue, path, tenant_id, tuple(args), named, job_id, absorb)
    effects: dict = session.info.setdefault(_PENDING, {})
    if replace:
        effects[key if key is not None else effect] = effect
    else:
        effects.setdefault(key if key is not None else effect, effect)


def requested(session: Session, key) -> Effect | None:
    """The effect ``session`` holds under ``key`` for its next commit, if any."""
    return session.info.get(_PENDING, {}).get(key)


def pending(session: Session) -> list[Effect]:
    """What ``session`` will enqueue at its next commit (for tests and diagnostics)."""
    return list(session.info.get(_PENDING, {}).values())


def withdraw(session: Session, done) -> None:
    """Take back requests ``session`` no longer needs (their work was done in the transaction)."""
    done = set(done)
    effects: dict = session.info.get(_PENDING, {})
    for key in [key for key, effect in effects.items() if effect in done]:
        del effects[key]


def _run_effects(session: Session) -> None:
    effects = session.info.pop(_PENDING, None)
    if not effects:
        return
    from tenant_app.background import runner  # looked up at call time: tests spy on it

    for effect in effects.values():
        try:
            runner.enqueue(
                effect.queue,
                effect.path,
                effect.tenant_id,
                *effect.args,
                rq_job_id=effect.job_id,
                absorb=effect.absorb,
                commit=False,
                **dict(effect.kwargs),
            )
        except Exception:  # the change is committed; the nightly rebuilds catch up
            log.exception("job %s (tenant %s) not enqueued", effect.path, effect.tenant_id)


def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)


def init_app(app) -> None:
    """Register the after-commit and after-rollback listeners (once per process)."""
    if not event.contains(Session, "after_commit", _run_effects):
        event.listen(Session, "after_commit", _run_effects)
        event.listen(Session, "after_rollback", _forget)
