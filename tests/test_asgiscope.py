"""The raw-scope header reading shared by the edges that answer ahead of routing."""

from server.asgiscope import has_body, header


def scope(*headers: tuple[bytes, bytes]) -> dict[str, object]:
    return {"type": "http", "method": "GET", "headers": list(headers)}


def test_header_first_value_any_case() -> None:
    given = scope((b"Content-Type", b"text/plain"), (b"content-type", b"application/json"))
    assert header(given, b"content-type") == b"text/plain"
    assert header(given, b"range") is None
    assert header({"type": "http"}, b"range") is None


def test_has_body() -> None:
    assert not has_body(scope())
    assert not has_body(scope((b"content-length", b"0")))
    assert has_body(scope((b"content-length", b"12")))
    assert has_body(scope((b"transfer-encoding", b"chunked")))
