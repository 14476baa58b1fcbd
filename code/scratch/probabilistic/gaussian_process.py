"""Gaussian process regression with composable kernels, fitted by maximising the marginal likelihood.

The chapter ``book/probabilistic/gaussian_process.md`` derives every equation used here;
equation labels in the *Notes* sections match the page. The API follows scikit-learn's
``GaussianProcessRegressor`` and ``sklearn.gaussian_process.kernels``: kernels are
called as ``kernel(X, Y=None, eval_gradient=False)``, their hyperparameters live in
log space in ``kernel.theta``, and ``+`` / ``*`` build sums and products.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from scratch._validation import (
    as_rng,
    check_array,
    check_int,
    check_is_fitted,
    check_n_features,
    check_option,
    check_positive,
    check_X_y,
)

__all__ = [
    "Kernel",
    "ConstantKernel",
    "WhiteKernel",
    "RBF",
    "Matern",
    "ExpSineSquared",
    "Sum",
    "Product",
    "GaussianProcessRegressor",
    "sample_prior",
    "minimize_lbfgs",
]


# ---------------------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------------------
def _sq_dists(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Squared Euclidean distances, shape (n_X, n_Y), clipped at 0 against round-off."""
    d2 = np.sum(X**2, 1)[:, None] + np.sum(Y**2, 1)[None, :] - 2.0 * X @ Y.T  # (n_X, n_Y)
    return np.maximum(d2, 0.0)


def _check_bounds(bounds, name: str):
    if isinstance(bounds, str):
        if bounds != "fixed":
            raise ValueError(f"{name} must be a (low, high) pair or 'fixed'; got {bounds!r}.")
        return "fixed"
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a (low, high) pair of positive numbers or 'fixed'; got {bounds!r}.") from None
    if not (0 < lo <= hi < np.inf):
        raise ValueError(f"{name} must satisfy 0 < low <= high < inf; got ({lo:g}, {hi:g}).")
    return (lo, hi)


class Kernel:
    """Base class of a covariance function with positive hyperparameters.

    Subclasses list their hyperparameters in ``_hyper`` (names of float attributes,
    each with a ``<name>_bounds`` attribute) and implement ``_call`` returning the
    matrix and the gradient with respect to the logs of all listed hyperparameters.
    """

    _hyper: tuple[str, ...] = ()

    # -- hyperparameters in log space, like scikit-learn ------------------------------
    def _free(self) -> list[str]:
        return [h for h in self._hyper if getattr(self, h + "_bounds") != "fixed"]

    @property
    def n_dims(self) -> int:
        """Number of free (not fixed) hyperparameters."""
        return len(self._free())

    @property
    def theta(self) -> np.ndarray:
        """Logs of the free hyperparameters, shape (n_dims,)."""
        return np.log([getattr(self, h) for h in self._free()]).astype(float)

    @theta.setter
    def theta(self, theta) -> None:
        theta = check_array(theta, name="theta", ndim=1, allow_empty=True)
        free = self._free()
        if theta.shape[0] != len(free):
            raise ValueError(f"theta must have {len(free)} entries ({free}); got {theta.shape[0]}.")
        for h, t in zip(free, theta):
            setattr(self, h, float(np.exp(t)))

    @property
    def bounds(self) -> np.ndarray:
        """Log-space bounds of the free hyperparameters, shape (n_dims, 2)."""
        b = [getattr(self, h + "_bounds") for h in self._free()]
        return np.log(np.array(b, dtype=float).reshape(-1, 2))

    def clone_with_theta(self, theta) -> "Kernel":
        """A copy of the kernel with hyperparameters ``exp(theta)``."""
        import copy

        new = copy.deepcopy(self)
        new.theta = theta
        return new

    # -- evaluation ---------------------------------------------------------------------
    def __call__(self, X, Y=None, eval_gradient: bool = False):
        """Kernel matrix ``k(X, Y)``.

        Parameters
        ----------
        X : array_like, shape (n_X, n_features)
        Y : array_like, shape (n_Y, n_features), optional
            Defaults to ``X``.
        eval_gradient : bool
            Also return the gradient with respect to ``theta`` (only when ``Y`` is None).

        Returns
        -------
        K : ndarray, shape (n_X, n_Y)
        K_gradient : ndarray, shape (n_X, n_X, n_dims)
            Only if ``eval_gradient``.
        """
        X = check_array(X, name="X", ndim=2)
        if Y is not None:
            if eval_gradient:
                raise ValueError("eval_gradient=True is only supported when Y is None (k(X, X)).")
            Y = check_array(Y, name="Y", ndim=2)
            if Y.shape[1] != X.shape[1]:
                raise ValueError(f"X and Y have mismatched numbers of features: {X.shape[1]} and {Y.shape[1]}.")
        K, G = self._call(X, Y, eval_gradient)
        if not eval_gradient:
            return K
        return K, G[..., self._free_mask()]

    def _free_mask(self) -> np.ndarray:
        return np.array([getattr(self, h + "_bounds") != "fixed" for h in self._hyper], dtype=bool)

    def _call(self, X, Y, eval_gradient):  # pragma: no cover - abstract
        raise NotImplementedError

    def diag(self, X) -> np.ndarray:
        """The diagonal of ``k(X, X)``, shape (n_X,), without forming the matrix."""
        X = check_array(X, name="X", ndim=2)
        return np.array([self._call(x[None], None, False)[0][0, 0] for x in X])

    # -- composition --------------------------------------------------------------------
    def __add__(self, other):
        return Sum(self, other if isinstance(other, Kernel) else ConstantKernel(other))

    def __radd__(self, other):
        return Sum(other if isinstance(other, Kernel) else ConstantKernel(other), self)

    def __mul__(self, other):
        return Product(self, other if isinstance(other, Kernel) else ConstantKernel(other))

    def __rmul__(self, other):
        return Product(other if isinstance(other, Kernel) else ConstantKernel(other), self)

    def __repr__(self) -> str:
        args = ", ".join(f"{h}={getattr(self, h):.3g}" for h in self._hyper)
        return f"{type(self).__name__}({args})"


