"""The public question form's one implementation, and the ASGI fast path that serves it ahead of routing.

Why a fast path: after group commit (server/questions/intake.py) a profile of the form (py-spy, bench/
form_bench.py) found the HTTP stack to be the biggest share of what was left per question, FastAPI's route
matching alone ~12% (it tries the ~70 routes of the included routers one by one, each a regex and a scope copy)
and its dependency solving and body handling most of the rest. `PublicFormEdge` answers a well-formed form
post itself and hands everything else to the app unchanged, so every refusal comes from the usual code:

- it sits inside the body limits (server/limits.py: size, deadline, JSON shape already checked), the request
  ids and the security headers (which it leaves to those middlewares to add, as for any route);
- it takes only `POST /api/public/events/{slug}/questions` with a slug the route accepts, no query string,
  `Content-Type: application/json`, no escaped NUL anywhere (the app-wide `refuse_nul` dependency) and a body
  that `PublicQuestion` validates; any other request (a 422 to name a field, a 404 for a long slug, a 415-ish
  content type) goes on to the route in server/questions/router.py, which answers as before;
- what `accept` raises (429 from the limiter, 404 when the event takes no questions, 503 when the batch was
  not stored, a full disk) is rendered by the app's own exception handlers, as the route's would be; an
  exception with no handler goes up to the server-error middleware, as from a route.
The 202 is the route's bytes, sent only after the intake's commit (never acknowledged before it is durable).
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from server.clock import Clock
from server.platforms.base import IncomingMessage
from server.questions.intake import FormIntake
from server.questions.schemas import PublicQuestion
from server.questions.senders import sender_handle
from server.ratelimit import SlidingWindow

if TYPE_CHECKING:  # the type only: this middleware runs below the app that builds the state
    from server.state import AppState

PATH = re.compile(r"^/api/public/events/([^/]{1,64})/questions$")  # the route's {slug}, Path(max_length=64)
ACCEPTED = b'{"status":"received"}'  # what the route's JSONResponse renders for {"status": "received"}
REFUSAL = "too many questions from this address"


async def accept(question: PublicQuestion, *, slug: str, client: str, limiter: SlidingWindow, sender_key: bytes,
                 clock: Clock, intake: FormIntake) -> None:
    """Rate-limit the address, store the question for event `slug`, return once it is committed.

    Raises TooManyRequests (429), NotFound (the event takes no questions), NotStored or OSError ENOSPC (the
    batch holding it was not stored). The route and the fast path both call this, so they cannot drift apart.
    """
    limiter.admit(client, REFUSAL)
    name = question.name.strip() or "Guest"
    external_id = f"s-{question.submission_id}" if question.submission_id else uuid.uuid4().hex
    sender = sender_handle(sender_key, client)  # staff see "same sender", never the address
    message = IncomingMessage(platform="form", external_id=external_id, author_handle=sender, author_name=name,
                              text=question.text, received_at=clock.now())
    await intake.submit(slug, message)


def _json_content(scope: Scope) -> bool:
    for key, value in scope.get("headers", []):
        if key == b"content-type":
            return bytes(value).split(b";", 1)[0].strip().lower() == b"application/json"
    return False


def _ours(scope: Scope) -> str | None:
    """The slug when this request is a form post the fast path may take (before reading its body)."""
    if scope["type"] != "http" or scope["method"] != "POST" or scope.get("query_string") or scope.get("root_path"):
        return None
    found = PATH.match(scope["path"])
    if found is None or "\x00" in found.group(1) or not _json_content(scope):
        return None
    return found.group(1)


async def _body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return dict(await receive())

    return replay


def _handler(scope: Scope, exc: Exception) -> Any:
    """The app's handler for `exc`, as Starlette's ExceptionMiddleware picks it (by class, most specific first).

    The catch-all `Exception` handler is left out: as for a route, such an error goes up to the server-error
    middleware, which answers with that handler and logs the traceback.
    """
    handlers = getattr(scope.get("app"), "exception_handlers", {})
    for kind in type(exc).__mro__:
        if kind is not Exception and kind in handlers:
            return handlers[kind]
    return None


class PublicFormEdge:
    """ASGI middleware: the public form's well-formed posts, answered without routing (module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        slug = _ours(scope)
        state: AppState | None = getattr(getattr(scope.get("app"), "state", None), "livecue", None)
        if slug is None or state is None:
            await self.app(scope, receive, send)
            return
        body = await _body(receive)
        if body is None:
            return  # the client went away before its body was complete: nobody to answer
        question = None
        if b"\\u0000" not in body:  # NUL can only arrive escaped; the route's refuse_nul names the field
            try:
                question = PublicQuestion.model_validate_json(body)
            except ValueError:  # ValidationError included: the route answers the 422 naming the field
                question = None
        if question is None:
            await self.app(scope, _replay(body, receive), send)
            return
        client = scope["client"][0] if scope.get("client") else "unknown"
        try:
            await accept(question, slug=slug, client=client, limiter=state.form_limiter,
                         sender_key=state.form_sender_key, clock=state.clock, intake=state.form_intake)
        except Exception as exc:
            handler = _handler(scope, exc)
            if handler is None:
                raise
            response = await handler(Request(scope, receive), exc)
            await response(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 202, "headers": [
            (b"content-length", str(len(ACCEPTED)).encode()), (b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": ACCEPTED})
