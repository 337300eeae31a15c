"""What the recap returns (API, exports and pages), apart from the tables it is read from."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class Engagement(BaseModel):
    """The latest counts read for one posted delivery."""

    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    sampled_at: datetime | None = None

    @property
    def total(self) -> int:
        """Every interaction counted."""
        return self.likes + self.reposts + self.replies + self.quotes


class PostLink(BaseModel):
    """One platform's copy of a post: where it lives and what it earned."""

    platform: str
    url: str | None
    posted_at: datetime | None
    engagement: Engagement


class PublicPost(BaseModel):
    """One post of the event's thread as it was posted (the text of its first platform copy)."""

    item_id: int | None
    position: int
    text: str
    content_warning: str | None = None
    posted_at: datetime | None
    links: list[PostLink] = Field(default_factory=list)


class FollowerPoint(BaseModel):
    """One follower count sample."""

    at: datetime
    followers: int


class PlatformFollowers(BaseModel):
    """Followers of one platform account over the sampling window."""

    platform: str
    first: int | None
    last: int | None
    gained: int
    series: list[FollowerPoint] = Field(default_factory=list)


class PublicQuestions(BaseModel):
    """How many questions the audience asked and how many got an answer (counts only)."""

    received: int
    answered: int


class PublicRecap(BaseModel):
    """The part of a recap that anyone may see: only what is already public on the platforms, and counts.

    No staff names beyond the event's own, nothing of the question queue or its triage.
    """

    slug: str
    title: str
    hashtag: str
    live_since: datetime | None
    ended_at: datetime | None
    posts: list[PublicPost]
    followers: list[PlatformFollowers]
    questions: PublicQuestions
    engagement_total: int


class Moment(BaseModel):
    """A hold, a resume, an emergency hold, a correction or a pulled-back post, with when and who."""

    at: datetime
    kind: str
    by: str
    detail: str = ""
    url: str | None = None


class AccountSampling(BaseModel):
    """How the sampler fared with one account: rounds stored and the platform's last refusal, if any."""

    platform: str
    account: str
    samples: int
    last_error: str | None = None
