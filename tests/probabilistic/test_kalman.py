"""Tests for scratch.probabilistic.kalman (page: book/probabilistic/kalman.md)."""

import numpy as np
import pytest

from scratch.probabilistic.kalman import (
    KalmanFilter,
    em_step,
    kalman_filter,
    nees,
    rts_smoother,
    steady_state_covariance,
)


def tracking_model(dt=1.0, q=0.1, r=1.0):
    A = np.eye(4)
    A[0, 2] = A[1, 3] = dt
    G = np.array([[dt ** 2 / 2, 0], [0, dt ** 2 / 2], [dt, 0], [0, dt]])
    Q = q * G @ G.T + 1e-9 * np.eye(4)
    C = np.hstack([np.eye(2), np.zeros((2, 2))])
    return dict(transition_matrices=A, observation_matrices=C, transition_covariance=Q,
                observation_covariance=r * np.eye(2), initial_state_mean=np.zeros(4),
                initial_state_covariance=10 * np.eye(4))


# -- closed-form fixture: a scalar Kalman filter by hand --------------------------------
def test_scalar_filter_by_hand():
    a, c, q, r, m0, p0 = 0.9, 2.0, 0.5, 1.0, 1.0, 2.0
    y = np.array([1.5, -0.3])
    # t = 0: update only
    s0 = c * p0 * c + r                       # 9
    k0 = p0 * c / s0                          # 4/9
    m_0 = m0 + k0 * (y[0] - c * m0)           # 1 - 2/9
    p_0 = (1 - k0 * c) * p0                   # 2/9
    ll0 = -0.5 * (np.log(2 * np.pi * s0) + (y[0] - c * m0) ** 2 / s0)
    # t = 1: predict, then update
    mp, pp = a * m_0, a * p_0 * a + q
    s1 = c * pp * c + r
    k1 = pp * c / s1
    m_1, p_1 = mp + k1 * (y[1] - c * mp), (1 - k1 * c) * pp
    ll1 = -0.5 * (np.log(2 * np.pi * s1) + (y[1] - c * mp) ** 2 / s1)
    kf = KalmanFilter([[a]], [[c]], [[q]], [[r]], [m0], [[p0]])
    fm, fP = kf.filter(y)
    np.testing.assert_allclose(fm[:, 0], [m_0, m_1], atol=1e-14)
    np.testing.assert_allclose(fP[:, 0, 0], [p_0, p_1], atol=1e-14)
    assert kf.loglikelihood(y) == pytest.approx(ll0 + ll1, abs=1e-13)
    # RTS, by hand: g = p_0 a / pp
    g = p_0 * a / pp
    sm, sP = kf.smooth(y)
    np.testing.assert_allclose(sm[:, 0], [m_0 + g * (m_1 - mp), m_1], atol=1e-14)
    np.testing.assert_allclose(sP[:, 0, 0], [p_0 + g * (p_1 - pp) * g, p_1], atol=1e-14)
    # steady state of the scalar Riccati equation: p = a^2 p - a^2 p^2 c^2/(c^2 p + r) + q
    p_ss = steady_state_covariance([[a]], [[c]], [[q]], [[r]])[0, 0]
    assert p_ss == pytest.approx(a * a * p_ss - (a * p_ss * c) ** 2 / (c * c * p_ss + r) + q, abs=1e-12)


