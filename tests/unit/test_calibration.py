"""The calibrated combiner: its arithmetic, its weights file, and what the shipped weights were fitted on."""

from __future__ import annotations

import json
import math

import pytest

from eval.fit import ANSWERABLE, COMBINERS
from index.errors import ConfigError
from rag.judges import calibration
from rag.judges.calibration import Combiner, combiner, logit


def test_probability_is_the_logistic_of_the_standardised_weighted_sum() -> None:
    rule = Combiner("t", ("a", "b"), (2.0, -1.0), (0.0, 1.0), (1.0, 2.0), 0.5, 0.5)
    z = 0.5 + 2.0 * 1.0 - 1.0 * (3.0 - 1.0) / 2.0
    assert rule.probability({"a": 1.0, "b": 3.0}) == pytest.approx(1 / (1 + math.exp(-z)))
    assert rule.probability({"b": 1.0}) == pytest.approx(1 / (1 + math.exp(-0.5)))  # a missing feature counts as 0


def test_logit_is_clipped() -> None:
    assert logit(0.5) == pytest.approx(0.0)
    assert logit(1.0) == 8.0 and logit(0.0) == -8.0
    assert logit(0.9) == pytest.approx(math.log(9))


def test_a_broken_weights_file_says_how_to_refit(tmp_path) -> None:
    path = tmp_path / "weights.json"
    path.write_text(json.dumps({"model": {"features": ["a"]}}))
    with pytest.raises(ConfigError, match="eval.fit"):
        combiner("model", path)
    with pytest.raises(ConfigError, match="offline"):
        combiner("offline", path)


def test_shipped_weights_match_the_fitter_and_were_fitted_on_dev_data_only() -> None:
    shipped = json.loads(calibration.WEIGHTS.read_text())
    for name, features in {**COMBINERS, **ANSWERABLE}.items():
        rule = combiner(name)
        assert rule.features == features
        assert len(rule.weights) == len(rule.mean) == len(rule.scale) == len(features)
        assert 0.0 < rule.threshold < 1.0
        assert rule.fitted_on and "test" not in rule.fitted_on and "not fitted" not in rule.fitted_on
        assert shipped[name]["fitted_on"] == rule.fitted_on


def test_shipped_judge_weights_point_the_right_way() -> None:
    """A model saying yes: more likely supported; a failed number or name check: less. (Coverage is not pinned: with
    the model in, the fit gives it a small negative weight, paraphrases having low coverage and a confident yes.)"""
    rule = combiner("model")
    base = {"cosine": 0.7, "coverage": 0.9, "model_logit": 0.0}
    assert rule.probability({**base, "model_logit": 4.0}) > rule.probability(base)
    assert rule.probability({**base, "fails_number": 1.0}) < rule.probability(base)
    assert rule.probability({**base, "fails_name": 1.0}) < rule.probability(base)
