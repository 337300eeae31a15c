"""The Mastodon spec checker can fail, the fake checks its own responses, and it runs under uvicorn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from server.platforms.base import MemoryCredentialStore, PublishRequest
from server.platforms.errors import OutcomeUnknown
from server.platforms.mastodon import MastodonAdapter
from tests.fakes.asgi import FakeRequest, FakeResponse
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.openapi_check import FilePart, FormValue
from tests.fakes.spec_patches import MASTODON_PATCHES, mastodon_checker

AUTH = {"Authorization": "Bearer mastodon-token"}


def test_checker_accepts_a_conforming_status() -> None:
    body = (
        b'{"status": "hi", "media_ids": ["1"], "sensitive": true, "spoiler_text": "cw",'
        b' "in_reply_to_id": "9"}'
    )
    problems = mastodon_checker().check_request(
        "POST",
        "/api/v1/statuses",
        headers={**AUTH, "Idempotency-Key": "k"},
        content_type="application/json",
        body=body,
    )
    assert problems == []


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "fragment"),
    [
        (
            "POST",
            "/api/v1/statuses",
            {"content_type": "application/json", "body": b'{"status": "x", "visibility": "world"}'},
            "'world' is not one of",
        ),
        (
            "POST",
            "/api/v1/statuses",
            {"content_type": "application/json", "body": b'{"sensitive": "yes"}'},
            "body",
        ),
        (
            "POST",
            "/api/v1/statuses",
            {"content_type": "application/x-www-form-urlencoded", "body": b"status=x"},
            "content type",
        ),
        ("GET", "/api/v1/notifications", {"query": [("type", "mention")]}, "'type' is not declared"),
        ("GET", "/api/v1/notifications", {"query": [("types[]", "mentions")]}, "'mentions' is not one of"),
        ("GET", "/api/v1/notifications", {"query": [("limit", "many")]}, "'many' is not of type 'integer'"),
        ("GET", "/api/v1/statuses/1/bogus", {}, "no operation"),
        (
            "POST",
            "/api/v2/media",
            {"content_type": "multipart/form-data", "form": {"description": ["alt"]}},
            "'file' is a required property",
        ),
    ],
)
def test_checker_catches_malformed_requests(
    method: str, path: str, kwargs: dict[str, object], fragment: str
) -> None:
    problems = mastodon_checker().check_request(method, path, headers=AUTH, **kwargs)  # type: ignore[arg-type]
    assert any(fragment in p for p in problems), problems


def test_checker_accepts_multipart_upload() -> None:
    form: dict[str, list[FormValue]] = {
        "file": [FilePart("a.png", "image/png", 10)],
        "description": ["alt text"],
    }
    assert (
        mastodon_checker().check_request(
            "POST", "/api/v2/media", headers=AUTH, content_type="multipart/form-data", form=form
        )
        == []
    )


def test_patches_are_documented() -> None:
    assert all(p.reason and p.pointer.startswith("/") for p in MASTODON_PATCHES)


async def test_fake_answers_400_and_records_the_violation() -> None:
    fake = FakeMastodon()
    async with fake.client(base_url=fake.base_url, headers=AUTH) as client:
        resp = await client.post("/api/v1/statuses", json={"status": "x", "visibility": "world"})
    assert resp.status_code == 400
    assert "world" in resp.json()["error"]
    assert len(fake.violations) == 1
    assert fake.violations[0].startswith("POST /api/v1/statuses:")
    assert fake.statuses == {}
    assert fake.requests[0].headers["authorization"] == "Bearer <redacted>"


async def test_fake_checks_its_own_responses() -> None:
    fake = FakeMastodon()

    async def dishonest(req: FakeRequest, params: dict[str, str]) -> FakeResponse:
        return FakeResponse(200, {"id": "1"})  # a Status without account, content, ...

    fake.add_route("GET", "/api/v1/statuses/{id}", dishonest, override=True)
    async with fake.client(base_url=fake.base_url, headers=AUTH) as client:
        assert (await client.get("/api/v1/statuses/1")).status_code == 200
    assert any(
        "(fake's own response)" in v and "'account' is a required property" in v for v in fake.violations
    )


async def test_over_loopback_timeout_after_store_then_found() -> None:
    fake = FakeMastodon()
    fake.network_hang_seconds = 1.0
    with fake.serve() as base_url:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=0.3)) as client:
            adapter = MastodonAdapter(
                base_url, MemoryCredentialStore({"access_token": "mastodon-token"}), client
            )
            fake.inject_fault("/api/v1/statuses", "timeout_after_store")
            with pytest.raises(OutcomeUnknown):
                await adapter.publish(PublishRequest(text="Over the wire", idempotency_key="w-1"))
            since = datetime.now(UTC) - timedelta(minutes=1)
            found = await adapter.find_post(PublishRequest(text="Over the wire", idempotency_key="w-1"),
                                            sent_after=since)
            fake.inject_fault("/api/v1/statuses", "reset")
            with pytest.raises(OutcomeUnknown):  # a reset mid-answer may follow a created post
                await adapter.publish(PublishRequest(text="Reset on the wire", idempotency_key="w-2"))
    assert found is not None
    assert found.remote_id == fake.account_statuses()[0].id
    assert len(fake.account_statuses()) == 1
    assert fake.violations == []
