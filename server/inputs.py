"""Request text every database can store: NUL (U+0000) is refused in path, query and JSON body values.

PostgreSQL cannot store NUL in text columns, so without this check such a value gets as far as the
database and fails there (a 500). Refused up front, it is a 422 naming the parameter or field.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from starlette.requests import HTTPConnection

from server.errors import Invalid

NUL = "\x00"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def nul_field(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (or key) holding NUL in decoded JSON, or None."""
    if isinstance(value, str):
        return (path or "body") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            inner = f"{path}.{key}" if path else str(key)
            if NUL in key:
                return path or "body"
            found = nul_field(item, inner)
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = nul_field(item, f"{path}.{index}" if path else "body")
            if found:
                return found
    return None


async def refuse_nul(connection: HTTPConnection) -> None:
    """App-wide dependency: 422 when a path, query or JSON body value contains NUL."""
    for name, value in connection.path_params.items():
        if NUL in str(value):
            raise Invalid("text may not contain the NUL character (U+0000)", field=name)
    for name, value in connection.query_params.multi_items():
        if NUL in name or NUL in value:
            raise Invalid("text may not contain the NUL character (U+0000)", field=name.replace(NUL, ""))
    if not isinstance(connection, Request) or connection.method not in BODY_METHODS:
        return
    if "json" not in connection.headers.get("content-type", ""):
        return
    raw = await connection.body()
    if b"\\u0000" not in raw:  # NUL can only arrive escaped: a raw NUL byte is not valid JSON
        return
    try:
        data = json.loads(raw)
    except ValueError:
        return  # FastAPI reports the malformed body itself
    field = nul_field(data)
    if field:
        raise Invalid("text may not contain the NUL character (U+0000)", field=field)
