"""The engine keeps freed memory in the process (glibc only): no page faults per step."""

import os
import platform
import subprocess
import sys

import pytest

from scratch.autograd import allocator as _allocator

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# Like a training step: 20 times, hold six 8 MiB arrays at once, then free them all; print the
# minor page faults it cost. (One array at a time would not show it: glibc raises its
# thresholds after the first free. Six freed at once exceed the raised trim threshold.)
PROBE = """
import resource, numpy as np
import scratch.autograd.tensor
def step():
    arrays = [np.ones(2**21, dtype=np.float32) for _ in range(6)]
    del arrays
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults(env_value):
    env = dict(os.environ, SCRATCH_KEEP_FREED_MEMORY=env_value)
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


@pytest.mark.skipif(not GLIBC, reason="the tuning applies to glibc's malloc only")
def test_freed_arrays_are_reused_without_page_faults():
    kept, default = faults("1"), faults("0")
    # 20 steps touch 20 * 48 MiB = 245,760 pages: the default malloc returns most to the kernel
    assert default > 20_000, default
    assert kept < 500, kept


def test_disabled_by_environment(monkeypatch):
    monkeypatch.setenv("SCRATCH_KEEP_FREED_MEMORY", "0")
    saved = dict(_allocator._state)
    try:
        assert _allocator.keep_freed_memory() is False
        assert "SCRATCH_KEEP_FREED_MEMORY=0" in _allocator.allocator_info()
    finally:
        _allocator._state.update(saved)


@pytest.mark.skipif(not GLIBC, reason="the tuning applies to glibc's malloc only")
def test_applied_on_import_under_glibc():
    if os.environ.get("SCRATCH_KEEP_FREED_MEMORY") == "0":
        pytest.skip("disabled in this environment")
    assert "keeps freed memory" in _allocator.allocator_info()


def test_not_glibc_is_a_no_op(monkeypatch):
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    saved = dict(_allocator._state)
    try:
        assert _allocator.keep_freed_memory(True) is False
        assert "not glibc" in _allocator.allocator_info()
    finally:
        _allocator._state.update(saved)
