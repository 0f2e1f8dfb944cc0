"""The ``rag`` command line: ingest, ask, search, info.

Settings come from ``RAG_*`` environment variables (see ``rag.settings``); flags override them.
Heavy libraries load only when a command needs them, so ``rag --help`` is instant.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import textwrap
import time
from dataclasses import asdict
from typing import Any

from index.errors import RagError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Ask questions about news articles; get cited answers.")
    p.add_argument("--index-dir", help="index folder (default: $RAG_INDEX_DIR, else a per-user data folder)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ing = sub.add_parser("ingest", help="index article files, archives and folders (.txt, .md, .html; "
                         ".sgm Reuters SGML, .jsonl JSON Lines)")
    ing.add_argument("paths", nargs="*", metavar="PATH", help="files, archives and folders (walked)")
    ing.add_argument("--sample", action="store_true", help="ingest the five bundled demo articles")
    ing.add_argument("--prune", action="store_true", help="remove indexed files that no longer exist, and "
                     "archive articles their archive no longer holds")
    ing.add_argument("--max-file-mb", type=float, help="skip files (in an archive: stories or lines) larger than "
                     "this (default 10, $RAG_MAX_FILE_MB)")
    ing.add_argument("--encoding", help="read files with this encoding instead of UTF-8 (e.g. latin-1)")
    ing.add_argument("--no-progress", action="store_true", help="no progress bar")
    ing.add_argument("--json", action="store_true", help="print the report as JSON")

    def retrieval_flags(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("-k", type=int, help="passages to retrieve (default 5, $RAG_K)")
        sp.add_argument("--source", action="append", help="only this outlet (repeatable)")
        sp.add_argument("--since", help="only articles published on or after YYYY-MM-DD")
        sp.add_argument("--until", help="only articles published on or before YYYY-MM-DD")
        sp.add_argument("--all-versions", action="store_true", help="also the earlier versions of stories updated "
                        "or corrected since (default: the latest version, which says when it was first filed)")
        sp.add_argument("--json", action="store_true", help="print JSON")

    ask = sub.add_parser("ask", help="answer a question with numbered sources")
    ask.add_argument("question")
    retrieval_flags(ask)
    ask.add_argument("--backend", help="llama-cpp (default), extractive or openai ($RAG_BACKEND)")
    ask.add_argument("--model", help="llama-cpp: qwen2.5-1.5b (default), qwen2.5-0.5b, smollm2 or a GGUF path "
                     "($RAG_MODEL); openai: the model name on the server ($RAG_OPENAI_MODEL)")
    ask.add_argument("--base-url", help="OpenAI-compatible server URL ($RAG_OPENAI_BASE_URL)")
    ask.add_argument("--api-key-env", help="variable holding the API key ($RAG_OPENAI_API_KEY_ENV; '' for none)")
    ask.add_argument("--mark-unsupported", action="store_true",
                     help="keep sentences the passages do not support, marked [unsupported] (default: remove them)")
    ask.add_argument("--no-verify", action="store_true", help="skip checking sentences against their passages")
    ask.add_argument("--stream", action="store_true", help="print the backend's text as it is written, then the "
                     "verified answer")

    srch = sub.add_parser("search", help="show the passages that best match a query")
    srch.add_argument("query")
    retrieval_flags(srch)

    sub.add_parser("info", help="what is indexed, where, and with which models")
    for module in COMMAND_GROUPS.values():
        _group(module).add_parser(sub)
    return p


# Command groups that live in packages layered above ``rag`` (they import ``rag``, not the reverse), found by
# module name: each module has ``add_parser(subparsers)`` and ``main(args, settings)``.
COMMAND_GROUPS = {"eval": "eval.cli", "ui": "ui.cli"}


def _group(module: str) -> Any:
    return importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from rag.settings import Settings

        overrides = {"index_dir": args.index_dir} if args.index_dir else {}
        settings = Settings(**overrides)
        if args.command in COMMAND_GROUPS:
            return int(_group(COMMAND_GROUPS[args.command]).main(args, settings) or 0)
        return int(COMMANDS[args.command](args, settings) or 0)
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `rag ask ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted; everything ingested so far is kept", file=sys.stderr)
        return 130


def _filters(args: argparse.Namespace) -> dict[str, Any]:
    chosen = {"source": args.source, "since": args.since, "until": args.until,
              "versions": "all" if getattr(args, "all_versions", False) else None}
    return {k: v for k, v in chosen.items() if v}


def cmd_ingest(args: argparse.Namespace, settings: Any) -> int:
    from index import sample_dir
    from rag.api import ingest

    paths = list(args.paths) + ([str(sample_dir())] if args.sample else [])
    if not paths:
        print("error: name files or folders to ingest, or use --sample", file=sys.stderr)
        return 2
    max_mb = args.max_file_mb if args.max_file_mb is not None else settings.max_file_mb
    started = time.perf_counter()
    report = ingest(paths, index_dir=settings.index_dir, prune=args.prune, max_bytes=int(max_mb * 1e6),
                    encoding=args.encoding, progress=not args.no_progress and not args.json)
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({**asdict(report), "seconds": round(seconds, 3)}, indent=2))
    else:
        print(f"{report.summary()} in {seconds:.1f} s")
        for path, reason in report.skipped:
            print(f"  skipped {path}: {reason}")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Any) -> int:
    from rag.api import answer_stream, open_index
    from rag.backends import get_backend
    from rag.types import Answer

    name = args.backend or settings.backend
    if not name:
        from rag.backends import default_backend_name

        name, note = default_backend_name(args.model or settings.model)
        if note:
            print(f"({note})", file=sys.stderr)
    model_key = "openai_model" if name == "openai" else "model"
    cli = {model_key: args.model, "openai_base_url": args.base_url, "openai_api_key_env": args.api_key_env}
    settings = settings.model_copy(update={k: v for k, v in cli.items() if v is not None})
    backend = get_backend(name, **settings.backend_options(name))
    idx = open_index(settings.index_dir, reranker=settings.build_reranker())
    if not idx.is_empty():  # an empty index fails fast below, without loading the model
        idx.warm_up()  # so the time printed below is the answer's, not the models' loading
        backend.warm_up()
    started = time.perf_counter()
    streamed = args.stream and not args.json
    answer = None
    first_piece = None
    for piece in answer_stream(idx, args.question, backend=backend, k=args.k or settings.k, filters=_filters(args),
                               verify=not args.no_verify, unsupported="mark" if args.mark_unsupported else "remove",
                               stream=streamed):
        if isinstance(piece, Answer):
            answer = piece
        elif streamed:
            first_piece = first_piece or time.perf_counter() - started
            print(piece, end="", flush=True)
    assert answer is not None
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({**asdict(answer), "seconds": round(seconds, 3)}, indent=2, ensure_ascii=False))
        return 0
    if streamed:
        print("\n\nVerified answer:" if not answer.refused else "\n")
    _print_hints(idx, args.question, args, answer.passages)
    print(answer.text)
    if not answer.refused and not answer.citations:
        print("\n(warning: this answer cites no passage, so nothing in the articles backs it)")
    if answer.dropped_markers:
        print(f"\n(dropped citation markers that point at no passage: {answer.dropped_markers})")
    shown = answer.citations if not answer.refused else []
    if answer.refused:
        if answer.refusal_reason:
            print(textwrap.fill(f"(Why: {answer.refusal_reason}.)", 100))
        print("\nClosest passages:")
        shown = [_as_citation(i, h) for i, h in enumerate(answer.passages[:3], 1)]
    else:
        print("\nSources:")
    for c in shown:
        _print_source(c)
    if answer.dropped:
        verb = "marked" if args.mark_unsupported else "removed"
        print(f"\n{verb.capitalize()} as not supported by the passages:")
        for d in answer.dropped:
            print(textwrap.indent(textwrap.fill(f"- {d.sentence} ({d.reason})", 100), "  "))
    checked = f"; every sentence checked by the {answer.verified_by.split(' ')[0]} judge" if answer.verified_by else ""
    first = f"; first text after {first_piece:.2f} s" if first_piece else ""
    print(f"\n({backend.describe()}, {seconds:.2f} s{first}{checked})")
    return 0


def _as_citation(number: int, hit: Any) -> Any:
    from rag.types import Citation

    return Citation.from_hit(number, hit)


def _print_source(c: Any) -> None:
    from rag.prompt import describe, version_note

    note = version_note(c)
    print(f"[{c.number}] {describe(c)}" + (f" ({note})" if note else ""))
    if c.url:
        print(f"    {c.url}")
    if getattr(c, "quote", None):
        print(textwrap.indent(textwrap.fill(f"» {' '.join(c.quote.text.split())}", 100), "    "))
    print(textwrap.indent(textwrap.fill(" ".join(c.text.split()), 100), "    "))


def _print_hints(idx: Any, question: str, args: argparse.Namespace, hits: list[Any]) -> None:
    """Say how the question's own outlet, dates or "latest" shaped the search (not in --json output), e.g.
    'dates: published 1987-03-01 to 1987-03-31 ("in March 1987")'."""
    if args.json:
        return
    hints = idx.hints(question, _filters(args))  # the period as cut by --since/--until
    narrowed = bool(hits) and not args.source and {h.source for h in hits} <= set(hints.sources)
    notes = [n for n in hints.notes if narrowed or not n.startswith("narrowed")]
    if notes:
        print(f"({'; '.join(notes)})\n")


def cmd_search(args: argparse.Namespace, settings: Any) -> int:
    from rag.api import open_index, search

    open_index(settings.index_dir, reranker=settings.build_reranker())
    hits = search(args.query, k=args.k or settings.k, index_dir=settings.index_dir, filters=_filters(args))
    if args.json:
        print(json.dumps([asdict(h) for h in hits], indent=2, ensure_ascii=False))
        return 0
    _print_hints(open_index(settings.index_dir), args.query, args, hits)
    for n, hit in enumerate(hits, 1):
        print(f"{hit.score:.3f}  ", end="")
        _print_source(_as_citation(n, hit))
    if not hits:
        print("no passage matches the filters")
    return 0


def cmd_info(args: argparse.Namespace, settings: Any) -> int:
    from rag.api import open_index

    idx = open_index(settings.index_dir)
    info = idx.info()
    print(f"index:      {info.index_dir}")
    print(f"documents:  {info.documents}")
    print(f"chunks:     {info.chunks}")
    print(f"outlets:    {', '.join(info.sources) or '(none known)'}")
    if info.first_date:
        print(f"dates:      {info.first_date} to {info.last_date}")
    print(f"embedder:   {info.embedder} (sentence-transformers, bundled)")
    print(f"chunking:   {idx.chunking.size} tokens, {idx.chunking.overlap} overlap")
    cfg = idx.searcher.config
    print(f"search:     hybrid (dense {cfg.dense_weight:g} + BM25 {1 - cfg.dense_weight:g}, MMR {cfg.mmr_lambda:g}), "
          f"reranker {settings.reranker}")
    from rag.backends import default_backend_name

    name, note = (settings.backend, "") if settings.backend else default_backend_name(settings.model)
    model = f" ({_model_line(settings, name)})" if name != "extractive" else ""
    print(f"backend:    {name}{model}")
    if note:
        print(f"            ({note})")
    if info.documents == 0:
        print("\nThe index is empty. Add articles with: rag ingest PATH...  (or: rag ingest --sample)")
    return 0


def _model_line(settings: Any, name: str) -> str:
    if name == "openai":
        from rag.backends.openai import _without_credentials

        return f"{settings.openai_model} at {_without_credentials(settings.openai_base_url or '(no URL set)')}"
    from rag.backends.gguf import MODELS

    known = MODELS.get(settings.model)
    return f"{known.name}: {known.title}, bundled" if known else str(settings.model)


COMMANDS = {"ingest": cmd_ingest, "ask": cmd_ask, "search": cmd_search, "info": cmd_info}

if __name__ == "__main__":
    sys.exit(main())
