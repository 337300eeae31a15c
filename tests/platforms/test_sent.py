"""`platforms/sent.py`: the registry's client says when a request has left, before any answer arrives (a cue's
route reads its answer after that, issue 19), and without one nothing is signalled or changed."""

from __future__ import annotations

import asyncio

import httpx

from server.platforms.sent import SignallingTransport, signalling


async def test_the_event_is_set_once_the_request_is_written_before_the_answer() -> None:
    may_answer = asyncio.Event()
    received = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length"))
        await reader.readexactly(length)
        received.set()
        await may_answer.wait()
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sent = asyncio.Event()
    async with httpx.AsyncClient(transport=SignallingTransport()) as client:
        with signalling(sent):
            request = asyncio.create_task(client.post(f"http://127.0.0.1:{port}/api/v1/statuses", json={"status": "x"}))
        await asyncio.wait_for(sent.wait(), 10)
        await asyncio.wait_for(received.wait(), 10)
        assert not request.done()  # left, and not answered yet
        may_answer.set()
        assert (await request).text == "ok"
        sent.clear()
        assert (await client.post(f"http://127.0.0.1:{port}/", json={})).status_code == 200  # outside `signalling`
        assert not sent.is_set()
    server.close()
    await server.wait_closed()
