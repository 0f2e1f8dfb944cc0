"""Gold data on disk: question sets and labelled claim files (JSONL), read with clear errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import ConfigError

DATA_DIR = Path(__file__).resolve().parent / "data"
QUESTIONS = DATA_DIR / "questions.jsonl"
QUESTIONS_HELDOUT = DATA_DIR / "questions_heldout.jsonl"  # written apart from the rules tuned on QUESTIONS
CLAIMS = DATA_DIR / "claims.jsonl"
CLAIMS_HELDOUT = DATA_DIR / "claims_heldout.jsonl"
CLAIMS_REUTERS_DEV = DATA_DIR / "claims_reuters_dev.jsonl"  # perturbed and paraphrased Reuters sentences
CLAIMS_TEST = DATA_DIR / "claims_test.jsonl"  # written blind to the judges and the dev claims (Reuters + samples)
JUDGE_DEV = (CLAIMS, CLAIMS_HELDOUT, CLAIMS_REUTERS_DEV)  # what the judge's combiner is fitted on
JUDGE_TEST = (CLAIMS_TEST,)
# the reader model's own sentences (Qwen2.5 1.5B, session 23's runs) on the Reuters dev / test questions, from
# ``python -m eval.replies``, labelled by helpers blind to the judge; not fitted on (docs/judge.md says why)
REPLIES_DEV = DATA_DIR / "replies_reuters_dev.jsonl"
REPLIES_TEST = DATA_DIR / "replies_reuters_test.jsonl"


@dataclass
class GoldPassage:
    """A passage that supports a gold answer: the article's file stem and a verbatim quote from it."""

    article: str
    quote: str


@dataclass
class Question:
    id: str
    question: str
    answer: str
    answers: list[str]
    answerable: bool
    kind: str  # single | multi | unanswerable
    passages: list[GoldPassage] = field(default_factory=list)


@dataclass
class LabelledClaim:
    claim: str
    passages: list[str]
    label: int  # 1 supported, 0 unsupported
    question: str | None = None
    kind: str | None = None
    article: str | None = None  # the article the passage comes from (a sample's file stem or "reuters-NEWID")


def read_jsonl(path: str | Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a bad line raises ``ConfigError`` naming it."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such file; give a JSONL file (one JSON object per line)")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{n}: not valid JSON ({exc.msg}); fix or remove that line") from None
        if not isinstance(obj, dict):
            raise ConfigError(f"{path}:{n}: expected a JSON object per line")
        rows.append((n, obj))
    if not rows:
        raise ConfigError(f"{path}: the file has no lines")
    return rows


def _need(path: Path, n: int, obj: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in obj or not isinstance(obj[key], kind):
        raise ConfigError(f"{path}:{n}: needs {key!r} of type {getattr(kind, '__name__', kind)}")
    return obj[key]


def load_questions(path: str | Path = QUESTIONS) -> list[Question]:
    """A question set: ``{"id", "question", "answer", "answers", "answerable", "kind", "passages"}`` per line."""
    path = Path(path)
    out = []
    for n, obj in read_jsonl(path):
        answerable = bool(obj.get("answerable", True))
        passages = [GoldPassage(str(p["article"]), str(p["quote"])) for p in obj.get("passages", [])]
        answer = str(obj.get("answer", ""))
        out.append(Question(
            id=str(obj.get("id", f"line{n}")), question=_need(path, n, obj, "question", str), answer=answer,
            answers=[str(a) for a in obj.get("answers", [])] or ([answer] if answer else []),
            answerable=answerable, kind=str(obj.get("kind", "single" if answerable else "unanswerable")),
            passages=passages,
        ))
    return out


def load_claims(path: str | Path = CLAIMS) -> list[LabelledClaim]:
    """A labelled claim file: ``{"claim": str, "passages": [str, ...], "label": 1|0, "question"?: str}``."""
    path = Path(path)
    out = []
    for n, obj in read_jsonl(path):
        claim = _need(path, n, obj, "claim", str)
        passages = _need(path, n, obj, "passages", list)
        label = obj.get("label")
        if label not in (0, 1) or isinstance(label, bool):
            raise ConfigError(f"{path}:{n}: 'label' must be 1 (supported) or 0 (unsupported)")
        if not passages or not all(isinstance(p, str) for p in passages):
            raise ConfigError(f"{path}:{n}: 'passages' must be a non-empty list of strings")
        out.append(LabelledClaim(claim, passages, int(label), obj.get("question"), obj.get("kind"), obj.get("article")))
    return out
