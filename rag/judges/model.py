"""The ``model`` judge: the offline checks plus the bundled model's own reading, combined and calibrated.

The model (the local llama.cpp model, ``RAG_MODEL``; Qwen2.5 1.5B by default) reads the evidence unit the checks
found (with the two sentences before it, at most ``WINDOW_WORDS`` words) and the claim, and is asked whether the
evidence supports it; P(supported) is its next-token probability of "Yes" against "No": one forward pass, no
sampling. The evidence comes first and the claim last, so claims checked against the same evidence reuse its
evaluated tokens. ``rag.judges.calibration`` combines that probability with what the checks found.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from index.errors import ConfigError
from rag.backends.base import Backend
from rag.judges import calibration
from rag.judges.base import Verdict
from rag.judges.checks import Unit
from rag.judges.offline import Assessment, OfflineJudge, dot

WINDOW_WORDS = 120
_MEMO = 512  # verdicts remembered per judge
SYSTEM = "You check whether a passage supports a claim. Answer Yes or No."


def claim_prompt(evidence: str, claim: str, question: str | None = None) -> list[dict[str, str]]:
    """The yes/no prompt: evidence first (its tokens stay cached across claims), then the claim or the answer."""
    if question:
        ask = f"Question: {question}\nAnswer: {claim}\n\nDoes the passage give this answer to the question?"
    else:
        ask = (f"Claim: {claim}\n\nDoes the passage alone support the claim, with every number, date, name and "
               "who did what exactly as stated?")
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": f"Passage:\n{evidence}\n\n{ask} Answer Yes or No."}]


class ModelJudge(OfflineJudge):
    """Offline checks plus the local model's P(supported), combined by fitted weights (``weights.json``).

    Args:
        embedder: as for ``OfflineJudge``.
        backend: a backend with ``yes_probability`` (``llama-cpp``), or its registry name.
        **options: constructor options when ``backend`` is a name (e.g. ``model="qwen2.5-0.5b"``).
    """

    name = "model"

    def __init__(self, embedder: Any = None, *, backend: Backend | str = "llama-cpp", **options: Any) -> None:
        super().__init__(embedder)
        if isinstance(backend, str):
            from rag.backends import get_backend

            backend = get_backend(backend, **options)
        if not hasattr(backend, "yes_probability"):
            raise ConfigError(f"The model judge needs a local model (the llama-cpp backend), not {backend.name!r}.")
        self.backend = backend
        self._memo: dict[tuple[str, tuple[str, ...], str | None], Verdict] = {}
        # P(yes) per prompt: verification often finds the same evidence unit again through another passage set
        # (a sentence judged against all passages, then against the one that holds its unit)
        self._asked: dict[tuple[str, str, str | None], float] = {}

    def describe(self) -> str:
        rule = calibration.combiner(self.name)
        return f"model ({self.backend.describe()} P(yes) + offline checks, calibrated on {rule.fitted_on})"

    def judge(self, claim: str, passages: Sequence[str], question: str | None = None) -> Verdict:
        """The checks first; the model is asked only when they leave the claim plausible (their own calibrated
        P at least the fitted ``gate``: a passage about something else is not worth a forward pass). Verdicts are
        remembered, so verification asking again (why a sentence was dropped) costs nothing."""
        key = (claim, tuple(passages), question)
        if key in self._memo:
            return self._memo[key]
        found = OfflineJudge.assess(self, claim, passages, question)
        gate = calibration.combiner(self.name).gate
        if found.unit is not None and calibration.combiner("offline").probability(found.features) >= gate:
            found.features.update(self._model_features(claim, found))
            verdict = self.verdict(found, self.name)
        else:
            verdict = self.verdict(found, "offline")
        if len(self._memo) >= _MEMO:
            self._memo.pop(next(iter(self._memo)))
        self._memo[key] = verdict
        return verdict

    def assess(self, claim: str, passages: Sequence[str], question: str | None = None) -> Assessment:
        """The offline checks' features plus ``model_logit`` (what ``eval/fit.py`` fits the weights on)."""
        found = super().assess(claim, passages, question)
        if found.unit is not None:
            found.features.update(self._model_features(claim, found))
        return found

    def _model_features(self, claim: str, found: Assessment) -> dict[str, float]:
        assert found.unit is not None
        near = 0
        if len(found.unit.text.split()) > WINDOW_WORDS:  # only then does ``window`` cut around a sentence
            sentences = [d.text for d in found.unit.docs]
            vectors = self._embed([claim, *sentences])
            near = max(range(len(sentences)), key=lambda i: dot(vectors[claim], vectors[sentences[i]]))
        key = (window(found.unit, near=near), claim, found.question)
        if key not in self._asked:
            if len(self._asked) >= _MEMO:
                self._asked.pop(next(iter(self._asked)))
            self._asked[key] = self.backend.yes_probability(claim_prompt(*key))
        return {"model_logit": calibration.logit(self._asked[key])}


def window(unit: Unit, words: int = WINDOW_WORDS, near: int = 0) -> str:
    """The unit with as many of the sentences before it as fit in ``words`` words. A unit longer than that (a whole
    passage) is cut to the run of its sentences around sentence ``near`` (the one closest to the claim) that fits:
    its first ``words`` words would often end before the sentence that matters."""
    before = [d.text for d in unit.context[:len(unit.context) - len(unit.docs)]]
    text = unit.text
    if len(text.split()) > words:
        sizes = [len(d.text.split()) for d in unit.docs]
        if sizes[near] > words:
            return " ".join(unit.docs[near].text.split()[:words]) + " …"
        lo = hi = near
        size = sizes[near]
        grew = True
        while grew:  # a sentence before, then one after, while they fit
            grew = False
            if lo > 0 and size + sizes[lo - 1] <= words:
                lo, size, grew = lo - 1, size + sizes[lo - 1], True
            if hi + 1 < len(sizes) and size + sizes[hi + 1] <= words:
                hi, size, grew = hi + 1, size + sizes[hi + 1], True
        return ("… " if lo > 0 else "") + " ".join(d.text for d in unit.docs[lo:hi + 1]) + (
            " …" if hi + 1 < len(sizes) else "")
    while before and len((before[-1] + " " + text).split()) <= words:
        text = before.pop() + " " + text
    return text
