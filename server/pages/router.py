"""Serves the page shells and the files under `console_ui/`; the pages fetch their data with the session.

The shells hold no data, so they are public; every API call the pages make carries the user's session.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles

import server
from server.auth.deps import PUBLIC
from server.errors import NotFound
from server.pages.docs import router as docs_router

router = APIRouter(tags=["pages"], include_in_schema=False)
router.include_router(docs_router)  # /docs and /redoc from local files

PAGES = {"/login": "login.html", "/console": "console.html", "/tablet": "tablet.html", "/sandbox": "sandbox.html",
         "/setup": "setup.html"}
STATIC_PREFIX = "/ui"
# Shells and assets are revalidated on every load (ETag / Last-Modified), so a deploy shows at once.
NO_CACHE = {"Cache-Control": "no-cache"}


def ui_root() -> Path:
    """The `console_ui/` folder: beside the `server` package in a checkout, else in the current directory."""
    beside = Path(server.__file__).resolve().parents[1] / "console_ui"
    if beside.is_dir():
        return beside
    return Path.cwd() / "console_ui"


_static: StaticFiles | None = None


def _files() -> StaticFiles:
    global _static
    if _static is None:
        _static = StaticFiles(directory=ui_root(), check_dir=False)
    return _static


def _page(name: str) -> FileResponse:
    path = ui_root() / name
    if not path.is_file():
        raise NotFound(f"page {name} is missing from {ui_root()}")
    return FileResponse(path, media_type="text/html; charset=utf-8", headers=NO_CACHE)


@router.get("/", dependencies=[PUBLIC])
async def home() -> RedirectResponse:
    """The start page is the login page (which sends a logged-in user on to their page)."""
    return RedirectResponse("/login", status_code=303)


@router.get("/login", dependencies=[PUBLIC])
async def login_page() -> FileResponse:
    """The login page."""
    return _page(PAGES["/login"])


@router.get("/console", dependencies=[PUBLIC])
async def console_page() -> FileResponse:
    """The operator console (comms)."""
    return _page(PAGES["/console"])


@router.get("/tablet", dependencies=[PUBLIC])
async def tablet_page() -> FileResponse:
    """The clinician tablet."""
    return _page(PAGES["/tablet"])


@router.get("/setup", dependencies=[PUBLIC])
async def setup_page() -> FileResponse:
    """Setup before the event (comms and admins): consents, denylist, platforms, rehearsal, pre-flight checklist."""
    return _page(PAGES["/setup"])


@router.get("/sandbox", dependencies=[PUBLIC])
async def sandbox_page() -> FileResponse:
    """The sandbox social network's public timeline."""
    return _page(PAGES["/sandbox"])


@router.get(STATIC_PREFIX + "/{path:path}", dependencies=[PUBLIC])
async def static_file(path: str, request: Request) -> Response:
    """A stylesheet, script or image of the pages (no directory listings, nothing outside the folder)."""
    if not path or path.endswith("/") or any(part.startswith(".") for part in path.split("/")):
        raise NotFound("no such file")
    try:
        response = await _files().get_response(path, request.scope)
    except HTTPException as exc:  # StaticFiles answers 404 for missing files
        raise NotFound("no such file") from exc
    response.headers.update(NO_CACHE)
    return response
