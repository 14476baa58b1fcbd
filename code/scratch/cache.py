"""A small on-disk cache of trained weights, shared by the chapters.

Pages that train a model for longer than a few seconds store the result under
``<repo>/.cache/weights`` (git-ignored), keyed on every setting that affects it and
on the source code of the modules involved, so an edit to the code always
re-trains (:func:`cached_arrays`). Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
import zipfile
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

import numpy as np

__all__ = ["cache_dir", "source_hash", "cached_arrays"]


def cache_dir() -> Path:
    """``<repo>/.cache/weights`` (the repo is the first parent of the working directory holding
    ``pyproject.toml``); a folder in the system temp directory when there is none."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            path = folder / ".cache" / "weights"
            break
    else:
        path = Path(tempfile.gettempdir()) / "scratch-cache" / "weights"
    path.mkdir(parents=True, exist_ok=True)
    return path


def source_hash(objects: Iterable[Any]) -> str:
    """SHA-256 of the source code of ``objects`` (modules, classes, functions)."""
    if isinstance(objects, (str, bytes)) or not hasattr(objects, "__iter__"):
        raise TypeError(f"objects must be a list of modules, classes or functions; got {type(objects).__name__}.")
    h = hashlib.sha256()
    for obj in objects:
        try:
            source = inspect.getsource(obj)
        except (TypeError, OSError):
            raise TypeError(f"source_hash hashes source code: {obj!r} is not a module, class or function "
                            "defined in a file.") from None
        h.update(source.encode())
    return h.hexdigest()


def cached_arrays(name: str, config: dict[str, Any], sources: Iterable[Any],
                  compute: Callable[[], dict[str, np.ndarray]]) -> tuple[dict[str, np.ndarray], bool]:
    """Load arrays saved under a key of ``config`` and ``sources``, or compute and save them.

    Parameters
    ----------
    name : str
        File name prefix, e.g. ``"gpt-pydoc"``.
    config : dict
        Every hyperparameter that affects the result (JSON-serialisable).
    sources : iterable of modules/classes/functions
        Code whose edits must invalidate the cache (its source is hashed).
    compute : callable returning dict of str to ndarray
        Called when no valid file exists.

    Returns
    -------
    (arrays, from_cache)
    """
    if not isinstance(name, str) or not name or any(c in name for c in "/\\:") or name.startswith("."):
        raise ValueError(f"name must be a plain file-name prefix such as 'gpt-pydoc'; got {name!r}.")
    if not isinstance(config, dict):
        raise TypeError(f"config must be a dict of the settings that affect the result; got {type(config).__name__}.")
    if not callable(compute):
        raise TypeError(f"compute must be a function returning a dict of arrays; got {type(compute).__name__}.")
    try:
        config_text = json.dumps(config, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"config must be JSON-serialisable (numbers, strings, lists, dicts): {exc}. Convert "
                        "arrays with .tolist() and numpy scalars with float()/int().") from None
    key = hashlib.sha256((config_text + source_hash(sources)).encode()).hexdigest()[:16]
    path = cache_dir() / f"{name}-{key}.npz"
    # Pages execute in parallel: when two need the same model, the second waits for the
    # first to save it instead of training it again (an advisory lock, where the OS has one).
    with _locked(path.with_suffix(".lock")):
        if path.is_file():
            try:
                with np.load(path) as f:
                    return {k: f[k] for k in f.files}, True
            except (OSError, ValueError, EOFError, zipfile.BadZipFile):  # corrupt file: recompute
                pass
        arrays = compute()
        if not isinstance(arrays, dict) or not all(isinstance(k, str) for k in arrays):
            raise TypeError(f"compute must return a dict of str to ndarray; got {type(arrays).__name__}.")
        tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)
    return arrays, False


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (POSIX ``flock``; a no-op elsewhere)."""
    try:
        import fcntl
    except ImportError:  # Windows: no lock; at worst two processes compute the same arrays
        yield
        return
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

