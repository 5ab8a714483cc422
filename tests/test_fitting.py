"""The abstention fit: weights, the false-abstention cap, out-of-fold measures, ablations."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from app.answer.features import ABSTAIN_FEATURES
from app.fitting.fit import (
    CUT_FALSE_ABSTENTION,
    _abstention_at_cap,
    _cuts,
    _most_diverse,
    abstention_ablation,
    abstention_out_of_fold,
    fit_abstention,
)
from app.fitting.stability import leave_out


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Questions where only 'a question word is missing near the best sentence' tells an
    unanswerable one (value near 1) from an answerable one (near 0); the rest is noise."""
    rng = np.random.default_rng(seed)
    n = 300
    y = (rng.random(n) < 0.7).astype(int)
    X = rng.normal(size=(n, len(ABSTAIN_FEATURES)))
    col = ABSTAIN_FEATURES.index("terms_absent_best")
    X[:, col] = np.clip(1.0 - y + rng.normal(scale=0.35, size=n), 0, 1)
    unknown = np.zeros(n, dtype=bool)
    unknown[np.flatnonzero(y == 0)[:5]] = True  # named something no article mentions
    return X, y, unknown


def test_threshold_keeps_false_abstention_under_the_cap() -> None:
    X, y, unknown = _data()
    weights, threshold, offset, curve = fit_abstention(X, y, unknown)
    assert len(weights) == len(ABSTAIN_FEATURES) + 1 and offset == 0.0  # no open-ended ones
    assert weights[ABSTAIN_FEATURES.index("terms_absent_best")] < 0  # missing words: abstain
    answered = ~unknown & (X @ np.asarray(weights[:-1]) + weights[-1] >= threshold)
    assert np.mean(~answered[y == 1]) <= CUT_FALSE_ABSTENTION
    assert np.mean(~answered[y == 0]) > 0.5
    assert not answered[unknown].any()
    assert curve[0]["false_abstention"] <= curve[-1]["false_abstention"]


def test_open_ended_questions_get_the_false_abstention_budget_they_need() -> None:
    """Answerable "why" questions that look like unanswerable ones (their words paraphrased):
    one threshold spends the budget on them; the offset lets the typed questions have it."""
    X, y, unknown = _data(2)
    col = ABSTAIN_FEATURES.index("terms_absent_best")
    rng = np.random.default_rng(2)
    open_ended = (y == 1) & (rng.random(len(y)) < 0.15)
    X[open_ended, col] = np.clip(0.8 + rng.normal(scale=0.2, size=open_ended.sum()), 0, 1)
    weights, threshold, offset, _ = fit_abstention(X, y, unknown, open_ended)
    assert offset > 0
    score = X @ np.asarray(weights[:-1]) + weights[-1]
    with_offset = ~unknown & (score + offset * open_ended >= threshold)
    assert np.mean(~with_offset[y == 1]) <= CUT_FALSE_ABSTENTION
    single = abstention_out_of_fold(X, y, unknown, seeds=2)
    split = abstention_out_of_fold(X, y, unknown, open_ended, seeds=2)
    assert split["abstention_accuracy"] > single["abstention_accuracy"] + 0.1


def test_open_answers_keep_the_most_diversity_within_one_question_of_the_best() -> None:
    best = {0.5: 0.8333, 0.7: 0.8422, 0.85: 0.8244}  # out-of-fold scores of a fit, 45 questions
    assert _most_diverse(best, 1 / 45) == 0.5
    assert _most_diverse(best, 1 / 200) == 0.7  # many questions: the small lead counts
    assert _most_diverse({0.5: 0.70, 0.7: 0.80, 0.85: 0.79}, 1 / 45) == 0.7


def test_out_of_fold_and_ablation_show_what_the_feature_is_worth() -> None:
    X, y, unknown = _data(1)
    measured = abstention_out_of_fold(X, y, unknown, seeds=2)
    assert measured["abstention_accuracy"] > 0.5 and measured["false_abstention"] < 0.15
    rows = {r["without"]: r for r in abstention_ablation(X, y, unknown)}
    full = rows["(none)"]["abstention_accuracy"]
    assert rows["question words missing"]["abstention_accuracy"] < full - 0.2
    assert rows["all of the above"]["abstention_accuracy"] < full - 0.2
    # the measures that do not hang on a fold's threshold agree
    assert measured["auc"] > 0.9 and measured["abstention_at_cap"] > 0.5
    assert rows["question words missing"]["auc"] < rows["(none)"]["auc"] - 0.1