def test_loglikelihood_equals_joint_gaussian_density():
    """log p(y) of a linear-Gaussian model is one big multivariate normal."""
    spec = tracking_model()
    kf = KalmanFilter(**spec)
    _, Y = kf.sample(6, rng=0)
    A, C, Q, R = (spec[k] for k in ["transition_matrices", "observation_matrices",
                                    "transition_covariance", "observation_covariance"])
    T, n = 6, 4
    # states x_t = A^t x_0 + sum_s A^(t-s) w_s; build the covariance of the stacked observations
    Sx = np.zeros((T * n, T * n))
    Pt = [spec["initial_state_covariance"]]
    for t in range(1, T):
        Pt.append(A @ Pt[-1] @ A.T + Q)
    for t in range(T):
        for s in range(t + 1):
            block = np.linalg.matrix_power(A, t - s) @ Pt[s]
            Sx[t * n:(t + 1) * n, s * n:(s + 1) * n] = block
            Sx[s * n:(s + 1) * n, t * n:(t + 1) * n] = block.T
    Cbig = np.kron(np.eye(T), C)
    Sy = Cbig @ Sx @ Cbig.T + np.kron(np.eye(T), R)
    y = Y.ravel()
    sign, logdet = np.linalg.slogdet(Sy)
    ref = -0.5 * (y @ np.linalg.solve(Sy, y) + logdet + y.size * np.log(2 * np.pi))
    assert kf.loglikelihood(Y) == pytest.approx(ref, abs=1e-9)


def test_filter_converges_to_riccati_fixed_point():
    spec = tracking_model()
    _, Y = KalmanFilter(**spec).sample(300, rng=1)
    fm, fP, pm, pP, _ = kalman_filter(Y, *[spec[k] for k in [
        "transition_matrices", "observation_matrices", "transition_covariance",
        "observation_covariance", "initial_state_mean", "initial_state_covariance"]])
    P_ss = steady_state_covariance(spec["transition_matrices"], spec["observation_matrices"],
                                   spec["transition_covariance"], spec["observation_covariance"])
    np.testing.assert_allclose(pP[-1], P_ss, atol=1e-9)


def test_sample_moments():
    """Stationary AR(1): var x = q / (1 - a^2); seeded, tolerance from the sample size."""
    a, q, r = 0.8, 1.0, 0.5
    kf = KalmanFilter([[a]], [[1.0]], [[q]], [[r]], [0.0], [[q / (1 - a ** 2)]])
    X, Y = kf.sample(20_000, rng=2)
    var_x = q / (1 - a ** 2)
    n_eff = 20_000 * (1 - a) / (1 + a)                # effective sample size of an AR(1) mean
    assert abs(X.mean()) < 5 * np.sqrt(var_x / n_eff)
    assert abs(X.var() - var_x) < 5 * var_x * np.sqrt(2 / n_eff)
    resid = Y - X
    assert abs(resid.var() - r) < 5 * r * np.sqrt(2 / 20_000)
    lag1 = np.mean((X[1:] - X.mean()) * (X[:-1] - X.mean())) / X.var()
    assert abs(lag1 - a) < 5 * np.sqrt((1 - a ** 2) / 20_000) * 3


def test_nees_is_chi_square_for_the_true_model():
    spec = tracking_model()
    kf = KalmanFilter(**spec)
    X, Y = kf.sample(4000, rng=3)
    fm, fP = kf.filter(Y)
    e = nees(X[100:], fm[100:], fP[100:])
    # mean of 3900 chi2_4 values; they are autocorrelated, so allow 5 sd with a 10x smaller n
    assert abs(e.mean() - 4) < 5 * np.sqrt(8 / 390)


# -- cross-checks ------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_pykalman(seed):
    pk = pytest.importorskip("pykalman")
    rng = np.random.default_rng(seed)
    n, p = 3, 2
    A = rng.normal(scale=0.5, size=(n, n))
    C = rng.normal(size=(p, n))
    L = rng.normal(size=(n, n))
    Q = L @ L.T / n + 0.1 * np.eye(n)
    R = np.diag(rng.uniform(0.5, 2, size=p))
    m0, P0 = rng.normal(size=n), 2 * np.eye(n)
    spec = dict(transition_matrices=A, observation_matrices=C, transition_covariance=Q,
                observation_covariance=R, initial_state_mean=m0, initial_state_covariance=P0)
    ours = KalmanFilter(**spec)
    ref = pk.KalmanFilter(**spec)
    _, Y = ours.sample(80, rng=seed)
    for a, b in zip(ours.filter(Y), ref.filter(Y)):
        np.testing.assert_allclose(a, b, atol=1e-10)
    for a, b in zip(ours.smooth(Y), ref.smooth(Y)):
        np.testing.assert_allclose(a, b, atol=1e-10)
    assert ours.loglikelihood(Y) == pytest.approx(ref.loglikelihood(Y), abs=1e-8)


