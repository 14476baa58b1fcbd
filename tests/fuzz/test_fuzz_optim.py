"""Bad-input fuzz of scratch.optim: optimizers, parameter groups, schedules, clipping and
parameter averaging. Each case must raise a clear ValueError/TypeError from scratch itself."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.autograd.tensor import Tensor  # noqa: E402
from scratch.nn.layers import Linear  # noqa: E402
from scratch.optim.averaging import copy_parameters, polyak_update  # noqa: E402
from scratch.optim.clip import clip_grad_norm  # noqa: E402
from scratch.optim.optimizers import SGD, Adagrad, Adam, AdamW, Momentum, Optimizer, RMSProp  # noqa: E402
from scratch.optim.schedules import (  # noqa: E402
    CosineAnnealingLR, ExponentialLR, LambdaLR, LRScheduler, StepLR, WarmupCosineLR, cosine_decay,
    exponential_decay, step_decay, warmup_cosine)


def P():
    return [Tensor(np.ones(3), requires_grad=True)]


def with_grad(g):
    p = Tensor(np.ones(3), requires_grad=True)
    p.grad = np.asarray(g, dtype=float)
    return [p]


def opt():
    return SGD(P(), lr=0.1)


CASES = [
    # ---- Optimizer base and parameter groups -----------------------------------------
    Case(Optimizer, lambda: SGD([], lr=0.1), ValueError, "empty parameter list", label="no parameters"),
    Case(Optimizer, lambda: SGD(np.ones(3), lr=0.1), TypeError, "Tensor", label="a numpy array as params"),
    Case(Optimizer, lambda: SGD([Tensor(np.ones(3))], lr=0.1), TypeError, "requires_grad|Tensor",
         label="a tensor that does not require grad"),
    Case(Optimizer, lambda: SGD(P() * 2, lr=0.1), ValueError, "more than once", label="parameter twice"),
    Case(Optimizer.add_param_group, lambda: opt().add_param_group({"lr": 0.1}), TypeError, "'params' entry",
         label="group without params"),
    Case(Optimizer.add_param_group, lambda: opt().add_param_group(P()), TypeError, "dict", label="a list, not a dict"),
    Case(Optimizer.add_param_group, lambda: opt().add_param_group({"params": P(), "lr": -1.0}), ValueError, "lr",
         label="negative lr in a group"),
    Case(Optimizer.step, lambda: setattr(opt(), "lr", float("nan")), ValueError, "lr", label="NaN lr set later"),
    # ---- each optimizer ------------------------------------------------------------------
    Case(SGD, lambda: SGD(P(), lr=-0.1), ValueError, "lr must be", label="negative lr"),
    Case(SGD, lambda: SGD(P(), lr="0.1"), TypeError, "lr must be a real number", label="string lr"),
    Case(SGD, lambda: SGD(P(), lr=0.1, momentum=1.5), ValueError, "momentum", label="momentum > 1"),
    Case(SGD, lambda: SGD(P(), lr=0.1, nesterov=True), ValueError, "Nesterov", label="Nesterov without momentum"),
    Case(SGD, lambda: SGD(P(), lr=0.1, momentum=0.9, dampening=2.0), ValueError, "dampening",
         label="dampening > 1"),
    Case(Momentum, lambda: Momentum(P(), lr=0.1, momentum=-0.5), ValueError, "momentum", label="negative momentum"),
    Case(Momentum, lambda: Momentum(P(), lr=0.1, weight_decay=-1.0), ValueError, "weight_decay",
         label="negative weight decay"),
    Case(RMSProp, lambda: RMSProp(P(), alpha=1.0), ValueError, "alpha", label="alpha = 1"),
    Case(RMSProp, lambda: RMSProp(P(), eps=0.0), ValueError, "eps", label="eps = 0"),
    Case(Adagrad, lambda: Adagrad(P(), lr_decay=-0.1), ValueError, "lr_decay", label="negative lr_decay"),
    Case(Adagrad, lambda: Adagrad(P(), initial_accumulator_value=float("inf")), ValueError,
         "initial_accumulator_value", label="infinite accumulator"),
    Case(Adam, lambda: Adam(P(), betas=0.9), ValueError, "pair", label="one beta"),
    Case(Adam, lambda: Adam(P(), betas=(0.9, 1.0)), ValueError, r"betas\[1\]", label="beta2 = 1"),
    Case(Adam, lambda: Adam(P(), lr=float("nan")), ValueError, "lr", label="NaN lr"),
    Case(AdamW, lambda: AdamW(P(), weight_decay=-0.01), ValueError, "weight_decay", label="negative weight decay"),
    Case(AdamW, lambda: AdamW(P(), eps=-1e-8), ValueError, "eps", label="negative eps"),
    # ---- schedule functions -----------------------------------------------------------------
    Case(step_decay, lambda: step_decay(-1, 0.1, 10), ValueError, "t", label="negative step"),
    Case(step_decay, lambda: step_decay(5, 0.1, 0), ValueError, "step_size", label="step_size 0"),
    Case(step_decay, lambda: step_decay(2.5, 0.1, 10), TypeError, "integer", label="float step"),
    Case(exponential_decay, lambda: exponential_decay(3, 0.1, gamma=-0.5), ValueError, "gamma",
         label="negative gamma"),
    Case(exponential_decay, lambda: exponential_decay(3, -0.1, gamma=0.5), ValueError, "base_lr",
         label="negative base_lr"),
    Case(cosine_decay, lambda: cosine_decay(3, 0.1, total_steps=0), ValueError, "total_steps", label="total_steps 0"),
    Case(cosine_decay, lambda: cosine_decay(3, 0.1, 10, min_lr=0.5), ValueError, "min_lr", label="min_lr > base_lr"),
    Case(warmup_cosine, lambda: warmup_cosine(3, 0.1, warmup_steps=-1, total_steps=10), ValueError, "warmup_steps",
         label="negative warmup"),
    Case(warmup_cosine, lambda: warmup_cosine(3, 0.1, warmup_steps=5, total_steps=10, min_lr=float("nan")),
         ValueError, "min_lr", label="NaN min_lr"),
    # ---- schedulers -----------------------------------------------------------------------------
    Case(LRScheduler, lambda: StepLR(object(), step_size=2), TypeError, "optimizer", label="not an optimizer"),
    Case(LambdaLR, lambda: LambdaLR(opt(), factor=0.5), TypeError, "factor must be a function", label="a number"),
    Case(LambdaLR, lambda: LambdaLR(opt(), factor=lambda t: -1.0), ValueError, "learning rate at step 0",
         label="factor gives a negative rate"),
    Case(StepLR, lambda: StepLR(opt(), step_size=0), ValueError, "step_size", label="step_size 0"),
    Case(StepLR, lambda: StepLR(opt(), step_size=2, gamma=0.0), ValueError, "gamma", label="gamma 0"),
    Case(ExponentialLR, lambda: ExponentialLR(opt(), gamma="0.9"), TypeError, "gamma", label="string gamma"),
    Case(CosineAnnealingLR, lambda: CosineAnnealingLR(opt(), T_max=0), ValueError, "T_max", label="T_max 0"),
    Case(CosineAnnealingLR, lambda: CosineAnnealingLR(opt(), T_max=10, eta_min=-0.1), ValueError, "eta_min",
         label="negative eta_min"),
    Case(WarmupCosineLR, lambda: WarmupCosineLR(opt(), warmup_steps=10, total_steps=5), ValueError, "total_steps",
         label="total shorter than warmup"),
    Case(WarmupCosineLR, lambda: WarmupCosineLR(opt(), warmup_steps=1.5, total_steps=5), TypeError, "warmup_steps",
         label="float warmup"),
    # ---- clipping and averaging -----------------------------------------------------------------------
    Case(clip_grad_norm, lambda: clip_grad_norm(with_grad([1, 2, 3]), max_norm=-1.0), ValueError, "max_norm",
         label="negative max_norm"),
    Case(clip_grad_norm, lambda: clip_grad_norm(with_grad([1, 2, 3]), 1.0, norm_type=0), ValueError, "norm_type",
         label="norm_type 0"),
    Case(clip_grad_norm, lambda: clip_grad_norm(np.ones(3), 1.0), TypeError, "Tensor", label="a numpy array"),
    Case(copy_parameters, lambda: copy_parameters(Linear(2, 3, rng=0), Linear(3, 2, rng=0)), ValueError,
         "different architectures", label="different shapes"),
    Case(copy_parameters, lambda: copy_parameters(Linear(2, 3, rng=0), 5), TypeError, "Module or an iterable",
         label="a number as target"),
    Case(copy_parameters, lambda: (lambda m: copy_parameters(m, m))(Linear(2, 3, rng=0)), ValueError,
         "same object", label="source is target"),
    Case(polyak_update, lambda: polyak_update(Linear(2, 3, rng=0), Linear(2, 3, rng=1), tau=1.5), ValueError, "tau",
         label="tau > 1"),
    Case(polyak_update, lambda: polyak_update(Linear(2, 3, rng=0), Linear(2, 3, rng=1), tau="0.1"), TypeError, "tau",
         label="string tau"),
    Case(polyak_update, lambda: polyak_update(P(), P() + P(), tau=0.1), ValueError, "different architectures",
         label="lists of different lengths"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
