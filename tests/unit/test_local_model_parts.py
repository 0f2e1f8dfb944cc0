"""The local model's pieces without a model: joining and checking split GGUF files, the shared model's line,
the evidence a prompt gets, and the prompt itself."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from index.embedding.fake import FakeHashEmbedder
from index.types import Hit
from rag import BackendBusyError, ConfigError
from rag.backends import gguf
from rag.backends.llama_cpp import Gate, waiting_notice
from rag.evidence import is_statement, rank, select, without_dateline
from rag.prompt import REFUSAL, SYSTEM, build_messages
from tests.helpers import holding


def make_parts(tmp_path: Path, data: bytes, n: int = 3) -> tuple[gguf.BundledModel, list[Path]]:
    size = -(-len(data) // n)
    parts = []
    for i in range(n):
        p = tmp_path / "parts" / f"part{i + 1:02d}.bin"
        p.parent.mkdir(exist_ok=True)
        p.write_bytes(data[i * size:(i + 1) * size])
        parts.append(p)
    model = gguf.BundledModel("tiny", "a tiny test file", "tiny.gguf", tuple(f"m{i}" for i in range(n)), len(data),
                              hashlib.sha256(data).hexdigest(), "local-llm")
    return model, parts


def test_parts_join_into_the_pinned_file_once(tmp_path: Path) -> None:
    data = b"GGUF" + bytes(range(256)) * 999
    model, parts = make_parts(tmp_path, data)
    out = gguf.joined(model, parts, tmp_path / "cache", progress=False)
    assert out.read_bytes() == data
    stamp = out.stat().st_mtime_ns
    for p in parts:  # a verified file is not joined again, even when the parts have gone
        p.unlink()
    assert gguf.joined(model, parts, tmp_path / "cache", progress=False) == out
    assert out.stat().st_mtime_ns == stamp
    assert not list((tmp_path / "cache").glob("*.tmp"))


def test_a_damaged_cached_file_is_rebuilt(tmp_path: Path) -> None:
    data = b"GGUF" + b"x" * 10_000
    model, parts = make_parts(tmp_path, data)
    out = gguf.joined(model, parts, tmp_path / "cache", progress=False)
    with out.open("r+b") as fh:  # same size, one byte changed, time moved on: the note no longer vouches for it
        fh.seek(5000)
        fh.write(b"y")
    assert gguf.joined(model, parts, tmp_path / "cache", progress=False).read_bytes() == data


def test_damaged_parts_give_an_error_that_says_how_to_fix_it(tmp_path: Path) -> None:
    data = b"GGUF" + b"z" * 10_000
    model, parts = make_parts(tmp_path, data)
    parts[1].write_bytes(b"q" * parts[1].stat().st_size)  # right size, wrong bytes
    with pytest.raises(ConfigError, match="SHA-256.*pip install --force-reinstall"):
        gguf.joined(model, parts, tmp_path / "cache", progress=False)
    assert not (tmp_path / "cache" / "tiny.gguf").exists(), "a wrong file is never left where it would be used"
    parts[1].write_bytes(b"short")
    with pytest.raises(ConfigError, match="add up to"):
        gguf.joined(model, parts, tmp_path / "cache", progress=False)


def test_missing_or_foreign_model_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No GGUF model file.*qwen2.5-1.5b"):
        gguf.resolve("qwen-9000")
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"<html>not a model</html>")
    with pytest.raises(ConfigError, match="not a GGUF model file"):
        gguf.resolve(bad)
    good = tmp_path / "ok.gguf"
    good.write_bytes(b"GGUF....")
    assert gguf.resolve(good) == good


def test_missing_packages_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    model = replace(gguf.MODELS["qwen2.5-0.5b"], modules=("no_such_package_part1", "no_such_package_part2"))
    with pytest.raises(ConfigError, match=r"\[small-llm\] extra: pip install"):
        gguf.part_paths(model)


def test_the_gate_serves_in_order_and_reports_the_line() -> None:
    gate, order, told = Gate(), [], []
    release = threading.Event()

    def first() -> None:
        with gate.turn(5):
            release.wait(5)
            order.append("first")

    def later(name: str) -> None:
        waiting_notice.set(lambda ahead: told.append((name, ahead)))
        with gate.turn(5):
            order.append(name)
            time.sleep(0.3)  # long enough for the next in line to see its place change

    threads = [threading.Thread(target=first)]
    threads[0].start()
    time.sleep(0.1)
    for name in ("second", "third"):
        threads.append(threading.Thread(target=later, args=(name,)))
        threads[-1].start()
        time.sleep(0.1)
    assert gate.ahead() == 3
    release.set()
    for t in threads:
        t.join(10)
    assert order == ["first", "second", "third"]
    assert ("second", 1) in told and ("third", 2) in told and ("third", 1) in told and ("third", 0) in told
    assert gate.ahead() == 0


def test_a_waiter_that_fails_leaves_the_line() -> None:
    """An exception while waiting (here: the page's notice breaks) must not block everyone behind it."""
    gate = Gate()

    def broken(ahead: int) -> None:
        raise RuntimeError("the page went away")

    token = waiting_notice.set(broken)
    try:
        with holding(gate), pytest.raises(RuntimeError), gate.turn(5):
            pass
    finally:
        waiting_notice.reset(token)
    assert gate.ahead() == 0
    with gate.turn(1):
        pass


def test_the_gate_gives_up_after_its_wait_and_the_line_moves_on() -> None:
    gate = Gate()
    with holding(gate), pytest.raises(BackendBusyError, match="1 question.*ahead"), gate.turn(0.3):
        pass
    started = time.monotonic()
    with gate.turn(1):  # the one that gave up does not block the next in line
        assert time.monotonic() - started < 0.5


def passage(text: str, title: str = "A story") -> Hit:
    return Hit(text=text, score=1.0, similarity=1.0, doc_id="d", title=title, source="Reuters", published="1987-03-01",
               url=None, path="d.txt", start=0, end=len(text))


def test_statements_only() -> None:
    hit = passage("x", title="NATO membership for Ukraine not realistic, Hegseth says")
    assert not is_statement("NATO membership for Ukraine ‘not realistic’ and Kyiv must abandon hopes of returning to "
                            "pre-2014 borders, Hegseth says", hit), "a sub-headline has no sentence ending"
    assert not is_statement("Brussels / CNN / —", hit)
    assert not is_statement("NATO membership for Ukraine not realistic, Hegseth says.", hit), "the title repeated"
    assert is_statement("He added that Ukraine's membership in NATO was not realistic.", hit)
    assert without_dateline("SALVADOR, Feb 26 - Showers continued throughout the week.") == \
        "Showers continued throughout the week."
    assert without_dateline("NEW YORK, March 3 - Texaco said it would appeal.") == "Texaco said it would appeal."
    assert without_dateline("Bahia said on Feb 26 - nothing.") == "Bahia said on Feb 26 - nothing."


def test_evidence_keeps_the_best_sentences_with_neighbours_within_budget() -> None:
    filler = " ".join(f"Sentence number {i} talks about shipping rates in general." for i in range(30))
    text = f"{filler} The cocoa crop was put at 6.4 mln bags by Comissaria Smith. It was dry. {filler}"
    hits = [passage(text), passage(filler)]
    picked = select("How big was the Bahia cocoa crop according to Comissaria Smith?", hits, FakeHashEmbedder(),
                    budget=60)
    assert "The cocoa crop was put at 6.4 mln bags by Comissaria Smith." in picked[1]
    assert "It was dry." in picked[1], "the sentence after it comes along"
    assert sum(len(t.split()) for t in picked.values()) < 80, "the budget bounds the prompt"
    ranked = rank("cocoa crop Comissaria Smith", hits, FakeHashEmbedder())
    assert ranked[0].text.startswith("The cocoa crop")


def test_prompt_numbers_evidence_by_passage_and_has_no_refusal_clause() -> None:
    assert REFUSAL not in SYSTEM and "do not answer" not in SYSTEM.lower()
    hits = [passage("first passage text."), passage("second passage text."), passage("third passage.")]
    user = build_messages("What?", hits, {1: "first", 3: "third"})[-1]["content"]
    assert "Passage 1 (Reuters, 1987-03-01): first" in user and "Passage 3 (" in user and "Passage 2 (" not in user
    whole = build_messages("What?", hits)[-1]["content"]
    assert all(f"Passage {n} (" in whole for n in (1, 2, 3))


def test_evidence_from_a_table_only_story_is_not_empty() -> None:
    table = "Shr 28 cts vs 22 cts\nNet 1,234,000 vs 987,000\nRevs 12.5 mln vs 10.1 mln"
    picked = select("What were the company's revenues?", [passage(table)], FakeHashEmbedder(), budget=60)
    assert picked and "mln" in picked[1]


def test_neighbours_come_along_with_the_best_sentence() -> None:
    text = "Alpha one two three. The cocoa crop was put at 6.4 mln bags. Beta four five six. Gamma seven eight nine."
    picked = select("cocoa crop mln bags", [passage(text)], FakeHashEmbedder(), budget=60, neighbours=1)
    assert picked[1].startswith("Alpha one two three. The cocoa crop") and "Beta four" in picked[1]
    alone = select("cocoa crop mln bags", [passage(text)], FakeHashEmbedder(), budget=12, neighbours=1)
    assert alone[1] == "The cocoa crop was put at 6.4 mln bags.", "over budget, the best sentence goes in alone"


def test_joins_from_two_threads_at_once_give_one_good_file(tmp_path: Path) -> None:
    data = b"GGUF" + bytes(range(256)) * 4000
    model, parts = make_parts(tmp_path, data, n=4)
    (tmp_path / "cache").mkdir()
    stale = tmp_path / "cache" / ".tiny.gguf.killed.tmp"  # what a join killed half-way leaves
    stale.write_bytes(b"half")
    results, errors = [], []

    def join() -> None:
        try:
            results.append(gguf.joined(model, parts, tmp_path / "cache", progress=False))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)

    threads = [threading.Thread(target=join) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(results) == 3 and results[0].read_bytes() == data
    assert not stale.exists() and not list((tmp_path / "cache").glob("*.tmp"))


def test_a_verified_file_is_not_hashed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"GGUF" + b"v" * 5000
    model, parts = make_parts(tmp_path, data)
    out = gguf.joined(model, parts, tmp_path / "cache", progress=False)

    def no_hashing(path: Path) -> str:
        raise AssertionError("hashed again although its note vouches for it")

    monkeypatch.setattr(gguf, "sha256_of", no_hashing)
    assert gguf.joined(model, parts, tmp_path / "cache", progress=False) == out


def test_without_the_model_the_default_falls_back_to_extractive_and_says_why(tmp_path: Path) -> None:
    from rag.backends import default_backend_name

    name, note = default_backend_name(str(tmp_path / "missing.gguf"))
    assert name == "extractive" and "missing.gguf" in note and "extractive" in note
    assert default_backend_name("qwen2.5-1.5b") == ("llama-cpp", ""), "installed here: the dev extras bring it"
