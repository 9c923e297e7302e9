"""Who reads a score in full: the one rule shared by the score pages and the scores API.

A person reads their own score in full (parts a, b, c, self score, forced fail and its reason,
the explanation), and so does whoever directs them (``assignments.can_manage``: their manager, the
head of their unit or of a unit above it, the unit administrator). Everyone else in the unit reads a
published period's name, post, total and grade only, as the published results page shows them.
"""

from __future__ import annotations

from tenant_app.models.staff import StaffMember
from tenant_app.services.evaluation import assignments
from tenant_app.services.workspace import staff


def reads_in_full(user, person: StaffMember) -> bool:
    """Return whether ``user`` may read ``person``'s score in full (their own, or they direct
    ``person``)."""
    if user is None:
        return False
    own = person.user_id is not None and person.user_id == getattr(user, "id", None)
    return own or assignments.can_manage(user, person)


def full_read_ids(user, people) -> set:
    """The ids of ``people`` whose score ``user`` reads in full: ``reads_in_full`` for each, in
    a fixed number of queries (a list of scores or classifications asks once, not per row)."""
    people = list(people)
    if user is None or not people:
        return set()
    uid = getattr(user, "id", None)
    readable = {p.id for p in people if p.user_id is not None and p.user_id == uid}
    if getattr(user, "is_province", False) or not user.has_role("unit_admin", "manager"):
        return readable
    if user.has_role("unit_admin"):
        return {p.id for p in people}
    own = staff.staff_for_user(user)
    if own is not None:
        readable |= {p.id for p in people if p.manager_id == own.id}
    managed = staff.managed_unit_ids(user)
    posts = staff.current_assignments([p.id for p in people])
    readable |= {sid for sid, post in posts.items() if post.org_unit_id in managed}
    return readable
