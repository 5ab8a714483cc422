"""The fitted part of the citation judge: a logistic regression over the content features.

:mod:`app.fitting.judge_fit` fits it on the labelled cases and writes ``judge.json``: for each
mode (``embedding``, ``lexical``) the evidence settings, the features' standardization and
weights, and the decision threshold on the log-odds. The app only reads that file (numpy, no
scikit-learn).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.answer.judge_evidence import Params

MODEL_PATH = Path(__file__).with_name("judge.json")


@dataclass(frozen=True)
class Model:
    """Weights over named features; a sentence passes when its log-odds reach ``threshold``.

    The default (no features) passes every sentence that the exact checks let through.
    """

    features: tuple[str, ...] = ()
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    coef: tuple[float, ...] = ()
    intercept: float = 0.0
    threshold: float = -np.inf
    params: Params = field(default_factory=Params)

    def score(self, values: Mapping[str, float]) -> float:
        """The log-odds that the sentence is supported."""
        if not self.features:
            return 0.0
        x = np.array([values.get(f, 0.0) for f in self.features])
        z = (x - np.array(self.mean)) / np.array(self.scale)
        return float(z @ np.array(self.coef) + self.intercept)

    def passes(self, values: Mapping[str, float]) -> bool:
        """Whether the content features are enough."""
        return self.score(values) >= self.threshold

    def to_json(self) -> dict[str, Any]:
        """The model as stored in ``judge.json``."""
        return {
            "params": vars(self.params),
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "coef": [round(v, 6) for v in self.coef],
            "intercept": round(self.intercept, 6),
            "threshold": round(self.threshold, 6),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Model:
        """The model stored by :meth:`to_json`."""
        return cls(
            features=tuple(data["features"]),
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            coef=tuple(data["coef"]),
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            params=Params(**data["params"]),
        )


def load_model(lexical: bool = False, path: Path = MODEL_PATH) -> Model:
    """The fitted model of the embedding mode (of the lexical-only mode when ``lexical``)."""
    if not path.exists():
        return Model()
    data = json.loads(path.read_text(encoding="utf-8"))
    return Model.from_json(data["lexical" if lexical else "embedding"]["model"])
