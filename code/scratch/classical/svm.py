"""Support vector machines: the soft-margin dual solved by sequential minimal optimisation.

The chapter ``book/classical/svm.md`` derives the margin, the hinge loss, the dual
and the SMO update; equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

from numbers import Real

import numpy as np

from scratch._validation import (
    class_labels,
    check_array,
    check_same_features,
    check_int,
    check_is_fitted,
    check_n_features,
    check_option,
    check_positive,
    check_X_y,
)
from scratch.metrics import squared_euclidean_distances

__all__ = ["SVC", "kernel_matrix", "hinge_loss"]

KERNELS = ("linear", "poly", "rbf")
_TAU = 1e-12  # curvature used when a pair's second derivative is not positive


def kernel_matrix(A, B, *, kernel: str = "rbf", gamma: float = 1.0, degree: int = 3,
                  coef0: float = 0.0) -> np.ndarray:
    r"""Gram matrix :math:`K_{ij} = k(a_i, b_j)` of a linear, polynomial or RBF kernel.

    Parameters
    ----------
    A : array_like of shape (n_a, n_features)
    B : array_like of shape (n_b, n_features)
    kernel : {"linear", "poly", "rbf"}
        ``"linear"``: :math:`a^\top b`; ``"poly"``: :math:`(\gamma a^\top b + c_0)^{p}`;
        ``"rbf"``: :math:`\exp(-\gamma \lVert a - b\rVert^2)` (``eq-svm-kernels``).
    gamma : float
        Scale of the polynomial and RBF kernels, > 0.
    degree : int
        Degree :math:`p` of the polynomial kernel, >= 1.
    coef0 : float
        Constant :math:`c_0` of the polynomial kernel.

    Returns
    -------
    ndarray of shape (n_a, n_b)
    """
    A, B = check_same_features(A, B)
    kernel = check_option(kernel, KERNELS, name="kernel")
    gamma = check_positive(gamma, name="gamma")
    if kernel == "linear":
        return A @ B.T
    if kernel == "poly":
        degree = check_int(degree, name="degree", minimum=1)
        base = gamma * (A @ B.T) + coef0                       # (n_a, n_b)
        K = base.copy()
        for _ in range(degree - 1):  # repeated products: `base ** degree` calls a slow pow() on some machines
            K *= base
        return K
    return np.exp(-gamma * squared_euclidean_distances(A, B))  # exact: k(x, x) = 1


def hinge_loss(y, scores) -> np.ndarray:
    r"""Per-sample hinge loss :math:`\max(0, 1 - y_i f(x_i))` (``eq-svm-primal``).

    Parameters
    ----------
    y : array_like of shape (n_samples,)
        Labels in ``{-1, +1}``.
    scores : array_like of shape (n_samples,)
        Decision values :math:`f(x_i)`.
    """
    y = check_array(y, name="y", ndim=1)
    scores = check_array(scores, name="scores", ndim=1)
    if y.shape != scores.shape:
        raise ValueError(f"y and scores have mismatched shapes {y.shape} and {scores.shape}.")
    if not np.all(np.abs(y) == 1):
        raise ValueError("hinge_loss needs labels in {-1, +1}; map 0/1 labels with 2 * y - 1.")
    return np.maximum(0.0, 1.0 - y * scores)


class SVC:
    r"""Binary soft-margin support vector classifier, trained by SMO on the dual.

    Parameters
    ----------
    C : float, default=1.0
        Penalty on margin violations (upper bound on every :math:`\alpha_i`), > 0.
    kernel : {"linear", "poly", "rbf"}, default="rbf"
        The kernel, see :func:`kernel_matrix`.
    gamma : float or {"scale", "auto"}, default="scale"
        Kernel scale. ``"scale"`` uses ``1 / (n_features * X.var())`` and
        ``"auto"`` uses ``1 / n_features``, as scikit-learn does.
    degree : int, default=3
        Degree of the polynomial kernel.
    coef0 : float, default=0.0
        Constant of the polynomial kernel.
    tol : float, default=1e-3
        Stop when the maximal violation of the optimality conditions,
        :math:`m(\alpha) - M(\alpha)`, is below ``tol`` (``eq-svm-stop``).
    max_iter : int, default=100_000
        Maximum number of SMO steps.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The sorted class labels; ``classes_[1]`` is the positive class.
    alpha_ : ndarray of shape (n_samples,)
        Dual variables, in :math:`[0, C]`.
    support_ : ndarray of shape (n_SV,)
        Indices of the support vectors (:math:`\alpha_i > 0`), increasing.
    support_vectors_ : ndarray of shape (n_SV, n_features)
        The support vectors.
    dual_coef_ : ndarray of shape (n_SV,)
        :math:`\alpha_i y_i` of the support vectors, with :math:`y_i \in \{-1, +1\}`.
    intercept_ : float
        The bias :math:`b`.
    coef_ : ndarray of shape (n_features,)
        Primal weights :math:`w = \sum_i \alpha_i y_i x_i` (``kernel="linear"`` only).
    gamma_ : float
        The kernel scale used.
    n_iter_ : int
        Number of SMO steps taken.
    converged_ : bool
        Whether the stopping criterion was met within ``max_iter`` steps.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    SMO minimises the dual (``eq-svm-dual``)

    .. math:: \min_\alpha \tfrac12 \alpha^\top Q \alpha - \mathbf 1^\top \alpha,
              \quad Q_{ij} = y_i y_j k(x_i, x_j),\quad 0 \le \alpha_i \le C,\quad y^\top\alpha = 0,

    two variables at a time. The pair is chosen by the second-order rule of Fan,
    Chen and Lin (2005) (``eq-svm-wss``), the pair is moved analytically and
    clipped to the box (``eq-svm-step``), and the decision function is
    :math:`f(x) = \sum_i \alpha_i y_i k(x_i, x) + b` (``eq-svm-decision``).
    """

    def __init__(self, C: float = 1.0, kernel: str = "rbf", gamma: float | str = "scale",
                 degree: int = 3, coef0: float = 0.0, tol: float = 1e-3, max_iter: int = 100_000):
        self.C = C
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.tol = tol
        self.max_iter = max_iter

    def _kernel(self, A, B) -> np.ndarray:
        return kernel_matrix(A, B, kernel=self.kernel, gamma=self.gamma_, degree=self.degree,
                             coef0=self.coef0)

    def fit(self, X, y) -> "SVC":
        """Fit to ``X`` of shape (n_samples, n_features) and two-class labels ``y`` of shape (n_samples,)."""
        X, y = check_X_y(X, y, y_dtype=None)
        C = check_positive(self.C, name="C")
        check_option(self.kernel, KERNELS, name="kernel")
        tol = check_positive(self.tol, name="tol")
        max_iter = check_int(self.max_iter, name="max_iter", minimum=1)
        check_int(self.degree, name="degree", minimum=1)
        if not isinstance(self.coef0, Real) or isinstance(self.coef0, bool):
            raise TypeError(f"coef0 must be a real number; got {type(self.coef0).__name__}.")
        self.classes_, y_idx = class_labels(y)
        if len(self.classes_) != 2:
            raise ValueError(
                f"SVC here is a binary classifier; y has {len(self.classes_)} class(es) "
                f"{self.classes_[:5]}. Pass exactly two classes (train one-vs-rest or one-vs-one "
                "models yourself for more)."
            )
        self.gamma_ = self._resolve_gamma(X)
        s = np.where(y_idx == 1, 1.0, -1.0)                      # (n,) labels in {-1, +1}
        K = self._kernel(X, X)                                  # (n, n) Gram matrix
        alpha, b, n_iter, converged = self._smo(K, s, C, tol, max_iter)

        self.alpha_ = alpha
        self.support_ = np.flatnonzero(alpha > 0)
        self.support_vectors_ = X[self.support_]
        self.dual_coef_ = alpha[self.support_] * s[self.support_]
        self.intercept_ = b
        if self.kernel == "linear":
            self.coef_ = self.dual_coef_ @ self.support_vectors_  # w = sum_i alpha_i y_i x_i
        self.n_iter_, self.converged_ = n_iter, converged
        self.n_features_in_ = X.shape[1]
        return self

    def _resolve_gamma(self, X) -> float:
        if isinstance(self.gamma, str):
            check_option(self.gamma, ("scale", "auto"), name="gamma")
            if self.gamma == "auto":
                return 1.0 / X.shape[1]
            var = X.var()
            return 1.0 / (X.shape[1] * var) if var > 0 else 1.0
        return check_positive(self.gamma, name="gamma")

    @staticmethod
    def _smo(K: np.ndarray, y: np.ndarray, C: float, tol: float, max_iter: int):
        """SMO with second-order working-set selection (eq-svm-wss, eq-svm-step).

        Keeps ``F = y - K (alpha * y)``, i.e. :math:`F_t = -y_t \\nabla_t` of the dual
        objective. Returns ``(alpha, b, n_iter, converged)``.
        """
        n = y.shape[0]
        alpha = np.zeros(n)
        F = y.copy()                                            # alpha = 0: F = y
        diagK = np.diag(K).copy()
        converged = False
        for it in range(max_iter):
            # eq-svm-sets: indices that may move "up" (i) or "down" (j) along y
            up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))
            low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
            F_up = np.where(up, F, -np.inf)
            i = int(np.argmax(F_up))
            m, M = F_up[i], np.min(np.where(low, F, np.inf))
            if m - M < tol:                                     # eq-svm-stop
                converged = True
                break
            # eq-svm-wss: j maximises the guaranteed decrease (F_i - F_j)^2 / (2 a_ij)
            a = np.maximum(diagK[i] + diagK - 2.0 * K[i], _TAU)  # (n,) curvature a_it
            gain = np.where(low & (F < m), (m - F) ** 2 / a, -np.inf)
            j = int(np.argmax(gain))
            # eq-svm-step: alpha_i += y_i t, alpha_j -= y_j t, with t clipped to the box
            t_i = C - alpha[i] if y[i] > 0 else alpha[i]        # room for alpha_i
            t_j = alpha[j] if y[j] > 0 else C - alpha[j]        # room for alpha_j
            t = min((m - F[j]) / a[j], t_i, t_j)
            alpha[i] += y[i] * t
            alpha[j] -= y[j] * t
            if t == t_i:                                        # land exactly on the bound
                alpha[i] = C if y[i] > 0 else 0.0
            if t == t_j:
                alpha[j] = 0.0 if y[j] > 0 else C
            F -= t * (K[i] - K[j])                              # F = y - K (alpha * y)
        else:
            it = max_iter
        return alpha, SVC._bias(alpha, y, F, C), it, converged

    @staticmethod
    def _bias(alpha, y, F, C) -> float:
        """Intercept: mean of ``F`` over free vectors, else the middle of the feasible range."""
        free = (alpha > 0) & (alpha < C)
        if free.any():
            return float(np.mean(F[free]))
        up = ((y > 0) & (alpha < C)) | ((y < 0) & (alpha > 0))
        low = ((y > 0) & (alpha > 0)) | ((y < 0) & (alpha < C))
        return float((np.max(F[up]) + np.min(F[low])) / 2)

    def decision_function(self, X) -> np.ndarray:
        """Decision values :math:`f(x)` (eq-svm-decision), shape (n_samples,).

        Positive values mean ``classes_[1]``, negative ones ``classes_[0]``.
        """
        check_is_fitted(self, "alpha_")
        X = check_array(X, name="X")
        check_n_features(self, X)
        return self._kernel(X, self.support_vectors_) @ self.dual_coef_ + self.intercept_

    def predict(self, X) -> np.ndarray:
        """Predicted labels, shape (n_samples,)."""
        f = self.decision_function(X)
        return self.classes_[(f > 0).astype(int)]

    def score(self, X, y) -> float:
        """Accuracy of ``predict(X)`` against ``y``."""
        X, y = check_X_y(X, y, y_dtype=None)
        return float(np.mean(self.predict(X) == y))

    def dual_objective(self) -> float:
        r"""The dual objective at the fitted :math:`\alpha`, to be maximised.

        It is :math:`\mathbf 1^\top\alpha - \frac12 \alpha^\top Q \alpha`, the negative of
        the minimised form in ``eq-svm-dual``. At the optimum it equals the primal
        objective ``eq-svm-primal`` (strong duality).
        """
        check_is_fitted(self, "alpha_")
        v = self.dual_coef_                                     # alpha_i y_i on the support
        Ks = self._kernel(self.support_vectors_, self.support_vectors_)
        return float(self.alpha_.sum() - 0.5 * v @ Ks @ v)
