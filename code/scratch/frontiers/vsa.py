"""Vector-symbolic architectures: MAP, holographic reduced representations, binary spatter codes.

The chapter ``book/frontiers/vsa.md`` derives every equation used here; equation
labels in the *Notes* sections match the page. Vectors are rows: a single
hypervector has shape ``(dim,)``, a codebook of ``n`` vectors has shape ``(n, dim)``.
"""

from __future__ import annotations

import math

import numpy as np

from scratch._validation import as_rng, check_array, check_int, check_option, check_positive

__all__ = [
    "MAP",
    "HRR",
    "BSC",
    "CleanupMemory",
    "NeuralPopulation",
    "circular_convolution",
    "circular_correlation",
    "approximate_inverse",
    "exact_inverse",
    "cosine_similarity",
    "check_same_dim",
    "predicted_retrieval_accuracy",
    "record_retrieval_accuracy",
]


# -- helpers --------------------------------------------------------------------------
def check_same_dim(*vectors: np.ndarray, dim: int | None = None) -> int:
    """Check that hypervectors share their last dimension (and equal ``dim`` if given).

    Returns the common dimension. Raises ``ValueError`` naming the dimensions that came.
    """
    dims = [np.shape(v)[-1] if np.ndim(v) > 0 else None for v in vectors]
    if any(d is None for d in dims):
        raise ValueError("hypervectors must be arrays of shape (dim,) or (n, dim); got a scalar.")
    expected = dim if dim is not None else dims[0]
    if any(d != expected for d in dims):
        raise ValueError(
            f"VSA vectors must all have the same dimension{'' if dim is None else f' {dim}'}; "
            f"got dimensions {dims}. Draw every vector from the same architecture "
            "(e.g. MAP(dim).random(...))."
        )
    return int(expected)


def _vectors(x, name: str, dim: int | None = None) -> np.ndarray:
    x = check_array(x, name=name, ndim=(1, 2))
    if dim is not None:
        check_same_dim(x, dim=dim)
    return x


def cosine_similarity(a, b) -> np.ndarray:
    r"""Cosine similarity :math:`a\cdot b / (\lVert a\rVert\lVert b\rVert)` along the last axis.

    Parameters
    ----------
    a, b : array_like of shape (dim,) or (n, dim)
        Broadcast against each other row by row.

    Returns
    -------
    ndarray of shape () or (n,)
        Zero where either vector is zero.
    """
    a = _vectors(a, "a")
    b = _vectors(b, "b")
    check_same_dim(a, b)
    num = np.sum(a * b, axis=-1)
    den = np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1.0), 0.0)


def circular_convolution(a, b) -> np.ndarray:
    r"""Circular convolution :math:`(a \circledast b)_j = \sum_k a_k\, b_{(j-k) \bmod D}` by FFT.

    Parameters
    ----------
    a, b : array_like of shape (dim,) or (n, dim)

    Returns
    -------
    ndarray, the broadcast shape of ``a`` and ``b``.

    Notes
    -----
    Implements eq-vsa-hrr-bind of the page: the discrete Fourier transform turns
    circular convolution into an elementwise product,
    :math:`a \circledast b = \mathcal F^{-1}(\mathcal F a \odot \mathcal F b)`,
    in :math:`O(D\log D)` instead of :math:`O(D^2)`.
    """
    a, b = _vectors(a, "a"), _vectors(b, "b")
    d = check_same_dim(a, b)
    return np.fft.irfft(np.fft.rfft(a, axis=-1) * np.fft.rfft(b, axis=-1), n=d, axis=-1)


def circular_correlation(a, b) -> np.ndarray:
    r"""Circular correlation :math:`(a \circledcirc b)_j = \sum_k a_k\, b_{(j+k) \bmod D}`.

    It equals ``circular_convolution(approximate_inverse(a), b)``: HRR's approximate unbinding.
    """
    a, b = _vectors(a, "a"), _vectors(b, "b")
    d = check_same_dim(a, b)
    return np.fft.irfft(np.conj(np.fft.rfft(a, axis=-1)) * np.fft.rfft(b, axis=-1), n=d, axis=-1)


