"""kill -9 an ingest at random points, several times, rerun it, and the index equals a clean ingest."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from index import Index, sample_dir
from index.embedding.fake import FakeHashEmbedder

pytestmark = pytest.mark.integration

CHILD = """
import sys
from index import Index
from index.embedding.fake import FakeHashEmbedder
Index(sys.argv[1], embedder=FakeHashEmbedder()).ingest([sys.argv[2]])
print("done", flush=True)
"""


def make_corpus(folder: Path, n: int = 800) -> list[Path]:
    folder.mkdir()
    samples = sorted(sample_dir().glob("*.txt"))
    files = []
    for i in range(n):
        text = samples[i % len(samples)].read_text(encoding="utf-8")
        path = folder / f"story-{i:03d}.txt"
        # the unique line goes first: cleaning cuts what follows an article's comment widgets
        path.write_text(f"Edition {i}: the desk in city number {i} filed this copy on day {i % 28 + 1}.\n\n{text}",
                        encoding="utf-8")
        files.append(path)
    return files


def ingest_in_child(index_dir: Path, corpus: Path, kill_after: float | None) -> bool:
    """Run an ingest in another process; SIGKILL it after ``kill_after`` seconds. True if it finished."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(index_dir), str(corpus)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if kill_after is None:
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err[-2000:]
        return True
    try:
        proc.wait(timeout=kill_after)
        return True  # finished before the kill
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return False


def state(index_dir: Path) -> tuple[list[str], list[tuple[str, str]], int, list[str]]:
    """(sorted chunk ids in Chroma, sorted (file, doc) pairs in the manifest, stored chunk count,
    sorted chunk ids whose BM25 tokens the manifest holds)."""
    idx = Index(index_dir, embedder=FakeHashEmbedder())
    try:
        ids, _, metas = idx.store.all_chunks()
        files = sorted((Path(p).name, str(idx.manifest.doc_for_path(p))) for p in idx.manifest.all_paths())
        return sorted(ids), files, idx.store.count(), sorted(idx.manifest.lexicon().chunk_ids)
    finally:
        idx.close()


def test_killed_ingests_end_equal_to_a_clean_one(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    files = make_corpus(corpus)
    index_dir = tmp_path / "killed"
    rng = random.Random(7)  # fixed seed: the same kill points every run
    killed = 0
    for round_ in range(5):
        if round_ == 3:  # change some files between kills: updates must not leave old chunks behind
            for path in files[::17]:
                fixed = "Correction: an earlier version misstated a date.\n\n" + path.read_text(encoding="utf-8")
                path.write_text(fixed, encoding="utf-8")
        started = time.monotonic()
        if not ingest_in_child(index_dir, corpus, kill_after=rng.uniform(2.0, 6.0)):
            killed += 1
        assert time.monotonic() - started < 120
    assert killed >= 3, "the ingest finished before most kills; make the corpus bigger"
    ingest_in_child(index_dir, corpus, kill_after=None)
    clean = tmp_path / "clean"
    ingest_in_child(clean, corpus, kill_after=None)
    got, want = state(index_dir), state(clean)
    assert got[1] == want[1]  # the same files map to the same documents
    assert got[0] == want[0]  # the same chunk ids: none missing, none left over
    assert got[2] == len(got[0]) == len(set(got[0]))  # no duplicates
    assert got[3] == got[0]  # BM25 knows exactly the stored chunks


class Crash(BaseException):
    """Stands for the process dying at that exact point (not an Exception: nothing may catch it)."""


@pytest.mark.parametrize("point", ["after the chunks, before the manifest", "after the manifest, before cleanup"])
def test_a_crash_at_the_worst_points_is_repaired_by_the_next_ingest(tmp_path: Path, monkeypatch,
                                                                     point: str) -> None:
    corpus = tmp_path / "corpus"
    files = make_corpus(corpus, n=6)
    index_dir = tmp_path / "index"
    Index(index_dir, embedder=FakeHashEmbedder()).ingest([corpus]) if point.startswith("after the manifest") else None
    files[2].write_text("A later correction was made.\n\n" + files[2].read_text(encoding="utf-8"), encoding="utf-8")
    idx = Index(index_dir, embedder=FakeHashEmbedder())
    target = "put" if point.startswith("after the chunks") else "_forget_doc_if_orphan"
    owner = idx.manifest if target == "put" else idx
    real = getattr(owner, target)
    calls = {"n": 0}

    def dies(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == (3 if target == "put" else 1):
            raise Crash
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, target, dies)
    with pytest.raises(Crash):
        idx.ingest([corpus])
    idx.close()
    files[2].write_text("And another correction was made.\n\n" + files[2].read_text(encoding="utf-8"),
                        encoding="utf-8")
    Index(index_dir, embedder=FakeHashEmbedder()).ingest([corpus])
    clean = tmp_path / "clean"
    Index(clean, embedder=FakeHashEmbedder()).ingest([corpus])
    assert state(index_dir) == state(clean)
