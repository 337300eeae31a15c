"""Bounds on ids taken from requests: the tables' INTEGER keys are 32-bit on PostgreSQL, 64-bit on SQLite.

An id outside the range would make the database driver raise (a 500); bounded, it is a 422 naming the
parameter or field.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import Field

MAX_ID = 2**31 - 1
MAX_SEQ = 2**63 - 1

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
IdField = Annotated[int, Field(ge=1, le=MAX_ID)]
