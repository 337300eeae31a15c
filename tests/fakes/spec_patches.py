"""Documented corrections of the published specs, and the cached checkers the fakes use.

Each `SpecPatch` names the JSON pointer it replaces and why; nothing else of the upstream
documents in shared/contracts/ is changed.
"""

from __future__ import annotations

from functools import cache

from tests.fakes.openapi_check import OpenAPIChecker, SpecPatch
from tests.fakes.specs import contract_path

_STATUS_BODY = "/paths/~1api~1v1~1statuses/post/requestBody/content/application~1json/schema"
_STATUS_KINDS = ("TextStatus", "MediaStatus", "PollStatus")

MASTODON_PATCHES: tuple[SpecPatch, ...] = (
    SpecPatch(
        "/paths/~1api~1v1~1statuses/post/parameters/0/schema",
        {"type": "string"},
        "Idempotency-Key is declared with schema type object; it is an arbitrary string header "
        "(statuses.md).",
    ),
    SpecPatch(
        _STATUS_BODY,
        {"anyOf": [{"$ref": f"#/components/schemas/{name}"} for name in _STATUS_KINDS]},
        "createStatus body is oneOf Text/Media/Poll, but a status with text and media_ids matches both "
        "TextStatus and MediaStatus, which Mastodon accepts; anyOf expresses the documented rules.",
    ),
)

_META = "require 'meta' but declare no such property; real responses (facts doc 1, media) have none."
X_PATCHES: tuple[SpecPatch, ...] = (
    SpecPatch("/components/schemas/MediaUploadResponse/required", [], f"MediaUploadResponse: {_META}"),
    SpecPatch(
        "/components/schemas/MediaUploadAppendResponse/required", [], f"MediaUploadAppendResponse: {_META}"
    ),
    SpecPatch(
        "/components/schemas/ProcessingInfo/required",
        [],
        "ProcessingInfo requires 'type' but declares no such property (it has state/check_after_secs/...).",
    ),
)


@cache
def mastodon_checker() -> OpenAPIChecker:
    """Return the (cached) checker for shared/contracts/mastodon/openapi.json."""
    return OpenAPIChecker.from_file(contract_path("mastodon"), patches=MASTODON_PATCHES, bracket_arrays=True)


@cache
def x_checker() -> OpenAPIChecker:
    """Return the (cached) checker for shared/contracts/x/openapi.json."""
    return OpenAPIChecker.from_file(contract_path("x"), patches=X_PATCHES)
