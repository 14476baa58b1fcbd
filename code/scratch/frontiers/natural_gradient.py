"""Natural gradient descent: Fisher information, damping, Fisher-vector products and K-FAC.

The chapter ``book/frontiers/natural_gradient.md`` derives every equation used here;
equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from scratch._validation import as_rng, check_array, check_int, check_option, check_positive, check_X_y
from scratch.classical.logistic_regression import sigmoid, softmax

__all__ = [
    "exponential_family_fisher",
    "natural_gradient_direction",
    "gaussian_nll",
    "gaussian_fisher",
    "fit_gaussian",
    "logistic_loss_grad",
    "logistic_fisher",
    "empirical_fisher",
    "fisher_vector_product",
    "conjugate_gradient",
    "natural_gradient_logistic",
    "MLPParams",
    "mlp_init",
    "mlp_loss_grad",
    "mlp_fisher",
    "kfac_factors",
    "kfac_direction",
    "train_mlp",
]


def _check_damping(damping) -> float:
    if isinstance(damping, bool) or not isinstance(damping, (int, float, np.floating, np.integer)):
        raise TypeError(f"damping must be a real number >= 0; got {type(damping).__name__}.")
    if not np.isfinite(damping) or damping < 0:
        raise ValueError(f"damping must be finite and >= 0 (it is added to the Fisher's diagonal); got {damping!r}.")
    return float(damping)


# -- exponential families ----------------------------------------------------------------
def exponential_family_fisher(family: str, natural_parameter) -> np.ndarray:
    r"""Fisher information :math:`F(\eta) = \nabla^2 A(\eta) = \operatorname{Cov}[T(x)]` in natural parameters.

    Parameters
    ----------
    family : {"bernoulli", "poisson", "gaussian"}
    natural_parameter : float or array_like of shape (2,)
        Bernoulli: the logit; Poisson: the log-rate; Gaussian: :math:`(\mu/\sigma^2, -1/(2\sigma^2))`.

    Returns
    -------
    ndarray of shape (1, 1) or (2, 2)

    Notes
    -----
    Implements eq-ng-expfam of the page.
    """
    family = check_option(family, ("bernoulli", "poisson", "gaussian"), name="family")
    eta = np.atleast_1d(check_array(natural_parameter, name="natural_parameter", ndim=(0, 1)))
    want = 2 if family == "gaussian" else 1
    if eta.shape != (want,):
        raise ValueError(f"the {family} family has {want} natural parameter(s); got shape {eta.shape}.")
    if family == "bernoulli":
        p = sigmoid(eta[0])
        return np.array([[p * (1 - p)]])
    if family == "poisson":
        return np.array([[math.exp(eta[0])]])
    if eta[1] >= 0:
        raise ValueError(f"the Gaussian's second natural parameter -1/(2 sigma^2) must be < 0; got {eta[1]}.")
    var = -0.5 / eta[1]
    mu = eta[0] * var
    return np.array([[var, 2 * mu * var], [2 * mu * var, 2 * var**2 + 4 * mu**2 * var]])


def natural_gradient_direction(grad, fisher, damping: float = 0.0) -> np.ndarray:
    r"""Solve :math:`(F + \lambda I)\,d = g` by Cholesky: the (damped) natural-gradient direction.

    Parameters
    ----------
    grad : array_like of shape (n_params,)
    fisher : array_like of shape (n_params, n_params)
        Symmetric positive (semi)definite.
    damping : float
        :math:`\lambda \ge 0`; needed when :math:`F` is singular.

    Notes
    -----
    Implements eq-ng-update and eq-ng-damping of the page. Costs :math:`O(P^3)`.
    """
    g = check_array(grad, name="grad", ndim=1)
    F = check_array(fisher, name="fisher", ndim=2)
    if F.shape != (g.size, g.size):
        raise ValueError(f"fisher must have shape ({g.size}, {g.size}) to match grad; got {F.shape}.")
    lam = _check_damping(damping)
    try:
        L = np.linalg.cholesky(F + lam * np.eye(g.size))
    except np.linalg.LinAlgError:
        raise ValueError("the (damped) Fisher is not positive definite; increase damping.") from None
    return np.linalg.solve(L.T, np.linalg.solve(L, g))


# -- fitting a Gaussian in two parameterisations -------------------------------------------
_PARAMS = ("sigma", "log_sigma")


def _sigma(theta, parameterization):
    return theta[1] if parameterization == "sigma" else math.exp(theta[1])


def _check_theta(theta, parameterization, *, name="theta") -> tuple[np.ndarray, float]:
    """``theta`` of shape (2,) and its sigma, which must be > 0."""
    theta = check_array(theta, name=name, ndim=1)
    if theta.shape != (2,):
        raise ValueError(f"{name} must have shape (2,): (mu, sigma) or (mu, log sigma); got {theta.shape}.")
    s = _sigma(theta, parameterization)
    if s <= 0:
        raise ValueError(f"sigma must be > 0; got {s}. Use parameterization='log_sigma' to keep it positive.")
    return theta, s


def gaussian_nll(theta, x, parameterization: str = "sigma") -> tuple[float, np.ndarray]:
    r"""Mean negative log-likelihood of :math:`N(\mu, \sigma^2)` and its gradient.

    Parameters
    ----------
    theta : array_like of shape (2,)
        :math:`(\mu, \sigma)` or :math:`(\mu, \log\sigma)`.
    x : array_like of shape (n_samples,)
    parameterization : {"sigma", "log_sigma"}

    Returns
    -------
    loss : float
        Without the constant :math:`\tfrac12\log 2\pi`.
    grad : ndarray of shape (2,)
    """
    parameterization = check_option(parameterization, _PARAMS, name="parameterization")
    theta, s = _check_theta(theta, parameterization)
    x = check_array(x, name="x", ndim=1)
    mu = theta[0]
    m2 = np.mean((x - mu) ** 2)
    loss = math.log(s) + m2 / (2 * s**2)
    d_mu = -(np.mean(x) - mu) / s**2
    d_sigma = 1 / s - m2 / s**3
    d2 = d_sigma if parameterization == "sigma" else d_sigma * s       # chain rule d sigma / d log sigma
    return float(loss), np.array([d_mu, d2])


def gaussian_fisher(theta, parameterization: str = "sigma") -> np.ndarray:
    r"""Fisher information of one observation of :math:`N(\mu, \sigma^2)`.

    Notes
    -----
    Implements eq-ng-gauss-fisher of the page: :math:`\operatorname{diag}(1/\sigma^2, 2/\sigma^2)`
    in :math:`(\mu, \sigma)` and :math:`\operatorname{diag}(1/\sigma^2, 2)` in :math:`(\mu, \log\sigma)`.
    """
    parameterization = check_option(parameterization, _PARAMS, name="parameterization")
    theta, s = _check_theta(theta, parameterization)
    return np.diag([1 / s**2, 2 / s**2 if parameterization == "sigma" else 2.0])


def fit_gaussian(x, theta0, *, parameterization: str = "sigma", method: str = "natural",
                 lr: float = 0.1, n_steps: int = 50) -> np.ndarray:
    """Gradient or natural-gradient descent on :func:`gaussian_nll`.

    Returns
    -------
    path : ndarray of shape (n_steps + 1, 2)
        The iterates mapped to :math:`(\\mu, \\sigma)`, whatever the parameterisation,
        so paths can be compared.
    """
    method = check_option(method, ("natural", "gradient"), name="method")
    parameterization = check_option(parameterization, _PARAMS, name="parameterization")
    theta = _check_theta(theta0, parameterization, name="theta0")[0].copy()
    x = check_array(x, name="x", ndim=1)
    lr = check_positive(lr, name="lr")
    path = [(theta[0], _sigma(theta, parameterization))]
    for _ in range(check_int(n_steps, name="n_steps", minimum=0)):
        _, g = gaussian_nll(theta, x, parameterization)
        d = natural_gradient_direction(g, gaussian_fisher(theta, parameterization)) if method == "natural" else g
        theta = theta - lr * d
        path.append((theta[0], _sigma(theta, parameterization)))
    return np.array(path)


# -- logistic regression ------------------------------------------------------------------------
def _augment(X):
    return np.column_stack([X, np.ones(len(X))])                            # (n, d + 1)


def _check_logistic(w, X, y=None):
    """``w`` (d + 1,), ``X`` (n, d) and optional 0/1 labels ``y`` (n,) of logistic regression."""
    X = check_array(X, name="X", ndim=2)
    w = check_array(w, name="w", ndim=1)
    if w.shape != (X.shape[1] + 1,):
        raise ValueError(f"w must have shape ({X.shape[1] + 1},): one weight per feature of X, then the "
                         f"intercept; got {w.shape}.")
    if y is not None:
        X, y = check_X_y(X, y)
        if not np.all((y == 0) | (y == 1)):
            raise ValueError("y must hold labels 0 and 1 for logistic regression.")
    return w, X, y


def logistic_loss_grad(w, X, y) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of logistic regression and its gradient; ``w`` (d + 1,) ends with the intercept."""
    w, X, y = _check_logistic(w, X, y)
    Xa = _augment(X)
    z = Xa @ w                                                               # (n,)
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    return loss, Xa.T @ (sigmoid(z) - y) / len(y)