def approximate_inverse(a) -> np.ndarray:
    r"""The involution :math:`a^\dagger_j = a_{-j \bmod D}` (HRR's approximate inverse).

    Notes
    -----
    Implements eq-vsa-hrr-approx of the page. In the Fourier domain it conjugates
    each coefficient, so :math:`a^\dagger \circledast a` has Fourier magnitudes
    :math:`|\hat a_k|^2`, close to the identity only on average.
    """
    a = _vectors(a, "a")
    return np.roll(a[..., ::-1], 1, axis=-1)


def exact_inverse(a, *, eps: float = 1e-12) -> np.ndarray:
    r"""The exact inverse :math:`a^{-1} = \mathcal F^{-1}(1 / \mathcal F a)` under circular convolution.

    Parameters
    ----------
    a : array_like of shape (dim,) or (n, dim)
    eps : float
        Fourier magnitudes below ``eps`` make ``a`` (numerically) singular: a ``ValueError``.

    Notes
    -----
    Implements eq-vsa-hrr-exact of the page. It undoes a binding exactly, but divides
    by small Fourier coefficients, which amplifies whatever noise is superposed.
    """
    eps = check_positive(eps, name="eps")
    a = _vectors(a, "a")
    fa = np.fft.rfft(a, axis=-1)
    smallest = float(np.min(np.abs(fa)))
    if smallest < eps:
        raise ValueError(
            f"a has a Fourier coefficient of magnitude {smallest:.2e} < eps={eps:g}, so it has no "
            "inverse under circular convolution; use approximate_inverse (circular correlation) instead."
        )
    return np.fft.irfft(1.0 / fa, n=a.shape[-1], axis=-1)


# -- the three architectures ----------------------------------------------------------
class _VSA:
    """Common interface: ``random``, ``bind``, ``unbind``, ``bundle``, ``permute``, ``similarity``."""

    name = "VSA"

    def __init__(self, dim: int):
        self.dim = check_int(dim, name="dim", minimum=2)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dim={self.dim})"

    def _check(self, *vs):
        out = [_vectors(v, f"vector {i}") for i, v in enumerate(vs)]
        check_same_dim(*out, dim=self.dim)
        return out if len(out) > 1 else out[0]

    def permute(self, a, shift: int = 1) -> np.ndarray:
        r"""Cyclic shift :math:`\rho^k(a)_j = a_{(j-k) \bmod D}`: a third operation that protects order.

        Notes
        -----
        Implements eq-vsa-permute of the page; :math:`\rho^{-k}` undoes it exactly.
        """
        a = self._check(a)
        return np.roll(a, check_int(shift, name="shift"), axis=-1)

    def similarity(self, a, b) -> np.ndarray:
        """Cosine similarity (about 0 for unrelated random vectors, 1 for equal ones)."""
        a, b = self._check(a, b)
        return cosine_similarity(a, b)


class MAP(_VSA):
    r"""Multiply-Add-Permute with bipolar vectors :math:`\{-1, +1\}^D` (Gayler 2003).

    Parameters
    ----------
    dim : int
        Dimension :math:`D` of the hypervectors.

    Notes
    -----
    Implements eq-vsa-map of the page: binding is the elementwise product, which is its
    own inverse (:math:`a \odot a = \mathbf 1`); bundling is the elementwise sum.
    """

    name = "MAP"

    def random(self, n: int | None = None, *, rng=None) -> np.ndarray:
        """Random bipolar vectors, shape ``(dim,)`` or ``(n, dim)``, each entry +-1 with prob. 1/2."""
        shape = (self.dim,) if n is None else (check_int(n, name="n", minimum=1), self.dim)
        return as_rng(rng).choice(np.array([-1.0, 1.0]), size=shape)

    def bind(self, a, b) -> np.ndarray:
        a, b = self._check(a, b)
        return a * b

    def unbind(self, c, a) -> np.ndarray:
        """Recover ``b`` from ``c = bind(a, b)``: multiply by ``a`` again (exact for bipolar ``a``)."""
        return self.bind(c, a)

    def bundle(self, vectors, *, threshold: bool = False) -> np.ndarray:
        """Elementwise sum of the rows of ``vectors`` (n, dim); ``threshold=True`` takes its sign.

        With ``threshold=True`` an element whose sum is 0 (an even number of rows) stays 0.
        """
        v = self._check(vectors)
        s = v.sum(axis=0) if v.ndim == 2 else v
        return np.sign(s) if threshold else s