def _positive(value, name: str) -> float:
    return check_positive(value, name=name)


class ConstantKernel(Kernel):
    """``k(x, y) = c``; multiplied with another kernel it sets the signal variance.

    Parameters
    ----------
    constant_value : float > 0
    constant_value_bounds : (float, float) or "fixed"
    """

    _hyper = ("constant_value",)

    def __init__(self, constant_value: float = 1.0, constant_value_bounds=(1e-5, 1e5)):
        self.constant_value = _positive(constant_value, "constant_value")
        self.constant_value_bounds = _check_bounds(constant_value_bounds, "constant_value_bounds")

    def _call(self, X, Y, eval_gradient):
        nY = X.shape[0] if Y is None else Y.shape[0]
        K = np.full((X.shape[0], nY), self.constant_value)  # (n_X, n_Y)
        return K, (K[..., None] if eval_gradient else None)  # d/dlog c = c

    def diag(self, X):
        return np.full(check_array(X, name="X").shape[0], self.constant_value)


class WhiteKernel(Kernel):
    """Independent noise: ``k(x_i, x_j) = s * [i == j]`` for ``k(X)``, and 0 for ``k(X, Y)``.

    Parameters
    ----------
    noise_level : float > 0
    noise_level_bounds : (float, float) or "fixed"
    """

    _hyper = ("noise_level",)

    def __init__(self, noise_level: float = 1.0, noise_level_bounds=(1e-5, 1e5)):
        self.noise_level = _positive(noise_level, "noise_level")
        self.noise_level_bounds = _check_bounds(noise_level_bounds, "noise_level_bounds")

    def _call(self, X, Y, eval_gradient):
        if Y is not None:
            return np.zeros((X.shape[0], Y.shape[0])), None
        K = self.noise_level * np.eye(X.shape[0])  # (n, n)
        return K, (K[..., None] if eval_gradient else None)

    def diag(self, X):
        return np.full(check_array(X, name="X").shape[0], self.noise_level)


