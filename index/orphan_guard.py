"""Run a Python program as a child process that stops when the process that started it dies.

``python -m index.orphan_guard PARENT_PID TARGET [ARGS...]`` runs ``TARGET`` with ``ARGS`` as its command
line: a module run as ``__main__`` (``llama_cpp.server``) or a ``module:function`` entry point
(``chromadb.cli.cli:app``). A watcher thread ends the process as soon as it is re-parented
(``os.getppid()`` no longer ``PARENT_PID``): the parent was killed without running its clean-up, e.g.
``kill -9`` of a test run or a benchmark. ``index.servers`` starts local servers this way, so no orphan
keeps its port and its memory.
"""

from __future__ import annotations

import importlib
import os
import runpy
import sys
import threading
import time

POLL_SECONDS = 0.5


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL_SECONDS)
    os._exit(3)  # no clean-up to run: the parent that wanted the result is gone


def main(argv: list[str]) -> None:
    if len(argv) < 2 or not argv[0].isdigit():
        raise SystemExit("usage: python -m index.orphan_guard PARENT_PID MODULE[:FUNCTION] [ARGS...]")
    parent, target = int(argv[0]), argv[1]
    if os.getppid() != parent:  # the parent died before we got here
        raise SystemExit(3)
    threading.Thread(target=_watch, args=(parent,), name="orphan-guard", daemon=True).start()
    module, _, function = target.partition(":")
    sys.argv = [module.rpartition(".")[2] if function else module, *argv[2:]]
    if function:
        sys.exit(getattr(importlib.import_module(module), function)())
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
