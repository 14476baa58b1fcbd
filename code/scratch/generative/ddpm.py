"""Denoising diffusion probabilistic models (DDPM) and DDIM sampling.

The chapter ``book/generative/ddpm.md`` derives every equation used here;
equation labels in the *Notes* sections match the page. Names and conventions
follow ``diffusers``' ``DDPMScheduler`` / ``DDIMScheduler`` (``alphas_cumprod``,
``add_noise``, ``step``), with ``clip_sample=False`` and "leading" timestep
spacing, so that a test can run both on the same predicted noise.
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
from scratch.optim.optimizers import Adam

__all__ = [
    "NoiseSchedule",
    "EpsilonMLP",
    "train_ddpm",
    "ddpm_sample",
    "ddim_sample",
    "swiss_roll_2d",
    "digits_to_unit",
    "nearest_distances",
]


def _check_betas(betas: Any) -> np.ndarray:
    betas = np.asarray(betas, dtype=np.float64)
    if betas.ndim != 1 or betas.size < 2:
        raise ValueError(f"betas must be a 1-D array of at least 2 noise levels; got shape {betas.shape}.")
    if not np.all(np.isfinite(betas)) or np.any(betas <= 0) or np.any(betas >= 1):
        raise ValueError(
            f"every beta must lie in the open interval (0, 1); got min {np.nanmin(betas):.3g}, "
            f"max {np.nanmax(betas):.3g}. beta_t is the variance of the noise added at step t."
        )
    if np.any(np.diff(betas) < 0):
        i = int(np.argmax(np.diff(betas) < 0))
        raise ValueError(
            f"betas must be non-decreasing (noise grows along the forward process); beta[{i + 1}] = "
            f"{betas[i + 1]:.3g} < beta[{i}] = {betas[i]:.3g}. Sort them or use a standard schedule."
        )
    return betas


def _clip(x0_hat: np.ndarray, clip_sample: float | None) -> np.ndarray:
    if clip_sample is None:
        return x0_hat
    c = check_positive(clip_sample, name="clip_sample")
    return np.clip(x0_hat, -c, c)


class NoiseSchedule:
    """A discrete variance schedule :math:`\\beta_1..\\beta_T` and the DDPM/DDIM updates built on it.

    Parameters
    ----------
    n_steps : int, default 1000
        Number of training (diffusion) steps ``T``; time indices run ``0..T-1`` as in diffusers.
    beta_start, beta_end : float, default 1e-4 and 0.02
        End points of the linear schedule (Ho et al.).
    kind : {"linear", "cosine"}
        ``"cosine"`` is Nichol & Dhariwal's schedule (diffusers' ``"squaredcos_cap_v2"``).
    betas : array_like of shape (n_steps,), optional
        Explicit schedule; overrides the three arguments above.

    Attributes
    ----------
    betas, alphas, alphas_cumprod : ndarray of shape (n_steps,)
        :math:`\\beta_t`, :math:`\\alpha_t = 1-\\beta_t`, :math:`\\bar\\alpha_t = \\prod_{s\\le t}\\alpha_s`.
    """

    def __init__(self, n_steps: int = 1000, beta_start: float = 1e-4, beta_end: float = 0.02,
                 kind: str = "linear", *, betas: Any = None):
        if betas is None:
            n_steps = check_int(n_steps, name="n_steps", minimum=2)
            kind = check_option(kind, ("linear", "cosine"), name="kind")
            if kind == "linear":
                betas = np.linspace(beta_start, beta_end, n_steps)
            else:
                f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2  # noqa: E731
                betas = np.array([min(1 - f((i + 1) / n_steps) / f(i / n_steps), 0.999) for i in range(n_steps)])
        self.betas = _check_betas(betas)
        self.n_steps = self.betas.size
        self.alphas = 1.0 - self.betas
        self.alphas_cumprod = np.cumprod(self.alphas)

    # ---- forward process ---------------------------------------------------
    def _t(self, t: Any, n: int) -> np.ndarray:
        t = np.asarray(t)
        if not np.issubdtype(t.dtype, np.integer):
            raise TypeError(f"timesteps must be integers in [0, {self.n_steps - 1}]; got dtype {t.dtype}.")
        t = np.broadcast_to(t, (n,)) if t.ndim == 0 else t
        if t.shape != (n,):
            raise ValueError(f"timesteps must have shape ({n},), one per sample; got {t.shape}.")
        if t.min() < 0 or t.max() >= self.n_steps:
            raise ValueError(f"timesteps must lie in [0, {self.n_steps - 1}]; got range [{t.min()}, {t.max()}].")
        return t

    def add_noise(self, x0: Any, noise: Any, t: Any) -> np.ndarray:
        """Sample :math:`x_t \\sim q(x_t\\mid x_0)` given the noise.

        Parameters
        ----------
        x0, noise : array_like of shape (n_samples, ...)
        t : int or array of int of shape (n_samples,)

        Returns
        -------
        ndarray of shape (n_samples, ...)

        Notes
        -----
        eq-ddpm-marginal: :math:`x_t = \\sqrt{\\bar\\alpha_t}\\,x_0 + \\sqrt{1-\\bar\\alpha_t}\\,\\epsilon`.
        """
        x0 = np.asarray(x0, dtype=np.float64)
        noise = np.asarray(noise, dtype=np.float64)
        if x0.shape != noise.shape or x0.ndim < 1:
            raise ValueError(f"x0 and noise must have the same shape (n_samples, ...); got {x0.shape} "
                             f"and {noise.shape}.")
        ab = self.alphas_cumprod[self._t(t, x0.shape[0])].reshape((-1,) + (1,) * (x0.ndim - 1))
        return np.sqrt(ab) * x0 + np.sqrt(1 - ab) * noise

    # ---- reverse steps -----------------------------------------------------
    def _check_step(self, eps: Any, t: Any, prev_t: Any, x_t: Any) -> tuple[np.ndarray, int, int, np.ndarray]:
        """Integer times ``prev_t < t <= T - 1`` (negative ``prev_t``: the end) and a noise prediction
        of the shape of ``x_t``."""
        for name, v in (("t", t), ("prev_t", prev_t)):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"{name} must be an integer timestep; got {type(v).__name__} ({v!r}).")
        if not 0 <= t < self.n_steps:
            raise ValueError(f"t must lie in 0..{self.n_steps - 1}; got {t}.")
        if not prev_t < t:
            raise ValueError(f"prev_t must be < t = {t} (a step goes back in time; a negative prev_t is the end); "
                             f"got prev_t={prev_t}.")
        x_t, eps = np.asarray(x_t, dtype=np.float64), np.asarray(eps, dtype=np.float64)
        if eps.shape != x_t.shape:
            raise ValueError(f"eps (the model's noise prediction) must have the shape of x_t {x_t.shape}; "
                             f"got {eps.shape}.")
        return eps, int(t), int(prev_t), x_t

    def _abar_prev(self, prev_t: int, final: float) -> float:
        return self.alphas_cumprod[prev_t] if prev_t >= 0 else final

    def ddpm_step(self, eps: Any, t: int, x_t: Any, *, prev_t: int | None = None,
                  rng: RNG = None, noise: Any = None,
                  clip_sample: float | None = None) -> np.ndarray:
        """One ancestral step :math:`x_t \\to x_{t'}` with the predicted noise ``eps``.

        Parameters
        ----------
        eps, x_t : ndarray of shape (n_samples, ...)
        t : int
        prev_t : int, optional
            Target time ``t' < t`` (default ``t - 1``; a stride skips steps as diffusers does).
        rng : Generator, int or None
            Source of the fresh noise (unused when ``noise`` is given or ``t == 0``).
        noise : ndarray of shape (n_samples, ...), optional
        clip_sample : float, optional
            Clip :math:`\\hat x_0` to ``[-clip_sample, clip_sample]`` (diffusers' ``clip_sample``),
            for data known to lie in that range; it stops early errors from being amplified
            by :math:`1/\\sqrt{\\bar\\alpha_t}` when :math:`\\bar\\alpha_t` is tiny.

        Notes
        -----
        eq-ddpm-x0, eq-ddpm-posterior: with :math:`\\hat x_0 = (x_t - \\sqrt{1-\\bar\\alpha_t}\\,\\epsilon)/\\sqrt{\\bar\\alpha_t}`
        and :math:`a_t = \\bar\\alpha_t/\\bar\\alpha_{t'}`,
        :math:`x_{t'} = \\frac{\\sqrt{\\bar\\alpha_{t'}}(1-a_t)}{1-\\bar\\alpha_t}\\hat x_0
        + \\frac{\\sqrt{a_t}(1-\\bar\\alpha_{t'})}{1-\\bar\\alpha_t}x_t + \\tilde\\sigma_t z`,
        :math:`\\tilde\\sigma_t^2 = \\frac{1-\\bar\\alpha_{t'}}{1-\\bar\\alpha_t}(1-a_t)`, and no noise at ``t = 0``.
        """
        eps, t, prev_t, x_t = self._check_step(eps, t, t - 1 if prev_t is None else prev_t, x_t)
        ab_t = self.alphas_cumprod[t]
        ab_prev = self._abar_prev(prev_t, 1.0)
        a_t = ab_t / ab_prev
        x0_hat = _clip((x_t - math.sqrt(1 - ab_t) * eps) / math.sqrt(ab_t), clip_sample)
        mean = (math.sqrt(ab_prev) * (1 - a_t) * x0_hat + math.sqrt(a_t) * (1 - ab_prev) * x_t) / (1 - ab_t)
        if t == 0:
            return mean
        var = max((1 - ab_prev) / (1 - ab_t) * (1 - a_t), 1e-20)
        z = as_rng(rng).standard_normal(x_t.shape) if noise is None else np.asarray(noise)
        return mean + math.sqrt(var) * z

    def ddim_timesteps(self, n_inference: int) -> np.ndarray:
        """The ``n_inference`` times DDIM visits, largest first (diffusers' "leading" spacing)."""
        n_inference = check_int(n_inference, name="n_inference", minimum=1)
        if n_inference > self.n_steps:
            raise ValueError(f"cannot sample with {n_inference} steps: the model was trained with only "
                             f"{self.n_steps} diffusion steps; use at most {self.n_steps}.")
        ratio = self.n_steps // n_inference
        return (np.arange(n_inference) * ratio)[::-1].astype(np.int64)

    def ddim_step(self, eps: Any, t: int, prev_t: int, x_t: Any, eta: float = 0.0, *,
                  rng: RNG = None, noise: Any = None,
                  clip_sample: float | None = None) -> np.ndarray:
        """One DDIM step :math:`x_t \\to x_{t'}` (``prev_t < 0`` means the end, :math:`\\bar\\alpha = 1`).

        Notes
        -----
        eq-ddim-step: :math:`x_{t'} = \\sqrt{\\bar\\alpha_{t'}}\\hat x_0 + \\sqrt{1-\\bar\\alpha_{t'}-\\sigma^2}\\,\\epsilon + \\sigma z`
        with :math:`\\sigma = \\eta\\sqrt{\\frac{1-\\bar\\alpha_{t'}}{1-\\bar\\alpha_t}\\bigl(1-\\frac{\\bar\\alpha_t}{\\bar\\alpha_{t'}}\\bigr)}`.
        ``eta = 0`` is deterministic; ``eta = 1`` is the DDPM posterior. ``clip_sample``
        as in :meth:`ddpm_step` (the clipped :math:`\\hat x_0` is used with the unclipped noise, as in
        diffusers).
        """
        eta = float(eta)
        if not (eta >= 0):
            raise ValueError(f"eta must be a number >= 0 (0: deterministic DDIM, 1: DDPM); got {eta}.")
        eps, t, prev_t, x_t = self._check_step(eps, t, prev_t, x_t)
        ab_t = self.alphas_cumprod[t]
        ab_prev = self._abar_prev(prev_t, 1.0)
        x0_hat = _clip((x_t - math.sqrt(1 - ab_t) * eps) / math.sqrt(ab_t), clip_sample)
        sigma = eta * math.sqrt((1 - ab_prev) / (1 - ab_t) * (1 - ab_t / ab_prev))
        out = math.sqrt(ab_prev) * x0_hat + math.sqrt(max(1 - ab_prev - sigma**2, 0.0)) * eps
        if eta > 0:
            z = as_rng(rng).standard_normal(x_t.shape) if noise is None else np.asarray(noise)
            out = out + sigma * z
        return out


# ---- the noise-prediction network ---------------------------------------------
class EpsilonMLP(Module):
    """A time-conditioned MLP :math:`\\epsilon_\\theta(x_t, t)` for flat data.

    ``[x, f(x), e(t)] -> Linear -> SiLU -> Linear -> SiLU -> Linear``, with ``e(t)``
    the sinusoidal embedding of the step (eq-ddpm-time-embedding) and ``f(x)``
    optional Fourier features of the coordinates.

    Parameters
    ----------
    dim : int
        Data dimension (2 for the toy sets, 64 for 8x8 digits).
    hidden : int, default 128
    time_dim : int, default 32
        Width of the time embedding; 0 makes the network blind to time.
    n_fourier : int, default 0
        Number of octaves ``K`` of Fourier features
        :math:`\\sin(2^k\\pi x_j), \\cos(2^k\\pi x_j)`, ``k < K``. A plain MLP is biased
        towards smooth functions; these features let it resolve fine 2-D structure.
    rng : Generator, int or None
    """

    def __init__(self, dim: int, hidden: int = 128, time_dim: int = 32, n_fourier: int = 0, *,
                 rng: RNG = None):
        self.dim = check_int(dim, name="dim", minimum=1)
        self.time_dim = check_int(time_dim, name="time_dim", minimum=0)
        self.n_fourier = check_int(n_fourier, name="n_fourier", minimum=0)
        rng = as_rng(rng)
        self.fc1 = Linear(dim * (1 + 2 * n_fourier) + time_dim, hidden, rng=rng)
        self.fc2 = Linear(hidden, hidden, rng=rng)
        self.fc3 = Linear(hidden, dim, rng=rng)

    def features(self, x: np.ndarray, t: Any) -> np.ndarray:
        """The network's input ``[x, f(x), e(t)]``, shape (n_samples, fc1.in_features)."""
        t = np.asarray(t)
        if t.ndim > 1 or (t.ndim == 1 and len(t) != len(x)):
            raise ValueError(f"t must be one timestep or one per sample, shape ({len(x)},); got shape {t.shape}.")
        if t.dtype.kind not in "iuf" or not np.all(np.isfinite(t)) or np.any(t < 0):
            raise ValueError(f"t must be finite timesteps >= 0; got {t if t.size < 6 else t.dtype}.")
        parts = [x]
        if self.n_fourier:
            a = x[:, :, None] * (np.pi * 2.0 ** np.arange(self.n_fourier))  # (n, dim, K)
            parts.append(np.concatenate([np.sin(a), np.cos(a)], axis=2).reshape(len(x), -1))
        if self.time_dim:
            parts.append(sinusoidal_embedding(np.broadcast_to(t, (len(x),)), self.time_dim))  # (n, time_dim)
        return np.concatenate(parts, axis=1)

    def forward(self, x: Tensor, t: Any) -> Tensor:
        """x (n_samples, dim), t (n_samples,) -> predicted noise (n_samples, dim)."""
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"EpsilonMLP(dim={self.dim}) expects inputs of shape (n_samples, {self.dim}); "
                             f"got {x.shape}. Flatten images with x.reshape(n, -1).")
        h = F.silu(self.fc1(Tensor(self.features(x.data, t))))  # (n, hidden)
        h = F.silu(self.fc2(h))  # (n, hidden)
        return self.fc3(h)  # (n, dim)

    def predict(self, x: np.ndarray, t: Any) -> np.ndarray:
        """numpy in, numpy out, without building a graph."""
        with no_grad():
            return self(Tensor(np.asarray(x, dtype=np.float64)), t).data


def train_ddpm(model: EpsilonMLP, X: Any, schedule: NoiseSchedule, *, n_iter: int = 2000, batch_size: int = 256,
               lr: float = 2e-3, rng: RNG = None) -> np.ndarray:
    """Train ``model`` to predict the noise (eq-ddpm-loss); returns the loss of every iteration.

    Parameters
    ----------
    model : EpsilonMLP
    X : array_like of shape (n_samples, dim)
        Training data, scaled to roughly unit range.
    schedule : NoiseSchedule
    n_iter, batch_size : int
    lr : float
        Adam learning rate, decayed by a cosine to 0.
    rng : Generator, int or None

    Notes
    -----
    eq-ddpm-loss: :math:`L = \\mathbb E_{x_0, t, \\epsilon}\\lVert\\epsilon - \\epsilon_\\theta(\\sqrt{\\bar\\alpha_t}x_0 + \\sqrt{1-\\bar\\alpha_t}\\epsilon, t)\\rVert^2`
    with :math:`t` uniform over the ``T`` steps.
    """
    if not isinstance(schedule, NoiseSchedule):
        raise TypeError(f"schedule must be a NoiseSchedule; got {type(schedule).__name__}.")
    X = check_array(X, name="X", ndim=2)
    if X.shape[1] != model.dim:
        raise ValueError(f"X has {X.shape[1]} features but the model expects {model.dim}; "
                         "flatten 8x8 images to 64 features.")
    n_iter = check_int(n_iter, name="n_iter", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    rng = as_rng(rng)
    opt = Adam(model.parameters(), lr=check_positive(lr, name="lr"))
    losses = np.empty(n_iter)
    for i in range(n_iter):
        x0 = X[rng.integers(0, len(X), batch_size)]  # (B, D)
        t = rng.integers(0, schedule.n_steps, batch_size)  # (B,)
        eps = rng.standard_normal(x0.shape)  # (B, D)
        xt = schedule.add_noise(x0, eps, t)  # (B, D)
        opt.lr = lr * 0.5 * (1 + math.cos(math.pi * i / n_iter))
        loss = F.mse_loss(model(Tensor(xt), t), eps)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses[i] = loss.item()
    return losses


def _check_shape(shape: Any) -> tuple[int, ...]:
    shape = tuple(int(s) for s in np.atleast_1d(shape))
    if len(shape) < 2 or min(shape) < 1:
        raise ValueError(f"shape must be (n_samples, dim, ...) with positive sizes; got {shape}.")
    return shape


def ddpm_sample(model: Callable[[np.ndarray, Any], np.ndarray], schedule: NoiseSchedule, shape: Any, *,
                n_inference: int | None = None, rng: RNG = None,
                clip_sample: float | None = None) -> np.ndarray:
    """Ancestral sampling: start from :math:`x_T\\sim N(0, I)` and apply :meth:`NoiseSchedule.ddpm_step`.

    Parameters
    ----------
    model : callable ``(x_t, t) -> eps`` on ndarrays (e.g. ``EpsilonMLP.predict``)
    schedule : NoiseSchedule
    shape : tuple (n_samples, ...)
    n_inference : int, optional
        Number of steps (default all ``T``); fewer steps stride through the schedule.
    rng : Generator, int or None
    clip_sample : float, optional
        Passed to :meth:`NoiseSchedule.ddpm_step`.

    Returns
    -------
    ndarray of shape ``shape``
    """
    if not isinstance(schedule, NoiseSchedule):
        raise TypeError(f"schedule must be a NoiseSchedule; got {type(schedule).__name__}.")
    rng = as_rng(rng)
    shape = _check_shape(shape)
    ts = schedule.ddim_timesteps(schedule.n_steps if n_inference is None else n_inference)
    x = rng.standard_normal(shape)
    for i, t in enumerate(ts):
        prev = ts[i + 1] if i + 1 < len(ts) else -1
        x = schedule.ddpm_step(model(x, t), t, x, prev_t=prev, rng=rng, clip_sample=clip_sample)
    return x


def ddim_sample(model: Callable[[np.ndarray, Any], np.ndarray], schedule: NoiseSchedule, shape: Any,
                n_inference: int = 50, eta: float = 0.0, *, rng: RNG = None,
                x_T: Any = None, clip_sample: float | None = None) -> np.ndarray:
    """DDIM sampling with ``n_inference`` steps (eq-ddim-step); ``eta=0`` is deterministic given ``x_T``."""
    if not isinstance(schedule, NoiseSchedule):
        raise TypeError(f"schedule must be a NoiseSchedule; got {type(schedule).__name__}.")
    rng = as_rng(rng)
    shape = _check_shape(shape)
    ts = schedule.ddim_timesteps(n_inference)
    if x_T is not None:
        x_T = check_array(x_T, name="x_T", ndim=len(shape))
        if x_T.shape != shape:
            raise ValueError(f"x_T must have the sampling shape {shape}; got {x_T.shape}.")
    x = rng.standard_normal(shape) if x_T is None else np.array(x_T, dtype=np.float64)
    for i, t in enumerate(ts):
        prev = ts[i + 1] if i + 1 < len(ts) else -1
        x = schedule.ddim_step(model(x, t), t, prev, x, eta, rng=rng, clip_sample=clip_sample)
    return x


# ---- data and metrics -----------------------------------------------------------
def swiss_roll_2d(n_samples: int = 1000, *, noise: float = 0.3,
                  rng: RNG = None) -> np.ndarray:
    """A 2-D Swiss roll (spiral), scaled to about [-1.5, 1.5]^2; returns (n_samples, 2)."""
    n_samples = check_int(n_samples, name="n_samples", minimum=1)
    noise = check_positive(noise, name="noise", strict=False)
    rng = as_rng(rng)
    s = 1.5 * np.pi * (1 + 2 * rng.random(n_samples))  # angle along the roll
    X = np.column_stack([s * np.cos(s), s * np.sin(s)]) + noise * rng.standard_normal((n_samples, 2))
    return X / 10.0


def digits_to_unit(images: Any) -> np.ndarray:
    """sklearn's 8x8 digits (values 0..16) -> flat pixels in [-1, 1], shape (n_samples, 64)."""
    images = check_array(images, name="images", ndim=(1, 2, 3, 4))
    if images.min() < 0 or images.max() > 16:
        raise ValueError(f"images must hold sklearn's digit pixels, 0 to 16; got values from {images.min():g} "
                         f"to {images.max():g}.")
    if images.ndim == 3 and images.shape[1:] == (8, 8):
        images = images.reshape(len(images), 64)
    if images.ndim != 2 or images.shape[1] != 64:
        raise ValueError(f"expected 8x8 digit images of shape (n_samples, 8, 8) or (n_samples, 64); "
                         f"got {images.shape}.")
    return images / 8.0 - 1.0


def nearest_distances(samples: Any, reference: Any) -> np.ndarray:
    """Euclidean distance from every sample to its nearest reference point, shape (n_samples,)."""
    A = check_array(samples, name="samples", ndim=2)
    B = check_array(reference, name="reference", ndim=2)
    if A.shape[1] != B.shape[1]:
        raise ValueError(f"samples and reference must have the same number of features; got {A.shape[1]} "
                         f"and {B.shape[1]}.")
    d = (A * A).sum(1)[:, None] + (B * B).sum(1)[None, :] - 2 * A @ B.T
    return np.sqrt(np.maximum(d.min(axis=1), 0))