class RBF(Kernel):
    """Squared-exponential kernel ``k(x, y) = exp(-||x - y||^2 / (2 l^2))``.

    Parameters
    ----------
    length_scale : float > 0
    length_scale_bounds : (float, float) or "fixed"

    Notes
    -----
    Implements eq-gp-rbf of the page; the gradient with respect to ``log l`` is
    ``K * ||x - y||^2 / l^2``.
    """

    _hyper = ("length_scale",)

    def __init__(self, length_scale: float = 1.0, length_scale_bounds=(1e-5, 1e5)):
        self.length_scale = _positive(length_scale, "length_scale")
        self.length_scale_bounds = _check_bounds(length_scale_bounds, "length_scale_bounds")

    def _call(self, X, Y, eval_gradient):
        d2 = _sq_dists(X, X if Y is None else Y) / self.length_scale**2  # (n_X, n_Y)
        K = np.exp(-0.5 * d2)
        return K, ((K * d2)[..., None] if eval_gradient else None)

    def diag(self, X):
        return np.ones(check_array(X, name="X").shape[0])


class Matern(Kernel):
    """Matérn kernel for ``nu`` in {0.5, 1.5, 2.5} (``r = ||x - y|| / l``).

    ``nu=0.5``: ``exp(-r)``; ``nu=1.5``: ``(1 + sqrt(3) r) exp(-sqrt(3) r)``;
    ``nu=2.5``: ``(1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r)``.

    Parameters
    ----------
    length_scale : float > 0
    length_scale_bounds : (float, float) or "fixed"
    nu : {0.5, 1.5, 2.5}
        Smoothness; sample paths are ``ceil(nu) - 1`` times differentiable.

    Notes
    -----
    Implements eq-gp-matern of the page.
    """

    _hyper = ("length_scale",)

    def __init__(self, length_scale: float = 1.0, length_scale_bounds=(1e-5, 1e5), nu: float = 1.5):
        self.length_scale = _positive(length_scale, "length_scale")
        self.length_scale_bounds = _check_bounds(length_scale_bounds, "length_scale_bounds")
        self.nu = check_option(nu, (0.5, 1.5, 2.5), name="nu (other values need Bessel functions)")

    def _call(self, X, Y, eval_gradient):
        r = np.sqrt(_sq_dists(X, X if Y is None else Y)) / self.length_scale  # (n_X, n_Y)
        if self.nu == 0.5:
            K = np.exp(-r)
            dK = K * r  # d/dlog l
        elif self.nu == 1.5:
            s = math.sqrt(3.0) * r
            K = (1.0 + s) * np.exp(-s)
            dK = s**2 * np.exp(-s)
        else:
            s = math.sqrt(5.0) * r
            K = (1.0 + s + s**2 / 3.0) * np.exp(-s)
            dK = s**2 * (1.0 + s) / 3.0 * np.exp(-s)
        return K, (dK[..., None] if eval_gradient else None)

    def diag(self, X):
        return np.ones(check_array(X, name="X").shape[0])

    def __repr__(self) -> str:
        return f"Matern(length_scale={self.length_scale:.3g}, nu={self.nu})"


class ExpSineSquared(Kernel):
    """Periodic kernel ``k(x, y) = exp(-2 sin^2(pi ||x - y|| / p) / l^2)``.

    Parameters
    ----------
    length_scale : float > 0
    periodicity : float > 0
    length_scale_bounds, periodicity_bounds : (float, float) or "fixed"

    Notes
    -----
    Implements eq-gp-periodic of the page.
    """

    _hyper = ("length_scale", "periodicity")

    def __init__(self, length_scale: float = 1.0, periodicity: float = 1.0,
                 length_scale_bounds=(1e-5, 1e5), periodicity_bounds=(1e-5, 1e5)):
        self.length_scale = _positive(length_scale, "length_scale")
        self.periodicity = _positive(periodicity, "periodicity")
        self.length_scale_bounds = _check_bounds(length_scale_bounds, "length_scale_bounds")
        self.periodicity_bounds = _check_bounds(periodicity_bounds, "periodicity_bounds")

    def _call(self, X, Y, eval_gradient):
        arg = np.pi * np.sqrt(_sq_dists(X, X if Y is None else Y)) / self.periodicity  # (n_X, n_Y)
        sin, cos = np.sin(arg), np.cos(arg)
        l2 = self.length_scale**2
        K = np.exp(-2.0 * sin**2 / l2)
        if not eval_gradient:
            return K, None
        d_l = 4.0 * sin**2 / l2 * K  # d/dlog l
        d_p = 4.0 * arg * sin * cos / l2 * K  # d/dlog p
        return K, np.stack([d_l, d_p], axis=-1)

    def diag(self, X):
        return np.ones(check_array(X, name="X").shape[0])


