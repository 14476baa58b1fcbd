"""Generalisation, empirically: a finite hypothesis class, Hoeffding bounds and k-fold cross-validation.

The chapter ``book/classical/learning_theory.md`` derives every equation used here;
equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as np

from scratch.data.synthetic import _check_threshold_args
from scratch._validation import (
    RNG,
    as_rng,
    check_array,
    check_int,
    check_option,
    check_is_fitted,
    check_n_features,
    check_positive,
    check_X_y,
)

__all__ = [
    "noisy_threshold_risk",
    "HYPOTHESIS_KINDS",
    "labelings",
    "empirical_rademacher",
    "ThresholdClassifier",
    "threshold_errors",
    "hoeffding_bound",
    "kfold_indices",
    "clone",
    "cross_val_score",
]


def threshold_errors(x, y, grid) -> tuple[np.ndarray, np.ndarray]:
    r"""Training errors of every threshold classifier on a grid, in O((n + G) log n).

    The class holds :math:`h_{\theta,s}(x) = s` if :math:`x \ge \theta` else
    :math:`-s`, for each :math:`\theta` in ``grid`` and :math:`s \in \{+1, -1\}`.

    Parameters
    ----------
    x : array_like of shape (n_samples,)
        One feature.
    y : array_like of shape (n_samples,)
        Labels in {-1, +1}.
    grid : array_like of shape (n_thresholds,)
        Candidate thresholds :math:`\theta`.

    Returns
    -------
    err_plus : ndarray of shape (n_thresholds,)
        Empirical error (a fraction) of :math:`h_{\theta,+1}` for each threshold.
    err_minus : ndarray of shape (n_thresholds,)
        Empirical error of :math:`h_{\theta,-1}`, that is ``1 - err_plus``.
    """
    x = check_array(x, name="x", ndim=1)
    y = check_array(y, name="y", ndim=1)
    grid = check_array(grid, name="grid", ndim=1)
    if x.shape != y.shape:
        raise ValueError(f"x and y have mismatched lengths {x.size} and {y.size}.")
    if not np.all((y == 1) | (y == -1)):
        raise ValueError(f"y must contain labels -1 and +1 only; got values {np.unique(y)[:5]}.")
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    pos_before = np.concatenate([[0], np.cumsum(ys > 0)])   # (n+1,) +1 labels among the first i
    neg_before = np.concatenate([[0], np.cumsum(ys < 0)])
    k = np.searchsorted(xs, grid, side="left")               # (G,) points with x < theta
    mistakes = pos_before[k] + (neg_before[-1] - neg_before[k])  # +1 left of theta, -1 right of it
    err_plus = mistakes / x.size
    return err_plus, 1.0 - err_plus


class ThresholdClassifier:
    r"""Empirical risk minimisation over a finite class of threshold classifiers.

    Parameters
    ----------
    grid : array_like of shape (n_thresholds,)
        Candidate thresholds; the class has :math:`|\mathcal H| = 2\,G` members
        (each threshold with either sign).

    Attributes
    ----------
    threshold_ : float
        Chosen threshold :math:`\hat\theta`.
    sign_ : float
        Chosen sign :math:`\hat s \in \{-1, +1\}`.
    training_error_ : float
        Empirical risk :math:`\hat R(\hat h)` of the chosen classifier.
    n_hypotheses_ : int
        :math:`|\mathcal H|`.
    n_features_in_ : int
        Always 1.

    Notes
    -----
    ``fit`` returns :math:`\hat h = \arg\min_{h\in\mathcal H} \hat R(h)` (``eq-lt-erm``),
    the first minimiser in grid order (sign +1 before -1) on ties.
    """

    def __init__(self, grid):
        self.grid = grid

    def fit(self, X, y) -> "ThresholdClassifier":
        """ERM on ``X`` of shape (n_samples, 1) and labels ``y`` in {-1, +1} of shape (n_samples,)."""
        X, y = check_X_y(X, y)
        if X.shape[1] != 1:
            raise ValueError(
                f"ThresholdClassifier uses a single feature, X of shape (n_samples, 1); got {X.shape}."
            )
        grid = check_array(self.grid, name="grid", ndim=1)
        err_plus, err_minus = threshold_errors(X[:, 0], y, grid)
        errors = np.concatenate([err_plus, err_minus])           # (2G,)
        best = int(np.argmin(errors))
        G = grid.size
        self.threshold_ = float(grid[best % G])
        self.sign_ = 1.0 if best < G else -1.0
        self.training_error_ = float(errors[best])
        self.n_hypotheses_ = 2 * G
        self.n_features_in_ = 1
        return self

    def predict(self, X) -> np.ndarray:
        """Labels in {-1, +1} for ``X`` of shape (n_samples, 1)."""
        check_is_fitted(self, "threshold_")
        X = check_array(X, name="X")
        check_n_features(self, X)
        return np.where(X[:, 0] >= self.threshold_, self.sign_, -self.sign_)

    def score(self, X, y) -> float:
        """Accuracy on ``(X, y)``."""
        X, y = check_X_y(X, y)
        return float(np.mean(self.predict(X) == y))


def hoeffding_bound(n_samples, delta: float, n_hypotheses: int = 1) -> np.ndarray | float:
    r"""Deviation :math:`\varepsilon` such that, with probability at least :math:`1-\delta`,
    :math:`|R(h) - \hat R(h)| \le \varepsilon` for all :math:`|\mathcal H|` hypotheses at once.

    .. math:: \varepsilon = \sqrt{\frac{\log(2|\mathcal H|/\delta)}{2n}}

    (Hoeffding's inequality for a loss in [0, 1] plus a union bound,
    ``eq-lt-uniform``).

    Parameters
    ----------
    n_samples : int or array_like of int
        Sample size(s) :math:`n`.
    delta : float
        Failure probability, in (0, 1).
    n_hypotheses : int
        Size of the finite class :math:`|\mathcal H|` (1 for a single fixed hypothesis).
    """
    n = check_array(n_samples, name="n_samples", ndim=(0, 1))
    if np.any(n < 1):
        raise ValueError(f"n_samples must be >= 1; got {n}.")
    delta = check_positive(delta, name="delta")
    if delta >= 1:
        raise ValueError(f"delta must lie in (0, 1); got {delta}.")
    H = check_int(n_hypotheses, name="n_hypotheses", minimum=1)
    eps = np.sqrt(np.log(2 * H / delta) / (2 * n))
    return float(eps) if eps.ndim == 0 else eps


def kfold_indices(n_samples: int, n_splits: int = 5, *, shuffle: bool = False,
                  rng: RNG = None) -> list[tuple[np.ndarray, np.ndarray]]:
    r"""Split ``range(n_samples)`` into ``n_splits`` contiguous folds (``eq-lt-kfold``).

    The first ``n_samples % n_splits`` folds hold one sample more than the others, the
    same layout as :class:`sklearn.model_selection.KFold`. With ``shuffle=True`` the
    samples are permuted first (with ``rng``).

    Returns
    -------
    list of (train_idx, test_idx)
        ``n_splits`` pairs of index arrays; the test folds partition the samples.
    """
    n = check_int(n_samples, name="n_samples", minimum=1)
    k = check_int(n_splits, name="n_splits", minimum=2)
    if k > n:
        raise ValueError(
            f"Cannot make n_splits={k} folds from n_samples={n}: every fold needs a sample. "
            "Use fewer folds."
        )
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False; got {shuffle!r}.")
    idx = as_rng(rng).permutation(n) if shuffle else np.arange(n)
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    folds = []
    for i in range(k):
        test = idx[bounds[i]:bounds[i + 1]]
        train = np.concatenate([idx[:bounds[i]], idx[bounds[i + 1]:]])
        folds.append((train, test))
    return folds


def clone(estimator: Any) -> Any:
    """A new, unfitted estimator with the same constructor arguments.

    Works for any estimator whose ``__init__`` stores each argument under its own
    name (the contract of every :mod:`scratch` estimator, and of scikit-learn's).
    """
    if type(estimator).__module__ == "builtins" or isinstance(estimator, np.ndarray):
        raise TypeError(f"clone expects an estimator instance (e.g. LinearRegression()); got "
                        f"{type(estimator).__name__} {estimator!r:.40}.")
    params = inspect.signature(type(estimator).__init__).parameters
    names = [p for p in params if p != "self" and params[p].kind not in (
        inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)]
    missing = [p for p in names if not hasattr(estimator, p)]
    if missing:
        raise TypeError(
            f"Cannot clone {type(estimator).__name__}: its __init__ argument(s) {missing} are not "
            "stored as attributes of the same name."
        )
    return type(estimator)(**{p: getattr(estimator, p) for p in names})


def cross_val_score(estimator: Any, X, y, *, n_splits: int = 5, shuffle: bool = False,
                    rng: RNG = None,
                    scoring: Callable[[np.ndarray, np.ndarray], float] | None = None) -> np.ndarray:
    r"""k-fold cross-validation scores of an estimator (``eq-lt-cv``).

    For each fold, a fresh copy of ``estimator`` (see :func:`clone`) is fitted on the
    other folds and scored on the held-out one.

    Parameters
    ----------
    estimator : object with ``fit``, ``predict`` and ``score``
    X : array_like of shape (n_samples, n_features)
    y : array_like of shape (n_samples,)
    n_splits, shuffle, rng
        Passed to :func:`kfold_indices`.
    scoring : callable ``scoring(y_true, y_pred) -> float``, optional
        Score computed from the predictions; by default ``estimator.score(X_test, y_test)``.

    Returns
    -------
    ndarray of shape (n_splits,)
        The score on each held-out fold.
    """
    X, y = check_X_y(X, y, y_dtype=None)
    for method in ("fit", "predict"):
        if not callable(getattr(estimator, method, None)):
            raise TypeError(f"estimator must have a '{method}' method; got {type(estimator).__name__}.")
    if scoring is not None and not callable(scoring):
        raise TypeError(f"scoring must be a callable scoring(y_true, y_pred) or None; got {scoring!r}.")
    scores = []
    for train, test in kfold_indices(X.shape[0], n_splits, shuffle=shuffle, rng=rng):
        model = clone(estimator).fit(X[train], y[train])
        if scoring is None:
            scores.append(float(model.score(X[test], y[test])))
        else:
            scores.append(float(scoring(y[test], model.predict(X[test]))))
    return np.array(scores)


def noisy_threshold_risk(thresholds, signs, *, threshold: float = 0.3, noise: float = 0.1):
    r"""Exact risk of threshold classifiers on :func:`scratch.data.synthetic.noisy_threshold` data.

    The classifier :math:`h(x) = s` if :math:`x \ge \theta` else :math:`-s` disagrees
    with the clean label on an interval of length :math:`|\theta - \theta^*|` (for
    :math:`s = +1`), so its risk is
    :math:`\eta + (1 - 2\eta)\,|\theta - \theta^*|`, and one minus that for
    :math:`s = -1` (thresholds are clipped to [0, 1]).

    Parameters
    ----------
    thresholds : array_like
        Thresholds :math:`\theta`.
    signs : array_like
        Signs :math:`s \in \{-1, +1\}`, broadcastable against ``thresholds``.

    Returns
    -------
    ndarray
        The misclassification probabilities.
    """
    _check_threshold_args(threshold, noise)  # the generator's own check
    th = np.clip(check_array(thresholds, name="thresholds", ndim=(0, 1, 2), allow_empty=True), 0, 1)
    s = check_array(signs, name="signs", ndim=(0, 1, 2), allow_empty=True)
    if not np.all(np.isin(s, (-1.0, 1.0))):
        raise ValueError("signs must be -1 or +1.")
    r_plus = noise + (1 - 2 * noise) * np.abs(th - threshold)
    return np.where(s > 0, r_plus, 1 - r_plus)


HYPOTHESIS_KINDS = ("threshold", "interval")


def _check_points(x) -> np.ndarray:
    x = check_array(x, name="x", ndim=1)
    if x.size == 0:
        raise ValueError("x must hold at least one point; got an empty array.")
    return x


def labelings(x, kind: str = "threshold") -> np.ndarray:
    r"""Every distinct labelling of the points ``x`` that a class of 1-D classifiers produces.

    ``"threshold"``: :math:`h_{\theta,s}(x) = s` if :math:`x \ge \theta` else :math:`-s`,
    :math:`s \in \{-1, +1\}` (VC dimension 2). ``"interval"``: :math:`h_{a,b}(x) = +1` if
    :math:`a \le x \le b` else :math:`-1`, the empty interval included (VC dimension 2).
    The class *shatters* ``x`` when it produces all :math:`2^n` labellings.

    Parameters
    ----------
    x : array_like of shape (n_samples,)
        Distinct points.
    kind : {"threshold", "interval"}

    Returns
    -------
    ndarray of shape (n_labelings, n_samples)
        The labellings, entries in {-1, +1}, one row each, in the order of ``x``.

    Notes
    -----
    Only the position of a threshold (or of the two interval ends) between
    consecutive sorted points matters, so enumerating the :math:`n + 1` gaps gives
    every labelling: :math:`2n` of them for thresholds, :math:`n(n+1)/2 + 1` for
    intervals, against Sauer's bound :math:`\sum_{i \le 2} \binom{n}{i}` (eq-lt-sauer).
    """
    x = _check_points(x)
    check_option(kind, HYPOTHESIS_KINDS, name="kind")
    if np.unique(x).size != x.size:
        raise ValueError("labelings needs distinct points (a repeated x cannot get two labels).")
    n = x.size
    rank = np.argsort(np.argsort(x, kind="stable"), kind="stable")  # (n,) position of each point when sorted
    cuts = np.arange(n + 1)[:, None]                                  # (n+1, 1) points left of the cut
    if kind == "threshold":
        plus = np.where(rank[None, :] >= cuts, 1, -1)                # (n+1, n)
        rows = np.vstack([plus, -plus])
    else:
        a, b = np.triu_indices(n + 1, 1)                              # cut a < cut b: points a..b-1 inside
        inside = (rank[None, :] >= a[:, None]) & (rank[None, :] < b[:, None])
        rows = np.vstack([np.where(inside, 1, -1), -np.ones((1, n), dtype=int)])
    return np.unique(rows, axis=0)


def empirical_rademacher(x, kind: str = "threshold", *, n_draws: int = 1000,
                         rng: RNG = None) -> float:
    r"""Monte-Carlo estimate of the empirical Rademacher complexity of a 1-D class on ``x``.

    .. math::

        \hat{\mathfrak R}_S(\mathcal H) = \mathbb E_\sigma \sup_{h \in \mathcal H}
        \frac1n \sum_{i=1}^n \sigma_i h(x_i)

    with independent signs :math:`\sigma_i = \pm 1` (eq-lt-rademacher), averaged over
    ``n_draws`` sign vectors.

    Parameters
    ----------
    x : array_like of shape (n_samples,)
    kind : {"threshold", "interval"}
        As in :func:`labelings`.
    n_draws : int
    rng : np.random.Generator, int or None

    Returns
    -------
    float

    Notes
    -----
    The supremum is computed in O(n) per draw from prefix sums
    :math:`P_k = \sum_{j \le k} \sigma_{(j)}` of the signs in sorted order: for thresholds
    it is :math:`\max_k |P_n - 2P_k|`; for intervals it is
    :math:`2\max_{k \le l}(P_l - P_k) - P_n`, the maximum-sum segment.
    """
    x = _check_points(x)
    check_option(kind, HYPOTHESIS_KINDS, name="kind")
    n_draws = check_int(n_draws, name="n_draws", minimum=1)
    rng = as_rng(rng)
    n = x.size
    sigma = rng.choice(np.array([-1.0, 1.0]), size=(n_draws, n))[:, np.argsort(x, kind="stable")]  # sorted order
    P = np.concatenate([np.zeros((n_draws, 1)), np.cumsum(sigma, axis=1)], axis=1)  # (draws, n+1)
    total = P[:, -1:]
    if kind == "threshold":
        sup = np.abs(total - 2 * P).max(axis=1)               # (draws,) cut at k, either sign
    else:
        best_segment = (P - np.minimum.accumulate(P, axis=1)).max(axis=1)  # (draws,) >= 0 (empty)
        sup = 2 * best_segment - total[:, 0]
    return float(sup.mean() / n)
