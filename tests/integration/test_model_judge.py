"""The model judge on real llama.cpp: the bundled 1.5B on supported and distorted claims, and what the yes/no
forward pass costs (SmolLM2 where any model will do: prefix reuse, windows, the answerability ask)."""

from __future__ import annotations

import pytest

from index.paths import sample_dir
from rag.backends.llama_cpp import LlamaCppBackend
from rag.judges.model import WINDOW_WORDS, ModelJudge, claim_prompt
from tests.integration.test_offline_judge import P_AID, P_MEETING, P_TROOPS

pytestmark = pytest.mark.integration

@pytest.fixture(scope="module")
def smol() -> LlamaCppBackend:
    return LlamaCppBackend("smollm2")


def _counting(monkeypatch: pytest.MonkeyPatch, backend: LlamaCppBackend) -> list[int]:
    """Record how many tokens each llama.cpp evaluation takes (the real eval still runs)."""
    llm = backend.llm()
    seen: list[int] = []
    real = llm.eval

    def counted(tokens):  # type: ignore[no-untyped-def]
        seen.append(len(tokens))
        return real(tokens)

    monkeypatch.setattr(llm, "eval", counted)
    return seen


def test_claims_sharing_evidence_reuse_it_and_get_the_same_probability(smol, monkeypatch) -> None:
    seen = _counting(monkeypatch, smol)
    first = smol.yes_probability(claim_prompt(P_AID, "About 50 countries have given Ukraine over $126bn."))
    smol.yes_probability(claim_prompt(P_AID, "The US gave about $64bn under Biden."))
    assert 0.0 < first < 1.0
    assert seen[1] < seen[0] / 2, seen  # only the second claim's tokens were new
    smol.yes_probability(claim_prompt(P_MEETING, "Hegseth spoke in Brussels."))
    again = smol.yes_probability(claim_prompt(P_AID, "About 50 countries have given Ukraine over $126bn."))
    assert again == pytest.approx(first, abs=1e-3)  # a reused cache gives what a fresh evaluation gives


def test_a_whole_article_costs_a_bounded_prompt(smol, monkeypatch) -> None:
    judge = ModelJudge(backend=smol)
    prompts: list[str] = []
    real = smol.yes_probability

    def recorded(messages):  # type: ignore[no-untyped-def]
        prompts.append(messages[-1]["content"])
        return real(messages)

    monkeypatch.setattr(smol, "yes_probability", recorded)
    article = (sample_dir() / "000_5327a3aa7c6e9fcb.txt").read_text()
    verdict = judge.judge("Hegseth has handed the chair of the group's meetings to the United Kingdom.", [article])
    assert len(prompts) == 1
    evidence = prompts[0].split("Passage:\n", 1)[1].split("\n\nClaim:", 1)[0]
    assert len(evidence.split()) <= WINDOW_WORDS + 1 and evidence.replace(" …", "").split()[0] in article
    assert verdict.evidence and verdict.evidence in article


def test_the_answer_after_the_answerability_ask_evaluates_only_its_cue(smol, monkeypatch, real_index) -> None:
    question = "What did Hegseth say about NATO membership for Ukraine?"
    hits = real_index.search(question, k=3)
    seen = _counting(monkeypatch, smol)
    p = smol.answerable_probability(question, hits)
    assert p is not None and 0.0 < p < 1.0
    asks = len(seen)
    assert sum(seen) > 200, seen  # the whole answer prompt (system prompt, example, evidence, question) was read
    assert smol.generate(question, hits)
    # the generation reused the ask's tokens: it read only its cue, then one token per generated token
    assert seen[asks] <= 40, seen


@pytest.mark.slow
def test_the_bundled_1_5b_judge_accepts_paraphrases_and_rejects_distortions(real_index) -> None:
    judge = ModelJudge(real_index.embedder)  # the default local model: qwen2.5-1.5b
    cases = [
        (P_AID, "Roughly fifty nations have given Ukraine over 126 billion dollars in arms and military aid.", True),
        (P_AID, "Roughly forty nations have given Ukraine over 126 billion dollars in arms and military aid.", False),
        (P_TROOPS, "He made clear that no US troops would be deployed to Ukraine under a security guarantee.", True),
        (P_TROOPS, "He made clear that US troops would be deployed to Ukraine under a security guarantee.", False),
        (P_MEETING, "On Wednesday, Hegseth spoke at the alliance's Brussels headquarters.", True),
        (P_MEETING, "On Wednesday, Hegseth spoke at the alliance's Berlin headquarters.", False),
    ]
    said = [(claim, judge.judge(claim, [passage]).supported, label) for passage, claim, label in cases]
    assert all(ok == label for _, ok, label in said), said
    short = judge.judge("Brussels", [P_MEETING], question="In which city did Hegseth speak on Wednesday?")
    wrong = judge.judge("Berlin", [P_MEETING], question="In which city did Hegseth speak on Wednesday?")
    assert short.supported and not wrong.supported, (short, wrong)


@pytest.mark.slow
def test_the_model_judge_holds_its_floor_on_the_blind_test_claims(real_index) -> None:
    """Measured 0.867 balanced accuracy (target 0.90, not met; docs/evaluation.md); nothing fitted on these claims."""
    from eval.datasets import CLAIMS_TEST
    from eval.judging import evaluate_judge
    from rag.judges import get_judge

    model = evaluate_judge(ModelJudge(real_index.embedder), CLAIMS_TEST)
    lexical = evaluate_judge(get_judge("lexical"), CLAIMS_TEST)
    assert model.scores.balanced_accuracy >= 0.84, model.errors[:5]
    assert model.scores.balanced_accuracy >= lexical.scores.balanced_accuracy + 0.2
