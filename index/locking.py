"""One ingest at a time per index folder, across threads and processes: an exclusive ``flock`` on a lock file.

The kernel drops the lock when its holder dies, so a killed ingest never leaves the index locked; the next
ingest then finds the manifest's "ingest open" mark and repairs what the killed one left (``Index.recover``).
Where ``fcntl`` does not exist (Windows) ingests are not locked against each other.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import IndexBusyError


@contextmanager
def exclusive(lock_file: Path, what: str) -> Iterator[None]:
    """Hold ``lock_file`` for the block, or raise ``IndexBusyError`` naming the holder's process id at once."""
    try:
        import fcntl
    except ImportError:  # not POSIX
        yield
        return
    with lock_file.open("a+", encoding="utf-8") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "unknown"
            raise IndexBusyError(
                f"Another ingest (process {holder}) is writing to {what}; wait for it to finish, then run this "
                "again. Searching and asking work meanwhile."
            ) from None
        try:
            f.seek(0)
            f.truncate()
            f.write(str(os.getpid()))
            f.flush()
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)
