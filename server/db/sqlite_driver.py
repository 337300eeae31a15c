"""SQLAlchemy's aiosqlite adapter with one call to the connection's thread per statement.

aiosqlite runs each sqlite3 call on the connection's own thread; SQLAlchemy's adapter makes three or four of
them per statement (open a cursor, execute, fetch the rows, close the cursor), and each is a wake-up of that
thread and then of the event loop (a queue put, a self-pipe write, a loop iteration, GIL hand-offs). Profiled
on the public form (issue 19, bench/form_bench.py), those hand-offs were the largest share of a batch's CPU
once its statements were few. Here a statement is one function run on the thread: cursor, execute, fetch,
close, returning the rows and the cursor's description, row count and last row id. Errors are sqlite3's own,
raised as before; server-side cursors (`stream`) keep aiosqlite's.

A transaction's BEGIN (the engine's `begin` event sends `BEGIN` or `BEGIN IMMEDIATE`) travels with its first
statement: it is kept on the connection and run on the thread just before that statement, in the same call,
so a transaction costs one hand-off fewer (issue 19: the cue's session lookup, every form batch), and the
pool's rollback of a returned connection whose transaction has ended costs none. Nothing runs
on that connection in between, so taking the write lock then is the same as taking it at once; a transaction
that ends before any statement never runs its BEGIN, as there is nothing to commit or roll back. An error of
the BEGIN (the write lock still busy after the busy timeout) is raised by that first statement, as sqlite3's.

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


BEGINS = frozenset({"BEGIN", "BEGIN IMMEDIATE"})


def _run(conn: sqlite3.Connection, operation: str, parameters: Any, many: bool, begin: str | None) -> _Outcome:
    """On the connection's thread: the transaction's BEGIN if it is still to run, then the whole statement,
    cursor opened and closed."""
    if begin is not None:
        _begin(conn, begin)
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


def _begin(conn: sqlite3.Connection, begin: str) -> None:
    conn.execute(begin).close()


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
        if not parameters and operation in BEGINS and isinstance(self._adapt_connection, OneCallConnection):
            self._adapt_connection.pending_begin = operation  # runs with the next statement (module docstring)
            self._outcome = (None, [], -1, None)
            self._rows = collections.deque()
            return
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
        adapted = self._adapt_connection
        async with adapted._execute_mutex:
            begin = None
            if isinstance(adapted, OneCallConnection):  # taken whatever the outcome: a failed BEGIN is not rerun
                begin, adapted.pending_begin = adapted.pending_begin, None
                adapted.opened = adapted.opened or begin is not None
            self._outcome = await connection._execute(_run, connection._conn, operation, parameters, many, begin)
        self._rows = collections.deque(self._outcome[1])


class OneCallConnection(AsyncAdapt_aiosqlite_connection):
    """aiosqlite's adapted connection with `OneCallCursor` as its cursor, and a BEGIN that waits for the
    transaction's first statement (module docstring)."""

    __slots__ = ("opened", "pending_begin")
    _cursor_cls = OneCallCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.pending_begin: str | None = None
        self.opened = False  # a BEGIN ran (or was tried) since the last commit or rollback

    def cursor(self, server_side: bool = False) -> Any:
        if server_side and self.pending_begin is not None:  # aiosqlite's own cursor: run the BEGIN first
            begin, self.pending_begin = self.pending_begin, None
            self.opened = True
            try:
                await_(self._connection._execute(_begin, self._connection._conn, begin))
            except Exception as error:
                self._handle_exception(error)
        return super().cursor(server_side)

    def commit(self) -> None:
        self.pending_begin = None
        if self.opened:  # else no statement ran since the BEGIN was asked: no transaction, nothing to commit
            self.opened = False
            super().commit()

    def rollback(self) -> None:
        self.pending_begin = None
        if self.opened:  # else nothing to roll back (the pool's reset of a returned connection, mostly)
            self.opened = False
            super().rollback()


class OneCallDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """The DB-API module given to the aiosqlite dialect: its connections are `OneCallConnection`s."""

    def connect(self, *arg: Any, **kw: Any) -> OneCallConnection:
        adapted = super().connect(*arg, **kw)
        return OneCallConnection(self, adapted._connection)


def dbapi() -> OneCallDBAPI:
    """The module for `create_async_engine(..., module=dbapi())`."""
    return OneCallDBAPI(aiosqlite, sqlite3)
