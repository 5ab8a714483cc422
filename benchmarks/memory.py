"""Section 4: RSS of a fresh process that opens a store + keyword index and runs 20 queries.

Run as ``python -m benchmarks.memory DATA_DIR`` (one process per store size); prints JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import proc_status_mb

QUERIES = 20


def measure(data_dir: Path) -> dict[str, Any]:
    """RSS (MiB) after imports, store open, keyword index load and 20 hybrid queries."""
    import numpy as np

    from app.retrieve import HybridRetriever
    from app.settings import Settings
    from benchmarks.common import DIM, FixedVectorEmbeddings
    from benchmarks.retrieval_bench import query_texts
    from vectorstore.store import Store

    out: dict[str, Any] = {"imports_mb": proc_status_mb()}
    settings = Settings(data_dir=data_dir)
    fake = FixedVectorEmbeddings()
    store = Store.open(settings.store_settings, fake)
    out["store_open_mb"] = proc_status_mb()
    retriever = HybridRetriever(settings, store, fake, reranker=None)
    t0 = time.perf_counter()
    retriever.sync()
    out["keyword_sync_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    out["keyword_loaded_mb"] = proc_status_mb()
    rng = np.random.default_rng(2)
    vectors = rng.standard_normal((QUERIES, DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for vector, text in zip(vectors, query_texts(QUERIES, seed=2), strict=True):
        fake.vector = vector.tolist()
        retriever.retrieve(text, k=6, mode="hybrid")
    out["after_queries_mb"] = proc_status_mb()
    out["peak_mb"] = proc_status_mb("VmHWM")
    out["chunks"] = store.chunk_count()
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}


def measure_in_subprocess(data_dir: Path, timeout_s: float = 300) -> dict[str, Any]:
    """Run :func:`measure` in a fresh interpreter so sizes do not pollute each other."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1:] or ["failed"]}
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]))))
