"""The WebSocket protocol Livecue runs under uvicorn: uvicorn's own (websockets, sans-I/O) plus `send_now`.

Why: profiling the console feed's fan-out (bench/ws_fanout.py) showed that most of the server's CPU per delivery
went to waking one task per client and to the ASGI send chain around each `websocket.send_text`, where the bare
`websockets` broadcast writes each socket in a plain loop. This protocol offers the app a synchronous writer as
the ASGI extension `livecue.send_now` (`{"send": fn}` in the scope's extensions): `fn(data, wire)` writes one
text message at once when the socket can take it and answers False otherwise (not open, closing, or its buffer
full), so the feed hub writes live entries straight to every idle client and queues only for the others. `wire`
is the message already framed (server frames are unmasked, so without compression the bytes are the same for
every client); `data` is its UTF-8 payload, framed per connection when per-message compression is on.

Without this protocol (another server, the test client) the extension is absent and the feed queues every entry.
"""

from __future__ import annotations

from collections.abc import Callable

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State

EXTENSION = "livecue.send_now"
SendNow = Callable[[bytes, bytes], bool]


def wire_text(data: bytes) -> bytes:
    """A text message framed as a server sends it (one unmasked, uncompressed frame)."""
    return Frame(Opcode.TEXT, data).serialize(mask=False)


class FeedWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O websockets protocol, offering `send_now` to the app."""

    def handle_connect(self, event: Request) -> None:
        """Accept as uvicorn does, and add the extension to the scope before the app's task first runs."""
        super().handle_connect(event)
        scope = getattr(self, "scope", None)
        if scope is not None and not self.close_sent:
            scope.setdefault("extensions", {})[EXTENSION] = {"send": self.send_now}

    def send_now(self, data: bytes, wire: bytes) -> bool:
        """Write one text message now if the socket is open and writable; False leaves it to the caller."""
        if (not self.handshake_complete or self.close_sent or self.disconnected or self.initial_response is not None
                or not self.writable.is_set() or self.conn.state is not State.OPEN or self.transport.is_closing()):
            return False
        if self.conn.extensions:  # per-message compression: each connection has its own compressor state
            self.conn.send_text(data)
            self.transport.write(b"".join(self.conn.data_to_send()))
        else:
            self.transport.write(wire)
        return True


def send_now_of(scope: object) -> SendNow | None:
    """The scope's `send_now`, when the server offers it."""
    extensions = scope.get("extensions") if isinstance(scope, dict) else None
    found = (extensions or {}).get(EXTENSION) or {}
    send = found.get("send") if isinstance(found, dict) else None
    return send if callable(send) else None
