"""The calibrated combiner: a logistic regression over what the checks found (and the model's probability).

Its weights are plain text in ``weights.json`` next to this file, one entry per use ("offline": the checks alone;
"model": the checks plus the bundled model's P(yes); "answerable": does a verified answer answer its question).
``eval/fit.py`` fits them on a named dev set and records which, with the threshold chosen there; the README
reports them on sets they were not fitted on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from index.errors import ConfigError

WEIGHTS = Path(__file__).with_name("weights.json")


@dataclass(frozen=True)
class Combiner:
    """P(yes) = sigmoid(bias + sum(weight * (value - mean) / scale)); yes when P >= ``threshold``."""

    name: str
    features: tuple[str, ...]
    weights: tuple[float, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    bias: float
    threshold: float
    fitted_on: str = ""
    model: str = ""  # the local model whose P(yes) the weights expect ("" when they use none)
    gate: float = 0.0  # the model judge asks the model only when the checks alone give at least this P

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.bias
        for name, w, m, s in zip(self.features, self.weights, self.mean, self.scale, strict=True):
            z += w * (float(values.get(name, 0.0)) - m) / (s or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def as_dict(self) -> dict[str, object]:
        return {"features": list(self.features), "weights": list(self.weights), "mean": list(self.mean),
                "scale": list(self.scale), "bias": self.bias, "threshold": self.threshold,
                "fitted_on": self.fitted_on, **({"model": self.model} if self.model else {}),
                **({"gate": self.gate} if self.gate else {})}


def logit(p: float, limit: float = 8.0) -> float:
    """log(p / (1 - p)), clipped to +-``limit`` (a model's 0.9999 and 0.99999 mean the same here)."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return max(-limit, min(limit, math.log(p / (1 - p))))


@lru_cache(maxsize=8)
def combiner(name: str, path: Path = WEIGHTS) -> Combiner:
    """The fitted combiner ``name`` from ``path``."""
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))[name]
        return Combiner(name, tuple(entry["features"]), tuple(entry["weights"]), tuple(entry["mean"]),
                        tuple(entry["scale"]), float(entry["bias"]), float(entry["threshold"]),
                        str(entry.get("fitted_on", "")), str(entry.get("model", "")), float(entry.get("gate", 0.0)))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: no usable weights for {name!r} ({exc}); refit them with: "
                          f"python -m eval.fit") from None
