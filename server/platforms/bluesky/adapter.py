"""`BlueskyAdapter`: Livecue's `Platform` over a PDS's XRPC API (AT Protocol)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from server.clock import wall_now
from server.platforms.base import (
    CredentialStore,
    PublishRequest,
    RemoteRef,
    UploadedMedia,
    UploadRequest,
)
from server.platforms.bluesky.client import (
    JsonObject,
    Params,
    RateLimit,
    XrpcClient,
    XrpcError,
    to_platform_error,
)
from server.platforms.bluesky.incoming import (
    did_of,
    format_time,
    post_url,
    rkey_of,
)
from server.platforms.bluesky.metrics import BlueskyMetrics
from server.platforms.bluesky.reading import BlueskyReading
from server.platforms.bluesky.richtext import build_facets, detect_facets
from server.platforms.bluesky.session import SessionManager
from server.platforms.bluesky.tid import record_keys, tid_for_key
from server.platforms.capabilities import CAPABILITIES as SHARED_CAPABILITIES
from server.platforms.errors import PlatformError, Rejected
from server.textrules.warning import posted_text

log = logging.getLogger(__name__)

POST_COLLECTION = "app.bsky.feed.post"
BLOB_VALIDITY = timedelta(minutes=5)
CAPABILITIES = SHARED_CAPABILITIES["bluesky"]


class BlueskyAdapter(BlueskyReading, BlueskyMetrics):
    """Posts threads to one Bluesky account through its PDS and reads replies through the AppView proxy.

    `base_url` is the account's PDS (or the `https://bsky.social` entryway); `handle_domain_url`, when
    given, is the service that resolves @mention handles (`com.atproto.identity.resolveHandle`),
    else the PDS does; `web_url` is the web app used for permalinks. Each post's record key is a
    TID dated by its delivery's creation and made unique by its idempotency key, so re-publishing the
    same delivery returns the existing post and `find_post` needs nothing else to identify it.
    """

    capabilities = CAPABILITIES

    def __init__(
        self,
        base_url: str,
        credentials: CredentialStore,
        client: httpx.AsyncClient,
        handle_domain_url: str | None = None,
        *,
        web_url: str = "https://bsky.app",
        incoming_overlap: timedelta = timedelta(minutes=2),
        max_incoming_pages: int = 20,
        clock: Callable[[], datetime] = wall_now,
    ) -> None:
        self.xrpc = XrpcClient(base_url, client)
        self.resolver = XrpcClient(handle_domain_url, client) if handle_domain_url else self.xrpc
        self.sessions = SessionManager(self.xrpc, credentials)
        self.web_url = web_url
        self.incoming_overlap = incoming_overlap
        self.max_incoming_pages = max_incoming_pages
        self.clock = clock
        self._handles: dict[str, str | None] = {}
        self._known_cids: dict[str, str] = {}

    @property
    def rate_limit(self) -> RateLimit | None:
        """The `RateLimit-*` headers of the PDS's last answer, if it sent any."""
        return self.xrpc.rate_limit

    async def _query(self, nsid: str, params: Params) -> JsonObject:
        return await self.sessions.call(lambda token: self.xrpc.query(nsid, params, token=token))

    async def _procedure(self, nsid: str, body: JsonObject, *, may_create: bool = False) -> JsonObject:
        return await self.sessions.call(
            lambda token: self.xrpc.procedure(nsid, body, token=token, may_create=may_create)
        )

    async def authenticate(self) -> None:
        """Load or create the session and check it with getSession (refreshing once if expired)."""
        try:
            await self._query("com.atproto.server.getSession", {})
        except XrpcError as err:
            raise to_platform_error(err) from err

    async def upload_media(self, media: UploadRequest) -> UploadedMedia:
        """Upload an image blob; the returned handle carries the blob, alt text and aspect ratio."""
        limits = self.capabilities.media
        if media.mime_type not in limits.image_types:
            raise Rejected(
                f"Bluesky images only: {media.mime_type} is not one of {', '.join(limits.image_types)}"
            )
        if len(media.data) > limits.image_max_bytes:
            raise Rejected(
                f"image is {len(media.data)} bytes; Bluesky accepts at most {limits.image_max_bytes}"
            )
        if len(media.alt_text) > limits.alt_text_max:
            raise Rejected(
                f"alt text is {len(media.alt_text)} characters; the limit is {limits.alt_text_max}"
            )
        try:
            data = await self.sessions.call(
                lambda token: self.xrpc.procedure(
                    "com.atproto.repo.uploadBlob",
                    token=token,
                    content=media.data,
                    content_type=media.mime_type,
                )
            )
        except XrpcError as err:
            raise to_platform_error(err) from err
        blob = data.get("blob")
        if not isinstance(blob, dict) or not isinstance(blob.get("ref"), dict):
            raise Rejected("uploadBlob answered without a blob")
        aspect = (media.width, media.height) if media.width and media.height else None
        return UploadedMedia(
            remote_id=str(blob["ref"].get("$link")),
            expires_at=self.clock() + BLOB_VALIDITY,
            extra={"blob": blob, "alt": media.alt_text, "aspect": aspect},
        )

    async def publish(self, request: PublishRequest) -> RemoteRef:
        """Create the post at its delivery's record key (`tid.tid_for_delivery`; see the class docstring).

        A key already taken by this very post (an earlier attempt made it) returns that post; one taken by
        another post (two deliveries in the same millisecond with colliding bits) moves to the next key of
        the delivery's fixed sequence, which `find_post` walks the same way.
        """
        session = await self.sessions.current()
        record = await self._build_record(request, session.did)
        for rkey in record_keys(request.idempotency_key, request.created_at):
            body = {"repo": session.did, "collection": POST_COLLECTION, "rkey": rkey, "record": record}
            try:
                data = await self._procedure("com.atproto.repo.createRecord", body, may_create=True)
            except XrpcError as err:
                # A second create at a taken key fails (the PDS answers 500): a post is already there.
                if err.status >= 500 or "already" in err.message.lower():
                    try:
                        existing = await self._get_post(session.did, rkey)
                    except PlatformError:
                        existing = None  # report the create's own failure, not the lookup's
                    parent = _as_dict(_as_dict(record.get("reply")).get("parent")).get("uri")
                    if existing is not None and _same_post(existing[2], parent):
                        log.info("bluesky post %s already existed; returning it", rkey)
                        return self._ref(existing[0], existing[1], existing[2])
                    if existing is not None:
                        log.warning("bluesky record key %s holds another post; trying the next key", rkey)
                        continue
                raise to_platform_error(err) from err
            uri, cid = str(data["uri"]), str(data["cid"])
            self._known_cids[uri] = cid
            return self._ref(uri, cid, record)
        raise Rejected("bluesky: every record key of this delivery holds another post")

    async def find_post(self, request: PublishRequest, *, sent_after: datetime) -> RemoteRef | None:
        """Fetch the post at the delivery's record keys (its identity: derived from its key and creation time).

        The keys are walked as `publish` walks them; a key with no record ends the walk (publish would have
        used it). A delivery from before record keys were dated is also looked for at its old key.
        """
        session = await self.sessions.current()
        target = request.reply_to
        parent = (target.uri or f"at://{session.did}/{POST_COLLECTION}/{target.remote_id}") if target else None
        for rkey in record_keys(request.idempotency_key, request.created_at):
            found = await self._get_post(session.did, rkey)
            if found is None:
                break
            if _same_post(found[2], parent):
                return self._ref(*found)
        if request.created_at is not None:
            found = await self._get_post(session.did, tid_for_key(request.idempotency_key))
            if found is not None:
                return self._ref(*found)
        return None

    async def delete(self, ref: RemoteRef) -> None:
        """Delete the post's record; deleting a missing record succeeds."""
        session = await self.sessions.current()
        rkey = ref.remote_id or (rkey_of(ref.uri) if ref.uri else "")
        if not rkey:
            raise Rejected("cannot delete a post without a record key or URI")
        if ref.uri and did_of(ref.uri) != session.did:
            raise Rejected(f"{ref.uri} is not in this account's repository")
        body = {"repo": session.did, "collection": POST_COLLECTION, "rkey": rkey}
        try:
            await self._procedure("com.atproto.repo.deleteRecord", body)
        except XrpcError as err:
            raise to_platform_error(err) from err
        if ref.uri:
            self._known_cids.pop(ref.uri, None)

    async def _get_post(self, did: str, rkey: str) -> tuple[str, str, dict[str, Any]] | None:
        params = {"repo": did, "collection": POST_COLLECTION, "rkey": rkey}
        try:
            data = await self._query("com.atproto.repo.getRecord", params)
        except XrpcError as err:
            if err.error == "RecordNotFound" or err.status == 404:
                return None
            raise to_platform_error(err) from err
        value = _as_dict(data.get("value"))
        return str(data["uri"]), str(data.get("cid") or ""), value

    def _ref(self, uri: str, cid: str, record: dict[str, Any]) -> RemoteRef:
        session = self.sessions.session
        actor = (session.handle or session.did) if session else did_of(uri)
        reply = record.get("reply") if isinstance(record.get("reply"), dict) else None
        root = reply.get("root") if reply else None
        root_uri, root_cid = (str(root["uri"]), str(root["cid"])) if isinstance(root, dict) else (uri, cid)
        return RemoteRef(
            remote_id=rkey_of(uri),
            url=post_url(self.web_url, actor, uri),
            uri=uri,
            cid=cid,
            root_uri=root_uri,
            root_cid=root_cid,
        )

    async def _strong_ref(
        self, uri: str | None, cid: str | None, own_did: str, remote_id: str = ""
    ) -> JsonObject:
        """A `{uri, cid}` strongRef; a missing CID is looked up, and our own posts must exist."""
        uri = uri or (f"at://{own_did}/{POST_COLLECTION}/{remote_id}" if remote_id else None)
        if not uri:
            raise Rejected("reply target has neither a URI nor a record key")
        if uri in self._known_cids and (cid is None or cid == self._known_cids[uri]):
            return {"uri": uri, "cid": self._known_cids[uri]}
        if cid is None or did_of(uri) == own_did:
            found = await self._get_post(did_of(uri), rkey_of(uri))
            if found is None:
                raise Rejected(f"reply target {uri} does not exist")
            cid = cid or found[1]
            self._known_cids[uri] = found[1]
        return {"uri": uri, "cid": cid}

    async def _build_record(self, request: PublishRequest, own_did: str) -> JsonObject:
        if len(request.media) > self.capabilities.media.max_images:
            raise Rejected(f"Bluesky posts hold at most {self.capabilities.media.max_images} images")
        # A warned post's warning is its first line (`textrules.warning`), never a self-label: the labels
        # Bluesky lets an author set warn about media only, and hide the post from default-preference viewers.
        text = posted_text(self.capabilities, request.text, request.content_warning)
        record: JsonObject = {
            "$type": POST_COLLECTION,
            "text": text,
            "createdAt": format_time(self.clock()),
        }
        facets = await self._facets(text)
        if facets:
            record["facets"] = facets
        target = request.reply_to
        if target is not None:
            parent = await self._strong_ref(target.uri, target.cid, own_did, target.remote_id)
            root = (
                await self._strong_ref(target.root_uri, target.root_cid, own_did)
                if target.root_uri and target.root_uri != parent["uri"]
                else parent
            )
            record["reply"] = {"root": root, "parent": parent}
        if request.media:
            record["embed"] = {"$type": "app.bsky.embed.images", "images": [_image(m) for m in request.media]}
        if request.language:
            record["langs"] = [request.language]
        return record

    async def _facets(self, text: str) -> list[dict[str, object]]:
        spans = detect_facets(text)
        dids: dict[str, str] = {}
        for handle in {s.value for s in spans if s.kind == "mention"}:
            did = await self._resolve_handle(handle)
            if did is not None:
                dids[handle] = did
        return build_facets(spans, dids)

    async def _resolve_handle(self, handle: str) -> str | None:
        if handle not in self._handles:
            try:
                data = await self.resolver.query("com.atproto.identity.resolveHandle", {"handle": handle})
            except XrpcError as err:
                log.info("bluesky mention @%s not resolved (%s); left as plain text", handle, err.error)
                if err.status >= 500 or err.status == 429:
                    return None  # transient: try again next post
                self._handles[handle] = None
            else:
                self._handles[handle] = str(data["did"]) if data.get("did") else None
        return self._handles[handle]


def _image(media: UploadedMedia) -> JsonObject:
    blob = media.extra.get("blob")
    if not isinstance(blob, dict):
        raise Rejected(f"media {media.remote_id} was not uploaded through the Bluesky adapter")
    image: JsonObject = {"image": blob, "alt": str(media.extra.get("alt") or "")}
    aspect = media.extra.get("aspect")
    if (
        isinstance(aspect, tuple | list)
        and len(aspect) == 2
        and all(isinstance(v, int) and v > 0 for v in aspect)
    ):
        image["aspectRatio"] = {"width": aspect[0], "height": aspect[1]}
    return image


def _same_post(found: dict[str, Any], parent_uri: str | None) -> bool:
    """Whether the record at one of a delivery's keys is its post: it answers the same parent. Only a guard
    against two deliveries' keys colliding (same millisecond, same ~20 key bits): the key is the identity.
    The text is not compared: the adapter may add to it (a warning line), and a guard that failed on that
    would post twice."""
    return _as_dict(_as_dict(found.get("reply")).get("parent")).get("uri") == parent_uri


def _as_dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
