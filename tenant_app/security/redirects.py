"""Where a ``next`` parameter may send the browser: a path on this site, never anywhere else.

Browsers are lenient with a Location header: they drop tabs and newlines, read ``\\`` as ``/``
and take ``//host`` as another site. So a target is accepted only if it is a plain absolute path
(``/…`` but not ``//…``) with no control, format or separator character and no backslash, both as
received and after percent-decoding it; anything else falls back to the caller's default.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import unquote, urlsplit

MAX_LENGTH = 2048
_DECODE_ROUNDS = 4


def _no_odd_characters(text: str, *, allow_space: bool) -> bool:
    """True if ``text`` has no control (Cc/Cf/Cs/Co/Cn) or separator (Zs/Zl/Zp) character."""
    for char in text:
        category = unicodedata.category(char)
        if category[0] == "C" or (category[0] == "Z" and not (allow_space and char == " ")):
            return False
    return True


def _is_plain_path(text: str) -> bool:
    """True if ``text`` is ``/…`` (not ``//…``), without backslash, scheme or host."""
    if not text.startswith("/") or text.startswith("//") or "\\" in text:
        return False
    parts = urlsplit(text)
    return parts.scheme == "" and parts.netloc == ""


def is_local_path(value: str) -> bool:
    """Return whether ``value`` is a same-site path a redirect may safely point to."""
    if not value or len(value) > MAX_LENGTH:
        return False
    if not _no_odd_characters(value, allow_space=False) or not _is_plain_path(value):
        return False
    # A decoded form must be harmless too: proxies and old clients decode more than they should.
    text = value
    for _round in range(_DECODE_ROUNDS):
        decoded = unquote(text)
        if decoded == text:
            return True
        if not _no_odd_characters(decoded, allow_space=True) or not _is_plain_path(decoded):
            return False
        text = decoded
    return False


def safe_target(value, default: str) -> str:
    """Return ``value`` if it is a safe same-site path (see ``is_local_path``), else ``default``."""
    if isinstance(value, str) and is_local_path(value):
        return value
    return default
