"""Any JSON body to `POST /api/events/{id}/items` and `PATCH /api/items/{id}`: never a 5xx, and a refusal names a field.

Bodies come in three kinds: any JSON at all, item-shaped objects whose values are any JSON, and valid items
with one field replaced by something hostile (NUL and other odd text, huge or negative numbers, wrong types).
The ids are real (an event that accepts items, a draft item), so what is refused is refused for its body.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from server.timeline.schemas import ItemCreate, ItemUpdate
from tests.factories import create_event, create_item, create_user, login

ITEM_FIELDS = sorted(ItemCreate.model_fields)
UPDATE_FIELDS = sorted(ItemUpdate.model_fields)
ODD_TEXT = st.sampled_from(["", " ", "\x00", "a\x00b", "\ud800", "\u202e", "💉" * 300, "x" * 6000, "T+99:99",
                            "T+00:00", "T+00:30:15", "post", "reply", "sandbox", "<script>", "%00", "\\u0000"])
ODD_NUMBERS = st.sampled_from([0, -1, 1, 2**31 - 1, 2**31, 2**53 + 1, 2**63 - 1, 2**63, 2**64, -(2**63) - 1,
                               1.5, float("inf"), float("nan"), 1e308])
SCALARS = (st.none() | st.booleans() | st.integers() | ODD_NUMBERS | st.floats() | st.text(max_size=40)
           | ODD_TEXT)
ANY_JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=12) | st.sampled_from(ITEM_FIELDS), inner, max_size=4),
                        max_leaves=12)
VALID_CONTENT = st.fixed_dictionaries(
    {"caption": st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=60)},
    optional={"clinical": st.booleans(), "content_warning": st.booleans(),
              "platform_text": st.just({"sandbox": "Hello from the OR"}), "authorizations": st.just([])},
)
VALID_ITEM = st.builds(lambda content, cue, kind: {**content, "cue": cue, "kind": kind}, VALID_CONTENT,
                       st.text(min_size=1, max_size=20), st.sampled_from(["post", "holding", "answer"]))
VALID_UPDATE = st.fixed_dictionaries({}, optional={"content": VALID_CONTENT, "cue": st.text(max_size=20),
                                                   "offset": st.sampled_from(["T+00:10", "T+01:30:05"]),
                                                   "position": st.integers(0, 1000)})


def _mutated(valid: st.SearchStrategy[dict[str, Any]], fields: list[str]) -> st.SearchStrategy[Any]:
    def change(body: dict[str, Any], field: str, value: Any, drop: bool) -> dict[str, Any]:
        changed = dict(body)
        if drop:
            changed.pop(field, None)
        else:
            changed[field] = value
        return changed

    values = ODD_TEXT | ODD_NUMBERS | ANY_JSON
    return st.builds(change, valid, st.sampled_from([*fields, "extra"]), values, st.booleans())


def _item_shaped(fields: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(fields), ANY_JSON, max_size=len(fields))


CREATE_BODIES = ANY_JSON | _item_shaped(ITEM_FIELDS) | _mutated(VALID_ITEM, ITEM_FIELDS) | VALID_ITEM
UPDATE_BODIES = ANY_JSON | _item_shaped(UPDATE_FIELDS) | _mutated(VALID_UPDATE, UPDATE_FIELDS) | VALID_UPDATE
PROPERTY = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def assert_answer(status: int, answer: Any, body: Any, fields: list[str], ok: int, where: str) -> None:
    """Accepted with `ok`, or refused with a 4xx whose JSON names a field of the request."""
    sent = json.dumps(body, default=str)[:300]
    assert status < 500, f"{where}: {status} for {sent}: {answer}"
    if status == ok:
        return
    assert 400 <= status < 500, f"{where}: {status} for {sent}: {answer}"
    assert isinstance(answer, dict) and answer.get("detail"), f"{where}: no detail for {sent}: {answer}"
    field = answer.get("field")
    assert isinstance(field, str) and field, f"{where}: {status} names no field for {sent}: {answer}"
    if isinstance(body, dict) and all(key and _encodable(key) for key in body):
        # An object was sent: the refusal points into it, not at the body as a whole.
        known = {"body", *fields, *body.keys()}
        head = field.split(".")[0]
        assert head in known or field in known, f"{where}: field {field!r} is not in the request {sent}: {answer}"



def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def _send(client: AsyncClient, method: str, url: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    raw = json.dumps(body)  # NaN and Infinity as Python writes them, lone surrogates escaped
    response = await client.request(method, url, content=raw.encode(),
                                    headers={**headers, "Content-Type": "application/json"})
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


@pytest.fixture
async def target(client: AsyncClient, sessionmaker: Any, app: FastAPI) -> dict[str, Any]:
    """An author, an event on the sandbox and a draft item."""
    headers = await login(client, await create_user(sessionmaker, "comms"))
    event = await create_event(client, headers)
    item = await create_item(client, headers, event["id"])
    return {"headers": headers, "event_id": event["id"], "item_id": item["id"]}


@PROPERTY
@given(body=CREATE_BODIES)
@example(body={"caption": "Scrubbing in\x00", "cue": "go"})
@example(body={"caption": "Scrubbing in", "cue": "go\x00"})
@example(body={"caption": "Scrubbing in", "cue": "go", "question": "why\x00"})
@example(body={"caption": "Scrubbing in", "cue": "go", "position": 2**31})
@example(body={"caption": "Scrubbing in", "cue": "go", "position": 2**64})
@example(body={"caption": "Scrubbing in", "cue": "go", "key": "a", "authorizations": ["\x00"]})
@example(body={"caption": "Scrubbing in", "cue": "go", "platform_text": {"sandbox": "\x00"}})
@example(body={"caption": "Scrubbing in", "cue": "go", "path": "/etc/passwd"})
async def test_creating_items_never_fails_with_5xx_and_names_the_field(client: AsyncClient, target: dict[str, Any],
                                                                       body: Any) -> None:
    status, answer = await _send(client, "POST", f"/api/events/{target['event_id']}/items", body, target["headers"])
    assert_answer(status, answer, body, ITEM_FIELDS, 201, "POST /api/events/{id}/items")


@PROPERTY
@given(body=UPDATE_BODIES)
@example(body={"cue": "a\x00"})
@example(body={"position": 2**40})
@example(body={"position": 2**64})
@example(body={"content": {"caption": "Closing\x00"}})
@example(body={"content": {"caption": "Closing", "query": 1}})
async def test_editing_items_never_fails_with_5xx_and_names_the_field(client: AsyncClient, target: dict[str, Any],
                                                                      body: Any) -> None:
    status, answer = await _send(client, "PATCH", f"/api/items/{target['item_id']}", body, target["headers"])
    assert_answer(status, answer, body, UPDATE_FIELDS, 200, "PATCH /api/items/{id}")
