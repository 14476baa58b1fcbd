"""AdaBoost with decision stumps: forward stagewise minimisation of the exponential loss.

The chapter ``book/classical/adaboost.md`` derives every equation used here;
equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from scratch._validation import (
    class_labels,
    check_array,
    check_int,
    check_is_fitted,
    check_n_features,
    check_option,
    check_positive,
    check_X_y,
)

__all__ = ["Stump", "fit_stump", "AdaBoostClassifier", "exponential_loss"]


class Stump(NamedTuple):
    """A decision stump: predict ``left`` if ``x[feature] <= threshold`` else ``right``."""

    feature: int
    threshold: float
    left: float   # prediction in {-1, +1} for x[feature] <= threshold
    right: float  # prediction in {-1, +1} for x[feature] > threshold

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predictions in {-1, +1} for ``X`` of shape (n_samples, n_features)."""
        X = check_array(X, name="X")
        if isinstance(self.feature, bool) or not isinstance(self.feature, (int, np.integer)):
            raise TypeError(f"Stump: feature must be an integer column index; got {self.feature!r}.")
        if not 0 <= self.feature < X.shape[1]:
            raise ValueError(f"Stump: feature {self.feature} does not exist in X with {X.shape[1]} features.")
        if self.left not in (-1.0, 1.0) or self.right not in (-1.0, 1.0):
            raise ValueError(f"Stump: left and right must be -1 or +1; got {self.left!r} and {self.right!r}.")
        return self._predict(X)

    def _predict(self, X: np.ndarray) -> np.ndarray:
        return np.where(X[:, self.feature] <= self.threshold, self.left, self.right)


def exponential_loss(y, scores) -> float:
    r"""Mean exponential loss :math:`\frac1n\sum_i \exp(-y_i F(x_i))` for labels in {-1, +1}."""
    y = check_array(y, name="y", ndim=1)
    scores = check_array(scores, name="scores", ndim=1)
    if y.shape != scores.shape:
        raise ValueError(f"y and scores have mismatched shapes {y.shape} and {scores.shape}.")
    if not np.all(np.isin(y, (-1.0, 1.0))):
        raise ValueError(f"y must hold labels -1 and +1 (not 0/1); got values {np.unique(y)[:5]}. "
                         "Map 0/1 labels with 2 * y - 1.")
    return float(np.mean(np.exp(-y * scores)))


def fit_stump(X, y, sample_weight=None, *, criterion: str = "error") -> Stump:
    r"""Fit one decision stump to weighted data.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
        Labels in {-1, +1}.
    sample_weight : array_like of shape (n_samples,), optional
        Non-negative weights (default: uniform).
    criterion : {"error", "gini"}
        ``"error"`` picks the split with the smallest weighted misclassification error
        (``eq-ada-weak-learner``); ``"gini"`` the smallest weighted Gini impurity of the
        two leaves, as scikit-learn's ``DecisionTreeClassifier(max_depth=1)`` does.

    Returns
    -------
    Stump
        Each leaf predicts its weighted majority class (-1 on a tie).
    """
    X, y = check_X_y(X, y)
    _check_pm1(y)
    w = _check_weights(sample_weight, X.shape[0])
    criterion = check_option(criterion, ("error", "gini"), name="criterion")
    order = np.argsort(X, axis=0, kind="stable")         # (n, d)
    X_sorted = np.take_along_axis(X, order, axis=0)      # (n, d)
    return _best_stump(X_sorted, order, y, w, criterion)


