"""Tests for scratch.autograd.value_nn: Neuron, Layer and MLP on Values."""

import numpy as np
import pytest

from scratch.autograd.value import Value
from scratch.autograd.value_nn import MLP, Layer, Neuron


# ---------------------------------------------------------------------------
# A Value MLP learns two moons
# ---------------------------------------------------------------------------


def make_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (as sklearn.datasets.make_moons), labels 0/1."""
    n_outer, n_inner = n // 2, n - n // 2
    t_outer, t_inner = np.linspace(0, np.pi, n_outer), np.linspace(0, np.pi, n_inner)
    X = np.vstack([
        np.c_[np.cos(t_outer), np.sin(t_outer)],
        np.c_[1 - np.cos(t_inner), 0.5 - np.sin(t_inner)],
    ])
    y = np.r_[np.zeros(n_outer), np.ones(n_inner)]
    return X + noise * rng.standard_normal(X.shape), y


def test_value_mlp_fits_two_moons():
    X, y = make_moons(40, noise=0.1, rng=np.random.default_rng(0))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    signs = 2 * y - 1  # labels as -1/+1 for the hinge loss
    model = MLP(2, [16, 1], rng=1)
    params = model.parameters()
    velocity = [0.0] * len(params)
    accuracy = 0.0
    for step in range(150):
        scores = [model([Value(a), Value(b)]) for a, b in X]
        accuracy = np.mean([(s.data > 0) == (t > 0) for s, t in zip(scores, signs)])
        if accuracy == 1.0:
            break
        loss = sum((1 - t * s).relu() for s, t in zip(scores, signs)) * (1.0 / len(X))
        model.zero_grad()
        loss.backward()
        for i, p in enumerate(params):  # SGD with momentum
            velocity[i] = 0.9 * velocity[i] - 0.5 * p.grad
            p.data += velocity[i]
    assert accuracy == 1.0, f"training accuracy {accuracy} after {step + 1} steps"


def test_mlp_structure_and_reproducibility():
    m1, m2 = MLP(3, [4, 2], rng=0), MLP(3, [4, 2], rng=0)
    assert len(m1.parameters()) == 4 * (3 + 1) + 2 * (4 + 1)
    assert [p.data for p in m1.parameters()] == [p.data for p in m2.parameters()]
    out = m1([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 2
    assert len(Layer(2, 3, rng=0)([1.0, 2.0])) == 3
    assert isinstance(Neuron(2, "relu", rng=0)([1.0, 2.0]), Value)




@pytest.mark.parametrize("call, error, match", [
    (lambda: Neuron(3, rng=0)([1.0, 2.0]), ValueError, "expected 3 inputs, got 2"),
    (lambda: Neuron(2, rng=0)([1.0, 2.0, 3.0]), ValueError, "expected 2 inputs, got 3"),
    (lambda: Layer(2, 3, rng=0)([1.0]), ValueError, "expected 2 inputs, got 1"),
    (lambda: MLP(3, [4, 1], rng=0)([1.0, 2.0]), ValueError, "expected 3 inputs, got 2"),
    (lambda: Neuron(2, rng=0)(5.0), TypeError, "inputs must be a sequence"),
    (lambda: Neuron(2, "sigmoid", rng=0), ValueError, "Unknown activation"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()