def logistic_fisher(w, X) -> np.ndarray:
    r"""Fisher information (mean per sample) :math:`F = \frac1n X^\top \operatorname{diag}(p(1-p))\, X`.

    Notes
    -----
    Implements eq-ng-logistic-fisher of the page; it equals the Hessian of the mean
    cross-entropy (canonical link), so natural-gradient steps of size 1 are Newton/IRLS steps.
    """
    w, X, _ = _check_logistic(w, X)
    Xa = _augment(X)
    p = sigmoid(Xa @ w)
    return (Xa.T * (p * (1 - p))) @ Xa / len(Xa)


def empirical_fisher(w, X, y) -> np.ndarray:
    r"""Empirical Fisher :math:`\frac1n \sum_i g_i g_i^\top` with per-sample gradients :math:`g_i = (p_i - y_i)\,x_i`.

    Notes
    -----
    Implements eq-ng-empirical of the page: the observed labels replace the model's own.
    """
    w, X, y = _check_logistic(w, X, y)
    Xa = _augment(X)
    r = sigmoid(Xa @ w) - y                                                  # (n,)
    return (Xa.T * r**2) @ Xa / len(Xa)


def fisher_vector_product(w, X, v) -> np.ndarray:
    r"""Compute :math:`F v = \frac1n X^\top\bigl(p(1-p) \odot (X v)\bigr)` without forming :math:`F`: O(nP).

    Notes
    -----
    Implements eq-ng-fvp of the page.
    """
    w, X, _ = _check_logistic(w, X)
    v = check_array(v, name="v", ndim=1)
    if v.shape != w.shape:
        raise ValueError(f"v must have shape {w.shape}, the shape of w; got {v.shape}.")
    return _fvp(w, X, v)


