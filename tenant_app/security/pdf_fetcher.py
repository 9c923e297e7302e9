"""What WeasyPrint may load while printing a PDF: the package's own static files, nothing else.

WeasyPrint's default fetcher follows any URL in the HTML it prints (``file://`` anywhere on the
disk, ``http(s)://`` inside the network, ``data:``) and ``<a rel="attachment">`` even embeds the
target in the PDF; one unescaped field in a template would then read the server's files. Every
``HTML(...)`` of the app is given ``fetcher()``, which serves a ``file://`` URL only when its
real path (links resolved) is a file under ``tenant_app/static`` (or a file it is given by
name: the province's logo) and refuses everything else.
The PDF templates inline their CSS and draw charts as inline SVG; fonts come from fontconfig,
not from URLs, so nothing they need is refused.

Imported only where a PDF is printed: importing WeasyPrint loads Pango.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ROOT = (Path(__file__).resolve().parents[1] / "static").resolve()


class RefusedResource(ValueError):
    """A URL the PDF renderer may not load (WeasyPrint skips the resource with a warning)."""


def asset_url(relative: str) -> str:
    """Return the URL a PDF template uses for ``tenant_app/static/<relative>``."""
    return (STATIC_ROOT / relative).as_uri()


def static_path(url: str, also: frozenset[Path] = frozenset()) -> Path:
    """Return the file under STATIC_ROOT (or one of the files ``also`` names, resolved) that
    ``url`` names.

    Raises RefusedResource for any other scheme, a remote host, a path outside STATIC_ROOT
    (``..`` or a symbolic link included) that is not in ``also``, or something not a file.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise RefusedResource(f"not a packaged asset: {url[:200]}")
    try:
        path = Path(url2pathname(unquote(parts.path))).resolve(strict=True)
    except (OSError, RuntimeError, ValueError) as exc:
        raise RefusedResource(f"no such asset: {url[:200]}") from exc
    if not (path.is_relative_to(STATIC_ROOT) or path in also) or not path.is_file():
        raise RefusedResource(f"outside the packaged assets: {url[:200]}")
    return path


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves STATIC_ROOT's files and refuses every other URL."""

    def __init__(self, also: Iterable[Path] = ()):
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self._also = frozenset(Path(p).resolve() for p in also)

    def fetch(self, url, headers=None):
        """Return the asset ``url`` names; raise RefusedResource for anything else."""
        path = static_path(url, self._also)
        mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mimetype}
        )


def fetcher(also: Iterable[Path] = ()) -> StaticOnlyFetcher:
    """Return the URL fetcher every WeasyPrint call of the app must use; ``also``: files outside
    the packaged assets it may serve too (the province's logo, checked by its service)."""
    return StaticOnlyFetcher(also)
