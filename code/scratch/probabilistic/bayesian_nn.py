"""Bayesian neural networks: Bayes by Backprop (mean-field VI) and Hamiltonian Monte Carlo.

The chapter ``book/probabilistic/bayesian_nn.md`` derives every equation used here;
equation labels in the *Notes* sections match the page. A :class:`BayesianMLP` holds no
weights itself: it maps a batch of flattened weight vectors ``theta`` of shape
(n_draws, n_params) to outputs, log-likelihoods and log-priors, so that the same
network serves variational inference (a Tensor of reparameterised draws) and HMC
(one numpy vector at a time, with its gradient from the Tensor engine).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from scratch._validation import as_rng, check_array, check_int, check_option, check_positive, check_X_y
from scratch.autograd.tensor import Tensor, no_grad
from scratch.distributions import Normal, kl_divergence
from scratch.distributions.special import softplus
from scratch.optim.optimizers import Adam
from scratch.probabilistic.variational_inference import MeanFieldGaussian

__all__ = ["BayesianMLP", "bayes_by_backprop", "leapfrog", "hmc", "predictive_summary"]


class BayesianMLP:
    """A multilayer perceptron with a Gaussian prior on every weight and bias.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(n_inputs, n_hidden_1, ..., n_outputs)``; the output layer is linear.
    activation : {"tanh", "relu"}
    likelihood : {"gaussian", "bernoulli"}
        ``"gaussian"``: regression with noise standard deviation ``noise_std`` and one
        output; ``"bernoulli"``: binary classification with one output logit.
    noise_std : float > 0
    prior_std : float > 0
        Standard deviation of the N(0, prior_std^2) prior on every parameter.

    Notes
    -----
    Implements eq-bnn-posterior of the page:
    ``log p(theta | D) = sum_i log p(y_i | f_theta(x_i)) + log N(theta | 0, prior_std^2 I) + const``.
    """

    def __init__(self, layer_sizes, *, activation: str = "tanh", likelihood: str = "gaussian",
                 noise_std: float = 0.1, prior_std: float = 1.0):
        sizes = [check_int(s, name="layer_sizes entries", minimum=1) for s in layer_sizes]
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs at least an input and an output size; got {list(layer_sizes)}.")
        self.activation = check_option(activation, ("tanh", "relu"), name="activation")
        self.likelihood = check_option(likelihood, ("gaussian", "bernoulli"), name="likelihood")
        if sizes[-1] != 1:
            raise ValueError(f"the output layer must have size 1 (one mean or one logit); got {sizes[-1]}.")
        self.layer_sizes = tuple(sizes)
        self.noise_std = check_positive(noise_std, name="noise_std")
        self.prior_std = check_positive(prior_std, name="prior_std")
        self.shapes = [(a, b) for a, b in zip(sizes[:-1], sizes[1:])]
        self.n_params = sum(a * b + b for a, b in self.shapes)

    # -- the network ------------------------------------------------------------------
    def _check_theta(self, theta) -> Tensor:
        theta = theta if isinstance(theta, Tensor) else Tensor(check_array(theta, name="theta", ndim=(1, 2)))
        if theta.ndim == 1:
            theta = theta.reshape(1, -1)
        if theta.ndim != 2 or theta.shape[1] != self.n_params:
            raise ValueError(
                f"theta must have shape (n_draws, {self.n_params}) for layer sizes {self.layer_sizes}; "
                f"got {theta.shape}."
            )
        return theta

    def _check_X(self, X) -> np.ndarray:
        X = check_array(X, name="X")
        if X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X has {X.shape[1]} features but the network expects {self.layer_sizes[0]}.")
        return X

    def forward(self, theta, X) -> Tensor:
        """Network outputs for every weight draw.

        Parameters
        ----------
        theta : Tensor or array_like, shape (n_draws, n_params)
        X : array_like, shape (n_samples, n_inputs)

        Returns
        -------
        Tensor, shape (n_draws, n_samples)
            Means (regression) or logits (classification).
        """
        theta = self._check_theta(theta)
        h = Tensor(self._check_X(X))  # (n, d_in), broadcast against the draws below
        S, start = theta.shape[0], 0
        for k, (a, b) in enumerate(self.shapes):
            W = theta[:, start:start + a * b].reshape(S, a, b)  # (S, a, b)
            start += a * b
            bias = theta[:, start:start + b].reshape(S, 1, b)  # (S, 1, b)
            start += b
            h = h @ W + bias  # (S, n, b)
            if k < len(self.shapes) - 1:
                h = h.tanh() if self.activation == "tanh" else h.relu()
        return h.reshape(S, -1)  # (S, n)

    def log_likelihood(self, theta, X, y) -> Tensor:
        """``sum_i log p(y_i | x_i, theta)`` for every draw, shape (n_draws,)."""
        y = self._check_y(y)
        out = self.forward(theta, X)  # (S, n)
        if y.shape[0] != out.shape[1]:
            raise ValueError(f"X and y have mismatched lengths: {out.shape[1]} and {y.shape[0]}.")
        if self.likelihood == "gaussian":
            r = (out - Tensor(y)) / self.noise_std
            return (-0.5 * r * r).sum(axis=-1) - y.shape[0] * (math.log(self.noise_std) + 0.5 * math.log(2 * math.pi))
        return (out * Tensor(y) - softplus(out)).sum(axis=-1)  # log sigmoid(a) = a - softplus(a)

    def log_prior(self, theta) -> Tensor:
        """``log N(theta | 0, prior_std^2 I)`` for every draw, shape (n_draws,)."""
        theta = self._check_theta(theta)
        return (-0.5 * (theta * theta).sum(axis=-1) / self.prior_std**2
                - self.n_params * (math.log(self.prior_std) + 0.5 * math.log(2 * math.pi)))

    def log_posterior(self, theta, X, y) -> Tensor:
        """Unnormalised log posterior, shape (n_draws,)."""
        return self.log_likelihood(theta, X, y) + self.log_prior(theta)

    def log_posterior_and_grad(self, theta, X, y) -> tuple[float, np.ndarray]:
        """Log posterior and its gradient at one weight vector ``theta`` of shape (n_params,)."""
        t = Tensor(check_array(theta, name="theta", ndim=1).reshape(1, -1), requires_grad=True)
        lp = self.log_posterior(t, X, y).sum()
        lp.backward()
        return lp.item(), t.grad.reshape(-1)

    def predict(self, thetas, X) -> np.ndarray:
        """Predictions of every draw: means (regression) or probabilities p(y = 1) (classification).

        Returns
        -------
        ndarray, shape (n_draws, n_samples)
        """
        with no_grad():
            out = self.forward(thetas, X).data  # (S, n)
        return out if self.likelihood == "gaussian" else 0.5 * (1 + np.tanh(0.5 * out))

    def init_theta(self, rng=None, scale: float | None = None) -> np.ndarray:
        """A random weight vector, shape (n_params,): weights ~ N(0, 1/fan_in) (or ``scale^2``), biases 0."""
        rng = as_rng(rng)
        parts = []
        for a, b in self.shapes:
            parts += [rng.normal(0, scale if scale is not None else 1 / math.sqrt(a), a * b), np.zeros(b)]
        return np.concatenate(parts)

    def _check_y(self, y) -> np.ndarray:
        y = check_array(y, name="y", ndim=1)
        if self.likelihood == "bernoulli" and not np.all((y == 0) | (y == 1)):
            raise ValueError("y must hold binary labels 0 and 1 for a bernoulli likelihood.")
        return y


# ---------------------------------------------------------------------------------------
# Bayes by Backprop
# ---------------------------------------------------------------------------------------
def bayes_by_backprop(model: BayesianMLP, X, y, *, n_iter: int = 2000, lr: float = 0.01, n_samples: int = 4,
                      batch_size: int | None = None, init_theta=None, init_scale: float = 1e-2,
                      rng=None) -> tuple[MeanFieldGaussian, np.ndarray]:
    """Fit a mean-field Gaussian posterior over the weights (Blundell et al., 2015).

    Parameters
    ----------
    model : BayesianMLP
    X : array_like, shape (n_samples, n_inputs)
    y : array_like, shape (n_samples,)
    n_iter, n_samples : int
        Adam steps, and weight draws per step.
    lr : float
    batch_size : int, optional
        Minibatch size (default: the full data); the likelihood is scaled by n / batch_size.
    init_theta : array_like, shape (n_params,), optional
        Initial means (default: ``model.init_theta(rng)``).
    init_scale : float
        Initial standard deviation of every weight.
    rng : Generator, int or None

    Returns
    -------
    q : MeanFieldGaussian
        The fitted posterior approximation over ``theta``.
    history : ndarray, shape (n_iter,)
        The negative ELBO estimate at every step.

    Notes
    -----
    Implements eq-bnn-bbb of the page: minimise
    ``KL(q || prior) - (n / B) sum_{i in batch} E_q[log p(y_i | x_i, theta)]`` with
    reparameterised draws and the KL in closed form.
    """
    if not isinstance(model, BayesianMLP):
        raise TypeError(f"model must be a BayesianMLP; got {type(model).__name__}.")
    X, y = check_X_y(X, y)
    model._check_X(X)
    y = model._check_y(y)
    n_iter = check_int(n_iter, name="n_iter", minimum=1)
    n_samples = check_int(n_samples, name="n_samples", minimum=1)
    n = X.shape[0]
    batch = n if batch_size is None else check_int(batch_size, name="batch_size", minimum=1, maximum=n)
    rng = as_rng(rng)
    loc = model.init_theta(rng) if init_theta is None else init_theta
    q = MeanFieldGaussian(model.n_params, init_loc=loc, init_scale=init_scale)
    prior = Normal(np.zeros(model.n_params), np.full(model.n_params, model.prior_std))
    opt = Adam(q.parameters(), lr=check_positive(lr, name="lr"))
    history = np.empty(n_iter)
    for it in range(n_iter):
        idx = rng.choice(n, batch, replace=False) if batch < n else slice(None)
        opt.zero_grad()
        theta = q.rsample(rng, n_samples)  # (S, P)
        nll = -model.log_likelihood(theta, X[idx], y[idx]).mean() * (n / batch)
        loss = nll + kl_divergence(q.distribution(), prior).sum()
        loss.backward()
        opt.step()
        history[it] = loss.item()
    return q, history


# ---------------------------------------------------------------------------------------
# Hamiltonian Monte Carlo
# ---------------------------------------------------------------------------------------
def _check_step(step_size) -> float:
    if isinstance(step_size, bool) or not isinstance(step_size, (int, float, np.integer, np.floating)):
        raise TypeError(f"step_size must be a real number; got {type(step_size).__name__}.")
    if not (np.isfinite(step_size) and step_size > 0):
        raise ValueError(
            f"step_size must be finite and > 0; got {step_size!r}. A zero step never moves the chain; "
            "start around 0.1 / sqrt(dimension) and tune for an acceptance rate of 0.6-0.9."
        )
    return float(step_size)


def leapfrog(x, p, grad_log_prob: Callable, step_size: float, n_steps: int):
    """Integrate Hamilton's equations for ``H = -log pi(x) + |p|^2 / 2`` with the leapfrog scheme.

    Parameters
    ----------
    x, p : ndarray, shape (dim,)
        Position and momentum.
    grad_log_prob : callable
        ``x -> grad log pi(x)``, shape (dim,).
    step_size : float > 0
    n_steps : int >= 1

    Returns
    -------
    x, p : ndarray, shape (dim,)

    Notes
    -----
    Implements eq-bnn-leapfrog of the page: half a momentum step, then alternating full
    position and momentum steps, and a final half momentum step. The map is
    volume-preserving and time-reversible.
    """
    step_size = _check_step(step_size)
    n_steps = check_int(n_steps, name="n_steps", minimum=1)
    x = check_array(x, name="x", ndim=1)
    p = check_array(p, name="p", ndim=1)
    if p.shape != x.shape:
        raise ValueError(f"x and p must have the same shape (dim,); got x {x.shape} and p {p.shape}.")
    p = p + 0.5 * step_size * grad_log_prob(x)
    for i in range(n_steps):
        x = x + step_size * p
        if i < n_steps - 1:
            p = p + step_size * grad_log_prob(x)
    p = p + 0.5 * step_size * grad_log_prob(x)
    return x, p


def hmc(log_prob_and_grad: Callable, x0, *, n_samples: int, step_size: float, n_leapfrog: int = 10,
        n_burnin: int = 0, rng=None, jitter: float = 0.0) -> tuple[np.ndarray, float]:
    """Hamiltonian Monte Carlo with an identity mass matrix.

    Parameters
    ----------
    log_prob_and_grad : callable
        ``x -> (log pi(x), grad log pi(x))`` for ``x`` of shape (dim,); ``log pi`` may be
        unnormalised.
    x0 : array_like, shape (dim,)
    n_samples : int
        Draws returned after ``n_burnin`` discarded ones.
    step_size : float > 0
    n_leapfrog : int
        Leapfrog steps per proposal.
    n_burnin : int
    rng : Generator, int or None
    jitter : float in [0, 1)
        If positive, each proposal uses ``step_size * U(1 - jitter, 1 + jitter)``
        (avoids periodic orbits).

    Returns
    -------
    samples : ndarray, shape (n_samples, dim)
    accept_rate : float
        Fraction of accepted proposals after burn-in.

    Notes
    -----
    Implements eq-bnn-hmc-accept of the page: a proposal from :func:`leapfrog` is
    accepted with probability ``min(1, exp(H(x, p) - H(x', p')))``.
    """
    if not callable(log_prob_and_grad):
        raise TypeError("log_prob_and_grad must be a function x -> (log pi(x), grad log pi(x)).")
    x = check_array(x0, name="x0", ndim=1).copy()
    n_samples = check_int(n_samples, name="n_samples", minimum=1)
    n_burnin = check_int(n_burnin, name="n_burnin", minimum=0)
    n_leapfrog = check_int(n_leapfrog, name="n_leapfrog", minimum=1)
    step_size = _check_step(step_size)
    jitter = check_positive(jitter, name="jitter", strict=False)
    if jitter >= 1:
        raise ValueError(f"jitter must be in [0, 1); got {jitter}.")
    rng = as_rng(rng)
    cache: dict[str, np.ndarray | float] = {}

    def grad_fn(z):  # remember the last value so the end of the trajectory costs no extra call
        lp, g = log_prob_and_grad(z)
        cache["x"], cache["lp"], cache["g"] = z, lp, np.asarray(g, dtype=float)
        return cache["g"]

    logp, _ = log_prob_and_grad(x)
    if not np.isfinite(logp):
        raise ValueError("log_prob is not finite at x0; start the chain inside the support.")
    samples = np.empty((n_samples, x.size))
    accepted = 0
    for it in range(n_burnin + n_samples):
        p0 = rng.standard_normal(x.size)
        eps = step_size * (rng.uniform(1 - jitter, 1 + jitter) if jitter else 1.0)
        x_new, p_new = leapfrog(x, p0, grad_fn, eps, n_leapfrog)
        logp_new = cache["lp"]
        with np.errstate(over="ignore", invalid="ignore"):
            log_accept = (logp_new - 0.5 * p_new @ p_new) - (logp - 0.5 * p0 @ p0)  # -H' + H
        if np.isfinite(log_accept) and np.log(rng.uniform()) < log_accept:
            x, logp = x_new, float(logp_new)
            if it >= n_burnin:
                accepted += 1
        if it >= n_burnin:
            samples[it - n_burnin] = x
    return samples, accepted / n_samples


def predictive_summary(predictions) -> tuple[np.ndarray, np.ndarray]:
    """Posterior predictive mean and standard deviation over draws.

    Parameters
    ----------
    predictions : array_like, shape (n_draws, n_points)
        Predictions of each weight draw (``BayesianMLP.predict``).

    Returns
    -------
    mean, std : ndarray, shape (n_points,)

    Notes
    -----
    Implements eq-bnn-predictive of the page: ``p(y* | x*, D) ~ (1/S) sum_s p(y* | x*, theta_s)``.
    """
    P = check_array(predictions, name="predictions", ndim=2)
    return P.mean(axis=0), P.std(axis=0)
