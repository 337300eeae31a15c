"""The typed `Platform` protocol that every adapter implements, and the data it exchanges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, Protocol, runtime_checkable

# How a warned post carries its warning: Mastodon's spoiler text, X's sensitive-media flag, the sandbox's
# click-through, or a first line of the text where no platform field shows one (Bluesky: its self-labels
# warn about media only, and hide the whole post from viewers with default preferences).
ContentWarningMechanism = Literal["sensitive_spoiler", "self_label", "sensitive_media", "click_through", "first_line"]


@dataclass(frozen=True)
class MediaLimits:
    """What one platform accepts as media on a single post."""

    max_images: int
    max_videos: int
    image_max_bytes: int
    video_max_bytes: int
    image_types: tuple[str, ...]
    video_types: tuple[str, ...]
    alt_text_max: int
    image_max_pixels: int | None = None


@dataclass(frozen=True)
class Capabilities:
    """Capabilities of a platform, as data: text rules, media limits, content-warning mechanism."""

    name: str
    text_limit: int
    text_unit: Literal["weighted", "graphemes", "graphemes+bytes"]
    url_length: int | None
    media: MediaLimits
    content_warning: ContentWarningMechanism
    media_validity_seconds: int
    byte_limit: int | None = None


@dataclass(frozen=True)
class UploadRequest:
    """A file to upload, already sanitized."""

    data: bytes
    mime_type: str
    alt_text: str
    width: int | None = None
    height: int | None = None
    sha256: str = ""


@dataclass(frozen=True)
class UploadedMedia:
    """A platform's handle on an uploaded file; valid until `expires_at`."""

    remote_id: str
    expires_at: datetime | None
    extra: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteRef:
    """Where a published post lives on its platform."""

    remote_id: str
    url: str | None = None
    uri: str | None = None
    cid: str | None = None
    root_uri: str | None = None
    root_cid: str | None = None


@dataclass(frozen=True)
class PublishRequest:
    """Everything an adapter needs to publish one post."""

    text: str
    idempotency_key: str
    media: Sequence[UploadedMedia] = ()
    reply_to: RemoteRef | None = None
    content_warning: str | None = None
    language: str | None = None
    visibility: str | None = None  # Mastodon's public/unlisted/private/direct; None: the account's default
    # When the delivery was created: the same on every attempt, so anything derived from it (Bluesky's
    # record key) names the same post on a retry, and no post of this delivery can be older than it.
    created_at: datetime | None = None


@dataclass(frozen=True)
class IncomingMessage:
    """One reply or mention read from a platform, normalised."""

    platform: str
    external_id: str
    author_handle: str
    author_name: str
    text: str
    received_at: datetime
    in_reply_to: str | None = None
    url: str | None = None
    language: str | None = None
    root_ref: RemoteRef | None = None
    ref: RemoteRef | None = None
    visibility: str | None = None  # who could see it (Mastodon); replies are never more public


@dataclass(frozen=True)
class IncomingPage:
    """A batch of incoming messages, the cursor to pass next time, and whether more are already waiting."""

    messages: Sequence[IncomingMessage]
    cursor: str | None
    more: bool = False


@dataclass(frozen=True)
class EngagementCounts:
    """What the audience did with one of our posts, as the platform counts it."""

    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0


@dataclass(frozen=True)
class MetricsLimits:
    """How a platform lets its counts be read: posts per request and the least spacing between rounds.

    The sampler spaces its rounds by `min_interval_seconds` at least and reads at most `max_posts` posts a
    round, so sampling stays far inside the platform's rate limits whatever the event's size.
    """

    posts_per_request: int
    max_posts: int
    min_interval_seconds: float


class CredentialStore(Protocol):
    """Where an adapter reads its account's secrets and persists rotated tokens."""

    async def load(self) -> dict[str, str]:
        """Return the account's current secrets (tokens, passwords, keys)."""
        ...

    async def save(self, updates: dict[str, str]) -> None:
        """Persist rotated tokens (merged into the stored secrets), durably, before they are used."""
        ...


class MemoryCredentialStore:
    """A credential store kept in memory (tests, one-off commands)."""

    def __init__(self, secrets: dict[str, str]) -> None:
        self.secrets = dict(secrets)

    async def load(self) -> dict[str, str]:
        """Return a copy of the secrets."""
        return dict(self.secrets)

    async def save(self, updates: dict[str, str]) -> None:
        """Merge rotated values in."""
        self.secrets.update(updates)


