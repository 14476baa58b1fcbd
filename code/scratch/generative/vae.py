"""Variational autoencoders: Gaussian encoder, Bernoulli decoder, the ELBO and the IWAE bound.

The chapter ``book/generative/vae.md`` derives every equation used here; the labels
in the *Notes* sections (``eq-vae-elbo`` ...) match the page. The distributions come
from :mod:`scratch.distributions` (``Normal``, ``Bernoulli``, ``kl_divergence``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from scratch._validation import (RNG, NotFittedError, as_rng, check_array, check_int, check_option,
                                 check_positive, check_X_y)
from scratch.autograd.tensor import Tensor, no_grad
from scratch.distributions import Bernoulli, Normal, kl_divergence
from scratch.metrics import predict_logits
from scratch.neural.mlp import MLP, minibatches
from scratch.neural.mlp import fit as fit_classifier
from scratch.nn.module import Module

__all__ = ["VAE", "ELBOTerms", "VAEHistory", "check_binary_images", "fit_vae", "iwae_bound",
           "kl_per_dimension", "active_units", "interpolate", "DigitJudge"]


def check_binary_images(x: Any, data_dim: int, name: str = "x") -> np.ndarray:
    """Check flattened binary images: an array (n_samples, data_dim) of zeros and ones.

    Raises a clear ``ValueError`` for unflattened images, the wrong number of pixels,
    or grey values (binarise them first, e.g. ``(X >= 8).astype(float)`` for the digits).
    """
    x = check_array(x, name=name, ndim=(1, 2, 3, 4))
    if x.ndim != 2 or x.shape[1] != data_dim:
        flat = x.ndim > 2 and int(np.prod(x.shape[1:])) == data_dim
        hint = " Flatten the images first: x.reshape(len(x), -1)." if flat else ""
        raise ValueError(
            f"{name} must be flattened images of shape (n_samples, {data_dim}); got {x.shape}.{hint}"
        )
    if np.any((x != 0) & (x != 1)):
        raise ValueError(
            f"{name} must hold binary pixels (0 or 1) for the Bernoulli decoder; got values such as "
            f"{x[(x != 0) & (x != 1)][0]:g}. Binarise the images, e.g. (X >= 8).astype(float) for 0-16 pixels."
        )
    return x


@dataclass
class ELBOTerms:
    """The pieces of the ELBO for a batch (Tensors, so gradients flow).

    Attributes
    ----------
    elbo : Tensor of shape (n_samples,)
        ``reconstruction - beta * kl.sum(-1)`` per sample.
    reconstruction : Tensor of shape (n_samples,)
        :math:`\\log p(x \\mid z)` at the sampled :math:`z`.
    kl : Tensor of shape (n_samples, latent_dim)
        :math:`\\mathrm{KL}(q(z_j \\mid x) \\,\\|\\, N(0, 1))` per latent dimension.
    """

    elbo: Tensor
    reconstruction: Tensor
    kl: Tensor


class VAE(Module):
    r"""Variational autoencoder with a diagonal-Gaussian encoder and a Bernoulli decoder.

    Parameters
    ----------
    data_dim : int, default 64
        Pixels of a flattened binary image (8x8 digits: 64).
    latent_dim : int, default 2
        Size of :math:`z`.
    hidden : tuple of int, default (128,)
        Hidden widths of the encoder; the decoder mirrors them.
    rng : np.random.Generator, int or None
        Source of the initial weights.
    dtype : numpy float dtype, default float64

    Notes
    -----
    Encoder ``eq-vae-encoder``: :math:`q_\phi(z\mid x) = N(\mu_\phi(x), \operatorname{diag}\sigma^2_\phi(x))`,
    one MLP returning :math:`(\mu, \log\sigma^2)`. Decoder ``eq-vae-decoder``:
    :math:`p_\theta(x \mid z) = \prod_i \operatorname{Bernoulli}(x_i; \sigma(\ell_i(z)))`,
    an MLP returning the logits :math:`\ell(z)`. Prior :math:`p(z) = N(0, I)`.
    """

    def __init__(self, data_dim: int = 64, latent_dim: int = 2, hidden: tuple[int, ...] = (128,), *,
                 rng: RNG = None, dtype: Any = np.float64):
        self.data_dim = check_int(data_dim, name="data_dim", minimum=1)
        self.latent_dim = check_int(latent_dim, name="latent_dim", minimum=1)
        hidden = tuple(check_int(h, name="hidden[i]", minimum=1) for h in hidden)
        rng = as_rng(rng)
        self.dtype = np.dtype(dtype)
        self.encoder = MLP((self.data_dim, *hidden, 2 * self.latent_dim), activation="relu", rng=rng, dtype=dtype)
        self.decoder = MLP((self.latent_dim, *hidden[::-1], self.data_dim), activation="relu", rng=rng, dtype=dtype)

    # ---- the two conditional distributions ----------------------------------------------
    def encode(self, x: Any) -> Normal:
        """The approximate posterior :math:`q(z \\mid x)` for flattened binary images x (n_samples, data_dim)."""
        if not isinstance(x, Tensor):
            x = Tensor(check_binary_images(x, self.data_dim).astype(self.dtype))
        h = self.encoder(x)                                          # (n, 2 * latent)
        mu, log_var = h[:, :self.latent_dim], h[:, self.latent_dim:]  # (n, latent) each
        return Normal(mu, (0.5 * log_var).exp())

    def decode(self, z: Any) -> Bernoulli:
        """The likelihood :math:`p(x \\mid z)` for latent codes z (n_samples, latent_dim), as Bernoulli logits."""
        if not isinstance(z, Tensor):
            z = Tensor(check_array(z, name="z", ndim=(1, 2)).astype(self.dtype))
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(
                f"The decoder expects latent codes of shape (n_samples, {self.latent_dim}); got {z.shape}. "
                f"This VAE has latent_dim={self.latent_dim}."
            )
        return Bernoulli(logits=self.decoder(z))                     # logits (n, data_dim)

    # ---- the objective ----------------------------------------------------------------
    def elbo(self, x: Any, rng: RNG = None, beta: float = 1.0) -> ELBOTerms:
        r"""Single-sample ELBO of each image, with the reparameterisation trick and the analytic KL.

        Parameters
        ----------
        x : array_like of shape (n_samples, data_dim)
            Binary images.
        rng : np.random.Generator, int or None
            Source of the noise :math:`\varepsilon`.
        beta : float, default 1.0
            Weight of the KL term (:math:`\beta = 1` is the ELBO; other values give the
            :math:`\beta`-VAE objective).

        Returns
        -------
        ELBOTerms

        Notes
        -----
        ``eq-vae-reparam``: :math:`z = \mu + \sigma \odot \varepsilon`, :math:`\varepsilon\sim N(0, I)`;
        ``eq-vae-kl``: :math:`\mathrm{KL}_j = \tfrac12(\mu_j^2 + \sigma_j^2 - 1 - \log\sigma_j^2)`;
        ``eq-vae-elbo``: :math:`\log p(x \mid z) - \beta\sum_j \mathrm{KL}_j`.
        """
        beta = check_positive(beta, name="beta", strict=False)
        x = check_binary_images(x, self.data_dim).astype(self.dtype)
        q = self.encode(Tensor(x))
        z = q.rsample(as_rng(rng))                                     # (n, latent), eq-vae-reparam
        rec = self.decode(z).log_prob(Tensor(x)).sum(axis=-1)          # (n,)
        kl = kl_divergence(q, Normal(0.0, 1.0))                        # (n, latent), eq-vae-kl
        return ELBOTerms(elbo=rec - beta * kl.sum(axis=-1), reconstruction=rec, kl=kl)

    def loss(self, x: Any, rng: RNG = None, beta: float = 1.0) -> Tensor:
        """Mean negative (beta-)ELBO over the batch, the training loss (nats per image)."""
        return -self.elbo(x, rng, beta).elbo.mean()

    def sample(self, n_samples: int, rng: RNG = None,
               mean: bool = False) -> np.ndarray:
        """Draw images from the model: :math:`z \\sim N(0, I)`, then :math:`x \\sim p(x \\mid z)`.

        With ``mean=True`` return the decoder's pixel probabilities instead of binary samples.
        Returns an array (n_samples, data_dim).
        """
        n = check_int(n_samples, name="n_samples", minimum=1)
        rng = as_rng(rng)
        with no_grad():
            p_x = self.decode(rng.standard_normal((n, self.latent_dim)))
            return _np(p_x.probs) if mean else p_x.sample(rng)

    def reconstruct(self, x: Any) -> np.ndarray:
        """Decoder probabilities at the posterior mean: :math:`\\sigma(\\ell(\\mu(x)))`, shape (n_samples, data_dim)."""
        with no_grad():
            return _np(self.decode(self.encode(x).loc).probs)

    def extra_repr(self) -> str:
        return f"data_dim={self.data_dim}, latent_dim={self.latent_dim}"


# =============================================================================
# Training and evaluation
# =============================================================================

@dataclass
class VAEHistory:
    """Per-epoch curves recorded by :func:`fit_vae` (lists of floats, nats per image)."""

    loss: list = field(default_factory=list)          # mean negative beta-ELBO over the epoch's batches
    reconstruction: list = field(default_factory=list)  # mean log p(x | z)
    kl: list = field(default_factory=list)            # mean KL(q(z | x) || p(z))


def fit_vae(model: VAE, X: Any, optimizer, *, epochs: int = 20, batch_size: int = 64, beta: float = 1.0,
            rng: RNG = None,
            callback: Callable[[int, VAEHistory], None] | None = None) -> VAEHistory:
    r"""Maximise the (beta-)ELBO by mini-batch stochastic gradient ascent.

    Parameters
    ----------
    model : VAE
    X : array_like of shape (n_samples, data_dim)
        Binary training images.
    optimizer : scratch.optim.Optimizer
        Holds ``model.parameters()``.
    epochs, batch_size : int
    beta : float, default 1.0
        KL weight (``eq-vae-beta``).
    rng : np.random.Generator, int or None
        Shuffles the batches and draws the reparameterisation noise.
    callback : callable(epoch, history), optional

    Returns
    -------
    VAEHistory

    Notes
    -----
    Each step descends :math:`-\frac{1}{|B|}\sum_{x\in B}\mathcal L_\beta(x)` with one
    reparameterised sample per image (``eq-vae-elbo``, ``eq-vae-reparam``).
    """
    if not isinstance(model, VAE):
        raise TypeError(f"fit_vae trains a scratch.generative.vae.VAE; got {type(model).__name__}.")
    if not (hasattr(optimizer, "zero_grad") and hasattr(optimizer, "step")):
        raise TypeError(f"optimizer must be a scratch.optim optimizer over model.parameters(), e.g. "
                        f"Adam(model.parameters(), lr=1e-3); got {type(optimizer).__name__}.")
    X = check_binary_images(X, model.data_dim, name="X").astype(model.dtype)
    epochs = check_int(epochs, name="epochs", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    beta = check_positive(beta, name="beta", strict=False)
    rng = as_rng(rng)
    hist = VAEHistory()
    for epoch in range(epochs):
        sums = np.zeros(3)
        for idx in minibatches(len(X), batch_size, rng):
            optimizer.zero_grad()
            terms = model.elbo(X[idx], rng, beta)
            loss = -terms.elbo.mean()
            loss.backward()
            optimizer.step()
            sums += len(idx) * np.array([loss.item(), terms.reconstruction.data.mean(),
                                         terms.kl.data.sum(-1).mean()])
        for lst, v in zip((hist.loss, hist.reconstruction, hist.kl), sums / len(X)):
            lst.append(float(v))
        if callback is not None:
            callback(epoch, hist)
    return hist


def _np(t: Any) -> np.ndarray:
    """The array inside a Tensor (distributions with Tensor parameters return Tensors)."""
    return t.data if isinstance(t, Tensor) else np.asarray(t)


def _logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    m = a.max(axis=axis, keepdims=True)
    return (m + np.log(np.exp(a - m).sum(axis=axis, keepdims=True))).squeeze(axis)


def iwae_bound(model: VAE, X: Any, k: int = 50, *, rng: RNG = None,
               batch_size: int = 256) -> np.ndarray:
    r"""The importance-weighted bound :math:`\mathcal L_k(x) \le \log p(x)` of each image (nats).

    Parameters
    ----------
    model : VAE
    X : array_like of shape (n_samples, data_dim)
        Binary images.
    k : int, default 50
        Number of importance samples; ``k=1`` is a single-sample estimate of the ELBO.
    rng : np.random.Generator, int or None
    batch_size : int, default 256
        Images processed at once (memory is ``batch_size * k * data_dim``).

    Returns
    -------
    ndarray of shape (n_samples,)

    Notes
    -----
    ``eq-vae-iwae``: :math:`\mathcal L_k = \log\frac1k\sum_{i=1}^k
    \frac{p(x\mid z_i)\,p(z_i)}{q(z_i\mid x)}`, :math:`z_i \sim q(z\mid x)`, computed with
    a log-sum-exp; :math:`\mathbb E\,\mathcal L_1 \le \mathbb E\,\mathcal L_k \le
    \mathbb E\,\mathcal L_{k+1} \le \log p(x)`.
    """
    if not isinstance(model, VAE):
        raise TypeError(f"iwae_bound evaluates a scratch.generative.vae.VAE; got {type(model).__name__}.")
    X = check_binary_images(X, model.data_dim, name="X")
    k = check_int(k, name="k", minimum=1)
    batch_size = check_int(batch_size, name="batch_size", minimum=1)
    rng = as_rng(rng)
    prior = Normal(0.0, 1.0)
    out = []
    with no_grad():
        for start in range(0, len(X), batch_size):
            x = X[start:start + batch_size]                                   # (b, D)
            q = model.encode(x)
            z = q.sample(rng, (k,))                                           # (k, b, latent)
            log_q = _np(q.log_prob(z)).sum(-1)                                # (k, b)
            log_prior = _np(prior.log_prob(z)).sum(-1)                        # (k, b)
            p_x = model.decode(z.reshape(-1, model.latent_dim))               # logits (k*b, D)
            log_lik = _np(p_x.log_prob(np.tile(x, (k, 1)))).sum(-1).reshape(k, len(x))   # (k, b)
            out.append(_logsumexp(log_lik + log_prior - log_q, axis=0) - np.log(k))
    return np.concatenate(out)


def _check_vae(model: Any, who: str) -> None:
    if not isinstance(model, VAE):
        raise TypeError(f"{who} takes a scratch.generative.vae.VAE; got {type(model).__name__}.")


def kl_per_dimension(model: VAE, X: Any) -> np.ndarray:
    r"""Mean analytic :math:`\mathrm{KL}(q(z_j \mid x)\,\|\,N(0,1))` over the images, per latent dimension.

    Returns an array (latent_dim,) in nats; a dimension with KL near 0 carries no
    information about x (its posterior equals the prior: posterior collapse).
    """
    _check_vae(model, "kl_per_dimension")
    X = check_binary_images(X, model.data_dim, name="X")
    with no_grad():
        q = model.encode(X)
        return kl_divergence(q, Normal(0.0, 1.0)).data.mean(axis=0)


def active_units(model: VAE, X: Any, threshold: float = 0.01) -> tuple[int, np.ndarray]:
    r"""Number of active latent units: :math:`A_j = \operatorname{Var}_x \mathbb E_{q(z\mid x)}[z_j] > \text{threshold}`.

    Parameters
    ----------
    model : VAE
    X : array_like of shape (n_samples, data_dim)
    threshold : float, default 0.01
        The cut-off of Burda et al. (2016).

    Returns
    -------
    n_active : int
    activity : ndarray of shape (latent_dim,)
        :math:`A_j`, the variance of the posterior mean across images (``eq-vae-active``).
    """
    _check_vae(model, "active_units")
    X = check_binary_images(X, model.data_dim, name="X")
    if len(X) < 2:
        raise ValueError(f"active_units needs at least two images (it measures a variance across images); "
                         f"got {len(X)}.")
    threshold = check_positive(threshold, name="threshold")
    with no_grad():
        mu = model.encode(X).loc.data                                          # (n, latent)
    activity = mu.var(axis=0)
    return int(np.sum(activity > threshold)), activity


def interpolate(model: VAE, x_start: Any, x_end: Any, n_steps: int = 8) -> np.ndarray:
    """Decode the straight line between the posterior means of two images.

    Parameters
    ----------
    model : VAE
    x_start, x_end : array_like of shape (data_dim,)
        Two binary images.
    n_steps : int, default 8
        Number of points on the line, end points included.

    Returns
    -------
    ndarray of shape (n_steps, data_dim)
        Decoder probabilities along the line.
    """
    _check_vae(model, "interpolate")
    n_steps = check_int(n_steps, name="n_steps", minimum=2)
    for name, x in (("x_start", x_start), ("x_end", x_end)):
        if np.size(x) != model.data_dim:
            raise ValueError(f"{name} must be one image of {model.data_dim} pixels; got shape {np.shape(x)}.")
    ends = check_binary_images(np.vstack([np.ravel(x_start), np.ravel(x_end)]), model.data_dim, name="x_start, x_end")
    with no_grad():
        mu = model.encode(ends).loc.data                                       # (2, latent)
        t = np.linspace(0, 1, n_steps)[:, None]                                # (n_steps, 1)
        return _np(model.decode((1 - t) * mu[0] + t * mu[1]).probs)


class DigitJudge:
    r"""A small digit classifier that scores generated images (the "judge" of the generative pages).

    Trained on real digits, it reads a sample's class and its confidence (the largest
    class probability): a clean, digit-like image gets a confidence as high as a real
    digit's, an ambiguous or noisy one a lower confidence.

    Parameters
    ----------
    model : {"mlp", "logistic"}, default "mlp"
        ``"mlp"``: one hidden ReLU layer trained with Adam and cross-entropy
        (:mod:`scratch.neural.mlp`); ``"logistic"``: L2-penalised softmax regression
        (:class:`~scratch.classical.logistic_regression.LogisticRegression`).
    hidden : int, default 64
        Hidden width of the MLP.
    epochs : int, default 20
        Passes over the training digits (MLP).
    lr : float, default 3e-3
        Adam's learning rate (MLP).
    batch_size : int, default 64
        Mini-batch size (MLP).
    alpha : float, default 1.0
        L2 penalty of the softmax regression (``model="logistic"``).
    dtype : numpy float dtype, default float64
        Dtype of the MLP's weights; images are cast to it.
    rng : np.random.Generator, int or None, default 0
        Initial weights and batch order of the MLP.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels seen in ``fit``.
    n_features_in_ : int
        Pixels per image seen in ``fit``.
    model_ : object
        The trained classifier: a :class:`~scratch.neural.mlp.MLP` or a
        :class:`~scratch.classical.logistic_regression.LogisticRegression`.

    Notes
    -----
    The confidence of an image :math:`x` is :math:`\max_k p(k \mid x)`, with
    :math:`p(\cdot \mid x) = \operatorname{softmax}(f(x))` for the classifier's logits
    :math:`f(x)`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(60, 16)), np.arange(60) % 3
    >>> judge = DigitJudge(epochs=5).fit(X, y)
    >>> conf, classes = judge.confidence(X[:2])
    >>> conf.shape, classes.shape
    ((2,), (2,))
    """

    def __init__(self, model: str = "mlp", *, hidden: int = 64, epochs: int = 20, lr: float = 3e-3,
                 batch_size: int = 64, alpha: float = 1.0, dtype: Any = np.float64, rng: RNG = 0):
        self.model = model
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.alpha = alpha
        self.dtype = dtype
        self.rng = rng

    def fit(self, X: Any, y: Any) -> "DigitJudge":
        """Train on flattened digits ``X`` (n_samples, n_pixels) with integer labels ``y`` (n_samples,)."""
        check_option(self.model, ("mlp", "logistic"), name="model")
        X, y = check_X_y(X, y, y_dtype=None)
        if y.dtype.kind not in "iu":
            raise TypeError(f"y must hold integer class labels (0-9 for digits); got dtype {y.dtype}. "
                            "Use y.astype(int).")
        self.classes_, y_idx = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"y holds a single class ({self.classes_[0]}); the judge needs at least two classes.")
        try:
            float_dtype = np.dtype(self.dtype).kind == "f"
        except TypeError:
            float_dtype = False
        if not float_dtype:
            raise TypeError(f"dtype must be a numpy float dtype such as np.float64; got {self.dtype!r}.")
        self.n_features_in_ = X.shape[1]
        if self.model == "logistic":
            from scratch.classical.logistic_regression import LogisticRegression

            self.model_ = LogisticRegression(alpha=check_positive(self.alpha, name="alpha", strict=False))
            self.model_.fit(X, y)
            return self
        from scratch.optim import Adam

        hidden = check_int(self.hidden, name="hidden", minimum=1)
        net = MLP((self.n_features_in_, hidden, len(self.classes_)), rng=self.rng, dtype=self.dtype)
        fit_classifier(net, X.astype(self.dtype, copy=False), y_idx.reshape(-1),
                       Adam(net.parameters(), lr=check_positive(self.lr, name="lr")),
                       epochs=self.epochs, batch_size=self.batch_size, rng=self.rng)
        self.model_ = net
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of images ``X`` (n_samples, n_pixels), shape (n_samples, n_classes)."""
        if not hasattr(self, "model_"):
            raise NotFittedError("This DigitJudge is not fitted yet. Call fit(X, y) with real digits first.")
        X = check_array(X, name="X", ndim=(1, 2))
        if X.ndim == 1 or X.shape[1] != self.n_features_in_:
            flat = X.ndim == 1 and X.size == self.n_features_in_
            hint = " For one image pass X.reshape(1, -1)." if flat else ""
            raise ValueError(f"X has {X.shape[-1]} features (pixels) per row but DigitJudge was fitted with "
                             f"{self.n_features_in_}: pass flattened images of shape (n_samples, "
                             f"{self.n_features_in_}); got shape {X.shape}.{hint}")
        if self.model == "logistic":
            return self.model_.predict_proba(X)
        logits = predict_logits(self.model_, X.astype(self.dtype, copy=False))       # (n, n_classes)
        p = np.exp(logits - logits.max(1, keepdims=True))
        return p / p.sum(1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each image, shape (n_samples,)."""
        p = self.predict_proba(X)
        return self.classes_[p.argmax(1)]

    def confidence(self, X: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(confidence, predicted class)`` of each image: the largest class probability and its class.

        Returns
        -------
        confidence : ndarray of shape (n_samples,)
        classes : ndarray of shape (n_samples,)
        """
        p = self.predict_proba(X)
        return p.max(1), self.classes_[p.argmax(1)]