def _random_spec(seed, n=3, p=2):
    rng = np.random.default_rng(seed)
    L = rng.normal(size=(n, n))
    A = rng.normal(size=(n, n))
    A *= 0.9 / np.max(np.abs(np.linalg.eigvals(A)))             # a stable system
    return dict(transition_matrices=A, observation_matrices=rng.normal(size=(p, n)),
                transition_covariance=L @ L.T / n + 0.1 * np.eye(n),
                observation_covariance=np.diag(rng.uniform(0.5, 2, size=p)),
                initial_state_mean=rng.normal(size=n), initial_state_covariance=2 * np.eye(n))


@pytest.mark.parametrize("em_vars", [None, "all", ["transition_matrices", "observation_covariance"]])
def test_em_matches_pykalman(em_vars):
    pk = pytest.importorskip("pykalman")
    spec = _random_spec(4)
    _, Y = KalmanFilter(**spec).sample(100, rng=4)
    ours = KalmanFilter(**{k: np.copy(v) for k, v in spec.items()}).em(Y, n_iter=3, em_vars=em_vars)
    ref_vars = list(spec) if em_vars == "all" else em_vars     # pykalman's "all" also learns offsets
    ref = pk.KalmanFilter(**{k: np.copy(v) for k, v in spec.items()}).em(Y, n_iter=3, em_vars=ref_vars)
    for k in spec:
        np.testing.assert_allclose(getattr(ours, k), getattr(ref, k), atol=1e-10, err_msg=k)
    assert np.all(np.diff(ours.loglikelihoods_) > -1e-9)


def test_em_step_leaves_unlisted_parameters_and_reports_loglik():
    spec = _random_spec(5)
    kf = KalmanFilter(**spec)
    _, Y = kf.sample(50, rng=5)
    out = em_step(Y, *spec.values(), em_vars=["observation_covariance"])
    assert out["loglikelihood"] == pytest.approx(kf.loglikelihood(Y), abs=1e-10)
    for k in spec:
        if k != "observation_covariance":
            np.testing.assert_array_equal(out[k], spec[k])
    assert np.min(np.linalg.eigvalsh(out["observation_covariance"])) > 0


def test_matches_filterpy():
    fk = pytest.importorskip("filterpy.kalman")
    spec = tracking_model()
    A, C, Q, R = (spec[k] for k in ["transition_matrices", "observation_matrices",
                                    "transition_covariance", "observation_covariance"])
    ours = KalmanFilter(**spec)
    _, Y = ours.sample(60, rng=5)
    ref = fk.KalmanFilter(dim_x=4, dim_z=2)
    ref.x, ref.P, ref.F, ref.H, ref.Q, ref.R = (spec["initial_state_mean"].copy(),
                                                spec["initial_state_covariance"].copy(), A, C, Q, R)
    xs, Ps, ll = [], [], 0.0
    for t, y in enumerate(Y):
        if t > 0:
            ref.predict()
        ref.update(y)
        xs.append(ref.x.copy())
        Ps.append(ref.P.copy())
        ll += ref.log_likelihood
    fm, fP = ours.filter(Y)
    np.testing.assert_allclose(fm, np.array(xs), atol=1e-10)
    np.testing.assert_allclose(fP, np.array(Ps), atol=1e-10)
    assert ours.loglikelihood(Y) == pytest.approx(ll, abs=1e-8)
    sm_ref, sP_ref, _, _ = ref.rts_smoother(np.array(xs), np.array(Ps), Fs=[A] * 60, Qs=[Q] * 60)
    sm, sP = ours.smooth(Y)
    np.testing.assert_allclose(sm, sm_ref, atol=1e-10)
    np.testing.assert_allclose(sP, sP_ref, atol=1e-10)


