"""Our pipeline vs LlamaIndex's default pipeline on Chroma: same articles, same model, one run (issue #7).

Run:  .venv/bin/python bench/vs_llamaindex.py [--rounds 3] [--passages 720]     (~4-5 min on 2 cores)

Articles: the five sample articles (``index.sample_dir()``) plus the retrieval benchmark's distractor corpus
(``eval.distractors.build_distractors``: ~720 passages of prose shipped in installed packages, written to a temp
folder). Both pipelines get the same file paths and embed with the bundled all-MiniLM-L6-v2
(``index.embedding.get_embedder()``; LlamaIndex through ``eval.baselines.wrap_embedder``, passed explicitly;
llama-index's global ``Settings`` are never used).

1. Ours: ``index.Index(cold temp folder).ingest(paths)``, embedded Chroma, ``.search(q, k=5)`` (shipped defaults).
2. LlamaIndex defaults: ``SimpleDirectoryReader(input_files=paths)`` (its default reader: documents are the RAW
   file text, and the reader's ``file_path`` metadata is embedded with each chunk), ``VectorStoreIndex.from_documents``
   with the default ``SentenceSplitter`` (1024/200 tokens) into a ``ChromaVectorStore`` on an embedded
   ``chromadb.PersistentClient`` in its own temp folder, then ``as_retriever(similarity_top_k=5).retrieve(q)``.

Each pipeline runs in its own subprocess, one after the other. Measured per pipeline:
- ingest: wall time from opening the store to done on a cold folder (read, clean/split, embed, write);
  chunks/s = chunks stored / that time; corpus words/s = whitespace words in the files / that time;
- search p50/p95 over the answerable gold questions with gold spans (eval/data/questions.jsonl): one warm-up
  query, then each question ``--rounds`` times; includes embedding the query (same model for both);
- peak RSS of the process, and its rise after the model is loaded and warmed (the rise includes modules the
  pipeline imports on first use);
- hit@5: a top-5 result covers at least half of a gold quote of the right article (``eval.retrieval.covers``;
  for ours ``relevant``, which also counts copies folded into a hit, as bench/retrieval.py does). Gold quotes
  are located in each pipeline's own text: our cleaned text, LlamaIndex's raw file text;
- re-ingest of the unchanged corpus: ours reopens the folder and skips unchanged files. LlamaIndex's default
  has no such check (the reader gives random document ids, the splitter random node ids), so ``from_documents``
  again into the same collection re-embeds everything and adds a second copy of every chunk: that is what is
  timed, with the collection size after it. (Its remedy, an ``IngestionPipeline`` with a docstore and
  ``filename_as_id=True``, is not the default and is not measured.)

Caveats: MiniLM reads at most 256 word pieces, so LlamaIndex's 1024-token chunks are embedded from roughly their
first quarter (see eval/baselines.py), and chunks/s compares chunks of different sizes (ours are 200 tokens).
Our search is hybrid (BM25 + dense, diversity, copy folding); LlamaIndex's is dense only. On a shared machine
the timings are noisy: load averages are printed. LlamaIndex's chunk count can vary by one between runs: the
splitter counts the embedded ``file_path`` (a random temp folder) against the chunk size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval.datasets import QUESTIONS, Question, load_questions  # noqa: E402
from eval.metrics import percentile  # noqa: E402
from eval.retrieval import GoldSpan, covers, gold_spans, relevant, score_retrieval  # noqa: E402
from index.paths import sample_dir  # noqa: E402

PIPELINES = {"ours": "ours (Index, hybrid, k=5)", "llamaindex": "LlamaIndex defaults + Chroma (top 5)"}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_searches(search: Callable[[str], Any], questions: Sequence[Question], rounds: int) -> list[float]:
    search("warm up")
    times = []
    for _ in range(rounds):
        for q in questions:
            started = time.perf_counter()
            search(q.question)
            times.append((time.perf_counter() - started) * 1000)
    return times


def run_ours(paths: list[Path], questions: list[Question], rounds: int, tmp: Path) -> dict[str, Any]:
    import chromadb  # noqa: F401  (imported before the RSS baseline, like llama-index's libraries)

    from index import Index
    from index.embedding import get_embedder

    embedder = get_embedder()
    embedder.embed("warm up")
    base_rss = rss_mb()
    started = time.perf_counter()
    idx = Index(tmp / "index", embedder=embedder)
    idx.ingest(paths)
    ingest_s = time.perf_counter() - started
    info = idx.info()
    times = timed_searches(lambda q: idx.search(q, k=5), questions, rounds)
    score = score_retrieval(
        lambda q, k: idx.search(q, k=k), questions, gold_spans(idx, questions), depth=5, is_relevant=relevant
    )
    idx.close()
    started = time.perf_counter()
    again = Index(tmp / "index", embedder=embedder)
    report = again.ingest(paths)
    reingest_s, after = time.perf_counter() - started, again.info().chunks
    again.close()
    return {
        "ingest_s": ingest_s,
        "chunks": info.chunks,
        "documents": info.documents,
        "times": times,
        "hit5": score.hits[5],
        "base_rss": base_rss,
        "reingest_s": reingest_s,
        "chunks_after": after,
        "reingest_note": f"{len(report.unchanged)} files skipped as unchanged, {report.chunks_added} chunks added",
    }


def run_llamaindex(paths: list[Path], questions: list[Question], rounds: int, tmp: Path) -> dict[str, Any]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
    from llama_index.core.schema import MetadataMode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    from eval.baselines import locate, wrap_embedder
    from index.embedding import get_embedder
    from index.types import Passage

    embed_model = wrap_embedder(get_embedder())
    embed_model.get_query_embedding("warm up")
    base_rss = rss_mb()

    def ingest(collection: Any) -> VectorStoreIndex:
        documents = SimpleDirectoryReader(input_files=[str(p) for p in paths]).load_data()
        store = ChromaVectorStore(chroma_collection=collection)
        return VectorStoreIndex.from_documents(
            documents, storage_context=StorageContext.from_defaults(vector_store=store), embed_model=embed_model
        )

    started = time.perf_counter()
    client = chromadb.PersistentClient(path=str(tmp / "chroma"), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("articles")
    index = ingest(collection)
    ingest_s = time.perf_counter() - started
    chunks = collection.count()
    retriever = index.as_retriever(similarity_top_k=5)
    times = timed_searches(retriever.retrieve, questions, rounds)

    raw = {p.stem: p.read_text(encoding="utf-8") for p in paths}
    golds: dict[str, list[GoldSpan]] = {}
    for q in questions:
        golds[q.id] = []
        for g in q.passages:
            stem = g.article if g.article in raw else next((s for s in raw if s.startswith(g.article)), None)
            at = raw[stem].find(g.quote) if stem else -1
            if stem and at >= 0:
                golds[q.id].append(GoldSpan(g.article, stem, at, at + len(g.quote)))

    def passages(question: str, k: int) -> list[Passage]:
        out = []
        for r in retriever.retrieve(question):
            stem = Path(r.node.metadata["file_path"]).stem
            text = r.node.get_content(metadata_mode=MetadataMode.NONE)
            span = locate(raw[stem], text, r.node.start_char_idx, r.node.end_char_idx, 0) or (0, 0)
            out.append(Passage(text=text, doc_id=stem, start=span[0], end=span[1]))
        return out[:k]

    score = score_retrieval(passages, questions, golds, depth=5, is_relevant=lambda p, g: covers(p, g))
    started = time.perf_counter()
    ingest(collection)
    reingest_s = time.perf_counter() - started
    return {
        "ingest_s": ingest_s,
        "chunks": chunks,
        "times": times,
        "hit5": score.hits[5],
        "base_rss": base_rss,
        "reingest_s": reingest_s,
        "chunks_after": collection.count(),
        "reingest_note": "from_documents again: all re-embedded and added again",
    }


def one(name: str, corpus: Path, rounds: int) -> None:
    """Measure one pipeline in this process and print its figures as JSON on the last line."""
    paths = sorted(sample_dir().glob("*.txt")) + sorted(corpus.glob("*.txt"))
    questions = [q for q in load_questions(QUESTIONS) if q.answerable and q.passages]
    run = {"ours": run_ours, "llamaindex": run_llamaindex}[name]
    with tempfile.TemporaryDirectory(prefix=f"vs-llamaindex-{name}-") as tmp:
        result = run(paths, questions, rounds, Path(tmp))
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in paths)
    result.update(peak_rss=rss_mb(), files=len(paths), words=words, questions=len(questions), load=os.getloadavg()[0])
    print(json.dumps(result))


def row(label: str, r: dict[str, Any]) -> str:
    t = r["times"]
    return (
        f"| {label} | {r['chunks']:,} | {r['ingest_s']:.1f} s | {r['chunks'] / r['ingest_s']:.1f} "
        f"| {r['words'] / r['ingest_s']:,.0f} "
        f"| {percentile(t, 50):.1f} / {percentile(t, 95):.1f} ms | {r['hit5']:.3f} "
        f"| {r['peak_rss']:.0f} MB (+{r['peak_rss'] - r['base_rss']:.0f}) "
        f"| {r['reingest_s']:.1f} s; {r['chunks_after']:,} chunks after ({r['reingest_note']}) |"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3, help="times each question is asked after the warm-up")
    ap.add_argument("--passages", type=int, default=720, help="distractor passages (the retrieval bench's 720)")
    ap.add_argument("--one", choices=sorted(PIPELINES), help=argparse.SUPPRESS)  # internal: one pipeline
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        one(args.one, args.corpus, args.rounds)
        return
    started = time.perf_counter()
    from eval.distractors import build_distractors

    print(f"command: {shlex.join([sys.executable, *sys.argv])}")
    print(
        f"machine: {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {platform.machine()}, "
        f"python {platform.python_version()}, load average at start {os.getloadavg()[0]:.2f}"
    )
    with tempfile.TemporaryDirectory(prefix="vs-llamaindex-corpus-") as tmp:
        report = build_distractors(Path(tmp), min_passages=args.passages, target_passages=args.passages)
        results = {}
        for name in PIPELINES:
            cmd = [sys.executable, __file__, "--one", name, "--corpus", tmp, "--rounds", str(args.rounds)]
            got = subprocess.run(cmd, capture_output=True, text=True)
            if got.returncode:
                sys.exit(f"{name} failed:\n{got.stderr[-3000:]}")
            results[name] = json.loads(got.stdout.strip().splitlines()[-1])
    ours = results["ours"]
    print(
        f"corpus: {ours['files']} files (5 sample articles + {report.files} distractor files, "
        f"{report.passages} passages, {report.words:,} words); ours stores {ours['documents']} documents / "
        f"{ours['chunks']:,} chunks, LlamaIndex {results['llamaindex']['chunks']:,} chunks"
    )
    print(
        f"questions: {ours['questions']} answerable gold questions, each asked {args.rounds}x after one warm-up; "
        f"embedder all-MiniLM-L6-v2 (bundled) for both\n"
    )
    print(
        "| pipeline | chunks | ingest (cold) | chunks/s | corpus words/s | search p50 / p95 | hit@5 "
        "| peak RSS (+ over model loaded) | re-ingest unchanged |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, label in PIPELINES.items():
        print(row(label, results[name]))
    loads = ", ".join(f"{name} {r['load']:.2f}" for name, r in results.items())
    print(f"\n(load average at the end of each pipeline: {loads}; total {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
