"""Tests for scratch.optim.optimizers: step-for-step agreement with torch.optim."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.optim import SGD, Adagrad, Adam, AdamW, Momentum, RMSProp

# (name, scratch factory, torch class name, torch kwargs)
CONFIGS = [
    ("sgd", lambda p: SGD(p, lr=0.1), "SGD", dict(lr=0.1)),
    ("sgd_momentum", lambda p: SGD(p, lr=0.1, momentum=0.9), "SGD", dict(lr=0.1, momentum=0.9)),
    ("sgd_nesterov", lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=True), "SGD",
     dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("sgd_weight_decay", lambda p: SGD(p, lr=0.1, momentum=0.5, weight_decay=0.1), "SGD",
     dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    ("sgd_dampening", lambda p: SGD(p, lr=0.05, momentum=0.9, dampening=0.3), "SGD",
     dict(lr=0.05, momentum=0.9, dampening=0.3)),
    ("momentum_class", lambda p: Momentum(p, lr=0.1), "SGD", dict(lr=0.1, momentum=0.9)),
    ("rmsprop", lambda p: RMSProp(p, lr=0.01), "RMSprop", dict(lr=0.01)),
    ("rmsprop_all_options", lambda p: RMSProp(p, lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.8,
                                               centered=True), "RMSprop",
     dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1, momentum=0.8, centered=True)),
    ("adagrad", lambda p: Adagrad(p, lr=0.1), "Adagrad", dict(lr=0.1)),
    ("adagrad_options", lambda p: Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5),
     "Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1, initial_accumulator_value=0.5)),
    ("adam", lambda p: Adam(p, lr=0.01), "Adam", dict(lr=0.01)),
    ("adam_defaults", lambda p: Adam(p), "Adam", dict()),
    ("adam_options", lambda p: Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), "Adam",
     dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw_defaults", lambda p: AdamW(p, lr=0.01), "AdamW", dict(lr=0.01)),
    ("adamw_options", lambda p: AdamW(p, lr=0.02, betas=(0.85, 0.95), weight_decay=0.3), "AdamW",
     dict(lr=0.02, betas=(0.85, 0.95), weight_decay=0.3)),
]


@pytest.mark.parametrize("name, make, torch_name, torch_kwargs", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_matches_torch_step_for_step(name, make, torch_name, torch_kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    shapes = [(3, 4), (5,)]
    init = [rng.standard_normal(s) for s in shapes]
    ours = [Tensor(a.copy(), requires_grad=True) for a in init]
    theirs = [torch.tensor(a, requires_grad=True) for a in init]
    opt = make(ours)
    t_opt = getattr(torch.optim, torch_name)(theirs, **torch_kwargs)
    for step in range(6):
        for p, t in zip(ours, theirs):  # the same gradient for both
            g = rng.standard_normal(p.shape)
            p.grad = g.copy()
            t.grad = torch.from_numpy(g)
        opt.step()
        t_opt.step()
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name}, step {step + 1}")


@pytest.mark.parametrize("make", [c[1] for c in CONFIGS], ids=[c[0] for c in CONFIGS])
def test_float32_params_stay_float32(make):
    p = Tensor(np.ones(4, dtype=np.float32), requires_grad=True)
    opt = make([p])
    for _ in range(2):
        p.grad = np.full(4, 0.5, dtype=np.float32)
        opt.step()
    assert p.dtype == np.float32 and np.all(p.data < 1.0)


def test_adam_minimises_rosenbrock_on_a_2d_tensor():
    w = Tensor([-1.5, 2.0], requires_grad=True)
    opt = Adam([w], lr=0.05)
    for _ in range(3000):
        x, y = w[0], w[1]
        loss = (1 - x) ** 2 + 100 * (y - x * x) ** 2
        opt.zero_grad()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(w.data, [1.0, 1.0], atol=0.02)


def test_hand_set_gradients_and_skipped_params():
    w = Tensor([3.0, -4.0], requires_grad=True)
    unused = Tensor([1.0], requires_grad=True)
    opt = SGD([w, unused], lr=0.1)
    for _ in range(100):
        w.grad = 2 * w.data  # gradient of |w|^2, computed by hand
        opt.step()
    np.testing.assert_allclose(w.data, [3.0 * 0.8**100, -4.0 * 0.8**100])
    assert unused.data[0] == 1.0  # grad None: skipped
    opt.zero_grad()
    assert w.grad is None


def test_lr_can_be_changed_between_steps():
    w = Tensor([1.0], requires_grad=True)
    opt = SGD([w], lr=0.1)
    w.grad = np.array([1.0])
    opt.step()
    opt.lr = 0.5
    opt.step()
    np.testing.assert_allclose(w.data, [1.0 - 0.1 - 0.5])
    assert "lr=0.5" in repr(opt)


def test_bad_input():
    w = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="item 0 is ndarray"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="requires_grad=True"):
        Adam([Tensor([1.0])])
    with pytest.raises(ValueError, match="more than once"):
        Adam([w, w])
    with pytest.raises(ValueError, match="lr must be finite and >= 0"):
        SGD([w], lr=-1.0)
    with pytest.raises(ValueError, match="Nesterov"):
        SGD([w], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match=r"betas\[1\] must be in \[0, 1\)"):
        Adam([w], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="pair"):
        Adam([w], betas=(0.9,))
    with pytest.raises(ValueError, match="alpha"):
        RMSProp([w], alpha=1.5)
    assert len(SGD(w, lr=0.1).params) == 1  # a single tensor is accepted
