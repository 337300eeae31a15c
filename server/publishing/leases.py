"""Delivery leases: who holds one, and when it is stale (its time ran out, or its holder's process is gone).

A dispatcher's owner id names where it runs: `host:pid:nonce-instance`. `host` is the machine's name plus a
short digest of what makes its process ids meaningful (the boot and the PID namespace, on Linux), `pid` the
process, `nonce` a random value drawn once per process and `instance` one per dispatcher. With it a process
knows its own stale leases: after a crash (kill -9) and a restart, a lease whose holder names this host and a
process id that no longer exists, or this very process id with another nonce (the id was reused, by us), was
left by a sender that is gone, and is retaken at once instead of at the end of the lease. Holders on other
hosts (or in another container: another PID namespace), live processes (also those of other users) and owner
ids in any other form (older versions, tests) keep the time-based lease: on PostgreSQL with several processes a
lease is retaken early only from a process that is gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db.session_scope import reading, transaction
from server.journal import service as journal
from server.journal.kinds import JournalKind
from server.models import Delivery

log = logging.getLogger("livecue.dispatcher")

LEASE_EXPIRED = "the sender stopped before recording the outcome"
SENDER_GONE = "the sender's process is gone"
PROCESS_NONCE = secrets.token_hex(4)  # drawn once per process: a restarted server on a reused pid draws anew
HELD = ("sending", "unknown")  # the statuses a lease is taken with (`Dispatcher._claim`)


@cache
def this_host() -> str:
    """This machine and PID namespace: the hostname, and a digest of the boot and namespace where known."""
    name = "".join(c for c in socket.gethostname() if c.isalnum() or c in "-.")[:20] or "host"
    marks = [socket.gethostname()]
    with contextlib.suppress(OSError):  # Linux; elsewhere the name alone
        marks.append(Path("/proc/sys/kernel/random/boot_id").read_text().strip())
    with contextlib.suppress(OSError):
        marks.append(os.readlink("/proc/self/ns/pid"))
    return f"{name}~{hashlib.sha256('|'.join(marks).encode()).hexdigest()[:8]}"


def owner_id(*, host: str | None = None, pid: int | None = None, nonce: str | None = None) -> str:
    """A new dispatcher's owner id (at most 52 characters; `lease_owner` holds 64)."""
    return (f"{host or this_host()}:{os.getpid() if pid is None else pid}:{nonce or PROCESS_NONCE}-"
            f"{secrets.token_hex(2)}")


@dataclass(frozen=True)
class Holder:
    """The parts of an owner id."""

    host: str
    pid: int
    nonce: str


def parse_owner(owner: str | None) -> Holder | None:
    """The holder an owner id names; None for ids in any other form (they keep the time-based lease)."""
    parts = (owner or "").split(":")
    if len(parts) != 3 or not parts[1].isdigit() or "-" not in parts[2]:
        return None
    nonce = parts[2].split("-", 1)[0]
    if len(nonce) != len(PROCESS_NONCE) or any(c not in "0123456789abcdef" for c in nonce):
        return None
    return Holder(host=parts[0], pid=int(parts[1]), nonce=nonce)


def process_exists(pid: int) -> bool:
    """Whether a process with this id exists here (a zombie does not: it holds nothing any more)."""
    if pid <= 0:
        return True  # not a single process: never judge it gone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    with contextlib.suppress(OSError, IndexError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2] != "Z"
    return True


def holder_is_gone(owner: str | None) -> bool:
    """True only when the lease's holder is known to be gone: a dead process of this host, or an earlier
    process of this host whose id this process now has."""
    holder = parse_owner(owner)
    if holder is None or holder.host != this_host():
        return False
    if holder.pid == os.getpid():
        return holder.nonce != PROCESS_NONCE
    return not process_exists(holder.pid)


async def expire_leases(sessionmaker: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Make stale leases takeable; returns how many were.

    A `sending` delivery whose lease ran out (a sender that died or hung mid-send) or whose holder is gone (a
    crashed process of this host) has an unknown outcome: it becomes `unknown` (journaled), so it is looked up
    on the platform before anything is sent again. An `unknown` one whose holder died while looking it up
    loses its lease, so the lookup starts again at once. Each pass reads only the leased rows.
    """
    async with reading(sessionmaker) as session:  # a snapshot: an idle round never waits for a writer
        leased = list((await session.execute(
            select(Delivery.id, Delivery.status, Delivery.lease_owner, Delivery.lease_until).where(
                Delivery.status.in_(HELD), Delivery.lease_until.is_not(None)))).all())
    verdicts: dict[str | None, bool] = {}
    done = 0
    for delivery_id, status, owner, until in leased:
        if status == "sending" and until is not None and until < now:
            done += await _expire(sessionmaker, delivery_id, owner, LEASE_EXPIRED,
                                  Delivery.lease_until < now)
            continue
        if owner not in verdicts:
            verdicts[owner] = holder_is_gone(owner)
        if not verdicts[owner]:
            continue
        if status == "sending":
            done += await _expire(sessionmaker, delivery_id, owner, SENDER_GONE, Delivery.lease_owner == owner)
        else:
            done += await _release(sessionmaker, delivery_id, owner)
    return done


async def _expire(sessionmaker: async_sessionmaker[AsyncSession], delivery_id: int, owner: str | None,
                  reason: str, still_stale: ColumnElement[bool]) -> int:
    async with transaction(sessionmaker) as session:
        result = await session.execute(
            update(Delivery).where(Delivery.id == delivery_id, Delivery.status == "sending", still_stale)
            .values(status="unknown", lease_owner=None, lease_until=None, last_error=reason))
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return 0  # another process got there first
        row = await session.get(Delivery, delivery_id)
        assert row is not None
        await journal.record(session, actor=None, kind=JournalKind.DELIVERY_UNKNOWN, subject_type="delivery",
                             subject_id=row.id, event_id=row.event_id,
                             payload={"platform": row.platform, "error": reason, "lease_owner": owner,
                                      "item_id": row.item_id, "attempts": row.attempts})
    return 1


async def _release(sessionmaker: async_sessionmaker[AsyncSession], delivery_id: int, owner: str | None) -> int:
    async with transaction(sessionmaker) as session:
        result = await session.execute(
            update(Delivery).where(Delivery.id == delivery_id, Delivery.status == "unknown",
                                   Delivery.lease_owner == owner)
            .values(lease_owner=None, lease_until=None))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return 0
    log.info("delivery %s: its lookup's process (%s) is gone; looking it up again", delivery_id, owner)
    return 1