class HRR(_VSA):
    r"""Holographic reduced representations (Plate 1995): real vectors with entries :math:`N(0, 1/D)`.

    Parameters
    ----------
    dim : int
        Dimension :math:`D`.
    inverse : {"approximate", "exact"}
        Which inverse ``unbind`` uses: circular correlation (the involution) or the exact
        Fourier-domain inverse.

    Notes
    -----
    Implements eq-vsa-hrr-bind, eq-vsa-hrr-approx and eq-vsa-hrr-exact of the page.
    """

    name = "HRR"

    def __init__(self, dim: int, inverse: str = "approximate"):
        super().__init__(dim)
        self.inverse = check_option(inverse, ("approximate", "exact"), name="inverse")

    def __repr__(self) -> str:
        return f"HRR(dim={self.dim}, inverse={self.inverse!r})"

    def random(self, n: int | None = None, *, rng=None) -> np.ndarray:
        """Gaussian vectors with entries N(0, 1/dim) (expected norm 1)."""
        shape = (self.dim,) if n is None else (check_int(n, name="n", minimum=1), self.dim)
        return as_rng(rng).normal(scale=1.0 / math.sqrt(self.dim), size=shape)

    def bind(self, a, b) -> np.ndarray:
        a, b = self._check(a, b)
        return circular_convolution(a, b)

    def unbind(self, c, a) -> np.ndarray:
        """Estimate ``b`` from ``c = bind(a, b) + noise`` with the chosen inverse of ``a``."""
        c, a = self._check(c, a)
        inv = approximate_inverse(a) if self.inverse == "approximate" else exact_inverse(a)
        return circular_convolution(inv, c)

    def bundle(self, vectors) -> np.ndarray:
        """Elementwise sum of the rows of ``vectors`` (n, dim)."""
        v = self._check(vectors)
        return v.sum(axis=0) if v.ndim == 2 else v


class BSC(_VSA):
    r"""Binary spatter codes (Kanerva 1996): vectors in :math:`\{0, 1\}^D`.

    Notes
    -----
    Implements eq-vsa-bsc of the page: binding is XOR (its own inverse), bundling is the
    elementwise majority, and similarity is :math:`1 - 2\,d_H(a, b)/D` with the Hamming
    distance :math:`d_H`, which equals the cosine of the bipolar images :math:`1 - 2a`.
    """

    name = "BSC"

    def random(self, n: int | None = None, *, rng=None) -> np.ndarray:
        """Random bits (as float 0/1), shape ``(dim,)`` or ``(n, dim)``."""
        shape = (self.dim,) if n is None else (check_int(n, name="n", minimum=1), self.dim)
        return as_rng(rng).integers(0, 2, size=shape).astype(float)

    def _check_bits(self, *vs):
        out = self._check(*vs)
        for v in out if isinstance(out, list) else [out]:
            if not np.all((v == 0) | (v == 1)):
                raise ValueError("BSC vectors must hold only 0 and 1; got other values. "
                                 "Draw them with BSC(dim).random(...).")
        return out

    def bind(self, a, b) -> np.ndarray:
        a, b = self._check_bits(a, b)
        return np.logical_xor(a, b).astype(float)

    def unbind(self, c, a) -> np.ndarray:
        """XOR is its own inverse: ``unbind(bind(a, b), a) == b`` exactly."""
        return self.bind(c, a)

    def bundle(self, vectors) -> np.ndarray:
        """Elementwise majority of the rows of ``vectors`` (n, dim).

        With an even number of rows, the XOR of the first two is added as a tie-breaker
        (Kanerva's rule), so the result is deterministic.
        """
        v = self._check_bits(vectors)
        if v.ndim == 1:
            return v.copy()
        if v.shape[0] % 2 == 0:
            v = np.vstack([v, np.logical_xor(v[0], v[1]).astype(float)])   # (n + 1, dim)
        return (2 * v.sum(axis=0) > v.shape[0]).astype(float)

    def similarity(self, a, b) -> np.ndarray:
        a, b = self._check_bits(a, b)
        return 1.0 - 2.0 * np.mean(a != b, axis=-1)