def _fvp(w, X, v):
    Xa = _augment(X)
    p = sigmoid(Xa @ w)
    return Xa.T @ (p * (1 - p) * (Xa @ v)) / len(Xa)


def conjugate_gradient(matvec, b, *, tol: float = 1e-10, max_iter: int | None = None) -> tuple[np.ndarray, int]:
    """Solve ``A x = b`` for symmetric positive definite ``A`` given only ``matvec(v) = A v``.

    Returns ``(x, n_iterations)``; at most ``len(b)`` iterations in exact arithmetic.
    """
    if not callable(matvec):
        raise TypeError(f"matvec must be a function v -> A v; got {type(matvec).__name__}.")
    b = check_array(b, name="b", ndim=1)
    tol = check_positive(tol, name="tol")
    x = np.zeros_like(b)
    r = b.copy()
    p = r.copy()
    rr = r @ r
    max_iter = len(b) * 2 if max_iter is None else check_int(max_iter, name="max_iter", minimum=1)
    for k in range(max_iter):
        if math.sqrt(rr) <= tol * max(1.0, np.linalg.norm(b)):
            return x, k
        Ap = np.asarray(matvec(p), dtype=float)
        if Ap.shape != b.shape:
            raise ValueError(f"matvec must return an array of shape {b.shape} (the shape of b); got {Ap.shape}.")
        alpha = rr / (p @ Ap)
        x += alpha * p
        r -= alpha * Ap
        rr_new = r @ r
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x, max_iter


