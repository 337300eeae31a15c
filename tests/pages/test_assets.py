"""The pages' shells and files answered from memory (server/pages/assets.py): the same answers as the routes gave,
a changed file shown at once, and anything unusual left to the routes."""

from __future__ import annotations

import os
from pathlib import Path

from httpx import ASGITransport, AsyncClient
from starlette.types import Receive, Scope, Send

from server.pages.assets import LARGEST, AssetEdge, _relative


async def _routes(scope: Scope, receive: Receive, send: Send) -> None:
    """Stands for the app behind the edge: 418, so a test sees what went on to the routes."""
    await send({"type": "http.response.start", "status": 418, "headers": []})
    await send({"type": "http.response.body", "body": b"routes"})


def _edge(root: Path) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=AssetEdge(_routes, root=root)), base_url="http://testserver")


async def test_files_come_from_memory_and_changes_show_at_once(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "a.js"
    script.write_text("export const a = 1;\n")
    async with _edge(tmp_path) as client:
        first = await client.get("/ui/js/a.js")
        assert first.status_code == 200 and first.text == "export const a = 1;\n"
        assert first.headers["content-type"] == "text/javascript; charset=utf-8"
        assert first.headers["cache-control"] == "no-cache" and "script-src 'self'" in first.headers[
            "content-security-policy"]
        assert (await client.get("/ui/js/a.js", headers={"if-none-match": first.headers["etag"]})).status_code == 304
        head = await client.head("/ui/js/a.js")
        assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == "20"
        script.write_text("export const a = 22;\n")
        os.utime(script, ns=(script.stat().st_mtime_ns + 10**9,) * 2)
        again = await client.get("/ui/js/a.js", headers={"if-none-match": first.headers["etag"]})
        assert again.status_code == 200 and again.text == "export const a = 22;\n"


async def test_anything_unusual_goes_to_the_routes(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;\n")
    (tmp_path / ".secret.js").write_text("no")
    (tmp_path / "big.js").write_bytes(b"x" * (LARGEST + 1))
    (tmp_path / "notes.txt").write_text("no")
    async with _edge(tmp_path) as client:
        for path in ("/ui/", "/ui/js", "/ui/js/", "/ui/.secret.js", "/ui/nope.js",
                     "/ui/big.js", "/ui/notes.txt", "/api/events", "/elsewhere/js/a.js"):
            assert (await client.get(path)).status_code == 418, path
        assert (await client.get("/ui/js/a.js", headers={"range": "bytes=0-3"})).status_code == 418
        assert (await client.post("/ui/js/a.js")).status_code == 418
        assert (await client.request("GET", "/ui/js/a.js", content=b"body")).status_code == 418


async def test_the_app_serves_the_shells_and_files_with_request_ids(client: AsyncClient) -> None:
    for path, kind in (("/console", "text/html"), ("/ui/js/lib/core.js", "text/javascript"),
                       ("/ui/css/base.css", "text/css"), ("/ui/img/favicon.svg", "image/svg+xml")):
        response = await client.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith(kind), path
        assert response.headers["x-request-id"] and response.headers["x-frame-options"] == "DENY"


def test_paths_with_dots_are_never_the_edges() -> None:
    """A client that does not normalise the path (httpx does) still reaches only the routes, which answer 404."""
    for path in ("/ui/../pyproject.toml", "/ui/js/../../server/app.py", "/ui/js/./a.js", "/ui/.hidden", "/ui//a.js"):
        assert _relative(path) is None, path
    assert _relative("/ui/js/a.js") == "js/a.js" and _relative("/console") == "console.html"
