"""Markdown report and comparison chart for ``telaah eval --report``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app.evaluation.metrics import RATE_KEYS, Row
from app.evaluation.run import SUMMARY_KEYS, EvalRun, abstention_curve, summarize

CHART_METRICS = (
    "hit@5",
    "answer_accuracy",
    "evidence_cited",
    "citation_precision",
    "abstention_accuracy",
)
CATEGORY_KEYS = ("n", *RATE_KEYS)


def chart_path(report: Path) -> Path:
    """The chart beside a report: eval-report.md -> eval-chart.png, x.md -> x-chart.png."""
    stem = report.stem
    base = stem[: -len("report")].rstrip("-_") if stem.endswith("report") else stem
    return report.with_name(f"{base or 'eval'}-chart.png")


def _cell(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _row(values: Sequence[Any], digits: int = 3) -> str:
    return "| " + " | ".join(_cell(v, digits) for v in values) + " |"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], digits: int = 3) -> list[str]:
    return [_row(header), "|" + "---|" * len(header), *(_row(r, digits) for r in rows)]


def overall_table(runs: dict[str, EvalRun]) -> list[str]:
    """Metrics as rows, configurations as columns."""
    lines = _table(["metric", *runs], [])
    for key in SUMMARY_KEYS:
        digits = 1 if key.startswith("latency") else 3
        lines.append(_row([key, *(r.summary[key] for r in runs.values())], digits))
    return lines


def category_table(rows: Sequence[Row], key: Callable[[Row], str]) -> list[str]:
    """One line per category (e.g. language or question type) with its summary."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    body = []
    for name in sorted(groups):
        summary = summarize(groups[name])
        body.append([name, *(summary[k] for k in CATEGORY_KEYS)])
    return _table(["category", *CATEGORY_KEYS], body)


def language_pair(row: Row) -> str:
    """The question's language and that of its best retrieved passage ("id → en"): the one
    the answer's evidence most likely comes from. Across languages the engine's word checks are
    idle and its decisions rest on the embedder."""
    return f"{row['lang']} → {row.get('passage_lang') or '?'}"


def failures(rows: Sequence[Row]) -> list[str]:
    """Bullets for wrong answers and missed abstentions."""
    out = []
    for row in rows:
        if row["answerable"] and not row["answer_accuracy"]:
            why = "abstained" if row["abstained"] else "wrong: " + row["answer"][:140]
        elif not row["answerable"] and not row["abstained"]:
            why = "answered an unanswerable question: " + row["answer"][:140]
        else:
            continue
        text = why.replace("\n", " ").replace("|", "\\|")
        out.append(f"- `{row['id']}` {text}")
    return out or ["- none"]


def latency_table(runs: dict[str, EvalRun]) -> list[str]:
    """p50/p95 of every timing key, per configuration."""
    body = []
    for name, run in runs.items():
        for stage, values in run.summary.get("latency", {}).items():
            body.append([name, stage, values["p50"], values["p95"]])
    return _table(["config", "stage", "p50 ms", "p95 ms"], body, 1)