# -- clean-up memory ------------------------------------------------------------------
class CleanupMemory:
    """Item memory: return the stored vector most similar to a noisy query.

    Parameters
    ----------
    items : array_like of shape (n_items, dim)
        The clean codebook.
    labels : sequence of str, optional
        Names of the items (default ``"0"``, ``"1"``, ...).
    vsa : MAP, HRR or BSC, optional
        Supplies the similarity; cosine similarity if omitted.

    Notes
    -----
    Implements eq-vsa-cleanup of the page: :math:`\\hat\\imath = \\arg\\max_i \\operatorname{sim}(x, m_i)`.
    """

    def __init__(self, items, labels=None, vsa=None):
        self.items = check_array(items, name="items", ndim=2)
        self.labels = [str(i) for i in range(len(self.items))] if labels is None else list(labels)
        if len(self.labels) != len(self.items):
            raise ValueError(f"got {len(self.labels)} labels for {len(self.items)} items; give one label per item.")
        if vsa is not None:
            check_same_dim(self.items, dim=vsa.dim)
        self.vsa = vsa

    def similarities(self, query) -> np.ndarray:
        """Similarity of each query row to each item: shape (n_items,) or (n_queries, n_items)."""
        q = _vectors(query, "query")
        check_same_dim(q, self.items)
        if self.vsa is not None and not isinstance(self.vsa, (MAP, HRR)):
            rows = np.atleast_2d(q)                                   # (n_queries, dim)
            sims = np.stack([self.vsa.similarity(np.broadcast_to(r, self.items.shape), self.items)
                             for r in rows])                          # (n_queries, n_items)
            return sims[0] if q.ndim == 1 else sims
        qn = np.linalg.norm(q, axis=-1, keepdims=True)
        mn = np.linalg.norm(self.items, axis=-1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return (q / np.where(qn > 0, qn, 1.0)) @ (self.items / np.where(mn > 0, mn, 1.0)).T

    def query(self, query):
        """Label (or list of labels) of the most similar item(s)."""
        idx = np.argmax(self.similarities(query), axis=-1)
        return self.labels[int(idx)] if np.ndim(idx) == 0 else [self.labels[i] for i in idx]


# -- capacity: prediction and measurement ----------------------------------------------
def _normal_cdf(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x) / math.sqrt(2.0)))


def predicted_retrieval_accuracy(n_pairs: int, n_vocab: int, dim: int, *, n_nodes: int = 80) -> float:
    r"""Signal-to-noise prediction of retrieving one value from a MAP record of ``n_pairs`` pairs.

    A record :math:`s = \sum_{i=1}^{M} k_i \odot v_i` is unbound with key :math:`k_j` and
    cleaned up against a vocabulary of ``n_vocab`` values (dot products).

    Parameters
    ----------
    n_pairs : int
        :math:`M`, the number of bound key-value pairs in the record.
    n_vocab : int
        :math:`N`, the size of the value vocabulary (the correct value plus N-1 distractors).
    dim : int
        :math:`D`.
    n_nodes : int
        Gauss-Hermite nodes for the one-dimensional integral.

    Notes
    -----
    Implements eq-vsa-capacity of the page. The correct value scores
    :math:`N(D, (M-1)D)`, each distractor :math:`N(0, MD)`, treated as independent:
    :math:`P = \mathbb E_z\,\Phi\bigl((D + \sqrt{(M-1)D}\,z)/\sqrt{MD}\bigr)^{N-1}`.
    """
    m = check_int(n_pairs, name="n_pairs", minimum=1)
    n = check_int(n_vocab, name="n_vocab", minimum=m)
    d = check_int(dim, name="dim", minimum=2)
    z, w = np.polynomial.hermite_e.hermegauss(check_int(n_nodes, name="n_nodes", minimum=2))
    w = w / w.sum()                                                   # weights of a standard normal
    p = _normal_cdf((d + math.sqrt((m - 1) * d) * z) / math.sqrt(m * d)) ** (n - 1)
    return float(np.sum(w * p))


