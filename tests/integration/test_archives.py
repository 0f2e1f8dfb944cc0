"""Archives with real parts: the bundled MiniLM and a real Chroma on disk, over made-up stories.

(A test over a real Reuters-21578 file is left out: reut2-000.sgm, 868 stories, takes 63-130 s to embed here.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import Index
from tests.unit.test_archives import BRIEF, COPPER, GRAIN, sgml, story

pytestmark = pytest.mark.integration

FERRY = story(21, "The Westholm ferry line said it would add a second\nnight crossing to Eastport from "
              "June, after bookings\nrose 30 pct in the spring.\n Reuter", title="WESTHOLM FERRY ADDS CROSSING",
              dateline="WESTHOLM, March 5", date="05-MAR-1987 11:02:17.31")
FEED = [
    {"title": "Lighthouse keeper honoured", "text": "The last lighthouse keeper of Skarholm, Ines Varga, was "
     "honoured by the town council on Friday for thirty years of service.", "published": "2025-02-14",
     "source": "Skarholm Courier", "url": "https://courier.example/lighthouse"},
    {"text": "Snow closed the mountain pass at Tornfjell for two days; the road authority said ploughs had "
     "cleared it by Monday evening.", "source": "Fjell Radio", "published": "17 February 2025"},
    {"text": "   "},
]


def test_archives_ingest_search_reingest_edit_prune(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    wire, feed = data / "wire.sgm", data / "feed.jsonl"
    wire.write_bytes(sgml(GRAIN, BRIEF, COPPER, FERRY))
    feed.write_text("".join(json.dumps(row) + "\n" for row in FEED), encoding="utf-8")
    idx = Index(tmp_path / "index")
    try:
        first = idx.ingest([data])
        assert len(first.added) == 5 and first.chunks_added >= 5
        assert dict(first.skipped) == {f"{wire}#NEWID=12": "no body (a headline-only brief)",
                                       f"{feed}#line=3": 'line 3 has no text: give it a non-empty "text" string'}
        hit = idx.search("When does the Westholm ferry add a night crossing?", k=1)[0]
        assert (hit.title, hit.source, hit.published, hit.path) == (
            "WESTHOLM FERRY ADDS CROSSING", "Reuters", "1987-03-05", f"{wire}#NEWID=21")
        hit = idx.search("Who was the lighthouse keeper of Skarholm?", k=1)[0]
        assert (hit.title, hit.source, hit.published, hit.url, hit.path) == (
            "Lighthouse keeper honoured", "Skarholm Courier", "2025-02-14", "https://courier.example/lighthouse",
            f"{feed}#url=https://courier.example/lighthouse")
        hit = idx.search("mountain pass closed by snow", k=1)[0]
        assert (hit.source, hit.published, hit.path) == ("Fjell Radio", "2025-02-17", f"{feed}#line=2")

        ids = set(idx.store.collection.get(include=[])["ids"])
        misses = idx.vectors.misses
        again = idx.ingest([data])
        assert (again.added, again.updated, again.skipped, len(again.unchanged)) == ([], [], [], 5)
        assert again.chunks_added == again.chunks_removed == 0 and idx.vectors.misses == misses
        assert set(idx.store.collection.get(include=[])["ids"]) == ids

        # one story edited, one removed: only the edited one is re-embedded
        wire.write_bytes(sgml(GRAIN, BRIEF, FERRY.replace("from June", "from July")))
        edited = idx.ingest([data])
        assert edited.updated == [f"{wire}#NEWID=21"] and edited.added == [] and edited.removed == []
        assert len(edited.unchanged) == 3 and 0 < idx.vectors.misses - misses <= edited.chunks_added
        assert "from July" in idx.search("Westholm ferry night crossing", k=1)[0].text
        assert idx.manifest.doc_for_path(f"{wire}#NEWID=14")  # removed from the archive, kept without --prune
        pruned = idx.ingest([data], prune=True)
        assert pruned.removed == [f"{wire}#NEWID=14"] and pruned.chunks_removed >= 1
        assert not any(h.path == f"{wire}#NEWID=14" for h in idx.search("Norvik copper strike Lund", k=5))
        assert idx.info().documents == 4
    finally:
        idx.close()
