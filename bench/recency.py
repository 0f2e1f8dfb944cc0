"""The "latest" boost (#16): which weight puts the newest story first, chosen on a dev set, reported on a test set.

Run:  .venv/bin/python bench/recency.py   (needs the archive index that bench/archive_scale.py builds; ~2 min)

Sets (questions that ask for the latest state of something the archive reports more than once, written by two
helpers blind to the search code and to each other): dev ``eval/data/latest_reuters_dev.jsonl`` (stories whose
first topic starts with A-L), test ``latest_reuters_test.jsonl`` (M-Z). Gold: the newest story that answers
(``newest``) and the older ones (``older``). Each question says "latest", "most recent" or "newest", so search
reads it as recent (``index.periods``) and adds ``SearchConfig.recency_boost`` by the rank of each on-topic
candidate's date (``index.datefilter.recency_boosts``).

Printed per weight: newest@1 (the first hit is the newest story), newest@5, MRR of the newest story, and
older-first (an older story ranks above the newest, or the newest is not in the top 5). Picked on dev: the
highest newest@1, then MRR, then the smaller weight; the pick is then scored on test.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.archive_scale import ALL_FILES, default_index  # noqa: E402
from index import Index  # noqa: E402
from index.search import SearchConfig  # noqa: E402

DATA = ROOT / "eval" / "data"
SETS = {"dev": DATA / "latest_reuters_dev.jsonl", "test": DATA / "latest_reuters_test.jsonl"}
WEIGHTS = (0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8)
K = 5


def story(hit: object) -> str:
    """A hit's story as the gold names it ("reuters-NEWID"), from its archive path (``...sgm#NEWID=n``)."""
    path = str(getattr(hit, "path", "") or "")
    return f"reuters-{path.split('NEWID=', 1)[1]}" if "NEWID=" in path else path


def scores(idx: Index, rows: list[dict], weight: float) -> dict[str, float]:
    idx.searcher.config = dataclasses.replace(SearchConfig(), recency_boost=weight)
    at1 = at5 = rr = older_first = 0.0
    for row in rows:
        ranked = [story(h) for h in idx.search(row["question"], k=K)]
        rank = ranked.index(row["newest"]) + 1 if row["newest"] in ranked else None
        at1 += rank == 1
        at5 += rank is not None
        rr += 1 / rank if rank else 0.0
        older = [i for i, s in enumerate(ranked) if s in row["older"]]
        older_first += bool(older) and (rank is None or older[0] < rank - 1)
    n = len(rows)
    return {"newest@1": at1 / n, "newest@5": at5 / n, "mrr": rr / n, "older_first": older_first / n}


def line(name: str, weight: float, s: dict[str, float]) -> str:
    return (f"| {name} | {weight} | {s['newest@1']:.3f} | {s['newest@5']:.3f} | {s['mrr']:.3f} | "
            f"{s['older_first']:.3f} |")


def main() -> None:
    folder = default_index(ALL_FILES)
    if not (folder / "manifest.sqlite3").is_file():
        raise SystemExit(f"no archive index at {folder}: build it first with .venv/bin/python bench/archive_scale.py")
    idx = Index(folder)
    sets = {name: [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
            for name, path in SETS.items()}
    print(f"archive index {folder}; dev {len(sets['dev'])} questions, test {len(sets['test'])}; k={K}")
    print("| set | recency_boost | newest@1 | newest@5 | MRR | older first |\n|---|---|---|---|---|---|")
    dev = {w: scores(idx, sets["dev"], w) for w in WEIGHTS}
    for w, s in dev.items():
        print(line("dev", w, s))
    pick = max(WEIGHTS, key=lambda w: (dev[w]["newest@1"], dev[w]["mrr"], -w))
    shipped = SearchConfig().recency_boost
    for w in dict.fromkeys((0.0, shipped, pick)):
        print(line("test", w, scores(idx, sets["test"], w)))
    print(f"picked on dev: recency_boost={pick} (shipped: {shipped})")
    idx.close()


if __name__ == "__main__":
    main()
