"""SQLAlchemy's aiosqlite adapter with one call to the connection's thread per statement.

aiosqlite runs each sqlite3 call on the connection's own thread; SQLAlchemy's adapter makes three or four of
them per statement (open a cursor, execute, fetch the rows, close the cursor), and each is a wake-up of that
thread and then of the event loop (a queue put, a self-pipe write, a loop iteration, GIL hand-offs). Profiled
on the public form (issue 19, bench/form_bench.py), those hand-offs were the largest share of a batch's CPU
once its statements were few. Here a statement is one function run on the thread: cursor, execute, fetch,
close, returning the rows and the cursor's description, row count and last row id. Errors are sqlite3's own,
raised as before; server-side cursors (`stream`) keep aiosqlite's.

Installed by `make_engine` through create_engine's `module` (the DB-API module the dialect uses).
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_connection
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

_Outcome = tuple[Any, list[Any], int, int | None]  # description, rows, row count, last row id


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """On the connection's thread: the whole statement, cursor opened and closed."""
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        return description, cursor.fetchall() if description else [], cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class OneCallCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose `execute` is one call to the connection's thread (module docstring)."""

    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_dbapi_connection) -> None:  # no cursor on the thread
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._outcome: _Outcome = (None, [], -1, None)

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[2]

    @property
    def lastrowid(self) -> Any:
        return self._outcome[3]

    @property
    def arraysize(self) -> int:
        return 1

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        return None

    async def _async_soft_close(self) -> None:
        return None

    def close(self) -> None:
        self._rows.clear()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            await_(self._call(operation, parameters, False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        try:
            await_(self._call(operation, seq_of_parameters, True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _call(self, operation: str, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            self._outcome = await connection._execute(_run, connection._conn, operation, parameters, many)
        self._rows = collections.deque(self._outcome[1])


class OneCallConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's adapted connection with `OneCallCursor` as its cursor."""

    __slots__ = ()
    _cursor_cls = OneCallCursor


class OneCallDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module given to the aiosqlite dialect: its connections are `OneCallConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> OneCallConnection:
        adapted = super().connect(*arg, **kw)
        return OneCallConnection(self, adapted._connection)


def dbapi() -> OneCallDBAPI:
    """The module for `create_async_engine(..., module=dbapi())`."""
    return OneCallDBAPI(aiosqlite, sqlite3)
