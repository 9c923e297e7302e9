"""The English catalogue covers every message, and Vietnamese stays the default language."""

from __future__ import annotations

import subprocess
import sys

from babel.messages.pofile import read_po

from tenant_app.config import PROJECT_ROOT

CATALOGUE = PROJECT_ROOT / "tenant_app/translations/en/LC_MESSAGES/messages.po"


def test_translations_every_message_has_english(tmp_path):
    """Extracting messages (``_l`` too) finds none the English catalogue lacks or leaves empty."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",  # lazy_gettext, as the Makefile extracts it
            "-o",
            str(pot),
            "--no-location",
            "tenant_app",
            "blueprints",
            "admin",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    wanted = {m.id for m in read_po(pot.open("rb")) if m.id}
    english = {m.id: m.string for m in read_po(CATALOGUE.open("rb")) if m.id}
    missing = sorted(str(m) for m in wanted if not english.get(m))
    assert missing == []


def test_translations_placeholders_match():
    """Each English text keeps exactly the placeholders of its Vietnamese source."""
    import re

    pattern = re.compile(r"%\([a-z_]+\)[sd]")
    wrong = [
        m.id
        for m in read_po(CATALOGUE.open("rb"))
        if m.id and m.string and sorted(pattern.findall(m.id)) != sorted(pattern.findall(m.string))
    ]
    assert wrong == []


def test_translations_pages_switch_language(client):
    """The start page is Vietnamese by default and English after choosing English."""
    assert "Đăng nhập đơn vị" in client.get("/").get_data(as_text=True)
    client.get("/lang/en")
    assert "Unit login" in client.get("/").get_data(as_text=True)