@runtime_checkable
class Platform(Protocol):
    """One social platform Livecue posts to.

    Adapters are constructed per event account as `Adapter(base_url=..., credentials=CredentialStore,
    client=httpx.AsyncClient)`; they hold no database session. Every method raises only the errors in
    `server.platforms.errors`:

    - `RetryLater(retry_after)` for 429/5xx/connection failures that did not create anything,
    - `NeedsReauth` once a refresh has been tried and failed,
    - `Rejected(reason)` for content the platform refuses for good,
    - `OutcomeUnknown` when the post may exist (timeout after sending, X's duplicate 403).
    """

    capabilities: Capabilities

    async def authenticate(self) -> None:
        """Establish or refresh the session, persisting rotated tokens through the credential store.

        Raises:
            NeedsReauth: the stored credentials no longer work.
        """
        ...

    async def upload_media(self, media: UploadRequest) -> UploadedMedia:
        """Upload one sanitized file with its alt text.

        Returns:
            The platform's media handle and when it expires if unused.
        Raises:
            Rejected: the file or alt text breaks the platform's rules.
            RetryLater: transient failure.
        """
        ...

    async def publish(self, request: PublishRequest) -> RemoteRef:
        """Publish one post (optionally as a reply, with media and a content warning).

        The adapter uses `request.idempotency_key` however its platform allows (Mastodon header,
        Bluesky record key) so that a repeated call cannot create a second post.

        Returns:
            The remote reference (id, URL, URI/CID) of the created post.
        Raises:
            OutcomeUnknown: the post may have been created; call `find_post` before any re-send.
        """
        ...

    async def find_post(self, request: PublishRequest, *, sent_after: datetime) -> RemoteRef | None:
        """Find the post an earlier `publish(request)` may have created, by what only that post can match.

        Text alone never identifies a post: bank answers repeat the same words to every asker. Each adapter
        matches what its platform keeps (the idempotency key or the record key derived from it, else the
        reply target + the text + `sent_after`, the earliest time the post can have been created), and
        never creates anything (a re-send goes through the dispatcher's checks at send time).

        Returns:
            The post's reference when exactly this post exists; None when it surely does not (a re-send
            with the same idempotency key is then safe).
        Raises:
            OutcomeUnknown: the post cannot be identified (several candidates, or the lookup could not
                reach back to `sent_after`): the delivery stays unknown for the operator, never guessed.
            RetryLater: transient failure.
        """
        ...

    async def delete(self, ref: RemoteRef) -> None:
        """Delete a published post; deleting one that does not exist succeeds."""
        ...

    async def fetch_incoming(self, cursor: str | None) -> IncomingPage:
        """Fetch replies and mentions newer than `cursor` (None: the most recent page).

        Returns:
            Messages oldest first and the cursor to pass next time.
        """
        ...

    async def fetch_thread_replies(self, roots: Sequence[RemoteRef]) -> list[IncomingMessage]:
        """Replies other accounts wrote under these posts of ours, read from each post's thread.

        Notifications and mention timelines can miss replies (Bluesky's AppView drops the notification of a
        reply written before it indexed the parent; a Mastodon reply without an @mention notifies nobody),
        so the poller also reads the replies under the event's newest thread posts. Messages carry the same
        `external_id` as through `fetch_incoming`, so ingest keeps each once. A post that no longer exists
        is skipped. An adapter whose `fetch_incoming` already sees every reply returns [] (and says why).

        Returns:
            Messages oldest first, each once.
        Raises:
            RetryLater: rate limited or transient failure (the poller tries again later).
        """
        ...


@runtime_checkable
class MetricsReader(Protocol):
    """A platform whose account's follower count and posts' engagement can be read back (for the recap).

    Raises only the errors of `server.platforms.errors` (`RetryLater` with the platform's Retry-After,
    `NeedsReauth`), like `Platform`.
    """

    metrics_limits: MetricsLimits

    async def read_followers(self) -> int:
        """The account's follower count now."""
        ...

    async def read_engagement(self, refs: Sequence[RemoteRef]) -> dict[str, EngagementCounts]:
        """Counts of these posts of ours, keyed by `remote_id`; a post that no longer exists is left out."""
        ...
