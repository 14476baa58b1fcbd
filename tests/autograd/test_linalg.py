"""Tests for scratch.autograd.linalg: gradchecks in float64 and agreement with torch.linalg."""

from __future__ import annotations

import numpy as np
import pytest

from scratch.autograd import GradcheckError, Tensor, gradcheck
from scratch.autograd.linalg import cho_solve, cholesky, logdet, solve, solve_triangular

EYE = np.eye(4)


def spd(X: Tensor) -> Tensor:
    """A symmetric positive-definite matrix built from a free parameter X (..., 4, 4)."""
    return X @ X.swapaxes(-1, -2) + Tensor(EYE)


def make(shape, seed=0, requires_grad=True):
    return Tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=requires_grad)


def lower_factor(shape=(4, 4), seed=1):
    data = np.tril(np.random.default_rng(seed).standard_normal(shape)) + 3 * np.eye(shape[-1])
    return Tensor(data, requires_grad=True)


# ---- gradchecks ---------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [(), (3,)])
def test_cholesky_gradcheck(batch):
    assert gradcheck(lambda X: cholesky(spd(X)), [make(batch + (4, 4))])


@pytest.mark.parametrize("batch", [(), (2,)])
def test_logdet_gradcheck(batch):
    assert gradcheck(lambda X: logdet(spd(X)), [make(batch + (4, 4))])


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("b_shape", [(4, 3), (2, 4, 3), (4,)])
def test_solve_triangular_gradcheck(lower, b_shape):
    L = lower_factor()
    B = make(b_shape, seed=2)
    fn = (lambda L, B: solve_triangular(L, B)) if lower else (
        lambda L, B: solve_triangular(L.swapaxes(-1, -2), B, lower=False))
    assert gradcheck(fn, [L, B])


def test_solve_triangular_ignores_other_triangle():
    L = lower_factor()
    junk = L.data + np.triu(np.ones((4, 4)), 1) * 7.0  # garbage above the diagonal
    B = np.random.default_rng(3).standard_normal((4, 2))
    np.testing.assert_allclose(solve_triangular(junk, B).data, solve_triangular(L.data, B).data, rtol=1e-14)
    Lj = Tensor(junk, requires_grad=True)
    solve_triangular(Lj, B).sum().backward()
    assert np.all(np.triu(Lj.grad, 1) == 0)  # no gradient into the unused triangle


@pytest.mark.parametrize("b_shape", [(4, 3), (4,), (2, 4, 1)])
def test_solve_gradcheck(b_shape):
    A = make((4, 4), seed=4)
    A.data += 4 * np.eye(4)
    assert gradcheck(lambda A, B: solve(A, B), [A, make(b_shape, seed=5)])


def test_cho_solve_gradcheck_and_value():
    X, B = make((4, 4)), make((4, 2), seed=6)
    assert gradcheck(lambda X, B: cho_solve(cholesky(spd(X)), B), [X, B])
    A = spd(X).data
    np.testing.assert_allclose(A @ cho_solve(np.linalg.cholesky(A), B.data).data, B.data, atol=1e-12)


def test_gradcheck_negative_control_wrong_backward_is_caught():
    """A Cholesky backward without symmetrisation is wrong and gradcheck must say so."""
    from scratch.autograd.tensor import from_op

    def bad_cholesky(A):
        L = np.linalg.cholesky(A.data)
        return from_op(L, (A,), lambda g: (np.tril(g),), "bad")

    with pytest.raises(GradcheckError):
        gradcheck(lambda X: bad_cholesky(spd(X)), [make((4, 4))])


# ---- values and gradients against torch ------------------------------------------------------


def _torch_pair(fn_ours, fn_torch, *arrays):
    torch = pytest.importorskip("torch")
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn_ours(*ours), fn_torch(*theirs)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12, atol=1e-13)
    cot = np.random.default_rng(9).standard_normal(out.shape)
    out.backward(cot)
    ref.backward(torch.tensor(cot))
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.grad, t.grad.numpy(), rtol=1e-10, atol=1e-12)
    return max(np.abs(o.grad - t.grad.numpy()).max() for o, t in zip(ours, theirs))


def test_against_torch_linalg():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X = rng.standard_normal((3, 5, 5))
    A = X @ np.swapaxes(X, -1, -2) + np.eye(5)  # a batch of SPD matrices
    L = np.linalg.cholesky(A)
    B = rng.standard_normal((3, 5, 2))
    G = rng.standard_normal((5, 5)) + 5 * np.eye(5)
    worst = [
        # torch symmetrises the Cholesky gradient the same way
        _torch_pair(cholesky, torch.linalg.cholesky, A),
        _torch_pair(logdet, torch.logdet, A),
        _torch_pair(lambda L, B: solve_triangular(L, B), lambda L, B: torch.linalg.solve_triangular(
            torch.tril(L), B, upper=False), L, B),
        _torch_pair(lambda U, B: solve_triangular(U, B, lower=False), lambda U, B: torch.linalg.solve_triangular(
            torch.triu(U), B, upper=True), np.swapaxes(L, -1, -2).copy(), B),
        _torch_pair(solve, torch.linalg.solve, G, B[0]),
        _torch_pair(lambda A, b: solve(A, b), torch.linalg.solve, G, B[0, :, 0].copy()),
    ]
    assert max(worst) < 1e-10


def test_logdet_large_matrix_does_not_overflow():
    n = 400
    A = 10.0 * np.eye(n)  # det = 10^400 overflows float64; its log does not
    np.testing.assert_allclose(logdet(A).data, n * np.log(10.0), rtol=1e-14)


# ---- bad input ------------------------------------------------------------------------------

NOT_PD = np.array([[1.0, 2.0], [2.0, 1.0]])
NOT_SYM = np.array([[2.0, 1.0], [0.0, 2.0]])
BAD = [
    (cholesky, (np.ones((2, 3)),), "must be a square matrix"),
    (cholesky, (np.ones(3),), "must be a square matrix"),
    (cholesky, (NOT_PD,), "not positive definite"),
    (cholesky, (NOT_SYM,), "not symmetric"),
    (cholesky, (np.array([[np.nan, 0.0], [0.0, 1.0]]),), "NaN or infinite"),
    (logdet, (NOT_PD,), "not positive definite"),
    (logdet, (np.ones((2, 3)),), "must be a square matrix"),
    (solve_triangular, (np.array([[1.0, 0.0], [1.0, 0.0]]), np.ones(2)), "zero on its diagonal"),
    (solve_triangular, (np.eye(2), np.ones(3)), "does not fit a matrix of shape"),
    (solve_triangular, (np.eye(2), np.ones((3, 2))), "does not fit a matrix of shape"),
    (solve_triangular, (np.ones((2, 2, 2)), np.ones((3, 2, 1))), "do not broadcast"),
    (solve, (np.ones((2, 2)), np.ones(2)), "singular"),
    (solve, (np.ones((3, 2)), np.ones(3)), "must be a square matrix"),
    (solve, (np.eye(2), np.ones((2, 3, 1))), "does not fit|do not broadcast"),
]


@pytest.mark.parametrize("fn, args, match", BAD, ids=[f"{b[0].__name__}-{b[2][:20]}" for b in BAD])
def test_bad_input_raises_clear_errors(fn, args, match):
    with pytest.raises(ValueError, match=match):
        fn(*args)
