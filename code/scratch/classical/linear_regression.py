"""Linear and polynomial regression by least squares and by gradient descent.

The chapter ``book/classical/linear_regression.md`` derives every equation used
here; equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

import numpy as np

from scratch._validation import (
    check_array,
    check_int,
    check_is_fitted,
    check_n_features,
    check_option,
    check_positive,
    check_X_y,
)

__all__ = ["LinearRegression", "polynomial_features", "mean_squared_error", "bias_variance"]


def polynomial_features(x, degree: int) -> np.ndarray:
    """Map a single feature to its powers ``[x, x**2, ..., x**degree]``.

    Parameters
    ----------
    x : array_like of shape (n_samples,) or (n_samples, 1)
        One input feature.
    degree : int
        Highest power, at least 1.

    Returns
    -------
    ndarray of shape (n_samples, degree)
        The design matrix without the constant column (the intercept is fitted
        separately).
    """
    degree = check_int(degree, name="degree", minimum=1)
    x = check_array(x, name="x", ndim=(1, 2))
    if x.ndim == 2:
        if x.shape[1] != 1:
            raise ValueError(
                f"polynomial_features expects a single feature, shape (n_samples,) or "
                f"(n_samples, 1); got shape {x.shape}."
            )
        x = x[:, 0]
    return x[:, None] ** np.arange(1, degree + 1)[None, :]  # (n_samples, degree)


def mean_squared_error(y_true, y_pred) -> float:
    """Mean squared error ``mean((y_true - y_pred)**2)`` of two equal-length vectors."""
    y_true = check_array(y_true, name="y_true", ndim=1)
    y_pred = check_array(y_pred, name="y_pred", ndim=1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred have mismatched shapes {y_true.shape} and {y_pred.shape}."
        )
    return float(np.mean((y_true - y_pred) ** 2))


class LinearRegression:
    r"""Ordinary least squares, optionally ridge-regularised.

    Minimises :math:`\frac{1}{2n}\lVert y - Xw - b\rVert^2 + \frac{\alpha}{2n}\lVert w\rVert^2`
    (the intercept :math:`b` is not penalised).

    Parameters
    ----------
    alpha : float, default=0.0
        Ridge penalty (``alpha=0`` is ordinary least squares). Same scaling as
        :class:`sklearn.linear_model.Ridge`.
    solver : {"qr", "cholesky", "gd"}, default="qr"
        ``"qr"`` solves the least-squares problem by a QR factorisation of the
        (augmented) design matrix; ``"cholesky"`` solves the normal equations with a
        Cholesky factorisation; ``"gd"`` runs batch gradient descent.
    learning_rate : float, default=0.1
        Step size for ``solver="gd"``.
    n_iter : int, default=1000
        Number of gradient-descent steps for ``solver="gd"``.
    fit_intercept : bool, default=True
        Whether to fit an unpenalised intercept.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        Learned weights :math:`w`.
    intercept_ : float
        Learned intercept :math:`b`.
    n_features_in_ : int
        Number of features seen in ``fit``.
    loss_history_ : ndarray of shape (n_iter,)
        Training loss per gradient-descent step (only for ``solver="gd"``).

    Notes
    -----
    With centred data :math:`\tilde X = X - \bar x`, :math:`\tilde y = y - \bar y`,
    the weights solve the normal equations (``eq-normal-equations``)

    .. math:: (\tilde X^\top \tilde X + \alpha I)\, w = \tilde X^\top \tilde y,
              \qquad b = \bar y - \bar x^\top w,

    and gradient descent iterates (``eq-gd-step``)

    .. math:: w \leftarrow w - \eta\, \frac{1}{n} \left(\tilde X^\top(\tilde X w - \tilde y) + \alpha w\right).
    """

    def __init__(self, alpha: float = 0.0, solver: str = "qr", learning_rate: float = 0.1,
                 n_iter: int = 1000, fit_intercept: bool = True):
        self.alpha = alpha
        self.solver = solver
        self.learning_rate = learning_rate
        self.n_iter = n_iter
        self.fit_intercept = fit_intercept

    # -- fitting ---------------------------------------------------------------
    def fit(self, X, y) -> "LinearRegression":
        """Fit the model to ``X`` of shape (n_samples, n_features) and ``y`` of shape (n_samples,)."""
        X, y = check_X_y(X, y)
        alpha = check_positive(self.alpha, name="alpha", strict=False)
        solver = check_option(self.solver, ("qr", "cholesky", "gd"), name="solver")
        n, d = X.shape
        if self.fit_intercept:
            x_mean, y_mean = X.mean(axis=0), y.mean()
        else:
            x_mean, y_mean = np.zeros(d), 0.0
        Xc, yc = X - x_mean, y - y_mean  # (n, d), (n,)

        if solver == "qr":
            w = self._solve_qr(Xc, yc, alpha)
        elif solver == "cholesky":
            w = self._solve_cholesky(Xc, yc, alpha)
        else:
            w = self._solve_gd(Xc, yc, alpha)

        self.coef_ = w
        self.intercept_ = float(y_mean - x_mean @ w)
        self.n_features_in_ = d
        return self

    @staticmethod
    def _solve_qr(Xc: np.ndarray, yc: np.ndarray, alpha: float) -> np.ndarray:
        """Least squares via QR of ``[X; sqrt(alpha) I]`` (ridge as extra rows)."""
        n, d = Xc.shape
        if alpha > 0:
            Xc = np.vstack([Xc, np.sqrt(alpha) * np.eye(d)])  # (n + d, d)
            yc = np.concatenate([yc, np.zeros(d)])            # (n + d,)
        elif n < d:
            raise ValueError(
                f"Ordinary least squares is underdetermined with {n} samples and {d} "
                "features; use alpha > 0 (ridge) or collect more samples."
            )
        Q, R = np.linalg.qr(Xc)  # (m, d), (d, d)
        if np.min(np.abs(np.diag(R))) < 1e-12 * max(1.0, np.max(np.abs(np.diag(R)))):
            raise ValueError(
                "The design matrix is rank-deficient (collinear features); use alpha > 0 "
                "(ridge) or remove duplicated features."
            )
        return _solve_upper_triangular(R, Q.T @ yc)

    @staticmethod
    def _solve_cholesky(Xc: np.ndarray, yc: np.ndarray, alpha: float) -> np.ndarray:
        """Normal equations (eq-normal-equations) via a Cholesky factorisation."""
        d = Xc.shape[1]
        A = Xc.T @ Xc + alpha * np.eye(d)  # (d, d)
        try:
            L = np.linalg.cholesky(A)      # A = L L^T
        except np.linalg.LinAlgError:
            raise ValueError(
                "X^T X + alpha I is not positive definite (collinear features or fewer "
                "samples than features); use alpha > 0 (ridge)."
            ) from None
        z = _solve_lower_triangular(L, Xc.T @ yc)  # L z = X^T y
        return _solve_upper_triangular(L.T, z)     # L^T w = z

    def _solve_gd(self, Xc: np.ndarray, yc: np.ndarray, alpha: float) -> np.ndarray:
        """Batch gradient descent on the mean squared error (eq-gd-step)."""
        lr = check_positive(self.learning_rate, name="learning_rate")
        n_iter = check_int(self.n_iter, name="n_iter", minimum=1)
        n, d = Xc.shape
        w = np.zeros(d)
        history = np.empty(n_iter)
        for t in range(n_iter):
            residual = Xc @ w - yc                       # (n,)
            history[t] = 0.5 * (residual @ residual + alpha * w @ w) / n
            if not history[t] < 1e30:  # also catches NaN
                raise ValueError(
                    f"Gradient descent diverged with learning_rate={lr} (loss {history[t]:.3g} "
                    f"at step {t}); lower the learning rate or standardise the features."
                )
            grad = (Xc.T @ residual + alpha * w) / n     # (d,)
            w = w - lr * grad
        self.loss_history_ = history
        return w

    # -- prediction ------------------------------------------------------------
    def predict(self, X) -> np.ndarray:
        """Predict ``X @ coef_ + intercept_`` for ``X`` of shape (n_samples, n_features)."""
        check_is_fitted(self, "coef_")
        X = check_array(X, name="X")
        check_n_features(self, X)
        return X @ self.coef_ + self.intercept_  # (n_samples,)

    def score(self, X, y) -> float:
        """Coefficient of determination :math:`R^2` on ``(X, y)``."""
        X, y = check_X_y(X, y)
        residual = y - self.predict(X)
        total = y - y.mean()
        return float(1.0 - residual @ residual / (total @ total))


def _solve_upper_triangular(R: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Back substitution for ``R x = b`` with ``R`` upper triangular, shape (d, d)."""
    d = R.shape[0]
    x = np.zeros(d)
    for i in range(d - 1, -1, -1):
        x[i] = (b[i] - R[i, i + 1:] @ x[i + 1:]) / R[i, i]
    return x


