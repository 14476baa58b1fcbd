"""Tests for scratch.frontiers.maml (page: book/frontiers/maml.md)."""

import math

import numpy as np
import pytest

from scratch.autograd.hvp import mlp_loss_grad
from scratch.frontiers.maml import (
    ACTIVATIONS,
    adapt,
    adaptation_curve,
    init_mlp,
    maml_meta_gradient,
    meta_train,
    random_function_family,
    reptile_direction,
    sample_points,
    sinusoid_family,
)


def batch(seed=0, n_tasks=4, k=5, q=7):
    rng = np.random.default_rng(seed)
    task = sinusoid_family(n_tasks, rng=rng)
    X, Y = sample_points(task, n_tasks, k + q, rng=rng)
    return X[:, :k], Y[:, :k], X[:, k:], Y[:, k:]


def torch_meta_gradient(params, Xs, Ys, Xq, Yq, alpha, steps, first_order=False):
    torch = pytest.importorskip("torch")
    theta = [torch.tensor(a, requires_grad=True) for pair in params for a in pair]

    def net(ws, X):
        h = torch.tensor(X)
        for i in range(0, len(ws), 2):
            h = h @ ws[i] + ws[i + 1]
            if i < len(ws) - 2:
                h = torch.relu(h)
        return h

    total = 0.0
    for t in range(Xs.shape[0]):
        ws = list(theta)
        for _ in range(steps):
            loss = ((net(ws, Xs[t]) - torch.tensor(Ys[t])) ** 2).mean()
            g = torch.autograd.grad(loss, ws, create_graph=not first_order)
            ws = [w - alpha * (gi.detach() if first_order else gi) for w, gi in zip(ws, g)]
        total = total + ((net(ws, Xq[t]) - torch.tensor(Yq[t])) ** 2).mean()
    meta = total / Xs.shape[0]
    grads = torch.autograd.grad(meta, theta)
    return meta.item(), [g.numpy() for g in grads]


@pytest.mark.parametrize("steps", [1, 3])
@pytest.mark.parametrize("seed", [0, 1])
def test_second_order_meta_gradient_matches_torch_create_graph(steps, seed):
    params = init_mlp((1, 12, 12, 1), rng=seed)
    Xs, Ys, Xq, Yq = batch(seed)
    loss, grads = maml_meta_gradient(params, Xs, Ys, Xq, Yq, inner_lr=0.05, inner_steps=steps)
    ref_loss, ref = torch_meta_gradient(params, Xs, Ys, Xq, Yq, 0.05, steps)
    assert loss == pytest.approx(ref_loss, abs=1e-12)
    for ours, theirs in zip([g for pair in grads for g in pair], ref):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-8)
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def test_first_order_meta_gradient_matches_torch_with_detached_inner_gradients():
    params = init_mlp((1, 10, 10, 1), rng=3)
    Xs, Ys, Xq, Yq = batch(3)
    _, grads = maml_meta_gradient(params, Xs, Ys, Xq, Yq, inner_lr=0.05, inner_steps=2, order="first")
    _, ref = torch_meta_gradient(params, Xs, Ys, Xq, Yq, 0.05, 2, first_order=True)
    for ours, theirs in zip([g for pair in grads for g in pair], ref):
        np.testing.assert_allclose(ours, theirs, atol=1e-12)
    _, second = maml_meta_gradient(params, Xs, Ys, Xq, Yq, inner_lr=0.05, inner_steps=2)
    assert max(np.abs(a - b).max() for (a, _), (b, _) in zip(grads, second)) > 1e-6


def test_adapt_and_reptile_closed_forms():
    params = init_mlp((1, 6, 6, 1), rng=4)
    Xs, Ys, _, _ = batch(4)
    path = adapt(params, Xs, Ys, inner_lr=0.1, inner_steps=2)
    _, g0 = mlp_loss_grad(path[0], Xs, Ys, ACTIVATIONS)
    np.testing.assert_allclose(path[1][0][0], params[0][0][None] - 0.1 * g0[0][0])
    # one Reptile step is the mean gradient times the step size
    d = reptile_direction(params, Xs, Ys, inner_lr=0.1, inner_steps=1)
    np.testing.assert_allclose(d[1][0], 0.1 * g0[1][0].mean(axis=0), atol=1e-14)


def test_families_shapes_and_sinusoid_formula():
    rng = np.random.default_rng(5)
    task = sinusoid_family(3, rng=rng)
    X, Y = sample_points(task, 3, 8, rng=rng)
    assert X.shape == Y.shape == (3, 8, 1) and np.all(np.abs(X) <= 5)
    np.testing.assert_allclose(Y[:, :, 0], task.amplitude[:, None] * np.sin(X[:, :, 0] - task.phase[:, None]))
    Xr, Yr = sample_points(random_function_family(3, rng=rng), 3, 8, rng=rng)
    assert Yr.shape == (3, 8, 1)


def test_maml_beats_pretraining_after_short_meta_training():
    maml, _ = meta_train("maml", n_iter=400, meta_batch=10, rng=0)
    pre, _ = meta_train("pretrain", n_iter=400, meta_batch=10, rng=0)
    c_maml = adaptation_curve(maml, n_tasks=50, rng=1, max_steps=1)
    c_pre = adaptation_curve(pre, n_tasks=50, rng=1, max_steps=1)
    assert c_maml[1] < c_pre[1]


@pytest.mark.parametrize("call, match", [
    (lambda: maml_meta_gradient(init_mlp(rng=0), *batch(), order="third"), "Unknown order"),
    (lambda: adapt(init_mlp(rng=0), *batch()[:2], inner_lr=0.0), "inner_lr must be finite and > 0"),
    (lambda: adapt(init_mlp(rng=0), *batch()[:2], inner_steps=-1), "inner_steps must be >= 0"),
    (lambda: init_mlp((1, 4, 1)), "must list 4 widths"),
    (lambda: meta_train("sgd", n_iter=1), "Unknown method"),
    (lambda: meta_train("maml", n_iter=1, k_shot=0), "k_shot must be >= 1"),
    (lambda: sinusoid_family(0), "n_tasks must be >= 1"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
