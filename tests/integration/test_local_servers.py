"""Local servers started for tests and benchmarks (``index.servers``) stop when whoever started them is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index.servers import listening
from tests.helpers import listening_on

pytestmark = pytest.mark.integration

STARTERS = {
    "llama.cpp server": "from rag.backends.llama_cpp import local_server\n"
                        "with local_server() as base:\n"
                        "    print(base.split(':')[2].split('/')[0], flush=True)\n",
    "chroma run": "from pathlib import Path\n"
                  "from index.servers import chroma_server\n"
                  "with chroma_server(Path(sys.argv[1])) as server:\n"
                  "    print(server.port, flush=True)\n",
}


@pytest.mark.parametrize("server", list(STARTERS))
def test_a_server_listens_on_loopback_and_stops_when_its_parent_is_killed(server: str, tmp_path: Path) -> None:
    """The server binds 127.0.0.1 only; the process holding it is SIGKILLed (no clean-up runs): the server must
    exit by itself."""
    script = tmp_path / "parent.py"
    script.write_text("import sys, time\n" + STARTERS[server] + "    time.sleep(600)\n")
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path / "data")], stdout=subprocess.PIPE, text=True)
    try:
        line = parent.stdout.readline().strip() if parent.stdout else ""  # blocks until the server is ready
        assert line.isdigit(), f"the parent did not start the {server} (exit {parent.poll()})"
        port = int(line)
        assert listening(port) and listening_on(port) == {"127.0.0.1"}  # loopback only
    finally:
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
    for _ in range(100):  # bounded: 100 polls, ~10 s
        if not listening(port):
            return
        time.sleep(0.1)
    pytest.fail(f"the {server} on port {port} outlived its killed parent")
