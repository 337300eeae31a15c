"""What the public live page shows: only what already went out on the platforms."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from server.recap.schemas import PublicRecap

PostKind = Literal["post", "holding", "answer", "correction"]
PublicStatus = Literal["live", "ended"]  # a hold is not announced on the platforms, so not here either


class PublicMedia(BaseModel):
    """An attached image or video as posted, with the alt text it was posted with."""

    url: str
    alt_text: str
    mime_type: str
    width: int | None = None
    height: int | None = None


class PublicLink(BaseModel):
    """Where the post stands on one platform."""

    platform: str
    url: str


class PublicPost(BaseModel):
    """One post as it went out (the text of one platform), with links to every platform that has it.

    `seq` is the journal sequence of its latest change (a platform added), the Server-Sent Events id: a client
    that saw N needs every post with `seq > N`. `order` is the sequence it first appeared at.
    """

    id: str
    seq: int
    order: int
    kind: PostKind
    text: str
    content_warning: str | None = None
    media: list[PublicMedia] = Field(default_factory=list)
    links: list[PublicLink] = Field(default_factory=list)
    posted_at: datetime
    time_label: str  # hh:mm in the event's time zone, so the page and the script show the same


class PublicPage(BaseModel):
    """The whole public page: the event's public identity, its posts (newest first) and, after the end, the recap."""

    slug: str
    title: str
    hashtag: str
    status: PublicStatus
    seq: int
    posts: list[PublicPost]
    recap: PublicRecap | None = None  # after the end: server/recap/public.py
