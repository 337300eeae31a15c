"""CPU-heavy work off the event loop, in small thread pools of its own.

Why: argon2 (tens of milliseconds and 64 MiB per hash at the library's defaults) and photo or video processing
(up to a second for a photo near the cap) ran on the event loop, and every console, tablet, the live feed and
the emergency hold waited behind them. Both libraries release the GIL while they work, so a thread really runs
them beside the loop. Each kind has its own pool of two threads: a flood of logins queues behind two hashes
(memory stays at two hashes' worth) and never waits behind an upload, nor an upload behind it.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Literal, ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
Pool = Literal["passwords", "media"]

POOLS: dict[str, ThreadPoolExecutor] = {
    "passwords": ThreadPoolExecutor(max_workers=2, thread_name_prefix="livecue-passwords"),
    "media": ThreadPoolExecutor(max_workers=2, thread_name_prefix="livecue-media"),
}


async def offload(pool: Pool, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `fn(*args, **kwargs)` in the named pool and wait for it without blocking the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(POOLS[pool], functools.partial(fn, *args, **kwargs))
