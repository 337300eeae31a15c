"""Locate the shared/ directory (contracts and docs) the fakes validate against."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """Return shared/: `$LIVECUE_SHARED_DIR`, else `<repo root>/../shared`."""
    configured = os.environ.get("LIVECUE_SHARED_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared"


def contract_path(platform: str) -> Path:
    """Return the OpenAPI document of `platform` (`x` or `mastodon`)."""
    path = shared_dir() / "contracts" / platform / "openapi.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: set LIVECUE_SHARED_DIR to the shared/ directory")
    return path
