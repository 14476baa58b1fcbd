"""Generative adversarial networks: losses, alternating updates, toy data and diagnostics.

The chapter ``book/generative/gan.md`` derives every equation used here; the labels
in the *Notes* sections (``eq-gan-minimax`` ...) match the page.

* 2-D toy data: :func:`ring`, :func:`ring_with_centre`, :func:`ring_of_gaussians`.
* Losses on discriminator logits (with ``softplus`` from :mod:`scratch.distributions.special`):
  :func:`binary_cross_entropy_with_logits`,
  :func:`discriminator_loss`, :func:`generator_loss` (minimax or non-saturating).
* Networks and training: :class:`Generator`, :class:`Discriminator`, :func:`train_gan`
  (k discriminator steps per generator step), :func:`train_discriminator`.
* Diagnostics: :func:`dirac_gan` (the one-parameter GAN), :func:`mode_coverage`,
  :func:`mmd_rbf`, :func:`optimal_discriminator`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from scratch._validation import RNG, as_rng, check_array, check_int, check_option, check_positive
from scratch.autograd.tensor import Tensor, no_grad
from scratch.distributions.special import softplus
from scratch.neural.mlp import MLP
from scratch.nn.module import Module
from scratch.optim.optimizers import Adam

__all__ = [
    "ring",
    "ring_with_centre",
    "ring_of_gaussians",
    "ring_centres",
    "binary_cross_entropy_with_logits",
    "discriminator_loss",
    "generator_loss",
    "Generator",
    "Discriminator",
    "GANHistory",
    "train_gan",
    "train_discriminator",
    "dirac_gan",
    "mode_coverage",
    "mmd_rbf",
    "optimal_discriminator",
]

GENERATOR_LOSSES = ("non_saturating", "minimax")


# =============================================================================
# Toy data in 2-D
# =============================================================================

def ring(n_samples: int, radius: float = 1.0, noise: float = 0.05, *,
         rng: RNG = None) -> np.ndarray:
    """Points on a circle, uniform in angle, with Gaussian noise on the radius.

    Parameters
    ----------
    n_samples : int
    radius : float, default 1.0
    noise : float, default 0.05
        Standard deviation of the radial noise.
    rng : np.random.Generator, int or None

    Returns
    -------
    ndarray of shape (n_samples, 2)
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    radius = check_positive(radius, name="radius")
    noise = check_positive(noise, name="noise", strict=False)
    rng = as_rng(rng)
    angle = rng.uniform(0, 2 * np.pi, size=n)                       # (n,)
    r = radius + noise * rng.standard_normal(n)                       # (n,)
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])   # (n, 2)


def ring_with_centre(n_samples: int, radius: float = 1.0, noise: float = 0.05, centre_share: float = 0.25,
                     centre_std: float = 0.1, *, rng: RNG = None) -> np.ndarray:
    """A :func:`ring` plus an isotropic Gaussian blob at the origin.

    Parameters
    ----------
    n_samples : int
    radius, noise : float
        As in :func:`ring`.
    centre_share : float in (0, 1), default 0.25
        Probability that a point comes from the centre blob.
    centre_std : float, default 0.1
        Standard deviation of the blob.
    rng : np.random.Generator, int or None

    Returns
    -------
    ndarray of shape (n_samples, 2)
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    share = check_positive(centre_share, name="centre_share")
    if share >= 1:
        raise ValueError(f"centre_share must lie in (0, 1); got {share}.")
    centre_std = check_positive(centre_std, name="centre_std")
    rng = as_rng(rng)
    x = ring(n, radius, noise, rng=rng)                                # (n, 2)
    in_centre = rng.uniform(size=n) < share                            # (n,)
    x[in_centre] = centre_std * rng.standard_normal((int(in_centre.sum()), 2))
    return x


def ring_centres(n_modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The ``n_modes`` centres ``radius * (cos, sin)(2 pi j / n_modes)``, shape (n_modes, 2)."""
    n_modes = check_int(n_modes, name="n_modes", minimum=1)
    radius = check_positive(radius, name="radius")
    angle = 2 * np.pi * np.arange(n_modes) / n_modes
    return radius * np.column_stack([np.cos(angle), np.sin(angle)])


