"""Backpropagation by hand through a character MLP language model with batch normalisation.

The chapter ``book/foundations/backprop_deep_dive.md`` derives every gradient used
here (equations ``eq-bpdd-xent`` to ``eq-bpdd-embedding``); this module implements
the forward pass with all intermediates kept, and the backward pass written out
layer by layer in numpy, with the closed-form batch-normalisation input gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from scratch._validation import RNG, as_rng, check_int, check_positive

__all__ = ["PARAM_NAMES", "init_params", "forward", "batchnorm_backward", "backward"]

PARAM_NAMES = ("C", "W1", "b1", "bngain", "bnbias", "W2", "b2")


def init_params(vocab_size: int, block_size: int = 3, n_embd: int = 10, n_hidden: int = 64, *,
                rng: RNG = None, dtype: Any = np.float64) -> dict[str, np.ndarray]:
    """Random parameters of the names model: embedding table, Linear, BatchNorm, Linear.

    Parameters
    ----------
    vocab_size, block_size, n_embd, n_hidden : int
    rng : np.random.Generator, int or None
    dtype : numpy float dtype

    Returns
    -------
    dict
        ``C`` (vocab_size, n_embd), ``W1`` (block_size * n_embd, n_hidden), ``b1`` (n_hidden,),
        ``bngain``/``bnbias`` (n_hidden,), ``W2`` (n_hidden, vocab_size), ``b2`` (vocab_size,).
        All are non-trivial (no zeros or ones) so that no gradient is hidden by a special value.
    """
    vocab_size = check_int(vocab_size, name="vocab_size", minimum=2)
    block_size = check_int(block_size, name="block_size", minimum=1)
    n_embd = check_int(n_embd, name="n_embd", minimum=1)
    n_hidden = check_int(n_hidden, name="n_hidden", minimum=1)
    rng = as_rng(rng)
    fan_in = block_size * n_embd
    p = {
        "C": rng.standard_normal((vocab_size, n_embd)),
        "W1": rng.standard_normal((fan_in, n_hidden)) * (5 / 3) / np.sqrt(fan_in),
        "b1": rng.standard_normal(n_hidden) * 0.1,
        "bngain": 1.0 + rng.standard_normal(n_hidden) * 0.1,
        "bnbias": rng.standard_normal(n_hidden) * 0.1,
        "W2": rng.standard_normal((n_hidden, vocab_size)) * 0.1,
        "b2": rng.standard_normal(vocab_size) * 0.1,
    }
    return {k: v.astype(dtype) for k, v in p.items()}


def _check_params_and_batch(params: dict, X: Any, Y: Any) -> tuple[np.ndarray, np.ndarray]:
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; build it with init_params(...).")
    X, Y = np.asarray(X), np.asarray(Y)
    if X.dtype.kind not in "iu" or Y.dtype.kind not in "iu":
        raise TypeError(f"X and Y must hold integer token ids; got dtypes {X.dtype} and {Y.dtype}.")
    V, n_embd = params["C"].shape
    if X.ndim != 2 or Y.shape != (len(X),) or len(X) < 2:
        raise ValueError(f"expected X of shape (B, block_size) and Y of shape (B,) with B >= 2 "
                         f"(batch normalisation needs two samples); got {X.shape} and {Y.shape}.")
    if X.shape[1] * n_embd != params["W1"].shape[0]:
        raise ValueError(f"X has {X.shape[1]} context positions but W1 expects "
                         f"{params['W1'].shape[0] // n_embd}.")
    if X.min() < 0 or X.max() >= V or Y.min() < 0 or Y.max() >= V:
        raise ValueError(f"token ids must lie in [0, {V}); got X in [{X.min()}, {X.max()}], "
                         f"Y in [{Y.min()}, {Y.max()}].")
    return X, Y


def forward(params: dict[str, np.ndarray], X: Any, Y: Any, eps: float = 1e-5) -> tuple[float, dict[str, Any]]:
    r"""Forward pass keeping every intermediate (the cache the backward pass needs).

    Parameters
    ----------
    params : dict
        From :func:`init_params`.
    X : ndarray of int, shape (B, block_size)
        Contexts.
    Y : ndarray of int, shape (B,)
        Next characters.
    eps : float
        Added to the batch variance.

    Returns
    -------
    loss : float
        Mean cross-entropy.
    cache : dict
        ``emb`` (B, block, n_embd), ``embcat`` (B, block * n_embd), ``hprebn``, ``bnmean``,
        ``bnvar`` (biased), ``bnrstd``, ``bnraw``, ``hpreact``, ``h`` (B, n_hidden),
        ``logits``, ``probs``, ``logprobs`` (B, V), plus ``X`` and ``Y``.

    Notes
    -----
    :math:`h = \tanh(\gamma\odot\hat x + \beta)` with :math:`\hat x` the batch-normalised
    :math:`e W_1 + b_1`, logits :math:`h W_2 + b_2`, and the loss
    :math:`-\frac1B\sum_b \log\mathrm{softmax}(z_b)_{y_b}` (log-softmax, then gather).
    """
    X, Y = _check_params_and_batch(params, X, Y)
    eps = check_positive(eps, name="eps")
    B = len(X)
    emb = params["C"][X]                                   # (B, block, n_embd) lookup
    embcat = emb.reshape(B, -1)                            # (B, block * n_embd) concatenation
    hprebn = embcat @ params["W1"] + params["b1"]          # (B, n_hidden)
    bnmean = hprebn.mean(0, keepdims=True)                 # (1, n_hidden)
    bnvar = ((hprebn - bnmean) ** 2).mean(0, keepdims=True)  # (1, n_hidden) biased
    bnrstd = 1.0 / np.sqrt(bnvar + eps)                    # (1, n_hidden)
    bnraw = (hprebn - bnmean) * bnrstd                     # (B, n_hidden)
    hpreact = params["bngain"] * bnraw + params["bnbias"]  # (B, n_hidden)
    h = np.tanh(hpreact)                                   # (B, n_hidden)
    logits = h @ params["W2"] + params["b2"]               # (B, V)
    shifted = logits - logits.max(1, keepdims=True)        # (B, V) stable log-softmax
    logprobs = shifted - np.log(np.exp(shifted).sum(1, keepdims=True))  # (B, V)
    loss = float(-logprobs[np.arange(B), Y].mean())       # gather the targets
    cache = dict(X=X, Y=Y, emb=emb, embcat=embcat, hprebn=hprebn, bnmean=bnmean, bnvar=bnvar, bnrstd=bnrstd,
                 bnraw=bnraw, hpreact=hpreact, h=h, logits=logits, probs=np.exp(logprobs), logprobs=logprobs)
    return loss, cache


def batchnorm_backward(dout: np.ndarray, xhat: np.ndarray, gain: np.ndarray, rstd: np.ndarray) -> np.ndarray:
    r"""Closed-form input gradient of training-mode batch normalisation.

    Parameters
    ----------
    dout : ndarray of shape (B, n_features)
        Gradient with respect to the output :math:`y = \gamma\odot\hat x + \beta`.
    xhat : ndarray of shape (B, n_features)
        The normalised input :math:`\hat x`.
    gain : ndarray of shape (n_features,)
        :math:`\gamma`.
    rstd : ndarray of shape (1, n_features)
        :math:`1/\sqrt{\sigma_B^2 + \epsilon}` with the biased batch variance.

    Returns
    -------
    ndarray of shape (B, n_features)

    Notes
    -----
    eq-bpdd-bn of the page:
    :math:`\partial L/\partial x = \frac{\gamma\, r}{B}\big(B\,g - \sum_b g_b - \hat x\odot\sum_b g_b\odot\hat x_b\big)`
    with :math:`g = \partial L/\partial y`.
    """
    dout, xhat = np.asarray(dout), np.asarray(xhat)
    if dout.ndim != 2 or dout.shape != xhat.shape:
        raise ValueError(f"dout and xhat must both have shape (B, n_features); got {dout.shape} and {xhat.shape}.")
    gain, rstd = np.asarray(gain), np.asarray(rstd)
    n = dout.shape[1]
    if gain.shape not in ((n,), (1, n)) or rstd.shape not in ((n,), (1, n)):
        raise ValueError(f"gain must have shape ({n},) and rstd ({n},) or (1, {n}) to match dout {dout.shape}; "
                         f"got {gain.shape} and {rstd.shape}.")
    B = dout.shape[0]
    return gain * rstd / B * (B * dout - dout.sum(0) - xhat * (dout * xhat).sum(0))  # (B, n_features)


_CACHE_KEYS = ("X", "Y", "emb", "embcat", "bnraw", "bnrstd", "h", "probs", "logprobs")


def _check_cache(params: dict[str, np.ndarray], cache: dict[str, Any]) -> None:
    """``cache`` comes from ``forward(params, ...)``: every entry is there and the shapes agree with ``params``."""
    if not isinstance(cache, dict) or any(k not in cache for k in _CACHE_KEYS):
        have = sorted(cache) if isinstance(cache, dict) else type(cache).__name__
        raise ValueError(f"cache must be the dict returned by forward(params, X, Y); got {have}.")
    _check_params_and_batch(params, cache["X"], cache["Y"])
    V, n_embd = params["C"].shape
    if (cache["probs"].shape[1], cache["emb"].shape[2], cache["h"].shape[1]) != (V, n_embd, params["W2"].shape[0]):
        raise ValueError("params do not match the cache: call backward with the params that forward used "
                         f"(cache: vocab {cache['probs'].shape[1]}, n_embd {cache['emb'].shape[2]}, n_hidden "
                         f"{cache['h'].shape[1]}; params: vocab {V}, n_embd {n_embd}, n_hidden {params['W2'].shape[0]}).")


def backward(params: dict[str, np.ndarray], cache: dict[str, Any]) -> dict[str, np.ndarray]:
    r"""Backward pass written out by hand: the gradient of the loss for every intermediate and parameter.

    Parameters
    ----------
    params : dict
        From :func:`init_params`.
    cache : dict
        From :func:`forward` with the same ``params``.

    Returns
    -------
    dict
        ``logprobs``, ``logits``, ``h``, ``W2``, ``b2``, ``hpreact``, ``bngain``, ``bnbias``,
        ``bnraw``, ``hprebn``, ``embcat``, ``W1``, ``b1``, ``emb``, ``C``: each the gradient of
        the mean loss with respect to that array, of the same shape.

    Notes
    -----
    Implements eq-bpdd-xent (gather and log-softmax), eq-bpdd-linear, eq-bpdd-tanh,
    eq-bpdd-bn and eq-bpdd-embedding of the page.
    """
    _check_cache(params, cache)
    X, Y = cache["X"], cache["Y"]
    B = len(X)
    g: dict[str, np.ndarray] = {}
    g["logprobs"] = np.zeros_like(cache["logprobs"])               # (B, V) gather: -1/B at the targets
    g["logprobs"][np.arange(B), Y] = -1.0 / B
    g["logits"] = g["logprobs"] - cache["probs"] * g["logprobs"].sum(1, keepdims=True)  # (B, V) log-softmax
    g["h"] = g["logits"] @ params["W2"].T                           # (B, n_hidden)
    g["W2"] = cache["h"].T @ g["logits"]                            # (n_hidden, V)
    g["b2"] = g["logits"].sum(0)                                    # (V,)
    g["hpreact"] = (1.0 - cache["h"] ** 2) * g["h"]                 # (B, n_hidden) tanh' = 1 - tanh^2
    g["bngain"] = (cache["bnraw"] * g["hpreact"]).sum(0)            # (n_hidden,)
    g["bnbias"] = g["hpreact"].sum(0)                               # (n_hidden,)
    g["bnraw"] = params["bngain"] * g["hpreact"]                    # (B, n_hidden)
    g["hprebn"] = batchnorm_backward(g["hpreact"], cache["bnraw"], params["bngain"], cache["bnrstd"])
    g["embcat"] = g["hprebn"] @ params["W1"].T                      # (B, block * n_embd)
    g["W1"] = cache["embcat"].T @ g["hprebn"]                       # (block * n_embd, n_hidden)
    g["b1"] = g["hprebn"].sum(0)                                    # (n_hidden,) zero up to rounding
    g["emb"] = g["embcat"].reshape(cache["emb"].shape)              # (B, block, n_embd) undo the concat
    g["C"] = np.zeros_like(params["C"])                             # (V, n_embd)
    np.add.at(g["C"], X, g["emb"])                                  # scatter-add: rows used twice add up
    return g
