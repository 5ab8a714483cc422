"""Run every benchmark: ``python -m benchmarks.run [--quick]``.

Writes benchmarks/out/results.json, BENCHMARKS.md (repo root) and docs/benchmarks.png.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.answer_bench import cold_start, load_questions, warm_compare
from benchmarks.common import machine_info
from benchmarks.ingest_bench import run_ingest
from benchmarks.memory import measure_in_subprocess
from benchmarks.report import write_report
from benchmarks.retrieval_bench import bench_size

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
QUICK_BUDGET_S = 285.0
SIZES = (1_000, 10_000, 100_000)


def _plan(quick: bool, ingest_docs: int | None) -> dict[str, Any]:
    return {
        "mode": "quick" if quick else "full",
        "ingest_docs": ingest_docs or (18 if quick else 40),
        "queries_per_method": 100 if quick else 200,
        "real_embed_questions": 20 if quick else 71,
        "cold_repeats": 2 if quick else 3,
        "answer_rounds": 2,
        "answer_questions": "every other (36)" if quick else "all 71",
        "ingest_groups": 6,
    }


def _fits(big: int, done: dict[str, Any], elapsed: float, budget: float) -> tuple[bool, float]:
    """Projected seconds for ``big`` chunks (linear in size from the largest finished run)."""
    last = done[max(done, key=int)]
    factor = big / last["chunks"]
    projected = factor * last["wall_s"] * 1.2  # build and HNSW grow a little faster than n
    return elapsed + projected < budget, round(projected, 1)


def _retrieval(
    plan: dict[str, Any], quick: bool, work: Path, t_start: float, questions: list[str]
) -> dict[str, Any]:
    sizes: dict[str, Any] = {}
    for n in SIZES:
        if quick and n > 10_000:
            ok, projected = _fits(n, sizes, time.perf_counter() - t_start, QUICK_BUDGET_S)
            plan[f"projected_{n}_s"] = projected
            if not ok:
                plan["skipped"] = f"{n} chunks (projected {projected} s would exceed the budget)"
                continue
        t0 = time.perf_counter()
        result = bench_size(
            n, work, plan["queries_per_method"], questions[: plan["real_embed_questions"]]
        )
        result["memory"] = measure_in_subprocess(work / f"store-{n}")
        result["wall_s"] = round(time.perf_counter() - t0, 1)
        sizes[str(n)] = result
        print(f"retrieval {n}: {result['wall_s']} s", flush=True)
    return sizes


def run(quick: bool, ingest_docs: int | None = None, keep: bool = False) -> dict[str, Any]:
    """Every section in one process, in one temporary working folder."""
    t_start = time.perf_counter()
    plan = _plan(quick, ingest_docs)
    work = Path(tempfile.mkdtemp(prefix="telaah-bench-"))
    results: dict[str, Any] = {"machine": machine_info(), "plan": plan}
    questions = load_questions()
    try:
        t0 = time.perf_counter()
        results["ingest"] = run_ingest(work / "ingest", plan["ingest_docs"], plan["ingest_groups"])
        print(f"ingest: {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        asked = questions[::2] if quick else questions
        results["answer"] = warm_compare(work / "demo", asked, plan["answer_rounds"])
        results["cold_start"] = cold_start(work / "demo", questions[0], plan["cold_repeats"])
        print(f"answer: {time.perf_counter() - t0:.1f} s", flush=True)
        results["retrieval"] = _retrieval(plan, quick, work, t_start, questions)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    results["total_s"] = round(time.perf_counter() - t_start, 1)
    return results


def main() -> None:
    """Parse arguments, run, write results.json and the report."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="under 5 minutes on 2 cores")
    parser.add_argument("--ingest-docs", type=int, help="synthetic documents for section 1")
    parser.add_argument("--keep", action="store_true", help="keep the temporary stores")
    parser.add_argument("--no-report", action="store_true", help="only write results.json")
    parser.add_argument(
        "--report-only", action="store_true", help="re-render the report from results.json"
    )
    args = parser.parse_args()
    if args.report_only:
        results = json.loads((OUT / "results.json").read_text(encoding="utf-8"))
    else:
        results = run(args.quick, args.ingest_docs, args.keep)
        OUT.mkdir(parents=True, exist_ok=True)
        text = json.dumps(results, indent=2) + "\n"
        (OUT / "results.json").write_text(text, encoding="utf-8")
        (OUT / f"results-{results['plan']['mode']}.json").write_text(text, encoding="utf-8")
    if not args.no_report:
        other = OUT / f"results-{'full' if args.quick else 'quick'}.json"
        previous = json.loads(other.read_text()) if other.exists() else None
        write_report(results, previous, ROOT / "BENCHMARKS.md", ROOT / "docs" / "benchmarks.png")
    print(f"total: {results['total_s']} s -> {OUT / 'results.json'}", flush=True)


if __name__ == "__main__":
    main()
