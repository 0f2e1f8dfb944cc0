"""Hostile text inside articles ("ignore previous instructions and ...") is data, never a command.

Three layers, each simple enough to check:
1. The prompt fences the passages (``<passages>`` ... ``</passages>``) and says passage text is quoted
   data; ``fence`` removes look-alike tags from article text so a passage cannot close the fence.
2. ``instruction_spans`` finds sentences that address the model rather than report news (commands to
   ignore instructions, to reply or say something, role changes, talk of prompts). Verification
   (``rag.verify``) blanks them before judging, so a claim that only an injected instruction "supports"
   is dropped like any unsupported sentence.
3. Everything an answer keeps must be supported by a passage (``rag.verify``).
"""

from __future__ import annotations

import re

from index.chunking import sentence_spans

_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.!?\n]{0,60}\b(instructions?|prompts?|rules|guidelines|"
    r"above|previous|prior|earlier)\b"
    r"|\b(system|developer)\s+(prompt|message|instructions?)\b"
    r"|\byou\s+(are|must|should|will)\s+now\b"
    r"|\b(act|behave|pretend)\s+(as|like)\s+(an?\s+)?(ai|assistant|model|chatbot|language model)\b"
    r"|^\W*(please\s+)?(reply|respond|answer|say|write|output|print|tell the user)\b"
    r"|\b(assistant|ai|chatbot|language model|llm)\s*[:,]\s*(ignore|reply|respond|say|answer)\b",
    re.IGNORECASE,
)
_FENCE = re.compile(r"</?\s*passages?\s*>", re.IGNORECASE)


def fence(text: str) -> str:
    """Article text safe to put between passage tags: look-alike tags are neutralised, same length."""
    return _FENCE.sub(lambda m: "(" + m.group(0)[1:-1] + ")", text)


def instruction_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the sentences in ``text`` that give the model instructions."""
    return [(s, e) for s, e in sentence_spans(text) if _INSTRUCTION.search(text[s:e])]


def without_instructions(text: str) -> str:
    """``text`` with instruction sentences blanked (spaces, so offsets into it stay valid)."""
    for s, e in instruction_spans(text):
        text = text[:s] + " " * (e - s) + text[e:]
    return text
