"""Launch smoke test: a page's generated Colab notebook runs in a fresh environment that
holds only (a subset of) what Colab preinstalls; its first cell installs the package with
the [pages] extra, from this checkout instead of GitHub (SCRATCH_INSTALL_URL).

Pages: one that imports torch and one that reads the census names (the `names` package,
which Colab lacks). Each runs in an empty working directory, as on Colab, where no file
of the repository is present. Slow (a virtual environment with torch: a few minutes)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import launch_links  # _ext/launch_links.py
from import_audit import _requirement_lines  # tools/import_audit.py

ROOT = Path(__file__).resolve().parents[2]
SMOKE_PAGES = ["book/foundations/optimization.md", "book/language/bigram.md"]
# What the fresh environment gets before the notebook runs: Colab's preinstalled packages
# that this book could touch at all (requirements/colab-preinstalled.txt), nothing else.
PREINSTALLED = ["numpy", "scipy", "matplotlib", "scikit-learn", "torch", "ipykernel", "nbclient", "pyyaml"]


def run(cmd, **kw):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    return proc


@pytest.fixture(scope="module")
def colab_python(tmp_path_factory):
    listed = set(_requirement_lines(ROOT / "requirements/colab-preinstalled.txt"))
    assert set(PREINSTALLED) <= listed, "the smoke environment may only hold what Colab preinstalls"
    for absent in ["lime", "names", "gymnasium", "hmmlearn", "pykalman"]:
        assert absent not in listed
    venv = tmp_path_factory.mktemp("colab") / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    python = venv / "bin" / "python"
    run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
         "-c", str(ROOT / "requirements/constraints.txt"), *PREINSTALLED], timeout=1800)
    probe = run([str(python), "-c", "import importlib.util as u; print([m for m in "
                 "('scratch', 'names', 'lime') if u.find_spec(m)])"])
    assert probe.stdout.strip() == "[]", "the fresh environment must not have the package yet"
    return python


@pytest.mark.slow
@pytest.mark.parametrize("page", SMOKE_PAGES)
def test_colab_notebook_runs_in_a_fresh_colab_like_environment(colab_python, page, tmp_path):
    nb = launch_links.colab_notebook(ROOT / page, "https://github.com/o/r", "main")
    path = tmp_path / Path(page).with_suffix(".ipynb").name  # outside the working directory
    nbformat.write(nb, str(path))
    runner = (
        "import sys, nbformat\n"
        "from nbclient import NotebookClient\n"
        "nb = nbformat.read(sys.argv[1], as_version=4)\n"
        "NotebookClient(nb, timeout=600, kernel_name='python3').execute()\n"
        "nbformat.write(nb, sys.argv[1])\n"
    )
    # The package source, copied so that building it leaves nothing in the checkout.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "code", source / "code", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ["pyproject.toml", "README.md", "LICENSE"]:
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, source / name)
    workdir = tmp_path / "content"  # Colab's empty working directory
    workdir.mkdir()
    env = dict(os.environ, SCRATCH_INSTALL_URL=source.as_uri(), PIP_CONSTRAINT=str(ROOT / "requirements/constraints.txt"),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1", MPLBACKEND="Agg",
               PATH=f"{colab_python.parent}:{os.environ['PATH']}")
    env.pop("PYTHONPATH", None)
    env.pop("VIRTUAL_ENV", None)
    run([str(colab_python), "-c", runner, str(path)], cwd=workdir, env=env, timeout=1800)
    done = nbformat.read(str(path), as_version=4)
    errors = [o for c in done.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
