"""Tests for scratch.frontiers.vsa (page: book/frontiers/vsa.md)."""

import math

import numpy as np
import pytest

from scratch.frontiers.vsa import (
    BSC,
    HRR,
    MAP,
    CleanupMemory,
    NeuralPopulation,
    approximate_inverse,
    circular_convolution,
    circular_correlation,
    cosine_similarity,
    exact_inverse,
    predicted_retrieval_accuracy,
    record_retrieval_accuracy,
)


def direct_circular_convolution(a, b):
    """O(D^2) definition: c_j = sum_k a_k b_{(j - k) mod D}."""
    d = len(a)
    return np.array([sum(a[k] * b[(j - k) % d] for k in range(d)) for j in range(d)])


# -- cross-checks ---------------------------------------------------------------------
@pytest.mark.parametrize("dim", [7, 16, 33])
@pytest.mark.parametrize("seed", [0, 1])
def test_hrr_binding_equals_direct_circular_convolution(dim, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, dim))
    ours = circular_convolution(a, b)
    np.testing.assert_allclose(ours, direct_circular_convolution(a, b), rtol=0, atol=1e-12)
    # numpy's linear convolution of the periodic extension, wrapped
    full = np.convolve(np.tile(a, 2), b)[dim:2 * dim]
    np.testing.assert_allclose(ours, full, rtol=0, atol=1e-12)
    np.testing.assert_allclose(HRR(dim).bind(a, b), ours, rtol=0, atol=0)


