"""The suite's SQLite backend: Django's own, waiting where shared-cache SQLite fails at once.

Django's in-memory test database is one shared-cache database for every connection of the
test process. A statement that meets another connection's table lock there fails at once
with "database table is locked" (SQLITE_LOCKED): shared cache ignores the busy timeout
that the file database of `make demo` and production waits with. A browser test's own
reads met the live server's writes so, and a CI run failed on one. Here such a statement
runs again for up to LOCK_WAIT seconds, as the busy timeout would wait. A statement that
met a lock did not run, so running it again is safe, in a transaction or out of one."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from django.db.backends.sqlite3 import base

LOCK_WAIT = 10.0


def _patiently(run: Any, *args: Any) -> Any:
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            return run(*args)
        except sqlite3.OperationalError as error:
            if "is locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.005)


class _Cursor(base.SQLiteCursorWrapper):
    def execute(self, query: Any, params: Any = None) -> Any:
        return _patiently(super().execute, query, params)

    def executemany(self, query: Any, param_list: Any) -> Any:
        return _patiently(super().executemany, query, list(param_list))


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: Any = None) -> Any:
        return self.connection.cursor(factory=_Cursor)
