"""How far the fitted answer model moves when its data does: ``python -m app.fitting.stability``.

Refits the whole answer model (:func:`app.fitting.fit.fit`: sentence model, composition,
abstention) ``--rounds`` times, each time with a random ``--leave-out`` share of the built-in
questions left out (round 0 leaves none out: the committed fit), and scores each refit as
``telaah eval`` does on the realset held-out half and on the built-in set. The abstention cut
sits on the scores of a few questions, so abstention is the number to watch. Prints one line per
round and writes the table as JSON (``--out``). Needs scikit-learn, like the fit.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from app.answer.model import Model
from app.fitting.dataset import Item, load_split
from app.fitting.fit import ROOT, build_items, data_arguments, fit

if TYPE_CHECKING:
    from app.evaluation.questions import EvalQuestion
    from app.retrieve import HybridRetriever

Sets = dict[str, tuple["HybridRetriever", list["EvalQuestion"]]]

METRICS = (
    "abstention_accuracy",
    "false_abstention",
    "answer_accuracy",
    "evidence_cited",
    "keypoint_recall",
)


def leave_out(items: Sequence[Item], share: float, seed: int) -> list[Item]:
    """The items without a random ``share`` of the built-in ones (the same for one seed)."""
    rng = random.Random(seed)
    return [i for i in items if i.group != "builtin" or rng.random() >= share]


def _sets(work: Path, realset: Path, split: Path) -> Sets:
    """A retriever over each work store and its questions: the realset held-out half and the
    built-in set (opened once, shared by every refit)."""
    from app.evaluation.questions import load_questions, select_part
    from app.retrieve import HybridRetriever
    from app.settings import Settings

    questions = {
        "heldout": select_part(load_questions(realset / "questions.jsonl"), split, "heldout"),
        "builtin": load_questions(ROOT / "data" / "eval" / "questions.jsonl"),
    }
    out = {}
    for name, data_dir in (("heldout", work / "train"), ("builtin", work / "builtin")):
        settings = Settings(data_dir=data_dir)
        embeddings = settings.embeddings()
        retriever = HybridRetriever(settings, settings.store(embeddings), embeddings)
        out[name] = (retriever, questions[name])
    return out


def _scores(model: Model, sets: Sets) -> dict[str, dict[str, float]]:
    """The model's eval summary on each set."""
    from app.evaluation.run import evaluate
    from app.service import AnswerService

    out = {}
    for name, (retriever, questions) in sets.items():
        service = AnswerService(retriever.settings, retriever=retriever, model=model)
        summary = evaluate(questions, service, warmup=False).summary
        out[name] = {m: round(float(summary[m]), 3) for m in METRICS if summary[m] is not None}
    return out


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: refit on subsets and score each refit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    data_arguments(parser)
    parser.add_argument("--rounds", type=int, default=6, help="refits, the first on all data")
    parser.add_argument("--leave-out", type=float, default=0.1, help="share of built-in left out")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "stability.json")
    args = parser.parse_args(argv)
    items = build_items(args.realset, args.work, load_split(args.split))
    sets = _sets(args.work, args.realset, args.split)
    rows = []
    for seed in range(args.rounds):
        kept = leave_out(items, args.leave_out if seed else 0.0, seed)
        model, _, _ = fit(kept)
        row = {
            "round": seed,
            "questions": len(kept),
            "abstain_below": round(model.abstain_below, 3),
            **_scores(model, sets),
        }
        print(json.dumps(row), file=sys.stderr, flush=True)
        rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