def test_hrr_binding_matches_scipy_wrap_convolution():
    ndimage = pytest.importorskip("scipy.ndimage")
    rng = np.random.default_rng(3)
    a, b = rng.normal(size=(2, 16))
    # scipy.ndimage.convolve centres the kernel: origin shifts it back to c_j = sum_k a_k b_{j-k}
    ref = ndimage.convolve(b, a, mode="wrap", origin=-(16 // 2))
    np.testing.assert_allclose(circular_convolution(a, b), ref, atol=1e-12)


def test_correlation_is_convolution_with_the_involution():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(2, 20))
    np.testing.assert_allclose(circular_correlation(a, b),
                               circular_convolution(approximate_inverse(a), b), atol=1e-12)
    d = len(a)
    direct = np.array([sum(a[k] * b[(j + k) % d] for k in range(d)) for j in range(d)])
    np.testing.assert_allclose(circular_correlation(a, b), direct, atol=1e-12)


def test_exact_inverse_gives_the_identity_and_recovers_exactly():
    h = HRR(64, inverse="exact")
    a, b = h.random(2, rng=0)
    delta = np.zeros(64)
    delta[0] = 1.0
    np.testing.assert_allclose(circular_convolution(exact_inverse(a), a), delta, atol=1e-10)
    np.testing.assert_allclose(h.unbind(h.bind(a, b), a), b, atol=1e-10)
    approx = HRR(64).unbind(h.bind(a, b), a)
    assert 0.4 < cosine_similarity(approx, b) < 0.95            # approximate only


def test_involution_of_a_unitary_vector_is_its_exact_inverse():
    rng = np.random.default_rng(2)
    phases = np.exp(1j * rng.uniform(-np.pi, np.pi, size=9))
    spec = np.concatenate([[1.0], phases, [1.0]])                  # rfft of a real 20-vector, |F| = 1
    u = np.fft.irfft(spec, n=20)
    np.testing.assert_allclose(approximate_inverse(u), exact_inverse(u), atol=1e-12)


def test_map_and_bsc_unbinding_is_exact_and_permutation_invertible():
    for vsa in [MAP(50), BSC(50)]:
        a, b = vsa.random(2, rng=4)
        np.testing.assert_array_equal(vsa.unbind(vsa.bind(a, b), a), b)
        np.testing.assert_array_equal(vsa.permute(vsa.permute(a, 3), -3), a)
        assert abs(vsa.similarity(vsa.permute(a), a)) < 0.5


def test_bsc_similarity_is_bipolar_cosine_and_majority_bundle():
    bsc = BSC(200)
    a, b, c = bsc.random(3, rng=5)
    np.testing.assert_allclose(bsc.similarity(a, b), cosine_similarity(1 - 2 * a, 1 - 2 * b), atol=1e-12)
    maj = bsc.bundle(np.stack([a, b, c]))
    np.testing.assert_array_equal(maj, ((a + b + c) >= 2).astype(float))
    even = bsc.bundle(np.stack([a, b]))                            # tie broken by a xor b
    np.testing.assert_array_equal(even, ((a + b + np.logical_xor(a, b)) >= 2).astype(float))


def test_map_bundle_is_similar_to_members_only():
    m = MAP(2000)
    items = m.random(5, rng=6)
    s = m.bundle(items, threshold=True)
    sims = m.similarity(np.broadcast_to(s, items.shape), items)
    # a majority of 5 agrees with a member with probability 1/2 + C(4,2)/2^4 = 0.875 -> cosine 0.375
    np.testing.assert_allclose(sims, 0.375, atol=0.06)
    assert abs(m.similarity(s, m.random(rng=7))) < 0.08


@pytest.mark.parametrize("vsa", [MAP(1000), HRR(1000), BSC(1000)], ids=repr)
def test_dollar_of_mexico(vsa):
    rng = np.random.default_rng(8)
    names = ["NAM", "CAP", "MON", "USA", "WDC", "DOL", "MEX", "MXC", "PES"]
    v = dict(zip(names, vsa.random(len(names), rng=rng)))
    usa = vsa.bundle(np.stack([vsa.bind(v["NAM"], v["USA"]), vsa.bind(v["CAP"], v["WDC"]),
                               vsa.bind(v["MON"], v["DOL"])]))
    mex = vsa.bundle(np.stack([vsa.bind(v["NAM"], v["MEX"]), vsa.bind(v["CAP"], v["MXC"]),
                               vsa.bind(v["MON"], v["PES"])]))
    mem = CleanupMemory(np.stack(list(v.values())), names, vsa=vsa)
    what_is_dollar_in_usa = vsa.unbind(usa, v["DOL"])              # ~ MON
    assert mem.query(what_is_dollar_in_usa) == "MON"
    assert mem.query(vsa.unbind(mex, what_is_dollar_in_usa)) == "PES"      # MON of Mexico


@pytest.mark.parametrize("n_pairs,dim", [(10, 200), (25, 400), (40, 300)])
def test_measured_capacity_matches_the_snr_prediction(n_pairs, dim):
    n_vocab, trials = 100, 40
    p = predicted_retrieval_accuracy(n_pairs, n_vocab, dim)
    acc = record_retrieval_accuracy(MAP(dim), n_pairs, n_vocab, n_trials=trials, rng=n_pairs)
    n = n_pairs * trials
    # binomial standard error (pairs are nearly independent) plus a small model error
    assert abs(acc - p) < 4 * math.sqrt(p * (1 - p) / n) + 0.03, (acc, p)


def test_prediction_limits():
    assert predicted_retrieval_accuracy(1, 2, 1000) == pytest.approx(1.0, abs=1e-12)
    preds = [predicted_retrieval_accuracy(m, 100, 300) for m in (5, 20, 60, 100)]
    assert all(x > y for x, y in zip(preds, preds[1:]))
    # many pairs in a small dimension: close to chance 1/N
    assert predicted_retrieval_accuracy(1000, 1000, 10) < 0.01


def test_cleanup_memory_labels_and_batches():
    m = MAP(500)
    items = m.random(4, rng=9)
    mem = CleanupMemory(items, ["a", "b", "c", "d"])
    noisy = items * np.where(np.random.default_rng(10).random(items.shape) < 0.3, -1, 1)
    assert mem.query(noisy) == ["a", "b", "c", "d"]
    assert mem.query(noisy[2]) == "c"
    assert mem.similarities(noisy).shape == (4, 4)


def test_neural_population_decoding_improves_with_neurons():
    rng = np.random.default_rng(11)
    x = rng.normal(size=(100, 16))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    errs = []
    for n in [20, 200, 1000]:
        pop = NeuralPopulation(n, 16, rng=0)
        assert np.all(pop.rates(x) >= 0)
        errs.append(np.mean(1 - cosine_similarity(pop.decode(x, noise=0.1, rng=1), x)))
    assert errs[0] > errs[1] > errs[2]
    assert errs[2] < 0.1


# -- bad input ------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: MAP(10).bind(np.ones(10), np.ones(12)), "same dimension"),
    (lambda: HRR(10).bind(np.ones(11), np.ones(11)), "same dimension 10"),
    (lambda: BSC(8).unbind(np.ones(8), np.ones(9)), "same dimension"),
    (lambda: circular_convolution(np.ones(4), np.ones(5)), "same dimension"),
    (lambda: cosine_similarity(np.ones(3), np.ones((2, 4))), "same dimension"),
    (lambda: CleanupMemory(np.ones((3, 5)), vsa=MAP(6)), "same dimension 6"),
    (lambda: CleanupMemory(np.ones((3, 5))).query(np.ones(4)), "same dimension"),
    (lambda: CleanupMemory(np.ones((3, 5)), ["a"]), "one label per item"),
    (lambda: BSC(4).bind(np.array([0, 1, 2, 0.0]), np.zeros(4)), "only 0 and 1"),
    (lambda: exact_inverse(np.ones(8)), "no inverse"),
    (lambda: HRR(8, inverse="pseudo"), "Unknown inverse"),
    (lambda: MAP(1), "dim must be >= 2"),
    (lambda: MAP(8).bind(np.ones((2, 2, 8)), np.ones(8)), "shape"),
    (lambda: predicted_retrieval_accuracy(10, 5, 100), "n_vocab must be >= 10"),
    (lambda: record_retrieval_accuracy("MAP", 2, 5), "MAP, HRR or BSC"),
    (lambda: MAP(8).bind(np.full(8, np.nan), np.ones(8)), "NaN"),
    (lambda: NeuralPopulation(0, 4), "n_neurons must be >= 1"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
