"""The `rag` command as a user runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


def rag(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_ingest_ask_info(tmp_path: Path) -> None:
    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path / "idx")}
    empty = rag("ask", "Who chaired the meeting?", env=env)
    assert empty.returncode == 2 and "rag ingest" in empty.stderr
    out = rag("ingest", "--sample", "--no-progress", env=env)
    assert out.returncode == 0 and "5 added" in out.stdout
    out = rag("ask", "What share of GDP did Hegseth say NATO members should spend on defence?", env=env)
    assert out.returncode == 0, out.stderr  # the default backend: the bundled Qwen2.5 1.5B through llama.cpp
    answer = re.sub(r"\[\d+\]", "", out.stdout.split("Sources:")[0])
    assert "Sources:" in out.stdout and re.search(r"\b5 ?(%|percent)|five percent", answer), out.stdout
    assert "llama-cpp (qwen2.5-1.5b" in out.stdout
    cited = re.findall(r"\[(\d)\]", out.stdout.split("Sources:")[0])
    assert cited and all(f"\n[{n}] " in out.stdout for n in cited), "every [n] in the answer is listed as a source"
    hinted = rag("search", "What did Al Jazeera report about NATO membership?", "-k", "3", env=env)
    assert "narrowed to Al Jazeera (named in the question)" in hinted.stdout
    assert hinted.stdout.count("Al Jazeera") >= 3 + 1
    info = rag("info", env=env)
    assert "documents:  5" in info.stdout and "Al Jazeera" in info.stdout
    bad = rag("ingest", str(tmp_path / "missing.txt"), env=env)
    assert bad.returncode == 0 and "no such file" in bad.stdout
    down = rag("ask", "x?", "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1", "--api-key-env", "", env=env)
    assert down.returncode == 2 and "http://127.0.0.1:9/v1" in down.stderr
