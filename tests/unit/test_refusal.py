"""The refusal decision: which reason a refusal shows, and the shipped weights on clear cases (real spaCy parses)."""

from __future__ import annotations

import pytest

from rag import refusal
from rag.judges import calibration

PASSAGES = ["Hegseth spoke at NATO headquarters in Brussels on Wednesday. About 50 countries have given Ukraine "
            "over $126bn in weapons and military aid."]
AID = [("About 50 countries have given Ukraine over $126bn in aid.", PASSAGES[0])]


def _only(p: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """Decide with a combiner that always gives ``p`` (threshold 0.5): the test is of which reason is shown."""
    rule = calibration.Combiner("fixed", (), (), (), (), bias=calibration.logit(p, 50), threshold=0.5)
    monkeypatch.setattr(refusal.calibration, "combiner", lambda name: rule)


def test_a_failed_check_is_the_reason_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    _only(0.1, monkeypatch)
    why, values = refusal.decide("How much aid did Germany's army give Ukraine?", AID, PASSAGES, kept=1, dropped=0,
                                 p_model=0.2)
    assert "Germany" in why and values["fails_names"] == 1.0


def test_without_a_failed_check_the_models_reading_is_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    _only(0.1, monkeypatch)
    why, _ = refusal.decide("What did Hegseth say about aid?", AID, PASSAGES, kept=1, dropped=0, p_model=0.07)
    assert "P=0.07" in why


def test_above_the_threshold_it_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    _only(0.9, monkeypatch)
    assert refusal.decide("How much aid did Germany give?", AID, PASSAGES, kept=1, dropped=0)[0] == ""


def test_features_record_what_was_kept_and_whether_a_model_was_asked() -> None:
    _, with_model = refusal.decide("How much aid have countries given?", AID, PASSAGES, kept=1, dropped=3, p_model=0.5)
    _, without = refusal.decide("How much aid have countries given?", AID, PASSAGES, kept=1, dropped=3)
    assert with_model["kept_share"] == 0.25 and with_model["model_logit"] == pytest.approx(0.0)
    assert "model_logit" not in without


def test_shipped_weights_answer_a_clear_answer_and_refuse_a_clear_miss() -> None:
    question = "How much aid have about 50 countries given Ukraine?"
    assert refusal.decide(question, AID, PASSAGES, kept=1, dropped=0, p_model=0.97)[0] == ""
    why, _ = refusal.decide("How many troops did Germany's army send?", AID, PASSAGES, kept=1, dropped=2, p_model=0.03)
    assert why
