"""Thumbs up/down on answers, appended as JSON lines to ``<data dir>/feedback.jsonl`` for later evaluation.

One line per vote: ``{"time", "liked", "question", "searched", "answer", "refused", "backend",
"citations": [{"number", "doc_id", "source", "start", "end"}]}``. Lines are written whole under a lock,
so parallel users never interleave them. No setting, key or URL is ever written.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from rag import Answer

FILE_NAME = "feedback.jsonl"
_lock = threading.Lock()


def record(folder: Path, asked: str, answer: Answer, liked: bool) -> dict[str, Any]:
    """Append one vote about ``answer`` (to the question the user typed, ``asked``); returns the entry."""
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "liked": bool(liked),
        "question": asked,
        "searched": answer.question,
        "answer": answer.text,
        "refused": answer.refused,
        "backend": answer.backend,
        "citations": [{"number": c.number, "doc_id": c.doc_id, "source": c.source, "start": c.start, "end": c.end}
                      for c in answer.citations],
    }
    folder.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, ensure_ascii=False) + "\n"
    with _lock, (folder / FILE_NAME).open("a", encoding="utf-8") as f:
        f.write(line)
    return entry
