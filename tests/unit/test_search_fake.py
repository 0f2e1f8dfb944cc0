"""Hybrid search end to end on a real Chroma with the FAKE hash embedder: filters, query hints,
syndicated copies folded into one hit, and the BM25 side following index changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Index
from index.errors import ConfigError

AJ_BODY_MARK = "The US secretary of defense has signalled a major shift"


def syndicated_copy(articles: Path, outlet: str = "Example Wire", date: str = "2025-02-13") -> Path:
    """A wire copy of the Al Jazeera article: its own front matter, header and footer, the same body."""
    original = next(articles.glob("004_*.txt")).read_text(encoding="utf-8")
    body = original[original.index(AJ_BODY_MARK):original.index("Source: Al Jazeera")]
    copy = articles / "wire_copy.txt"
    copy.write_text(f"---\nsource: {outlet}\ndate: {date}\nurl: https://wire.example/hegseth\n---\n"
                    f"Pentagon chief reshapes Ukraine policy\n\nBy our correspondent\n\n{body}\n"
                    f"Distributed by {outlet}.\n", encoding="utf-8")
    return copy


def test_source_filter_on_both_dense_and_bm25_sides(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    hits = fake_index.search("Hegseth NATO Ukraine security guarantees", k=10, filters={"source": "CNN"})
    assert hits and {h.source for h in hits} == {"CNN"}
    assert all(p.source == "CNN" for h in hits for p in h.also_in)


def test_date_filters(fake_index: Index, articles: Path) -> None:
    syndicated_copy(articles)
    fake_index.ingest([articles])
    day12 = fake_index.search("Hegseth Ukraine NATO", k=10, filters={"since": "2025-02-12", "until": "2025-02-12"})
    assert day12 and {h.published for h in day12} == {"2025-02-12"}
    later = fake_index.search("Hegseth Ukraine NATO", k=10, filters={"since": "2025-02-13"})
    assert later and {h.published for h in later} == {"2025-02-13"}
    assert fake_index.search("Hegseth", k=5, filters={"until": "1999-01-01"}) == []
    with pytest.raises(ConfigError, match="not a date"):
        fake_index.search("Hegseth", filters={"since": "soon"})


def test_outlet_named_in_the_question_narrows_the_search(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    question = "What did Al Jazeera report about NATO membership for Ukraine?"
    assert fake_index.hints(question).sources == ("Al Jazeera",)
    assert {h.source for h in fake_index.search(question, k=5)} == {"Al Jazeera"}
    explicit = fake_index.search(question, k=5, filters={"source": "CNN"})  # the caller's filter wins
    assert {h.source for h in explicit} == {"CNN"}


def test_day_named_in_the_question_favours_that_days_articles(fake_index: Index, tmp_path: Path) -> None:
    folder = tmp_path / "harbour"
    folder.mkdir()
    body = "The harbour authority closed the northern pier after a storm damaged the breakwater."
    for name, day in (("early", "2025-03-01"), ("late", "2025-03-05")):
        (folder / f"{name}.txt").write_text(f"---\nsource: {name.title()} Post\ndate: {day}\n---\n"
                                            f"Harbour news from the {name} desk\n\n{body}\n")
    fake_index.ingest([folder])
    for question, outlet in (("What happened at the harbour on 5 March?", "Late Post"),
                             ("What happened at the harbour on 1 March?", "Early Post"),
                             ("What happened at the harbour on March 2nd?", "Early Post")):  # D+1 counts
        top = fake_index.search(question, k=1)[0]
        assert top.source == outlet, question
        assert {p.source for p in top.also_in} == {"Early Post", "Late Post"} - {outlet}


def test_syndicated_copy_is_one_hit_crediting_both_outlets(fake_index: Index, articles: Path) -> None:
    copy = syndicated_copy(articles)
    report = fake_index.ingest([articles])
    assert str(copy.resolve()) in report.added
    hits = fake_index.search("Hegseth said NATO membership for Ukraine is not realistic", k=5)
    top = hits[0]
    outlets = {top.source, *(p.source for p in top.also_in)}
    assert outlets == {"Al Jazeera", "Example Wire"} and top.sources_count == 2
    wire = top if top.source == "Example Wire" else next(p for p in top.also_in if p.source == "Example Wire")
    assert wire.url == "https://wire.example/hegseth" and wire.published == "2025-02-13"
    # the copy's passage is not shown again as its own hit
    shown = [(h.doc_id, h.start) for h in hits] + [(p.doc_id, p.start) for h in hits for p in h.also_in]
    assert len(shown) == len(set(shown))
    for h in hits:  # offsets of every member still point into its article
        for p in (h, *h.also_in):
            assert fake_index.document_text(p.doc_id)[p.start:p.end] == p.text


def test_rewrites_by_different_outlets_are_not_grouped(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    for q in ("Who must back security guarantees for Ukraine?", "What did Hegseth say about NATO membership?",
              "Which country led the Ukraine Defense Contact Group meeting?"):
        assert all(not h.also_in for h in fake_index.search(q, k=10)), q


def test_bm25_side_follows_ingest_and_prune(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    assert not any("zanzibarite" in h.text for h in fake_index.search("zanzibarite", k=5))
    extra = articles / "extra.txt"
    extra.write_text("Zanzibarite Report\n\nThe zanzibarite mineral was found near the coast in a new survey.\n")
    fake_index.ingest([articles])
    assert "zanzibarite" in fake_index.search("zanzibarite", k=1)[0].text
    extra.unlink()
    fake_index.ingest([articles], prune=True)
    assert not any("zanzibarite" in h.text for h in fake_index.search("zanzibarite", k=5))


def test_same_text_from_another_outlet_is_credited_not_dropped(fake_index: Index, articles: Path) -> None:
    first = syndicated_copy(articles, outlet="Reuters")
    second = articles / "wire_copy_ap.txt"
    second.write_text(first.read_text().replace("Reuters", "Associated Press"), encoding="utf-8")
    report = fake_index.ingest([articles])
    assert str(second.resolve()) in report.added, report.skipped
    hits = fake_index.search("What did Trump say after his call with Putin?", k=5,
                             filters={"source": ["Reuters", "Associated Press"]})
    assert {hits[0].source, *(p.source for p in hits[0].also_in)} == {"Reuters", "Associated Press"}
    # front matter alone changing is a change
    first.write_text(first.read_text().replace("date: 2025-02-13", "date: 2025-02-14"), encoding="utf-8")
    again = fake_index.ingest([articles])
    assert again.updated == [str(first.resolve())]
    assert fake_index.search("Trump Putin call", k=3, filters={"source": "Reuters"})[0].published == "2025-02-14"


def test_exact_duplicate_file_is_stored_once(fake_index: Index, articles: Path) -> None:
    original = next(articles.glob("004_*.txt"))
    (articles / "copy_of_004.txt").write_bytes(original.read_bytes())
    report = fake_index.ingest([articles])
    assert any("stored once" in reason for _, reason in report.skipped)
    assert fake_index.info().documents == 5


def test_bad_filter_values_are_clear_errors(fake_index: Index, articles: Path) -> None:
    fake_index.ingest([articles])
    for bad in ({"source": 5}, {"doc_id": 123}, {"source": [None]}, {"source": []}):
        with pytest.raises(ConfigError, match="must be a name"):
            fake_index.search("Hegseth", filters=bad)


def test_filtered_nearest_without_where_matches_chromas_where(fake_index: Index, articles: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Search fetches the nearest unfiltered and drops what the filter leaves out (a Chroma ``where`` is slow);
    the result is what the ``where`` clause gives, and when too few pass it falls back to that clause."""
    from index import search as search_module
    from index.filters import parse_filters

    syndicated_copy(articles)
    fake_index.ingest([articles])
    searcher, store = fake_index.searcher, fake_index.store
    qv = fake_index.embedder.embed("Hegseth NATO Ukraine security guarantees")
    sent: list[object] = []
    real = store.query

    def recorded(vector, k, where=None, **kw):  # type: ignore[no-untyped-def]
        sent.append(where)
        return real(vector, k, where, **kw)

    monkeypatch.setattr(store, "query", recorded)
    for filters in ({"source": "CNN"}, {"since": "2025-02-13"}, {"source": ["CNN", "Example Wire"]},
                    {"until": "2025-02-12", "source": "Al Jazeera"}):
        f = parse_filters(filters)
        for n in (1, 3, 8, 40):
            sent.clear()
            expected = [r.id for r in real(qv, n, f.where(), text=False)]
            got = [cid for cid, _ in searcher._nearest(qv, n, f)]
            assert got == expected, (filters, n)
        assert sent[-1] is None  # n=40 sees every chunk unfiltered: no where clause needed
    # a source none of the 2 nearest chunks has, and no widening: the where clause
    monkeypatch.setattr(search_module, "OVERFETCH", 1)
    monkeypatch.setattr(search_module, "WIDEN", 1)
    near = {searcher._corpus().metas[searcher._corpus().position[r.id]]["source"] for r in real(qv, 2, text=False)}
    other = next(m["source"] for m in searcher._corpus().metas if m["source"] not in near)
    f = parse_filters({"source": other})
    sent.clear()
    assert [c for c, _ in searcher._nearest(qv, 2, f)] == [r.id for r in real(qv, 2, f.where(), text=False)]
    assert sent[-1] == f.where()
    # a chunk the in-memory corpus does not hold yet (ingested since it was built) among the nearest: the where clause
    monkeypatch.setattr(search_module, "OVERFETCH", 4)
    monkeypatch.setattr(search_module, "WIDEN", 8)
    corpus = searcher._corpus()
    nearest = real(qv, 1, text=False)[0].id
    monkeypatch.delitem(corpus.position, nearest)
    f = parse_filters({"source": "CNN"})
    sent.clear()
    assert [c for c, _ in searcher._nearest(qv, 3, f)] == [r.id for r in real(qv, 3, f.where(), text=False)]
    assert sent[-1] == f.where()
