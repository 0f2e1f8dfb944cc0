"""Retrieval benchmark and tuner (issue #4): choose chunking and fusion on the gold questions, then compare.

Run:  .venv/bin/python bench/retrieval.py            (~6 min on 2 cores; indexes cached between runs)
      .venv/bin/python bench/retrieval.py --quick    (only the chosen settings; no sweep)

1. Sweep: for each chunking (size/overlap in tokens) and each fusion setting (linear or RRF, dense
   weight, MMR lambda) score hit@1/3/5/10 and MRR on the answerable gold questions
   (eval/data/questions.jsonl) over the five sample articles. The best by MRR (then hit@1, hit@5) is
   reported, with a 2-fold check: pick on odd-numbered questions, score on even ones, and the reverse.
2. Side by side, in one run, same articles and model (MiniLM):
   (a) plain dense retrieval with our chunking, (b) LlamaIndex defaults (SentenceSplitter 1024/200,
   dense, top 2), (c) our hybrid search with the shipped defaults,
   first on the sample articles, then on the samples among 700+ distractor passages built from text
   shipped in installed packages (eval/distractors.py). Search latency p50/p95 includes query embedding;
   "excl. embed" subtracts the time spent embedding the question.
"""

from __future__ import annotations

import argparse
import dataclasses
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.baselines import LlamaIndexDefaults  # noqa: E402
from eval.datasets import QUESTIONS, Question, load_questions  # noqa: E402
from eval.distractors import build_distractors  # noqa: E402
from eval.retrieval import KS, RetrievalScore, covers, gold_spans, score_retrieval  # noqa: E402
from index import ChunkConfig, Index, sample_dir  # noqa: E402
from index.embedding import Embedder, get_embedder  # noqa: E402
from index.search import DENSE_ONLY, SearchConfig  # noqa: E402
from index.types import Passage  # noqa: E402

CHUNKINGS = [ChunkConfig(120, 30), ChunkConfig(160, 40), ChunkConfig(200, 50), ChunkConfig(256, 64)]
GRID = [SearchConfig(fusion="linear", dense_weight=w, mmr_lambda=lam, lexical_scope=scope)
        for scope in ("pool", "corpus") for w in (0.2, 0.3, 0.4, 0.5, 0.6, 0.7) for lam in (1.0, 0.85)]
GRID += [SearchConfig(fusion="rrf", dense_weight=w, mmr_lambda=lam) for w in (0.3, 0.5, 0.7) for lam in (1.0, 0.85)]