class _Pair(Kernel):
    def __init__(self, k1: Kernel, k2: Kernel):
        for name, k in (("k1", k1), ("k2", k2)):
            if not isinstance(k, Kernel):
                raise TypeError(f"{name} must be a Kernel; got {type(k).__name__}.")
        self.k1, self.k2 = k1, k2

    @property
    def n_dims(self) -> int:
        return self.k1.n_dims + self.k2.n_dims

    @property
    def theta(self) -> np.ndarray:
        return np.concatenate([self.k1.theta, self.k2.theta])

    @theta.setter
    def theta(self, theta) -> None:
        theta = check_array(theta, name="theta", ndim=1, allow_empty=True)
        if theta.shape[0] != self.n_dims:
            raise ValueError(f"theta must have {self.n_dims} entries; got {theta.shape[0]}.")
        self.k1.theta = theta[: self.k1.n_dims]
        self.k2.theta = theta[self.k1.n_dims:]

    @property
    def bounds(self) -> np.ndarray:
        return np.vstack([self.k1.bounds, self.k2.bounds])

    def __call__(self, X, Y=None, eval_gradient: bool = False):
        if not eval_gradient:
            return self._combine(self.k1(X, Y), self.k2(X, Y))
        K1, G1 = self.k1(X, Y, eval_gradient=True)
        K2, G2 = self.k2(X, Y, eval_gradient=True)
        return self._combine(K1, K2), self._combine_grad(K1, G1, K2, G2)

    def diag(self, X):
        return self._combine(self.k1.diag(X), self.k2.diag(X))


class Sum(_Pair):
    """``k(x, y) = k1(x, y) + k2(x, y)``; theta is ``[k1.theta, k2.theta]``."""

    def _combine(self, a, b):
        return a + b

    def _combine_grad(self, K1, G1, K2, G2):
        return np.concatenate([G1, G2], axis=-1)

    def __repr__(self) -> str:
        return f"{self.k1!r} + {self.k2!r}"


class Product(_Pair):
    """``k(x, y) = k1(x, y) * k2(x, y)``; the gradient follows the product rule."""

    def _combine(self, a, b):
        return a * b

    def _combine_grad(self, K1, G1, K2, G2):
        return np.concatenate([G1 * K2[..., None], K1[..., None] * G2], axis=-1)

    def __repr__(self) -> str:
        return f"{self.k1!r} * {self.k2!r}"


# ---------------------------------------------------------------------------------------
# Linear algebra helpers (Cholesky only; no explicit inverse of K)
# ---------------------------------------------------------------------------------------
def _cholesky(K: np.ndarray, what: str) -> np.ndarray:
    """Lower Cholesky factor; a clear error if ``K`` is not positive definite."""
    try:
        return np.linalg.cholesky(K)
    except np.linalg.LinAlgError:
        raise ValueError(
            f"{what} is not positive definite (Cholesky failed). Increase alpha (the noise "
            "variance added to the diagonal), add a WhiteKernel, or remove duplicate inputs."
        ) from None


def _solve_lower(L: np.ndarray, B: np.ndarray, block: int = 64) -> np.ndarray:
    """Solve ``L Z = B`` for lower-triangular ``L`` by blocked forward substitution.

    Each diagonal block (at most ``block`` wide) is solved directly and the rows below
    are updated with one matrix product, so the cost is O(n^2 m) for ``B`` of shape (n, m).
    """
    Z = np.array(B, dtype=float, copy=True)
    Z2 = Z[:, None] if Z.ndim == 1 else Z  # (n, m), a view of Z
    n = L.shape[0]
    for s in range(0, n, block):
        e = min(s + block, n)
        Z2[s:e] = np.linalg.solve(L[s:e, s:e], Z2[s:e])  # (b, m)
        Z2[e:] -= L[e:, s:e] @ Z2[s:e]  # (n - e, m)
    return Z


