"""Reading an ASGI request's headers before any framework has parsed them.

The edges that answer requests ahead of the app's routing (the page files, the public live page, the body
limits) all need the same two questions of the raw scope; one place keeps their answers the same.
"""

from __future__ import annotations

from starlette.types import Scope


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of header `name` (lower case). ASGI servers give names in lower case; a hand-built
    scope (a test, another server) may not, so a name in any case matches."""
    for key, value in scope.get("headers", []):
        if key == name or key.lower() == name:
            return bytes(value)
    return None


def has_body(scope: Scope) -> bool:
    """The request says it carries a body (a length other than 0, or chunked)."""
    length = header(scope, b"content-length")
    return header(scope, b"transfer-encoding") is not None or (length is not None and length.strip() != b"0")