def ring_of_gaussians(n_samples: int, n_modes: int = 8, radius: float = 2.0, std: float = 0.05, *,
                      rng: RNG = None) -> np.ndarray:
    """An equal-weight mixture of ``n_modes`` narrow Gaussians on a circle (the "8 Gaussians").

    Parameters
    ----------
    n_samples : int
    n_modes : int, default 8
    radius : float, default 2.0
    std : float, default 0.05
        Standard deviation of every component.
    rng : np.random.Generator, int or None

    Returns
    -------
    ndarray of shape (n_samples, 2)
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    centres = ring_centres(n_modes, radius)                            # (n_modes, 2)
    std = check_positive(std, name="std")
    rng = as_rng(rng)
    k = rng.integers(0, len(centres), size=n)                          # (n,)
    return centres[k] + std * rng.standard_normal((n, 2))             # (n, 2)


# =============================================================================
# Losses
# =============================================================================

def _as_tensor(x: Any, name: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return Tensor(check_array(x, name=name, ndim=(1, 2)))


def _check_logits(logits: Any, name: str) -> Tensor:
    """One logit per sample: a Tensor of shape (n_samples,) (or a single number)."""
    logits = _as_tensor(logits, name) if not isinstance(logits, str) else None
    if logits is None:
        raise TypeError(f"{name} must be a Tensor of discriminator logits, shape (n_samples,); got str.")
    if logits.ndim > 1:
        raise ValueError(f"{name} must hold one logit per sample, shape (n_samples,) as Discriminator returns; "
                         f"got shape {logits.shape}.")
    return logits


def binary_cross_entropy_with_logits(logits: Tensor, target: Any) -> Tensor:
    r"""Mean binary cross-entropy of a sigmoid classifier, computed from its logits.

    Parameters
    ----------
    logits : Tensor of shape (n_samples,)
        Scores :math:`\ell`; the probability of class 1 is :math:`\sigma(\ell)`.
    target : float or array_like of shape (n_samples,)
        Labels (or probabilities) in [0, 1].

    Returns
    -------
    Tensor of shape ()

    Notes
    -----
    :math:`-y\log\sigma(\ell) - (1-y)\log(1-\sigma(\ell)) = \operatorname{softplus}(\ell) - y\ell`,
    the same quantity as ``torch.nn.functional.binary_cross_entropy_with_logits``.
    """
    logits = _as_tensor(logits, "logits")
    y = np.asarray(target, dtype=logits.dtype)
    if y.ndim and y.shape != logits.shape:
        raise ValueError(
            f"target has shape {y.shape} but logits have shape {logits.shape}; pass one label per logit "
            "or a single number."
        )
    if np.any((y < 0) | (y > 1)) or not np.all(np.isfinite(y)):
        raise ValueError("target must hold labels or probabilities in [0, 1].")
    return (softplus(logits) - logits * y).mean()


def discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    r"""The discriminator's loss: cross-entropy with label 1 for data and 0 for samples.

    Parameters
    ----------
    real_logits : Tensor of shape (n_real,)
        Discriminator logits on data.
    fake_logits : Tensor of shape (n_fake,)
        Discriminator logits on generated samples.

    Notes
    -----
    ``eq-gan-d-loss``: :math:`L_D = -\mathbb E_{p}\log D(x) - \mathbb E_{z}\log(1 - D(G(z)))`
    with :math:`D = \sigma(\ell)`, i.e. the negative of the inner objective of the minimax
    game ``eq-gan-minimax``.
    """
    real_logits, fake_logits = _check_logits(real_logits, "real_logits"), _check_logits(fake_logits, "fake_logits")
    return binary_cross_entropy_with_logits(real_logits, 1.0) + binary_cross_entropy_with_logits(fake_logits, 0.0)


def generator_loss(fake_logits: Tensor, kind: str = "non_saturating") -> Tensor:
    r"""The generator's loss on the discriminator's logits for generated samples.

    Parameters
    ----------
    fake_logits : Tensor of shape (n_fake,)
    kind : {"non_saturating", "minimax"}
        ``"minimax"`` minimises :math:`\mathbb E\log(1 - D(G(z)))` (the game's own objective);
        ``"non_saturating"`` minimises :math:`-\mathbb E\log D(G(z))` (same fixed points,
        strong gradients when the discriminator rejects the samples).

    Notes
    -----
    ``eq-gan-g-losses``: :math:`L_G^{\mathrm{mm}} = -\operatorname{mean}\operatorname{softplus}(\ell)`
    and :math:`L_G^{\mathrm{ns}} = \operatorname{mean}\operatorname{softplus}(-\ell)`.
    """
    kind = check_option(kind, GENERATOR_LOSSES, name="kind")
    fake_logits = _check_logits(fake_logits, "fake_logits")
    if kind == "minimax":
        return -binary_cross_entropy_with_logits(fake_logits, 0.0)      # mean log(1 - D)
    return binary_cross_entropy_with_logits(fake_logits, 1.0)           # -mean log D


# =============================================================================
# Networks
# =============================================================================

class Generator(Module):
    """An MLP generator :math:`G(z)` from a standard-normal latent to data space.

    Parameters
    ----------
    latent_dim : int
        Size of :math:`z`.
    data_dim : int
        Size of a sample (2 for the toy data, 64 for 8x8 digits).
    hidden : tuple of int, default (64, 64)
        Hidden widths.
    output : {None, "tanh", "sigmoid"}, default None
        Squashing of the output (``"tanh"`` for data scaled to [-1, 1]).
    rng : np.random.Generator, int or None
    dtype : numpy float dtype, default float32
    """

    def __init__(self, latent_dim: int, data_dim: int, hidden: tuple[int, ...] = (64, 64),
                 output: str | None = None, *, rng: RNG = None,
                 dtype: Any = np.float32):
        self.latent_dim = check_int(latent_dim, name="latent_dim", minimum=1)
        self.data_dim = check_int(data_dim, name="data_dim", minimum=1)
        self.output = check_option(output, (None, "tanh", "sigmoid"), name="output")
        self.dtype = np.dtype(dtype)
        self.net = MLP((self.latent_dim, *hidden, self.data_dim), activation="relu", rng=rng, dtype=dtype)

    def forward(self, z: Any) -> Tensor:
        """Latent codes (n_samples, latent_dim) -> samples (n_samples, data_dim)."""
        z = z if isinstance(z, Tensor) else Tensor(check_array(z, name="z", ndim=(1, 2), dtype=self.dtype))
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f"The generator expects latent codes of shape (n_samples, {self.latent_dim}); got {z.shape}. "
                f"Draw them with rng.standard_normal((n, {self.latent_dim}))."
            )
        x = self.net(z)                                                  # (n, data_dim)
        return getattr(x, self.output)() if self.output else x

    def sample(self, n_samples: int, rng: RNG = None) -> np.ndarray:
        """Draw ``n_samples`` samples :math:`G(z)`, :math:`z \\sim N(0, I)`, as an array (n_samples, data_dim)."""
        n = check_int(n_samples, name="n_samples", minimum=1)
        z = as_rng(rng).standard_normal((n, self.latent_dim)).astype(self.dtype)
        with no_grad():
            return self.forward(Tensor(z)).data

    def extra_repr(self) -> str:
        return f"latent_dim={self.latent_dim}, data_dim={self.data_dim}, output={self.output!r}"


class Discriminator(Module):
    """An MLP discriminator returning one logit :math:`\\ell(x)` per sample; :math:`D(x) = \\sigma(\\ell(x))`.

    Parameters
    ----------
    data_dim : int
        Size of a sample (flatten images first: 8x8 digits have ``data_dim=64``).
    hidden : tuple of int, default (64, 64)
    activation : {"relu", "tanh", "sigmoid"}, default "relu"
    rng : np.random.Generator, int or None
    dtype : numpy float dtype, default float32
    """

    def __init__(self, data_dim: int, hidden: tuple[int, ...] = (64, 64), activation: str = "relu", *,
                 rng: RNG = None, dtype: Any = np.float32):
        self.data_dim = check_int(data_dim, name="data_dim", minimum=1)
        self.dtype = np.dtype(dtype)
        self.net = MLP((self.data_dim, *hidden, 1), activation=activation, rng=rng, dtype=dtype)

    def forward(self, x: Any) -> Tensor:
        """Samples (n_samples, data_dim) -> logits (n_samples,)."""
        x = x if isinstance(x, Tensor) else Tensor(check_array(x, name="x", ndim=(1, 2, 3, 4), dtype=self.dtype))
        if x.ndim != 2 or x.shape[1] != self.data_dim:
            hint = (f" Flatten images first: x.reshape(len(x), -1)." if x.ndim > 2
                    and int(np.prod(x.shape[1:])) == self.data_dim else "")
            raise ValueError(
                f"The discriminator expects samples of shape (n_samples, {self.data_dim}); got {x.shape}.{hint}"
            )
        return self.net(x).reshape(x.shape[0])                          # (n,)

    def probability(self, x: Any) -> np.ndarray:
        """:math:`D(x) = \\sigma(\\ell(x))` as an array (n_samples,), without a graph."""
        with no_grad():
            return self.forward(x).sigmoid().data


# =============================================================================
# Training
# =============================================================================

@dataclass
class GANHistory:
    """Per-generator-step curves recorded by :func:`train_gan` (lists of floats)."""

    d_loss: list = field(default_factory=list)   # discriminator loss (last of its k steps)
    g_loss: list = field(default_factory=list)   # generator loss
    d_real: list = field(default_factory=list)   # mean D(x) on the data batch
    d_fake: list = field(default_factory=list)   # mean D(G(z)) on the generated batch


def _data_sampler(data: Any, dtype: np.dtype) -> Callable[[int, np.random.Generator], np.ndarray]:
    if callable(data):
        return lambda n, rng: np.asarray(data(n, rng=rng), dtype=dtype)
    X = check_array(data, name="data", ndim=2).astype(dtype)
    return lambda n, rng: X[rng.integers(0, len(X), size=n)]


def train_gan(generator: Generator, discriminator: Discriminator, data: Any, *, n_steps: int = 1000,
              batch_size: int = 128, k: int = 1, loss: str = "non_saturating", lr_g: float = 1e-3,
              lr_d: float = 1e-3, betas: tuple[float, float] = (0.5, 0.999),
              rng: RNG = None,
              callback: Callable[[int], None] | None = None) -> GANHistory:
    r"""Alternating stochastic gradient updates of a GAN: ``k`` discriminator steps, then one generator step.

    Parameters
    ----------
    generator : Generator
    discriminator : Discriminator
        Must accept the generator's samples (``discriminator.data_dim == generator.data_dim``).
    data : ndarray of shape (n_samples, data_dim) or callable(n, rng=...) -> ndarray
        Training data (mini-batches drawn with replacement) or a sampler of fresh data.
    n_steps : int, default 1000
        Number of generator updates.
    batch_size : int, default 128
    k : int, default 1
        Discriminator updates per generator update.
    loss : {"non_saturating", "minimax"}
        The generator's loss (:func:`generator_loss`).
    lr_g, lr_d : float
        Adam learning rates of the generator and the discriminator.
    betas : (float, float), default (0.5, 0.999)
        Adam's decay rates (a first-moment decay of 0.5 is the usual choice for GANs).
    rng : np.random.Generator, int or None
        Source of data batches and latent codes.
    callback : callable(step), optional
        Called after every generator update with the 1-based step number.

    Returns
    -------
    GANHistory

    Notes
    -----
    Each round performs ``k`` descent steps on :math:`L_D` (``eq-gan-d-loss``) with the
    generator frozen, then one descent step on :math:`L_G` (``eq-gan-g-losses``) with the
    discriminator frozen (``eq-gan-alternating``).
    """
    if not isinstance(generator, Generator) or not isinstance(discriminator, Discriminator):
        raise TypeError("train_gan expects a Generator and a Discriminator from scratch.generative.gan.")
    if generator.data_dim != discriminator.data_dim:
        raise ValueError(
            f"The generator makes samples of size {generator.data_dim} but the discriminator expects "
            f"{discriminator.data_dim}; build both with the same data_dim."
        )
    loss = check_option(loss, GENERATOR_LOSSES, name="loss")
    n_steps = check_int(n_steps, name="n_steps", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    k = check_int(k, name="k", minimum=1)
    rng = as_rng(rng)
    sample = _data_sampler(data, generator.dtype)
    if sample(1, np.random.default_rng(0)).shape != (1, generator.data_dim):
        raise ValueError(f"data must provide samples of shape (n, {generator.data_dim}) to match the generator.")
    opt_g = Adam(generator.parameters(), lr=check_positive(lr_g, name="lr_g"), betas=betas)
    opt_d = Adam(discriminator.parameters(), lr=check_positive(lr_d, name="lr_d"), betas=betas)
    latent = lambda: rng.standard_normal((batch_size, generator.latent_dim)).astype(generator.dtype)
    hist = GANHistory()
    for step in range(1, n_steps + 1):
        for _ in range(k):                                               # k discriminator steps
            real = sample(batch_size, rng)                               # (B, d)
            with no_grad():
                fake = generator(Tensor(latent()))                       # (B, d), no graph into G
            real_logits, fake_logits = discriminator(real), discriminator(fake)   # (B,), (B,)
            opt_d.zero_grad()
            d_loss = discriminator_loss(real_logits, fake_logits)
            d_loss.backward()
            opt_d.step()
        opt_g.zero_grad()                                                # one generator step
        fake_logits = discriminator(generator(Tensor(latent())))         # (B,)
        g_loss = generator_loss(fake_logits, loss)
        g_loss.backward()
        opt_g.step()                                                     # D's grads are discarded
        hist.d_loss.append(d_loss.item())
        hist.g_loss.append(g_loss.item())
        hist.d_real.append(float(real_logits.sigmoid().data.mean()))
        hist.d_fake.append(float(fake_logits.sigmoid().data.mean()))
        if callback is not None:
            callback(step)
    return hist


def train_discriminator(discriminator: Discriminator, sample_data: Callable, sample_model: Callable, *,
                        n_steps: int = 500, batch_size: int = 256, lr: float = 1e-3,
                        rng: RNG = None) -> list:
    """Train only the discriminator, against a fixed generator, on fresh batches from two samplers.

    Parameters
    ----------
    discriminator : Discriminator
    sample_data, sample_model : callable(n, rng=...) -> ndarray (n, data_dim)
        Samplers of the data distribution p and of the fixed model distribution q.
    n_steps, batch_size : int
    lr : float
        Adam learning rate.
    rng : np.random.Generator, int or None

    Returns
    -------
    list of float
        The loss :math:`L_D` after every step; its minimum over all functions is
        :math:`2\\log 2 - 2\\,\\mathrm{JSD}(p, q)`, reached by ``optimal_discriminator``.
    """
    if not callable(sample_data) or not callable(sample_model):
        raise TypeError("sample_data and sample_model must be callables (n, rng=...) -> samples.")
    n_steps = check_int(n_steps, name="n_steps", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    rng = as_rng(rng)
    opt = Adam(discriminator.parameters(), lr=check_positive(lr, name="lr"), betas=(0.9, 0.999))
    losses = []
    for _ in range(n_steps):
        real = np.asarray(sample_data(batch_size, rng=rng), dtype=discriminator.dtype)
        fake = np.asarray(sample_model(batch_size, rng=rng), dtype=discriminator.dtype)
        opt.zero_grad()
        loss = discriminator_loss(discriminator(real), discriminator(fake))
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def optimal_discriminator(x, data_mean: float, data_std: float, model_mean: float, model_std: float) -> np.ndarray:
    r"""The optimal discriminator :math:`D^*(x) = p(x)/(p(x) + q(x))` for two 1-D Gaussians.

    Parameters
    ----------
    x : array_like of shape (n_points,)
    data_mean, data_std : float
        The data distribution :math:`p = N(\mu_p, \sigma_p^2)`.
    model_mean, model_std : float
        The generator's distribution :math:`q = N(\mu_q, \sigma_q^2)`.

    Returns
    -------
    ndarray of shape (n_points,)

    Notes
    -----
    ``eq-gan-dstar``, computed as :math:`\sigma(\log p(x) - \log q(x))` so that it never
    divides 0 by 0 in the tails.
    """
    x = check_array(x, name="x", ndim=1)
    sp, sq = check_positive(data_std, name="data_std"), check_positive(model_std, name="model_std")
    log_p = -0.5 * ((x - data_mean) / sp) ** 2 - np.log(sp)
    log_q = -0.5 * ((x - model_mean) / sq) ** 2 - np.log(sq)
    d = log_p - log_q
    return np.where(d >= 0, 1 / (1 + np.exp(-np.abs(d))), np.exp(-np.abs(d)) / (1 + np.exp(-np.abs(d))))


# =============================================================================
# Diagnostics
# =============================================================================

def dirac_gan(theta: float = 1.0, psi: float = 1.0, *, lr: float = 0.1, n_steps: int = 500,
              update: str = "alternating", loss: str = "minimax", r1: float = 0.0) -> np.ndarray:
    r"""Train the smallest GAN: one generator parameter and one discriminator parameter.

    The data are a point mass at 0, the generator a point mass at :math:`\theta`, and the
    discriminator has logit :math:`\ell(x) = \psi x`. The only equilibrium is
    :math:`(\theta, \psi) = (0, 0)`.

    Parameters
    ----------
    theta, psi : float
        Initial parameters.
    lr : float, default 0.1
        Plain gradient-descent step size of both players.
    n_steps : int, default 500
    update : {"alternating", "simultaneous"}
        Alternating: the generator sees the discriminator's new :math:`\psi`;
        simultaneous: both use the old parameters.
    loss : {"minimax", "non_saturating"}, default "minimax"
        The generator's loss (the game itself is the minimax one).
    r1 : float, default 0.0
        Weight :math:`\gamma` of the gradient penalty :math:`\frac{\gamma}{2}\lVert\nabla_x\ell(x)\rVert^2 =
        \frac{\gamma}{2}\psi^2` on data, added to the discriminator's loss.

    Returns
    -------
    ndarray of shape (n_steps + 1, 2)
        The trajectory of :math:`(\theta, \psi)`, starting point included.

    Notes
    -----
    The losses are those of ``eq-gan-d-loss`` and ``eq-gan-g-losses`` computed on Tensors.
    Near the equilibrium the gradient field is a rotation, ``eq-gan-dirac-field``.
    """
    update = check_option(update, ("alternating", "simultaneous"), name="update")
    loss = check_option(loss, GENERATOR_LOSSES, name="loss")
    lr = check_positive(lr, name="lr")
    n_steps = check_int(n_steps, name="n_steps", minimum=1)
    r1 = check_positive(r1, name="r1", strict=False)
    for name, v in (("theta", theta), ("psi", psi)):
        if not np.isfinite(v):
            raise ValueError(f"{name} must be finite (the starting point); got {v!r}.")
    th = Tensor(np.array([float(theta)]), requires_grad=True)
    ps = Tensor(np.array([float(psi)]), requires_grad=True)
    real = np.zeros(1)                                                   # the data: x = 0

    def d_grad():
        ps.grad = None
        ld = discriminator_loss(ps * real, ps * th.detach()) + 0.5 * r1 * (ps * ps).sum()
        ld.backward()
        return ps.grad.copy()

    def g_grad():
        th.grad = None
        generator_loss(ps.detach() * th, loss).backward()
        return th.grad.copy()

    path = [(float(theta), float(psi))]
    for _ in range(n_steps):
        if update == "simultaneous":
            gd, gg = d_grad(), g_grad()
            ps.data -= lr * gd
            th.data -= lr * gg
        else:
            ps.data -= lr * d_grad()
            th.data -= lr * g_grad()
        path.append((th.data[0], ps.data[0]))
    return np.array(path)


def mode_coverage(samples, centres, std: float, *, n_std: float = 3.0,
                  min_fraction: float = 0.01) -> tuple[int, float]:
    r"""Modes covered and share of high-quality samples for a mixture of isotropic Gaussians.

    A sample is *high quality* if it lies within ``n_std * std`` of its nearest centre.
    A mode is *covered* if at least ``min_fraction`` of all samples are high-quality
    samples of that mode (the measures used for the 8 Gaussians by Srivastava et al., 2017,
    VEEGAN).

    Parameters
    ----------
    samples : array_like of shape (n_samples, n_features)
    centres : array_like of shape (n_modes, n_features)
    std : float
        The components' standard deviation.
    n_std : float, default 3.0
    min_fraction : float, default 0.01

    Returns
    -------
    n_covered : int
    high_quality_share : float
    """
    x = check_array(samples, name="samples", ndim=2)
    c = check_array(centres, name="centres", ndim=2)
    if x.shape[1] != c.shape[1]:
        raise ValueError(f"samples have {x.shape[1]} features but centres have {c.shape[1]}; they must match.")
    radius = check_positive(n_std, name="n_std") * check_positive(std, name="std")
    min_fraction = check_positive(min_fraction, name="min_fraction")
    if min_fraction > 1:
        raise ValueError(f"min_fraction must lie in (0, 1] (a share of the samples); got {min_fraction}.")
    dist = np.sqrt(((x[:, None, :] - c[None, :, :]) ** 2).sum(-1))     # (n, n_modes)
    nearest = dist.argmin(axis=1)                                        # (n,)
    good = dist[np.arange(len(x)), nearest] <= radius                    # (n,)
    counts = np.bincount(nearest[good], minlength=len(c))                # (n_modes,)
    return int(np.sum(counts >= min_fraction * len(x))), float(good.mean())


def mmd_rbf(x, y, bandwidth: float = 0.5) -> float:
    r"""Unbiased estimate of the squared maximum mean discrepancy with a Gaussian kernel.

    Parameters
    ----------
    x : array_like of shape (n, n_features)
    y : array_like of shape (m, n_features)
    bandwidth : float, default 0.5
        Kernel width :math:`h` in :math:`k(a, b) = \exp(-\lVert a - b\rVert^2 / (2h^2))`.

    Returns
    -------
    float
        :math:`\widehat{\mathrm{MMD}}^2` (``eq-gan-mmd``): about 0 (it can be slightly
        negative) when both samples come from the same distribution.
    """
    x = check_array(x, name="x", ndim=2)
    y = check_array(y, name="y", ndim=2)
    if x.shape[1] != y.shape[1]:
        raise ValueError(f"x and y must have the same number of features; got {x.shape[1]} and {y.shape[1]}.")
    if len(x) < 2 or len(y) < 2:
        raise ValueError("mmd_rbf needs at least 2 samples in each set for the unbiased estimate.")
    h2 = 2 * check_positive(bandwidth, name="bandwidth") ** 2

    def kernel_sum(a, b, same):
        d2 = (a ** 2).sum(1)[:, None] + (b ** 2).sum(1)[None, :] - 2 * a @ b.T
        K = np.exp(-np.maximum(d2, 0) / h2)
        if same:
            return (K.sum() - np.trace(K)) / (len(a) * (len(a) - 1))
        return K.mean()

    return float(kernel_sum(x, x, True) + kernel_sum(y, y, True) - 2 * kernel_sum(x, y, False))