def _solve_lower_T(L: np.ndarray, B: np.ndarray, block: int = 64) -> np.ndarray:
    """Solve ``L^T Z = B`` for lower-triangular ``L`` by blocked back substitution."""
    Z = np.array(B, dtype=float, copy=True)
    Z2 = Z[:, None] if Z.ndim == 1 else Z  # (n, m)
    n = L.shape[0]
    for e in range(n, 0, -block):
        s = max(e - block, 0)
        Z2[s:e] = np.linalg.solve(L[s:e, s:e].T, Z2[s:e])  # (b, m)
        Z2[:s] -= L[s:e, :s].T @ Z2[s:e]  # (s, m)
    return Z


def _cho_solve(L: np.ndarray, B: np.ndarray) -> np.ndarray:
    """Solve ``(L L^T) Z = B`` with two triangular solves."""
    return _solve_lower_T(L, _solve_lower(L, B))


def _sample_mvn(mean: np.ndarray, cov: np.ndarray, n_samples: int, rng) -> np.ndarray:
    """Draws ``mean + L z`` with ``L = chol(cov + jitter I)``; shape (n_points, n_samples)."""
    n = cov.shape[0]
    scale = max(float(np.mean(np.diag(cov))), 1e-300)
    for jitter in (0.0, 1e-12, 1e-10, 1e-8, 1e-6):
        try:
            L = np.linalg.cholesky(cov + jitter * scale * np.eye(n))
            break
        except np.linalg.LinAlgError:
            continue
    else:
        raise ValueError("The covariance to sample from is not positive semi-definite, even with jitter.")
    z = rng.standard_normal((n, n_samples))
    return mean[:, None] + L @ z


def sample_prior(kernel: Kernel, X, n_samples: int = 1, rng=None) -> np.ndarray:
    """Functions drawn from the GP prior ``f ~ N(0, k(X, X))``.

    Parameters
    ----------
    kernel : Kernel
    X : array_like, shape (n_points, n_features)
    n_samples : int
    rng : Generator, int or None

    Returns
    -------
    ndarray, shape (n_points, n_samples)
    """
    if not isinstance(kernel, Kernel):
        raise TypeError(f"kernel must be a Kernel; got {type(kernel).__name__}.")
    X = check_array(X, name="X")
    n_samples = check_int(n_samples, name="n_samples", minimum=1)
    return _sample_mvn(np.zeros(X.shape[0]), kernel(X), n_samples, as_rng(rng))


