"""Score functions, diffusion SDEs and the probability-flow ODE.

The chapter ``book/generative/score_diffusion.md`` derives every equation used
here; equation labels in the *Notes* sections match the page. Time runs in
``[0, T]`` with ``T = 1``; data at ``t = 0``, noise at ``t = T``.
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_option, check_positive
from scratch.autograd.tensor import Tensor, no_grad
from scratch.nn import functional as F
from scratch.nn.layers import Linear
from scratch.nn.module import Module
from scratch.nn.time_embedding import sinusoidal_embedding
from scratch.ode import odeint
from scratch.optim.optimizers import Adam

__all__ = [
    "GaussianMixture",
    "VPSDE",
    "VESDE",
    "langevin",
    "euler_maruyama",
    "reverse_sde_sample",
    "probability_flow_sample",
    "ScoreMLP",
    "train_score",
]

ScoreFn = Callable[[np.ndarray, float], np.ndarray]


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = a.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))).squeeze(axis)


class GaussianMixture:
    """A mixture of isotropic Gaussians :math:`\\sum_k \\pi_k N(\\mu_k, s_k^2 I)` in ``D`` dimensions.

    Parameters
    ----------
    means : array_like of shape (n_components, n_features)
    stds : array_like of shape (n_components,)
    weights : array_like of shape (n_components,), optional
        Non-negative, summing to 1 (default: equal).
    """

    def __init__(self, means: Any, stds: Any, weights: Any = None):
        self.means = check_array(means, name="means", ndim=2)
        k = self.means.shape[0]
        self.stds = check_array(stds, name="stds", ndim=1)
        if self.stds.shape != (k,) or np.any(self.stds <= 0):
            raise ValueError(f"stds must be {k} positive numbers, one per component; got {self.stds}.")
        w = np.full(k, 1.0 / k) if weights is None else check_array(weights, name="weights", ndim=1)
        if w.shape != (k,) or np.any(w < 0) or abs(w.sum() - 1) > 1e-9:
            raise ValueError(f"weights must be {k} non-negative numbers summing to 1; got {w}.")
        self.weights = w

    @property
    def n_features(self) -> int:
        return self.means.shape[1]

    def _check_x(self, x: Any) -> np.ndarray:
        x = check_array(x, name="x", ndim=(1, 2, 3))
        if x.ndim != 2 or x.shape[1] != self.n_features:
            raise ValueError(f"expected points of shape (n_samples, {self.n_features}); got {x.shape}.")
        return x

    def sample(self, n_samples: int, rng: RNG = None,
               return_labels: bool = False) -> Any:
        """Draw ``n_samples`` points, shape (n_samples, n_features) (and their components)."""
        rng = as_rng(rng)
        n_samples = check_int(n_samples, name="n_samples", minimum=1)
        z = rng.choice(len(self.weights), size=n_samples, p=self.weights)
        x = self.means[z] + self.stds[z, None] * rng.standard_normal((n_samples, self.n_features))
        return (x, z) if return_labels else x

    def _log_terms(self, x: np.ndarray) -> np.ndarray:
        d = self.n_features
        sq = ((x[:, None, :] - self.means[None]) ** 2).sum(-1)  # (n, K)
        var = self.stds**2  # (K,)
        return np.log(self.weights + 1e-300) - 0.5 * sq / var - 0.5 * d * np.log(2 * np.pi * var)

    def log_prob(self, x: Any) -> np.ndarray:
        """log density at each point, shape (n_samples,) (logsumexp over components)."""
        return _logsumexp(self._log_terms(self._check_x(x)), axis=1)

    def responsibilities(self, x: Any) -> np.ndarray:
        """Posterior component probabilities :math:`w_k(x)`, shape (n_samples, n_components)."""
        lt = self._log_terms(self._check_x(x))
        return np.exp(lt - _logsumexp(lt, axis=1)[:, None])

    def score(self, x: Any) -> np.ndarray:
        """:math:`\\nabla_x \\log p(x)`, shape (n_samples, n_features).

        Notes
        -----
        eq-sd-mixture-score: :math:`\\nabla\\log p(x) = \\sum_k w_k(x)\\,(\\mu_k - x)/s_k^2`.
        """
        x = self._check_x(x)
        r = self.responsibilities(x)  # (n, K)
        return (r[:, :, None] * (self.means[None] - x[:, None, :]) / self.stds[None, :, None] ** 2).sum(1)

    def diffused(self, mean_scale: float, noise_var: float) -> "GaussianMixture":
        """The law of :math:`m x_0 + \\sqrt{v} z`: means :math:`m\\mu_k`, variances :math:`m^2 s_k^2 + v`.

        Notes
        -----
        eq-sd-diffused-mixture: every Gaussian SDE with linear drift maps the mixture to a mixture.
        """
        noise_var = check_positive(noise_var, name="noise_var", strict=False)
        if not np.isfinite(mean_scale):
            raise ValueError(f"mean_scale must be finite; got {mean_scale!r}.")
        return GaussianMixture(mean_scale * self.means, np.sqrt(mean_scale**2 * self.stds**2 + noise_var),
                               self.weights)


def _check_t(t: Any) -> Any:
    """Times of the SDE: finite numbers in [0, T] = [0, 1] (scalars pass through unchanged)."""
    arr = np.asarray(t, dtype=np.float64)
    if not np.all((arr >= -1e-9) & (arr <= 1 + 1e-9)):            # NaN fails too; slack for ODE steps
        raise ValueError(f"t must lie in [0, 1], the time interval of the SDE; got "
                         f"{t if arr.size < 6 else f'values from {np.nanmin(arr):g} to {np.nanmax(arr):g}'}.")
    return t


def _check_callable(f: Any, name: str, signature: str) -> None:
    if not callable(f):
        raise TypeError(f"{name} must be a callable {signature}; got {type(f).__name__}.")


class VPSDE:
    """Variance-preserving SDE :math:`dx = -\\tfrac12\\beta(t)x\\,dt + \\sqrt{\\beta(t)}\\,dW`.

    Parameters
    ----------
    beta_min, beta_max : float, default 0.1 and 20
        :math:`\\beta(t)` is linear between them on ``[0, 1]`` (the continuous DDPM schedule).

    Notes
    -----
    eq-sd-vp: :math:`x_t \\mid x_0 \\sim N(m_t x_0, (1-m_t^2) I)` with
    :math:`m_t = \\exp(-\\tfrac12\\int_0^t\\beta)`.
    """

    T = 1.0

    def __init__(self, beta_min: float = 0.1, beta_max: float = 20.0):
        self.beta_min = check_positive(beta_min, name="beta_min")
        self.beta_max = check_positive(beta_max, name="beta_max")
        if self.beta_max < self.beta_min:
            raise ValueError(f"beta_max must be >= beta_min (the noise rate grows with t); got beta_min={beta_min}, "
                             f"beta_max={beta_max}.")

    def beta(self, t: Any) -> Any:
        t = _check_t(t)
        return self.beta_min + t * (self.beta_max - self.beta_min)

    def drift(self, x: np.ndarray, t: float) -> np.ndarray:
        return -0.5 * self.beta(t) * x

    def diffusion(self, t: float) -> float:
        return math.sqrt(self.beta(t))

    def marginal(self, t: Any) -> tuple[Any, Any]:
        """(mean scale :math:`m_t`, standard deviation :math:`\\sigma_t`) of :math:`x_t\\mid x_0`."""
        t = _check_t(t)
        integral = self.beta_min * t + 0.5 * t**2 * (self.beta_max - self.beta_min)
        m = np.exp(-0.5 * integral)
        return m, np.sqrt(-np.expm1(-integral))


class VESDE:
    """Variance-exploding SDE :math:`dx = \\sqrt{d\\sigma^2(t)/dt}\\,dW`, :math:`\\sigma(t) = \\sigma_{min}(\\sigma_{max}/\\sigma_{min})^t`.

    Notes
    -----
    eq-sd-ve: :math:`x_t\\mid x_0 \\sim N(x_0, (\\sigma^2(t) - \\sigma^2(0)) I)`; a Brownian
    motion in a rescaled time, so a point mass spreads by the heat kernel.
    """

    T = 1.0

    def __init__(self, sigma_min: float = 0.01, sigma_max: float = 5.0):
        self.sigma_min = check_positive(sigma_min, name="sigma_min")
        self.sigma_max = check_positive(sigma_max, name="sigma_max")
        if sigma_max <= sigma_min:
            raise ValueError(f"sigma_max must exceed sigma_min; got {sigma_max} <= {sigma_min}.")

    def sigma(self, t: Any) -> Any:
        t = _check_t(t)
        return self.sigma_min * (self.sigma_max / self.sigma_min) ** t

    def drift(self, x: np.ndarray, t: float) -> np.ndarray:
        return np.zeros_like(x)

    def diffusion(self, t: float) -> float:
        return float(self.sigma(t) * math.sqrt(2 * math.log(self.sigma_max / self.sigma_min)))

    def marginal(self, t: Any) -> tuple[Any, Any]:
        return np.ones_like(np.asarray(t, dtype=float)), np.sqrt(self.sigma(t) ** 2 - self.sigma_min**2)


def langevin(score: Callable[[np.ndarray], np.ndarray], x0: Any, step_size: float, n_steps: int, *,
             rng: RNG = None) -> np.ndarray:
    """Unadjusted Langevin dynamics; returns the final points, shape of ``x0``.

    Notes
    -----
    eq-sd-langevin: :math:`x \\leftarrow x + \\tfrac{\\epsilon}{2}\\nabla\\log p(x) + \\sqrt{\\epsilon}\\,z`.
    """
    _check_callable(score, "score", "score(x) -> gradient of log p at x")
    rng = as_rng(rng)
    eps = check_positive(step_size, name="step_size")
    x = np.array(check_array(x0, name="x0", ndim=(1, 2)), dtype=np.float64)
    for _ in range(check_int(n_steps, name="n_steps", minimum=1)):
        x = x + 0.5 * eps * score(x) + math.sqrt(eps) * rng.standard_normal(x.shape)
    return x


def euler_maruyama(drift: Callable[[np.ndarray, float], np.ndarray], diffusion: Callable[[float], float], x0: Any,
                   times: Any, *, rng: RNG = None) -> np.ndarray:
    """Integrate :math:`dx = f(x,t)dt + g(t)dW` over the grid ``times`` (increasing or decreasing).

    Returns the final state. For a decreasing grid, ``drift`` must be the reverse-time drift.

    Notes
    -----
    eq-sd-em: :math:`x_{n+1} = x_n + f(x_n,t_n)\\,\\Delta t + g(t_n)\\sqrt{|\\Delta t|}\\,z_n`.
    """
    _check_callable(drift, "drift", "drift(x, t) -> array")
    _check_callable(diffusion, "diffusion", "diffusion(t) -> float")
    rng = as_rng(rng)
    times = np.asarray(times, dtype=np.float64)
    if times.ndim != 1 or times.size < 2:
        raise ValueError(f"times must be a 1-D grid of at least 2 times; got shape {times.shape}.")
    times = check_array(times, name="times", ndim=1)
    x = np.array(check_array(x0, name="x0", ndim=(1, 2)), dtype=np.float64)
    for t0, t1 in zip(times[:-1], times[1:]):
        dt = t1 - t0
        x = x + drift(x, t0) * dt + diffusion(t0) * math.sqrt(abs(dt)) * rng.standard_normal(x.shape)
    return x


def _check_steps(n_steps: int, t_end: float) -> tuple[int, float]:
    n_steps = check_int(n_steps, name="n_steps", minimum=1)
    t_end = float(t_end)
    if not 0 <= t_end < 1:
        raise ValueError(f"t_end must lie in [0, 1) (stop just above 0 where the score blows up); got {t_end}.")
    return n_steps, t_end


def _check_sde(sde: Any, score: Any) -> None:
    if not all(hasattr(sde, a) for a in ("drift", "diffusion", "marginal", "T")):
        raise TypeError(f"sde must be an SDE such as VPSDE() or VESDE() (with drift, diffusion, marginal and T); "
                        f"got {type(sde).__name__}.")
    _check_callable(score, "score", "score(x, t) -> array")


def reverse_sde_sample(sde: Any, score: ScoreFn, x_T: Any, n_steps: int = 500, *, t_end: float = 1e-3,
                       rng: RNG = None) -> np.ndarray:
    """Sample by the reverse-time SDE from ``t = 1`` to ``t_end`` with Euler-Maruyama.

    Notes
    -----
    eq-sd-reverse: :math:`dx = [f(x,t) - g(t)^2\\nabla\\log p_t(x)]\\,dt + g(t)\\,d\\bar W`, with :math:`dt < 0`.
    """
    n_steps, t_end = _check_steps(n_steps, t_end)
    _check_sde(sde, score)
    times = np.linspace(sde.T, t_end, n_steps + 1)
    return euler_maruyama(lambda x, t: sde.drift(x, t) - sde.diffusion(t) ** 2 * score(x, t), sde.diffusion,
                          x_T, times, rng=rng)


def probability_flow_sample(sde: Any, score: ScoreFn, x_T: Any, n_steps: int = 100, *, t_end: float = 1e-3,
                            method: str = "rk4", reverse: bool = True) -> np.ndarray:
    """Integrate the probability-flow ODE with :func:`scratch.ode.odeint`.

    ``reverse=True`` maps noise at ``t = 1`` to data at ``t_end``; ``reverse=False``
    maps data to noise (the encoder direction).

    Notes
    -----
    eq-sd-pf-ode: :math:`dx/dt = f(x,t) - \\tfrac12 g(t)^2\\nabla\\log p_t(x)`. It is deterministic
    and has the same marginals :math:`p_t` as the SDE.
    """
    n_steps, t_end = _check_steps(n_steps, t_end)
    check_option(method, ("euler", "rk4", "dopri5"), name="method")
    _check_sde(sde, score)
    x_T = check_array(x_T, name="x_T", ndim=(1, 2))
    rhs = lambda t, x: sde.drift(x, t) - 0.5 * sde.diffusion(t) ** 2 * score(x, t)  # noqa: E731
    times = np.linspace(sde.T, t_end, n_steps + 1) if reverse else np.linspace(t_end, sde.T, n_steps + 1)
    if method == "dopri5":
        times = times[[0, -1]]
    return odeint(rhs, np.asarray(x_T, dtype=np.float64), times, method=method).y[-1]


class ScoreMLP(Module):
    """A small network :math:`s_\\theta(x, t)` for the score of a diffused 2-D distribution.

    It predicts the normalised noise :math:`\\epsilon_\\theta` and returns
    :math:`s_\\theta(x,t) = -\\epsilon_\\theta(x,t)/\\sigma_t`, so its output has unit scale at every time.

    Parameters
    ----------
    sde : VPSDE or VESDE
        Gives :math:`\\sigma_t` (and hence the scaling).
    dim : int, default 2
    hidden : int, default 64
    time_dependent : bool, default True
        ``False`` hides ``t`` from the network (the page's failure case): the
        output is then :math:`s_\\theta(x)`, used directly as the score.
    rng : Generator, int or None
    """

    def __init__(self, sde: Any, dim: int = 2, hidden: int = 64, time_dependent: bool = True, *,
                 rng: RNG = None):
        self.sde = sde
        self.dim = check_int(dim, name="dim", minimum=1)
        self.time_dependent = bool(time_dependent)
        rng = as_rng(rng)
        self.fc1 = Linear(dim + (16 if self.time_dependent else 0), hidden, rng=rng)
        self.fc2 = Linear(hidden, hidden, rng=rng)
        self.fc3 = Linear(hidden, dim, rng=rng)

    def forward(self, x: Tensor, t: Any) -> Tensor:
        """x (n_samples, dim), t (n_samples,) -> network output (n_samples, dim)."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"ScoreMLP(dim={self.dim}) expects points of shape (n_samples, {self.dim}); got {x.shape}.")
        inp = x.data
        if self.time_dependent:
            emb = sinusoidal_embedding(1000.0 * np.broadcast_to(t, (len(inp),)), 16)  # (n, 16)
            inp = np.concatenate([inp, emb], axis=1)
        h = F.silu(self.fc1(Tensor(inp)))  # (n, hidden)
        h = F.silu(self.fc2(h))  # (n, hidden)
        return self.fc3(h)  # (n, dim)

    def score(self, x: np.ndarray, t: float) -> np.ndarray:
        """The estimated :math:`\\nabla_x\\log p_t(x)`, shape (n_samples, dim)."""
        with no_grad():
            out = self(Tensor(np.asarray(x, dtype=np.float64)), t).data
        if not self.time_dependent:
            return out
        return -out / self.sde.marginal(t)[1]


def train_score(model: ScoreMLP, X: Any, *, n_iter: int = 2000, batch_size: int = 256, lr: float = 3e-3,
                t_min: float = 1e-3, rng: RNG = None) -> np.ndarray:
    """Denoising score matching; returns the loss of every iteration.

    Notes
    -----
    eq-sd-dsm: with :math:`x_t = m_t x_0 + \\sigma_t z` the target score is
    :math:`-z/\\sigma_t`, and the weighted loss
    :math:`\\mathbb E\\,\\lVert \\sigma_t s_\\theta(x_t,t) + z\\rVert^2` is minimised by
    :math:`s_\\theta = \\nabla\\log p_t` (eq-sd-dsm of the page).
    """
    X = check_array(X, name="X", ndim=2)
    if X.shape[1] != model.dim:
        raise ValueError(f"X has {X.shape[1]} features but the model expects {model.dim}.")
    t_min = float(t_min)
    if not 0 < t_min < model.sde.T:
        raise ValueError(f"t_min must lie in (0, 1): training times are drawn from [t_min, 1] and the score "
                         f"blows up at 0; got {t_min}.")
    rng = as_rng(rng)
    n_iter = check_int(n_iter, name="n_iter", minimum=1)
    opt = Adam(model.parameters(), lr=check_positive(lr, name="lr"))
    losses = np.empty(n_iter)
    for i in range(n_iter):
        x0 = X[rng.integers(0, len(X), batch_size)]  # (B, D)
        t = rng.uniform(t_min, model.sde.T, batch_size)  # (B,)
        m, s = model.sde.marginal(t)
        z = rng.standard_normal(x0.shape)
        xt = m[:, None] * x0 + s[:, None] * z  # (B, D)
        out = model(Tensor(xt), t)  # (B, D)
        if model.time_dependent:
            loss = F.mse_loss(out, z)  # out = eps_theta = -sigma_t * score
        else:
            loss = F.mse_loss(out * Tensor(s[:, None]), -z)  # sigma_t * s_theta(x) vs -z
        opt.lr = lr * 0.5 * (1 + math.cos(math.pi * i / n_iter))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[i] = loss.item()
    return losses
