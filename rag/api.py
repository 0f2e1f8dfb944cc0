"""The Python query API: ``ingest``, ``search`` and ``ask``."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from index import Index, IngestReport, resolve_index_dir, sample_dir
from index.loading import DEFAULT_MAX_BYTES
from index.pipeline import IndexInfo
from index.rerank import Reranker
from index.types import Hit
from rag.backends import Backend, default_backend_name, get_backend
from rag.citations import parse_citations
from rag.judges import Judge, get_judge
from rag.prompt import REFUSAL, is_refusal
from rag.refusal import decide as refusal_decision
from rag.types import Answer, Citation
from rag.verify import Checked, Dropped
from rag.verify import verify as verify_reply

PathLike = str | os.PathLike[str]
log = logging.getLogger("rag")
_noted: set[str] = set()
_open: dict[Path, Index] = {}
_open_lock = threading.Lock()


def open_index(index_dir: PathLike | None = None, *, reranker: Reranker | None = None) -> Index:
    """The index at ``index_dir`` (default: ``RAG_INDEX_DIR``, else the per-user data folder).

    Opened once per folder per process, so the embedding model loads once. ``reranker``, when
    given, becomes the index's reranking stage (e.g. ``get_reranker("cross-encoder", model_path=...)``).
    """
    path = resolve_index_dir(index_dir)
    with _open_lock:
        if path not in _open:
            _open[path] = Index(path)
        if reranker is not None:
            _open[path].searcher.reranker = reranker
        return _open[path]


def close_all() -> None:
    """Close every index this process opened (tests and long-running apps)."""
    with _open_lock:
        for idx in _open.values():
            idx.close()
        _open.clear()


def ingest(
    paths: Iterable[PathLike] | PathLike, *, index_dir: PathLike | None = None, prune: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES, encoding: str | None = None, progress: bool = False,
) -> IngestReport:
    """Index article files, archives and folders (.txt, .md, .html; .sgm Reuters SGML and .jsonl JSON Lines
    archives, one article per story or line: see ``index.archives``).

    Args:
        paths: files and/or folders.
        index_dir: the index folder (default: ``RAG_INDEX_DIR``, else a per-user data folder).
        prune: also remove files that were indexed but no longer exist.
        max_bytes: skip files larger than this.
        encoding: read files with this codec instead of requiring UTF-8.
        progress: show a progress bar.

    Returns:
        An ``IngestReport``: ``.added``, ``.updated``, ``.removed``, ``.skipped`` as (path, reason).
    """
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    return open_index(index_dir).ingest(paths, prune=prune, max_bytes=max_bytes, encoding=encoding,
                                        progress=progress)


def info(index_dir: PathLike | None = None) -> IndexInfo:
    """What the index holds: ``.documents``, ``.chunks``, ``.sources`` (outlets), ``.first_date``/``.last_date``,
    ``.index_dir`` (the data folder) and ``.embedder``."""
    return open_index(index_dir).info()


def sample_articles() -> Path:
    """The folder of the bundled sample articles (five outlets' versions of one story)."""
    return sample_dir()


def search(
    query: str, *, k: int = 5, index_dir: PathLike | None = None, filters: Mapping[str, Any] | None = None,
) -> list[Hit]:
    """The ``k`` passages that best match ``query``, best first.

    ``filters``: ``{"source": "CNN" | [...], "since": "2025-02-01", "until": "2025-02-28"}``.
    """
    return open_index(index_dir).search(query, k=k, filters=filters)


def resolve_backend(llm: Backend | str | None) -> Backend:
    """A backend instance from an instance, a registry name (options from ``RAG_*`` settings) or None.

    None means the default: ``llama-cpp`` with the bundled model, or ``extractive`` when llama.cpp or the model
    packages are not installed (logged once, with the install command).
    """
    if isinstance(llm, Backend):
        return llm
    name = llm
    if not name:
        from rag.settings import Settings

        name, note = default_backend_name(Settings().model)
        if note and note not in _noted:
            _noted.add(note)
            log.warning(note)
    if name in ("llama-cpp", "openai"):
        from rag.settings import Settings

        return get_backend(name, **Settings().backend_options(name))
    return get_backend(name)


def ask(
    question: str, *, k: int = 5, llm: Backend | str | None = None, index_dir: PathLike | None = None,
    filters: Mapping[str, Any] | None = None, verify: bool = True, unsupported: str = "remove",
) -> Answer:
    """Answer ``question`` from the indexed articles, citing numbered passages.

    Args:
        question: the question, in plain language.
        k: passages retrieved and shown to the backend.
        llm: a ``Backend``, or a name: ``llama-cpp`` (the default: the bundled Qwen2.5 1.5B), ``extractive``
            (quotes, no model; the default when llama.cpp is not installed), ``openai``.
        index_dir: the index folder.
        filters: as for ``search``.
        verify: check every sentence against the passages it cites (``default_judge``: the model judge for the
            bundled 1.5B's answers, else the offline judge) and drop what they do not support (see ``rag.verify``).
        unsupported: ``"remove"`` (default) or ``"mark"`` sentences the passages do not support.

    Returns:
        An ``Answer``; ``refused`` is True when the articles do not answer the question.

    Raises:
        EmptyIndexError: nothing has been ingested yet.
        BackendError: the backend failed (e.g. its server is down).
    """
    return answer_from(open_index(index_dir), question, backend=resolve_backend(llm), k=k, filters=filters,
                       verify=verify, unsupported=unsupported)


_judges: dict[tuple[int, str], Judge] = {}


NOTHING_SUPPORTED = "the passages support none of the reply's sentences"


def check_reply(question: str, text: str, hits: list[Hit], judge: Judge, idx: Index, *, mode: str = "remove",
                p_model: float | None = None) -> tuple[Checked, str, dict[str, float]]:
    """Verify ``text`` (a reply with parsed [n] markers) against ``hits`` and take the refusal decision: the
    verified reply, why it is refused ("" when it is not) and the decision's inputs
    (empty when verification kept nothing). ``answer_stream`` and ``eval.reverify`` both decide this way."""
    checked = verify_reply(text, hits, judge, mode=mode, question=question)
    if not checked.kept:
        return checked, NOTHING_SUPPORTED, {}
    why, values = refusal_decision(question, checked.support, [h.text for h in hits], kept=checked.kept,
                                   dropped=len(checked.dropped), p_model=p_model, outlets=idx.hints(question).sources)
    return checked, why, values


def calibrated_model(backend: Backend | None, use: str = "model") -> bool:
    """Whether ``backend`` runs the local model whose probabilities the ``use`` weights were fitted on."""
    from rag.backends.llama_cpp import LlamaCppBackend
    from rag.judges.calibration import combiner

    return isinstance(backend, LlamaCppBackend) and backend.model == combiner(use).model


def default_judge(idx: Index, backend: Backend | None = None) -> Judge:
    """The judge that verifies answers, sharing ``idx``'s embedder; one per embedder and model per process.

    An answer written by the local model the judge's weights were fitted with (``qwen2.5-1.5b``) is checked by
    the ``model`` judge on that same loaded model (the checks plus its P(supported), calibrated); any other answer
    by the ``offline`` judge (checks only, no model to load: another model's probabilities are not calibrated)."""
    local = calibrated_model(backend)
    with _open_lock:
        key = (id(idx.embedder), "model" if local else "")
        if key not in _judges:
            _judges[key] = (get_judge("model", embedder=idx.embedder, backend=backend) if local
                            else get_judge("offline", embedder=idx.embedder))
        return _judges[key]


def answer_from(
    idx: Index, question: str, *, backend: Backend, k: int = 5, filters: Mapping[str, Any] | None = None,
    verify: bool | Judge = True, unsupported: str = "remove",
) -> Answer:
    """``ask`` against an already-open ``Index``; ``verify`` may also be the ``Judge`` to verify with."""
    answer: Answer | None = None
    for piece in answer_stream(idx, question, backend=backend, k=k, filters=filters, verify=verify,
                               unsupported=unsupported, stream=False):
        if isinstance(piece, Answer):
            answer = piece
    assert answer is not None
    return answer


def ask_stream(
    question: str, *, k: int = 5, llm: Backend | str | None = None, index_dir: PathLike | None = None,
    filters: Mapping[str, Any] | None = None, verify: bool = True, unsupported: str = "remove",
) -> Iterator[str | Answer]:
    """``ask``, streamed: yields the backend's text as it is written, then the verified ``Answer`` last.

    The streamed text is the backend's raw reply; the final ``Answer`` is what verification kept
    (compare ``Answer.text``). Example:

        >>> for piece in ask_stream("What did Hegseth say?", llm="llama-cpp"):
        ...     print(piece if isinstance(piece, str) else "\n---\n" + piece.text, end="", flush=True)
    """
    return answer_stream(open_index(index_dir), question, backend=resolve_backend(llm), k=k, filters=filters,
                         verify=verify, unsupported=unsupported)


def answer_stream(
    idx: Index, question: str, *, backend: Backend, k: int = 5, filters: Mapping[str, Any] | None = None,
    verify: bool | Judge = True, unsupported: str = "remove", stream: bool = True,
) -> Iterator[str | Answer]:
    """``ask_stream`` against an already-open ``Index``; ``stream=False`` asks the backend for the whole
    reply at once (``Backend.generate``) and yields only the ``Answer``."""
    hits = idx.search(question, k=k, filters=filters)
    if backend.needs_embedder:
        backend.use_embedder(idx.embedder)
    judge = verify if isinstance(verify, Judge) else default_judge(idx, backend) if verify else None

    reply = ""

    def refusal(text: str, dropped: list[Dropped] | None = None, why: str = "",
                answerability: dict[str, float] | None = None) -> Answer:
        return Answer(text=text, citations=[], refused=True, question=question, backend=backend.name, passages=hits,
                      dropped=dropped or [], verified_by=judge.describe() if judge else "", refusal_reason=why,
                      reply=reply, answerability=answerability or {})

    if not hits:
        yield refusal(f"{REFUSAL} No passage matches the filters.", why="no passage matches the filters")
        return
    # asked before the answer is written, from the answer prompt itself: the generation then reuses its evaluated
    # tokens (rag.refusal weighs it after verification)
    asks_model = judge is not None and calibrated_model(backend, "answerable")
    p_model = backend.answerable_probability(question, hits) if asks_model else None
    if not stream:
        reply = backend.generate(question, hits)
    else:
        pieces = []
        for piece in backend.stream(question, hits):
            pieces.append(piece)
            yield piece
        reply = "".join(pieces)
    if is_refusal(reply):
        yield refusal(REFUSAL, why=f"the {backend.name} backend found no answer in the passages")
        return
    text, _, bad_markers = parse_citations(reply, hits)
    checked: Checked | None = None
    answerability: dict[str, float] = {}
    if judge is not None:
        checked, why, answerability = check_reply(question, text, hits, judge, idx, mode=unsupported, p_model=p_model)
        if why:
            yield refusal(REFUSAL, checked.dropped, why, answerability)
            return
        text = checked.text
    text, citations, _ = parse_citations(text, hits)
    if checked is not None:
        citations = [Citation.from_hit(c.number, hits[c.number - 1], tuple(checked.quotes.get(c.number, [])))
                     for c in citations]
    yield Answer(text=text, citations=citations, refused=False, question=question, backend=backend.name,
                 passages=hits, dropped_markers=bad_markers, dropped=checked.dropped if checked else [],
                 verified_by=judge.describe() if judge else "", reply=reply,
                 answerability=answerability)