def test_abstention_at_the_cap_declines_what_scores_under_the_answerable_tail() -> None:
    y = np.asarray([1] * 20 + [0] * 4)
    scores = np.asarray([float(k) for k in range(20)] + [-5.0, 0.5, 3.0, 30.0])
    # one answerable question of 20 may be declined: the threshold is the second lowest, 1.0
    assert _abstention_at_cap(scores, y) == 0.5  # -5 and 0.5 declined, 3 and 30 answered
    scores[-1] = -np.inf  # it names something no article mentions
    assert _abstention_at_cap(scores, y) == 0.75


def test_leave_out_drops_a_share_of_the_built_in_questions_only() -> None:
    from types import SimpleNamespace

    items = [SimpleNamespace(group=g, qid=str(k)) for k in range(400) for g in ("builtin", "train")]
    kept = leave_out(items, 0.25, seed=3)  # type: ignore[arg-type]
    builtin = [i for i in kept if i.group == "builtin"]
    assert all(i in kept for i in items if i.group == "train")
    assert 250 < len(builtin) < 350
    assert kept == leave_out(items, 0.25, seed=3)  # type: ignore[arg-type]
    assert kept != leave_out(items, 0.25, seed=4)  # type: ignore[arg-type]
    assert leave_out(items, 0.0, seed=3) == items  # type: ignore[arg-type]


def test_the_cut_does_not_buy_one_right_decline_with_several_wrong_ones() -> None:
    """Declining the last unanswerable question (scored 0.45) would also decline the four
    answerable ones under it: within the cap (5 of 100), but four wrong for one right."""
    answerable = [0.1, 0.2, 0.3, 0.4] + [1.0 + k / 100 for k in range(96)]
    unanswerable = [-1.0] * 49 + [0.45]
    scores = np.asarray(answerable + unanswerable)
    y = np.asarray([1] * len(answerable) + [0] * len(unanswerable))
    threshold, offset = _cuts(scores, y, np.zeros(len(y), dtype=bool))
    assert -1.0 < threshold <= 0.1 and offset == 0.0


def _ranking_questions(n: int, seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Simpson's paradox in candidates: within every question the relevant sentence has the
    lower value of feature 0, but questions where most sentences are relevant have far higher
    values of it, so across all candidates the feature goes with relevance."""
    rng = np.random.default_rng(seed)
    Xs, ys = [], []
    for k in range(n):
        many = k % 2 == 0
        y = np.eye(10, dtype=np.int8)[k % 10]  # one relevant
        if many:
            y = np.maximum(y, (rng.random(10) < 0.8).astype(np.int8))
        x = (5.0 if many else 0.0) + (1 - y) + rng.normal(scale=0.3, size=10)
        Xs.append(np.column_stack([x, rng.normal(size=10)]))
        ys.append(y)
    return Xs, ys


def test_the_ranker_learns_what_sets_one_question_s_candidates_apart() -> None:
    from sklearn.linear_model import LogisticRegression

    from app.fitting.listwise import fit_ranker

    Xs, ys = _ranking_questions(200, 0)
    ranker = fit_ranker(Xs, ys, 1e-3)
    pointwise = LogisticRegression().fit(np.vstack(Xs), np.concatenate(ys))
    test_X, test_y = _ranking_questions(100, 1)
    few = [(X, y) for X, y in zip(test_X, test_y, strict=True) if y.sum() == 1]

    def top1(score: Callable[[np.ndarray], np.ndarray]) -> float:
        return float(np.mean([y[int(np.argmax(score(X)))] for X, y in few]))

    assert top1(ranker.predict) > 0.9
    assert top1(lambda X: pointwise.predict_proba(X)[:, 1]) < 0.3  # what the ranker is for
    # calibrated: the mean probability is about the share of relevant candidates
    p = np.concatenate([ranker.predict(X) for X in test_X])
    assert abs(p.mean() - np.concatenate(test_y).mean()) < 0.1
