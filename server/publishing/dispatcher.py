"""Sending deliveries: leases, post-time checks, retries that honour rate limits, reconciliation of unknowns.

A cue (post now, cue next) claims its own due deliveries in the cue's transaction (`claim_ahead`) when this
process runs the dispatcher loop: the lease is committed with the cue, and the next round sends them first,
without a due query and a claim transaction of its own (one fsync fewer before the platform request; issue 19).
The lease, the gate's check at send time and the thread order are the same as for a delivery claimed by a round:
a crash after the cue's commit leaves a lease whose holder is gone, reconciled before anything is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import bindparam, or_, update
from sqlalchemy import event as orm_event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import ReturningUpdate

from server.clock import Clock, SystemClock
from server.db.base import UTCDateTime
from server.db.engine import write_commits
from server.db.session_scope import reading, set_after_commit, transaction
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.loopfailures import LoopFailures
from server.media.store import MediaStore
from server.models import Delivery, Item, Message
from server.models.publishing import DeliveryStatus
from server.platforms.base import Platform, PublishRequest, RemoteRef, UploadedMedia
from server.platforms.errors import NeedsReauth, OutcomeUnknown, PlatformError, Rejected, RetryLater
from server.platforms.registry import AdapterRegistry
from server.platforms.sent import signalling
from server.publishing import gate
from server.publishing.handover import Handed, HandOver
from server.publishing.leases import LEASE_EXPIRED as LEASE_EXPIRED  # re-exported: drills and tests count it
from server.publishing.leases import expire_leases, owner_id
from server.publishing.media import forget_single_use, uploaded_media
from server.publishing.sending import read_sending, read_sendings
from server.publishing.thread import Due, claimable_now, due_deliveries, reply_target

InLane = TypeVar("InLane", Due, Handed)  # both name their platform and account
log = logging.getLogger("livecue.dispatcher")
MAX_ATTEMPTS = 8
LEASE_SECONDS = 120
RECONCILE_DELAY = 2.0
IDLE_SECONDS = 0.5  # pause after a round that attempted nothing, unless a commit pokes `wake` first
HOLD_RECHECK_SECONDS = 2.0  # a delivery only a hold keeps back asks the gate again this often
FINAL_KINDS: dict[DeliveryStatus, JournalKind] = {  # how a delivery that will not be tried again is journaled
    "posted": JournalKind.DELIVERY_POSTED, "failed": JournalKind.DELIVERY_FAILED,
    "needs_reauth": JournalKind.DELIVERY_NEEDS_REAUTH, "abandoned": JournalKind.DELIVERY_ABANDONED}


def publish_request(delivery: Delivery, reply_to: RemoteRef | None,
                    media: Sequence[UploadedMedia] = ()) -> PublishRequest:
    """What an adapter gets for a delivery: the same on every attempt and when reconciling, so the post an
    attempt made is found by its identity (key, reply target, creation time), never by its text alone."""
    return PublishRequest(text=delivery.text, idempotency_key=delivery.idempotency_key, media=media,
                          reply_to=reply_to, content_warning=delivery.content_warning,
                          visibility=delivery.visibility, created_at=delivery.created_at)


class Dispatcher:
    """Claims due deliveries with a lease and sends them, one platform thread at a time."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], registry: AdapterRegistry,
                 store: MediaStore, clock: Clock | None = None, owner: str | None = None,
                 rng: random.Random | None = None, lease_seconds: float = LEASE_SECONDS) -> None:
        self.sessionmaker = sessionmaker
        self.store = store
        self.registry = registry
        self.clock = clock or SystemClock()
        self.owner = owner or owner_id()  # host:pid:nonce-instance: a later process on this host knows it is gone
        self.rng = rng or random.Random()
        self.lease_seconds = lease_seconds  # must outlast one send; a crashed sender's claim is retaken after it
        self.wake = asyncio.Event()  # set (after a commit) when something may be due: the loop runs at once
        self.interval = IDLE_SECONDS
        self._unrecorded: dict[int, RemoteRef] = {}
        self._handed: list[Handed] = []  # claimed in a cue's committed transaction, sent first by the next round
        self.claims_ahead = False  # set by `Workers.start` when this process runs this dispatcher's loop
        self.failures = LoopFailures(log, "dispatcher")

    async def once(self) -> bool:
        """One round of the worker loop (`server/workers.py: run_forever`); True when it attempted something,
        so the loop goes again at once instead of waiting for a poke or `interval`."""
        return await self.run_once() > 0

    def wake_after_commit(self, session: AsyncSession) -> None:
        """Poke the loop once `session`'s transaction commits (a poke before the commit finds nothing to send)."""
        set_after_commit(session, self.wake)

    async def claim_ahead(self, session: AsyncSession, item_id: int) -> HandOver:
        """In a cue's transaction: lease the item's deliveries that are due now to this dispatcher, and once the
        transaction commits, hand them to the next round (poked at once) to send before anything else.

        Only the deliveries a round would pick now (`due_deliveries`: thread heads, past the safety delay, not
        held back), in one guarded update that finds and claims them (`thread.claimable_now`). Where this process
        runs no dispatcher loop (tests, `run_workers` off) nothing is claimed: the commit only pokes, and whoever
        runs rounds sends. A rollback drops the claims with the cue; the hand-over happens only on commit.

        On SQLite the transaction holds the write lock, so what it reads for the send (`read_sendings`: the same
        facts the send reads otherwise) is the committed state at its commit; the send uses it unless another
        write was committed since (`engine.WriteCommits`), and reads again if one was. The returned hand-over
        lets the route build its answer once the platform request is under way rather than beside it.
        """
        if not self.claims_ahead:
            self.wake_after_commit(session)
            return HandOver()
        now = self.clock.now()
        rows = (await session.execute(_claim_ahead_statement(), {
            "claim_item": item_id, "now": now, "claim_owner": self.owner,
            "claim_until": now + timedelta(seconds=self.lease_seconds)})).all()
        claimed = [Due(row.id, row.platform, row.account)
                   for row in sorted(rows, key=lambda r: (r.platform, r.thread_seq or 0, r.id))]
        if not claimed:
            self.wake_after_commit(session)
            return HandOver()
        writes = write_commits(await session.connection())
        prepared = await read_sendings(session, [due.id for due in claimed]) if writes is not None else {}
        expected = writes.count + 1 if writes is not None else None  # this commit's own; nothing else can come first
        hand_over = HandOver([Handed(due, prepared.get(due.id), writes, expected) for due in claimed])

        def on_commit(_session: object) -> None:
            self._handed.extend(hand_over.deliveries)
            self.wake.set()

        orm_event.listen(session.sync_session, "after_commit", on_commit, once=True)
        return hand_over

    async def run_once(self) -> int:
        """Send what cues handed over, expire stale leases, then attempt every due delivery once; returns how
        many were attempted."""
        await self._record_unrecorded()
        handed, self._handed = self._handed, []
        done = sum(await asyncio.gather(*(self._run_handed(lane) for lane in _lanes(handed).values())))
        await self._expire_leases()
        async with reading(self.sessionmaker) as session:
            due = await due_deliveries(session, self.clock.now())
        counts = await asyncio.gather(*(self._run_lane([d.id for d in dues]) for dues in _lanes(due).values()))
        return done + sum(counts)

    async def _run_handed(self, handed: list[Handed]) -> int:
        """Send deliveries this dispatcher claimed in a cue's transaction, in order; if one is rate limited or
        failing, the rest of its lane go back to the queue (pending, their attempt not counted)."""
        try:
            for n, one in enumerate(handed):
                sent = await self._send(one.due.id, one)
                one.underway.set()  # if its client did not say so when the request left (tests, the sandbox)
                if not sent:
                    for rest in handed[n + 1:]:
                        await self._unclaim(rest.due.id)
                    return n + 1
            return len(handed)
        finally:
            for one in handed:
                one.underway.set()

    async def _run_lane(self, ids: list[int]) -> int:
        done = 0
        for delivery_id in ids:
            status = await self._claim(delivery_id)
            if status is None:
                continue
            done += 1
            if status == "unknown":
                await self._reconcile(delivery_id)
            elif not await self._send(delivery_id):
                break  # rate limited or failing: later deliveries in this lane wait
        return done

    async def _expire_leases(self) -> None:
        """A sender that held a lease past its end, or whose process is gone (this host's server before a crash),
        stopped mid-send: the outcome is unknown (journaled). See `leases.expire_leases`."""
        await expire_leases(self.sessionmaker, self.clock.now())

    async def _claim(self, delivery_id: int) -> str | None:
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            delivery = await session.get(Delivery, delivery_id)
            if delivery is None or delivery.status not in ("pending", "unknown"):
                return None
            previous = delivery.status
            result = await session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == previous,
                       or_(Delivery.lease_until.is_(None), Delivery.lease_until < now))
                .values(status="sending" if previous == "pending" else "unknown", lease_owner=self.owner,
                        lease_until=now + timedelta(seconds=self.lease_seconds), attempts=Delivery.attempts + 1)
            )
            return previous if result.rowcount == 1 else None  # type: ignore[attr-defined]

    async def _send(self, delivery_id: int, handed: Handed | None = None) -> bool:
        sending = handed.sending if handed is not None and handed.fresh() else None
        if sending is None:
            async with reading(self.sessionmaker) as session:  # a snapshot of what is committed: waits for no writer
                sending = await read_sending(session, delivery_id)  # delivery, event, item, consents, reply target
        delivery, event, item = sending.delivery, sending.event, sending.item
        if delivery.status != "sending" or delivery.lease_owner != self.owner:
            log.warning("delivery %s: no longer held by this sender; not sent", delivery_id)
            return True  # its lease was taken over meanwhile: whoever holds it now decides
        verdict = gate.verdict_at_send(event, gate.outgoing_of(delivery, item, event), item, sending.facts,
                                       self.clock.now().date())
        if item is not None and item.current_version != delivery.version_number:
            verdict.reasons.append("the item was edited after it was queued")
            verdict.waits = False
        reply_to = sending.reply_to
        adapter = self.registry.get(delivery.platform, delivery.account, rehearsal=delivery.rehearsal)
        if verdict.waits:  # only a hold stands in the way: keep it, ask again shortly (no attempt counted)
            await self._wait(delivery_id, verdict.reasons[0])
            return False
        if not verdict.ok:
            await self._finish(delivery_id, "abandoned", error=f"blocked at post time: {verdict.reasons[0]}")
            return True
        try:
            async with self._lease_kept(delivery_id):
                media = await uploaded_media(self.sessionmaker, adapter, delivery, self.clock, self.store,
                                             sending.uploads)
                with signalling(handed.underway if handed is not None else None):
                    ref = await adapter.publish(publish_request(delivery, reply_to, media))
        except PlatformError as exc:
            return await self._failed(delivery_id, exc)
        except Exception as exc:  # an unexpected error after sending may have created the post
            log.exception("unexpected error publishing delivery %s", delivery_id)
            return await self._failed(delivery_id, OutcomeUnknown(f"unexpected error: {type(exc).__name__}"))
        try:
            await self._posted(delivery_id, ref)
        except Exception:  # posted, but the database refused the record (a full disk): keep it and retry
            log.exception("delivery %s is posted but could not be recorded; retrying on the next pass", delivery_id)
            self._unrecorded[delivery_id] = ref
            return False
        return True

    async def _record_unrecorded(self) -> None:
        """Record posts whose outcome the database refused earlier, while this sender still holds them."""
        for delivery_id, ref in list(self._unrecorded.items()):
            try:
                await self._posted(delivery_id, ref, holder=self.owner)
            except Exception as exc:
                log.warning("delivery %s: recording the post still fails (%s)", delivery_id, type(exc).__name__)
                return
            del self._unrecorded[delivery_id]

    @contextlib.asynccontextmanager
    async def _lease_kept(self, delivery_id: int) -> AsyncIterator[None]:
        """Extend this sender's lease every third of its length while a send (a long video upload) runs."""

        async def renew() -> None:
            while True:
                await asyncio.sleep(self.lease_seconds / 3)
                try:
                    async with transaction(self.sessionmaker) as session:
                        result = await session.execute(
                            update(Delivery).where(Delivery.id == delivery_id, Delivery.lease_owner == self.owner)
                            .values(lease_until=self.clock.now() + timedelta(seconds=self.lease_seconds)))
                    if result.rowcount != 1:  # type: ignore[attr-defined]
                        log.warning("delivery %s: lease lost during a long send", delivery_id)
                        return
                except Exception:  # the send goes on; the next renewal tries again
                    log.exception("delivery %s: could not extend the lease", delivery_id)

        renewal = asyncio.create_task(renew())
        try:
            yield
        finally:
            renewal.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewal

    async def _reconcile(self, delivery_id: int) -> None:
        async with self.sessionmaker() as session:
            delivery = await session.get(Delivery, delivery_id)
            assert delivery is not None
            request = publish_request(delivery, await reply_target(session, delivery))
            sent_after = delivery.created_at  # no attempt, so no post of this delivery, is older
            adapter: Platform = self.registry.get(delivery.platform, delivery.account, rehearsal=delivery.rehearsal)
        try:
            found = await adapter.find_post(request, sent_after=sent_after)
        except PlatformError as exc:
            await self._reschedule(delivery_id, "unknown", f"reconciliation failed: {exc.message}",
                                   getattr(exc, "retry_after", None))
            return
        if found is not None:
            await self._posted(delivery_id, found, reconciled=True)
            return
        async with transaction(self.sessionmaker) as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            row.status, row.lease_owner, row.lease_until = "pending", None, None
            row.next_attempt_at = self.clock.now()
            await journal.record(session, actor=None, kind=JournalKind.DELIVERY_RECONCILED, subject_type="delivery",
                                 subject_id=row.id, event_id=row.event_id,
                                 payload={"platform": row.platform, "found": False, "item_id": row.item_id})

    async def _failed(self, delivery_id: int, exc: PlatformError) -> bool:
        if isinstance(exc, RetryLater):
            await self._reschedule(delivery_id, "pending", exc.message, exc.retry_after)
            return False
        if isinstance(exc, OutcomeUnknown):
            await self._reschedule(delivery_id, "unknown", exc.message, RECONCILE_DELAY)
            return False
        if isinstance(exc, NeedsReauth):
            await self._finish(delivery_id, "needs_reauth", error=f"needs re-authentication: {exc.message}")
            return False
        assert isinstance(exc, Rejected | PlatformError)
        await self._finish(delivery_id, "failed", error=f"rejected by the platform: {exc.message}")
        return True

    async def _unclaim(self, delivery_id: int) -> None:
        """Give back a claim this sender did not attempt: pending again, its attempt not counted."""
        async with transaction(self.sessionmaker) as session:
            await session.execute(
                update(Delivery).where(Delivery.id == delivery_id, Delivery.status == "sending",
                                       Delivery.lease_owner == self.owner)
                .values(status="pending", lease_owner=None, lease_until=None, attempts=Delivery.attempts - 1))

    async def _wait(self, delivery_id: int, reason: str) -> None:
        async with transaction(self.sessionmaker) as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            row.status, row.lease_owner, row.lease_until = "pending", None, None
            row.attempts, row.last_error = max(0, row.attempts - 1), reason
            row.next_attempt_at = self.clock.now() + timedelta(seconds=HOLD_RECHECK_SECONDS)

    async def _reschedule(self, delivery_id: int, status: DeliveryStatus, error: str,
                          retry_after: float | None) -> None:
        async with transaction(self.sessionmaker) as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            if row.attempts >= MAX_ATTEMPTS:
                await self._record_final(session, row, "failed", f"gave up after {row.attempts} attempts: {error}")
                return
            delay = retry_after if retry_after is not None else min(300.0, 2.0 ** row.attempts)
            delay *= 1 + self.rng.random() * 0.2
            row.status, row.last_error, row.lease_owner, row.lease_until = status, error, None, None
            row.next_attempt_at = self.clock.now() + timedelta(seconds=delay)
            await journal.record(session, actor=None, kind=(JournalKind.DELIVERY_UNKNOWN if status == "unknown"
                                                                 else JournalKind.DELIVERY_RETRY),
                                 subject_type="delivery", subject_id=row.id, event_id=row.event_id,
                                 payload={"platform": row.platform, "error": error, "retry_in": round(delay, 1),
                                          "item_id": row.item_id, "attempts": row.attempts})

    async def _finish(self, delivery_id: int, status: DeliveryStatus, *, error: str) -> None:
        async with transaction(self.sessionmaker) as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            await self._record_final(session, row, status, error)

    async def _record_final(self, session: AsyncSession, row: Delivery, status: DeliveryStatus, error: str) -> None:
        row.status, row.last_error, row.lease_owner, row.lease_until = status, error, None, None
        await session.flush()
        await journal.record(session, actor=None, kind=FINAL_KINDS[status], subject_type="delivery",
                             subject_id=row.id, event_id=row.event_id,
                             payload={"platform": row.platform, "error": error, "item_id": row.item_id})

    async def _posted(self, delivery_id: int, ref: RemoteRef, reconciled: bool = False,
                      holder: str | None = None) -> None:
        now = self.clock.now()
        async with transaction(self.sessionmaker) as session:
            row = await session.get(Delivery, delivery_id)
            assert row is not None
            if holder is not None and (row.status != "sending" or row.lease_owner != holder):
                return  # the lease ran out meanwhile and another pass reconciled it
            remote: dict[str, Any] = {k: v for k, v in ref.__dict__.items() if v is not None}
            row.status, row.remote, row.remote_url, row.posted_at = "posted", remote, ref.url, now
            row.lease_owner, row.lease_until, row.last_error = None, None, None
            await forget_single_use(session, row)
            if row.question_id is not None:
                message = await session.get(Message, row.question_id)
                if message is not None:
                    message.replied_at = now
            if row.item_id is not None and not row.rehearsal:
                item = await session.get(Item, row.item_id)
                if item is not None and item.status == "queued":
                    item.status, item.published_at = "posted", now
            await session.flush()
            await journal.record(session, actor=None, kind=JournalKind.DELIVERY_POSTED, subject_type="delivery",
                                 subject_id=row.id, event_id=row.event_id,
                                 payload={"platform": row.platform, "url": ref.url, "item_id": row.item_id,
                                          "question_id": row.question_id, "reconciled": reconciled})


@cache
def _claim_ahead_statement() -> ReturningUpdate[int, str, str, int]:
    """`claim_ahead`'s guarded update, built once (building its correlated subqueries cost more than running it)."""
    now = bindparam("now", type_=UTCDateTime())
    return (update(Delivery).where(Delivery.item_id == bindparam("claim_item"), claimable_now(now))
            .values(status="sending", lease_owner=bindparam("claim_owner"),
                    lease_until=bindparam("claim_until", type_=UTCDateTime()), attempts=Delivery.attempts + 1)
            .returning(Delivery.id, Delivery.platform, Delivery.account, Delivery.thread_seq)
            .execution_options(synchronize_session=False))


def _lanes(dues: Sequence[InLane]) -> dict[tuple[str, str], list[InLane]]:
    """Deliveries (due ones, or handed over by a cue) by lane (platform, account), each in the order given."""
    by_lane: dict[tuple[str, str], list[InLane]] = defaultdict(list)
    for due in dues:
        by_lane[(due.platform, due.account)].append(due)
    return by_lane