def record_retrieval_accuracy(vsa, n_pairs: int, n_vocab: int, *, n_trials: int = 20, rng=None) -> float:
    """Measured fraction of values retrieved correctly from records of ``n_pairs`` key-value pairs.

    Each trial draws ``n_pairs`` keys and a vocabulary of ``n_vocab`` values, binds the
    first ``n_pairs`` values to the keys, bundles the pairs by summation, unbinds every key and
    cleans up against the vocabulary.

    Parameters
    ----------
    vsa : MAP, HRR or BSC
    n_pairs, n_vocab, n_trials : int
    rng : Generator, int or None
    """
    if not isinstance(vsa, _VSA):
        raise TypeError(f"vsa must be a MAP, HRR or BSC instance; got {type(vsa).__name__}.")
    m = check_int(n_pairs, name="n_pairs", minimum=1)
    n = check_int(n_vocab, name="n_vocab", minimum=m)
    rng = as_rng(rng)
    hits = 0
    for _ in range(check_int(n_trials, name="n_trials", minimum=1)):
        keys, values = vsa.random(m, rng=rng), vsa.random(n, rng=rng)   # (m, D), (n, D)
        record = vsa.bundle(vsa.bind(keys, values[:m]))                  # (D,)
        noisy = vsa.unbind(np.broadcast_to(record, keys.shape), keys)    # (m, D)
        if isinstance(vsa, BSC):
            scores = -np.sum(noisy[:, None, :] != values[None], axis=-1)  # (m, n) minus Hamming
        else:
            scores = noisy @ values.T                                     # (m, n)
        hits += int(np.sum(np.argmax(scores, axis=1) == np.arange(m)))
    return hits / (m * n_trials)


# -- a neural population holding a hypervector (the NEF's linear decoding) -------------
class NeuralPopulation:
    r"""Rectified-linear neurons with random preferred directions that represent a vector.

    Parameters
    ----------
    n_neurons : int
    dim : int
    max_rate : float
        Firing rate (Hz) of a neuron at its preferred direction with an intercept of 0.
    reg : float
        Ridge penalty of the decoders, relative to the mean squared rate.
    rng : Generator, int or None

    Notes
    -----
    Implements eq-vsa-nef of the page (Eliasmith & Anderson's neural engineering
    framework): rates :math:`a_i(x) = \max(0, g_i\, e_i^\top x + b_i)` with unit encoders
    :math:`e_i`, and linear decoders :math:`\hat x = \sum_i a_i(x)\, d_i` fitted by regularised
    least squares over sample vectors, solved by Cholesky.
    """

    def __init__(self, n_neurons: int, dim: int, *, max_rate: float = 100.0, reg: float = 0.01, rng=None):
        self.n_neurons = check_int(n_neurons, name="n_neurons", minimum=1)
        self.dim = check_int(dim, name="dim", minimum=1)
        self.max_rate = check_positive(max_rate, name="max_rate")
        self.reg = check_positive(reg, name="reg", strict=False)
        rng = as_rng(rng)
        enc = rng.normal(size=(self.n_neurons, self.dim))
        self.encoders = enc / np.linalg.norm(enc, axis=1, keepdims=True)        # (N, D)
        # Intercepts spread over the range of e.x for unit-norm x in high dimension.
        intercepts = rng.uniform(-0.3, 0.3, size=self.n_neurons) / math.sqrt(self.dim) * 3
        self.gains = self.max_rate / (1.0 - intercepts)                           # (N,)
        self.biases = -self.gains * intercepts                                    # (N,)
        samples = rng.normal(size=(max(2000, 4 * self.dim), self.dim))
        samples /= np.linalg.norm(samples, axis=1, keepdims=True)                 # (S, D) unit vectors
        A = self.rates(samples)                                                   # (S, N)
        G = A.T @ A + self.reg * np.mean(A ** 2) * len(A) * np.eye(self.n_neurons)
        L = np.linalg.cholesky(G)
        self.decoders = np.linalg.solve(L.T, np.linalg.solve(L, A.T @ samples))  # (N, D)

    def rates(self, x) -> np.ndarray:
        """Firing rates, shape (n_samples, n_neurons), of vectors x of shape (n_samples, dim)."""
        x = _vectors(x, "x", self.dim)
        return np.maximum(0.0, (x @ self.encoders.T) * self.gains + self.biases)

    def decode(self, x, *, noise: float = 0.0, rng=None) -> np.ndarray:
        """Represent ``x`` (n_samples, dim) in the population, add rate noise, decode it linearly.

        ``noise`` is the standard deviation of Gaussian rate noise as a fraction of ``max_rate``.
        """
        a = self.rates(x)
        if check_positive(noise, name="noise", strict=False) > 0:
            a = a + as_rng(rng).normal(scale=noise * self.max_rate, size=a.shape)
        return a @ self.decoders
