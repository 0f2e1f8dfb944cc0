"""The app's pure parts: rendering answers and cards, safe upload names, the feedback file (no browser)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from index.types import Hit, Passage
from rag import Answer, Citation
from rag.verify import Dropped, Quote
from tests.helpers import holding
from ui import feedback, render, uploads

TEXT = "Hegseth spoke in Brussels. Any guarantee must be backed by <b>European</b> troops. Then he left."


def hit(**kw: object) -> Hit:
    base = dict(text=TEXT, doc_id="d1", start=100, end=100 + len(TEXT), title="Pentagon shift", source="CNN",
                published="2025-02-12", url="https://example.org/a", score=1.0)
    base.update(kw)
    return Hit(**base)  # type: ignore[arg-type]


def test_supporting_span_is_marked_and_article_markup_is_escaped() -> None:
    s = TEXT.index("Any")
    e = TEXT.index("troops.") + len("troops.")
    q = Quote(TEXT[s:e], 100 + s, 100 + e)
    out = render.highlight(TEXT, 100, [q])
    assert '<mark class="rag-quote">Any guarantee must be backed by &lt;b&gt;European&lt;/b&gt; troops.</mark>' in out
    assert out.startswith("Hegseth spoke in Brussels. ") and "<b>" not in out


def test_overlapping_quotes_merge_and_out_of_range_ones_are_clipped() -> None:
    out = render.highlight("abcdefghij", 10, [Quote("cde", 12, 15), Quote("def", 13, 16), Quote("xyz", 5, 11)])
    assert out == '<mark class="rag-quote">a</mark>b<mark class="rag-quote">cdef</mark>ghij'


def test_answer_links_markers_to_cards_and_lists_what_was_dropped() -> None:
    c = Citation.from_hit(1, hit())
    answer = Answer(text="Europe must back it [1].", citations=[c], refused=False,
                    dropped=[Dropped("US troops will go [1].", (1,), "its citations do not support it")])
    md = render.answer_markdown(answer, turn=3)
    assert "[\\[1\\]](#cite-3-1)" in md
    assert "~~US troops will go \\[1\\]." in md and "do not support" in md
    cards = render.cards_html(answer, turn=3)
    assert 'id="cite-3-1"' in cards and "CNN" in cards and "2025-02-12" in cards and "Pentagon shift" in cards


def test_a_refusal_looks_like_a_refusal_and_shows_the_closest_passages_as_such() -> None:
    answer = Answer(text="The articles don't say.", citations=[], refused=True, passages=[hit()],
                    refusal_reason="the question asks 'how many troops', and no supported sentence gives that number")
    md = render.answer_markdown(answer, turn=1)
    assert md.startswith(f"**{render.REFUSAL_BADGE}.**") and "how many troops" in md
    cards = render.cards_html(answer, turn=1)
    assert "do not answer the question" in cards and "rag-closest" in cards


def test_also_reported_by_lists_the_other_outlets() -> None:
    other = Passage(text=TEXT, doc_id="d2", start=0, end=len(TEXT), source="Al Jazeera")
    cards = render.cards_html(Answer(text="x [1].", citations=[Citation.from_hit(1, hit(also_in=(other,)))],
                                     refused=False), turn=1)
    assert "Also reported by Al Jazeera (2 sources)" in cards


def test_a_card_says_when_an_updated_story_was_first_filed() -> None:
    updated = hit(updated_from="1987-03-02T09:05:00", earlier=("d0",))
    cards = render.cards_html(Answer(text="x [1].", citations=[Citation.from_hit(1, updated)], refused=False), turn=1)
    assert "updated from 1987-03-02 09:05" in cards
    replaced = hit(later=("d2",))
    cards = render.cards_html(Answer(text="x [1].", citations=[Citation.from_hit(1, replaced)], refused=False), turn=1)
    assert "earlier version: updated since" in cards
    plain_card = render.cards_html(Answer(text="x [1].", citations=[Citation.from_hit(1, hit())], refused=False), 1)
    assert "rag-version" not in plain_card


def test_upload_names_cannot_escape_the_folder(tmp_path: Path) -> None:
    assert uploads.safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert uploads.safe_name("..\\..\\win.ini.html") == "win_ini.html"
    assert uploads.safe_name("a\x00b c.HTML") == "a_b_c.html"
    assert uploads.safe_name("....") == "upload"
    src = tmp_path / "in"
    src.mkdir()
    evil = src / "story.md"
    evil.write_text("# Story\n\nText.", encoding="utf-8")
    binary = src / "tool.exe"
    binary.write_bytes(b"MZ")
    folder = tmp_path / "data" / "uploads"
    got = uploads.store([evil, binary, src / "gone.txt"], folder)
    assert got.paths == [folder / "story.md"]
    assert [name for name, _ in got.skipped] == ["tool.exe", "gone.txt"]
    evil.write_text("# Another story\n\nDifferent.", encoding="utf-8")
    again = uploads.store([evil], folder)  # same name, other content: kept apart, nothing overwritten
    assert again.paths[0] != folder / "story.md" and (folder / "story.md").read_text().startswith("# Story")
    assert all(folder in p.parents for p in got.paths + again.paths)
    assert uploads.store([evil], folder).paths == again.paths  # the same file again: stored once


def test_an_uploaded_archive_is_stored_and_ingested_as_its_stories(fake_index, tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    feed = src / "feed.jsonl"
    feed.write_text('{"text": "Ferries to Westholm resumed at noon on Sunday.", "source": "Westholm Radio"}\n'
                    '{"text": "The Lund mine strike ended on Monday after nine days."}\n', encoding="utf-8")
    wire = src / "wire.sgm"
    wire.write_bytes(b'<REUTERS NEWID="7"><DATE>03-MAR-1987 09:12:44.10</DATE><TEXT><TITLE>GRAIN PORT OPENS</TITLE>'
                     b"<BODY>The grain port of Norvik opened on Tuesday, officials said.\n Reuter\n</BODY></TEXT>"
                     b"</REUTERS>")
    folder = tmp_path / "data" / "uploads"
    got = uploads.store([feed, wire], folder)
    assert got.paths == [folder / "feed.jsonl", folder / "wire.sgm"] and not got.skipped
    report = fake_index.ingest([folder])  # what the app does with the uploads folder
    assert sorted(report.added) == [f"{folder / 'feed.jsonl'}#line=1", f"{folder / 'feed.jsonl'}#line=2",
                                    f"{folder / 'wire.sgm'}#NEWID=7"]


def test_feedback_lines_are_whole_under_parallel_votes(tmp_path: Path) -> None:
    c = Citation.from_hit(1, hit())
    answer = Answer(text="Europe must back it [1].", citations=[c], refused=False, question="q?", backend="extractive")
    threads = [threading.Thread(target=feedback.record, args=(tmp_path, "q?", answer, i % 2 == 0)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    rows = [json.loads(line) for line in (tmp_path / feedback.FILE_NAME).read_text().splitlines()]
    assert len(rows) == 16 and sum(r["liked"] for r in rows) == 8
    assert rows[0]["citations"][0] == {"number": 1, "doc_id": "d1", "source": "CNN", "start": 100,
                                       "end": 100 + len(TEXT)}


def test_the_servers_key_goes_only_to_the_configured_server(monkeypatch) -> None:
    from ui.app import make_backend

    monkeypatch.setenv("RAG_OPENAI_BASE_URL", "http://127.0.0.1:8080/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-server-secret")
    own = make_backend("openai")
    assert own._headers() == {"Authorization": "Bearer sk-server-secret"}
    elsewhere = make_backend("openai", base_url="http://127.0.0.1:9999/v1")
    assert elsewhere._headers() == {}  # a typed URL never gets the server's key
    typed = make_backend("openai", base_url="http://127.0.0.1:9999/v1", api_key="sk-typed")
    assert typed._headers() == {"Authorization": "Bearer sk-typed"}


def test_a_question_waiting_for_the_shared_model_is_told_its_place() -> None:
    """While another question holds the local model, the page gets Waiting(ahead) items, then the answer."""
    from rag.backends.llama_cpp import GATE
    from ui.app import Waiting, pieces_and_waits

    def stream():  # what the llama-cpp backend does: take a turn on the shared model, then write
        with GATE.turn(10):
            yield "written"

    with holding(GATE):
        got = pieces_and_waits(stream())
        first = next(got)
        assert first == Waiting(1)
        assert "1 question ahead of you" in render.waiting_markdown(first.ahead)
    assert list(got) == [Waiting(0), "written"], "told when its turn comes, then the text"
    assert "reading" in render.waiting_markdown(0)


def test_an_error_in_the_stream_reaches_the_page() -> None:
    import pytest

    from rag import BackendError
    from ui.app import pieces_and_waits

    def broken():
        yield "a"
        raise BackendError("the server went away")

    with pytest.raises(BackendError, match="went away"):
        list(pieces_and_waits(broken()))


def test_a_page_that_stops_reading_leaves_the_line() -> None:
    from rag.backends.llama_cpp import GATE
    from ui.app import Waiting, pieces_and_waits

    def stream():
        with GATE.turn(10):
            yield "never read"

    import time

    with holding(GATE):
        got = pieces_and_waits(stream())
        assert next(got) == Waiting(1)
        assert GATE.ahead() == 2
        got.close()  # the user closed the tab
        deadline = time.monotonic() + 5
        while GATE.ahead() != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert GATE.ahead() == 1, "the abandoned question left the line"
    assert GATE.ahead() == 0