# ---------------------------------------------------------------------------------------
# Optimiser: L-BFGS with projection onto box bounds
# ---------------------------------------------------------------------------------------
def minimize_lbfgs(fun: Callable, x0, bounds=None, *, max_iter: int = 200, memory: int = 10,
                   gtol: float = 1e-6, ftol: float = 1e-10):
    """Minimise ``fun(x) -> (value, gradient)`` by L-BFGS with bounds handled by projection.

    Parameters
    ----------
    fun : callable
        Returns the objective and its gradient, shape (n,); ``inf`` marks a failed point.
    x0 : array_like, shape (n,)
    bounds : array_like, shape (n, 2), optional
    max_iter, memory : int
    gtol, ftol : float
        Stop when the projected gradient's largest entry is below ``gtol`` or the
        relative decrease of the objective is below ``ftol``.

    Returns
    -------
    x : ndarray, shape (n,)
    f : float
    n_iter : int

    Notes
    -----
    The search direction is the two-loop recursion of L-BFGS (Nocedal and Wright,
    Algorithm 7.4); components pushing out of an active bound are zeroed; the step
    length is found by bisection until the weak Wolfe conditions hold.
    """
    if not callable(fun):
        raise TypeError(f"fun must be a callable x -> (value, gradient); got {type(fun).__name__}.")
    x = check_array(x0, name="x0", ndim=1).copy()
    if bounds is None:
        lo, hi = np.full(x.shape, -np.inf), np.full(x.shape, np.inf)
    else:
        b = check_array(bounds, name="bounds", finite=False)
        if b.shape != (x.shape[0], 2) or np.isnan(b).any() or np.any(b[:, 0] > b[:, 1]):
            raise ValueError(f"bounds must have shape ({x.shape[0]}, 2), one (low, high) pair per entry of x0 with "
                             f"low <= high; got shape {b.shape}.")
        lo, hi = b.T
    x = np.clip(x, lo, hi)
    f, g = fun(x)
    if not np.isfinite(f):
        raise ValueError("The objective is not finite at the starting point x0.")
    S: list[np.ndarray] = []
    Yk: list[np.ndarray] = []
    it = 0
    for it in range(1, max_iter + 1):
        if np.max(np.abs(np.clip(x - g, lo, hi) - x)) < gtol:
            break
        q = g.copy()  # two-loop recursion: q <- H g
        coefs = []
        for s, y in zip(reversed(S), reversed(Yk)):
            a = (s @ q) / (y @ s)
            coefs.append(a)
            q -= a * y
        if S:
            q *= (S[-1] @ Yk[-1]) / (Yk[-1] @ Yk[-1])
        for (s, y), a in zip(zip(S, Yk), reversed(coefs)):
            q += (a - (y @ q) / (y @ s)) * s
        d = -q
        blocked = ((x <= lo) & (d < 0)) | ((x >= hi) & (d > 0))
        d[blocked] = 0.0
        if g @ d >= 0:  # not a descent direction: restart with steepest descent
            S.clear(), Yk.clear()
            d = -g
            d[((x <= lo) & (d < 0)) | ((x >= hi) & (d > 0))] = 0.0
        t, t_lo, t_hi = 1.0, 0.0, np.inf  # weak Wolfe line search by bisection
        for _ in range(60):
            x_new = np.clip(x + t * d, lo, hi)
            f_new, g_new = fun(x_new)
            if not np.isfinite(f_new) or f_new > f + 1e-4 * (g @ (x_new - x)):
                t_hi = t  # not enough decrease: shorten
            elif np.any(x_new != x + t * d) or g_new @ d >= 0.9 * (g @ d):
                break  # sufficient decrease and curvature (or a bound was hit)
            else:
                t_lo = t  # still descending steeply: lengthen
            t = 0.5 * (t_lo + t_hi) if np.isfinite(t_hi) else 2.0 * t_lo
        else:
            return x, float(f), it
        if not (np.isfinite(f_new) and f_new <= f):
            return x, float(f), it
        s, y = x_new - x, g_new - g
        if s @ y > 1e-12:
            S.append(s), Yk.append(y)
            if len(S) > memory:
                S.pop(0), Yk.pop(0)
        done = abs(f - f_new) <= ftol * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if done:
            break
    return x, float(f), it


