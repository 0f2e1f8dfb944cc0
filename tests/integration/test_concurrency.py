"""Many threads on one index: 16 threads x 50 search/ask calls, and ingest running while others search.
Zero errors, and every answer the same as when asked alone."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from index import Index, sample_dir
from index.embedding.fake import FakeHashEmbedder
from rag.api import answer_from
from rag.backends import get_backend
from rag.judges.lexical import LexicalJudge

pytestmark = pytest.mark.integration

QUESTIONS = [
    "What did Hegseth say about NATO membership for Ukraine?",
    "Who must back any security guarantees for Ukraine?",
    "Will US troops be deployed to Ukraine?",
    "How much aid have about 50 countries given Ukraine?",
    "Who chaired the Ukraine Defense Contact Group meeting?",
]


@pytest.fixture
def index(tmp_path: Path) -> Index:
    idx = Index(tmp_path / "index", embedder=FakeHashEmbedder())
    idx.ingest([sample_dir()])
    yield idx
    idx.close()


def test_16_threads_x_50_calls_agree_with_single_calls(index: Index) -> None:
    backend, judge = get_backend("extractive"), LexicalJudge()
    alone_search = {q: [h.chunk_id for h in index.search(q, k=5)] for q in QUESTIONS}
    alone_ask = {q: answer_from(index, q, backend=backend, k=5, verify=judge).text for q in QUESTIONS}

    def worker(t: int) -> list[str]:
        problems = []
        for i in range(50):
            q = QUESTIONS[(t + i) % len(QUESTIONS)]
            if i % 2:
                got = [h.chunk_id for h in index.search(q, k=5)]
                if got != alone_search[q]:
                    problems.append(f"search {q!r}: {got} != {alone_search[q]}")
            else:
                text = answer_from(index, q, backend=backend, k=5, verify=judge).text
                if text != alone_ask[q]:
                    problems.append(f"ask {q!r} differs")
        return problems

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(worker, range(16)))  # an exception in any thread re-raises here
    problems = [p for r in results for p in r]
    assert problems == []


def test_ingest_while_others_search(index: Index, tmp_path: Path) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    for i in range(30):
        (extra / f"note-{i:02d}.txt").write_text(
            f"Harbour bulletin {i}\n\nThe harbour of Port {i} reopened after the storm, officials said on day {i}. "
            f"Ferries to island {i} resume tomorrow.\n", encoding="utf-8")
    stop = threading.Event()
    errors: list[BaseException] = []
    counts: list[int] = []

    def searcher() -> None:
        try:
            for _ in range(2000):  # bounded; stops early once the ingest is done
                if stop.is_set():
                    return
                hits = index.search("Who chaired the Ukraine Defense Contact Group meeting?", k=5)
                counts.append(len(hits))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=searcher) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        report = index.ingest([extra])
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert not errors, errors[:3]
    assert len(report.added) == 30 and counts and all(c == 5 for c in counts)
    assert any("Port 7 reopened" in h.text for h in index.search("harbour of Port 7 reopened", k=5))