def natural_gradient_logistic(X, y, *, lr: float = 1.0, n_steps: int = 10, damping: float = 0.0,
                              fisher: str = "exact") -> dict:
    r"""Natural-gradient descent for logistic regression, starting from zero.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,) with values in {0, 1}
    lr : float
        Step size; ``lr=1`` with ``fisher="exact"`` is Fisher scoring (IRLS).
    n_steps : int
    damping : float
        :math:`\lambda \ge 0` added to the Fisher's diagonal.
    fisher : {"exact", "empirical", "cg"}
        Exact Fisher by Cholesky, the empirical Fisher, or conjugate gradient on
        Fisher-vector products (the matrix is never formed).

    Returns
    -------
    dict with ``"path"`` (n_steps + 1, n_features + 1) (intercept last) and ``"loss"`` (n_steps + 1,)

    Notes
    -----
    Implements eq-ng-update of the page.
    """
    X, y = check_X_y(X, y)
    if not np.all((y == 0) | (y == 1)):
        raise ValueError("y must hold labels 0 and 1 for logistic regression.")
    fisher = check_option(fisher, ("exact", "empirical", "cg"), name="fisher")
    lam = _check_damping(damping)
    lr = check_positive(lr, name="lr")
    w = np.zeros(X.shape[1] + 1)
    path, losses = [w.copy()], [logistic_loss_grad(w, X, y)[0]]
    for _ in range(check_int(n_steps, name="n_steps", minimum=0)):
        _, g = logistic_loss_grad(w, X, y)
        if fisher == "exact":
            d = natural_gradient_direction(g, logistic_fisher(w, X), lam)
        elif fisher == "empirical":
            d = natural_gradient_direction(g, empirical_fisher(w, X, y), lam)
        else:
            d, _ = conjugate_gradient(lambda v: _fvp(w, X, v) + lam * v, g)
        w = w - lr * d
        path.append(w.copy())
        losses.append(logistic_loss_grad(w, X, y)[0])
    return {"path": np.array(path), "loss": np.array(losses)}


# -- a one-hidden-layer MLP with exact Fisher and K-FAC ------------------------------------------
@dataclass
class MLPParams:
    """Weights of ``x -> tanh([x, 1] W1) -> [h, 1] W2 -> softmax``; biases are the last rows.

    W1 has shape (n_in + 1, n_hidden), W2 (n_hidden + 1, n_out).
    """

    W1: np.ndarray
    W2: np.ndarray
    shapes: tuple = field(init=False)

    def __post_init__(self):
        self.W1 = check_array(self.W1, name="W1", ndim=2)
        self.W2 = check_array(self.W2, name="W2", ndim=2)
        if self.W2.shape[0] != self.W1.shape[1] + 1:
            raise ValueError(f"W2 must have {self.W1.shape[1] + 1} rows (n_hidden + 1, with the bias row) to follow "
                             f"W1 of shape {self.W1.shape}; got W2 of shape {self.W2.shape}.")
        self.shapes = (self.W1.shape, self.W2.shape)

    def flat(self) -> np.ndarray:
        return np.concatenate([self.W1.ravel(), self.W2.ravel()])

    @classmethod
    def unflat(cls, v, shapes) -> "MLPParams":
        n1 = shapes[0][0] * shapes[0][1]
        return cls(v[:n1].reshape(shapes[0]), v[n1:].reshape(shapes[1]))


def mlp_init(n_in: int, n_hidden: int, n_out: int, *, rng=None) -> MLPParams:
    """Glorot-style initial weights (biases zero)."""
    rng = as_rng(rng)
    n_in, n_hidden, n_out = (check_int(v, name=n, minimum=1) for v, n in
                             [(n_in, "n_in"), (n_hidden, "n_hidden"), (n_out, "n_out")])
    W1 = np.vstack([rng.normal(size=(n_in, n_hidden)) / math.sqrt(n_in), np.zeros((1, n_hidden))])
    W2 = np.vstack([rng.normal(size=(n_hidden, n_out)) / math.sqrt(n_hidden), np.zeros((1, n_out))])
    return MLPParams(W1, W2)