class TimedEmbedder(Embedder):
    """Our embedder, memoising single texts (the sweep asks the same questions many times) and timing calls."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.cache: dict[str, list[float]] = {}
        self.seconds = 0.0
        self.memo = True

    def embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        if len(texts) == 1 and self.memo and texts[0] in self.cache:
            return [self.cache[texts[0]]]
        started = time.perf_counter()
        out = self.inner.embed_batch(texts)
        self.seconds += time.perf_counter() - started
        if len(texts) == 1:
            self.cache[texts[0]] = out[0]
        return out


def cache_dir(name: str) -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("news-rag")) / f"bench-retrieval-{name}"


def open_index(name: str, chunking: ChunkConfig, embedder: Embedder, folders: list[Path]) -> Index:
    idx = Index(cache_dir(f"{name}-{chunking.size}-{chunking.overlap}"), embedder=embedder, chunking=chunking)
    report = idx.ingest(folders, prune=True, progress=True)
    if report.added or report.updated:
        print(f"  indexed {name} {chunking.signature}: {report.summary()}", file=sys.stderr)
    return idx


def score(idx: Index, cfg: SearchConfig, questions: list[Question], golds: dict) -> RetrievalScore:
    idx.searcher.config = cfg
    return score_retrieval(lambda q, k: idx.search(q, k=k), questions, golds)


def timed_score(idx: Index, cfg: SearchConfig, questions: list[Question], golds: dict,
                emb: TimedEmbedder, rounds: int = 3) -> tuple[RetrievalScore, float]:
    """Score with real (unmemoised) query embedding; returns the score and p50 latency without embedding."""
    emb.memo = False
    idx.searcher.config = cfg
    idx.search("warm up", k=5)
    per_query: list[float] = []
    result = None
    for _ in range(rounds):
        for q in questions:
            if not q.answerable:
                continue
            before, started = emb.seconds, time.perf_counter()
            idx.search(q.question, k=max(KS))
            per_query.append((time.perf_counter() - started) - (emb.seconds - before))
        result = score_retrieval(lambda q, k: idx.search(q, k=k), questions, golds)
    emb.memo = True
    assert result is not None
    return result, statistics.median(per_query) * 1000


def describe(cfg: SearchConfig) -> str:
    if not cfg.hybrid:
        return "dense only"
    scope = f" bm25={cfg.lexical_scope}" if cfg.fusion == "linear" else ""
    return f"{cfg.fusion} w_dense={cfg.dense_weight} mmr={cfg.mmr_lambda}{scope}"


Key = tuple[int, int]


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def subset(s: RetrievalScore, parity: int | None) -> tuple[float, float]:
    """(hit@1, MRR) over the questions with odd (1) or even (0) numbers, or all (None)."""
    rs = [r for q, r in s.ranks.items() if parity is None or int(q[1:]) % 2 == parity]
    return _mean([1.0 if r == 1 else 0.0 for r in rs]), _mean([1 / r if r else 0.0 for r in rs])


def objective(pair: tuple[RetrievalScore, RetrievalScore], parity: int | None = None) -> tuple[float, float]:
    """Mean MRR, then mean hit@1, over the sample articles alone and among the distractors."""
    (h_a, m_a), (h_b, m_b) = subset(pair[0], parity), subset(pair[1], parity)
    return round((m_a + m_b) / 2, 4), round((h_a + h_b) / 2, 4)


def two_fold(results: dict[Key, tuple[RetrievalScore, RetrievalScore]]) -> tuple[float, float]:
    """Pick the best setting on odd-numbered questions and score it on even ones, and the reverse."""
    hit1, mrr = [], []
    for pick, test in ((1, 0), (0, 1)):
        best = max(results, key=lambda key: objective(results[key], pick))
        m, h = objective(results[best], test)
        hit1.append(h)
        mrr.append(m)
    return _mean(hit1), _mean(mrr)


def sweep(emb: TimedEmbedder, questions: list[Question], distractors: Path) -> None:
    print("\n## Sweep: chunking x fusion, on the sample articles alone and among the distractors\n")
    results: dict[Key, tuple[RetrievalScore, RetrievalScore]] = {}
    labels: dict[Key, str] = {}
    for ci, chunking in enumerate(CHUNKINGS):
        small = open_index("samples", chunking, emb, [sample_dir()])
        big = open_index("samples+distractors", chunking, emb, [sample_dir(), distractors])
        g_small, g_big = gold_spans(small, questions), gold_spans(big, questions)
        for gi, cfg in enumerate([DENSE_ONLY, *GRID]):
            results[(ci, gi)] = (score(small, cfg, questions, g_small), score(big, cfg, questions, g_big))
            labels[(ci, gi)] = f"{chunking.size}/{chunking.overlap} {describe(cfg)}"
        small.close()
        big.close()
    ranked = sorted(results, key=lambda key: objective(results[key]), reverse=True)
    print("| chunking / search | samples hit@1 | hit@5 | MRR | + distractors hit@1 | hit@5 | MRR |")
    print("|---|---|---|---|---|---|---|")
    best_per_chunking = [max((k for k in results if k[0] == ci and k[1] > 0), key=lambda k: objective(results[k]))
                         for ci in range(len(CHUNKINGS))]
    shown = ranked[:8] + best_per_chunking + [key for key in results if key[1] == 0]
    for key in dict.fromkeys(shown):
        a, b = results[key]
        print(f"| {labels[key]} | {a.hits[1]:.3f} | {a.hits[5]:.3f} | {a.mrr:.3f} | {b.hits[1]:.3f} | {b.hits[5]:.3f} "
              f"| {b.mrr:.3f} |")
    hit1, mrr = two_fold(results)
    print(f"\nBest by mean MRR (then hit@1) over both corpora: {labels[ranked[0]]}. {len(results)} settings tried.")
    print(f"2-fold check (pick on odd-numbered questions, score on even ones, and the reverse; mean of both "
          f"corpora): hit@1 {hit1:.3f}, MRR {mrr:.3f}.")


def compare(emb: TimedEmbedder, questions: list[Question], name: str,
            folders: list[Path]) -> dict[str, RetrievalScore]:
    chunking = ChunkConfig()
    idx = open_index(name, chunking, emb, folders)
    golds = gold_spans(idx, questions)
    info = idx.info()
    print(f"\n## {name}: {info.documents} articles, {info.chunks} chunks ({chunking.signature})\n")
    print("| retrieval | hit@1 | hit@5 | MRR | search p50 | p95 | p50 excl. embed |\n|---|---|---|---|---|---|---|")
    rows: dict[str, RetrievalScore] = {}
    for label, cfg in (("(a) dense, our chunking", DENSE_ONLY), ("(c) hybrid (shipped defaults)", SearchConfig())):
        s, bare = timed_score(idx, cfg, questions, golds, emb)
        rows[label] = s
        print(f"| {label} | {s.hits[1]:.3f} | {s.hits[5]:.3f} | {s.mrr:.3f} | {s.latency_p50_ms:.1f} ms "
              f"| {s.latency_p95_ms:.1f} ms | {bare:.1f} ms |")
    docs = [(d, p, idx.document_text(d) or "") for p in idx.manifest.all_paths()
            if (d := idx.manifest.doc_for_path(p))]
    emb.memo = False
    li = LlamaIndexDefaults(emb).build(docs)
    s = score_retrieval(lambda q, k: [Passage(text="", doc_id=d, start=a, end=b) for d, a, b, _ in li.retrieve(q)],
                        questions, golds, is_relevant=lambda p, g: covers(p, g))
    emb.memo = True
    print(f"| (b) LlamaIndex defaults ({len(li.nodes)} nodes, 1024/200, top 2) | {s.hits[1]:.3f} | {s.hits[5]:.3f} "
          f"| {s.mrr:.3f} | {s.latency_p50_ms:.1f} ms | {s.latency_p95_ms:.1f} ms | – |")
    idx.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="skip the sweep")
    args = ap.parse_args()
    questions = load_questions(QUESTIONS)
    emb = TimedEmbedder(get_embedder())
    print(f"# Retrieval benchmark  (python {platform.python_version()}, {platform.machine()}, "
          f"embedder {emb.name}, {sum(q.answerable for q in questions)} answerable gold questions)")
    print(f"shipped defaults: {dataclasses.asdict(SearchConfig())}, chunking {ChunkConfig().signature}")
    started = time.perf_counter()
    report = build_distractors(cache_dir("distractor-articles"))
    print(f"distractors: {report.summary()}")
    if not args.quick:
        sweep(emb, questions, report.out_dir)
    small = compare(emb, questions, "samples", [sample_dir()])
    big = compare(emb, questions, "samples+distractors", [sample_dir(), report.out_dir])
    label = "(c) hybrid (shipped defaults)"
    worse = {q: (small[label].ranks[q], r) for q, r in big[label].ranks.items()
             if (r or 99) > (small[label].ranks[q] or 99)}
    print(f"\nWith distractors, questions whose first relevant rank got worse (hybrid): {worse or 'none'}")
    print(f"\n(total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
