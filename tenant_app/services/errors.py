"""Errors a service raises for the caller to show: a stable code, a field and a readable message."""

from __future__ import annotations


class ServiceError(Exception):
    """A request the rules refuse. ``message`` is already translated for the current locale."""

    status = 400

    def __init__(
        self, code: str, message: str, field: str | None = None, status: int | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409