# ---------------------------------------------------------------------------------------
# The regressor
# ---------------------------------------------------------------------------------------
class GaussianProcessRegressor:
    """Gaussian process regression (scikit-learn's API).

    Parameters
    ----------
    kernel : Kernel, optional
        Prior covariance. Default ``ConstantKernel(1.0, "fixed") * RBF(1.0)``.
    alpha : float or array_like of shape (n_samples,)
        Variance added to the diagonal of ``K`` at the training points (noise or jitter).
    optimizer : {"lbfgs", None}
        ``"lbfgs"`` maximises the log marginal likelihood over ``kernel.theta``;
        ``None`` keeps the kernel's hyperparameters.
    n_restarts_optimizer : int
        Extra optimiser runs from log-uniform random starts within the bounds.
    normalize_y : bool
        Subtract the mean of ``y`` and divide by its standard deviation before fitting.
    rng : Generator, int or None
        Random starts of the optimiser.

    Attributes
    ----------
    kernel_ : Kernel
        The kernel with the fitted hyperparameters.
    L_ : ndarray, shape (n_samples, n_samples)
        Lower Cholesky factor of ``K + alpha I``.
    alpha_ : ndarray, shape (n_samples,)
        ``(K + alpha I)^{-1} y``.
    log_marginal_likelihood_value_ : float
    """

    def __init__(self, kernel: Kernel | None = None, *, alpha=1e-10, optimizer="lbfgs",
                 n_restarts_optimizer: int = 0, normalize_y: bool = False, rng=None):
        self.kernel = kernel
        self.alpha = alpha
        self.optimizer = optimizer
        self.n_restarts_optimizer = n_restarts_optimizer
        self.normalize_y = normalize_y
        self.rng = rng

    # -- fitting ----------------------------------------------------------------------
    def _check_alpha(self, n: int) -> np.ndarray:
        alpha = np.asarray(self.alpha, dtype=float)
        if alpha.ndim == 0:
            alpha = np.full(n, float(alpha))
        if alpha.shape != (n,):
            raise ValueError(
                f"alpha must be a scalar or have one entry per training sample ({n}); got shape {alpha.shape}."
            )
        if not np.all(np.isfinite(alpha)) or np.any(alpha < 0):
            raise ValueError("alpha must be finite and >= 0 (a noise variance).")
        return alpha

    def fit(self, X, y) -> "GaussianProcessRegressor":
        """Fit to data ``X`` of shape (n_samples, n_features), ``y`` of shape (n_samples,).

        Notes
        -----
        Maximises the log marginal likelihood (eq-gp-lml of the page) with
        ``minimize_lbfgs`` on ``-LML`` using its gradient (eq-gp-lml-grad), then
        factorises ``K + alpha I = L L^T`` once for prediction.
        """
        kernel = ConstantKernel(1.0, "fixed") * RBF(1.0) if self.kernel is None else self.kernel
        if not isinstance(kernel, Kernel):
            raise TypeError(f"kernel must be a Kernel (e.g. RBF()); got {type(kernel).__name__}.")
        X, y = check_X_y(X, y)
        check_option(self.optimizer, ("lbfgs", None), name="optimizer")
        n_restarts = check_int(self.n_restarts_optimizer, name="n_restarts_optimizer", minimum=0)
        self._alpha_vec = self._check_alpha(X.shape[0])
        self.kernel_ = kernel.clone_with_theta(kernel.theta)
        self.n_features_in_ = X.shape[1]
        if self.normalize_y:
            self._y_mean = float(np.mean(y))
            self._y_std = float(np.std(y)) or 1.0
        else:
            self._y_mean, self._y_std = 0.0, 1.0
        self.X_train_ = X
        self.y_train_ = (y - self._y_mean) / self._y_std
        if self.optimizer == "lbfgs" and self.kernel_.n_dims > 0:
            def neg_lml(theta):
                try:
                    v, g = self.log_marginal_likelihood(theta, eval_gradient=True)
                except ValueError:
                    return np.inf, np.zeros_like(theta)
                return -v, -g

            bounds = self.kernel_.bounds
            starts = [self.kernel_.theta]
            rng = as_rng(self.rng)
            starts += [rng.uniform(bounds[:, 0], bounds[:, 1]) for _ in range(n_restarts)]
            best = None
            for t0 in starts:
                try:
                    theta, f, n_it = minimize_lbfgs(neg_lml, t0, bounds)
                except ValueError:  # infeasible start
                    continue
                if best is None or f < best[1]:
                    best = (theta, f, n_it)
            if best is None:
                raise ValueError("The log marginal likelihood could not be evaluated at any start; increase alpha.")
            self.kernel_.theta = best[0]
            self.n_iter_ = best[2]
        K = self.kernel_(X) + np.diag(self._alpha_vec)  # (n, n)
        self.L_ = _cholesky(K, "The kernel matrix K + alpha I")
        self.alpha_ = _cho_solve(self.L_, self.y_train_)  # (n,)
        self.log_marginal_likelihood_value_ = self._lml_from_factor(self.L_, self.alpha_)
        return self

    def _lml_from_factor(self, L, a) -> float:
        n = L.shape[0]
        return float(-0.5 * self.y_train_ @ a - np.sum(np.log(np.diag(L))) - 0.5 * n * math.log(2 * math.pi))

    def log_marginal_likelihood(self, theta=None, eval_gradient: bool = False, clone_kernel: bool = True):
        """Log marginal likelihood ``log p(y | X, theta)`` of the training data.

        Parameters
        ----------
        theta : array_like, shape (n_dims,), optional
            Log hyperparameters; None returns the value at the fitted ones.
        eval_gradient : bool
            Also return the gradient with respect to ``theta``.
        clone_kernel : bool
            Accepted for scikit-learn compatibility (the kernel is always copied).

        Returns
        -------
        lml : float
        grad : ndarray, shape (n_dims,)
            Only if ``eval_gradient``.

        Notes
        -----
        Implements eq-gp-lml and eq-gp-lml-grad of the page:
        ``-y^T a / 2 - sum(log diag L) - n log(2 pi) / 2`` and
        ``tr((a a^T - K^{-1}) dK/dtheta_j) / 2`` with ``a = K^{-1} y``.
        """
        check_is_fitted(self, "X_train_")
        if theta is None:
            if eval_gradient:
                raise ValueError("eval_gradient=True needs theta.")
            return self.log_marginal_likelihood_value_
        kernel = self.kernel_.clone_with_theta(theta)
        if eval_gradient:
            K, dK = kernel(self.X_train_, eval_gradient=True)  # (n, n), (n, n, n_dims)
        else:
            K = kernel(self.X_train_)
        K = K + np.diag(self._alpha_vec)
        L = _cholesky(K, "The kernel matrix K + alpha I")
        a = _cho_solve(L, self.y_train_)  # (n,)
        lml = self._lml_from_factor(L, a)
        if not eval_gradient:
            return lml
        inner = np.outer(a, a) - _cho_solve(L, np.eye(K.shape[0]))  # a a^T - K^{-1}, (n, n)
        grad = 0.5 * np.einsum("ij,jik->k", inner, dK)  # traces, (n_dims,)
        return lml, grad

    # -- prediction ----------------------------------------------------------------------
    def predict(self, X, return_std: bool = False, return_cov: bool = False):
        """Posterior predictive mean (and std or covariance) of the latent function at ``X``.

        Parameters
        ----------
        X : array_like, shape (n_query, n_features)
        return_std, return_cov : bool
            At most one may be True.

        Returns
        -------
        y_mean : ndarray, shape (n_query,)
        y_std : ndarray, shape (n_query,)
            If ``return_std``.
        y_cov : ndarray, shape (n_query, n_query)
            If ``return_cov``.

        Notes
        -----
        Implements eq-gp-posterior-mean and eq-gp-posterior-cov of the page:
        ``mean = K_*^T a`` and ``cov = K_** - V^T V`` with ``V = L^{-1} K_*``.
        A WhiteKernel in the kernel adds its noise to the diagonal of ``K_**``,
        exactly as in scikit-learn.
        """
        check_is_fitted(self, "L_")
        if return_std and return_cov:
            raise ValueError("At most one of return_std and return_cov can be True.")
        X = check_array(X, name="X")
        check_n_features(self, X)
        K_star = self.kernel_(self.X_train_, X)  # (n, n_query)
        mean = K_star.T @ self.alpha_ * self._y_std + self._y_mean  # (n_query,)
        if not (return_std or return_cov):
            return mean
        V = _solve_lower(self.L_, K_star)  # (n, n_query)
        if return_cov:
            cov = self.kernel_(X) - V.T @ V  # (n_query, n_query)
            return mean, cov * self._y_std**2
        var = self.kernel_.diag(X) - np.sum(V**2, axis=0)  # (n_query,)
        return mean, np.sqrt(np.maximum(var, 0.0)) * self._y_std

    def sample_y(self, X, n_samples: int = 1, rng=None) -> np.ndarray:
        """Functions drawn from the posterior at ``X``, shape (n_query, n_samples)."""
        n_samples = check_int(n_samples, name="n_samples", minimum=1)
        mean, cov = self.predict(X, return_cov=True)
        return _sample_mvn(mean, cov, n_samples, as_rng(rng))

    def score(self, X, y) -> float:
        """Coefficient of determination R^2 of the posterior mean."""
        X, y = check_X_y(X, y)
        resid = y - self.predict(X)
        return float(1.0 - resid @ resid / np.sum((y - y.mean()) ** 2))

