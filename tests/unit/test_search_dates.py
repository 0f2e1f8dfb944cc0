"""Dates in questions at search level, on a real Chroma with the FAKE hash embedder: a period filters on
``published`` (and falls back when it would leave nothing), "latest" favours the newest, the caller's
``since``/``until`` stay the truth, and the CLI says which dates were used."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from index import Index
from index.datefilter import recency_boosts
from index.embedding.fake import FakeHashEmbedder
from index.errors import ConfigError
from index.filters import parse_filters
from index.search import SearchConfig, Searcher

STORIES = [  # (file, outlet, date or None, title, body)
    ("cocoa_feb", "Accra Wire", "1987-02-26", "Cocoa talks open", "Cocoa producers and consumers opened talks "
     "in London on the buffer stock rules of the cocoa agreement, and producers said prices were too low."),
    ("cocoa_mar", "Lagos Wire", "1987-03-03", "Cocoa talks adjourn", "The cocoa talks on buffer stock rules "
     "adjourned without agreement, delegates said, and will resume next month."),
    ("cocoa_apr", "Abidjan Wire", "1987-04-10", "Cocoa talks end", "Delegates agreed buffer stock rules at "
     "the cocoa talks, ending months of argument between producers and consumers."),
    ("oil_mar", "Gulf Wire", "1987-03-04", "Oil output", "OPEC ministers said oil output would stay within the "
     "agreed quota and prices near 18 dlrs a barrel."),
    ("wheat_oct", "Plains Wire", "1987-10-20", "Wheat sales", "The Agriculture Department sold wheat to the "
     "Soviet Union under the export enhancement programme."),
    ("zinc_undated", "Mining Wire", None, "Zinc smelter", "The zinc smelter at Ludwigshafen will close, the "
     "company said, after talks with possible partners failed."),
]


def write_stories(folder: Path) -> Path:
    folder.mkdir()
    for name, outlet, day, title, body in STORIES:
        front = f"---\nsource: {outlet}\n" + (f"date: {day}\n" if day else "") + "---\n"
        (folder / f"{name}.txt").write_text(f"{front}{title}\n\n{body}\n", encoding="utf-8")
    return folder


@pytest.fixture
def dated_index(tmp_path: Path) -> Index:
    idx = Index(tmp_path / "idx", embedder=FakeHashEmbedder())
    idx.ingest([write_stories(tmp_path / "stories")])
    yield idx
    idx.close()


def outlets(hits: list) -> set[str]:
    return {o for h in hits for o in (h.source, *(p.source for p in h.also_in))}


def dates(hits: list) -> set[str | None]:
    return {d for h in hits for d in (h.published, *(p.published for p in h.also_in))}


def test_the_stories_are_dated_as_written(dated_index: Index) -> None:
    info = dated_index.info()
    assert (info.first_date, info.last_date) == ("1987-02-26", "1987-10-20")


def test_a_month_keeps_to_articles_published_in_it(dated_index: Index) -> None:
    question = "What happened in March?"  # no year: the latest March not after the newest article (October 1987)
    hints = dated_index.hints(question)
    assert hints.period is not None and hints.period.describe() == "1987-03-01 to 1987-03-31"
    assert hints.notes == ('dates: published 1987-03-01 to 1987-03-31 ("in March"; newest in the index: '
                           '1987-10-20; undated articles kept)',)
    hits = dated_index.search(question, k=10)
    assert dates(hits) - {None} == {"1987-03-03", "1987-03-04"}
    assert "Accra Wire" not in outlets(hits) and "Abidjan Wire" not in outlets(hits)
    # the same words without the period reach the other months' copies
    assert {"1987-02-26", "1987-04-10"} <= dates(dated_index.search("What happened?", k=10))


def test_articles_of_unknown_date_are_kept(dated_index: Index) -> None:
    hits = dated_index.search("Why will the zinc smelter close in March 1987?", k=3)
    assert hits[0].source == "Mining Wire" and hits[0].published is None
    assert dates(hits) - {None} <= {"1987-03-03", "1987-03-04"}


def test_a_period_with_no_article_in_it_falls_back_to_all_dates(dated_index: Index) -> None:
    question = "What did cocoa producers say in January?"
    hints = dated_index.hints(question)
    assert hints.period is None and hints.unmatched is not None
    assert hints.notes == ('no article published 1987-01-01 to 1987-01-31 ("in January"), so those dates were '
                           "not used",)
    hits = dated_index.search(question, k=5)
    assert hits and {"Accra Wire", "Lagos Wire", "Abidjan Wire"} <= outlets(hits)


def test_the_callers_filters_stay_the_truth(dated_index: Index) -> None:
    question = "What did cocoa producers say in March 1987?"
    cut = dated_index.search(question, k=10, filters={"since": "1987-03-04", "until": "1987-12-31"})
    assert dates(cut) == {"1987-03-04"}  # the period narrows the caller's range; no undated: the caller said dates
    hints = dated_index.searcher.hints(question, parse_filters({"since": "1987-03-04"}))
    assert hints.period is not None and hints.period.describe() == "1987-03-04 to 1987-03-31"
    assert not hints.undated_kept
    outside = dated_index.search(question, k=10, filters={"since": "1987-04-01"})  # no overlap: the caller's range
    assert outside and dates(outside) <= {"1987-04-10", "1987-10-20"}
    assert dated_index.searcher.hints(question, parse_filters({"since": "1987-04-01"})).unmatched is not None
    by_outlet = dated_index.search(question, k=5, filters={"source": "Abidjan Wire"})  # nothing of it in March
    assert by_outlet and outlets(by_outlet) == {"Abidjan Wire"}


def test_an_outlet_with_nothing_in_the_period_gives_way_to_the_period(dated_index: Index) -> None:
    hits = dated_index.search("What did Abidjan Wire report about cocoa in March 1987?", k=5)
    assert hits and dates(hits) - {None} <= {"1987-03-03", "1987-03-04"}


def test_latest_favours_the_newest_article_on_the_topic(dated_index: Index) -> None:
    question = "What is the latest from the cocoa talks on buffer stock rules?"
    hints = dated_index.hints(question)
    assert hints.recent and hints.period is None
    assert hints.notes == ("favouring the newest articles (newest in the index: 1987-10-20)",)
    hits = dated_index.search(question, k=3)
    assert hits[0].source == "Abidjan Wire"  # the newest cocoa story, not the newest story (wheat, October)
    assert outlets(hits) == {"Abidjan Wire", "Lagos Wire", "Accra Wire"}  # the topic is still what is found
    # the same question, the same index, without the boost: the boost is what put the newest first
    unboosted = Searcher(dated_index.store, dated_index.embedder, dated_index.manifest,
                         config=SearchConfig(recency_boost=0.0))
    assert unboosted.search(question, 3, parse_filters(None))[0].source == "Accra Wire"


def test_the_recency_boost_ranks_dates_among_candidates_on_the_topic() -> None:
    published = ["1987-02-26", "1987-03-03", "1987-04-10", None, "1987-10-20", "1987-03-03"]
    scores = [1.0, 0.9, 0.8, 0.9, 0.3, 0.2]  # the October story and the last one are off the topic
    assert recency_boosts(published, scores, 0.1) == pytest.approx([0.0, 0.05, 0.1, 0.0, 0.0, 0.0])
    assert recency_boosts(["1987-03-03", "1987-03-03"], [1.0, 1.0], 0.1) == [0.0, 0.0]  # one date: no order
    assert recency_boosts(published, scores, 0.0) == [0.0] * 6


def test_relative_dates_read_against_the_reference(tmp_path: Path) -> None:
    folder = write_stories(tmp_path / "stories")
    idx = Index(tmp_path / "idx", embedder=FakeHashEmbedder(), search=SearchConfig(reference_date="1987-03-05"))
    try:
        idx.ingest([folder])
        hints = idx.hints("What happened last week?")  # 23 February to 1 March 1987
        assert hints.period is not None and hints.period.describe() == "1987-02-23 to 1987-03-01"
        assert "reference date: 1987-03-05" in hints.notes[0]
        assert dates(idx.search("What did cocoa producers say last week?", k=10)) - {None} == {"1987-02-26"}
        today = idx.hints("What happened today?")  # 5 March: nothing was published then
        assert today.period is None and today.unmatched is not None
    finally:
        idx.close()
    with pytest.raises(ConfigError, match="YYYY-MM-DD"):
        Index(tmp_path / "idx2", embedder=FakeHashEmbedder(), search=SearchConfig(reference_date="5 March"))


def test_a_period_that_leaves_nothing_out_changes_nothing(dated_index: Index) -> None:
    searcher = dated_index.searcher
    hints, window = searcher._plan("What did cocoa producers say in 1987?", parse_filters(None))
    assert hints.period is not None and window is None  # every dated article is of 1987: no filter at all
    hints, window = searcher._plan("What did cocoa producers say in March 1987?", parse_filters(None))
    assert window is not None and window.undated


def test_questions_without_dates_read_none(dated_index: Index) -> None:
    for question in ("What did cocoa producers say?", "Who organised a march on Accra?",
                     "What were the 1987 cocoa exports?", "What did May say about cocoa?"):
        hints = dated_index.hints(question)
        assert hints.period is None and hints.unmatched is None and not hints.recent, question
        assert hints.notes == (), question


def test_the_cli_prints_the_dates_it_used(dated_index: Index, capsys: pytest.CaptureFixture[str]) -> None:
    from rag.cli import _print_hints

    args = argparse.Namespace(json=False, source=None, since=None, until=None)
    question = "What did cocoa producers say in March 1987?"
    _print_hints(dated_index, question, args, dated_index.search(question, k=3))
    assert capsys.readouterr().out == ('(dates: published 1987-03-01 to 1987-03-31 ("in March 1987"; undated '
                                       "articles kept))\n\n")
    args.since = "1987-03-04"
    _print_hints(dated_index, question, args, [])
    assert 'dates: published 1987-03-04 to 1987-03-31 ("in March 1987"))' in capsys.readouterr().out
    latest = "What is the latest on cocoa?"
    args.since = None
    _print_hints(dated_index, latest, args, dated_index.search(latest, k=3))
    assert capsys.readouterr().out == "(favouring the newest articles (newest in the index: 1987-10-20))\n\n"
