"""Dirichlet processes: stick-breaking, the Chinese restaurant process, a collapsed Gibbs sampler
for a DP mixture of Gaussians, and the hierarchical DP topic model (direct-assignment sampler).

The chapter ``book/frontiers/dirichlet_process.md`` derives every equation used here;
equation labels in the *Notes* sections match the page.
"""

from __future__ import annotations

import math

import numpy as np

from scratch._validation import as_rng, check_array, check_int, check_is_fitted, check_positive

def _draw(rng: np.random.Generator, weights: np.ndarray) -> int:
    """Index drawn with probability proportional to the non-negative ``weights`` (faster than rng.choice)."""
    c = np.cumsum(weights)
    return int(min(np.searchsorted(c, rng.random() * c[-1], side="right"), len(c) - 1))


__all__ = [
    "check_concentration",
    "stick_breaking",
    "chinese_restaurant_process",
    "expected_tables",
    "DPGaussianMixture",
    "bars_topics",
    "bars_corpus",
    "HDPTopicModel",
]


def check_concentration(value, name: str = "alpha") -> float:
    """A concentration parameter must be a finite real number > 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} (a concentration parameter) must be a real number > 0; got {type(value).__name__}.")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} is a concentration parameter and must be finite and > 0; got {value!r}. "
                         "Small values give few clusters, large values many.")
    return float(value)


def stick_breaking(alpha: float, n_atoms: int, *, rng=None) -> np.ndarray:
    r"""The first ``n_atoms`` weights of :math:`\mathrm{GEM}(\alpha)`: :math:`\pi_k = b_k\prod_{l<k}(1-b_l)`, :math:`b_k \sim \mathrm{Beta}(1, \alpha)`.

    Returns an array of shape (n_atoms,) summing to less than 1 (the rest of the stick
    belongs to later atoms).

    Notes
    -----
    Implements eq-dp-stick of the page.
    """
    alpha = check_concentration(alpha)
    b = as_rng(rng).beta(1.0, alpha, size=check_int(n_atoms, name="n_atoms", minimum=1))
    return b * np.concatenate([[1.0], np.cumprod(1.0 - b[:-1])])


def chinese_restaurant_process(n_customers: int, alpha: float, *, rng=None) -> np.ndarray:
    r"""Table of each of ``n_customers`` customers, shape (n_customers,), tables numbered in order of opening.

    Notes
    -----
    Implements eq-dp-crp of the page: customer :math:`i+1` joins table :math:`k` with probability
    :math:`n_k/(i+\alpha)` and a new table with probability :math:`\alpha/(i+\alpha)`.
    """
    alpha = check_concentration(alpha)
    rng = as_rng(rng)
    n = check_int(n_customers, name="n_customers", minimum=1)
    z = np.zeros(n, dtype=int)
    counts = [1]
    for i in range(1, n):
        k = _draw(rng, np.array(counts + [alpha]))
        if k == len(counts):
            counts.append(1)
        else:
            counts[k] += 1
        z[i] = k
    return z


def expected_tables(n_customers: int, alpha: float) -> float:
    r"""Closed form :math:`E[K_n] = \sum_{i=1}^{n} \alpha/(\alpha + i - 1)` (eq-dp-tables of the page)."""
    alpha = check_concentration(alpha)
    i = np.arange(1, check_int(n_customers, name="n_customers", minimum=1) + 1)
    return float(np.sum(alpha / (alpha + i - 1)))


# -- DP mixture of Gaussians ----------------------------------------------------------------------------
class DPGaussianMixture:
    r"""Dirichlet-process mixture of spherical Gaussians, fitted by collapsed Gibbs sampling.

    Model: :math:`G \sim \mathrm{DP}(\alpha, N(\mu_0, \tau^2 I))`, :math:`\mu_i \sim G`,
    :math:`x_i \sim N(\mu_i, \sigma^2 I)`; the cluster means are integrated out.

    Parameters
    ----------
    alpha : float
        Concentration (> 0).
    sigma : float
        Known within-cluster standard deviation.
    prior_std : float
        :math:`\tau`, the prior standard deviation of the cluster means around the data mean.
    n_iter : int
        Gibbs sweeps.
    init : {"one", "singletons"} or int
        Start with all points in one cluster, each in its own, or in ``init`` random clusters.
    rng : Generator, int or None

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each point after the last sweep, numbered 0..K-1.
    n_clusters_ : int
        Number of clusters after the last sweep (written n_clusters in shapes below).
    n_clusters_trace_ : ndarray of shape (n_iter,)
        Number of clusters after each sweep.
    means_ : ndarray of shape (n_clusters, n_features)
        Posterior means of the cluster centres.

    Notes
    -----
    Implements eq-dp-gibbs of the page (Neal's algorithm 3).
    """

    def __init__(self, alpha: float = 1.0, sigma: float = 1.0, prior_std: float = 3.0, n_iter: int = 50,
                 init="one", rng=None):
        self.alpha = alpha
        self.sigma = sigma
        self.prior_std = prior_std
        self.n_iter = n_iter
        self.init = init
        self.rng = rng

    def _log_pred(self, x, counts, sums, d):
        """Log posterior-predictive density of x under each cluster and under a new one."""
        s2, t2 = self.sigma ** 2, self.prior_std ** 2
        prec = 1.0 / t2 + counts / s2                                         # (K,)
        v = 1.0 / prec
        m = v[:, None] * (self.mu0_ / t2 + sums / s2)                         # (K, d)
        var = np.concatenate([s2 + v, [s2 + t2]])                             # (K + 1,)
        mean = np.vstack([m, self.mu0_])                                      # (K + 1, d)
        sq = np.sum((x - mean) ** 2, axis=1)
        return -0.5 * (sq / var + d * np.log(2 * np.pi * var))

    def fit(self, X, y=None) -> "DPGaussianMixture":
        """Run ``n_iter`` Gibbs sweeps on ``X`` of shape (n_samples, n_features)."""
        X = check_array(X, name="X", ndim=2)
        alpha = check_concentration(self.alpha)
        check_positive(self.sigma, name="sigma")
        check_positive(self.prior_std, name="prior_std")
        n_iter = check_int(self.n_iter, name="n_iter", minimum=1)
        rng = as_rng(self.rng)
        n, d = X.shape
        self.mu0_ = X.mean(axis=0)
        if isinstance(self.init, str):
            if self.init not in ("one", "singletons"):
                raise ValueError(f"init must be 'one', 'singletons' or a number of clusters; got {self.init!r}.")
            z = np.zeros(n, dtype=int) if self.init == "one" else np.arange(n)
        else:
            z = as_rng(rng).integers(0, check_int(self.init, name="init", minimum=1), size=n)
        _, z = np.unique(z, return_inverse=True)
        counts = np.bincount(z).astype(float)
        sums = np.zeros((len(counts), d))
        np.add.at(sums, z, X)
        trace = []
        for _ in range(n_iter):
            for i in rng.permutation(n):
                k = z[i]
                counts[k] -= 1
                sums[k] -= X[i]
                if counts[k] == 0:                                          # drop the empty cluster
                    counts, sums = np.delete(counts, k), np.delete(sums, k, axis=0)
                    z[z > k] -= 1
                logp = np.log(np.concatenate([counts, [alpha]])) + self._log_pred(X[i], counts, sums, d)
                k = _draw(rng, np.exp(logp - logp.max()))
                if k == len(counts):
                    counts, sums = np.append(counts, 0.0), np.vstack([sums, np.zeros(d)])
                counts[k] += 1
                sums[k] += X[i]
                z[i] = k
            trace.append(len(counts))
        s2, t2 = self.sigma ** 2, self.prior_std ** 2
        v = 1.0 / (1.0 / t2 + counts / s2)
        self.means_ = v[:, None] * (self.mu0_ / t2 + sums / s2)
        self.labels_, self.n_clusters_ = z.copy(), len(counts)
        self.n_clusters_trace_ = np.array(trace)
        return self

    def predict(self, X) -> np.ndarray:
        """Nearest posterior cluster mean for each row of ``X`` (n_samples, n_features)."""
        check_is_fitted(self, "means_")
        X = check_array(X, name="X", ndim=2)
        if X.shape[1] != self.means_.shape[1]:
            raise ValueError(f"X has {X.shape[1]} features, but this DPGaussianMixture was fitted with "
                             f"{self.means_.shape[1]} features. Pass data with the same columns as in fit.")
        return np.argmin(((X[:, None, :] - self.means_[None]) ** 2).sum(-1), axis=1)


# -- the bars data and the HDP topic model ------------------------------------------------------------------
def bars_topics(size: int = 5) -> np.ndarray:
    """The 2 * size "bar" topics of Griffiths & Steyvers (2004): uniform over one row or column
    of a size x size image. Shape (2 * size, size * size)."""
    size = check_int(size, name="size", minimum=2)
    topics = []
    for r in range(size):
        img = np.zeros((size, size))
        img[r] = 1.0
        topics.append(img.ravel() / size)
    for c in range(size):
        img = np.zeros((size, size))
        img[:, c] = 1.0
        topics.append(img.ravel() / size)
    return np.array(topics)


def bars_corpus(n_docs: int = 80, doc_length: int = 40, *, size: int = 5, doc_concentration: float = 0.5, rng=None):
    r"""Documents of word ids drawn from the bar topics with proportions :math:`\theta_d \sim \mathrm{Dir}(a)`.

    Returns ``(docs, proportions)``: a list of ``n_docs`` int arrays of length ``doc_length``
    (words 0..size^2-1) and the true proportions, shape (n_docs, 2 * size).
    """
    rng = as_rng(rng)
    topics = bars_topics(size)
    K, V = topics.shape
    theta = rng.dirichlet(np.full(K, check_concentration(doc_concentration, "doc_concentration")),
                          size=check_int(n_docs, name="n_docs", minimum=1))
    docs = []
    for th in theta:
        zs = rng.choice(K, size=check_int(doc_length, name="doc_length", minimum=1), p=th)
        docs.append(np.array([rng.choice(V, p=topics[k]) for k in zs]))
    return docs, theta


class HDPTopicModel:
    r"""Hierarchical Dirichlet process topic model, fitted by the direct-assignment Gibbs sampler.

    :math:`G_0 \sim \mathrm{DP}(\gamma, \mathrm{Dir}(\eta))`, :math:`G_d \sim \mathrm{DP}(\alpha, G_0)`;
    every word draws a topic from :math:`G_d`. The number of topics is not fixed.

    Parameters
    ----------
    gamma : float
        Top-level concentration (> 0): how readily new topics appear.
    alpha : float
        Document-level concentration (> 0).
    eta : float
        Symmetric Dirichlet parameter of the topics' word distributions (> 0).
    n_iter : int
        Gibbs sweeps.
    n_init_topics : int
        Tokens start in this many random topics (1: all in one topic).
    rng : Generator, int or None

    Attributes
    ----------
    topic_word_ : ndarray of shape (n_topics, n_words)
        Posterior mean word distribution of each topic.
    topic_sizes_ : ndarray of shape (n_topics,)
        Number of tokens assigned to each topic.
    n_topics_ : int
        Number of topics after the last sweep (written n_topics in shapes above).
    n_topics_trace_ : ndarray of shape (n_iter,)
    beta_ : ndarray of shape (n_topics + 1,)
        Global topic weights; the last entry is the mass of all unused topics.

    Notes
    -----
    Implements eq-dp-hdp-z and eq-dp-hdp-beta of the page (Teh et al., 2006, direct assignment).
    """

    def __init__(self, gamma: float = 1.0, alpha: float = 1.0, eta: float = 0.5, n_iter: int = 50,
                 n_init_topics: int = 1, rng=None):
        self.gamma = gamma
        self.alpha = alpha
        self.eta = eta
        self.n_iter = n_iter
        self.n_init_topics = n_init_topics
        self.rng = rng

    def fit(self, docs, n_words: int) -> "HDPTopicModel":
        """Fit to ``docs``, a list of int arrays of word ids in ``[0, n_words)``."""
        gamma = check_concentration(self.gamma, "gamma")
        alpha = check_concentration(self.alpha, "alpha")
        eta = check_concentration(self.eta, "eta")
        V = check_int(n_words, name="n_words", minimum=1)
        docs = [np.asarray(d) for d in docs]
        if any(d.size and d.dtype.kind not in "iu" for d in docs):
            raise TypeError("docs must hold integer word ids; got a document of dtype "
                            f"{next(d.dtype for d in docs if d.size and d.dtype.kind not in 'iu')}. "
                            "Map words to ids 0 .. n_words - 1 first.")
        docs = [d.astype(int) for d in docs]
        if not docs or any(d.ndim != 1 or d.size == 0 for d in docs):
            raise ValueError("docs must be a non-empty list of non-empty 1-D arrays of word ids.")
        if any(d.min() < 0 or d.max() >= V for d in docs):
            raise ValueError(f"word ids must lie in [0, {V - 1}] for n_words={V}.")
        rng = as_rng(self.rng)
        D = len(docs)
        K0 = check_int(self.n_init_topics, name="n_init_topics", minimum=1)
        z = [rng.integers(0, K0, size=len(d)) for d in docs]                 # random initial topics
        n_dk = np.zeros((D, K0))
        n_kw = np.zeros((K0, V))
        for j, d in enumerate(docs):
            np.add.at(n_dk[j], z[j], 1)
            np.add.at(n_kw, (z[j], d), 1)
        keep = n_kw.sum(axis=1) > 0
        remap = np.cumsum(keep) - 1
        z = [remap[zz] for zz in z]
        n_dk, n_kw = n_dk[:, keep], n_kw[keep]
        n_k = n_kw.sum(axis=1)
        beta = np.full(len(n_k) + 1, 1.0 / (len(n_k) + 1))                   # (K + 1,)
        trace = []
        for _ in range(check_int(self.n_iter, name="n_iter", minimum=1)):
            for j, d in enumerate(docs):
                for i, w in enumerate(d):
                    k = z[j][i]
                    n_dk[j, k] -= 1
                    n_kw[k, w] -= 1
                    n_k[k] -= 1
                    if n_k[k] == 0:                                           # the topic died
                        beta[-1] += beta[k]
                        beta = np.delete(beta, k)
                        n_dk, n_kw, n_k = np.delete(n_dk, k, 1), np.delete(n_kw, k, 0), np.delete(n_k, k)
                        for zz in z:
                            zz[zz > k] -= 1
                    K = len(n_k)
                    p = np.empty(K + 1)
                    p[:K] = (n_dk[j] + alpha * beta[:K]) * (n_kw[:, w] + eta) / (n_k + V * eta)
                    p[K] = alpha * beta[K] / V
                    k = _draw(rng, p)
                    if k == K:                                                # a new topic
                        b = rng.beta(1.0, gamma)
                        beta = np.concatenate([beta[:K], [b * beta[K], (1 - b) * beta[K]]])
                        n_dk = np.hstack([n_dk, np.zeros((D, 1))])
                        n_kw = np.vstack([n_kw, np.zeros((1, V))])
                        n_k = np.append(n_k, 0.0)
                    n_dk[j, k] += 1
                    n_kw[k, w] += 1
                    n_k[k] += 1
                    z[j][i] = k
            # tables per (document, topic), then the global weights
            m = np.zeros(len(n_k))
            for j in range(D):
                for k in np.flatnonzero(n_dk[j]):
                    ab = alpha * beta[k]
                    m[k] += np.sum(rng.random(int(n_dk[j, k])) < ab / (ab + np.arange(n_dk[j, k])))
            beta = rng.dirichlet(np.concatenate([np.maximum(m, 1e-12), [gamma]]))
            trace.append(len(n_k))
        self.topic_word_ = (n_kw + eta) / (n_k[:, None] + V * eta)
        self.topic_sizes_ = n_k.copy()
        self.n_topics_, self.n_topics_trace_, self.beta_ = len(n_k), np.array(trace), beta
        self.doc_topic_counts_ = n_dk
        return self
