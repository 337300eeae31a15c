"""Secure headers, session lifetime and logout, CSRF for cookie writes, login throttling, roles, no passwords out."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from httpx import AsyncClient, Response
from starlette.websockets import WebSocketDisconnect

from server.auth.deps import PUBLIC
from server.clock import FakeClock
from server.config import Settings
from tests.auth.route_rules import api_routes, route_rule
from tests.factories import PASSWORD, create_user, login
from tests.security.kit import client_from, full_app, seed_live_event

API_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
CSP_MUST = ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'")


def assert_secure_headers(response: Response) -> None:
    """CSP with no framing, no-sniff, no referrer; API answers are never cached."""
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    for name, value in API_HEADERS.items():
        assert response.headers.get(name) == value, (where, name, response.headers.get(name))
    csp = response.headers.get("content-security-policy", "")
    for directive in CSP_MUST:
        assert directive in csp, (where, directive, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (where, csp)
    if response.request.url.path.startswith("/api/"):
        assert "no-store" in response.headers.get("cache-control", ""), (where, response.headers)


# --------------------------------------------------------------------------------------------- headers


async def test_secure_headers_on_api_page_static_and_error_responses(client: AsyncClient, sessionmaker: Any) -> None:
    headers = await login(client, await create_user(sessionmaker, "comms"))
    responses = [
        await client.get("/healthz"),
        await client.get("/api/auth/me", headers=headers),
        await client.get("/api/auth/me"),  # 401
        await client.get("/api/events/424242", headers=headers),  # 404
        await client.post("/api/events", json={"slug": "?"}, headers=headers),  # 422
        await client.get("/api/sandbox/feed"),
        await client.get("/login"),
        await client.get("/console"),
        await client.get("/sandbox"),
        await client.get("/"),  # redirect
        await client.get("/ui/css/../../server/app.py"),
        await client.get("/no-such-page"),
    ]
    static = re.search(r'(?:href|src)="(/ui/[^"]+)"', (await client.get("/login")).text)
    assert static is not None
    responses.append(await client.get(static.group(1)))
    assert [r.status_code for r in responses][:9] == [200, 200, 401, 404, 422, 200, 200, 200, 200]
    for response in responses:
        assert_secure_headers(response)


async def test_an_unexpected_crash_answers_500_with_secure_headers_and_no_details(app: FastAPI,
                                                                                  client: AsyncClient) -> None:
    async def crash() -> None:
        raise RuntimeError("internal detail: /srv/livecue/secret.key")

    app.router.routes.append(APIRoute("/api/test-crash", crash, dependencies=[PUBLIC]))
    response = await client.get("/api/test-crash")
    assert response.status_code == 500
    assert "secret.key" not in response.text and "Traceback" not in response.text
    assert_secure_headers(response)


# --------------------------------------------------------------------------------------------- sessions


async def test_session_expires_after_session_hours(client: AsyncClient, sessionmaker: Any, app: FastAPI,
                                                   clock: FakeClock) -> None:
    hours = app.state.livecue.settings.session_hours
    user = await create_user(sessionmaker, "comms")
    response = await client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "livecue_session=" in v)
    assert f"Max-Age={int(hours * 3600)}" in cookie
    headers = {"Authorization": f"Bearer {response.json()['token']}"}
    client.cookies.clear()
    assert (await client.get("/api/auth/me", headers=headers)).status_code == 200

    clock.advance(timedelta(hours=hours, seconds=1).total_seconds())
    expired = await client.get("/api/auth/me", headers=headers)
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


async def test_a_tiny_session_lifetime_really_ends_the_session(settings: Settings, clock: FakeClock) -> None:
    app = full_app(settings.model_copy(update={"session_hours": 0.5 / 3600}), clock)
    async with app.router.lifespan_context(app), client_from(app, "127.0.0.1") as client:
        headers = await login(client, await create_user(app.state.livecue.sessionmaker, "clinical"))
        clock.advance(1)
        assert (await client.get("/api/auth/me", headers=headers)).status_code == 401


async def test_logout_everywhere_ends_every_session_of_the_user_only(client: AsyncClient, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    other = await login(client, await create_user(sessionmaker, "comms"))
    phone, laptop, tablet = [await login(client, user) for _ in range(3)]

    single = await client.post("/api/auth/logout", headers=phone)
    assert single.status_code == 204
    assert (await client.get("/api/auth/me", headers=phone)).status_code == 401
    assert (await client.get("/api/auth/me", headers=laptop)).status_code == 200

    everywhere = await client.post("/api/auth/logout?everywhere=true", headers=laptop)
    assert everywhere.status_code == 204
    cleared = [v for k, v in everywhere.headers.multi_items() if k == "set-cookie"]
    assert any(v.startswith("livecue_session=") and "Max-Age=0" in v for v in cleared), cleared
    for headers in (laptop, tablet):
        assert (await client.get("/api/auth/me", headers=headers)).status_code == 401
    assert (await client.get("/api/auth/me", headers=other)).status_code == 200
    again = await login(client, user)  # logging out everywhere does not lock the account
    assert (await client.get("/api/auth/me", headers=again)).status_code == 200


# --------------------------------------------------------------------------------------------- CSRF


async def test_cookie_writes_need_the_sessions_csrf_token_bearer_writes_do_not(client: AsyncClient,
                                                                              sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    other = await client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    other_csrf = other.json()["csrf_token"]
    client.cookies.clear()
    response = await client.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
    csrf = response.json()["csrf_token"]
    assert client.cookies.get("livecue_csrf") == csrf
    csrf_cookie = next(v for k, v in response.headers.multi_items() if k == "set-cookie" and "livecue_csrf=" in v)
    assert "HttpOnly" not in csrf_cookie and "samesite=strict" in csrf_cookie.lower()

    assert (await client.get("/api/auth/me")).status_code == 200  # reads need no token
    for sent in (None, "", "not-the-token", other_csrf):
        headers = {} if sent is None else {"X-CSRF-Token": sent}
        refused = await client.post("/api/auth/policy-ack", headers=headers)
        assert refused.status_code == 403, (sent, refused.text)
        assert refused.json()["field"] == "X-CSRF-Token"
    accepted = await client.post("/api/auth/policy-ack", headers={"X-CSRF-Token": csrf})
    assert accepted.status_code == 200, accepted.text

    bearer = {"Authorization": f"Bearer {response.json()['token']}"}
    client.cookies.clear()
    assert (await client.post("/api/auth/policy-ack", headers=bearer)).status_code == 200


# --------------------------------------------------------------------------------------------- throttling


def _retry_after(response: Response) -> int:
    assert response.status_code == 429, response.text
    value = int(response.headers["retry-after"])
    assert 1 <= value <= 301, value
    assert response.json()["retry_after"] == value
    return value


async def test_login_slowed_per_account_and_address_never_locked_elsewhere(app: FastAPI, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    async with client_from(app, "10.0.0.1") as first, client_from(app, "10.0.0.2") as second:
        for _ in range(4):
            wrong = await first.post("/api/auth/login", json={"username": user.username, "password": "wrong-guess"})
            assert wrong.status_code == 401
        slowed = await first.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        _retry_after(slowed)  # the address that failed waits, even with the right password (and any letter case)
        _retry_after(await first.post("/api/auth/login", json={"username": user.username.upper(), "password": "x"}))
        elsewhere = await second.post("/api/auth/login",
                                      json={"username": user.username.upper(), "password": PASSWORD})
        assert elsewhere.status_code == 200  # no lockout: an address that has not failed is never refused
        other = await create_user(sessionmaker, "comms")
        fine = await first.post("/api/auth/login", json={"username": other.username, "password": PASSWORD})
        assert fine.status_code == 200  # the address itself is not over its budget


async def test_a_success_clears_the_pairs_failures(app: FastAPI, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    async with client_from(app, "10.0.1.1") as http:
        for _ in range(2):
            for _ in range(3):
                wrong = await http.post("/api/auth/login", json={"username": user.username, "password": "nope-x"})
                assert wrong.status_code == 401
            ok = await http.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
            assert ok.status_code == 200


async def test_login_throttled_per_address(app: FastAPI, sessionmaker: Any) -> None:
    user = await create_user(sessionmaker, "comms")
    budget = app.state.livecue.login_limiter.per_address
    async with client_from(app, "10.0.2.1") as attacker, client_from(app, "10.0.2.2") as colleague:
        for index in range(budget):
            wrong = await attacker.post("/api/auth/login", json={"username": f"guess{index}", "password": "nope"})
            assert wrong.status_code == 401, index
        blocked = await attacker.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
        fine = await colleague.post("/api/auth/login", json={"username": user.username, "password": PASSWORD})
        assert fine.status_code == 200


async def test_refused_logins_do_not_grow_the_throttle_without_bound(app: FastAPI) -> None:
    limiter = app.state.livecue.login_limiter

    def tracked() -> int:
        return len(limiter._pairs) + len(limiter._addresses)

    async with client_from(app, "10.0.3.1") as attacker:
        for index in range(limiter.per_address):
            await attacker.post("/api/auth/login", json={"username": f"spray{index}", "password": "nope"})
        before = tracked()
        for index in range(400):
            refused = await attacker.post("/api/auth/login", json={"username": f"more{index}", "password": "nope"})
            assert refused.status_code == 429
    assert tracked() <= before + 10, (before, tracked())


# --------------------------------------------------------------------------------------------- passwords


async def test_passwords_never_come_back(client: AsyncClient, sessionmaker: Any) -> None:
    admin = await login(client, await create_user(sessionmaker, "admin"))
    password = "Sup3r-Secret-Passw0rd-42"
    responses = [await client.post("/api/users", headers=admin, json={
        "username": "newcomer", "display_name": "New Comer", "password": password, "roles": ["comms"]})]
    assert responses[0].status_code == 201
    responses.append(await client.post("/api/auth/login", json={"username": "newcomer", "password": password}))
    client.cookies.clear()
    mine = {"Authorization": f"Bearer {responses[-1].json()['token']}"}
    responses += [
        await client.get("/api/users", headers=admin),
        await client.get("/api/auth/me", headers=mine),
        await client.post("/api/auth/login", json={"username": "newcomer", "password": password + "x"}),
        await client.post("/api/auth/login", json={"username": "newcomer", "password": "p" * 1025}),
        await client.post("/api/users", headers=admin, json={
            "username": "shorty", "display_name": "S", "password": "short-pw", "roles": ["comms"]}),
        await client.post("/api/users", headers=admin, json={
            "username": "newcomer", "display_name": "Again", "password": password, "roles": ["comms"]}),
        await client.post("/api/auth/login", json={"username": "newcomer", "password": password, "extra": password}),
    ]
    for response in responses:
        body = response.text.lower()
        for secret in (password.lower(), "short-pw", "p" * 64):
            assert secret not in body, (response.request.url.path, response.status_code, response.text[:300])
        assert "password_hash" not in body and "$argon2" not in body, response.text[:300]


# --------------------------------------------------------------------------------------------- roles


def _fill(path: str, ids: dict[str, Any]) -> str:
    return re.sub(r"\{(\w+)(?::path)?\}", lambda m: str(ids.get(m.group(1), "1")), path)


async def test_a_user_without_roles_gets_403_everywhere(client: AsyncClient, app: FastAPI, sessionmaker: Any) -> None:
    seeded = await seed_live_event(client, app, sessionmaker)
    ids: dict[str, Any] = {name: seeded.ids_for(name)[0] for name in (
        "event_id", "item_id", "authorization_id", "delivery_id", "group_id", "message_id", "sha256", "slug")}
    ids["index"] = 0
    nobody = await create_user(sessionmaker)
    bearer = await login(client, nobody)
    cookie_login = await client.post("/api/auth/login", json={"username": nobody.username, "password": PASSWORD})
    csrf = {"X-CSRF-Token": cookie_login.json()["csrf_token"]}
    checked = 0
    for route in api_routes(app):
        rule = route_rule(route)
        if not isinstance(route, APIRoute) or rule is None or rule[0] != "roles":
            continue
        for method in sorted((route.methods or set()) - {"HEAD"}):
            url = _fill(route.path, ids)
            by_bearer = await client.request(method, url, json={}, headers=bearer)
            by_cookie = await client.request(method, url, json={}, headers=csrf)
            for response in (by_bearer, by_cookie):
                assert response.status_code == 403, (method, route.path, response.status_code, response.text)
            checked += 1
    assert checked >= 50


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_the_live_feed_refuses_anonymous_roleless_and_cross_site_sockets(settings: Settings) -> None:
    from starlette.testclient import TestClient  # imported here: it warns that it prefers httpx2

    app = full_app(settings)
    with TestClient(app) as http:
        sessionmaker = app.state.livecue.sessionmaker
        nobody = http.portal.call(create_user, sessionmaker)  # type: ignore[union-attr]
        comms = http.portal.call(create_user, sessionmaker, "comms")  # type: ignore[union-attr]
        roleless = http.post("/api/auth/login", json={"username": nobody.username, "password": PASSWORD})
        http.cookies.clear()
        staff = http.post("/api/auth/login", json={"username": comms.username, "password": PASSWORD})
        attempts = {
            4401: {},
            4403: {"Authorization": f"Bearer {roleless.json()['token']}"},
        }
        for code, headers in attempts.items():
            http.cookies.clear()
            with pytest.raises(WebSocketDisconnect) as refused, \
                    http.websocket_connect("/api/ws", headers=headers) as ws:
                ws.receive_text()
            assert refused.value.code == code, (code, headers)
        http.cookies.set("livecue_session", staff.json()["token"])
        with pytest.raises(WebSocketDisconnect) as hijack, \
                http.websocket_connect("/api/ws", headers={"Origin": "https://evil.example"}) as ws:
            ws.receive_text()
        assert hijack.value.code == 4403
        with http.websocket_connect("/api/ws", headers={"Origin": "http://testserver"}) as ws:
            frame = json.loads(ws.receive_text())
            while frame["type"] == "entry":
                frame = json.loads(ws.receive_text())
        assert frame["type"] == "caught_up", frame  # the same staff cookie from our own page is let in