def _best_stump(X_sorted: np.ndarray, order: np.ndarray, y: np.ndarray, w: np.ndarray,
                criterion: str) -> Stump:
    """Exhaustive search over every feature and every split between distinct values.

    ``X_sorted`` and ``order`` (both (n, d)) hold each column sorted and the sorting
    permutation, so one call costs O(n d) after the one-off sort.
    """
    wp = np.where(y > 0, w, 0.0)[order]          # (n, d) weight of +1 labels, sorted by feature
    wn = np.where(y < 0, w, 0.0)[order]          # (n, d) weight of -1 labels
    pos_left = np.cumsum(wp, axis=0)[:-1]        # (n-1, d) split after sorted position i
    neg_left = np.cumsum(wn, axis=0)[:-1]
    pos_right = wp.sum(axis=0) - pos_left
    neg_right = wn.sum(axis=0) - neg_left
    if criterion == "error":                     # each leaf predicts its majority class
        cost = np.minimum(pos_left, neg_left) + np.minimum(pos_right, neg_right)
    else:                                        # W * gini = 2 W+ W- / W for each leaf
        tiny = np.finfo(float).tiny
        cost = (2 * pos_left * neg_left / np.maximum(pos_left + neg_left, tiny)
                + 2 * pos_right * neg_right / np.maximum(pos_right + neg_right, tiny))
    valid = X_sorted[1:] > X_sorted[:-1]         # only split between distinct values
    if not valid.any():                          # every feature constant: a one-leaf "stump"
        label = 1.0 if np.sum(w[y > 0]) > np.sum(w[y < 0]) else -1.0
        return Stump(0, np.inf, label, label)
    cost = np.where(valid, cost, np.inf)
    i, j = np.unravel_index(np.argmin(cost), cost.shape)
    threshold = 0.5 * (X_sorted[i, j] + X_sorted[i + 1, j])
    left = 1.0 if pos_left[i, j] > neg_left[i, j] else -1.0
    right = 1.0 if pos_right[i, j] > neg_right[i, j] else -1.0
    return Stump(int(j), float(threshold), left, right)


