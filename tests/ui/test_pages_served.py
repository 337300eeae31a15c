"""The page shells and their files: served under the CSP, nothing outside console_ui/, no inline code, and
no HTML insertion of data anywhere in the scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from httpx import AsyncClient

from server.pages.router import ui_root

UI = ui_root()


async def test_root_goes_to_login(client: AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 303 and response.headers["location"] == "/login"


@pytest.mark.parametrize("path", ["/login", "/console", "/tablet", "/sandbox", "/setup"])
async def test_pages_are_html_under_the_csp(client: AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-cache"
    assert '<script type="module" src="/ui/js/' in response.text


async def test_static_files_and_their_types(client: AsyncClient) -> None:
    script = await client.get("/ui/js/console/main.js")
    assert script.status_code == 200
    assert script.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript")
    style = await client.get("/ui/css/base.css")
    assert style.headers["content-type"].startswith("text/css")
    assert "etag" in style.headers
    again = await client.get("/ui/css/base.css", headers={"if-none-match": style.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize("path", ["/ui/", "/ui/js/", "/ui/../pyproject.toml", "/ui/%2e%2e/pyproject.toml",
                                  "/ui/js/../../server/app.py", "/ui/.hidden", "/ui/nope.js"])
async def test_nothing_outside_the_ui_folder(client: AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 404, (path, response.status_code)


def _files(pattern: str) -> list[Path]:
    """Our own files (third-party bundles in console_ui/vendor/ are checked by their makers, not by these rules)."""
    return sorted(p for p in UI.rglob(pattern) if "vendor" not in p.relative_to(UI).parts)


def test_html_has_no_inline_code_or_styles() -> None:
    for page in _files("*.html"):
        text = page.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), page
        assert not re.search(r"\sstyle=|<style\b|\son[a-z]+=", text, re.IGNORECASE), page


def test_scripts_never_insert_html() -> None:
    banned = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(|"
                        r"\.style\.|setAttribute\(['\"]style")
    for script in _files("*.js"):
        for number, line in enumerate(script.read_text().splitlines(), start=1):
            assert not banned.search(line), f"{script.relative_to(UI)}:{number}: {line.strip()}"


def test_source_files_stay_small() -> None:
    for path in [*_files("*.js"), *_files("*.css"), *_files("*.html")]:
        assert len(path.read_text().splitlines()) <= 400, path


IMPORT = re.compile(r"""^import\s+(?:[^'"]*?from\s+)?['"](\.{1,2}/[^'"]+)['"]""", re.MULTILINE)


def _imports(entry: Path) -> set[Path]:
    seen: set[Path] = set()
    todo = [entry]
    while todo:
        current = todo.pop()
        for match in IMPORT.finditer(current.read_text()):
            found = (current.parent / match.group(1)).resolve()
            if found not in seen:
                seen.add(found)
                todo.append(found)
    return seen


@pytest.mark.parametrize("page", ["login.html", "console.html", "tablet.html", "sandbox.html", "setup.html"])
def test_pages_preload_exactly_their_modules(page: str) -> None:
    """Every module a page imports is preloaded from the HTML (no request waterfall), and nothing else."""
    html = (UI / page).read_text()
    entry = re.search(r'<script type="module" src="/ui/([^"]+)"', html)
    assert entry is not None
    modules = _imports((UI / entry.group(1)).resolve())
    assert all(m.is_file() for m in modules), modules
    preloaded = {(UI / p).resolve() for p in re.findall(r'<link rel="modulepreload" href="/ui/([^"]+)">', html)}
    assert preloaded == modules


async def test_api_docs_are_local_files(client: AsyncClient) -> None:
    """/docs and /redoc load their bundles from this server (no CDN); their CSP allows only what they need."""
    for path, bundle in (("/docs", "/ui/vendor/swagger-ui/swagger-ui-bundle.js"),
                         ("/redoc", "/ui/vendor/redoc/redoc.standalone.js")):
        page = await client.get(path)
        assert page.status_code == 200 and bundle in page.text and "cdn" not in page.text.lower()
        csp = page.headers["content-security-policy"]
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
        assert (await client.get(bundle)).status_code == 200
