"""k-nearest-neighbour classification by brute-force Euclidean search.

The chapter ``book/classical/knn.md`` derives the rule and discusses its tie-breaking;
equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

import numpy as np

from scratch.metrics import squared_euclidean_distances
from scratch._validation import (
    class_labels,
    check_array,
    check_int,
    check_is_fitted,
    check_n_features,
    check_X_y,
)

__all__ = ["KNeighborsClassifier"]





class KNeighborsClassifier:
    r"""Classify a point by a majority vote among its ``n_neighbors`` nearest training points.

    Parameters
    ----------
    n_neighbors : int, default=5
        The number :math:`k` of neighbours that vote; at most the number of
        training samples.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted class labels.
    n_features_in_ : int
        Number of features seen in ``fit``.
    n_samples_fit_ : int
        Number of training samples stored.

    Notes
    -----
    The prediction is the vote ``eq-knn-vote``

    .. math:: \hat y(x) = \arg\max_c \sum_{i \in N_k(x)} [y_i = c],

    where :math:`N_k(x)` holds the :math:`k` training points closest to :math:`x` in
    Euclidean distance (``eq-knn-neighbourhood``). Ties are broken by two fixed
    rules: among equally distant training points the one with the smaller index
    in the training set is nearer (a stable sort), and a tied vote goes to the
    class that comes first in ``classes_``. The second rule is scikit-learn's;
    the first is not always, see the chapter.
    """

    def __init__(self, n_neighbors: int = 5):
        self.n_neighbors = n_neighbors

    def fit(self, X, y) -> "KNeighborsClassifier":
        """Store ``X`` of shape (n_samples, n_features) and labels ``y`` of shape (n_samples,)."""
        X, y = check_X_y(X, y, y_dtype=None)
        k = check_int(self.n_neighbors, name="n_neighbors", minimum=1)
        if k > X.shape[0]:
            raise ValueError(
                f"n_neighbors={k} is larger than the number of training samples "
                f"({X.shape[0]}); choose n_neighbors <= {X.shape[0]} or add training data."
            )
        self.classes_, self._y_idx = class_labels(y)
        self._X = X
        self.n_features_in_ = X.shape[1]
        self.n_samples_fit_ = X.shape[0]
        return self

    def kneighbors(self, X, n_neighbors: int | None = None):
        """Distances to and indices of the nearest training points (eq-knn-neighbourhood).

        Parameters
        ----------
        X : array_like of shape (n_queries, n_features)
            Query points.
        n_neighbors : int, optional
            How many neighbours to return; defaults to ``self.n_neighbors``.

        Returns
        -------
        distances : ndarray of shape (n_queries, n_neighbors)
            Euclidean distances, in increasing order.
        indices : ndarray of shape (n_queries, n_neighbors)
            Row indices into the training data; equally distant points keep the
            order of the training data.
        """
        check_is_fitted(self, "_X")
        X = check_array(X, name="X")
        check_n_features(self, X)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        k = check_int(k, name="n_neighbors", minimum=1, maximum=self.n_samples_fit_)
        D = squared_euclidean_distances(X, self._X)             # (n_queries, n_train)
        idx = np.argsort(D, axis=1, kind="stable")[:, :k]       # stable: ties -> lower index
        return np.sqrt(np.take_along_axis(D, idx, axis=1)), idx

    def predict_proba(self, X) -> np.ndarray:
        """Fraction of the k neighbours in each class, shape (n_queries, n_classes)."""
        _, idx = self.kneighbors(X)
        labels = self._y_idx[idx]                                # (n_queries, k)
        counts = np.stack([(labels == c).sum(axis=1) for c in range(len(self.classes_))], axis=1)
        return counts / idx.shape[1]

    def predict(self, X) -> np.ndarray:
        """Majority vote (eq-knn-vote), shape (n_queries,); a tie goes to the first class."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]          # argmax: the first maximum

    def score(self, X, y) -> float:
        """Accuracy of ``predict(X)`` against ``y``."""
        X, y = check_X_y(X, y, y_dtype=None)
        return float(np.mean(self.predict(X) == y))
