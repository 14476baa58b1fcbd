"""Part IV: language models, from counting bigrams to a GPT.

Submodules mirror the chapters in ``book/language/``: :mod:`bigram`,
:mod:`mlp_lm`, :mod:`wavenet`, :mod:`attention`, :mod:`gpt`, :mod:`finetuning`,
:mod:`transformers_beyond`. This file holds the small weight cache the
chapters share (:func:`cache_dir`, :func:`cached_arrays`, :func:`cached_gpt`).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

__all__ = ["cache_dir", "source_hash", "cached_arrays", "cached_gpt"]


def cache_dir() -> Path:
    """``<repo>/.cache/language`` (the repo is the first parent of the working directory holding
    ``pyproject.toml``); a folder in the system temp directory when there is none."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file():
            path = folder / ".cache" / "language"
            break
    else:
        path = Path(tempfile.gettempdir()) / "scratch-cache" / "language"
    path.mkdir(parents=True, exist_ok=True)
    return path


def source_hash(objects: Iterable[Any]) -> str:
    """SHA-256 of the source code of ``objects`` (modules, classes, functions)."""
    h = hashlib.sha256()
    for obj in objects:
        h.update(inspect.getsource(obj).encode())
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
    key = hashlib.sha256((json.dumps(config, sort_keys=True) + source_hash(sources)).encode()).hexdigest()[:16]
    path = cache_dir() / f"{name}-{key}.npz"
    if path.is_file():
        try:
            with np.load(path) as f:
                return {k: f[k] for k in f.files}, True
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):  # corrupt file: recompute
            pass
    arrays = compute()
    tmp = path.with_suffix(f".tmp{os.getpid()}.npz")
    np.savez(tmp, **arrays)
    os.replace(tmp, path)
    return arrays, False


def cached_gpt(name: str, config: Any, train_ids: np.ndarray, val_ids: np.ndarray,
               **train_kw: Any) -> tuple[Any, dict[str, np.ndarray], bool]:
    """Train a :class:`~scratch.language.gpt.GPT` with :func:`~scratch.language.gpt.train_gpt`, or load it.

    The cache key covers ``config``, ``train_kw``, a hash of the training and
    validation ids, and the source of the engine, layers, model and optimisers.
    Pages that call this with the same arguments share one trained model (the GPT
    chapter pretrains it, the fine-tuning chapter reuses it).

    Returns
    -------
    (model, history, from_cache)
    """
    import scratch.autograd.tensor as tensor
    import scratch.language.gpt as gpt
    import scratch.nn.attention as attention
    import scratch.nn.embedding as embedding
    import scratch.nn.layernorm as layernorm
    import scratch.nn.layers as layers
    import scratch.optim.optimizers as optimizers
    import scratch.optim.schedules as schedules

    data = hashlib.sha256(np.ascontiguousarray(train_ids).tobytes() + b"|" + np.ascontiguousarray(val_ids).tobytes())
    key = {"model": gpt.config_dict(config), "train": train_kw, "data": data.hexdigest()[:16]}

    def compute() -> dict[str, np.ndarray]:
        model = gpt.GPT(config, rng=0)
        hist = gpt.train_gpt(model, train_ids, val_ids, **train_kw)
        return {**{f"w.{k}": v for k, v in model.state_dict().items()}, **{f"h.{k}": v for k, v in hist.items()}}

    arrays, hit = cached_arrays(name, key, [tensor, layers, embedding, layernorm, attention, gpt, optimizers, schedules],
                                compute)
    model = gpt.GPT(config, rng=0)
    model.load_state_dict({k[2:]: v for k, v in arrays.items() if k.startswith("w.")})
    return model, {k[2:]: v for k, v in arrays.items() if k.startswith("h.")}, hit
