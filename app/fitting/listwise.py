"""A listwise sentence ranker: per-question softmax weights, then a calibration to probabilities.

A factoid answer is its question's best sentence and those close to it, so the ranker's weights
are fitted to rank one question's candidates: a conditional logit (a softmax over each question's
candidates, the likelihood of its relevant ones; the ListNet family) on standardized features with
an L2 penalty ``lam``. A pointwise logistic regression instead fits all candidates of all questions
against one boundary and spends weight on what tells questions apart (how answerable each is)
rather than what tells one question's candidates apart. The composition ratios read probabilities,
so a one-feature logistic regression then maps how far a sentence's score falls behind its
question's best to P(relevant): a scale and an offset, the order stays the ranker's.

Measured out of fold on the fitting questions (``python -m app.fitting.fit``, the ablation row
"listwise ranker"): see ``meta.ablation`` in ``app/answer/model.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.answer.model import behind_best


@dataclass(frozen=True)
class Ranker:
    """Weights on raw features and an intercept: for one question's candidates ``X``,
    σ(X·w − max(X·w) + b) is P(relevant) given how far a sentence falls behind the best."""

    coef: np.ndarray
    intercept: float

    def predict(self, X: np.ndarray) -> np.ndarray:
        """P(relevant) of each candidate (row) of one question's ``X``."""
        return behind_best(X.astype(np.float64) @ self.coef, self.intercept)


def _softmax_weights(Xs: Sequence[np.ndarray], ys: Sequence[np.ndarray], lam: float) -> np.ndarray:
    """Weights maximizing, over questions, the mean log of the softmax mass on each question's
    relevant candidates (the answer may be any one of them), less ``lam`` · |w|²."""
    from scipy.optimize import minimize

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = lam * float(w @ w), 2 * lam * w
        for X, y in zip(Xs, ys, strict=True):
            s = X @ w
            e = np.exp(s - s.max())
            z, r = e.sum(), e[y].sum()
            total += float(np.log(z) - np.log(r)) / len(Xs)
            grad = grad + ((e @ X) / z - (e[y] @ X[y]) / r) / len(Xs)
        return total, grad

    start = np.zeros(Xs[0].shape[1])
    return np.asarray(minimize(loss, start, jac=True, method="L-BFGS-B").x)


def fit_ranker(Xs: Sequence[np.ndarray], ys: Sequence[np.ndarray], lam: float) -> Ranker:
    """Fit the ranker on questions' candidate features ``Xs`` and 0/1 labels ``ys``.

    Questions with no relevant candidate (or only one candidate) teach the ranking nothing; they
    count in the calibration.
    """
    X_all = np.vstack(Xs).astype(np.float64)
    mu, sd = X_all.mean(axis=0), X_all.std(axis=0) + 1e-6
    ranked = [(X, y.astype(bool)) for X, y in zip(Xs, ys, strict=True) if y.any() and len(y) > 1]
    if not ranked:
        raise ValueError("no question has a relevant candidate to rank")
    w = (
        _softmax_weights(
            [(X.astype(np.float64) - mu) / sd for X, _ in ranked], [y for _, y in ranked], lam
        )
        / sd
    )
    scores = [X @ w for X in Xs if len(X)]
    gaps = np.concatenate([s - s.max() for s in scores])
    a, b = _calibration(gaps, np.concatenate(ys).astype(np.float64))
    return Ranker(a * w, b)


def _calibration(gap: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Scale ``a`` ≥ 0 and offset ``b`` so that σ(a·gap + b) fits the labels (log-loss), where
    ``gap`` is a candidate's score less its question's best. The gap, not the score: a ranking
    score only compares one question's candidates (across questions it can even go against
    relevance, when questions with many relevant sentences score lower throughout)."""
    from scipy.optimize import minimize

    def loss(ab: np.ndarray) -> tuple[float, np.ndarray]:
        z = ab[0] * gap + ab[1]
        p = 1.0 / (1.0 + np.exp(-z))
        nll = np.logaddexp(0.0, z) - y * z
        d = (p - y) / len(y)
        return float(nll.mean()), np.array([float(d @ gap), float(d.sum())])

    got = minimize(
        loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B", bounds=[(0.0, None), (None, None)]
    )
    return float(got.x[0]), float(got.x[1])