def _check_mlp_input(params, X, y=None):
    if not isinstance(params, MLPParams):
        raise TypeError(f"params must be an MLPParams (see mlp_init); got {type(params).__name__}.")
    X = check_array(X, name="X", ndim=2)
    if X.shape[1] != params.W1.shape[0] - 1:
        raise ValueError(f"X has {X.shape[1]} features, but the network's W1 expects {params.W1.shape[0] - 1} "
                         f"(W1 has shape {params.W1.shape}, bias row last).")
    if y is not None:
        y = np.asarray(y)
        if y.size and y.dtype.kind not in "iu":
            raise TypeError(f"y must hold integer class labels 0 .. {params.W2.shape[1] - 1}; got dtype {y.dtype}.")
        X, y = check_X_y(X, y, y_dtype=np.int64)
        if y.min() < 0 or y.max() >= params.W2.shape[1]:
            raise ValueError(f"y must hold class labels in 0 .. {params.W2.shape[1] - 1} (one per output); "
                             f"got values from {y.min()} to {y.max()}.")
    return X, y


def _forward(params: MLPParams, X):
    a0 = _augment(X)                                                         # (n, d + 1)
    h = np.tanh(a0 @ params.W1)                                              # (n, H)
    a1 = _augment(h)                                                         # (n, H + 1)
    P = softmax(a1 @ params.W2)                                              # (n, K)
    return a0, h, a1, P


def mlp_loss_grad(params: MLPParams, X, y) -> tuple[float, MLPParams]:
    """Mean cross-entropy of the MLP on ``X`` (n, d), integer labels ``y`` (n,), and its gradient."""
    X, y = _check_mlp_input(params, X, y)
    a0, h, a1, P = _forward(params, X)
    n = len(y)
    loss = float(-np.mean(np.log(P[np.arange(n), y] + 1e-300)))
    g2 = P.copy()
    g2[np.arange(n), y] -= 1.0                                               # (n, K) dloss/dlogits
    g1 = (g2 @ params.W2[:-1].T) * (1 - h**2)                                # (n, H)
    return loss, MLPParams(a0.T @ g1 / n, a1.T @ g2 / n)


def _backprop_matrices(params: MLPParams, X):
    """Per-sample Jacobians of the logits w.r.t. each layer's pre-activations."""
    a0, h, a1, P = _forward(params, X)
    K = P.shape[1]
    B2 = np.broadcast_to(np.eye(K), (len(X), K, K))                          # (n, K, K)
    B1 = (1 - h**2)[:, :, None] * params.W2[:-1][None]                      # (n, H, K)
    return a0, a1, P, B1, B2


def mlp_fisher(params: MLPParams, X) -> np.ndarray:
    r"""Exact Fisher :math:`\frac1n\sum_i J_i^\top(\operatorname{diag}p_i - p_ip_i^\top)J_i` (P, P), P = number of weights.

    Notes
    -----
    Implements eq-ng-mlp-fisher of the page; :math:`J_i` is the Jacobian of the logits
    with respect to all weights (flattened W1 then W2, row-major). Costs :math:`O(nKP + P^2)`
    memory and :math:`O(P^3)` to invert.
    """
    X, _ = _check_mlp_input(params, X)
    a0, a1, P, B1, B2 = _backprop_matrices(params, X)
    n, K = P.shape
    J1 = a0[:, :, None, None] * B1[:, None, :, :]                            # (n, d+1, H, K)
    J2 = a1[:, :, None, None] * B2[:, None, :, :]                            # (n, H+1, K, K)
    J = np.concatenate([J1.reshape(n, -1, K), J2.reshape(n, -1, K)], axis=1)  # (n, P, K)
    # diag(p) - p p^T = R R^T with R = diag(sqrt p) - p sqrt(p)^T, so F = M^T M / n (one GEMM)
    sq = np.sqrt(P)
    R = sq[:, :, None] * np.eye(K)[None] - P[:, :, None] * sq[:, None, :]     # (n, K, K)
    M = np.einsum("npk,nkl->nlp", J, R).reshape(n * K, -1)                   # (n K, P)
    return M.T @ M / n


