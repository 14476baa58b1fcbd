"""Keep freed memory inside the process, so that large temporaries do not page-fault.

A training step of the engine allocates and frees many arrays of a few megabytes
(im2col patches, attention scores, activations and their gradients). glibc's
``malloc`` serves such arrays with ``mmap`` and returns them to the operating
system with ``munmap`` or a heap *trim* as soon as they are freed, so the next step
gets fresh pages, and the kernel zero-fills each 4 KiB page at its first touch. On
a small UNet step (``benchmarks/bench_unet.py``) that was about 7,000 page faults
and a fifth of the step's time, spent in the kernel, not in numpy.

:func:`keep_freed_memory` tells glibc to keep what it frees (``mallopt``): serve
arrays up to 32 MiB from the heap and never trim the heap by less than 1 GiB. A
process then keeps the peak memory of its largest step until it exits, which is
what PyTorch's caching allocators do too. numpy and torch in the same process
both see the setting, so side-by-side benchmarks stay fair.

It runs once when the Tensor engine (:mod:`scratch.autograd.tensor`) is imported. It does nothing where the
C library is not glibc (macOS, Windows, musl), and nothing when the environment
variable ``SCRATCH_KEEP_FREED_MEMORY=0`` is set.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import platform

# mallopt parameters, from glibc's <malloc.h>
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 * 2**20   # the largest value glibc accepts on 64-bit
TRIM_THRESHOLD = 2**30

__all__ = ["keep_freed_memory", "allocator_info"]

_state: dict[str, object] = {"applied": False, "reason": "not attempted"}


def keep_freed_memory(enable: bool | None = None) -> bool:
    """Set glibc's mmap and trim thresholds (see the module docstring).

    Parameters
    ----------
    enable : bool, optional
        Default: on, unless ``SCRATCH_KEEP_FREED_MEMORY=0``.

    Returns
    -------
    bool
        Whether the thresholds were set; :func:`allocator_info` says why not.
    """
    if enable is None:
        enable = os.environ.get("SCRATCH_KEEP_FREED_MEMORY", "1") != "0"
    if not isinstance(enable, bool):
        raise TypeError(f"enable must be True, False or None (read SCRATCH_KEEP_FREED_MEMORY); got {enable!r}.")
    if not enable:
        _state.update(applied=False, reason="disabled by SCRATCH_KEEP_FREED_MEMORY=0")
        return False
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        _state.update(applied=False, reason=f"not glibc ({platform.system()} {platform.libc_ver()[0] or '?'})")
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
        ok &= libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    except (OSError, AttributeError) as exc:  # no libc to load, or no mallopt in it
        _state.update(applied=False, reason=f"mallopt unavailable: {exc}")
        return False
    _state.update(applied=ok, reason="mallopt set" if ok else "mallopt refused the values")
    return ok


def allocator_info() -> str:
    """One line for benchmark fingerprints: whether :func:`keep_freed_memory` applied."""
    if _state["applied"]:
        return (f"glibc malloc keeps freed memory (mmap threshold {MMAP_THRESHOLD >> 20} MiB, "
                f"trim threshold {TRIM_THRESHOLD >> 20} MiB)")
    return f"default malloc ({_state['reason']})"
