"""Measure judges against a labelled claim file: ``rag eval judge FILE.jsonl``."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eval.datasets import LabelledClaim, load_claims
from eval.metrics import ClassificationScores, classification_scores
from rag.judges import Judge


@dataclass
class JudgeReport:
    judge: str  # the judge's full description (names its model and thresholds)
    file: str
    scores: ClassificationScores
    by_kind: dict[str, float]  # kind -> share judged correctly
    seconds: float
    errors: list[dict[str, Any]] = field(default_factory=list)  # misjudged claims with the judge's reasons

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "scores": asdict(self.scores)}


def evaluate_judge(judge: Judge, path: str | Path, *, progress: bool = False) -> JudgeReport:
    """Run ``judge`` on every labelled claim in ``path`` and score it against the labels."""
    from tqdm import tqdm

    claims = load_claims(path)
    started = time.perf_counter()
    verdicts = []
    for claim in tqdm(claims, desc=f"judge {judge.name}", unit="claim", disable=not progress):
        verdicts.append(judge.judge(claim.claim, claim.passages, claim.question))
    seconds = time.perf_counter() - started
    scores = classification_scores([c.label for c in claims], [v.supported for v in verdicts])
    right: dict[str, list[bool]] = defaultdict(list)
    errors = []
    for claim, verdict in zip(claims, verdicts, strict=True):
        ok = verdict.supported == bool(claim.label)
        right[_kind(claim)].append(ok)
        if not ok:
            errors.append({"claim": claim.claim, "label": claim.label, "kind": claim.kind,
                           "score": verdict.score, "reasons": verdict.reasons, "evidence": verdict.evidence})
    by_kind = {k: sum(v) / len(v) for k, v in sorted(right.items())}
    return JudgeReport(judge.describe(), str(path), scores, by_kind, round(seconds, 2), errors)


def _kind(claim: LabelledClaim) -> str:
    return claim.kind or ("supported" if claim.label else "unsupported")


def format_table(reports: list[JudgeReport]) -> str:
    """A plain-text table, one row per judge, then accuracy by claim kind."""
    head = f"{'judge':<10} {'bal.acc':>7} {'acc':>6} {'unsup.P':>7} {'unsup.R':>7} {'sup.R':>6} {'n':>4} {'sec':>7}"
    lines = [head, "-" * len(head)]
    for r in reports:
        s = r.scores
        lines.append(f"{r.judge.split(' ')[0]:<10} {s.balanced_accuracy:>7.3f} {s.accuracy:>6.3f} "
                     f"{s.unsupported_precision:>7.3f} {s.unsupported_recall:>7.3f} {s.supported_recall:>6.3f} "
                     f"{s.n:>4} {r.seconds:>7.1f}")
    kinds = sorted({k for r in reports for k in r.by_kind})
    lines += ["", "share judged correctly, by claim kind:", f"{'judge':<10} " + " ".join(f"{k[:9]:>9}" for k in kinds)]
    for r in reports:
        lines.append(f"{r.judge.split(' ')[0]:<10} " + " ".join(f"{r.by_kind.get(k, 0):>9.2f}" for k in kinds))
    lines += ["", "judges:"] + [f"  {r.judge}" for r in reports]
    return "\n".join(lines)
