"""Retrieval on every question set, dense vs BM25 vs hybrid, and the fusion re-tune on a named dev set (issue #16).

Run:  .venv/bin/python bench/retrieval_sets.py [--sweep] [--corpora samples reuters2k archive]
      (the archive corpus is the index bench/archive_scale.py builds, ~30 min the first time; reuters2k is
      reut2-000/001.sgm, 2,000 stories, ~3 min; both cached in the user cache folder)

Sets, and which is which:
  dev   samples-gold  eval/data/questions.jsonl           47 answerable, over the 5 sample articles (#4 tuned on it)
  dev   reuters-dev   eval/data/questions_reuters_dev.jsonl   46 answerable, stories of reut2-000/001
  test  samples-held  eval/data/questions_heldout.jsonl   15 answerable, written apart from the tuning
  test  reuters-test  eval/data/questions_reuters_test.jsonl  22 answerable, stories of reut2-000/001
  test  reuters-arch  eval/data/questions_reuters_archive.jsonl  50 answerable, stories of reut2-002..021,
                      written blind to the tuning (only in the archive corpus)

``--sweep`` scores a grid of fusion settings (pool size, linear weight or RRF, BM25 statistics from the pool or
the corpus, MMR) on the dev sets only, and picks by mean MRR over them among the settings at or above dense-only
on hit@1, hit@5 and MRR on every dev set; the pick is then reported on the test sets. Every table row is
one run with the bundled MiniLM; "bm25" is BM25 alone (corpus statistics, no dense score, no folding or MMR).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.archive_scale import ALL_FILES, default_index  # noqa: E402
from bench.retrieval import TimedEmbedder, cache_dir  # noqa: E402
from eval.datasets import Question, load_questions  # noqa: E402
from eval.retrieval import BM25_ONLY, RetrievalScore, gold_spans, score_retrieval  # noqa: E402
from eval.reuters import CORPUS, EVAL_FILES  # noqa: E402
from index import Index, sample_dir  # noqa: E402
from index.embedding import get_embedder  # noqa: E402
from index.search import DENSE_ONLY, SearchConfig  # noqa: E402

DATA = ROOT / "eval" / "data"
SETS = {  # name: (file, role, corpora it is scored on)
    "samples-gold": ("questions.jsonl", "dev", ("samples",)),
    "reuters-dev": ("questions_reuters_dev.jsonl", "dev", ("reuters2k", "archive")),
    "samples-held": ("questions_heldout.jsonl", "test", ("samples",)),
    "reuters-test": ("questions_reuters_test.jsonl", "test", ("reuters2k", "archive")),
    "reuters-arch": ("questions_reuters_archive.jsonl", "test", ("archive",)),
}
SHIPPED = SearchConfig()
GRID = [dataclasses.replace(SHIPPED, candidates=n, fusion="linear", dense_weight=w, lexical_scope=scope, mmr_lambda=lam)
        for n in (30, 60) for scope in ("pool", "corpus") for w in (0.3, 0.4, 0.5, 0.6, 0.7) for lam in (1.0, 0.85)]
GRID += [dataclasses.replace(SHIPPED, candidates=n, fusion="rrf", dense_weight=w, mmr_lambda=lam)
         for n in (30, 60) for w in (0.3, 0.5, 0.7) for lam in (1.0, 0.85)]


def describe(cfg: SearchConfig) -> str:
    if cfg == DENSE_ONLY:
        return "dense"
    if cfg == BM25_ONLY:
        return "bm25"
    scope = f" bm25={cfg.lexical_scope}" if cfg.fusion == "linear" else ""
    return f"{cfg.fusion} n={cfg.candidates} w={cfg.dense_weight} mmr={cfg.mmr_lambda}{scope}"


def open_corpus(name: str, emb: TimedEmbedder) -> Index:
    if name == "samples":
        idx = Index(cache_dir("samples-200-50"), embedder=emb)  # type: ignore[arg-type]
        idx.ingest([sample_dir()], prune=True)
        return idx
    if name == "reuters2k":
        idx = Index(cache_dir("reuters-000-001"), embedder=emb)  # type: ignore[arg-type]
        idx.ingest([CORPUS / f for f in EVAL_FILES], progress=True)
        return idx
    folder = default_index(ALL_FILES)
    if not (folder / "manifest.sqlite3").is_file():
        raise SystemExit(f"no archive index at {folder}: build it first with .venv/bin/python bench/archive_scale.py")
    return Index(folder, embedder=emb)  # type: ignore[arg-type]


def score(idx: Index, cfg: SearchConfig, questions: list[Question], golds: dict) -> RetrievalScore:
    idx.searcher.config = cfg
    return score_retrieval(lambda q, k: idx.search(q, k=k), questions, golds)


def tops(idx: Index, cfg: SearchConfig, questions: list[Question]) -> list[str | None]:
    """The chunk each question's first hit comes from."""
    idx.searcher.config = cfg
    return [next((h.chunk_id for h in idx.search(q.question, k=1)), None) for q in questions]


