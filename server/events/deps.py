"""`EventDep`: the event a route's `{event_id}` names, loaded once by a dependency (404 when there is none).

About thirty routes in five routers began with the same `event = await event_service.get_event(session,
event_id)` line. A route now takes `event: EventDep` after its user parameter: the caller is authenticated
(401) and their role checked (403) before the event is looked up, so nobody learns which events exist by
probing ids without the right to see them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from server.auth.deps import PrincipalDep
from server.db.ids import IdPath
from server.db.session import DbSession
from server.events import service as event_service
from server.models import Event


async def path_event(event_id: IdPath, _principal: PrincipalDep, session: DbSession) -> Event:
    """The event named by the path's `event_id`, in the request's session (404 naming the id when missing)."""
    return await event_service.get_event(session, event_id)


EventDep = Annotated[Event, Depends(path_event, scope="function")]
