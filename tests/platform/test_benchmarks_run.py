"""Every benchmark script runs end to end (a few steps) and prints the machine fingerprint,
the allocator line and a scratch/torch ratio. The speed itself is never asserted here:
ratios live in benchmarks/results*.json, measured side by side (DESIGN.md)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RATIO = re.compile(r"(ratio scratch/torch = |\s)(\d+\.\d\d)\s*(\(|$)", re.M)

SCRIPTS = [
    ("bench_mlp.py", ["--repeats", "10", "--warmup", "1"]),
    ("bench_cnn_lstm.py", ["--repeats", "5", "--warmup", "1"]),
    ("bench_gpt.py", ["--repeats", "5", "--warmup", "1"]),
    ("bench_unet.py", ["--repeats", "5", "--warmup", "1"]),
    ("bench_dqn.py", ["--repeats", "10", "--warmup", "1"]),
    ("bench_ops.py", ["--only", "mul", "--rounds", "1", "--target-ms", "1"]),
]


@pytest.mark.slow
@pytest.mark.parametrize("script, args", SCRIPTS, ids=[s for s, _ in SCRIPTS])
def test_benchmark_prints_fingerprint_and_ratio(script, args, tmp_path):
    pytest.importorskip("torch")
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], capture_output=True,
                          text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert re.search(r"^machine [0-9a-f]{10}: ", out, re.M), out[:500]
    assert "memory: " in out and "BLAS" in out
    ratios = [float(m.group(2)) for m in RATIO.finditer(out)]
    assert ratios and all(r > 0 for r in ratios), out[-2000:]
