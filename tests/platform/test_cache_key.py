"""Editing the scratch package invalidates the execution cache; no edit keeps it."""

import shutil
from pathlib import Path

import cache_key  # tools/cache_key.py

ROOT = Path(__file__).resolve().parents[2]


def make_tree(tmp_path):
    for entry in cache_key.INPUTS:
        src = ROOT / entry
        dst = tmp_path / entry
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy(src, dst)
    return tmp_path


def test_hash_changes_when_a_function_changes(tmp_path):
    tree = make_tree(tmp_path)
    before = cache_key.source_hash(tree)
    assert cache_key.source_hash(tree) == before
    module = tree / "code/scratch/classical/linear_regression.py"
    module.write_text(module.read_text().replace("return float(np.mean((y_true - y_pred) ** 2))",
                                                 "return float(np.mean(np.abs(y_true - y_pred)))"))
    assert cache_key.source_hash(tree) != before


def test_main_wipes_cache_only_when_the_package_changed(tmp_path, monkeypatch, capsys):
    tree = make_tree(tmp_path / "repo")
    monkeypatch.setattr(cache_key, "ROOT", tree)
    monkeypatch.setattr(cache_key.source_hash, "__defaults__", (tree,))
    build = tmp_path / "build"
    cache_key.main(str(build))                       # first build: stamp written
    (build / ".jupyter_cache").mkdir()
    (build / ".jupyter_cache" / "entry").write_text("x")
    cache_key.main(str(build))                       # unchanged: cache kept
    assert (build / ".jupyter_cache" / "entry").exists()
    f = tree / "code/scratch/plot.py"
    f.write_text(f.read_text() + "\n# edited\n")
    cache_key.main(str(build))                       # edited: cache wiped
    assert not (build / ".jupyter_cache").exists()
    out = capsys.readouterr().out
    assert "package unchanged" in out and "changed; every page will re-execute" in out
