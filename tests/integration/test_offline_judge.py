"""The offline judge (real spaCy model, real MiniLM) on distortions of real sample-article sentences.

Every distortion kind from issue #3 must be rejected and its faithful paraphrase accepted; on the blind test
claims the judge (its checks calibrated on the dev claims) must hold its floor and beat the lexical baseline.
"""

from __future__ import annotations

import pytest

from eval.datasets import CLAIMS_TEST
from eval.judging import evaluate_judge
from rag.judges import get_judge

P_AID = ("Over nearly three years, about 50 countries have collectively provided Ukraine with more than $126bn in "
         "weapons and military assistance. The US provided about $64bn of that under the Biden administration.")
P_TROOPS = ("He clarified that, as part of any security guarantees, “there will not be U.S. troops deployed to "
            "Ukraine.”")
P_MEETING = ("Pentagon Chief Pete Hegseth was speaking on Wednesday at the alliance’s headquarters in Brussels, "
             "Belgium, where he outlined a hardline pivot in US policy.")
P_FORCE = ("The war-torn country must prepare for a negotiated settlement with Russia, potentially backed by a "
           "non-NATO international force, Hegseth said.")
P_SPEND = ("Hegseth also repeated Trump’s claim that NATO members must boost their defence spending, echoing a call "
           "to increase the allocation to 5 percent of their gross domestic product (GDP).")

CASES = [
    # (kind, passage, faithful paraphrase, distortion)
    ("number", P_AID, "Roughly fifty nations have given Ukraine over 126 billion dollars in arms and military aid.",
     "Roughly forty nations have given Ukraine over 126 billion dollars in arms and military aid."),
    ("number", P_SPEND, "Hegseth echoed the call for NATO members to spend 5% of GDP on defence.",
     "Hegseth echoed the call for NATO members to spend 3% of GDP on defence."),
    ("date", P_MEETING, "On Wednesday, Hegseth spoke at the alliance's Brussels headquarters.",
     "On Thursday, Hegseth spoke at the alliance's Brussels headquarters."),
    ("entity", P_MEETING, "The Pentagon chief spoke at the alliance's headquarters in Brussels.",
     "The Pentagon chief spoke at the alliance's headquarters in Berlin."),
    ("entity", P_AID, "Under Biden, the US gave about $64bn of that aid.",
     "Under Biden, Germany gave about $64bn of that aid."),
    ("negation", P_TROOPS, "He made clear that no US troops would be deployed to Ukraine under any security "
     "guarantee.", "He made clear that US troops would be deployed to Ukraine under a security guarantee."),
    ("negation", P_SPEND, "Hegseth repeated Trump's call for NATO members to raise their defence spending.",
     "Hegseth repeated Trump's call for NATO members to cut their defence spending."),
    ("overgeneralisation", P_FORCE, "Hegseth said a settlement with Russia could be backed by a non-NATO force.",
     "Hegseth said a settlement with Russia will be backed by a non-NATO force."),
    ("overgeneralisation", P_AID, "About 50 countries have together given Ukraine more than $126bn in aid.",
     "All NATO countries have together given Ukraine more than $126bn in aid."),
    ("invented", P_MEETING, "Hegseth spoke at the alliance's headquarters in Brussels on Wednesday.",
     "Hegseth spoke at the alliance's headquarters in Brussels on Wednesday alongside Marco Rubio."),
]


@pytest.fixture(scope="module")
def judge():
    return get_judge("offline")


@pytest.mark.parametrize(("kind", "passage", "faithful", "distorted"), CASES, ids=[c[0] for c in CASES])
def test_rejects_each_distortion_and_accepts_its_paraphrase(judge, kind, passage, faithful, distorted) -> None:
    good = judge.judge(faithful, [passage])
    assert good.supported, (faithful, good.reasons)
    assert good.evidence and good.evidence in passage
    bad = judge.judge(distorted, [passage])
    assert not bad.supported, (kind, distorted)
    assert bad.reasons and bad.score < good.score


def test_a_true_fact_absent_from_the_passages_is_unsupported(judge) -> None:
    v = judge.judge("Joe Biden was the US president before Donald Trump.", [P_AID])
    assert not v.supported


def test_verdicts_come_with_evidence_from_the_right_passage(judge) -> None:
    v = judge.judge("The US gave roughly $64bn under Biden.", [P_MEETING, P_AID])
    assert v.supported and "$64bn" in v.evidence


def test_offline_judge_holds_its_floor_on_the_blind_test_claims_and_beats_lexical(judge) -> None:
    """The test claims were written blind to the judge and its dev claims, and nothing was fitted on them: measured
    0.727 here (lexical 0.616; docs/evaluation.md). The floor guards against a regression, it is not a target."""
    offline = evaluate_judge(judge, CLAIMS_TEST)
    lexical = evaluate_judge(get_judge("lexical"), CLAIMS_TEST)
    assert offline.scores.balanced_accuracy >= 0.70, offline.errors[:5]
    assert offline.scores.balanced_accuracy >= lexical.scores.balanced_accuracy + 0.08
