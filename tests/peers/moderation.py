"""How the official Bluesky client shows a post: `moderatePost` from @atproto/api, run with the peer's Node.

Livecue's own reading of a record cannot tell whether a person sees a warning or sees nothing at all; the
client's moderation rules decide that (a self-label may blur media only, or filter the whole post out of
feeds). `moderate.mjs` runs those rules from the @atproto/api copy the peer install already holds (pinned
by scripts/bluesky-peer/package-lock.json), with a new account's default preferences.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.peers.bluesky import PeerUnavailable, ensure_installed, node_home, peer_dir

SCRIPT = Path(__file__).with_name("moderate.mjs")


def moderate_posts(posts: list[dict[str, Any]], *, viewer: str | None = None,
                   adult_content: bool = False) -> list[dict[str, Any]]:
    """`moderatePost` decisions for post views (`app.bsky.feed.defs#postView` JSON) as `viewer` sees them.

    Each decision has `contentList` (feeds: `filter` means the post is left out), `contentView` (the post
    opened) and `contentMedia` (its images), each with filter/blur/alert/inform flags and their causes.
    """
    cache = ensure_installed()
    node = node_home(cache) / "bin" / "node"
    payload = json.dumps({"posts": posts, "viewer": viewer, "adultContent": adult_content})
    # --eval resolves '@atproto/api' from the working directory: the peer's node_modules
    proc = subprocess.run([str(node), "--input-type=module", "--eval", SCRIPT.read_text()], cwd=peer_dir(cache),
                          input=payload, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise PeerUnavailable(f"moderatePost failed ({proc.returncode}): {proc.stderr[-2000:]}")
    decisions: list[dict[str, Any]] = json.loads(proc.stdout)
    return decisions