def _solve_lower_triangular(L: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Forward substitution for ``L x = b`` with ``L`` lower triangular, shape (d, d)."""
    d = L.shape[0]
    x = np.zeros(d)
    for i in range(d):
        x[i] = (b[i] - L[i, :i] @ x[:i]) / L[i, i]
    return x


def bias_variance(predictions, f_true) -> tuple[float, float]:
    r"""Squared bias and variance of predictions made by models fitted on resampled data.

    Parameters
    ----------
    predictions : array_like of shape (n_repeats, n_points)
        Row ``r`` holds the predictions at fixed test inputs of the model fitted on the
        ``r``-th independently drawn training set.
    f_true : array_like of shape (n_points,)
        The noise-free target function at the same inputs.

    Returns
    -------
    bias2 : float
        :math:`\operatorname{mean}_x (\bar f(x) - f(x))^2`, with :math:`\bar f` the average model.
    variance : float
        :math:`\operatorname{mean}_x \operatorname{mean}_r (\hat f_r(x) - \bar f(x))^2`.

    Notes
    -----
    The expected test error at a point decomposes as bias² + variance + noise
    (``eq-bias-variance``).
    """
    P = check_array(predictions, name="predictions", ndim=2)  # (n_repeats, n_points)
    f = check_array(f_true, name="f_true", ndim=1)            # (n_points,)
    if P.shape[1] != f.shape[0]:
        raise ValueError(
            f"predictions has {P.shape[1]} points per repeat but f_true has {f.shape[0]}; "
            "evaluate both at the same test inputs."
        )
    if P.shape[0] < 2:
        raise ValueError("bias_variance needs predictions from at least 2 resampled training sets.")
    mean_pred = P.mean(axis=0)                                 # (n_points,)
    return float(np.mean((mean_pred - f) ** 2)), float(np.mean(P.var(axis=0)))
