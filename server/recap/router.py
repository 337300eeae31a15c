"""Recap routes: the staff page `/console/recap/{event}` and the JSON, CSV and self-contained HTML exports.

The page is rendered on the server (no script; plots inline as SVG with presentation attributes only, so the
strict CSP holds) and, like the exports, is for signed-in staff only: a visitor without a session is sent to
the login page, a signed-in account without a staff role gets 403.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.auth import service as auth_service
from server.auth.deps import PUBLIC, AnyUser, bearer_token
from server.clock import session_now
from server.db.ids import IdPath
from server.db.session import DbSession
from server.errors import Forbidden
from server.recap import render
from server.recap.service import Recap, build_recap, event_by_reference

router = APIRouter(tags=["recap"])
STAFF_ROLES = ("admin", "comms", "clinical")
MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8"}


@router.get("/api/events/{event_id}/recap", response_model=Recap)
async def recap_json(event_id: IdPath, _user: AnyUser, session: DbSession) -> Recap:
    """The recap of one event: figures, plots' data, thread, holds and corrections."""
    event = await event_by_reference(session, str(event_id))
    return await build_recap(session, event, session_now(session))


@router.get("/api/events/{event_id}/recap.{fmt}")
async def recap_export(event_id: IdPath, fmt: Literal["json", "csv", "html"], _user: AnyUser,
                       session: DbSession) -> Response:
    """The recap as a file to keep: JSON, CSV, or one self-contained HTML file (inline SVG and CSS)."""
    event = await event_by_reference(session, str(event_id))
    recap = await build_recap(session, event, session_now(session))
    body = export(recap, fmt)
    name = f"recap-{event.slug}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


def export(recap: Recap, fmt: str) -> str:
    """One export format of a recap (shared with the CLI)."""
    if fmt == "csv":
        return render.csv_text(recap)
    if fmt == "html":
        return render.html_page(recap, inline_css=True)
    return render.json_text(recap)


@router.get("/console/recap/{event}", dependencies=[PUBLIC], include_in_schema=False, response_model=None)
async def recap_page(event: str, request: Request, session: DbSession) -> HTMLResponse | RedirectResponse:
    """The staff recap page (by event id or slug)."""
    found = bearer_token(request)
    resolved = await auth_service.resolve(session, found[0]) if found else None
    if resolved is None:
        return RedirectResponse("/login", status_code=303)
    if not resolved[1].has_role(*STAFF_ROLES):
        raise Forbidden("the recap is for staff")
    row = await event_by_reference(session, event[:64])
    recap = await build_recap(session, row, session_now(session))
    return HTMLResponse(render.html_page(recap, inline_css=False, exports_base=f"/api/events/{row.id}/recap"),
                        headers={"Cache-Control": "no-store"})
