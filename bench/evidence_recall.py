"""How often the evidence a local model's prompt gets holds the answer, and what it costs in prompt tokens.

Run:  .venv/bin/python bench/evidence_recall.py [--sets dev test] [--k 5]

For each answerable question of the Reuters question sets (the stories of eval/reuters.py, from
../shared/corpora/reuters21578), the k passages search returns go through ``rag.evidence.select`` under each
setting of the grid (budget, neighbours, lexical weight, headings kept or not). A question counts as covered
when the selected text from its gold article holds at least 70% of a gold quote's content words. Prompt tokens
are the bundled Qwen tokenizer's count of the whole chat prompt (``LlamaCppBackend.prompt_tokens``), the system
prompt included. The settings are chosen on ``dev``; ``test`` is printed for the chosen row only, to report.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.datasets import DATA_DIR, load_questions  # noqa: E402
from eval.reuters import write_articles  # noqa: E402
from eval.runner import default_index_dir  # noqa: E402
from rag import evidence  # noqa: E402
from rag.api import open_index  # noqa: E402
from rag.prompt import build_messages  # noqa: E402
from rag.text import content_words  # noqa: E402

SETS = {"dev": DATA_DIR / "questions_reuters_dev.jsonl", "test": DATA_DIR / "questions_reuters_test.jsonl"}
GRID = {"budget": [60, 90, 120, 160, 250], "neighbours": [0, 1], "lexical_weight": [0.25, 0.5, 0.75],
        "statements_only": [False, True]}


class Memo:
    """The index's embedder, remembering vectors (the grid re-ranks the same sentences many times)."""

    def __init__(self, embedder: Any) -> None:
        self.embedder, self.seen = embedder, {}

    def embed(self, text: str) -> list[float]:
        return self.embed_batch([text])[0]

    def embed_batch(self, texts: list[str]) -> list[list[float]]:
        new = [t for t in dict.fromkeys(texts) if t not in self.seen]
        for t, v in zip(new, self.embedder.embed_batch(new) if new else [], strict=True):
            self.seen[t] = v
        return [self.seen[t] for t in texts]


def covered(picked: dict[int, str], hits: list[Any], golds: list[Any]) -> bool:
    for gold in golds:
        want = content_words(gold.quote)
        got: set[str] = set()
        for n, text in picked.items():
            stems = {Path(h.path or "").stem for h in [hits[n - 1], *hits[n - 1].also_in]}
            if gold.article in stems:
                got |= content_words(text)
        if want and len(want & got) / len(want) >= 0.7:
            return True
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["dev", "test"])
    ap.add_argument("--k", type=int, default=5)
    args = ap.parse_args()
    from rag.backends.llama_cpp import LlamaCppBackend

    idx = open_index(default_index_dir(write_articles()))
    idx.ingest([write_articles()])
    memo = Memo(idx.embedder)
    counter = LlamaCppBackend()  # only its tokenizer is used, through prompt_tokens
    data = {name: [(q, idx.search(q.question, k=args.k)) for q in load_questions(SETS[name]) if q.answerable]
            for name in args.sets}
    whole = {name: statistics.median(counter.prompt_tokens(build_messages(q.question, hits)) for q, hits in rows)
             for name, rows in data.items()}

    def score(name: str, setting: dict[str, Any]) -> tuple[float, float]:
        hit, tokens = 0, []
        for q, hits in data[name]:
            picked = evidence.select(q.question, hits, memo, **setting)
            hit += covered(picked, hits, q.passages)
            tokens.append(counter.prompt_tokens(build_messages(q.question, hits, picked)))
        return hit / len(data[name]), statistics.median(tokens)

    print(f"k={args.k}; whole passages: covered 1.00 by construction when retrieved, prompt tokens median "
          + ", ".join(f"{n} {t:.0f}" for n, t in whole.items()))
    print("| budget | neighbours | lexical weight | statements only | dev covered | dev prompt tokens (median) |")
    print("|---|---|---|---|---|---|")
    rows = []
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(GRID, values, strict=True))
        cov, tok = score("dev", setting)
        rows.append((cov, tok, setting))
        print(f"| {values[0]} | {values[1]} | {values[2]} | {values[3]} | {cov:.3f} | {tok:.0f} |", flush=True)
    print("\nbest dev coverage within each prompt size (uncached prompt = total - system prompt):")
    for cap in (250, 300, 350, 450):
        fits = [r for r in rows if r[1] <= cap]
        if not fits:
            continue
        cov, tok, setting = max(fits, key=lambda r: (r[0], -r[1]))
        tests = {name: score(name, setting) for name in args.sets if name != "dev"}
        shown = "; ".join(f"{n}: covered {c:.3f}, {t:.0f} tokens" for n, (c, t) in tests.items())
        print(f"  <= {cap} tokens: {setting} -> dev covered {cov:.3f}, {tok:.0f} tokens; {shown}")


if __name__ == "__main__":
    main()
