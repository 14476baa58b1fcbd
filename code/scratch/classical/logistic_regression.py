"""Logistic (two classes) and softmax (several classes) regression by maximum likelihood.

The chapter ``book/classical/logistic_regression.md`` derives every equation used
here; equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

import numpy as np

from scratch.metrics import accuracy_score
from scratch._validation import (
    as_float_array,
    class_labels,
    check_array,
    check_int,
    check_is_fitted,
    check_n_features,
    check_option,
    check_positive,
    check_X_y,
)

__all__ = ["LogisticRegression", "sigmoid", "log_softmax", "softmax", "linear_scores"]


def sigmoid(z) -> np.ndarray:
    r"""The logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, without overflow.

    Computed as :math:`\exp(-\log(1 + e^{-z}))` with :func:`numpy.logaddexp`, which is
    finite for every finite ``z``.
    """
    z = as_float_array(z, "z")
    if np.isnan(z).any():
        raise ValueError("z contains NaN; sigmoid needs numbers (+-inf are fine: they map to 1 and 0).")
    return np.exp(-np.logaddexp(0.0, -z))


def log_softmax(Z) -> np.ndarray:
    r"""Row-wise :math:`\log \mathrm{softmax}(z)_k = z_k - \log\sum_l e^{z_l}`, stably.

    Parameters
    ----------
    Z : array_like of shape (n_samples, n_classes)
        Scores (logits).

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        Log-probabilities; each row's exponentials sum to one.
    """
    Z = check_array(Z, name="Z", ndim=2)                   # (n_samples, n_classes), finite
    Z = Z - Z.max(axis=1, keepdims=True)                    # largest logit is 0: no overflow
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))  # log-sum-exp trick


def softmax(Z) -> np.ndarray:
    """Row-wise softmax of scores ``Z`` of shape (n_samples, n_classes); rows sum to one."""
    return np.exp(log_softmax(Z))


def linear_scores(estimator, X) -> np.ndarray:
    """``X @ coef_.T + intercept_`` of a fitted linear classifier (logistic regression, perceptron).

    Parameters
    ----------
    estimator : fitted estimator
        With ``coef_`` of shape (n_classes or 1, n_features) and ``intercept_``.
    X : array_like of shape (n_samples, n_features)

    Returns
    -------
    ndarray of shape (n_samples,) with one row of ``coef_`` (two classes), else (n_samples, n_classes).
    """
    check_is_fitted(estimator, "coef_")
    X = check_array(X, name="X")
    check_n_features(estimator, X)
    Z = X @ estimator.coef_.T + estimator.intercept_              # (n_samples, m)
    return Z[:, 0] if Z.shape[1] == 1 else Z


class LogisticRegression:
    r"""Logistic regression for two classes, softmax (multinomial) regression for more.

    Minimises the mean cross-entropy plus an L2 penalty on the weights,

    .. math:: J(W, b) = \frac{1}{n}\Big(\sum_i -\log p(y_i \mid x_i) + \frac{\alpha}{2}\lVert W\rVert^2\Big),

    with an unpenalised intercept :math:`b`.

    Parameters
    ----------
    alpha : float, default=0.0
        L2 penalty strength. ``alpha`` corresponds to ``C = 1 / alpha`` in
        :class:`sklearn.linear_model.LogisticRegression` (``alpha=0`` to
        ``C=np.inf``, no penalty).
    solver : {"newton", "gd"}, default="newton"
        ``"newton"`` takes Newton steps (iteratively reweighted least squares),
        each with a backtracking line search; ``"gd"`` takes fixed-size gradient steps.
    learning_rate : float, default=1.0
        Step size for ``solver="gd"``.
    max_iter : int, default=100
        Maximum number of Newton or gradient steps. Gradient descent typically
        needs thousands.
    tol : float, default=1e-8
        Stop when the largest absolute entry of the gradient of :math:`J` is at
        most ``tol``. ``tol=0`` runs all ``max_iter`` steps.
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights: one row (for ``classes_[1]``) with two classes, one row per class
        with more.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts. With more than two classes they sum to zero (the softmax is
        unchanged when one constant is added to all of them).
    n_iter_ : int
        Number of steps taken.
    converged_ : bool
        Whether the gradient criterion ``tol`` was met within ``max_iter`` steps.
    loss_history_ : ndarray of shape (n_steps + 1,)
        :math:`J` before each step and at the end (``n_steps`` is ``n_iter_``).
    weight_norm_history_ : ndarray of shape (n_steps + 1,)
        :math:`\lVert W\rVert` (Frobenius norm, intercept excluded) before each step
        and at the end.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    The model is ``eq-logreg-sigmoid`` for two classes and ``eq-logreg-softmax``
    for more; the loss is ``eq-logreg-loss``. With the design matrix augmented by
    a column of ones and the one-hot targets :math:`Y`, the gradient is
    (``eq-logreg-grad``)

    .. math:: \nabla J = \frac{1}{n}\left((P - Y)^\top X + \alpha W\right),

    and Newton's method (``eq-logreg-newton``) solves
    :math:`H \Delta = \nabla J` with the Hessian of ``eq-logreg-hessian``.
    """

    def __init__(self, alpha: float = 0.0, solver: str = "newton", learning_rate: float = 1.0,
                 max_iter: int = 100, tol: float = 1e-8, fit_intercept: bool = True):
        self.alpha = alpha
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol
        self.fit_intercept = fit_intercept

    # -- the objective -----------------------------------------------------------
    @staticmethod
    def _loss_grad(theta: np.ndarray, Xa: np.ndarray, Y: np.ndarray, penalty: np.ndarray):
        """Loss (eq-logreg-loss), gradient (eq-logreg-grad) and probabilities at ``theta``.

        ``theta`` has shape (m, p): one row of weights (last entry the intercept
        when fitted) per output, m = 1 for two classes, m = n_classes otherwise.
        ``Xa`` is (n, p), ``Y`` is (n, m), ``penalty`` is (p,): alpha for weights, 0
        for the intercept.
        """
        n = Xa.shape[0]
        Z = Xa @ theta.T                                          # (n, m) logits
        if theta.shape[0] == 1:                                   # sigmoid, eq-logreg-sigmoid
            nll = np.sum(np.logaddexp(0.0, Z) - Y * Z)            # -log-likelihood
            P = sigmoid(Z)                                        # (n, 1)
        else:                                                     # softmax, eq-logreg-softmax
            logP = log_softmax(Z)                                 # (n, K)
            nll = -np.sum(Y * logP)
            P = np.exp(logP)
        loss = (nll + 0.5 * np.sum(penalty * theta**2)) / n
        grad = ((P - Y).T @ Xa + penalty * theta) / n             # (m, p)
        return loss, grad, P

    @staticmethod
    def _hessian(Xa: np.ndarray, P: np.ndarray, penalty: np.ndarray) -> np.ndarray:
        """Hessian of the loss (eq-logreg-hessian), shape (m * p, m * p), row-major in (m, p)."""
        n, p = Xa.shape
        m = P.shape[1]
        if m == 1:
            S = P * (1.0 - P)                                     # (n, 1) IRLS weights
        else:
            S = P[:, :, None] * (np.eye(m)[None] - P[:, None, :])  # (n, K, K)
            S = S.reshape(n, m * m)
        H = np.empty((m, p, m, p))
        for kl in range(m * m):
            k, l = divmod(kl, m)
            H[k, :, l, :] = (Xa.T * S[:, kl]) @ Xa                # X^T diag(s_kl) X, (p, p)
        H = H.reshape(m * p, m * p) / n
        return H + np.diag(np.tile(penalty, m)) / n

    # -- fitting -------------------------------------------------------------------
    def fit(self, X, y) -> "LogisticRegression":
        """Fit to ``X`` of shape (n_samples, n_features) and labels ``y`` of shape (n_samples,)."""
        X, y = check_X_y(X, y, y_dtype=None)
        alpha = check_positive(self.alpha, name="alpha", strict=False)
        solver = check_option(self.solver, ("newton", "gd"), name="solver")
        max_iter = check_int(self.max_iter, name="max_iter", minimum=1)
        tol = check_positive(self.tol, name="tol", strict=False)
        self.classes_, y_idx = class_labels(y)
        K = len(self.classes_)
        if K < 2:
            raise ValueError(
                f"y contains a single class ({self.classes_[0]!r}); logistic regression needs "
                "samples from at least two classes."
            )
        n, d = X.shape
        Xa = np.column_stack([X, np.ones(n)]) if self.fit_intercept else X  # (n, p)
        p = Xa.shape[1]
        penalty = np.full(p, alpha)
        if self.fit_intercept:
            penalty[-1] = 0.0                                     # the intercept is free
        if K == 2:
            Y = (y_idx == 1).astype(float)[:, None]               # (n, 1): 1 for classes_[1]
        else:
            Y = np.eye(K)[y_idx]                                  # (n, K) one-hot
        theta = np.zeros((Y.shape[1], p))                         # (m, p)

        if solver == "newton":
            theta, losses, norms = self._fit_newton(theta, Xa, Y, penalty, max_iter, tol)
        else:
            theta, losses, norms = self._fit_gd(theta, Xa, Y, penalty, max_iter, tol)

        if self.fit_intercept and K > 2:
            theta[:, -1] -= theta[:, -1].mean()                   # symmetric intercepts
        self.coef_ = theta[:, :d].copy()
        self.intercept_ = theta[:, -1].copy() if self.fit_intercept else np.zeros(theta.shape[0])
        self.loss_history_ = np.asarray(losses)
        self.weight_norm_history_ = np.asarray(norms)
        self.n_features_in_ = d
        return self

    def _iterate(self, theta, Xa, Y, penalty, max_iter, tol, step):
        """The loop both solvers share: ``step(theta, loss, grad, P)`` returns the next
        ``(theta, loss, grad, P)`` until the largest gradient entry is at most ``tol``."""
        d = Xa.shape[1] - int(self.fit_intercept)
        loss, grad, P = self._loss_grad(theta, Xa, Y, penalty)
        losses, norms = [loss], [np.linalg.norm(theta[:, :d])]
        self.converged_, self.n_iter_ = False, 0
        for it in range(max_iter):
            if np.max(np.abs(grad)) <= tol:
                self.converged_ = True
                break
            theta, loss, grad, P = step(theta, loss, grad, P)
            losses.append(loss)
            norms.append(np.linalg.norm(theta[:, :d]))
            self.n_iter_ = it + 1
        else:
            self.converged_ = bool(np.max(np.abs(grad)) <= tol)
        return theta, losses, norms

    def _fit_newton(self, theta, Xa, Y, penalty, max_iter, tol):
        """Newton's method with backtracking (eq-logreg-newton)."""

        def newton_step(theta, loss, grad, P):
            H = self._hessian(Xa, P, penalty)
            # lstsq: H is singular along directions that leave the softmax unchanged
            step = np.linalg.lstsq(H, grad.ravel(), rcond=None)[0].reshape(theta.shape)
            t, decrease = 1.0, np.sum(grad * step)                # Armijo backtracking
            while True:
                new_loss, new_grad, new_P = self._loss_grad(theta - t * step, Xa, Y, penalty)
                if new_loss <= loss - 1e-4 * t * decrease or t < 1e-10:
                    break
                # next to the optimum the decrease is below rounding: accept a smaller gradient
                if (new_loss <= loss + 1e-14 * abs(loss)
                        and np.max(np.abs(new_grad)) < np.max(np.abs(grad))):
                    break
                t *= 0.5
            return theta - t * step, new_loss, new_grad, new_P

        return self._iterate(theta, Xa, Y, penalty, max_iter, tol, newton_step)

    def _fit_gd(self, theta, Xa, Y, penalty, max_iter, tol):
        """Gradient descent with a fixed step (eq-logreg-grad)."""
        lr = check_positive(self.learning_rate, name="learning_rate")

        def gd_step(theta, loss, grad, P):
            theta = theta - lr * grad
            return (theta, *self._loss_grad(theta, Xa, Y, penalty))

        return self._iterate(theta, Xa, Y, penalty, max_iter, tol, gd_step)

    # -- prediction ----------------------------------------------------------------
    def decision_function(self, X) -> np.ndarray:
        """Logits: shape (n_samples,) with two classes (for ``classes_[1]``), else (n_samples, n_classes)."""
        return linear_scores(self, X)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in the order of ``classes_``."""
        Z = self.decision_function(X)
        if Z.ndim == 1:
            p1 = sigmoid(Z)
            return np.column_stack([1.0 - p1, p1])
        return softmax(Z)

    def predict(self, X) -> np.ndarray:
        """The most probable class for each row of ``X``, shape (n_samples,)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def score(self, X, y) -> float:
        """Accuracy of ``predict(X)`` against ``y``."""
        X, y = check_X_y(X, y, y_dtype=None)
        return accuracy_score(y, self.predict(X))
