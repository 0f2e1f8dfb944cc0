"""Story versions with real parts: the bundled MiniLM and a real Chroma on disk, over a made-up Reuters-style archive
holding a story, its corrected re-filing three hours later, and a recurring report filed again a week later."""

from __future__ import annotations

from pathlib import Path

import pytest

from index import Index
from tests.unit.test_archives import sgml, story

pytestmark = pytest.mark.integration

STRIKE = ("About 1,200 dock workers at the port of Halvik stopped\nwork on Monday after talks on a new pay deal broke "
          "down,\nthe Halvik Dockers Union said.\n    The union is asking for a 9 pct rise over two years; the "
          "port\nauthority has offered 4 pct. Ferries to Eastport were running,\nbut cargo ships waited at anchor "
          "outside the harbour.\n    Both sides said they were ready to meet again on Wednesday.\n Reuter")
FIRST = story(31, STRIKE, title="HALVIK DOCK WORKERS STOP WORK OVER PAY", dateline="HALVIK, March 2",
              date="02-MAR-1987 09:05:11.20")
CORRECTED = story(32, STRIKE.replace("About 1,200", "About 2,100").replace(
    "\n Reuter", "\n    (Corrects number of workers to 2,100 from 1,200)\n Reuter"),
    title="CORRECTED - HALVIK DOCK WORKERS STOP WORK OVER PAY", dateline="HALVIK, March 2",
    date="02-MAR-1987 12:07:40.02")
CARGO = ("Cargo handled at the port of Halvik rose to {a} tonnes\nin the week to {day} from {b} tonnes the week "
         "before, the\nport authority said in its weekly report. Container traffic\nrose to {c} boxes.\n Reuter")
WEEK1 = story(33, CARGO.format(a="41,200", b="39,800", c="2,310", day="March 1"), title="HALVIK PORT CARGO WEEKLY",
              dateline="HALVIK, March 2", date="02-MAR-1987 15:00:02.00")
WEEK2 = story(34, CARGO.format(a="42,900", b="41,200", c="2,370", day="March 8"), title="HALVIK PORT CARGO WEEKLY",
              dateline="HALVIK, March 9", date="09-MAR-1987 15:00:05.00")


def test_the_latest_version_is_shown_and_the_earlier_one_reachable(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    wire = tmp_path / "wire.sgm"
    wire.write_bytes(sgml(FIRST, CORRECTED, WEEK1, WEEK2))
    idx = Index(tmp_path / "index")
    try:
        assert len(idx.ingest([wire]).added) == 4
        first, second = (idx.manifest.doc_for_path(f"{wire}#NEWID={n}") for n in (31, 32))
        hits = idx.search("How many Halvik dock workers stopped work?", k=3)
        top = hits[0]
        assert (top.doc_id, top.title, top.published_at) == (
            second, "CORRECTED - HALVIK DOCK WORKERS STOP WORK OVER PAY", "1987-03-02T12:07:40")
        assert (top.updated_from, top.earlier) == ("1987-03-02T09:05:11", (first,))
        assert first not in {h.doc_id for h in hits} | {p.doc_id for h in hits for p in h.also_in}

        every = idx.search("How many Halvik dock workers stopped work?", k=3, filters={"versions": "all"})
        assert first in {h.doc_id for h in every}  # reachable, as its own hit: not another outlet agreeing
        assert all(p.doc_id not in (first, second) for h in every for p in h.also_in)

        weekly = idx.search("How much cargo did the port of Halvik handle in the week?", k=3)
        shown = [p for h in weekly for p in (h, *h.also_in)]
        weeks = {idx.manifest.doc_for_path(f"{wire}#NEWID={n}") for n in (33, 34)}
        assert weeks <= {p.doc_id for p in shown}  # a week apart: not versions, neither hides the other
        assert all(p.updated_from is None and not p.earlier for p in shown if p.doc_id in weeks)
    finally:
        idx.close()

    from rag.cli import main

    assert main(["--index-dir", str(tmp_path / "index"), "search", "How many Halvik dock workers stopped work?",
                 "-k", "1"]) == 0
    out = capsys.readouterr().out
    assert "(updated from 1987-03-02 09:05)" in out and "2,100" in out
    assert main(["--index-dir", str(tmp_path / "index"), "search", "Halvik dock workers stopped work 1,200",
                 "-k", "3", "--all-versions"]) == 0
    assert "(earlier version: updated since)" in capsys.readouterr().out

    wire.write_bytes(sgml(FIRST, WEEK1, WEEK2))  # the correction withdrawn: the first filing is the story again
    idx = Index(tmp_path / "index")
    try:
        assert idx.ingest([wire], prune=True).removed == [f"{wire}#NEWID=32"]
        top = idx.search("How many Halvik dock workers stopped work?", k=1)[0]
        assert (top.doc_id, top.updated_from, top.earlier) == (first, None, ())
    finally:
        idx.close()


def test_a_filtered_search_hides_earlier_versions_as_an_unfiltered_one_does(tmp_path: Path) -> None:
    """A date or outlet filter is checked on the nearest unfiltered chunks (``Searcher._nearest``), superseded
    versions included, as Chroma's ``where`` gives them; the earlier version is then hidden, or shown with
    ``versions: all``."""
    from index.filters import parse_filters

    wire = tmp_path / "wire.sgm"
    wire.write_bytes(sgml(FIRST, CORRECTED, WEEK1, WEEK2))
    idx = Index(tmp_path / "index")
    try:
        idx.ingest([wire])
        first, second = (idx.manifest.doc_for_path(f"{wire}#NEWID={n}") for n in (31, 32))
        question = "How many Halvik dock workers stopped work?"
        qv = idx.embedder.embed(question)
        for filters in ({"source": "Reuters"}, {"since": "1987-03-02", "until": "1987-03-02"}):
            hits = idx.search(question, k=3, filters=filters)
            assert hits[0].doc_id == second and hits[0].earlier == (first,), filters
            assert first not in {p.doc_id for h in hits for p in (h, *h.also_in)}, filters
            every = idx.search(question, k=3, filters={**filters, "versions": "all"})
            assert first in {h.doc_id for h in every}, filters
            chosen = parse_filters(filters)
            for n in (1, 2, 3):
                nearest = [cid for cid, _ in idx.searcher._nearest(qv, n, chosen)]
                assert nearest == [r.id for r in idx.store.query(qv, n, chosen.where(), text=False)], (filters, n)
        week2 = idx.search(question, k=3, filters={"since": "1987-03-09"})
        assert {h.doc_id for h in week2} == {idx.manifest.doc_for_path(f"{wire}#NEWID=34")}
    finally:
        idx.close()
