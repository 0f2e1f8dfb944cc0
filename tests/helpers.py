"""Small helpers shared by the tests."""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index.servers import free_port

__all__ = ["free_port", "holding", "listening_on"]


@contextmanager
def holding(gate: Any) -> Iterator[None]:
    """Another user holds ``gate`` (the local model's line, ``rag.backends.llama_cpp.Gate``) until the block ends."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with gate.turn(10):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    try:
        yield
    finally:
        release.set()
        holder.join(5)


def listening_on(port: int) -> set[str]:
    """The addresses a socket LISTENs on at ``port`` (Linux: read from /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state != "0A" or int(hex_port, 16) != port:  # 0A: LISTEN
                continue
            raw = bytes.fromhex(address)
            # the kernel prints each 32-bit word in host (little-endian) order
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(str(ipaddress.ip_address(raw)))
    return found
