"""Local servers for tests and benchmarks: started on 127.0.0.1, waited for within bounds, always stopped.

Each runs under ``index.orphan_guard``, so it exits by itself if the process that started it is killed.
``chroma_server`` is a real ``chroma run``; ``rag.backends.llama_cpp.local_server`` uses the same pieces
for llama.cpp's OpenAI-compatible server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from index.errors import StoreUnavailableError
from index.store import ChromaServer


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def guarded(target: str, *args: str) -> list[str]:
    """The command line running ``target`` (a module, or ``module:function``) under ``index.orphan_guard``."""
    return [sys.executable, "-m", "index.orphan_guard", str(os.getpid()), target, *args]


def wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], *, within: float, what: str,
               error: type[Exception]) -> None:
    """Poll ``ready`` until it is true; bounded in time and in polls; fails at once if ``proc`` exits."""
    deadline = time.monotonic() + within
    for _ in range(int(within * 10) + 1):
        if proc.poll() is not None:
            raise error(f"{what} exited with code {proc.returncode} before it was ready")
        if ready():
            return
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    raise error(f"{what} was not ready within {within:.0f} s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Terminate ``proc``, killing it if it does not stop within 15 s."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def chroma_server(data: Path, *, ready_within: float = 60.0, log: IO[str] | None = None) -> Iterator[ChromaServer]:
    """A real ``chroma run`` keeping its data in ``data``, on a free 127.0.0.1 port; stopped on exit."""
    port = free_port()
    proc = subprocess.Popen(guarded("chromadb.cli.cli:app", "run", "--path", str(data), "--host", "127.0.0.1",
                                    "--port", str(port)), stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: listening(port), proc, within=ready_within, what=f"chroma run on port {port}",
                   error=StoreUnavailableError)
        yield ChromaServer("127.0.0.1", port)
    finally:
        stop(proc)
