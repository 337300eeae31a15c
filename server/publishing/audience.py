"""How a reply addresses its asker and how public it may be: one rule for every platform.

- **Address the asker.** Every reply starts with the asker's `@handle` (Mastodon's `acct`, X's username, the
  Bluesky handle that becomes a mention facet), so the platform notifies them — the emergency "call 911"
  reply above all — and no two replies to different askers are the same text (X refuses duplicates).
- **Never more public than the question.** On Mastodon a `private` (followers-only) or `direct` message gets
  a `direct` reply. Bluesky and X have no private replies: a personal-medical question there gets only the
  pre-approved redirect (which names nothing personal) in public; any other answer to it is not sent and
  the operator is told why.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.models import Message

PRIVATE_ON_MASTODON = ("private", "direct")
NO_PRIVATE_REPLIES = ("bluesky", "x")
ADDRESSED = ("mastodon", "x", "bluesky", "sandbox")


@dataclass(frozen=True)
class ReplyPlan:
    """What the reply to one message is: its text and visibility, or why there is none."""

    text: str | None
    visibility: str | None = None
    withheld: str | None = None


def addressed(text: str, message: Message) -> str:
    """`@asker text`, unless the text already names the asker first."""
    handle = (message.author_handle or "").lstrip("@")
    if message.platform not in ADDRESSED or not handle or handle == "unknown":
        return text
    mention = f"@{handle}"
    return text if text.startswith(mention) else f"{mention} {text}"


def plan_reply(message: Message, text: str, kind: str) -> ReplyPlan:
    """The reply to `message` of this kind (`answer`, `redirect`, `emergency_reply`)."""
    if message.platform == "mastodon" and message.visibility in PRIVATE_ON_MASTODON:
        return ReplyPlan(addressed(text, message), visibility="direct")
    if (message.platform in NO_PRIVATE_REPLIES and message.label == "personal_medical"
            and kind not in ("redirect", "emergency_reply")):
        return ReplyPlan(None, withheld=(
            f"not answered in public: a personal medical question on {message.platform}, which has no private "
            "replies; send the redirect instead"))
    return ReplyPlan(addressed(text, message))
