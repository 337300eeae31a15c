"""The X spec checker can fail, OAuth 1.0a is verified server-side, and FakeX runs under uvicorn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from authlib.oauth1 import ClientAuth

from server.platforms.base import MemoryCredentialStore, PublishRequest
from server.platforms.errors import OutcomeUnknown
from server.platforms.x import XAdapter
from tests.fakes.helpers import png
from tests.fakes.openapi_check import FilePart, FormValue
from tests.fakes.spec_patches import X_PATCHES, x_checker
from tests.fakes.x import FakeX
from tests.fakes.x_support import signature_base_string, weighted_length

AUTH = {"Authorization": "Bearer x-access-0"}
OAUTH1 = {
    "consumer_key": "x-consumer",
    "consumer_secret": "x-consumer-secret",
    "token": "x-token",
    "token_secret": "x-token-secret",
}


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "fragment"),
    [
        (
            "POST",
            "/2/tweets",
            {
                "content_type": "application/json",
                "body": b'{"text": "x", "reply": {"in_reply_to_tweet_id": 123}}',
            },
            "123 is not of type 'string'",
        ),
        (
            "POST",
            "/2/tweets",
            {"content_type": "application/json", "body": b'{"text": "x", "cw": "y"}'},
            "Additional properties are not allowed",
        ),
        (
            "POST",
            "/2/tweets",
            {
                "content_type": "application/json",
                "body": b'{"text": "x", "media": {"media_ids": ["1", "2", "3", "4", "5"]}}',
            },
            "is too long",
        ),
        (
            "GET",
            "/2/users/1/mentions",
            {"query": [("max_results", "500")]},
            "greater than the maximum of 100",
        ),
        (
            "GET",
            "/2/users/1/mentions",
            {"query": [("tweet.fields", "created_at,bogus")]},
            "'bogus' is not one of",
        ),
        (
            "POST",
            "/2/media/upload",
            {"content_type": "multipart/form-data", "form": {"media": [FilePart("a.png", "image/png", 3)]}},
            "'media_category' is a required property",
        ),
        (
            "POST",
            "/2/media/metadata",
            {
                "content_type": "application/json",
                "body": ('{"id": "1", "metadata": {"alt_text": {"text": "%s"}}}' % ("a" * 1001)).encode(),
            },
            "fails 'maxLength' (1000)",
        ),
        (
            "POST",
            "/2/tweets",
            {"content_type": "application/json", "body": b'{"text": "x"}', "headers": {}},
            "no Authorization header",
        ),
    ],
)
def test_checker_catches_malformed_requests(
    method: str, path: str, kwargs: dict[str, object], fragment: str
) -> None:
    arguments = {"headers": AUTH, **kwargs}
    problems = x_checker().check_request(method, path, **arguments)  # type: ignore[arg-type]
    assert any(fragment in p for p in problems), problems


def test_checker_accepts_conforming_requests() -> None:
    checker = x_checker()
    reply = b'{"text": "x", "media": {"media_ids": ["1"]}, "reply": {"in_reply_to_tweet_id": "2"}}'
    assert (
        checker.check_request("POST", "/2/tweets", headers=AUTH, content_type="application/json", body=reply)
        == []
    )
    append: dict[str, list[FormValue]] = {
        "media": [FilePart("chunk", "application/octet-stream", 3)],
        "segment_index": ["7"],
    }
    assert (
        checker.check_request(
            "POST", "/2/media/upload/1/append", headers=AUTH, content_type="multipart/form-data", form=append
        )
        == []
    )
    assert all(p.reason for p in X_PATCHES)


async def test_fake_answers_400_problem_for_spec_violations() -> None:
    fake = FakeX()
    async with fake.client(base_url=fake.base_url, headers=AUTH) as client:
        resp = await client.post("/2/tweets", json={"text": "x", "reply": {"in_reply_to_tweet_id": 5}})
    assert resp.status_code == 400
    assert resp.json()["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert fake.tweets == {}
    assert len(fake.violations) == 1
    fake.violations.clear()


async def test_token_endpoint_contract_is_checked() -> None:
    fake = FakeX()
    async with fake.client(base_url=fake.base_url) as client:
        resp = await client.post("/2/oauth2/token", json={"grant_type": "refresh_token"})
    assert resp.status_code == 400
    assert any("application/x-www-form-urlencoded" in v for v in fake.violations)


async def test_oauth1_signature_is_verified_and_nonces_are_single_use() -> None:
    fake = FakeX()
    signer = ClientAuth("x-consumer", "x-consumer-secret", token="x-token", token_secret="x-token-secret")
    url = f"{fake.base_url}/2/users/me?user.fields=username"
    _, headers, _ = signer.prepare("GET", url, {}, b"")
    async with fake.client() as client:
        assert (await client.get(url, headers=headers)).status_code == 200
        assert (await client.get(url, headers=headers)).status_code == 401  # replayed nonce
        _, tampered, _ = signer.prepare("GET", url, {}, b"")
        other = f"{fake.base_url}/2/users/me?user.fields=created_at"
        assert (await client.get(other, headers=tampered)).status_code == 401  # signature covers the query
    assert fake.violations == []


def test_signature_base_string_matches_rfc5849_example() -> None:
    params = [
        ("b5", "=%3D"),
        ("a3", "a"),
        ("c@", ""),
        ("a2", "r b"),
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
        ("c2", ""),
        ("a3", "2 q"),
    ]
    expected = (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26"
        "c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26"
        "oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )
    assert signature_base_string("POST", "http", "example.com:80", "/request", params) == expected


def test_fake_weighted_length_follows_twitter_text() -> None:
    assert weighted_length("a" * 280) == 280
    assert weighted_length("é" * 10 + "中文" + "😀") == 10 + 4 + 2
    assert weighted_length("see https://example.org/a/very/long/path/that/keeps/going") == 4 + 23


async def test_over_loopback_oauth1_reset_and_timeout() -> None:
    fake = FakeX()
    fake.network_hang_seconds = 1.0
    with fake.serve() as base_url:
        async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, read=0.3)) as client:
            adapter = XAdapter(base_url, MemoryCredentialStore(dict(OAUTH1)), client)
            media = await adapter.upload_media(png("Over the wire"))  # signed with host:port in the base URI
            fake.inject_fault("/2/tweets", "reset")
            with pytest.raises(OutcomeUnknown):  # the connection died after the request was sent
                await adapter.publish(PublishRequest(text="Wire", idempotency_key="w-1", media=[media]))
            assert fake.tweets == {}
            fake.inject_fault("/2/tweets", "timeout_after_store")
            with pytest.raises(OutcomeUnknown) as timed_out:  # the fake would answer 201 after its 1 s hang
                await adapter.publish(PublishRequest(text="Wire", idempotency_key="w-1", media=[media]))
            assert "ReadTimeout" in str(timed_out.value)  # the client's 0.3 s read timeout, not the late answer
            since = datetime.now(UTC) - timedelta(minutes=1)
            found = await adapter.find_post(PublishRequest(text="Wire", idempotency_key="w-1"), sent_after=since)
    assert found is not None
    assert list(fake.tweets) == [found.remote_id]
    assert fake.violations == []