class AdaBoostClassifier:
    r"""Binary AdaBoost with decision stumps (discrete AdaBoost, Freund & Schapire 1997).

    Parameters
    ----------
    n_estimators : int, default=50
        Maximum number of boosting rounds :math:`M`.
    learning_rate : float, default=1.0
        Shrinkage :math:`\nu` multiplying every stump's weight :math:`\alpha_m`.
    criterion : {"error", "gini"}, default="error"
        How each stump chooses its split (see :func:`fit_stump`). ``"gini"``
        reproduces scikit-learn's ``AdaBoostClassifier`` with depth-1 trees.

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels; ``classes_[1]`` is coded as +1 internally.
    stumps_ : list of Stump
        The fitted weak learners, one per completed round.
    alphas_ : ndarray of shape (n_rounds,)
        Stump weights :math:`\alpha_m`.
    errors_ : ndarray of shape (n_rounds,)
        Weighted training error :math:`\mathrm{err}_m` of each stump.
    sample_weights_ : ndarray of shape (n_rounds, n_samples)
        The normalised weights :math:`w^{(m)}` each stump was fitted to.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    Round :math:`m` fits the stump :math:`h_m` minimising the weighted error
    (``eq-ada-weak-learner``), gives it the weight (``eq-ada-alpha``)

    .. math:: \alpha_m = \frac{\nu}{2}\log\frac{1 - \mathrm{err}_m}{\mathrm{err}_m},

    and reweights the samples (``eq-ada-weights``)

    .. math:: w_i \leftarrow w_i \exp(-\alpha_m y_i h_m(x_i)) / Z_m.

    The classifier is :math:`\operatorname{sign} F_M(x)`,
    :math:`F_M = \sum_m \alpha_m h_m` (``eq-ada-additive``); a tie
    :math:`F_M(x) = 0` goes to ``classes_[0]``. Boosting stops early if a stump is no
    better than chance (:math:`\mathrm{err}_m \ge 1/2`) or perfect
    (:math:`\mathrm{err}_m = 0`; its weight then uses :math:`\mathrm{err}_m` = machine
    epsilon).
    """

    def __init__(self, n_estimators: int = 50, learning_rate: float = 1.0, criterion: str = "error"):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.criterion = criterion

    def fit(self, X, y) -> "AdaBoostClassifier":
        """Boost stumps on ``X`` of shape (n_samples, n_features) and binary ``y`` of shape (n_samples,)."""
        X, y_raw = check_X_y(X, y, y_dtype=None)
        n_rounds = check_int(self.n_estimators, name="n_estimators", minimum=1)
        nu = check_positive(self.learning_rate, name="learning_rate")
        criterion = check_option(self.criterion, ("error", "gini"), name="criterion")
        classes, _ = class_labels(y_raw)
        if classes.size != 2:
            raise ValueError(
                f"AdaBoostClassifier is a binary classifier: y must contain exactly two classes; "
                f"got {classes.size} ({classes[:5]}). Use one-vs-rest for more classes."
            )
        y = np.where(y_raw == classes[1], 1.0, -1.0)      # (n,) labels in {-1, +1}
        n = X.shape[0]
        order = np.argsort(X, axis=0, kind="stable")       # sort once, reuse every round
        X_sorted = np.take_along_axis(X, order, axis=0)

        w = np.full(n, 1.0 / n)                            # w^(1)
        stumps, alphas, errors, weights = [], [], [], []
        for m in range(n_rounds):
            stump = _best_stump(X_sorted, order, y, w, criterion)   # eq-ada-weak-learner
            h = stump._predict(X)                                     # (n,) in {-1, +1}
            err = float(np.sum(w[h != y]))
            if err >= 0.5:
                if m == 0:
                    raise ValueError(
                        f"The first stump has weighted error {err:.3f} >= 0.5, no better than "
                        "chance; boosting cannot start. Check the features and labels."
                    )
                break
            alpha = 0.5 * nu * np.log((1 - err) / max(err, np.finfo(float).eps))  # eq-ada-alpha
            stumps.append(stump)
            alphas.append(alpha)
            errors.append(err)
            weights.append(w)
            if err == 0:
                break
            w = w * np.exp(-alpha * y * h)                              # eq-ada-weights
            w = w / w.sum()

        self.classes_ = classes
        self.stumps_ = stumps
        self.alphas_ = np.array(alphas)
        self.errors_ = np.array(errors)
        self.sample_weights_ = np.array(weights)  # (n_rounds, n)
        self.n_features_in_ = X.shape[1]
        return self

    # -- prediction ------------------------------------------------------------
    def _check_X(self, X) -> np.ndarray:
        check_is_fitted(self, "stumps_")
        X = check_array(X, name="X")
        check_n_features(self, X)
        return X

    def staged_decision_function(self, X) -> np.ndarray:
        r"""Scores :math:`F_m(x)` after every round, shape (n_rounds, n_samples)."""
        X = self._check_X(X)
        votes = np.array([a * s._predict(X) for a, s in zip(self.alphas_, self.stumps_)])  # (M, n)
        return np.cumsum(votes, axis=0)

    def decision_function(self, X) -> np.ndarray:
        r"""Score :math:`F_M(x) = \sum_m \alpha_m h_m(x)` (eq-ada-additive), shape (n_samples,)."""
        return self.staged_decision_function(X)[-1]

    def staged_predict(self, X) -> np.ndarray:
        """Predicted labels after every round, shape (n_rounds, n_samples)."""
        scores = self.staged_decision_function(X)       # (M, n); checks X and fit first
        return self.classes_[(scores > 0).astype(int)]  # F = 0 goes to classes_[0]

    def predict(self, X) -> np.ndarray:
        """Predicted labels, shape (n_samples,)."""
        return self.staged_predict(X)[-1]

    def staged_error(self, X, y) -> np.ndarray:
        """Misclassification rate on ``(X, y)`` after every round, shape (n_rounds,)."""
        X = self._check_X(X)
        y = check_array(y, name="y", ndim=1, dtype=None)
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X and y have mismatched lengths: X has {X.shape[0]} samples, y has {y.shape[0]}."
            )
        return np.mean(self.staged_predict(X) != y[None, :], axis=1)

    def score(self, X, y) -> float:
        """Accuracy on ``(X, y)``."""
        return float(1.0 - self.staged_error(X, y)[-1])


def _check_pm1(y: np.ndarray) -> None:
    if not np.all((y == 1) | (y == -1)):
        raise ValueError(
            f"y must contain labels -1 and +1 only; got values {np.unique(y)[:5]}. "
            "Map the two classes to -1 and +1 first."
        )


def _check_weights(sample_weight, n: int) -> np.ndarray:
    if sample_weight is None:
        return np.full(n, 1.0 / n)
    w = check_array(sample_weight, name="sample_weight", ndim=1)
    if w.shape[0] != n:
        raise ValueError(f"sample_weight has {w.shape[0]} entries but X has {n} samples.")
    if np.any(w < 0) or w.sum() <= 0:
        raise ValueError("sample_weight must be non-negative with a positive sum.")
    return w / w.sum()
