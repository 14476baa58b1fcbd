"""Bad-input cases for scratch.classical (see _harness.py for the format).

The estimators' fit/predict are also swept with malformed X and y by test_fuzz_estimators.py
(over tests/test_estimator_contract.py's ESTIMATORS); here: their hyperparameters and the
module-level functions.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.classical.adaboost import AdaBoostClassifier, Stump, exponential_loss, fit_stump  # noqa: E402
from scratch.classical.knn import KNeighborsClassifier  # noqa: E402
from scratch.classical.learning_theory import (ThresholdClassifier, clone, cross_val_score,  # noqa: E402
                                               empirical_rademacher, hoeffding_bound, kfold_indices, labelings,
                                               noisy_threshold_risk, threshold_errors)
from scratch.classical.linear_regression import (LinearRegression, bias_variance,  # noqa: E402
                                                 mean_squared_error, polynomial_features)
from scratch.classical.logistic_regression import (LogisticRegression, linear_scores, log_softmax,  # noqa: E402
                                                   sigmoid, softmax)
from scratch.classical.pca import PCA, knn_preservation  # noqa: E402
from scratch.classical.perceptron import Perceptron, margin, mistake_bound  # noqa: E402
from scratch.classical.poisson_glm import (ConvergenceWarning, PoissonGLM, poisson_deviance,  # noqa: E402
                                           poisson_log_likelihood, spike_history_design)
from scratch.classical.svm import SVC, hinge_loss, kernel_matrix  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(20, 3))
Y_PM = np.where(X[:, 0] > 0, 1.0, -1.0)
Y01 = (X[:, 0] > 0).astype(int)
STUMP = Stump(0, 0.0, -1.0, 1.0)

CASES = [
    # hyperparameters of the estimators (checked in fit)
    Case(LinearRegression, lambda: LinearRegression(solver="svd").fit(X, X[:, 0]), ValueError, "Unknown solver",
         label="unknown solver"),
    Case(LinearRegression, lambda: LinearRegression(alpha=-1.0).fit(X, X[:, 0]), ValueError,
         "alpha must be finite and >= 0", label="negative alpha"),
    Case(LogisticRegression, lambda: LogisticRegression(max_iter=0).fit(X, Y01), ValueError, "max_iter must be >= 1",
         label="zero max_iter"),
    Case(LogisticRegression, lambda: LogisticRegression().fit(X, np.zeros(20)), ValueError, "class",
         label="one class only"),
    Case(KNeighborsClassifier, lambda: KNeighborsClassifier(0).fit(X, Y01), ValueError, "n_neighbors must be >= 1",
         label="zero neighbours"),
    Case(KNeighborsClassifier, lambda: KNeighborsClassifier(2.5).fit(X, Y01), TypeError,
         "n_neighbors must be an integer", label="float neighbours"),
    Case(Perceptron, lambda: Perceptron(learning_rate=0.0).fit(X, Y01), ValueError, "learning_rate must be finite",
         label="zero learning rate"),
    Case(SVC, lambda: SVC(kernel="sigmoid").fit(X, Y01), ValueError, "Unknown kernel", label="unknown kernel"),
    Case(SVC, lambda: SVC(C=-1.0).fit(X, Y01), ValueError, "C must be finite and > 0", label="negative C"),
    Case(AdaBoostClassifier, lambda: AdaBoostClassifier(n_estimators=0).fit(X, Y01), ValueError,
         "n_estimators must be >= 1", label="zero rounds"),
    Case(AdaBoostClassifier, lambda: AdaBoostClassifier(n_estimators=2).fit(X, Y01).staged_error(X, Y01[:-1]),
         ValueError, "samples|length", label="staged_error with short y"),
    Case(PCA, lambda: PCA(n_components=5).fit(X), ValueError, "n_components must be <= 3",
         label="more components than features"),
    Case(PCA, lambda: PCA(n_components=2).fit(X).inverse_transform(np.zeros((2, 3))), ValueError, "2",
         label="inverse_transform of the wrong width"),
    Case(PoissonGLM, lambda: PoissonGLM().fit(X, -np.ones(20)), ValueError, "non-negative|counts",
         label="negative counts"),
    Case(PoissonGLM, lambda: PoissonGLM(tol=0.0).fit(X, np.ones(20)), ValueError, "tol must be finite and > 0",
         label="zero tol"),
    Case(ThresholdClassifier, lambda: ThresholdClassifier([]).fit(X[:, :1], Y_PM), ValueError, "grid is empty",
         label="empty grid"),
    Case(ThresholdClassifier, lambda: ThresholdClassifier([0.0]).fit(X, Y_PM), ValueError, "single feature",
         label="several features"),
    # adaboost
    Case(Stump, lambda: Stump(5, 0.0, -1.0, 1.0).predict(X), ValueError, "feature 5", label="feature out of range"),
    Case(Stump, lambda: STUMP.predict(X[:, 0]), ValueError, r"shape \(n_samples, n_features\)", label="1-D X"),
    Case(Stump, lambda: Stump(0, 0.0, 0.0, 1.0).predict(X), ValueError, r"left and right must be -1 or \+1",
         label="prediction 0"),
    Case(Stump, lambda: Stump(0.5, 0.0, -1.0, 1.0).predict(X), TypeError, "feature must be an integer", label="float feature"),
    Case(exponential_loss, lambda: exponential_loss(Y01, np.zeros(20)), ValueError, "labels -1 and \\+1",
         label="0/1 labels"),
    Case(exponential_loss, lambda: exponential_loss(Y_PM, np.zeros(19)), ValueError, "mismatched shapes",
         label="mismatched lengths"),
    Case(fit_stump, lambda: fit_stump(X, Y_PM, sample_weight=-np.ones(20)), ValueError, "non-negative",
         label="negative weights"),
    Case(fit_stump, lambda: fit_stump(X, Y_PM, criterion="entropy"), ValueError, "Unknown criterion",
         label="unknown criterion"),
    Case(fit_stump, lambda: fit_stump(X, Y_PM, sample_weight=np.ones(5)), ValueError, "5 entries",
         label="weights of the wrong length"),
    # learning theory
    Case(threshold_errors, lambda: threshold_errors(X[:, 0], Y_PM[:-1], [0.0]), ValueError, "mismatched lengths",
         label="mismatched x, y"),
    Case(threshold_errors, lambda: threshold_errors(X[:, 0], Y01, [0.0]), ValueError, "labels -1 and \\+1",
         label="0/1 labels"),
    Case(hoeffding_bound, lambda: hoeffding_bound(100, 1.5), ValueError, r"delta must lie in \(0, 1\)",
         label="delta > 1"),
    Case(hoeffding_bound, lambda: hoeffding_bound(0, 0.05), ValueError, "n_samples must be >= 1", label="zero n"),
    Case(hoeffding_bound, lambda: hoeffding_bound(100, 0.05, n_hypotheses=0), ValueError,
         "n_hypotheses must be >= 1", label="zero hypotheses"),
    Case(kfold_indices, lambda: kfold_indices(3, 5), ValueError, "n_splits", label="more folds than samples"),
    Case(kfold_indices, lambda: kfold_indices(10, 1), ValueError, "n_splits must be >= 2", label="one fold"),
    Case(kfold_indices, lambda: kfold_indices(10.0, 2), TypeError, "n_samples must be an integer",
         label="float n_samples"),
    Case(clone, lambda: clone("LinearRegression"), TypeError, "clone expects an estimator instance", label="a string"),
    Case(cross_val_score, lambda: cross_val_score(object(), X, Y01), TypeError, "must have a 'fit' method",
         label="not an estimator"),
    Case(cross_val_score, lambda: cross_val_score(LinearRegression(), X, Y01, scoring="r2"), TypeError,
         "scoring must be a callable", label="string scoring"),
    Case(cross_val_score, lambda: cross_val_score(LinearRegression(), X, Y01[:-2]), ValueError,
         "mismatched lengths", label="mismatched X, y"),
    Case(noisy_threshold_risk, lambda: noisy_threshold_risk([0.2], [0.0]), ValueError, "signs must be -1 or \\+1",
         label="sign 0"),
    Case(noisy_threshold_risk, lambda: noisy_threshold_risk([0.2], [1.0], noise=0.7), ValueError, "noise",
         label="noise above 1/2"),
    Case(labelings, lambda: labelings([0.1, 0.1]), ValueError, "distinct points", label="repeated point"),
    Case(labelings, lambda: labelings([0.1, 0.2], kind="circle"), ValueError, "Unknown kind", label="unknown kind"),
    Case(empirical_rademacher, lambda: empirical_rademacher([0.1, 0.5], n_draws=0), ValueError,
         "n_draws must be >= 1", label="zero draws"),
    Case(empirical_rademacher, lambda: empirical_rademacher([], n_draws=5), ValueError, "empty|at least one",
         label="no points"),
    # linear regression
    Case(polynomial_features, lambda: polynomial_features(X[:, 0], 0), ValueError, "degree must be >= 1",
         label="degree 0"),
    Case(polynomial_features, lambda: polynomial_features(X, 2), ValueError, "one feature|single feature|column",
         label="several columns"),
    Case(mean_squared_error, lambda: mean_squared_error(np.ones(3), np.ones(4)), ValueError, "mismatched|length",
         label="mismatched lengths"),
    Case(mean_squared_error, lambda: mean_squared_error(np.ones(3), [1.0, np.nan, 2.0]), ValueError, "NaN",
         label="NaN prediction"),
    Case(bias_variance, lambda: bias_variance(np.ones((1, 5)), np.ones(5)), ValueError, "at least 2",
         label="one repeat"),
    Case(bias_variance, lambda: bias_variance(np.ones((3, 5)), np.ones(4)), ValueError, "5|4",
         label="mismatched points"),
    # logistic regression
    Case(sigmoid, lambda: sigmoid("1.0"), TypeError, "z must be a number or an array", label="string"),
    Case(sigmoid, lambda: sigmoid([0.0, np.nan]), ValueError, "NaN", label="NaN"),
    Case(linear_scores, lambda: linear_scores(LogisticRegression(), X), ValueError, "not fitted yet",
         label="unfitted estimator"),
    Case(linear_scores, lambda: linear_scores(Perceptron().fit(X, Y01), X[:, :2]), ValueError,
         "X has 2 features, but Perceptron was fitted with 3", label="feature mismatch"),
    Case(log_softmax, lambda: log_softmax(np.zeros(3)), ValueError, r"shape \(n_samples, n_features\)",
         label="1-D scores"),
    Case(softmax, lambda: softmax([[0.0, np.inf]]), ValueError, "NaN or infinite", label="inf score"),
    # pca
    Case(knn_preservation, lambda: knn_preservation(X, X[:-1, :2]), ValueError, "mismatched lengths", label="row mismatch"),
    Case(knn_preservation, lambda: knn_preservation(X, X[:, :2], n_neighbors=20), ValueError,
         "n_neighbors must be <= 19", label="too many neighbours"),
    # perceptron
    Case(margin, lambda: margin(X, Y_PM, np.ones(2)), ValueError, "w has 2 entries", label="w of the wrong length"),
    Case(margin, lambda: margin(X, Y_PM, np.zeros(3)), ValueError, "zero vector", label="zero w"),
    Case(margin, lambda: margin(X, 2 * Y01 + 1, np.ones(3)), ValueError, "labels 0/1 or -1/\\+1",
         label="labels 1/3"),
    Case(mistake_bound, lambda: mistake_bound(X, 0.0), ValueError, "gamma must be finite and > 0", label="zero gamma"),
    Case(mistake_bound, lambda: mistake_bound(X[:, 0], 0.1), ValueError, "shape", label="1-D X"),
    # poisson glm
    Case(poisson_log_likelihood, lambda: poisson_log_likelihood([1, 2], [1.0, -1.0]), ValueError, "rate",
         label="negative rate"),
    Case(poisson_log_likelihood, lambda: poisson_log_likelihood([-1, 2], [1.0, 1.0]), ValueError,
         "non-negative counts", label="negative count"),
    Case(poisson_deviance, lambda: poisson_deviance([1, 2], [1.0]), ValueError, "mismatched lengths",
         label="mismatched lengths"),
    Case(spike_history_design, lambda: spike_history_design(np.ones(10), np.ones(9), 3, 2), ValueError,
         "length|same", label="mismatched lengths"),
    Case(spike_history_design, lambda: spike_history_design(np.ones(10), np.ones(10), 0, 2), ValueError,
         "n_stim_lags must be >= 1", label="zero stimulus lags"),
    Case(ConvergenceWarning, lambda: PoissonGLM(max_iter=1.5).fit(X, np.ones(20)), TypeError,
         "max_iter must be an integer", label="max_iter the warning is about, as a float"),
    # svm
    Case(kernel_matrix, lambda: kernel_matrix(X, X[:, :2]), ValueError, "same number of features",
         label="feature mismatch"),
    Case(kernel_matrix, lambda: kernel_matrix(X, X, gamma=0.0), ValueError, "gamma must be finite and > 0",
         label="zero gamma"),
    Case(kernel_matrix, lambda: kernel_matrix(X, X, kernel="poly", degree=0), ValueError, "degree must be >= 1",
         label="degree 0"),
    Case(hinge_loss, lambda: hinge_loss(Y_PM, np.zeros(19)), ValueError, "mismatched|length|shape",
         label="mismatched lengths"),
    Case(hinge_loss, lambda: hinge_loss(Y01, np.zeros(20)), ValueError, "-1|\\+1", label="0/1 labels"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
