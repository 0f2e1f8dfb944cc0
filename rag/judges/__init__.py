"""Faithfulness judges by name: does a set of passages support a claim?

``get_judge("offline")`` (no LLM: spaCy + MiniLM checks), ``get_judge("lexical")`` (content-word share,
the baseline) and ``get_judge("llm", backend=...)`` (any answer backend as the judge).
"""

from __future__ import annotations

from typing import Any

from rag.judges.base import Judge, Verdict, cited_sentences, split_claims, strip_markers

JUDGES = {
    "model": "rag.judges.model:ModelJudge",
    "offline": "rag.judges.offline:OfflineJudge",
    "lexical": "rag.judges.lexical:LexicalJudge",
    "llm": "rag.judges.llm:LLMJudge",
}
DEFAULT_JUDGE = "offline"


def get_judge(name: str, **options: Any) -> Judge:
    """Build the judge registered as ``name`` with ``options`` as constructor arguments."""
    from index.registry import build

    judge: Judge = build(JUDGES, "judge", name, **options)
    return judge


__all__ = ["JUDGES", "DEFAULT_JUDGE", "Judge", "Verdict", "cited_sentences", "get_judge", "split_claims",
           "strip_markers"]
