"""Archives (Reuters SGML, JSON Lines): the readers, and their ingest with the FAKE embedder. Every story here is
made up for the test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from index import Index, archives
from index import sgml as sgml_reader
from index.archives import count, is_member, keys, read_archive
from index.embedding.fake import FakeHashEmbedder
from index.loading import RawFile, Skip, discover
from index.pipeline import prepare, prepare_entry
from index.sgml import Story, parse
from index.types import Entry

LIMIT = 10 * 1024 * 1024


def story(newid: int, body: str | None, *, title: str = "", date: str = "03-MAR-1987 09:12:44.10",
          dateline: str = "", kind: str = "") -> str:
    """One made-up story in the Reuters-21578 layout."""
    text_tag = f'<TEXT TYPE="{kind}">' if kind else "<TEXT>"
    parts = [f'<REUTERS TOPICS="NO" LEWISSPLIT="TEST" OLDID="{90000 + newid}" NEWID="{newid}">',
             f"<DATE>{date}</DATE>", "<TOPICS></TOPICS>", f"{text_tag}&#2;"]
    if title:
        parts.append(f"<TITLE>{title}</TITLE>")
    if dateline:
        parts.append(f"<DATELINE>    {dateline} - </DATELINE>")
    if body is not None:
        parts.append(f"<BODY>{body}</BODY>")
    parts.append("</TEXT>\n</REUTERS>\n")
    return "\n".join(parts)


GRAIN = story(11, "The Eastport Grain Board said on Tuesday it would\nraise its winter wheat "
              "estimate to 4.2 mln tonnes, citing\nmild weather across the northern plains.\n"
              "    Board chairman Ola Brandvik said exports\nwould rise &lt;about 8 pct> this season.\n Reuter\n&#3;",
              title="EASTPORT BOARD RAISES WHEAT &amp; GRAIN ESTIMATE", dateline="EASTPORT, March 3")
BRIEF = story(12, None, title="WESTHOLM FERRY LINE SETS DIVIDEND", kind="BRIEF")
TABLE = story(13, None, kind="UNPROC").replace("&#2;", "&#2;\nFERRY TRAFFIC TABLE\n  Cars....12 vs 14")
COPPER = story(14, "Norvik Mining said its copper output fell 3 pct in\nFebruary after a strike "
               "at the Lund mine.\n Reuter", title="NORVIK COPPER OUTPUT FALLS", dateline="NORVIK, March 4",
               date="04-MAR-1987 17:40:02.55")


def sgml(*stories: str) -> bytes:
    return ('<!DOCTYPE lewis SYSTEM "lewis.dtd">\n' + "".join(stories)).encode("utf-8")


def items(path: Path, **kw) -> tuple[list[Entry], dict[str, str]]:
    got = list(read_archive(path, max_bytes=kw.pop("max_bytes", LIMIT), **kw))
    return [e for e in got if isinstance(e, Entry)], {s.path: s.reason for s in got if isinstance(s, Skip)}


# ---- Reuters SGML ----------------------------------------------------------------------------------------


def test_parse_reads_title_day_dateline_and_paragraphs() -> None:
    stories = parse(sgml(GRAIN, BRIEF, TABLE, COPPER))
    assert [s.newid for s in stories] == [11, 14]  # no body, no story
    grain = stories[0]
    assert grain == Story(11, "1987-03-03", "EASTPORT BOARD RAISES WHEAT & GRAIN ESTIMATE", "EASTPORT, March 3",
                          "The Eastport Grain Board said on Tuesday it would raise its winter wheat estimate to "
                          "4.2 mln tonnes, citing mild weather across the northern plains.\n\n"
                          "Board chairman Ola Brandvik said exports would rise <about 8 pct> this season.",
                          "1987-03-03T09:12:44")
    assert grain.as_article() == (
        "---\ntitle: EASTPORT BOARD RAISES WHEAT & GRAIN ESTIMATE\nsource: Reuters\ndate: 1987-03-03\n---\n"
        f"EASTPORT BOARD RAISES WHEAT & GRAIN ESTIMATE\n\nEASTPORT, March 3 - {grain.body}\n")
    assert grain.stem == "reuters-11"


def test_eval_reuters_uses_the_same_reader() -> None:
    from eval import reuters

    assert reuters.parse is sgml_reader.parse and reuters.Story is Story


def test_archive_entries_skips_and_virtual_paths(tmp_path: Path) -> None:
    path = tmp_path / "wire.sgm"
    path.write_bytes(sgml(GRAIN, BRIEF, TABLE, COPPER))
    entries, skipped = items(path)
    assert [e.key for e in entries] == [f"{path}#NEWID=11", f"{path}#NEWID=14"]
    assert skipped == {f"{path}#NEWID=12": "no body (a headline-only brief)",
                       f"{path}#NEWID=13": "no body (unprocessed text, e.g. a table)"}
    copper = entries[1]
    assert (copper.title, copper.source, copper.published) == ("NORVIK COPPER OUTPUT FALLS", "Reuters", "1987-03-04")
    assert copper.published_at == "1987-03-04T17:40:02"  # the <DATE>'s time, to the second
    assert copper.text.startswith("NORVIK COPPER OUTPUT FALLS\n\nNORVIK, March 4 - Norvik Mining said")
    assert not copper.text.rstrip().endswith("Reuter")


def test_a_story_read_from_its_archive_is_the_document_of_its_article_file(tmp_path: Path) -> None:
    path = tmp_path / "wire.sgm"
    path.write_bytes(sgml(GRAIN, COPPER))
    for entry, as_file in zip(items(path)[0], parse(path.read_bytes()), strict=True):
        from_archive = prepare_entry(entry)
        from_file = prepare(RawFile("x.txt", "text", as_file.as_article()))
        assert not isinstance(from_archive, Skip) and not isinstance(from_file, Skip)
        assert from_archive.path == entry.key
        assert (from_archive.doc_id, from_archive.text, from_archive.title, from_archive.source,
                from_archive.published) == (from_file.doc_id, from_file.text, from_file.title, from_file.source,
                                            from_file.published)


def test_a_latin1_story_costs_nothing_else(tmp_path: Path) -> None:
    odd = story(15, "The Lyngby caf\xe9 chain said sales rose 9 pct.\n Reuter", title="LYNGBY SALES RISE")
    path = tmp_path / "mixed.sgm"
    path.write_bytes(sgml(GRAIN).replace(b"</REUTERS>\n", b"</REUTERS>\n" + odd.encode("latin-1")))
    entries, skipped = items(path)
    assert not skipped and [e.key.rsplit("#", 1)[1] for e in entries] == ["NEWID=11", "NEWID=15"]
    assert "café chain" in entries[1].text


def test_stories_straddling_reads_come_out_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "wire.sgm"
    path.write_bytes(sgml(GRAIN, BRIEF, TABLE, COPPER) * 2)
    whole = items(path)
    for module in (archives, sgml_reader):  # every tag cut somewhere
        monkeypatch.setattr(module, "READ_BLOCK", 7)
    assert items(path) == whole
    assert count(path) == 8


def test_oversized_unterminated_and_duplicate_stories_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "wire.sgm"
    big = story(16, "Filler words. " * 400, title="A VERY LONG STORY")
    path.write_bytes(sgml(GRAIN, big, GRAIN.replace("Tuesday", "Wednesday"), COPPER, '<REUTERS NEWID="17">\n'
                          "<BODY>no end"))
    entries, skipped = items(path, max_bytes=2000)
    assert [e.key.rsplit("#", 1)[1] for e in entries] == ["NEWID=11", "NEWID=14"]
    assert "over the 2,000 bytes limit" in skipped[f"{path}#NEWID=16"]
    assert skipped[f"{path}#story=3"] == "a second story with NEWID 11: only the first is read"
    assert "never ends" in skipped[f"{path}#NEWID=17"]


@pytest.mark.parametrize(("content", "words"), [
    (b"", "empty file"),
    (bytes(range(256)) * 40, "binary"),
    (b"Just some notes, not an archive.\n", "no <REUTERS> stories"),
])
def test_unusable_sgml_files_are_one_skip(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "odd.sgm"
    path.write_bytes(content)
    entries, skipped = items(path)
    assert entries == [] and list(skipped) == [str(path)] and words in skipped[str(path)]


# ---- JSON Lines ------------------------------------------------------------------------------------------


def jsonl(*rows: object) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


def test_jsonl_lines_become_articles_and_bad_lines_say_why(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    good = {"title": "Harbour reopens", "text": "The harbour of Eastport reopened on Saturday.",
            "published": "2025-02-12T08:30:00Z", "source": "Eastport Post", "url": "https://post.example/harbour"}
    path.write_text(jsonl(
        good,
        "",
        {"text": "Ferries to Westholm resumed at noon.", "extra": [1, 2]},
        "{not json",
        [1, 2],
        {"title": "No text"},
        {"text": "   "},
        {"text": "A number for a title.", "title": 7},
        {**good, "text": "The same address, another story."},
        "   ",
        {"text": "Bad \ud800 surrogate and a \u0000 control character."},
    ), encoding="utf-8")
    entries, skipped = items(path)
    assert [e.key.split("#", 1)[1] for e in entries] == ["url=https://post.example/harbour", "line=3", "line=9",
                                                          "line=11"]
    first = entries[0]
    assert (first.title, first.source, first.published, first.url) == (
        "Harbour reopens", "Eastport Post", "2025-02-12", "https://post.example/harbour")
    assert entries[3].text == "Bad ? surrogate and a  control character."
    why = {k.split("#", 1)[1]: v for k, v in skipped.items()}
    assert set(why) == {"line=4", "line=5", "line=6", "line=7", "line=8"}
    assert why["line=4"].startswith("line 4 is not JSON")
    assert "not a JSON object but an array" in why["line=5"]
    assert "no text" in why["line=6"] and "no text" in why["line=7"]
    assert why["line=8"] == 'line 8: "title" must be a string, not a number'
    assert count(path) == 11


def test_jsonl_huge_and_non_utf8_lines(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl"
    with path.open("wb") as f:
        f.write(b'\xef\xbb\xbf{"text": "A line after a byte order mark."}\n')
        f.write(b'{"text": "' + b"x" * 50_000 + b'"}\n')
        f.write('{"text": "Caf\xe9 au lait."}\n'.encode("latin-1"))
        f.write(b'{"text": "The last line has no newline."}')
    entries, skipped = items(path, max_bytes=1000)
    assert [e.key.split("#", 1)[1] for e in entries] == ["line=1", "line=4"]
    assert "over the 1,000 bytes limit" in skipped[f"{path}#line=2"]
    assert "not UTF-8" in skipped[f"{path}#line=3"] and "--encoding latin-1" in skipped[f"{path}#line=3"]
    entries, _ = items(path, max_bytes=1000, encoding="latin-1")
    assert "Café au lait." in [e.text for e in entries]


def test_ten_thousand_lines_some_bad(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    rows = [{"text": f"Story number {i} about the harbour."} if i % 97 else "oops" for i in range(1, 10_001)]
    path.write_text(jsonl(*rows), encoding="utf-8")
    entries, skipped = items(path)
    assert len(entries) == 10_000 - 10_000 // 97 and len(skipped) == 10_000 // 97
    assert all(r.startswith(f"line {k.rsplit('=', 1)[1]} is not JSON") for k, r in skipped.items())


@pytest.mark.parametrize(("content", "words"), [
    ("", "empty file"),
    ("\n\n  \n", "only blank lines"),
    ("Dear diary,\ntoday I wrote no JSON.\n", "not JSON Lines articles: no line holds"),
    ('{"title": "no text"}\n' * 150, "the first 100 lines hold"),
])
def test_unusable_jsonl_files_are_one_skip(tmp_path: Path, content: str, words: str) -> None:
    path = tmp_path / "odd.jsonl"
    path.write_text(content, encoding="utf-8")
    entries, skipped = items(path)
    assert entries == [] and list(skipped) == [str(path)] and words in skipped[str(path)]


def test_keys_and_members(tmp_path: Path) -> None:
    path = tmp_path / "wire.sgm"
    path.write_bytes(sgml(GRAIN, BRIEF))
    assert keys(path, max_bytes=LIMIT) == {f"{path}#NEWID=11", f"{path}#NEWID=12"}
    assert keys(tmp_path / "gone.sgm", max_bytes=LIMIT) is None
    assert is_member(str(path), f"{path}#NEWID=11") and is_member(str(path), f"{path}#line=2")
    assert not is_member(str(path), f"{path}#other.sgm#NEWID=1") and not is_member(str(path), str(path))


def test_discover_finds_archives(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "reut2-000.sgm").write_bytes(sgml(GRAIN))
    (tmp_path / "corpus" / "feed.JSONL").write_text(jsonl({"text": "x"}))
    (tmp_path / "notes.pdf").write_text("x")
    files, skips = discover([tmp_path / "corpus", tmp_path / "notes.pdf"])
    assert sorted(f.name for f in files) == ["feed.JSONL", "reut2-000.sgm"]
    assert ".sgm" in skips[0].reason and ".jsonl" in skips[0].reason


# ---- ingest, with the FAKE embedder -----------------------------------------------------------------------


def test_ingest_reingest_edit_and_prune(fake_index: Index, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    wire, feed = data / "wire.sgm", data / "feed.jsonl"
    wire.write_bytes(sgml(GRAIN, BRIEF, COPPER))
    feed.write_text(jsonl({"text": "Ferries to Westholm resumed at noon on Sunday.", "source": "Westholm Radio",
                           "url": "https://radio.example/ferry"}, {"text": "The Lund mine strike ended."}))
    first = fake_index.ingest([data])
    assert sorted(first.added) == sorted([f"{wire}#NEWID=11", f"{wire}#NEWID=14",
                                          f"{feed}#url=https://radio.example/ferry", f"{feed}#line=2"])
    assert first.skipped == [(f"{wire}#NEWID=12", "no body (a headline-only brief)")]
    hit = fake_index.search("Norvik copper output strike", k=1)[0]
    assert (hit.title, hit.source, hit.published, hit.path) == (
        "NORVIK COPPER OUTPUT FALLS", "Reuters", "1987-03-04", f"{wire}#NEWID=14")

    calls = len(fake_index.embedder.calls)
    again = fake_index.ingest([data])
    assert (again.added, again.updated, again.skipped, len(again.unchanged)) == ([], [], [], 4)
    assert len(fake_index.embedder.calls) == calls, "an unchanged archive is not read again"

    wire.write_bytes(sgml(GRAIN.replace("4.2 mln", "4.7 mln"), BRIEF))  # one story edited, one removed
    edited = fake_index.ingest([wire])
    assert edited.updated == [f"{wire}#NEWID=11"] and edited.added == [] and edited.removed == []
    assert fake_index.manifest.doc_for_path(f"{wire}#NEWID=14")  # kept without --prune
    assert "4.7 mln" in fake_index.search("winter wheat estimate Eastport", k=1)[0].text
    pruned = fake_index.ingest([wire], prune=True)
    assert pruned.removed == [f"{wire}#NEWID=14"] and pruned.unchanged == [f"{wire}#NEWID=11"]
    assert fake_index.manifest.doc_for_path(f"{wire}#NEWID=14") is None

    os.utime(wire, ns=(1, 1))  # touched, not changed: read again, nothing embedded, then skipped by its stamp
    calls = len(fake_index.embedder.calls)
    assert fake_index.ingest([wire]).unchanged == [f"{wire}#NEWID=11"]
    assert len(fake_index.embedder.calls) == calls

    feed.unlink()
    gone = fake_index.ingest([wire], prune=True)
    assert sorted(gone.removed) == sorted([f"{feed}#url=https://radio.example/ferry", f"{feed}#line=2"])
    assert [p for p, _ in fake_index.manifest.archives()] == [str(wire)]
    assert fake_index.info().documents == 1


class Crash(BaseException):
    """The process dying at that point (not an Exception: nothing may catch it)."""


def test_an_archive_read_that_stops_half_way_is_read_again(fake_index: Index, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    wire = tmp_path / "wire.sgm"
    many = [story(100 + i, f"Desk {i} filed this copy about the harbour of town {i}.\n Reuter",
                  title=f"HARBOUR REPORT {i}") for i in range(12)]
    wire.write_bytes(sgml(*many))
    real, calls = fake_index.manifest.put, {"n": 0}

    def dies(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 5:
            raise Crash
        return real(*args, **kwargs)

    monkeypatch.setattr(fake_index.manifest, "put", dies)
    with pytest.raises(Crash):
        fake_index.ingest([wire])
    monkeypatch.undo()
    # a prune that does not name the archive keeps what it holds: the half-read archive is looked at again
    other = tmp_path / "other"
    other.mkdir()
    (other / "note.txt").write_text("The harbour master retired after forty years at the port of Eastport.")
    assert fake_index.ingest([other], prune=True).removed == []
    report = fake_index.ingest([wire])
    assert len(report.added) + len(report.unchanged) == 12 and len(report.added) == 8
    clean = Index(tmp_path / "clean", embedder=FakeHashEmbedder())
    try:
        clean.ingest([wire, other])
        assert sorted(clean.store.all_chunks()[0]) == sorted(fake_index.store.all_chunks()[0])
        assert clean.manifest.all_paths() == fake_index.manifest.all_paths()
    finally:
        clean.close()
    assert len(fake_index.ingest([wire]).unchanged) == 12


def test_the_progress_bar_counts_stories(fake_index: Index, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "wire.sgm").write_bytes(sgml(GRAIN, BRIEF, TABLE, COPPER))
    (data / "note.txt").write_text("The harbour master retired after forty years at the port of Eastport.")
    fake_index.ingest([data], progress=True)
    assert "5/5" in capsys.readouterr().err.replace(" ", "")
