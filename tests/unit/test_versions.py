"""Story versions (index.versions): the rule, the sketch, and ingest + search with the FAKE hash embedder and a real
Chroma on disk. Every story here is made up for the test."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from index import Index, versions
from index.embedding.fake import FakeHashEmbedder
from index.errors import ConfigError
from index.filters import parse_filters
from index.search import DENSE_ONLY, Searcher
from index.types import Article
from index.versions import Doc, Rule, Stories, hours_apart, sketch

STRIKE = ("HALVIK DOCK WORKERS STOP WORK OVER PAY\n\nHALVIK, March 3 - About 1,200 dock workers at the port of Halvik "
          "stopped work on Monday after talks on a new pay deal broke down, the Halvik Dockers Union said. The union "
          "is asking for a 9 pct rise over two years; the port authority has offered 4 pct. Ferries to Eastport "
          "were running, but cargo ships waited at anchor outside the harbour, the authority said. Both sides "
          "said they were ready to meet again on Wednesday.")
CORRECTED = (STRIKE.replace("HALVIK DOCK", "CORRECTED - HALVIK DOCK").replace("About 1,200", "About 2,100")
             + " (Corrects number of workers to 2,100 from 1,200.)")
UPDATED = STRIKE.replace("The union is asking for a 9 pct rise over two years; the port authority has offered 4 pct.",
                         "Union leaders said the two sides were still far apart on pay, and called on the city council "
                         "to step in.")  # a rewritten paragraph: 0.75 of its 3-grams shared
CARGO = ("HALVIK PORT CARGO WEEKLY\n\nHALVIK, {day} - Cargo handled at the port of Halvik {verb} to {a} tonnes in the "
         "week to {day} from {b} tonnes the week before, the port authority said in its weekly report. Container "
         "traffic {cverb} to {c} boxes, and {d} ships called at the port during the week.")


def line(text: str, published: str, url: str, source: str = "Halvik Wire") -> str:
    title = text.split("\n", 1)[0]
    return json.dumps({"title": title, "text": text, "published": published, "source": source, "url": url}) + "\n"


FIRST = line(STRIKE, "1987-03-03T09:00:00", "https://wire.example/strike")
SECOND = line(CORRECTED, "1987-03-03T12:00:00", "https://wire.example/strike-corrected")
COPY = line(STRIKE, "1987-03-03T10:30:00", "https://radio.example/strike", source="Coast Radio")  # another outlet
WEEK1 = line(CARGO.format(day="March 2", verb="rose", a="41,200", b="39,800", cverb="rose", c="2,310", d="64"),
             "1987-03-02T15:00:00", "https://wire.example/cargo-1")
WEEK2 = line(CARGO.format(day="March 9", verb="rose", a="42,900", b="41,200", cverb="fell", c="2,270", d="61"),
             "1987-03-09T15:00:00", "https://wire.example/cargo-2")
QUESTION = "How many Halvik dock workers stopped work over pay?"


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_text(FIRST + COPY + SECOND + WEEK1 + WEEK2, encoding="utf-8")
    return path


def doc_of(idx: Index, path: Path, url: str) -> str:
    doc = idx.manifest.doc_for_path(f"{path}#url={url}")
    assert doc is not None
    return doc


def article(text: str, published_at: str | None, source: str | None = "Halvik Wire", doc_id: str = "") -> Doc:
    art = Article("x", doc_id or str(hash((text, published_at))), text, text.split("\n", 1)[0], source,
                  published_at[:10] if published_at else None, None, published_at)
    return Doc.of(art)


# ---- the rule ----------------------------------------------------------------------------------------------


def test_the_rule_wants_one_outlet_hours_apart_and_near_identical_text() -> None:
    rule = Rule()
    first, again = article(STRIKE, "1987-03-03T09:00:00"), article(CORRECTED, "1987-03-03T12:00:00")
    assert rule.accepts(first, again) and rule.accepts(again, first)
    assert not rule.accepts(first, article(CORRECTED, "1987-03-03T12:00:00", source="Coast Radio"))
    assert not rule.accepts(first, article(CORRECTED, "1987-03-03T12:00:00", source=None))
    assert not rule.accepts(first, article(CORRECTED, None))  # undated: never a version
    assert not rule.accepts(first, article(CORRECTED, "1987-03-06T12:00:00"))  # three days later
    # the same day a rewritten paragraph is still a version; a day later only a nearly word-for-word filing is
    assert rule.accepts(first, article(UPDATED, "1987-03-03T20:00:00"))
    assert not rule.accepts(first, article(UPDATED, "1987-03-04T10:00:00"))
    assert rule.accepts(first, article(CORRECTED, "1987-03-04T10:00:00"))
    cargo = [json.loads(w)["text"] for w in (WEEK1, WEEK2)]
    week1, week2 = article(cargo[0], "1987-03-02T15:00:00"), article(cargo[1], "1987-03-09T15:00:00")
    assert versions.similarity(week1.grams, week2.grams) > 0.5  # a recurring report: much the same wording
    assert not rule.accepts(week1, week2)
    assert not rule.accepts(first, article(cargo[0], "1987-03-03T10:00:00"))  # another story the same morning


def test_hours_come_from_times_or_else_days() -> None:
    timed = article(STRIKE, "1987-03-03T23:30:00+01:00")
    assert hours_apart(timed, article(STRIKE, "1987-03-03T23:30:00Z")) == 1.0  # offsets count
    assert hours_apart(timed, article(STRIKE, "1987-03-04T02:00:00")) == 3.5  # a time without offset: UTC
    day_only = Doc("d", "Halvik Wire", "1987-03-04", None, timed.grams)
    assert hours_apart(timed, day_only) == 24.0  # by their days when either has no time
    assert hours_apart(timed, Doc("u", "Halvik Wire", None, None, timed.grams)) is None


def test_the_sketch_finds_near_copies_and_is_the_same_in_every_process() -> None:
    a, b = sketch(STRIKE), sketch(CORRECTED)
    assert len(a.keys) == versions.SKETCH_SIZE and len(set(a.keys) & set(b.keys)) >= versions.MIN_SHARED_KEYS
    other = sketch("LYNGBY CAFE SALES RISE\n\nThe Lyngby cafe chain said its sales rose 9 pct in February, helped by "
                   "a mild winter and two new shops in the old town, and it expects a better spring.")
    assert len(set(a.keys) & set(other.keys)) < versions.MIN_SHARED_KEYS
    # stored in the manifest, so pinned: a change here would leave every stored sketch unfindable
    assert sketch("the quick brown fox jumps over the lazy dog").keys[:2] == (634529709658491296, 100191607682888289)
    assert sketch("").keys == ()


def test_a_mark_on_the_headline_does_not_tell_filings_apart() -> None:
    plain = versions.grams("PORT STRIKE ENDS\n\nThe strike ended.", "PORT STRIKE ENDS")
    marked = versions.grams("CORRECTED - PORT STRIKE ENDS\n\nThe strike ended.", "CORRECTED - PORT STRIKE ENDS")
    assert plain == marked and "port strike ends" in plain
    assert versions.grams("UPDATE 2-PORT STRIKE ENDS\n\nThe strike ended.", "UPDATE 2-PORT STRIKE ENDS") == plain


def test_stories_order_by_time_then_by_ingest() -> None:
    order = {"a": (2, 0), "b": (1, 5), "c": (1, 9), "lone": (0, 0)}
    found = Stories.build([("a", "b"), ("c", "b")], order, {"a": "t-a", "b": "t-b", "c": "t-c"})
    assert found.hidden == {"b", "c"} and found.story == {"a": "b", "b": "b", "c": "b"}
    latest = found.of("a")
    assert latest is not None and latest.earlier == ("b", "c") and latest.updated_from == "t-b"
    first = found.of("b")
    assert first is not None and first.updated_from is None and first.later == ("c", "a")
    assert found.of("lone") is None


# ---- ingest and search -------------------------------------------------------------------------------------


def test_search_shows_the_latest_version_and_reaches_the_earlier(fake_index: Index, feed: Path) -> None:
    report = fake_index.ingest([feed])
    assert len(report.added) == 5
    first, second = doc_of(fake_index, feed, "https://wire.example/strike"), \
        doc_of(fake_index, feed, "https://wire.example/strike-corrected")
    copy = doc_of(fake_index, feed, "https://radio.example/strike")
    hits = fake_index.search(QUESTION, k=5)
    assert first not in {h.doc_id for h in hits} | {p.doc_id for h in hits for p in h.also_in}
    top = hits[0]
    assert top.doc_id == second and "2,100" in top.text
    assert (top.updated_from, top.earlier, top.later, top.published_at) == (
        "1987-03-03T09:00:00", (first,), (), "1987-03-03T12:00:00")
    assert [p.doc_id for p in top.also_in] == [copy] and top.sources_count == 2  # the other outlet agrees
    dense = Searcher(fake_index.store, fake_index.embedder, fake_index.manifest, config=DENSE_ONLY)
    assert first not in {h.doc_id for h in dense.search(QUESTION, 10, parse_filters(None))}  # the dense side too
    assert first in {h.doc_id for h in dense.search(QUESTION, 10, parse_filters({"versions": "all"}))}

    every = fake_index.search(QUESTION, k=5, filters={"versions": "all"})
    by_doc = {h.doc_id: h for h in every}
    assert {first, second} <= set(by_doc)
    assert by_doc[first].later == (second,) and by_doc[first].updated_from is None
    for h in every:  # a version is never shown as another outlet agreeing
        assert not {p.doc_id for p in h.also_in} & {first, second} - {h.doc_id}
    with pytest.raises(ConfigError, match="versions"):
        fake_index.search(QUESTION, filters={"versions": "newest"})


def test_a_recurring_report_is_not_linked(fake_index: Index, feed: Path) -> None:
    fake_index.ingest([feed])
    weeks = {doc_of(fake_index, feed, f"https://wire.example/cargo-{n}") for n in (1, 2)}
    hits = fake_index.search("How much cargo did the port of Halvik handle in the week?", k=5)
    shown = [p for h in hits for p in (h, *h.also_in)]
    assert weeks <= {p.doc_id for p in shown}  # both weeks are there: neither hides the other
    assert all(p.updated_from is None and not p.earlier and not p.later for p in shown if p.doc_id in weeks)
    assert not {d for pair in fake_index.manifest.version_links() for d in pair} & weeks


def test_prune_and_edits_repoint_the_story(fake_index: Index, feed: Path) -> None:
    fake_index.ingest([feed])
    first = doc_of(fake_index, feed, "https://wire.example/strike")
    feed.write_text(FIRST + COPY + SECOND.replace("2,100", "2,150") + WEEK1 + WEEK2, encoding="utf-8")
    edited = fake_index.ingest([feed])  # the correction re-filed with another figure: a new document
    assert len(edited.updated) == 1
    third = doc_of(fake_index, feed, "https://wire.example/strike-corrected")
    top = fake_index.search(QUESTION, k=1)[0]
    assert (top.doc_id, top.earlier) == (third, (first,)) and "2,150" in top.text

    feed.write_text(FIRST + COPY + WEEK1 + WEEK2, encoding="utf-8")
    assert fake_index.ingest([feed], prune=True).removed == [f"{feed}#url=https://wire.example/strike-corrected"]
    top = fake_index.search(QUESTION, k=1)[0]
    assert top.doc_id == first and (top.updated_from, top.earlier, top.later) == (None, (), ())
    assert fake_index.manifest.version_links() == [] and not fake_index.searcher.stories().hidden


def test_an_index_from_before_versions_links_them_on_its_next_ingest(tmp_path: Path, feed: Path) -> None:
    embedder = FakeHashEmbedder()
    idx = Index(tmp_path / "old", embedder=embedder)
    idx.ingest([feed])
    idx.close()
    db = sqlite3.connect(tmp_path / "old" / "manifest.sqlite3")  # as the manifest was before versions existed
    db.executescript("ALTER TABLE docs DROP COLUMN published_at; DROP TABLE sketches; DROP TABLE sketch_keys; "
                     "DROP TABLE version_links; "
                     "UPDATE archives SET signature = replace(signature, 'archives-v2|', 'archives-v1|');")
    db.close()

    idx = Index(tmp_path / "old", embedder=embedder)
    try:
        assert len({h.doc_id for h in idx.search(QUESTION, k=5, filters={"source": "Halvik Wire"})}) >= 2
        calls, misses = len(embedder.calls), idx.vectors.misses
        report = idx.ingest([feed])
        assert (report.added, report.updated, len(report.unchanged), report.chunks_added) == ([], [], 5, 0)
        assert len(embedder.calls) == calls and idx.vectors.misses == misses  # nothing embedded again
        top = idx.search(QUESTION, k=1)[0]
        assert top.updated_from == "1987-03-03T09:00:00" and top.published_at == "1987-03-03T12:00:00"
        assert idx.searcher.stories().hidden == {doc_of(idx, feed, "https://wire.example/strike")}
    finally:
        idx.close()


def test_linking_compares_texts_only_for_candidates(fake_index: Index, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """No all-pairs: 300 different stories of one outlet on one day get (nearly) no text comparisons."""
    rng = random.Random(16)
    vocab = [f"w{i}" for i in range(3000)]
    rows = [line(f"STORY {n}\n\n" + " ".join(rng.choice(vocab) for _ in range(60)), "1987-03-03T09:00:00",
                 f"https://wire.example/{n}") for n in range(300)]
    rows.append(line(STRIKE, "1987-03-03T09:00:00", "https://wire.example/strike"))
    rows.append(line(CORRECTED, "1987-03-03T12:00:00", "https://wire.example/strike-corrected"))
    path = tmp_path / "many.jsonl"
    path.write_text("".join(rows), encoding="utf-8")
    compared = []
    real = versions.similarity
    monkeypatch.setattr(versions, "similarity", lambda a, b: compared.append(1) or real(a, b))
    fake_index.ingest([path])
    assert len(fake_index.manifest.version_links()) == 1
    assert len(compared) <= 10
