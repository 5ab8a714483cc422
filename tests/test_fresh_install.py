"""A fresh virtualenv made by the interpreter's own `venv` (its bundled pip, 23.2 on Python 3.11)
installs Telaah and ingests an HTML file: no dependency may rest on an extra that old pip does
not resolve (justext asks for `lxml[html_clean]`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
PAGE = """<!doctype html><html><head><title>Pasar Ikan Paotere Dibuka Malam Hari</title></head>
<body><nav>Beranda · Berita</nav><article><h1>Pasar Ikan Paotere Dibuka Malam Hari</h1>
<p>Pasar ikan Paotere di Makassar kini buka mulai pukul 22.00 agar nelayan bisa menjual hasil
tangkapan segera setelah berlabuh. Pengelola pasar mencatat 640 pedagang terdaftar.</p>
<p>Menurut pengelola, jam buka malam membuat harga ikan lebih stabil bagi pembeli rumah
tangga dan pedagang keliling.</p></article><footer>Hak cipta</footer></body></html>
"""


def run(cmd: list[str], env: dict[str, str], timeout: int) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def test_bundled_pip_install_ingests_html(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    py = venv / "bin" / "python"
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "HF_HUB_OFFLINE": "1"}
    env.pop("VIRTUAL_ENV", None)
    pip_version = run([str(py), "-m", "pip", "--version"], env, 60).stdout
    run([str(py), "-m", "pip", "install", "--quiet", "torch==2.13.0"], env, 900)
    run([str(py), "-m", "pip", "install", "--quiet", "-e", str(ROOT)], env, 900)
    page = tmp_path / "paotere.html"
    page.write_text(PAGE, encoding="utf-8")
    env["TELAAH_DATA_DIR"] = str(tmp_path / "store")
    done = run([str(venv / "bin" / "telaah"), "ingest", "--json", str(page)], env, 300)
    assert '"status": "added"' in done.stdout, (pip_version, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
