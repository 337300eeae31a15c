"""The pages' shells and files (`console_ui/`), answered from memory before the app's routing (issue 16).

A page's first load is a shell and about twenty stylesheets and modules; every one of them went through the body
limits, the security-header middleware, FastAPI's routing and dependencies and Starlette's `StaticFiles` (a
thread hop for the `stat` and another for the read): about 1.3 ms of the one server process each, on the path
of a page getting ready, six at a time. This ASGI middleware, inside the request ids, answers a plain GET or HEAD
of such a file itself: the bytes are read once and kept with their ETag, and a `stat` per request notices a
changed file (a deploy or an edit shows at once, as before: `Cache-Control: no-cache`, 304 for a matching
`If-None-Match`). Anything else (a missing file, a dot or `..` in the path, a directory, a Range, a body, an
unknown type, a file over 256 KiB) goes on to the routes in server/pages/router.py, which answer as before.
"""

from __future__ import annotations

import mimetypes
import os
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from server.asgiscope import has_body, header
from server.pages.router import NO_CACHE, PAGES, STATIC_PREFIX, ui_root
from server.security import HEADERS

SECURITY = [(name.lower().encode(), value.encode()) for name, value in HEADERS.items()]
CACHE = [(name.lower().encode(), value.encode()) for name, value in NO_CACHE.items()]
LARGEST = 256 * 1024  # larger files (the vendored API docs bundles) are left to the routes, not kept in memory
TEXT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
              ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml", ".json": "application/json"}


@dataclass(frozen=True)
class Asset:
    """One file's bytes and how they were when read."""

    version: tuple[int, int]  # (mtime_ns, size): a changed file is read again
    body: bytes
    headers: list[tuple[bytes, bytes]]
    etag: str


def _relative(path: str) -> str | None:
    """The file a request path names under `console_ui/`, or None when this edge leaves it to the routes."""
    if path in PAGES:
        return PAGES[path]
    if not path.startswith(STATIC_PREFIX + "/"):
        return None
    name = path[len(STATIC_PREFIX) + 1:]
    parts = name.split("/")
    if not name or any(not part or part.startswith(".") or "\\" in part or "\x00" in part for part in parts):
        return None
    return name


def _content_type(name: str) -> str | None:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in TEXT_TYPES:
        return TEXT_TYPES[suffix]
    guessed = mimetypes.guess_type(name)[0]
    return guessed if guessed and guessed.startswith("image/") else None


def _plain(scope: Scope) -> bool:
    """A GET or HEAD without a body or a Range (those go the long way, as every route)."""
    if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
        return False
    return not has_body(scope) and header(scope, b"range") is None


def _matches(condition: bytes, etag: str) -> bool:
    wanted = [tag.strip().removeprefix("W/") for tag in condition.decode("latin-1").split(",")]
    return "*" in wanted or etag in wanted


class AssetEdge:
    """ASGI middleware: the pages' shells and their files, from memory."""

    def __init__(self, app: ASGIApp, root: Path | None = None) -> None:
        self.app = app
        self.root = (root or ui_root()).resolve()
        self.assets: dict[str, Asset] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        name = _relative(scope["path"]) if scope["type"] == "http" and _plain(scope) else None
        asset = self._asset(name) if name is not None else None
        if asset is None:
            await self.app(scope, receive, send)
            return
        condition = header(scope, b"if-none-match")
        if condition is not None and _matches(condition, asset.etag):
            await send({"type": "http.response.start", "status": 304,
                        "headers": [(b"etag", asset.etag.encode()), *CACHE, *SECURITY]})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": asset.headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else asset.body})

    def _asset(self, name: str) -> Asset | None:
        """The file's bytes, read again when it changed; None for anything but a plain file inside the folder."""
        content_type = _content_type(name)
        if content_type is None:
            return None
        path = self.root / name
        try:
            info = path.stat()
        except (OSError, ValueError):
            return None
        version = (info.st_mtime_ns, info.st_size)
        if info.st_size > LARGEST:
            return None
        known = self.assets.get(name)
        if known is not None and known.version == version:
            return known
        try:
            if not path.is_file() or not path.resolve().is_relative_to(self.root):
                return None
            body = path.read_bytes()
        except OSError:
            return None
        etag = f'"{info.st_mtime_ns:x}-{len(body):x}"'
        headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode()),
                   (b"etag", etag.encode()), (b"last-modified", formatdate(info.st_mtime, usegmt=True).encode()),
                   *CACHE, *SECURITY]
        asset = Asset(version=(info.st_mtime_ns, len(body)), body=body, headers=headers, etag=etag)
        self.assets[name] = asset
        return asset
