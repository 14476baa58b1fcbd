"""Tests for scratch.autograd.hvp: exact Hessian-vector products against torch's double backward."""

import numpy as np
import pytest

from scratch.autograd.hvp import mlp_forward, mlp_hvp, mlp_loss_grad


def make(sizes, seed, batch=()):
    rng = np.random.default_rng(seed)
    params = [(rng.normal(size=batch + (a, b)) / np.sqrt(a), rng.normal(size=batch + (b,)) * 0.3)
              for a, b in zip(sizes[:-1], sizes[1:])]
    V = [(rng.normal(size=W.shape), rng.normal(size=b.shape)) for W, b in params]
    return params, V


def torch_reference(params, X, Y, V, activations, reduction):
    torch = pytest.importorskip("torch")
    ts = [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in params]
    a = torch.tensor(X)
    for (W, b), name in zip(ts, activations):
        a = a @ W + b
        a = {"tanh": torch.tanh, "relu": torch.relu, "identity": lambda u: u}[name](a)
    err = (a - torch.tensor(Y)) ** 2
    loss = err.mean() if reduction == "mean" else err.sum()
    flat = [t for pair in ts for t in pair]
    grads = torch.autograd.grad(loss, flat, create_graph=True)
    dot = sum((g * torch.tensor(v)).sum() for g, v in zip(grads, [v for pair in V for v in pair]))
    hv = torch.autograd.grad(dot, flat)
    return loss.item(), [g.detach().numpy() for g in grads], [h.numpy() for h in hv]


@pytest.mark.parametrize("activations", [("tanh", "tanh", "identity"), ("relu", "relu", "identity"),
                                         ("tanh", "relu", "tanh")])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("seed", [0, 1])
def test_hvp_matches_torch_double_backward(activations, reduction, seed):
    params, V = make([3, 6, 5, 2], seed)
    rng = np.random.default_rng(10 + seed)
    X, Y = rng.normal(size=(7, 3)), rng.normal(size=(7, 2))
    loss, grads, hv = mlp_hvp(params, X, Y, V, activations, reduction)
    ref_loss, ref_g, ref_hv = torch_reference(params, X, Y, V, activations, reduction)
    assert loss == pytest.approx(ref_loss, abs=1e-12)
    np.testing.assert_allclose([g for pair in grads for g in map(np.ravel, pair)][0], ref_g[0].ravel(), atol=1e-12)
    for ours, ref in zip([h for pair in hv for h in pair], ref_hv):
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-8)
        np.testing.assert_allclose(ours, ref, rtol=1e-10, atol=1e-12)


def test_hvp_is_a_directional_derivative_of_the_gradient():
    params, V = make([2, 4, 1], 3)
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    _, _, hv = mlp_hvp(params, X, Y, V, ("tanh", "identity"))
    eps = 1e-6
    plus = [(W + eps * vW, b + eps * vb) for (W, b), (vW, vb) in zip(params, V)]
    minus = [(W - eps * vW, b - eps * vb) for (W, b), (vW, vb) in zip(params, V)]
    gp, gm = mlp_loss_grad(plus, X, Y, ("tanh", "identity"))[1], mlp_loss_grad(minus, X, Y, ("tanh", "identity"))[1]
    for (hW, hb), (pW, pb), (mW, mb) in zip(hv, gp, gm):
        np.testing.assert_allclose(hW, (pW - mW) / (2 * eps), atol=1e-8)
        np.testing.assert_allclose(hb, (pb - mb) / (2 * eps), atol=1e-8)


def test_batched_networks_equal_one_at_a_time():
    params, V = make([1, 4, 1], 5, batch=(3,))
    rng = np.random.default_rng(6)
    X, Y = rng.normal(size=(3, 5, 1)), rng.normal(size=(3, 5, 1))
    loss, grads, hv = mlp_hvp(params, X, Y, V, ("relu", "identity"))
    for t in range(3):
        p_t = [(W[t], b[t]) for W, b in params]
        v_t = [(W[t], b[t]) for W, b in V]
        l_t, g_t, h_t = mlp_hvp(p_t, X[t], Y[t], v_t, ("relu", "identity"))
        assert loss[t] == pytest.approx(float(l_t), abs=1e-14)
        for (hW, hb), (tW, tb) in zip(hv, h_t):
            np.testing.assert_allclose(hW[t], tW, atol=1e-14)
            np.testing.assert_allclose(hb[t], tb, atol=1e-14)
    assert mlp_forward(params, X, ("relu", "identity")).shape == (3, 5, 1)


@pytest.mark.parametrize("call, match", [
    (lambda p, V, X, Y: mlp_hvp(p, X, Y, V, ("tanh",)), "one activation per layer"),
    (lambda p, V, X, Y: mlp_hvp(p, X, Y, V, ("tanh", "gelu")), "Unknown activation"),
    (lambda p, V, X, Y: mlp_hvp(p, X[:, :1], Y, V, ("tanh", "identity")), "X must have shape"),
    (lambda p, V, X, Y: mlp_hvp(p, X, Y[:, :0], V, ("tanh", "identity")), "Y must have the output's shape"),
    (lambda p, V, X, Y: mlp_hvp(p, X, Y, V[:1], ("tanh", "identity")), "same structure"),
    (lambda p, V, X, Y: mlp_loss_grad(p, X, Y, ("tanh", "identity"), reduction="max"), "Unknown reduction"),
])
def test_bad_input(call, match):
    params, V = make([2, 3, 1], 7)
    X, Y = np.ones((4, 2)), np.ones((4, 1))
    with pytest.raises(ValueError, match=match):
        call(params, V, X, Y)