def row(label: str, s: RetrievalScore) -> str:
    return f"| {label} | {s.hits[1]:.3f} | {s.hits[5]:.3f} | {s.mrr:.3f} | {s.latency_p50_ms:.0f} ms |"


def at_least(a: RetrievalScore, b: RetrievalScore) -> bool:
    return a.hits[1] >= b.hits[1] and a.hits[5] >= b.hits[5] and a.mrr >= b.mrr


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sweep", action="store_true", help="re-tune fusion on the dev sets")
    ap.add_argument("--corpora", nargs="+", default=["samples", "reuters2k", "archive"])
    ap.add_argument("--pick", help="a grid setting (as printed) to report as the candidate instead of sweeping")
    args = ap.parse_args()
    emb = TimedEmbedder(get_embedder())
    sets = {name: load_questions(DATA / file) for name, (file, _, _) in SETS.items() if (DATA / file).is_file()}
    opened = {name: open_corpus(name, emb) for name in args.corpora}
    pairs = [(s, c) for s in sets for c in SETS[s][2] if c in opened]
    golds = {(s, c): gold_spans(opened[c], sets[s]) for s, c in pairs}
    for name, idx in opened.items():
        info = idx.info()
        print(f"corpus {name}: {info.documents} articles, {info.chunks} chunks")
    print(f"shipped: {describe(SHIPPED)}")

    def table(configs: dict[str, SearchConfig]) -> dict[tuple[str, str, str], RetrievalScore]:
        out = {}
        for s, c in pairs:
            print(f"\n### {s} ({SETS[s][1]}) on {c}\n")
            print("| retrieval | hit@1 | hit@5 | MRR | p50 | top hit = BM25's |\n|---|---|---|---|---|---|")
            asked = [q for q in sets[s] if q.answerable and golds[(s, c)].get(q.id)]
            bm25_top = tops(opened[c], BM25_ONLY, asked)
            for label, cfg in configs.items():
                out[(s, c, label)] = got = score(opened[c], cfg, sets[s], golds[(s, c)])
                same = sum(a == b for a, b in zip(tops(opened[c], cfg, asked), bm25_top, strict=True))
                print(row(label, got) + f" {same}/{len(asked)} |")
        return out

    configs = {"dense": DENSE_ONLY, "bm25": BM25_ONLY, "hybrid (shipped)": SHIPPED}
    if args.sweep:
        dev = [(s, c) for s, c in pairs if SETS[s][1] == "dev"]
        base = {(s, c): score(opened[c], DENSE_ONLY, sets[s], golds[(s, c)]) for s, c in dev}
        tried = []
        for cfg in [SHIPPED, *GRID]:
            got = {(s, c): score(opened[c], cfg, sets[s], golds[(s, c)]) for s, c in dev}
            ok = all(at_least(got[p], base[p]) for p in dev)
            mean_mrr = sum(g.mrr for g in got.values()) / len(got)
            mean_h1 = sum(g.hits[1] for g in got.values()) / len(got)
            tried.append((ok, round(mean_mrr, 4), round(mean_h1, 4), cfg, got))
        tried.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
        print(f"\n## Sweep on the dev sets ({len(tried)} settings; ≥dense = at or above dense on every dev set)\n")
        print("| setting | ≥dense | mean MRR | " + " | ".join(f"{s}/{c} h@1 h@5 MRR" for s, c in dev) + " |")
        print("|---|---|---|" + "---|" * len(dev))
        for ok, m, _, cfg, got in tried[:15] + [t for t in tried if t[3] == SHIPPED]:
            cells = " | ".join(f"{got[p].hits[1]:.3f} {got[p].hits[5]:.3f} {got[p].mrr:.3f}" for p in dev)
            print(f"| {describe(cfg)} | {'yes' if ok else 'no'} | {m:.3f} | {cells} |")
        print("| dense | – | " + f"{sum(b.mrr for b in base.values()) / len(base):.3f} | "
              + " | ".join(f"{base[p].hits[1]:.3f} {base[p].hits[5]:.3f} {base[p].mrr:.3f}" for p in dev) + " |")
        configs["picked: " + describe(tried[0][3])] = tried[0][3]
    elif args.pick:
        configs["picked: " + args.pick] = next(c for c in GRID if describe(c) == args.pick)
    table(configs)
    for idx in opened.values():
        idx.close()


if __name__ == "__main__":
    main()
