"""The library database: opening, migrating, and the one connection the stores share.

`PRAGMA user_version` holds the number of migrations applied (`store.migrations`).

Threads: one connection (`check_same_thread=False`) behind one re-entrant lock, shared by the UI
thread (gallery, queue panel) and the worker thread (job states, saved images). Every call takes
milliseconds; SQLite serialises writes anyway, and one connection gives one consistent view with
nothing to open or close per thread.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from majicflux_desktop.core.i18n import QT_TRANSLATE_NOOP, user_error
from majicflux_desktop.core.paths import replace_file
from majicflux_desktop.core.store.migrations import MIGRATIONS, Migration

_D = TypeVar("_D", bound="Database")

SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CORRUPT, SQLITE_NOTADB = 5, 6, 11, 26


class NewerSchemaError(Exception):
    def __init__(self, found: int, known: int):
        self.found = found
        self.known = known
        super().__init__(f"database schema {found} is newer than this app's {known}")


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] | None = None) -> int:
    """Apply the missing migrations, each in its own transaction; returns the final version.

    The version is read again inside each write transaction, so two processes opening the same old
    database cannot both apply a step.
    """
    steps = MIGRATIONS if migrations is None else migrations
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = user_version(conn)
            if version > len(steps):
                raise NewerSchemaError(version, len(steps))
            if version == len(steps):
                conn.execute("COMMIT")
                return version
            steps[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def connect(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), WAL, foreign keys on.

    synchronous=FULL: writes are one per image, so durability of each commit costs nothing we
    would notice, and a power cut then cannot lose an image the user was told was saved.
    """
    conn = sqlite3.connect(
        path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
    )
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        problems = [row[0] for row in conn.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("database disk image is malformed: " + "; ".join(problems))
    except BaseException:
        conn.close()
        raise
    return conn


def error_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    return code & 0xFF if isinstance(code, int) else None


def _is_busy(exc: sqlite3.Error) -> bool:
    code = error_code(exc)
    if code is not None:
        return code in (SQLITE_BUSY, SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def _is_corrupt(exc: sqlite3.Error) -> bool:
    text = str(exc)
    if "malformed" in text or "not a database" in text:
        return True  # also our own quick_check failure, which carries no code
    return error_code(exc) in (SQLITE_CORRUPT, SQLITE_NOTADB)


class CorruptLibraryError(Exception):
    """The database file is damaged or is not a database; `Library.open` recovers from it."""


def open_database(path: Path, busy_timeout_s: float) -> sqlite3.Connection:
    """A migrated connection; UserError when locked or unusable, CorruptLibraryError if damaged."""
    try:
        conn = connect(path, busy_timeout_s)
    except sqlite3.Error as exc:
        raise _classify(path, exc) from exc
    try:
        migrate(conn)
    except NewerSchemaError as exc:
        conn.close()
        raise user_error(
            "library",
            QT_TRANSLATE_NOOP(
                "library",
                "The image library “{path}” was made by a newer version of MajicFlux. Update "
                "MajicFlux to open it.",
            ),
            str(exc),
            path=path,
        ) from exc
    except sqlite3.Error as exc:
        conn.close()
        raise _classify(path, exc) from exc
    return conn


def _classify(path: Path, exc: sqlite3.Error) -> Exception:
    if _is_busy(exc):
        return user_error(
            "library",
            QT_TRANSLATE_NOOP(
                "library",
                "The image library “{path}” is in use by another program, probably another "
                "MajicFlux window. Close it, then start MajicFlux again.",
            ),
            str(exc),
            path=path,
        )
    if _is_corrupt(exc):
        return CorruptLibraryError(str(exc))
    if path.is_dir():  # SQLite says only "unable to open database file"
        return user_error(
            "library",
            QT_TRANSLATE_NOOP(
                "library",
                "The image library “{path}” is a folder, not a file. Rename or move that folder "
                "(MajicFlux then starts a new library there), or start MajicFlux with --data-dir "
                "and another folder.",
            ),
            str(exc),
            path=path,
        )
    return user_error(
        "library",
        QT_TRANSLATE_NOOP(
            "library",
            "The image library “{path}” cannot be opened ({reason}). Check that its folder "
            "exists and is writable, and that the disk is not full.",
        ),
        str(exc),
        path=path,
        reason=str(exc),
    )


def set_aside(path: Path) -> Path:
    """Rename a damaged database (and its WAL) to `<name>.corrupt-<time>`, never overwriting."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while backup.exists():
        counter += 1
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
    replace_file(path, backup)
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        replace_file(wal, backup.with_name(backup.name + "-wal"))
    with contextlib.suppress(FileNotFoundError):
        path.with_name(path.name + "-shm").unlink()  # only an index of the WAL, rebuilt on open
    return backup


# -- time ------------------------------------------------------------------------------------------


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_db(moment: datetime) -> str:
    # One fixed format in UTC, so text order is time order.
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def from_db(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


# -- the shared connection -------------------------------------------------------------------------


class Database:
    """One connection for all threads, behind a lock; every write in an explicit transaction.

    The stores (jobs, image records) share one Database: `write()` and `read()` hand out the
    connection under the lock, `now()` the time every store stamps its rows with.
    """

    def __init__(
        self, path: Path, *, busy_timeout_s: float, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self.path = Path(path)
        self._clock = clock
        self._lock = threading.RLock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = open_database(self.path, busy_timeout_s)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self: _D) -> _D:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            # IMMEDIATE takes the write lock up front: two readers upgrading cannot deadlock.
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._conn

    def clock(self) -> datetime:
        return self._clock()

    def now(self) -> str:
        return to_db(self._clock())


def row_id(cursor: sqlite3.Cursor) -> int:
    assert cursor.lastrowid is not None
    return cursor.lastrowid