def kfac_factors(params: MLPParams, X) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""K-FAC factors :math:`(A_l, G_l)` per layer: :math:`F_l \approx A_l \otimes G_l`.

    :math:`A_l = \frac1n\sum_i a_i a_i^\top` (layer inputs with a 1 appended) and
    :math:`G_l = \frac1n\sum_i B_i(\operatorname{diag}p_i - p_ip_i^\top)B_i^\top`, the
    covariance of the pre-activation gradients under the model's own labels (computed
    exactly, not sampled).

    Notes
    -----
    Implements eq-ng-kfac of the page.
    """
    X, _ = _check_mlp_input(params, X)
    a0, a1, P, B1, B2 = _backprop_matrices(params, X)
    n, K = P.shape
    S = P[:, :, None] * np.eye(K)[None] - P[:, :, None] * P[:, None, :]       # (n, K, K)
    G1 = np.einsum("nhk,nkl,ngl->hg", B1, S, B1, optimize=True) / n          # (H, H)
    G2 = S.mean(axis=0)                                                      # (K, K)
    return [(a0.T @ a0 / n, G1), (a1.T @ a1 / n, G2)]


def kfac_direction(grads: MLPParams, factors, damping: float) -> MLPParams:
    r"""K-FAC natural-gradient direction :math:`(A + \sqrt\lambda I)^{-1}\,\nabla W\,(G + \sqrt\lambda I)^{-1}` per layer.

    ``damping`` :math:`\lambda \ge 0` is split equally between the two factors (Tikhonov damping
    of the Kronecker product, up to cross terms).
    """
    lam = _check_damping(damping)
    if not isinstance(grads, MLPParams):
        raise TypeError(f"grads must be an MLPParams (from mlp_loss_grad); got {type(grads).__name__}.")
    factors = list(factors)
    if len(factors) != 2 or any(len(f) != 2 for f in factors):
        raise ValueError(f"factors must be two (A, G) pairs, one per layer, as kfac_factors returns; got "
                         f"{len(factors)} item(s).")
    for (A, G), gW, layer in zip(factors, (grads.W1, grads.W2), (1, 2)):
        if np.shape(A) != (gW.shape[0],) * 2 or np.shape(G) != (gW.shape[1],) * 2:
            raise ValueError(f"layer {layer}'s factors must have shapes {(gW.shape[0],) * 2} and "
                             f"{(gW.shape[1],) * 2} to match its gradient {gW.shape}; got {np.shape(A)} and "
                             f"{np.shape(G)}.")
    out = []
    for gW, (A, G) in zip((grads.W1, grads.W2), factors):
        r = math.sqrt(lam)
        try:
            LA = np.linalg.cholesky(A + r * np.eye(len(A)))
            LG = np.linalg.cholesky(G + r * np.eye(len(G)))
        except np.linalg.LinAlgError:
            raise ValueError("a K-FAC factor is singular (the softmax Fisher always is, along "
                             "the all-ones direction); use damping > 0.") from None
        left = np.linalg.solve(LA.T, np.linalg.solve(LA, gW))               # A^-1 gW
        out.append(np.linalg.solve(LG.T, np.linalg.solve(LG, left.T)).T)     # A^-1 gW G^-1
    return MLPParams(*out)


def train_mlp(X, y, params: MLPParams, *, method: str = "kfac", lr: float = 0.1, damping: float = 1e-3,
              n_steps: int = 50) -> tuple[MLPParams, np.ndarray]:
    """Full-batch training with ``"sgd"`` (gradient descent), ``"kfac"`` or ``"exact"`` natural gradient.

    Returns the final parameters and the loss before each step and at the end, shape (n_steps + 1,).
    """
    method = check_option(method, ("sgd", "kfac", "exact"), name="method")
    lam = _check_damping(damping)
    X, y = _check_mlp_input(params, X, y)
    lr = check_positive(lr, name="lr")
    losses = []
    for _ in range(check_int(n_steps, name="n_steps", minimum=0)):
        loss, g = mlp_loss_grad(params, X, y)
        losses.append(loss)
        if method == "sgd":
            d = g
        elif method == "kfac":
            d = kfac_direction(g, kfac_factors(params, X), lam)
        else:
            d = MLPParams.unflat(natural_gradient_direction(g.flat(), mlp_fisher(params, X), lam), params.shapes)
        params = MLPParams(params.W1 - lr * d.W1, params.W2 - lr * d.W2)
    losses.append(mlp_loss_grad(params, X, y)[0])
    return params, np.array(losses)
