"""Logins, sessions, cookies, CSRF and throttling."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from tests.factories import PASSWORD, create_user


async def test_login_sets_httponly_samesite_cookie_and_returns_token(client: AsyncClient, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    response = await client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "livecue_session" in v)
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "password" not in response.text
    me = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {response.json()['token']}"})
    assert me.json()["username"] == user.username


async def test_wrong_password_is_401_without_detail(client: AsyncClient, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    response = await client.post("/api/auth/login", json={"username": user.username, "password": "nope"})
    assert response.status_code == 401
    assert response.json()["detail"] == "wrong username or password"


async def test_cookie_writes_need_csrf_token(client: AsyncClient, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    login = await client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    body = {"slug": "csrf-test", "title": "t", "hashtag": "#t", "timezone": "UTC",
            "planned_start": "2026-12-01T10:00:00Z"}
    refused = await client.post("/api/events", json=body)
    assert refused.status_code == 403
    assert refused.json()["field"] == "X-CSRF-Token"
    allowed = await client.post("/api/events", json=body, headers={"X-CSRF-Token": login.json()["csrf_token"]})
    assert allowed.status_code == 201, allowed.text


async def test_logout_revokes_the_session(client: AsyncClient, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "clinical")
    token = (await client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})).json()
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 401


async def test_login_throttled_after_repeated_failures(client: AsyncClient, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    for _ in range(5):
        await client.post("/api/auth/login", json={"username": user.username, "password": "wrong"})
    blocked = await client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert blocked.status_code == 429
    assert "retry-after" in blocked.headers


def _from(app: FastAPI, address: str) -> AsyncClient:
    return AsyncClient(transport=ASGITransport(app=app, client=(address, 40000)), base_url="http://testserver")


async def test_an_attackers_failures_do_not_stop_the_real_user(app: FastAPI, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "clinical")
    answers: list[int] = []
    async with _from(app, "203.0.113.66") as attacker, _from(app, "198.51.100.20") as hospital:
        for _ in range(40):
            response = await attacker.post("/api/auth/login", json={"username": user.username, "password": "guess"})
            answers.append(response.status_code)
            if response.status_code == 429:
                assert int(response.headers["retry-after"]) >= 1
        assert answers[:3] == [401, 401, 401] and 429 in answers
        # Even with the right password the attacker's address must wait; the hospital's address never does.
        blocked = await attacker.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        assert blocked.status_code == 429
        real = await hospital.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        assert real.status_code == 200, real.text
        typo = await hospital.post("/api/auth/login", json={"username": user.username, "password": "typo"})
        assert typo.status_code == 401  # one slip of the real user is an ordinary failure, not a lockout
        again = await hospital.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        assert again.status_code == 200


async def test_passwords_are_hashed_off_the_event_loop(client: AsyncClient, sessionmaker: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from server.auth import passwords

    threads: list[str] = []
    verify = passwords.verify_password

    def watched(password_hash: str, password: str) -> bool:
        threads.append(threading.current_thread().name)
        return verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", watched)
    user = await create_user(sessionmaker, "comms")
    response = await client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert threads and all(name.startswith("livecue-passwords") for name in threads)
