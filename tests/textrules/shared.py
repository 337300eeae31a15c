"""Where shared/ lives: `$LIVECUE_SHARED_DIR`, else the repository checkout's sibling `shared/`."""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DIR = Path(
    os.environ.get("LIVECUE_SHARED_DIR") or Path(__file__).resolve().parents[2].parent / "shared"
)
TWITTER_TEXT_DIR = SHARED_DIR / "contracts" / "twitter-text"
