"""Argon2id password hashing with configured parameters; the same cost for unknown users.

The parameters come from the settings ``KPI_ARGON2_TIME_COST``, ``KPI_ARGON2_MEMORY_KIB`` and
``KPI_ARGON2_PARALLELISM``. The default is the first choice of the OWASP Password Storage Cheat
Sheet for argon2id (19 MiB, 2 passes, 1 lane): about 20 ms of one core here, against about 120 ms
wall and 170 ms CPU for argon2-cffi's own default (64 MiB, 3 passes, 4 lanes), which made a login
cost most of a second under load. One lane on purpose: under gunicorn's threads every core is
already busy with other requests, so more lanes only add thread start-up to the same work.
Settings weaker than every OWASP minimum are refused at start-up (``config.check_argon2``).

Hashes made with other parameters still verify (they carry their own) and are re-hashed with the
current ones at the next successful sign-in (``needs_rehash``, used by the login service).
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app, has_app_context

from tenant_app.config import ARGON2_DEFAULTS, check_argon2

MIN_LENGTH = 10


@dataclass(frozen=True)
class Argon2Parameters:
    """Argon2id cost: passes over memory, memory in KiB, lanes."""

    time_cost: int
    memory_kib: int
    parallelism: int


DEFAULT_PARAMETERS = Argon2Parameters(*ARGON2_DEFAULTS)


def parameters_from(config) -> Argon2Parameters:
    """Return the argon2id parameters set in ``config`` (a Flask config mapping)."""
    return Argon2Parameters(
        time_cost=int(config["KPI_ARGON2_TIME_COST"]),
        memory_kib=int(config["KPI_ARGON2_MEMORY_KIB"]),
        parallelism=int(config["KPI_ARGON2_PARALLELISM"]),
    )


def init_app(app) -> None:
    """Refuse to start with parameters below the OWASP minimum (settings passed to
    ``create_app`` included), and make the unknown-user hash now rather than in a request."""
    params = parameters_from(app.config)
    check_argon2(params.time_cost, params.memory_kib, params.parallelism)
    dummy_hash(params)


def configured_parameters() -> Argon2Parameters:
    """The parameters of the app in context (the defaults outside one, e.g. in a script)."""
    if has_app_context():
        return parameters_from(current_app.config)
    return DEFAULT_PARAMETERS


@functools.cache
def _hasher(params: Argon2Parameters) -> PasswordHasher:
    return PasswordHasher(
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
    )


@functools.cache
def dummy_hash(params: Argon2Parameters) -> str:
    """A hash of a random password with ``params``: checked when there is no account, so that an
    unknown username costs the same work as a wrong password."""
    return _hasher(params).hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher(configured_parameters()).hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether ``password`` matches; with no hash, spend the same work and return False."""
    params = configured_parameters()
    try:
        return (
            _hasher(params).verify(password_hash or dummy_hash(params), password)
            and password_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Return whether ``password_hash`` was made with other parameters than the configured ones."""
    return _hasher(configured_parameters()).check_needs_rehash(password_hash)


def generate_password() -> str:
    """A temporary password that is easy to read aloud or print (no 0/O, 1/l)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(14))
