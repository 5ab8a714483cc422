"""The fitted answer model: feature weights, abstention threshold and composition settings.

Written by ``python -m app.fitting.fit`` to ``app/answer/model.json``; nothing in it is set by
hand. A model names the features it was fitted on, so an ablated model works with the same code.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np

from app.answer.features import ABSTAIN_FEATURES, FEATURES

MODEL_PATH = Path(__file__).with_name("model.json")
DocScore = Literal["sentence", "passage"]
"""How a document is scored: by its best sentence's probability or its best passage's rank."""


@dataclass(frozen=True)
class Compose:
    """How many sentences an answer takes and how much of their surroundings."""

    ratio: float = 0.5  # further sentences need this share of the best one's probability
    max_sentences: int = 3
    before: int = 0  # neighbours added before the best sentence
    after: int = 1  # neighbours added after it
    max_chars: int = 600
    anchors_first: bool = False  # further sentences take the room before the neighbours do


@dataclass(frozen=True)
class Model:
    """Two weightings of :data:`FEATURES` plus the decisions fitted with them.

    ``coef`` is a logistic regression of whether each sentence is relevant: open and list answers
    (several relevant sentences each) and the abstention rule read it. ``rank_coef`` is a
    listwise ranker (see :mod:`app.fitting.listwise`), fitted to put one relevant sentence first,
    which is what a factoid answer needs. Without it (an older file) the relevance model ranks.
    """

    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    rank_coef: tuple[float, ...] = ()
    rank_intercept: float = 0.0
    # ABSTAIN_FEATURES, then the intercept: by default the best sentence's log-odds alone
    abstain: tuple[float, ...] = (1.0,) + (0.0,) * len(ABSTAIN_FEATURES)
    abstain_below: float = 0.0  # answer only when the abstention score reaches this
    abstain_open: float = 0.0  # added to an open-ended question's score (no type, or "why")
    factoid: Compose = field(default_factory=Compose)
    listing: Compose = field(default_factory=lambda: Compose(ratio=0.3, max_sentences=4))
    open_chars: int = 1200
    open_ratio: float = 0.3
    mmr_lambda: float = 0.7
    open_doc_ratio: float = 0.0  # documents whose score reaches this share of the best one's
    open_doc_by: DocScore = "sentence"
    summary_position: float = 0.0  # weights of lead position and fact density in summaries
    summary_facts: float = 0.0
    summary_diversity: float = 0.0  # MMR trade of a summary sentence's score for novelty
    reason_open: bool = False  # answer "why" questions as open ones (MMR) rather than factoids
    meta: dict[str, Any] = field(default_factory=dict)

    def answers_openly(self, kind: str, expects: str) -> bool:
        """Whether a question gets an open answer (MMR summary of the evidence)."""
        return kind == "open" or (self.reason_open and expects == "reason")

    @property
    def columns(self) -> list[int]:
        """Positions of the model's features among :data:`FEATURES`."""
        return [FEATURES.index(name) for name in self.features]

    def probabilities(self, X: np.ndarray) -> np.ndarray:
        """P(the sentence is relevant) for each row of a full feature matrix (open answers and
        abstention)."""
        if len(X) == 0:
            return np.zeros(0, dtype=np.float64)
        z = X[:, self.columns].astype(np.float64) @ np.asarray(self.coef) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def rank_probabilities(self, X: np.ndarray) -> np.ndarray:
        """The ranker's P(the sentence answers the question) for each row of one question's
        feature matrix, from how far its score falls behind the best one's (factoid answers)."""
        if not self.rank_coef:
            return self.probabilities(X)
        z = X[:, self.columns].astype(np.float64) @ np.asarray(self.rank_coef)
        return behind_best(z, self.rank_intercept)

    def support(self, values: Sequence[float], open_ended: bool = False) -> float:
        """How surely the articles answer the question: the abstention score of the values of
        :data:`~app.answer.features.ABSTAIN_FEATURES`, plus the fitted offset when the question
        is open-ended (see :func:`app.fitting.fit.fit_abstention`)."""
        if len(values) + 1 != len(self.abstain):
            raise ValueError("the answer model's abstention weights do not fit its features")
        offset = self.abstain_open if open_ended else 0.0
        return float(np.dot(self.abstain[:-1], values) + self.abstain[-1] + offset)

    def to_json(self) -> dict[str, Any]:
        """The JSON written to ``model.json``."""
        return {
            "features": list(self.features),
            "coef": [round(float(c), 6) for c in self.coef],
            "intercept": round(float(self.intercept), 6),
            "rank_coef": [round(float(c), 6) for c in self.rank_coef],
            "rank_intercept": round(float(self.rank_intercept), 6),
            "abstain": [round(float(w), 6) for w in self.abstain],
            "abstain_below": round(float(self.abstain_below), 6),
            "abstain_open": round(float(self.abstain_open), 6),
            "factoid": self.factoid.__dict__,
            "listing": self.listing.__dict__,
            "open_chars": self.open_chars,
            "open_ratio": self.open_ratio,
            "mmr_lambda": self.mmr_lambda,
            "open_doc_ratio": self.open_doc_ratio,
            "open_doc_by": self.open_doc_by,
            "summary_position": self.summary_position,
            "summary_facts": self.summary_facts,
            "summary_diversity": self.summary_diversity,
            "reason_open": self.reason_open,
            "meta": self.meta,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Model:
        """Read a model written by :meth:`to_json`."""
        unknown = [f for f in data["features"] if f not in FEATURES]
        if len(data.get("abstain", ())) != len(ABSTAIN_FEATURES) + 1:
            raise ValueError("the answer model's abstention weights do not fit; refit it")
        if unknown:
            raise ValueError(f"the answer model uses unknown features: {', '.join(unknown)}")
        if data.get("rank_coef") and len(data["rank_coef"]) != len(data["features"]):
            raise ValueError("the answer model's ranking weights do not fit its features; refit it")
        doc_by = data.get("open_doc_by", "sentence")
        if doc_by not in get_args(DocScore):
            allowed = " or ".join(get_args(DocScore))
            raise ValueError(f"the answer model's open_doc_by is {doc_by!r}: {allowed}")
        return Model(
            features=tuple(data["features"]),
            coef=tuple(float(c) for c in data["coef"]),
            intercept=float(data["intercept"]),
            rank_coef=tuple(float(c) for c in data.get("rank_coef", ())),
            rank_intercept=float(data.get("rank_intercept", 0.0)),
            abstain=tuple(float(w) for w in data["abstain"]),
            abstain_below=float(data.get("abstain_below", 0.0)),
            abstain_open=float(data.get("abstain_open", 0.0)),
            factoid=Compose(**data.get("factoid", {})),
            listing=Compose(**data.get("listing", {})),
            open_chars=int(data.get("open_chars", 1200)),
            open_ratio=float(data.get("open_ratio", 0.3)),
            mmr_lambda=float(data.get("mmr_lambda", 0.7)),
            open_doc_ratio=float(data.get("open_doc_ratio", 0.0)),
            open_doc_by=doc_by,
            summary_position=float(data.get("summary_position", 0.0)),
            summary_facts=float(data.get("summary_facts", 0.0)),
            summary_diversity=float(data.get("summary_diversity", 0.0)),
            reason_open=bool(data.get("reason_open", False)),
            meta=dict(data.get("meta", {})),
        )


def behind_best(score: np.ndarray, intercept: float) -> np.ndarray:
    """σ(score − max(score) + intercept): the ranker's probabilities of one question's
    candidates from their ranking scores."""
    if not len(score):
        return np.zeros(0, dtype=np.float64)
    return np.asarray(1.0 / (1.0 + np.exp(-(score - score.max() + intercept))))


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> Model:
    """The fitted model (read once per process)."""
    try:
        return Model.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ValueError(
            f"the answer model {path} is missing; run `python -m app.fitting.fit`"
        ) from None
