"""Small helpers shared by the tests."""

from __future__ import annotations

from index.servers import free_port

__all__ = ["free_port"]
