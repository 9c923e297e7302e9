"""Who reads a score in full: the one rule shared by the score pages and the scores API.

A person reads their own score in full (parts a, b, c, self score, forced fail and its reason,
the explanation), and so does whoever directs them (``work.can_manage``: their manager, the head
of their unit or of a unit above it, the unit administrator). Everyone else in the unit reads a
published period's name, post, total and grade only, as the published results page shows them.
"""

from __future__ import annotations

from tenant_app.models.staff import StaffMember
from tenant_app.services import work


def reads_in_full(user, person: StaffMember) -> bool:
    """Return whether ``user`` may read ``person``'s score in full (their own, or they direct
    ``person``)."""
    if user is None:
        return False
    own = person.user_id is not None and person.user_id == getattr(user, "id", None)
    return own or work.can_manage(user, person)