def test_steady_state_matches_scipy_dare():
    linalg = pytest.importorskip("scipy.linalg")
    spec = tracking_model()
    A, C, Q, R = (spec[k] for k in ["transition_matrices", "observation_matrices",
                                    "transition_covariance", "observation_covariance"])
    ref = linalg.solve_discrete_are(A.T, C.T, Q, R)
    np.testing.assert_allclose(steady_state_covariance(A, C, Q, R), ref, rtol=1e-8, atol=1e-10)


# -- bad input --------------------------------------------------------------------------
GOOD = dict(transition_matrices=[[1.0]], observation_matrices=[[1.0]], transition_covariance=[[0.1]],
            observation_covariance=[[1.0]], initial_state_mean=[0.0], initial_state_covariance=[[1.0]])


def _kf(**changes):
    return KalmanFilter(**{**GOOD, **changes})


@pytest.mark.parametrize("call, err, match", [
    (lambda: _kf(observation_covariance=[[-1.0]]).filter([1.0]), ValueError, "positive definite"),
    (lambda: _kf(observation_covariance=[[0.0]]).filter([1.0]), ValueError, "positive definite"),
    (lambda: _kf(transition_covariance=[[-0.1]]).filter([1.0]), ValueError, "positive semidefinite"),
    (lambda: _kf(initial_state_covariance=[[-1.0]]).smooth([1.0]), ValueError, "positive semidefinite"),
    (lambda: KalmanFilter(np.eye(2), np.eye(2), [[1, 2], [0, 1]], np.eye(2)).filter(np.zeros((3, 2))),
     ValueError, "symmetric"),
    (lambda: _kf().filter([1.0, np.nan]), ValueError, "NaN"),
    (lambda: _kf().loglikelihood([[1.0, 2.0]]), ValueError, "n_dim_obs"),
    (lambda: _kf(observation_matrices=[[1.0, 0.0]]).filter([1.0]), ValueError, "columns must equal"),
    (lambda: _kf(transition_matrices=[[1.0, 0.0]]).filter([1.0]), ValueError, "square"),
    (lambda: _kf(initial_state_mean=[0.0, 1.0]).filter([1.0]), ValueError, "initial_state_mean"),
    (lambda: _kf(transition_covariance=np.eye(2)).filter([1.0]), ValueError, "transition_covariance"),
    (lambda: KalmanFilter(transition_matrices=[[1.0]]).filter([1.0]), ValueError, "needs"),
    (lambda: _kf().sample(0), ValueError, "n_timesteps"),
    (lambda: _kf().filter([]), ValueError, "empty"),
    (lambda: rts_smoother(np.zeros((3, 1)), np.ones((3, 1, 1)), np.zeros((2, 1)), np.ones((3, 1, 1)),
                          [[1.0]]), ValueError, "mismatched"),
    (lambda: nees(np.zeros((3, 2)), np.zeros((3, 2)), np.ones((3, 1, 1))), ValueError, "mismatched"),
    (lambda: steady_state_covariance([[2.0]], [[0.0]], [[1.0]], [[1.0]], max_iter=50), ValueError,
     "did not converge"),
    (lambda: _kf().em([1.0, 2.0], em_vars=["process_noise"]), ValueError, "em_vars"),
    (lambda: _kf().em([1.0, 2.0], em_vars="everything"), ValueError, "em_vars"),
    (lambda: _kf().em([1.0]), ValueError, "at least 2 time steps"),
    (lambda: _kf().em([1.0, 2.0], n_iter=0), ValueError, "n_iter"),
])
def test_bad_input(call, err, match):
    with pytest.raises(err, match=match):
        call()
