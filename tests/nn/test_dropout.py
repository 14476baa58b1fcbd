"""Tests for scratch.nn.dropout; page: book/neural/mlp.md."""

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.nn.dropout import Dropout


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics_match_torch(p):
    torch = pytest.importorskip("torch")
    x = np.ones((400, 500))
    ours = Dropout(p, rng=0)(Tensor(x)).data
    torch.manual_seed(0)
    theirs = torch.nn.functional.dropout(torch.from_numpy(x), p, training=True).numpy()
    for out in (ours, theirs):  # same rule: zeros with probability p, survivors scaled by 1/(1-p)
        assert set(np.unique(out)) <= {0.0, 1.0 / (1 - p)}
    n = x.size
    tol = 5 * np.sqrt(p * (1 - p) / n)  # 5 binomial standard errors
    assert abs(np.mean(ours == 0) - p) < tol and abs(np.mean(theirs == 0) - p) < tol
    assert abs(ours.mean() - 1.0) < tol / (1 - p)


def test_dropout_gradient_uses_the_same_mask():
    x = Tensor(np.ones((50, 40)), requires_grad=True)
    out = Dropout(0.3, rng=1)(x)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # d(sum)/dx = mask / (1 - p)


def test_eval_mode_and_reproducibility():
    x = Tensor(np.random.default_rng(0).normal(size=(10, 10)))
    layer = Dropout(0.5, rng=3).eval()
    assert layer(x) is x
    a = Dropout(0.5, rng=3)(x).data
    b = Dropout(0.5, rng=3)(x).data
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("p", [-0.1, 1.0, "a"])
def test_bad_probability(p):
    with pytest.raises(ValueError, match=r"in \[0, 1\)"):
        Dropout(p)
