"""The ``llm`` judge: an answer backend from ``rag.backends`` extracts claims and rules on each one.

Any chat backend runs it: the bundled local model (``RAG_MODEL``, Qwen2.5 1.5B by default) or a hosted one.
SmolLM2-135M judges at about chance (see the README's judge table).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from index.errors import ConfigError
from rag.backends.base import Backend, ChatBackend
from rag.judges.base import Judge, Verdict, split_claims

VERDICT_SYSTEM = (
    "You check facts. You are given passages and one claim. Decide whether the passages alone state or directly "
    "imply the claim. A claim with any detail the passages do not give (a different number, date, name, or an "
    "opposite meaning) is unsupported, even if it is true in the world. Reply with one word: SUPPORTED or "
    "UNSUPPORTED."
)
CLAIMS_SYSTEM = (
    "Split the text into short, self-contained factual claims, one per line, each starting with '- '. "
    "Resolve pronouns to the names they stand for. Output only the list."
)
_UNSUPPORTED = re.compile(r"\b(unsupported|not supported|no|false|incorrect|not stated)\b", re.I)
_SUPPORTED = re.compile(r"\b(supported|yes|true|correct)\b", re.I)
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+(.+?)\s*$")


class LLMJudge(Judge):
    """Asks a chat backend for a verdict per claim.

    Args:
        backend: a ``ChatBackend`` instance or a registry name (``llama-cpp``, ``openai``).
        **options: constructor options when ``backend`` is a name (e.g. ``base_url``, ``model``).
    """

    name = "llm"

    def __init__(self, backend: Backend | str = "llama-cpp", **options: Any) -> None:
        if isinstance(backend, str):
            from rag.backends import get_backend

            backend = get_backend(backend, **options)
        if not isinstance(backend, ChatBackend):
            raise ConfigError(
                f"The llm judge needs a chat model backend (llama-cpp or openai), not {backend.name!r}."
            )
        self.backend = backend

    def describe(self) -> str:
        return f"llm ({self.backend.describe()})"

    def judge(self, claim: str, passages: Sequence[str], question: str | None = None) -> Verdict:
        blocks = "\n\n".join(f"Passage {n}:\n{p}" for n, p in enumerate(passages, 1))
        said = f"Question: {question}\nAnswer (the claim): {claim}" if question else f"Claim: {claim}"
        reply = self.backend.chat([
            {"role": "system", "content": VERDICT_SYSTEM},
            {"role": "user", "content": f"{blocks}\n\n{said}\n\nSUPPORTED or UNSUPPORTED?"},
        ])
        return parse_verdict(reply)

    def claims(self, answer: str) -> list[str]:
        reply = self.backend.chat([
            {"role": "system", "content": CLAIMS_SYSTEM},
            {"role": "user", "content": answer},
        ])
        items = [m.group(1) for line in reply.splitlines() if (m := _ITEM.match(line))]
        return items or split_claims(answer)


def parse_verdict(reply: str) -> Verdict:
    """A verdict from a model's reply; anything that is not clearly "supported" counts as unsupported."""
    text = reply.strip()
    first = text.split("\n", 1)[0][:200]
    if _UNSUPPORTED.search(first):
        return Verdict(False, 0.0, "", [f"the model said: {first}"])
    if _SUPPORTED.search(first):
        return Verdict(True, 1.0, "", [])
    return Verdict(False, 0.0, "", [f"no clear verdict in the model's reply: {first!r}"])
