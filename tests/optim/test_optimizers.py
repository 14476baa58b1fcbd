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


# ---- parameter groups ------------------------------------------------------------------------

# (name, scratch class, torch class name, defaults, group 0 overrides, group 1 overrides)
GROUP_CONFIGS = [
    ("sgd", SGD, "SGD", dict(lr=0.1, momentum=0.9), dict(weight_decay=0.1), dict(lr=0.02, nesterov=True)),
    ("rmsprop", RMSProp, "RMSprop", dict(lr=0.01), dict(centered=True, momentum=0.5), dict(alpha=0.9, eps=1e-6)),
    # (torch's Adagrad ignores a per-group initial_accumulator_value, so the groups here override others)
    ("adagrad", Adagrad, "Adagrad", dict(lr=0.1, initial_accumulator_value=0.3), dict(lr_decay=0.01),
     dict(lr=0.05, weight_decay=0.1, eps=1e-6)),
    ("adam", Adam, "Adam", dict(lr=0.01), dict(betas=(0.8, 0.99)), dict(weight_decay=0.2, lr=0.03)),
    ("adamw", AdamW, "AdamW", dict(lr=0.01, betas=(0.9, 0.95)), dict(weight_decay=0.1), dict(weight_decay=0.0)),
]


@pytest.mark.parametrize("name, cls, torch_name, defaults, g0, g1", GROUP_CONFIGS, ids=[c[0] for c in GROUP_CONFIGS])
def test_parameter_groups_match_torch_step_for_step(name, cls, torch_name, defaults, g0, g1):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    shapes = [(3, 4), (4,), (2, 2), (5,)]
    init = [rng.standard_normal(s) for s in shapes]
    ours = [Tensor(a.copy(), requires_grad=True) for a in init]
    theirs = [torch.tensor(a, requires_grad=True) for a in init]
    opt = cls([{"params": ours[:2], **g0}, {"params": ours[2:], **g1}], **defaults)
    t_opt = getattr(torch.optim, torch_name)([{"params": theirs[:2], **g0}, {"params": theirs[2:], **g1}], **defaults)
    assert len(opt.param_groups) == 2 and opt.params == ours
    for step in range(6):
        for p, t in zip(ours, theirs):
            g = rng.standard_normal(p.shape)
            p.grad, t.grad = g.copy(), torch.from_numpy(g)
        opt.step()
        t_opt.step()
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.data, t.detach().numpy(), rtol=1e-10, atol=1e-12,
                                       err_msg=f"{name}, step {step + 1}")
    for ours_group, torch_group in zip(opt.param_groups, t_opt.param_groups):
        for key in ours_group:
            if key != "params":
                assert ours_group[key] == pytest.approx(torch_group[key]), key


def test_one_group_equals_plain_parameter_list():
    rng = np.random.default_rng(2)
    a = [Tensor(rng.standard_normal(3), requires_grad=True) for _ in range(2)]
    b = [Tensor(t.data.copy(), requires_grad=True) for t in a]
    opt_a = AdamW(a, lr=0.1, weight_decay=0.3)
    opt_b = AdamW([{"params": b[:1]}, {"params": b[1:]}], lr=0.1, weight_decay=0.3)
    for _ in range(3):
        for p, q in zip(a, b):
            p.grad = q.grad = rng.standard_normal(3)
        opt_a.step()
        opt_b.step()
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.data, q.data)


def test_lr_property_with_groups():
    w, v = Tensor([1.0], requires_grad=True), Tensor([1.0], requires_grad=True)
    opt = SGD([{"params": [w]}, {"params": [v], "weight_decay": 0.5}], lr=0.1)
    opt.lr = 0.2  # same learning rate in every group: the schedules keep working
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2] and opt.lr == 0.2
    opt.param_groups[1]["lr"] = 0.05
    with pytest.raises(AttributeError, match="different learning rates"):
        _ = opt.lr
    with pytest.raises(AttributeError, match="different learning rates"):
        opt.lr = 0.3
    assert "n_groups=2" in repr(opt)


def test_add_param_group():
    w, v = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    opt = Adam([w], lr=0.1)
    opt.add_param_group({"params": v, "lr": 0.0})
    w.grad, v.grad = np.array([1.0]), np.array([1.0])
    opt.step()
    assert w.data[0] < 1.0 and v.data[0] == 2.0


GROUP_BAD = [
    (lambda w, v: AdamW([{"params": [w], "weight_deacy": 0.1}]), ValueError, "Unknown option.*'weight_deacy'"),
    (lambda w, v: AdamW([{"params": [w]}, {"params": [w]}]), ValueError, "already in another group"),
    (lambda w, v: AdamW([{"params": [w]}, v]), TypeError, "mixes Tensors and parameter-group dicts"),
    (lambda w, v: AdamW([{"weight_decay": 0.1}]), TypeError, "with a 'params' entry"),
    (lambda w, v: AdamW([{"params": [w]}, {"params": [v], "lr": -1.0}]), ValueError,
     r"lr \(parameter group 1\) must be finite and >= 0"),
    (lambda w, v: Adam([{"params": [w], "betas": (0.9, 1.2)}]), ValueError, r"betas\[1\] \(parameter group 0\)"),
    (lambda w, v: SGD([{"params": [w], "nesterov": True}], lr=0.1), ValueError, "Nesterov"),
    (lambda w, v: SGD([{"params": [np.ones(2)]}], lr=0.1), TypeError, "item 0 of parameter group 0 is ndarray"),
    (lambda w, v: SGD([{"params": []}], lr=0.1), ValueError, "empty parameter list"),
    (lambda w, v: SGD([w], lr=0.1, momentum=1.5), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda w, v: Adam([w], eps=0.0), ValueError, "eps must be finite and > 0"),
    (lambda w, v: RMSProp([w], eps=0.0), ValueError, "eps must be finite and > 0"),
    (lambda w, v: SGD(3.0, lr=0.1), TypeError, "must be an iterable of Tensors"),
]


@pytest.mark.parametrize("make, exc, match", GROUP_BAD, ids=[f"{i}-{b[2][:25]}" for i, b in enumerate(GROUP_BAD)])
def test_parameter_group_errors(make, exc, match):
    w, v = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    with pytest.raises(exc, match=match):
        make(w, v)
