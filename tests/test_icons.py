"""The icons the templates draw are the ones the asset build puts in the sprite."""

from __future__ import annotations

import re

from tenant_app.config import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "tenant_app" / "templates"


def _built() -> set[str]:
    source = (PROJECT_ROOT / "assets" / "build.mjs").read_text(encoding="utf-8")
    listing = re.search(r"export const ICONS = \[(.*?)\];", source, re.S).group(1)
    return set(re.findall(r'"([a-z0-9-]+)"', listing))


def _used() -> set[str]:
    used: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""icon\(\s*["']([a-z0-9-]+)["']""", text))
        used |= set(re.findall(r'navgroup\(_\("[^"]*"\), "([a-z0-9-]+)"', text))
        used |= set(re.findall(r'navlink\("[^"]+", _\("[^"]*"\), "([a-z0-9-]+)"\)', text))
    return used


def test_icons_every_icon_used_is_built():
    """Each icon name a template uses is listed in assets/build.mjs (else it draws nothing)."""
    assert _used() - _built() == set()


def test_icons_nothing_built_that_no_template_uses():
    """The sprite carries no icon that no template draws (it is served on every page)."""
    assert _built() - _used() == set()
