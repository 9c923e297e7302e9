"""The scoring engine's one error type: invalid input, named by field, explained in Vietnamese."""

from __future__ import annotations


class ScoringInputError(ValueError):
    """Raised when scoring input or parameters are invalid.

    ``field`` names the offending input (``items[2].completed``, ``params.quota_ratio``, ...);
    ``message`` is a Vietnamese sentence a user can act on.
    """

    def __init__(self, field: str, message_vi: str) -> None:
        super().__init__(f"{field}: {message_vi}")
        self.field = field
        self.message = message_vi

    def to_dict(self) -> dict[str, str]:
        """Return ``{"field": ..., "message": ...}`` for JSON error envelopes."""
        return {"field": self.field, "message": self.message}
