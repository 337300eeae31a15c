"""JSON Schema of the schedule format, generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from server.schedules.format import Schedule

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_TITLE = "Livecue schedule (format version 1)"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a schedule file, with `$schema`, `title` and field descriptions."""
    body = Schedule.model_json_schema(mode="validation")
    body.pop("title", None)
    return {
        "$schema": SCHEMA_DIALECT,
        "title": SCHEMA_TITLE,
        **body,
        "description": (
            "An event's run of show for Livecue: event, consent records, timeline items, holding message, "
            "answer bank and triage replies. Timestamps are written as ISO 8601 strings."
        ),
    }
