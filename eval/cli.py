"""``rag eval``: measure judges, run the harness, compare runs.

``rag.cli`` finds this module by name when ``rag eval`` is called (``rag`` does not import ``eval``:
imports point from ``eval`` to ``rag``). Heavy libraries load only inside the commands.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from eval.datasets import CLAIMS, QUESTIONS


def add_parser(sub: Any) -> None:
    """Add the ``eval`` command and its subcommands to the ``rag`` parser's subparsers."""
    ev = sub.add_parser("eval", help="evaluate: judges on labelled claims, runs over question sets, comparisons")
    esub = ev.add_subparsers(dest="eval_command", required=True, metavar="EVAL_COMMAND")

    j = esub.add_parser("judge", help="score faithfulness judges on a labelled claim file")
    j.add_argument("file", nargs="?", default=str(CLAIMS), help=f"claims JSONL (default: {CLAIMS.name})")
    j.add_argument("--judge", action="append", choices=["model", "offline", "lexical", "llm"],
                   help="judge to measure (repeatable; default: offline and lexical; model loads the local model)")
    j.add_argument("--llm-backend", default="llama-cpp", help="backend for the llm judge: llama-cpp or openai")
    j.add_argument("--errors", action="store_true", help="also list the claims each judge got wrong")
    j.add_argument("--json", action="store_true", help="print JSON")
    j.add_argument("--no-progress", action="store_true", help="no progress bar")

    r = esub.add_parser("run", help="answer a question set and write a scored run folder")
    r.add_argument("dataset", nargs="?", default=str(QUESTIONS), help=f"questions JSONL (default: {QUESTIONS.name})")
    r.add_argument("--backend", help="llama-cpp, extractive or openai "
                                     "(default: $RAG_BACKEND, else llama-cpp when installed)")
    r.add_argument("-k", "--k", type=int, default=5, help="passages retrieved per question (default 5)")
    r.add_argument("--judge", default="offline", choices=["model", "offline", "lexical", "llm"],
                   help="faithfulness judge (default offline)")
    r.add_argument("--articles", help="folder of the articles the questions are about (default: bundled samples; "
                                      "'reuters': the Reuters-21578 stories of eval/reuters.py)")
    r.add_argument("--out", help="run folder (default: eval-runs/<time>-<backend>)")
    r.add_argument("--index", help="index folder for the run (default: a cache folder per article folder, "
                                   "never your own index)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")

    c = esub.add_parser("compare", help="two run folders' summaries side by side")
    c.add_argument("run_a")
    c.add_argument("run_b")
    c.add_argument("--json", action="store_true", help="print JSON")


def main(args: argparse.Namespace, settings: Any) -> int:
    return int({"judge": cmd_judge, "run": cmd_run, "compare": cmd_compare}[args.eval_command](args, settings))


def cmd_judge(args: argparse.Namespace, settings: Any) -> int:
    from eval.judging import evaluate_judge, format_table
    from rag.judges import get_judge

    reports = []
    for name in args.judge or ["offline", "lexical"]:
        if name == "llm":
            judge = get_judge("llm", backend=args.llm_backend, **settings.backend_options(args.llm_backend))
        elif name == "model":
            judge = get_judge("model", **settings.backend_options("llama-cpp"))
        else:
            judge = get_judge(name)
        reports.append(evaluate_judge(judge, args.file, progress=not args.no_progress and not args.json))
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False))
        return 0
    print(f"claims: {args.file}\n")
    print(format_table(reports))
    if args.errors:
        for r in reports:
            print(f"\n{r.judge}: {len(r.errors)} wrong")
            for e in r.errors:
                print(f"  [{e['kind'] or e['label']}] label={e['label']} {e['claim']}")
                if e["reasons"]:
                    print(f"      reasons: {'; '.join(e['reasons'][:3])}")
    return 0


def cmd_run(args: argparse.Namespace, settings: Any) -> int:
    from eval.runner import run
    from rag.api import resolve_backend

    name = args.backend or settings.backend
    backend = resolve_backend(name)
    out = run(args.dataset, backend=backend, k=args.k, judge=args.judge, articles=args.articles,
              index_dir=args.index,
              out_dir=args.out, progress=not args.no_progress, command="rag " + " ".join(sys.argv[1:]))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    o = summary["overall"]
    print(f"\nrun folder: {out}")
    print(f"backend {summary['run']['backend']}; judge {summary['run']['judge']}")
    for key in ("hit@1", "hit@5", "mrr", "answer_match", "token_f1", "refusal_accuracy", "faithfulness",
                "citation_precision", "citation_recall", "latency_p50_s"):
        v = o.get(key)
        print(f"  {key:<20} {'–' if v is None else f'{v:.3f}'}")
    print(f"report: {out / 'report.md'}")
    return 0


def cmd_compare(args: argparse.Namespace, settings: Any) -> int:
    from eval.compare import compare, format_comparison

    if args.json:
        print(json.dumps(compare(args.run_a, args.run_b), indent=2))
    else:
        print(format_comparison(args.run_a, args.run_b))
    return 0
