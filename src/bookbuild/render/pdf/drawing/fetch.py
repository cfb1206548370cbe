"""The only way WeasyPrint reads a file: a fetcher that serves the book root,
the package data and `.bookbuild/cache/` (docs/FORMAT.md "Files and safety").

    fetcher_class() -> type     RestrictedFetcher (WeasyPrint's URLFetcher subclass)
    about_refused(message, refused) -> bool
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from ....check.assets import pixel_problem
from ....limits import MAX_FILE_BYTES


def fetcher_class():
    """RestrictedFetcher, made on first use (it subclasses WeasyPrint's fetcher)."""
    if _FETCHER:
        return _FETCHER[0]
    # deferred: WeasyPrint only where pages are drawn
    from weasyprint.urls import URLFetcher

    class RestrictedFetcher(URLFetcher):
        """Serve file: URLs under the allowed roots and data: URLs; refuse the rest.

        docs/FORMAT.md "Files and safety": the renderer fetches only from the book
        root, the package data and `.bookbuild/cache/`; `http:` or a `file:` URL
        elsewhere (also through a symlink) is refused before any byte is read
        or sent.  A file over 64 MiB, or an image whose header claims more than
        check.assets.MAX_PIXELS pixels, is refused too: WeasyPrint reads a file
        whole and Pillow would decode the bomb.  `refusals` keeps
        (url, code, reason) for the diagnostics.
        """

        def __init__(self, roots: list[Path]):
            super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
            self.roots = [Path(r).resolve() for r in roots]
            self.refused: list[str] = []
            self.refusals: list[tuple[str, str, str]] = []

        def allows(self, url: str) -> bool:
            return self.refusal(url) is None

        def refusal(self, url: str):
            """None, or (code, reason) when `url` may not be fetched."""
            parts = urlsplit(url)
            if parts.scheme == "data":
                return None
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                return "BB508", f"{parts.scheme or 'relative'} URL refused (nothing is fetched from the network)"
            try:
                path = Path(url2pathname(unquote(parts.path))).resolve()
            except (OSError, RuntimeError):
                return "BB508", "symlink loop"
            if not any(path == r or path.is_relative_to(r) for r in self.roots):
                return "BB508", "outside the book root (directly or through a symlink)"
            if not path.is_file():
                return "BB509", "missing"
            if path.stat().st_size > MAX_FILE_BYTES:
                return "BB510", "larger than 64 MiB"
            problem = pixel_problem(path)
            return (problem.code, problem.reason) if problem else None

        def fetch(self, url, headers=None):
            why = self.refusal(url)
            if why is not None:
                self.refused.append(url)
                self.refusals.append((url, *why))
                raise ValueError(f"bookbuild refuses to fetch {url}: {why[1]}")
            return super().fetch(url, headers)

    _FETCHER.append(RestrictedFetcher)
    return RestrictedFetcher


_FETCHER: list = []


def about_refused(message: str, refused: list[str]) -> bool:
    """WeasyPrint's own "Failed to load image at …" for a URL we refused (reported once, by us)."""
    return any(url in message for url in refused)
