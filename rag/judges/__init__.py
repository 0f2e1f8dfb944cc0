"""Faithfulness judges by name: does a set of passages support a claim?

``get_judge("offline")`` (no LLM: spaCy + MiniLM checks), ``get_judge("lexical")`` (content-word share,
the baseline) and ``get_judge("llm", backend=...)`` (any answer backend as the judge).
"""

from __future__ import annotations

import importlib
from typing import Any

from index.errors import ConfigError
from rag.judges.base import Judge, Verdict, cited_sentences, split_claims, strip_markers

JUDGES = {
    "offline": "rag.judges.offline:OfflineJudge",
    "lexical": "rag.judges.lexical:LexicalJudge",
    "llm": "rag.judges.llm:LLMJudge",
}
DEFAULT_JUDGE = "offline"


def get_judge(name: str, **options: Any) -> Judge:
    """Build the judge registered as ``name`` with ``options`` as constructor arguments."""
    try:
        target = JUDGES[name]
    except KeyError:
        raise ConfigError(f"Unknown judge {name!r}; known judges: {', '.join(JUDGES)}") from None
    module, cls = target.split(":")
    judge: Judge = getattr(importlib.import_module(module), cls)(**options)
    return judge


__all__ = ["JUDGES", "DEFAULT_JUDGE", "Judge", "Verdict", "cited_sentences", "get_judge", "split_claims",
           "strip_markers"]
