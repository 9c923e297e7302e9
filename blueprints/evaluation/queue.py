"""The manager's worklists at scale (Thẩm định, Giao việc): filters by state, division, person,
item and a name/code search over the people one manages, with counts per filter and pages."""

from __future__ import annotations

import math
import unicodedata
import uuid
from dataclasses import dataclass, field

PAGE_SIZE = 20
# Query parameters that make up a filtered view; forms and redirects carry exactly these.
KEYS = ("show", "unit", "person", "item", "q", "page")


def _uuid(value):
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def folded(text: str) -> str:
    """``text`` lower-cased without Vietnamese diacritics, so "nguyen" finds "Nguyễn"."""
    text = (text or "").casefold().replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


@dataclass
class Filters:
    """The filters named in a request's query string (unknown or malformed values ignored)."""

    show: str
    unit: uuid.UUID | None = None
    person: uuid.UUID | None = None
    item: uuid.UUID | None = None
    q: str = ""
    page: int = 1

    @classmethod
    def parse(cls, args, shows: tuple[str, ...]) -> Filters:
        """The filters of ``args``; ``shows[0]`` is the default state filter."""
        show = args.get("show", "")
        try:
            page = max(1, int(args.get("page", "1")))
        except ValueError:
            page = 1
        return cls(
            show=show if show in shows else shows[0],
            unit=_uuid(args.get("unit")),
            person=_uuid(args.get("person")),
            item=_uuid(args.get("item")),
            q=(args.get("q") or "").strip()[:100],
            page=page,
        )

    def args(self, **override) -> dict:
        """The query parameters of these filters (empty ones left out), with ``override``."""
        values = {
            "show": self.show,
            "unit": self.unit,
            "person": self.person,
            "item": self.item,
            "q": self.q,
            "page": self.page if self.page > 1 else None,
        }
        values.update(override)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


@dataclass
class Queue:
    """One page of a filtered worklist and the counts that go with its filters."""

    filters: Filters
    people: list  # the people of this page
    total: int  # people matching every filter
    pages: int
    counts: dict[str, int]  # per state filter, under the other filters
    units: list[tuple[uuid.UUID, str, int]] = field(default_factory=list)
    items: list[tuple[uuid.UUID, str, int]] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.filters.page


def build(filters: Filters, people, posts, states, item_people, item_labels) -> Queue:
    """Filter ``people`` (already those the user manages) and cut out the requested page.

    ``states`` maps each state filter to the ids it keeps (None: everyone); ``item_people`` maps
    an item id to the ids that have it in the period; ``item_labels`` names the items.
    """
    text = folded(filters.q)

    def unit_of(person):
        post = posts.get(person.id)
        return post.org_unit_id if post else None

    def keep(person, *, state=True, unit=True, item=True) -> bool:
        if state and states[filters.show] is not None and person.id not in states[filters.show]:
            return False
        if unit and filters.unit and unit_of(person) != filters.unit:
            return False
        if item and filters.item and person.id not in item_people.get(filters.item, ()):
            return False
        if filters.person and person.id != filters.person:
            return False
        return not text or text in folded(person.full_name) or text in folded(person.code)

    rows = [p for p in people if keep(p)]
    counts = {
        name: sum(1 for p in people if keep(p, state=False) and (ids is None or p.id in ids))
        for name, ids in states.items()
    }
    names, per_unit = {}, {}
    for p in people:
        post = posts.get(p.id)
        if post is not None and keep(p, unit=False):
            names[post.org_unit_id] = post.org_unit.name
            per_unit[post.org_unit_id] = per_unit.get(post.org_unit_id, 0) + 1
    units = sorted(((uid, names[uid], n) for uid, n in per_unit.items()), key=lambda u: u[1])
    if filters.unit and filters.unit not in per_unit:
        units.append((filters.unit, "?", 0))
    kept = {p.id for p in people if keep(p, item=False)}
    items = sorted(
        (
            (iid, item_labels.get(iid, "?"), len(kept & ids))
            for iid, ids in item_people.items()
            if iid in item_labels
        ),
        key=lambda i: i[1],
    )
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    filters.page = min(filters.page, pages)
    start = (filters.page - 1) * PAGE_SIZE
    return Queue(
        filters=filters,
        people=rows[start : start + PAGE_SIZE],
        total=len(rows),
        pages=pages,
        counts=counts,
        units=units,
        items=items,
    )
