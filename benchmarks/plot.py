"""docs/benchmarks.png: retrieval p50 by store size, and where ingest time goes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_LINES = (
    ("exact_numpy", "exact numpy"),
    ("dense_embedded", "dense (embedded)"),
    ("dense_server", "dense (server)"),
    ("bm25", "BM25"),
    ("hybrid_embedded", "hybrid, excl. embed"),
    ("hybrid_with_embedding", "hybrid, incl. embed"),
)
_STAGES = (
    ("load", "load"),
    ("chunk", "chunk"),
    ("pipeline_embed", "embed"),
    ("store_lookups", "lookups"),
    ("store_writes", "writes"),
)


def write_plot(results: dict[str, Any], path: Path) -> None:
    """Two panels: latency vs size (log-log) and the ingest stage breakdown."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    sizes = results["retrieval"]
    xs = [int(n) for n in sizes]
    for key, label in _LINES:
        ys = [s["latency"].get(key, {}).get("p50_ms") for s in sizes.values()]
        pts = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
        if pts:
            left.plot(*zip(*pts, strict=True), marker="o", label=label)
    left.axhline(20, color="grey", linestyle="--", linewidth=1, label="goal 20 ms")
    left.set(xscale="log", yscale="log", xlabel="chunks", ylabel="p50 latency (ms)")
    left.set_title("Retrieval latency")
    left.legend(fontsize=7)
    _ingest_panel(right, results["ingest"])
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _ingest_panel(ax: Any, ing: dict[str, Any]) -> None:
    ms = ing["stage_ms"]
    labels = [label for _, label in _STAGES] + ["rest", "raw embed\n(reference)"]
    values = [ms[key] / 1000 for key, _ in _STAGES] + [
        max(0.0, ing["unaccounted_ms"]) / 1000,
        ms["raw_embed"] / 1000,
    ]
    colors = ["tab:blue"] * (len(values) - 1) + ["tab:green"]
    ax.barh(labels, values, color=colors)
    ax.invert_yaxis()
    ax.set_xlabel("seconds")
    ax.set_title(
        f"Ingest of {ing['chunks']} chunks: pipeline {ms['pipeline'] / 1000:.1f} s "
        f"= {ing['ratio_pipeline_vs_raw']:.0%} of raw speed",
        fontsize=9,
    )
