"""Tests for scratch.optim.schedules against torch.optim.lr_scheduler."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.optim import (
    SGD,
    CosineAnnealingLR,
    ExponentialLR,
    LambdaLR,
    StepLR,
    WarmupCosineLR,
    cosine_decay,
    step_decay,
    warmup_cosine,
)

N_STEPS = 30


def ours_lrs(make_sched, base_lr=0.1):
    opt = SGD([Tensor([1.0], requires_grad=True)], lr=base_lr)
    sched = make_sched(opt)
    lrs = [opt.lr]
    for _ in range(N_STEPS):
        sched.step()
        lrs.append(opt.lr)
    return lrs


def torch_lrs(make_sched, base_lr=0.1):
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=base_lr)
    sched = make_sched(torch, opt)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(N_STEPS):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


def warmup_then_cosine_torch(torch, opt):
    sch = torch.optim.lr_scheduler
    warm = sch.LinearLR(opt, start_factor=1 / 5, end_factor=1.0, total_iters=4)
    cos = sch.CosineAnnealingLR(opt, T_max=N_STEPS - 5, eta_min=0.01)
    return sch.SequentialLR(opt, [warm, cos], milestones=[5])


CASES = [
    ("step", lambda o: StepLR(o, step_size=7, gamma=0.5),
     lambda torch, o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5)),
    ("exponential", lambda o: ExponentialLR(o, gamma=0.9),
     lambda torch, o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9)),
    ("cosine", lambda o: CosineAnnealingLR(o, T_max=N_STEPS, eta_min=0.001),
     lambda torch, o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=N_STEPS, eta_min=0.001)),
    ("lambda", lambda o: LambdaLR(o, lambda t: 1 / (1 + t)),
     lambda torch, o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + t))),
    ("warmup_cosine", lambda o: WarmupCosineLR(o, warmup_steps=5, total_steps=N_STEPS, min_lr=0.01),
     warmup_then_cosine_torch),
]


@pytest.mark.parametrize("name, ours, theirs", CASES, ids=[c[0] for c in CASES])
def test_schedule_matches_torch(name, ours, theirs):
    np.testing.assert_allclose(ours_lrs(ours), torch_lrs(theirs), rtol=1e-9, atol=1e-12)


def test_functions_closed_forms():
    assert step_decay(0, 1.0, 10, 0.1) == 1.0 and step_decay(25, 1.0, 10, 0.1) == pytest.approx(0.01)
    assert cosine_decay(0, 1.0, 10) == 1.0
    assert cosine_decay(5, 1.0, 10) == pytest.approx(0.5)
    assert cosine_decay(10, 1.0, 10, 0.1) == pytest.approx(0.1)
    assert cosine_decay(50, 1.0, 10, 0.1) == pytest.approx(0.1)  # flat after the end
    lrs = [warmup_cosine(t, 1.0, 4, 14) for t in range(20)]
    np.testing.assert_allclose(lrs[:4], [0.25, 0.5, 0.75, 1.0])
    assert lrs[4] == 1.0 and lrs[9] == pytest.approx(0.5) and lrs[14] == pytest.approx(0.0, abs=1e-15)
    assert all(a >= b for a, b in zip(lrs[3:], lrs[4:]))
    assert math.isclose(lrs[-1], 0.0, abs_tol=1e-15)


def test_schedule_drives_any_object_with_lr():
    class Plain:
        lr = 2.0

    sched = ExponentialLR(Plain(), gamma=0.5)
    assert sched.step() == 1.0 and sched.get_last_lr() == 1.0


def test_bad_input():
    opt = SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match="`lr` attribute"):
        StepLR(object(), step_size=3)
    with pytest.raises(ValueError, match="step_size must be >= 1"):
        StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="total_steps must be >= 11"):
        WarmupCosineLR(opt, warmup_steps=10, total_steps=5)
    with pytest.raises(ValueError, match="gamma"):
        ExponentialLR(opt, gamma=-0.5)