def curve_table(run: EvalRun, threshold: float) -> list[str]:
    """The abstention trade-off at a dozen thresholds over the measured range; the fitted one
    is marked."""
    curve = abstention_curve(run.rows)
    if not curve:
        return ["- not measurable: the questions need answerable and unanswerable ones"]
    nearest = min(curve, key=lambda c: abs(c["threshold"] - threshold))
    shown = curve[:: max(1, len(curve) // 12)]
    if nearest not in shown:
        shown = sorted([*shown, nearest], key=lambda c: c["threshold"])
    body = [
        [
            f"{c['threshold']:.2f}" + (" (fitted)" if c is nearest else ""),
            c["false_abstention"],
            c["abstention_accuracy"],
        ]
        for c in shown
    ]
    return _table(["answer from support ≥", "false abstention", "abstention accuracy"], body)


def model_section(meta: dict[str, Any]) -> list[str]:
    """How the answer model was fitted, and its feature ablations."""
    if not meta:
        return []
    data = meta.get("data", {})
    lines = [
        "## The answer model",
        "",
        f"Fitted {meta.get('fitted', '?')} by `python -m app.fitting.fit` on "
        f"{data.get('builtin', '?')} built-in questions and {data.get('realset_train', '?')} "
        f"questions of the real-article train half "
        f"({', '.join(data.get('realset_train_articles', []))}); out-of-fold top-1 sentence "
        f"accuracy {meta.get('top1', '?')} (the ranker; the relevance model's "
        f"{meta.get('top1_relevance', '?')}). The held-out half is never read by the fit.",
    ]
    ablation = meta.get("ablation") or []
    if meta.get("dropped"):
        lines += [
            "",
            f"Feature groups dropped by backward elimination: {', '.join(meta['dropped'])}.",
        ]
    if ablation:
        lines += [
            "",
            "### Feature ablations (out-of-fold, training questions)",
            "",
            *_table(
                ["without", "top-1 sentence", "answer accuracy (factoid)"],
                [[a["without"], a["top1"], a["answer_accuracy"]] for a in ablation],
            ),
        ]
    abstaining = meta.get("abstention_ablation") or []
    if abstaining:
        lines += [
            "",
            "### Abstention ablations (out-of-fold, training questions)",
            "",
            "Each question decided by a rule (weights and threshold) fitted without it "
            "(stratified 5-fold, 5 shuffles). Where a fold's threshold falls moves with a "
            "question or two; the AUC of the out-of-fold scores and the abstention they reach "
            "at 5 % false abstention do not depend on it.",
            "",
            *_table(
                [
                    "without",
                    "abstention accuracy",
                    "false abstention",
                    "AUC",
                    "abstention at 5 % false abstention",
                ],  # fmt: skip
                [
                    [
                        a["without"],
                        a["abstention_accuracy"],
                        a["false_abstention"],
                        a.get("auc"),
                        a.get("abstention_at_cap"),
                    ]
                    for a in abstaining
                ],
            ),
        ]
    return lines


def render(runs: dict[str, EvalRun], source: str, chart: str) -> str:
    """The whole report as markdown."""
    lines = [
        "# Telaah evaluation report",
        "",
        f"Questions: `{source}` · configurations: {', '.join(runs)}.",
        "Metric definitions: see docs/EVALUATION.md.",
        "",
        "## Overall",
        "",
        *overall_table(runs),
        "",
        f"![comparison chart]({chart})",
        "",
        "## Latency per stage",
        "",
        *latency_table(runs),
    ]
    from app.answer.model import load_model

    model = load_model()
    for name, run in runs.items():
        lines += ["", f"## {name}", "", "### By language", ""]
        lines += category_table(run.rows, lambda r: str(r["lang"]))
        lines += ["", "### By language of question and top passage", ""]
        lines += category_table(run.rows, language_pair)
        lines += ["", "### By question type", ""]
        lines += category_table(run.rows, lambda r: str(r["type"]))
        lines += ["", "### By question kind (as the engine parsed it)", ""]
        lines += category_table(run.rows, lambda r: str(r.get("kind", "")))
        lines += ["", "### By document", ""]
        lines += category_table(run.rows, lambda r: str(r.get("doc", "")))
        if any(r.get("support") is not None for r in run.rows):
            lines += ["", "### Abstention trade-off", ""]
            lines += curve_table(run, model.abstain_below)
        lines += ["", "### Failing questions", "", *failures(run.rows)]
    lines += ["", *model_section(model.meta)]
    return "\n".join(lines) + "\n"


def write_chart(runs: dict[str, EvalRun], path: Path) -> None:
    """Grouped bars: configurations compared on :data:`CHART_METRICS`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / max(1, len(runs))
    for i, (name, run) in enumerate(runs.items()):
        xs = [m + i * width - 0.4 + width / 2 for m in range(len(CHART_METRICS))]
        ys = [run.summary[k] or 0.0 for k in CHART_METRICS]
        bars = ax.bar(xs, ys, width, label=name)
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    ax.set_xticks(range(len(CHART_METRICS)), CHART_METRICS)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("score")
    ax.set_title("Telaah evaluation: configurations compared")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=len(runs))
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def write_report(runs: dict[str, EvalRun], path: Path, source: str) -> Path:
    """Write the markdown report and its chart; returns the chart's path."""
    chart = chart_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_chart(runs, chart)
    path.write_text(render(runs, source, chart.name), encoding="utf-8")
    return chart
