"""Bad-input cases for scratch.probabilistic (see _harness.py for the format)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.autograd.tensor import Tensor  # noqa: E402
from scratch.probabilistic.bayesian_nn import (BayesianMLP, bayes_by_backprop, hmc, leapfrog,  # noqa: E402
                                               predictive_summary)
from scratch.probabilistic.gaussian_process import (RBF, ConstantKernel, ExpSineSquared,  # noqa: E402
                                                    GaussianProcessRegressor, Kernel, Matern, Product, Sum,
                                                    WhiteKernel, minimize_lbfgs, sample_prior)
from scratch.probabilistic.hmm import (BaseHMM, CategoricalHMM, GaussianHMM, backward, forward,  # noqa: E402
                                       posteriors, viterbi)
from scratch.probabilistic.kalman import (KalmanFilter, em_step, kalman_filter, nees, predict_step,  # noqa: E402
                                          rts_smoother, steady_state_covariance, update_step)
from scratch.probabilistic.particle_filter import (ParticleFilterResult, bootstrap_filter,  # noqa: E402
                                                   effective_sample_size, importance_sampling,
                                                   multinomial_resample, normalize_log_weights,
                                                   place_cell_log_likelihood, reflect, simulate_place_cells,
                                                   systematic_resample)
from scratch.probabilistic.variational_inference import (FullRankGaussian, MeanFieldGaussian, elbo,  # noqa: E402
                                                         fit_vi, gaussian_log_density,
                                                         linear_regression_log_joint,
                                                         linear_regression_posterior, logistic_predictive,
                                                         logistic_regression_log_joint, logsumexp,
                                                         mixture_log_density, reparam_grad, score_function_grad)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 2))
Y_REG = X @ np.array([1.0, -1.0])
Y01 = (X[:, 0] > 0).astype(float)
LOG_PI, LOG_A = np.log([0.5, 0.5]), np.log([[0.9, 0.1], [0.2, 0.8]])
LOG_B = np.log(RNG.uniform(0.1, 1.0, size=(6, 2)))
SEQ = RNG.integers(0, 3, size=(30, 1))
I2, Z2 = np.eye(2), np.zeros(2)
OBS = RNG.normal(size=(10, 2))


def quad(x):
    return -0.5 * float(x @ x), -x


def std_normal(z):
    return -0.5 * (z * z).sum(axis=1)


def fitted_cat():
    return CategoricalHMM(n_components=2, n_iter=2, rng=0).fit(SEQ)


def fitted_gauss():
    return GaussianHMM(n_components=2, n_iter=2, rng=0).fit(OBS)


def kf():
    return KalmanFilter(I2, I2, 0.1 * I2, 0.1 * I2, Z2, I2)


MLP = BayesianMLP([2, 3, 1])


def pf(**kw):
    args = dict(Y=OBS[:, :1], sample_initial=lambda rng, n: rng.normal(size=(n, 1)),
                sample_transition=lambda rng, x: x + rng.normal(size=x.shape),
                log_likelihood=lambda y, x: -0.5 * (y - x[:, 0]) ** 2, n_particles=20, rng=0)
    args.update(kw)
    return bootstrap_filter(**args)


CASES = [
    # hmm: the message-passing functions
    Case(forward, lambda: forward(LOG_PI, LOG_A, LOG_B[:, :1]), ValueError, "log_B", label="log_B of the wrong width"),
    Case(forward, lambda: forward(np.log([0.5, 0.6]), LOG_A, LOG_B), ValueError, "sum to 1|normalised",
         label="start probabilities not summing to 1"),
    Case(forward, lambda: forward(LOG_PI, np.log([[0.5, 0.6], [0.5, 0.5]]), LOG_B), ValueError,
         "sum to 1|normalised", label="transition rows not summing to 1"),
    Case(backward, lambda: backward(LOG_A[:1], LOG_B), ValueError, "log_A", label="non-square log_A"),
    Case(backward, lambda: backward(LOG_A, np.full((6, 2), np.nan)), ValueError, "NaN", label="NaN log_B"),
    Case(posteriors, lambda: posteriors(LOG_PI, LOG_A, LOG_B[:0]), ValueError, "empty", label="no time steps"),
    Case(posteriors, lambda: posteriors(np.exp(LOG_PI) + 1.0, LOG_A, LOG_B), ValueError, "log",
         label="probabilities instead of log-probabilities"),
    Case(viterbi, lambda: viterbi(LOG_PI[:1], LOG_A, LOG_B), ValueError, "log_pi", label="log_pi of the wrong length"),
    Case(viterbi, lambda: viterbi(LOG_PI, LOG_A, LOG_B[:, 0]), ValueError, r"shape \(n_samples, n_features\)",
         label="1-D log_B"),
    # hmm: the estimators (hmmlearn's API)
    Case(BaseHMM, lambda: BaseHMM(n_components=2).fit(OBS), NotImplementedError, "GaussianHMM|CategoricalHMM",
         label="fit of the abstract base"),
    Case(CategoricalHMM, lambda: CategoricalHMM(n_components=0).fit(SEQ), ValueError, "n_components must be >= 1",
         label="zero components"),
    Case(CategoricalHMM, lambda: CategoricalHMM(n_components=2).fit(SEQ + 0.5), ValueError, "integer symbols",
         label="float symbols"),
    Case(CategoricalHMM, lambda: CategoricalHMM(n_components=2).fit(-SEQ - 1), ValueError, "non-negative integer",
         label="negative symbols"),
    Case(CategoricalHMM, lambda: CategoricalHMM(n_components=2).fit(SEQ, lengths=[10, 10]), ValueError,
         "lengths", label="lengths not summing to n_samples"),
    Case(CategoricalHMM, lambda: CategoricalHMM(n_components=2).predict(SEQ), ValueError, "not fitted",
         label="predict before fit"),
    Case(CategoricalHMM, lambda: fitted_cat().predict(SEQ + 5), ValueError, "n_features|symbols",
         label="unseen symbol"),
    Case(CategoricalHMM, lambda: fitted_cat().decode(SEQ, algorithm="forward"), ValueError, "Unknown algorithm",
         label="unknown algorithm"),
    Case(CategoricalHMM, lambda: fitted_cat().sample(5, currstate=2), ValueError, "currstate must be <= 1",
         label="currstate out of range"),
    Case(CategoricalHMM, lambda: CategoricalHMM(n_components=2, n_iter=0).fit(SEQ), ValueError,
         "n_iter must be >= 1", label="zero iterations"),
    Case(GaussianHMM, lambda: GaussianHMM(n_components=2, covariance_type="tied").fit(OBS), ValueError,
         "covariance_type", label="unsupported covariance type"),
    Case(GaussianHMM, lambda: GaussianHMM(n_components=2, min_covar=-1.0).fit(OBS), ValueError,
         "min_covar must be finite", label="negative min_covar"),
    Case(GaussianHMM, lambda: GaussianHMM(n_components=2).fit(OBS[:, 0]), ValueError,
         r"shape \(n_samples, n_features\)", label="1-D X"),
    Case(GaussianHMM, lambda: fitted_gauss().score(OBS[:, :1]), ValueError, "features", label="fewer features"),
    Case(GaussianHMM, lambda: fitted_gauss().predict_proba(np.full((3, 2), np.inf)), ValueError, "NaN or infinite",
         label="inf X"),
    Case(GaussianHMM, lambda: GaussianHMM(n_components=20).fit(OBS[:5]), ValueError, "samples|n_components",
         label="more states than samples"),
    # kalman
    Case(predict_step, lambda: predict_step(Z2, I2, np.eye(3), I2), ValueError, "shape", label="A of the wrong size"),
    Case(predict_step, lambda: predict_step(Z2, I2, I2, -I2), ValueError, "diagonal must be >= 0",
         label="negative Q"),
    Case(update_step, lambda: update_step(Z2, I2, np.zeros(3), I2, I2), ValueError, "shape", label="y too long"),
    Case(update_step, lambda: update_step(Z2, I2, [np.nan, 0.0], I2, I2), ValueError, "NaN", label="NaN y"),
    Case(kalman_filter, lambda: kalman_filter(OBS, I2, I2, I2, np.zeros((2, 2)), Z2, I2), ValueError,
         "observation_covariance", label="singular R"),
    Case(kalman_filter, lambda: kalman_filter(OBS[:, :1], I2, I2, I2, I2, Z2, I2), ValueError, "2",
         label="observations of the wrong width"),
    Case(rts_smoother, lambda: rts_smoother(np.zeros((5, 2)), np.zeros((4, 2, 2)), np.zeros((5, 2)),
                                            np.zeros((5, 2, 2)), I2), ValueError, "shape|mismatch",
         label="mismatched lengths"),
    Case(steady_state_covariance, lambda: steady_state_covariance(I2, I2, I2, I2, max_iter=0), ValueError,
         "max_iter must be >= 1", label="zero iterations"),
    Case(steady_state_covariance, lambda: steady_state_covariance(I2, np.ones((1, 3)), I2, np.eye(1)),
         ValueError, "observation_matrices", label="C of the wrong width"),
    Case(nees, lambda: nees(np.zeros((5, 2)), np.zeros((5, 2)), np.zeros((4, 2, 2))), ValueError,
         "mismatched shapes", label="mismatched shapes"),
    Case(nees, lambda: nees(np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 2, 2))), ValueError,
         "positive definite|singular", label="singular covariances"),
    Case(em_step, lambda: em_step(OBS[:1], I2, I2, I2, I2, Z2, I2), ValueError, "at least 2 time steps",
         label="one time step"),
    Case(em_step, lambda: em_step(OBS, I2, I2, I2, I2, Z2, I2, em_vars=("transition_matrix",)), ValueError,
         "Unknown em_vars entry", label="unknown variable"),
    Case(KalmanFilter, lambda: KalmanFilter().filter(OBS), ValueError, "transition_matrices",
         label="no model given"),
    Case(KalmanFilter, lambda: kf().smooth(OBS[:, :1]), ValueError, "2", label="observations of the wrong width"),
    Case(KalmanFilter, lambda: kf().em(OBS, n_iter=0), ValueError, "n_iter must be >= 1", label="zero EM iterations"),
    Case(KalmanFilter, lambda: kf().sample(5, initial_state=np.zeros(3)), ValueError, r"initial_state must have shape",
         label="initial state of the wrong size"),
    Case(KalmanFilter, lambda: kf().loglikelihood("obs"), TypeError, "numbers", label="string observations"),
    # particle filter
    Case(normalize_log_weights, lambda: normalize_log_weights([0.0, np.nan]), ValueError, "NaN or \\+inf",
         label="NaN log weight"),
    Case(normalize_log_weights, lambda: normalize_log_weights([-np.inf, -np.inf]), ValueError, "-inf|zero",
         label="every weight zero"),
    Case(effective_sample_size, lambda: effective_sample_size([0.5, -0.5]), ValueError, "weights must be >= 0",
         label="negative weight"),
    Case(effective_sample_size, lambda: effective_sample_size([0.0, 0.0]), ValueError, "sum to zero",
         label="zero weights"),
    Case(importance_sampling, lambda: importance_sampling(std_normal, lambda rng, n: rng.normal(size=(n, 1)),
                                                          std_normal, 0), ValueError, "n_samples must be >= 1",
         label="zero samples"),
    Case(importance_sampling, lambda: importance_sampling("p", lambda rng, n: rng.normal(size=(n, 1)), std_normal,
                                                          5), TypeError, "callable|function",
         label="target not callable"),
    Case(multinomial_resample, lambda: multinomial_resample([0.5, 0.5], rng=0, n=0), ValueError, "n must be >= 1",
         label="zero draws"),
    Case(multinomial_resample, lambda: multinomial_resample([[0.5, 0.5]], rng=0), ValueError, r"shape \(n_samples,\)",
         label="2-D weights"),
    Case(systematic_resample, lambda: systematic_resample([0.5, np.inf], rng=0), ValueError, "NaN or infinite",
         label="inf weight"),
    Case(systematic_resample, lambda: systematic_resample([1.0], rng="0"), TypeError, "rng must be",
         label="string rng"),
    Case(bootstrap_filter, lambda: pf(n_particles=0), ValueError, "n_particles must be >= 1", label="no particles"),
    Case(bootstrap_filter, lambda: pf(resample="stratified"), ValueError, "Unknown resample",
         label="unknown resampler"),
    Case(bootstrap_filter, lambda: pf(ess_threshold=1.5), ValueError, r"ess_threshold must be in \(0, 1\]",
         label="threshold above 1"),
    Case(bootstrap_filter, lambda: pf(log_likelihood=lambda y, x: np.zeros(3)), ValueError,
         "log_likelihood must return shape", label="likelihood of the wrong shape"),
    Case(ParticleFilterResult, lambda: ParticleFilterResult(np.zeros(5), np.zeros(4), np.zeros(5), 0.0, 0,
                                                            np.zeros((3, 1)), np.ones(3) / 3), ValueError,
         "one entry per time step", label="means and variances of different lengths"),
    Case(ParticleFilterResult, lambda: ParticleFilterResult(np.zeros(5), np.zeros(5), np.zeros(5), 0.0, 0,
                                                            np.zeros((3, 1)), np.ones(2) / 2), ValueError,
         "one weight per particle", label="weights and particles of different lengths"),
    Case(simulate_place_cells, lambda: simulate_place_cells(0), ValueError, "n_timesteps must be >= 1",
         label="zero steps"),
    Case(simulate_place_cells, lambda: simulate_place_cells(10, width=0.0), ValueError, "width must be finite",
         label="zero width"),
    Case(reflect, lambda: reflect("0.5"), TypeError, "x must be a number or an array", label="string"),
    Case(reflect, lambda: reflect([0.2, np.nan]), ValueError, "NaN", label="NaN position"),
    Case(place_cell_log_likelihood, lambda: place_cell_log_likelihood(np.ones(3), np.zeros(5), np.zeros(4)),
         ValueError, "counts_t has 3 cells but centers has 4", label="cells mismatch"),
    Case(place_cell_log_likelihood, lambda: place_cell_log_likelihood(-np.ones(4), np.zeros(5), np.zeros(4)),
         ValueError, "counts", label="negative counts"),
    # variational inference
    Case(MeanFieldGaussian, lambda: MeanFieldGaussian(0), ValueError, "dim must be >= 1", label="zero dim"),
    Case(MeanFieldGaussian, lambda: MeanFieldGaussian(2, init_loc=np.zeros(3)), ValueError,
         r"init_loc must have shape \(2,\)", label="init_loc of the wrong size"),
    Case(MeanFieldGaussian, lambda: MeanFieldGaussian(2).rsample(0, 0), ValueError, "n_samples must be >= 1",
         label="zero samples"),
    Case(FullRankGaussian, lambda: FullRankGaussian(2, init_scale=0.0), ValueError, "init_scale must be finite",
         label="zero scale"),
    Case(FullRankGaussian, lambda: FullRankGaussian(2).log_prob(np.zeros((4, 3))), ValueError, "event shape|shape",
         label="samples of the wrong dimension"),
    Case(elbo, lambda: elbo(std_normal, "q"), TypeError, "q must be a MeanFieldGaussian", label="q not a family"),
    Case(elbo, lambda: elbo(std_normal, MeanFieldGaussian(2), n_samples=0), ValueError, "n_samples must be >= 1",
         label="zero samples"),
    Case(reparam_grad, lambda: reparam_grad("log p", MeanFieldGaussian(2)), TypeError, "log_joint must be a function",
         label="log_joint not callable"),
    Case(reparam_grad, lambda: reparam_grad(lambda z: z.sum(), MeanFieldGaussian(2)), ValueError, "log_joint",
         label="log_joint returns a scalar, not one value per sample"),
    Case(score_function_grad, lambda: score_function_grad(std_normal, MeanFieldGaussian(2), n_samples=1.5),
         TypeError, "n_samples must be an integer", label="float samples"),
    Case(score_function_grad, lambda: score_function_grad(lambda z: np.nan * z.sum(axis=1), MeanFieldGaussian(2)),
         ValueError, "NaN or infinite", label="NaN log-density"),
    Case(fit_vi, lambda: fit_vi(std_normal, MeanFieldGaussian(2), estimator="pathwise"), ValueError,
         "Unknown estimator", label="unknown estimator"),
    Case(fit_vi, lambda: fit_vi(std_normal, MeanFieldGaussian(2), lr=-0.1), ValueError, "lr must be finite",
         label="negative lr"),
    Case(logsumexp, lambda: logsumexp(np.zeros(3)), TypeError, "Tensor", label="an ndarray, not a Tensor"),
    Case(logsumexp, lambda: logsumexp(Tensor(np.zeros(3)), axis=2), ValueError, "axis 2", label="axis out of range"),
    Case(gaussian_log_density, lambda: gaussian_log_density(Z2, np.eye(3)), ValueError, "cov must have shape",
         label="cov of the wrong size"),
    Case(gaussian_log_density, lambda: gaussian_log_density(Z2, -I2), ValueError, "positive definite",
         label="negative definite cov"),
    Case(mixture_log_density, lambda: mixture_log_density([0.0, 1.0], [1.0, -1.0]), ValueError,
         "stds must be positive", label="negative std"),
    Case(mixture_log_density, lambda: mixture_log_density([0.0, 1.0], [1.0, 1.0], [0.3, 0.3]), ValueError,
         "sum to 1", label="weights not summing to 1"),
    Case(linear_regression_log_joint, lambda: linear_regression_log_joint(X, Y_REG[:-1], noise_var=1.0,
                                                                          prior_var=1.0), ValueError,
         "mismatched lengths", label="mismatched X, y"),
    Case(linear_regression_log_joint, lambda: linear_regression_log_joint(X, Y_REG, noise_var=0.0, prior_var=1.0),
         ValueError, "noise_var must be finite", label="zero noise"),
    Case(linear_regression_posterior, lambda: linear_regression_posterior(X, Y_REG, noise_var=1.0, prior_var=-1.0),
         ValueError, "prior_var must be finite", label="negative prior variance"),
    Case(linear_regression_posterior, lambda: linear_regression_posterior(X[:, 0], Y_REG, noise_var=1.0,
                                                                          prior_var=1.0), ValueError,
         r"shape \(n_samples, n_features\)", label="1-D X"),
    Case(logistic_regression_log_joint, lambda: logistic_regression_log_joint(X, 2 * Y01 - 1), ValueError,
         "binary labels 0 and 1", label="-1/+1 labels"),
    Case(logistic_regression_log_joint, lambda: logistic_regression_log_joint(X, Y01, prior_var=0.0), ValueError,
         "prior_var must be finite", label="zero prior variance"),
    Case(logistic_predictive, lambda: logistic_predictive(np.zeros((5, 3)), X), ValueError, "3 features but X has 2",
         label="feature mismatch"),
    Case(logistic_predictive, lambda: logistic_predictive(np.zeros(2), X), ValueError,
         r"weights must have shape \(n_samples, n_features\)", label="one weight vector as 1-D"),
    # bayesian nn
    Case(BayesianMLP, lambda: BayesianMLP([2]), ValueError, "at least an input and an output", label="one layer"),
    Case(BayesianMLP, lambda: BayesianMLP([2, 3, 2]), ValueError, "output layer must have size 1",
         label="two outputs"),
    Case(BayesianMLP, lambda: BayesianMLP([2, 1], activation="sigmoid"), ValueError, "Unknown activation",
         label="unknown activation"),
    Case(BayesianMLP, lambda: MLP.forward(np.zeros(5), X), ValueError, "theta", label="theta of the wrong length"),
    Case(BayesianMLP, lambda: MLP.log_likelihood(MLP.init_theta(0), X, Y_REG[:-1]), ValueError, "mismatched lengths",
         label="mismatched X, y"),
    Case(BayesianMLP, lambda: MLP.predict(MLP.init_theta(0)[None], X[:, :1]), ValueError, "1 features",
         label="X with too few features"),
    Case(bayes_by_backprop, lambda: bayes_by_backprop("mlp", X, Y_REG), TypeError, "model must be a BayesianMLP",
         label="not a model"),
    Case(bayes_by_backprop, lambda: bayes_by_backprop(MLP, X, Y_REG, batch_size=100), ValueError,
         "batch_size must be <= 12", label="batch larger than data"),
    Case(leapfrog, lambda: leapfrog(Z2, Z2, lambda x: -x, step_size=0.0, n_steps=3), ValueError, "step_size",
         label="zero step"),
    Case(leapfrog, lambda: leapfrog(Z2, np.zeros(3), lambda x: -x, step_size=0.1, n_steps=3), ValueError,
         "same shape|p has", label="momentum of the wrong size"),
    Case(hmc, lambda: hmc(quad, Z2, n_samples=5, step_size=0.1, jitter=1.0), ValueError, r"jitter must be in \[0, 1\)",
         label="jitter 1"),
    Case(hmc, lambda: hmc(lambda x: (-np.inf, x), Z2, n_samples=5, step_size=0.1), ValueError,
         "not finite at x0", label="start outside the support"),
    Case(hmc, lambda: hmc(quad, Z2, n_samples=0, step_size=0.1), ValueError, "n_samples must be >= 1",
         label="zero samples"),
    Case(predictive_summary, lambda: predictive_summary(np.zeros(5)), ValueError,
         r"predictions must have shape \(n_samples, n_features\)", label="1-D predictions"),
    Case(predictive_summary, lambda: predictive_summary([[np.nan]]), ValueError, "NaN", label="NaN"),
    # gaussian process
    Case(Kernel, lambda: RBF(1.0).clone_with_theta([0.0, 1.0]), ValueError, "theta must have 1 entries",
         label="theta of the wrong length"),
    Case(ConstantKernel, lambda: ConstantKernel(-1.0), ValueError, "constant_value must be finite",
         label="negative constant"),
    Case(ConstantKernel, lambda: ConstantKernel(1.0, constant_value_bounds=(2.0, 1.0)), ValueError,
         "0 < low <= high", label="inverted bounds"),
    Case(WhiteKernel, lambda: WhiteKernel(0.0), ValueError, "noise_level must be finite", label="zero noise"),
    Case(WhiteKernel, lambda: WhiteKernel(1.0).diag(X[:, 0]), ValueError, r"shape \(n_samples, n_features\)",
         label="diag of 1-D X"),
    Case(RBF, lambda: RBF(0.0), ValueError, "length_scale must be finite", label="zero length scale"),
    Case(RBF, lambda: RBF(1.0)(X, X[:, :1]), ValueError, "mismatched numbers of features", label="X/Y features"),
    Case(RBF, lambda: RBF(1.0)(X, X, eval_gradient=True), ValueError, "only supported when Y is None",
         label="gradient with Y"),
    Case(Matern, lambda: Matern(nu=2.0), ValueError, "Unknown nu", label="unsupported nu"),
    Case(Matern, lambda: Matern(length_scale_bounds="free"), ValueError, "pair or 'fixed'", label="string bounds"),
    Case(ExpSineSquared, lambda: ExpSineSquared(periodicity=0.0), ValueError, "periodicity must be finite",
         label="zero period"),
    Case(ExpSineSquared, lambda: ExpSineSquared(1.0, 1.0)([[np.nan]]), ValueError, "NaN", label="NaN X"),
    Case(Sum, lambda: Sum(RBF(1.0), 2.0), TypeError, "k2 must be a Kernel", label="a number"),
    Case(Sum, lambda: (RBF(1.0) + WhiteKernel(1.0))(X, X[:, :1]), ValueError, "features", label="X/Y features"),
    Case(Product, lambda: Product("rbf", RBF(1.0)), TypeError, "k1 must be a Kernel", label="a string"),
    Case(Product, lambda: Product(RBF(1.0), RBF(1.0)).clone_with_theta([0.0]), ValueError,
         "theta must have 2 entries", label="theta of the wrong length"),
    Case(sample_prior, lambda: sample_prior("rbf", X), TypeError, "kernel must be a Kernel", label="string kernel"),
    Case(sample_prior, lambda: sample_prior(RBF(1.0), X, n_samples=0), ValueError, "n_samples must be >= 1",
         label="zero samples"),
    Case(minimize_lbfgs, lambda: minimize_lbfgs(lambda x: (np.nan, x), Z2), ValueError, "not finite at the starting",
         label="NaN objective"),
    Case(minimize_lbfgs, lambda: minimize_lbfgs(lambda x: (0.0, x), Z2, bounds=[(0.0, 1.0)]), ValueError, "bounds",
         label="bounds of the wrong length"),
    Case(minimize_lbfgs, lambda: minimize_lbfgs("f", Z2), TypeError, "callable|function", label="fun not callable"),
    Case(GaussianProcessRegressor, lambda: GaussianProcessRegressor(kernel="rbf").fit(X, Y_REG), TypeError,
         "kernel must be a Kernel", label="string kernel"),
    Case(GaussianProcessRegressor, lambda: GaussianProcessRegressor(alpha=-1.0).fit(X, Y_REG), ValueError,
         "alpha", label="negative alpha"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
