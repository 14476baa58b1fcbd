"""Rosenblatt's perceptron: a linear classifier trained one mistake at a time.

The chapter ``book/classical/perceptron.md`` derives the learning rule and the
mistake bound; equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

import numpy as np

from scratch._validation import (
    RNG,
    class_labels,
    as_rng,
    check_array,
    check_int,
    check_positive,
    check_X_y,
)
from scratch.classical.logistic_regression import linear_scores

__all__ = ["Perceptron", "margin", "mistake_bound"]


class Perceptron:
    r"""The perceptron learning rule, for two classes or one-vs-rest for more.

    Parameters
    ----------
    learning_rate : float, default=1.0
        Step :math:`\eta` of each update. With zero initial weights it only
        rescales the weights, so it does not change the predictions.
    max_epochs : int, default=100
        Maximum number of passes over the data. Training stops earlier after a
        pass without mistakes.
    fit_intercept : bool, default=True
        Whether to learn a bias :math:`b` (updated like a weight on a constant
        feature equal to 1).
    shuffle : bool, default=False
        Whether to visit the samples in a new random order in every epoch.
    rng : Generator, int or None, default=None
        Source of randomness for ``shuffle=True``.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights: one row (for ``classes_[1]``) with two classes, one row per class
        (that class against the rest) with more.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Biases.
    mistakes_per_epoch_ : ndarray of shape (n_epochs,) or (n_classes, n_epochs)
        Number of updates made in each of the ``n_epochs_`` epochs (per
        one-vs-rest problem with more than two classes; a problem that has
        converged counts zeros).
    n_epochs_ : int
        Number of epochs run.
    converged_ : bool
        Whether the last epoch made no mistake (on every one-vs-rest problem).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    With labels :math:`y_i \in \{-1, +1\}`, each sample that is misclassified or on
    the boundary, :math:`y_i (w^\top x_i + b) \le 0`, triggers the update
    (``eq-perceptron-update``)

    .. math:: w \leftarrow w + \eta\, y_i x_i, \qquad b \leftarrow b + \eta\, y_i.

    On data separable with margin :math:`\gamma` by a unit vector, inside a ball of
    radius :math:`R`, the number of updates is at most :math:`(R/\gamma)^2`
    (``eq-perceptron-bound``, for ``fit_intercept=False``).
    """

    def __init__(self, learning_rate: float = 1.0, max_epochs: int = 100, fit_intercept: bool = True,
                 shuffle: bool = False, rng: RNG = None):
        self.learning_rate = learning_rate
        self.max_epochs = max_epochs
        self.fit_intercept = fit_intercept
        self.shuffle = shuffle
        self.rng = rng

    def fit(self, X, y) -> "Perceptron":
        """Fit to ``X`` of shape (n_samples, n_features) and labels ``y`` of shape (n_samples,)."""
        X, y = check_X_y(X, y, y_dtype=None)
        eta = check_positive(self.learning_rate, name="learning_rate")
        max_epochs = check_int(self.max_epochs, name="max_epochs", minimum=1)
        rng = as_rng(self.rng)
        self.classes_, y_idx = class_labels(y)
        K = len(self.classes_)
        if K < 2:
            raise ValueError(
                f"y contains a single class ({self.classes_[0]!r}); the perceptron needs "
                "samples from two or more classes."
            )
        problems = [1] if K == 2 else range(K)                  # positive class of each problem
        W = np.zeros((len(problems), X.shape[1]))
        b = np.zeros(len(problems))
        mistakes = np.zeros((len(problems), max_epochs), dtype=int)
        done = np.zeros(len(problems), dtype=bool)
        epoch = 0
        while epoch < max_epochs and not done.all():
            order = rng.permutation(X.shape[0]) if self.shuffle else np.arange(X.shape[0])
            for j, positive in enumerate(problems):
                if done[j]:
                    continue
                s = np.where(y_idx == positive, 1.0, -1.0)      # (n_samples,) labels in {-1, +1}
                W[j], b[j], mistakes[j, epoch] = self._epoch(W[j], b[j], X, s, order, eta)
                done[j] = mistakes[j, epoch] == 0
            epoch += 1
        self.coef_, self.intercept_ = W, b
        self.mistakes_per_epoch_ = mistakes[0, :epoch] if K == 2 else mistakes[:, :epoch]
        self.n_epochs_ = epoch
        self.converged_ = bool(done.all())
        self.n_features_in_ = X.shape[1]
        return self

    def _epoch(self, w, b, X, s, order, eta):
        """One pass of the perceptron rule (eq-perceptron-update) over ``X`` in ``order``."""
        w = w.copy()
        n_mistakes = 0
        for i in order:
            if s[i] * (X[i] @ w + b) <= 0.0:                     # wrong side or on the boundary
                w += eta * s[i] * X[i]
                if self.fit_intercept:
                    b += eta * s[i]
                n_mistakes += 1
        return w, b, n_mistakes

    def decision_function(self, X) -> np.ndarray:
        """Scores :math:`w^\\top x + b`: shape (n_samples,) with two classes, else (n_samples, n_classes)."""
        return linear_scores(self, X)

    def predict(self, X) -> np.ndarray:
        """Predicted labels, shape (n_samples,): the sign of the score, or the highest score."""
        S = self.decision_function(X)
        if S.ndim == 1:
            return self.classes_[(S > 0).astype(int)]
        return self.classes_[np.argmax(S, axis=1)]

    def score(self, X, y) -> float:
        """Accuracy of ``predict(X)`` against ``y``."""
        X, y = check_X_y(X, y, y_dtype=None)
        return float(np.mean(self.predict(X) == y))


def margin(X, y, w, b: float = 0.0) -> float:
    r"""Geometric margin :math:`\min_i y_i (w^\top x_i + b) / \lVert w\rVert` of a hyperplane.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
        Labels in ``{0, 1}`` or ``{-1, +1}``; 1 is the positive side.
    w : array_like of shape (n_features,)
        Normal vector of the hyperplane (need not have unit length, must be non-zero).
    b : float
        Offset.

    Returns
    -------
    float
        Positive when the hyperplane separates the classes; negative otherwise.
    """
    X, y = check_X_y(X, y)
    w = check_array(w, name="w", ndim=1)
    if w.shape[0] != X.shape[1]:
        raise ValueError(f"w has {w.shape[0]} entries but X has {X.shape[1]} features.")
    if not set(np.unique(y)) <= {-1.0, 0.0, 1.0}:
        raise ValueError(f"y must hold labels 0/1 or -1/+1; got {np.unique(y)[:5]}.")
    norm = np.linalg.norm(w)
    if norm == 0:
        raise ValueError("w is the zero vector, which defines no hyperplane.")
    s = np.where(y > 0, 1.0, -1.0)
    return float(np.min(s * (X @ w + b)) / norm)


def mistake_bound(X, gamma: float) -> float:
    r"""Novikoff's bound :math:`(R/\gamma)^2` (eq-perceptron-bound) with :math:`R = \max_i \lVert x_i\rVert`.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features)
    gamma : float
        Margin of some unit-norm separating hyperplane through the origin, > 0.
    """
    X = check_array(X, name="X")
    gamma = check_positive(gamma, name="gamma")
    R = np.max(np.linalg.norm(X, axis=1))
    return float((R / gamma) ** 2)
