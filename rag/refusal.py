"""Refuse or answer: do the verified sentences answer the question? A calibrated decision, not a rule list.

After verification, two kinds of evidence are weighed by a logistic regression fitted on dev questions
(``eval/fit.py --answerable``; weights in ``rag/judges/weights.json``):

- the model that answers (the local llama.cpp model) is asked, before it writes the answer and from the answer
  prompt itself, whether the passages state the answer (``rag.prompt.ANSWERABLE_ASK``): its P("Yes") from one
  forward pass; the answer that follows reuses the evaluated prompt, so the ask costs only its own few tokens;
- the checks of ``rag.answerability`` on the verified sentences: a name the question asks about that no passage
  mentions, no supported sentence giving the kind of answer asked for ("how many ..." and no count), and the
  one that does not being about whoever the question asks about; and the share of the reply that survived.

Without a model (the extractive and hosted backends) the checks alone decide, with their own fitted weights.
A refusal says why: the first failed check's reason, else what the model read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rag.answerability import findings
from rag.judges import calibration

CHECKS = ("names", "kind", "speaker")


def features(found: dict[str, str], *, kept: int, dropped: int, p_model: float | None = None) -> dict[str, float]:
    """The decision's inputs from the checks' ``findings`` (also recorded by the eval runner, to fit the weights)."""
    out = {f"fails_{c}": float(bool(found[c])) for c in CHECKS}
    out["kept_share"] = kept / max(1, kept + dropped)
    if p_model is not None:
        out["model_logit"] = calibration.logit(p_model)
    return out


def decide(question: str, supported: Sequence[tuple[str, str]], passages: Sequence[str], *, kept: int,
           dropped: int, p_model: float | None = None, outlets: Iterable[str] = ()) -> tuple[str, dict[str, float]]:
    """("" to answer, or the reason to refuse) and the features it was decided on."""
    found = findings(question, supported, passages, outlets)
    values = features(found, kept=kept, dropped=dropped, p_model=p_model)
    rule = calibration.combiner("answerable" if "model_logit" in values else "answerable-offline")
    p = rule.probability(values)
    if p >= rule.threshold:
        return "", values
    reason = next((found[c] for c in CHECKS if found[c]), "")
    if not reason:
        reason = (f"the model does not read the passages as answering it (P={p_model:.2f})" if p_model is not None
                  else "the supported sentences do not look like an answer to it")
    return reason, values
