"""Tests for scratch.foundations.backprop_deep_dive (page: book/foundations/backprop_deep_dive.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.foundations.backprop_deep_dive import PARAM_NAMES, backward, batchnorm_backward, forward, init_params


def batch(seed=0, B=16, V=7, block=3):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, V, (B, block))
    X[1] = X[0]  # repeated rows: the embedding gradient must add up
    return X, rng.integers(0, V, B)


def numerical_grad(f, a, h=1e-6):
    g = np.zeros_like(a)
    it = np.nditer(a, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = a[i]
        a[i] = old + h; fp = f()
        a[i] = old - h; fm = f()
        a[i] = old
        g[i] = (fp - fm) / (2 * h)
    return g


@pytest.mark.parametrize("name", PARAM_NAMES)
def test_parameter_gradients_match_central_differences(name):
    p = init_params(7, 3, n_embd=4, n_hidden=5, rng=0)
    X, Y = batch()
    _, cache = forward(p, X, Y)
    g = backward(p, cache)
    num = numerical_grad(lambda: forward(p, X, Y)[0], p[name])
    np.testing.assert_allclose(g[name], num, atol=1e-8)


def test_every_intermediate_matches_the_tensor_engine():
    p = init_params(7, 3, n_embd=4, n_hidden=5, rng=1)
    X, Y = batch(1)
    loss, cache = forward(p, X, Y)
    g = backward(p, cache)
    t = {k: Tensor(v, requires_grad=True) for k, v in p.items()}
    emb = t["C"][X].retain_grad()
    embcat = emb.reshape(len(X), -1).retain_grad()
    hprebn = (embcat @ t["W1"] + t["b1"]).retain_grad()
    diff = hprebn - hprebn.mean(0, keepdims=True)
    bnraw = (diff * ((diff * diff).mean(0, keepdims=True) + 1e-5) ** -0.5).retain_grad()
    hpreact = (t["bngain"] * bnraw + t["bnbias"]).retain_grad()
    h = hpreact.tanh().retain_grad()
    logits = (h @ t["W2"] + t["b2"]).retain_grad()
    logprobs = logits.log_softmax(axis=-1).retain_grad()
    out = -logprobs[np.arange(len(X)), Y].mean()
    out.backward()
    assert out.item() == pytest.approx(loss, abs=1e-12)
    inter = dict(emb=emb, embcat=embcat, hprebn=hprebn, bnraw=bnraw, hpreact=hpreact, h=h, logits=logits,
                 logprobs=logprobs)
    for k, v in {**inter, **t}.items():
        np.testing.assert_allclose(g[k], v.grad, atol=1e-12, err_msg=k)


def test_against_torch():
    torch = pytest.importorskip("torch")
    p = init_params(7, 3, n_embd=4, n_hidden=5, rng=2)
    X, Y = batch(2)
    loss, cache = forward(p, X, Y)
    g = backward(p, cache)
    tp = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in p.items()}
    hpre = tp["C"][torch.from_numpy(X)].reshape(len(X), -1) @ tp["W1"] + tp["b1"]
    bn = torch.nn.functional.batch_norm(hpre, None, None, tp["bngain"], tp["bnbias"], training=True, eps=1e-5)
    logits = torch.tanh(bn) @ tp["W2"] + tp["b2"]
    lt = torch.nn.functional.cross_entropy(logits, torch.from_numpy(Y))
    lt.backward()
    assert lt.item() == pytest.approx(loss, abs=1e-12)
    for k in PARAM_NAMES:
        np.testing.assert_allclose(g[k], tp[k].grad.numpy(), atol=1e-12, err_msg=k)


def test_closed_forms_bias_before_bn_and_softmax_gradient():
    p = init_params(7, 3, n_embd=4, n_hidden=5, rng=3)
    X, Y = batch(3)
    _, cache = forward(p, X, Y)
    g = backward(p, cache)
    np.testing.assert_allclose(g["b1"], 0.0, atol=1e-15)  # a bias before batch norm gets no gradient
    onehot = np.eye(7)[Y]
    np.testing.assert_allclose(g["logits"], (cache["probs"] - onehot) / len(X), atol=1e-15)
    np.testing.assert_allclose(g["hprebn"].sum(0), 0.0, atol=1e-15)


@pytest.mark.parametrize("call,exc,match", [
    (lambda p: forward(p, np.zeros((4, 3)), np.zeros(4, dtype=int)), TypeError, "integer token ids"),
    (lambda p: forward(p, np.zeros((1, 3), dtype=int), np.zeros(1, dtype=int)), ValueError, "B >= 2"),
    (lambda p: forward(p, np.zeros((4, 2), dtype=int), np.zeros(4, dtype=int)), ValueError, "context positions"),
    (lambda p: forward(p, np.full((4, 3), 9), np.zeros(4, dtype=int)), ValueError, r"\[0, 7\)"),
    (lambda p: forward({"C": p["C"]}, np.zeros((4, 3), dtype=int), np.zeros(4, dtype=int)), ValueError, "missing"),
    (lambda p: batchnorm_backward(np.zeros((3, 2)), np.zeros((2, 3)), np.ones(2), np.ones((1, 2))), ValueError, "shape"),
    (lambda p: init_params(1), ValueError, "vocab_size"),
])
def test_bad_input(call, exc, match):
    p = init_params(7, 3, n_embd=4, n_hidden=5, rng=0)
    with pytest.raises(exc, match=match):
        call(p)
