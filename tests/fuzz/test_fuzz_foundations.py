"""Bad-input fuzz of scratch.foundations: finite differences, the Value MLP helpers, numpy
linear algebra, the optimisation test functions and drivers, and the two backprop chapters.
Each case must raise a clear ValueError/TypeError from scratch itself."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.autograd.value import Value  # noqa: E402
from scratch.autograd.value_nn import MLP  # noqa: E402
from scratch.foundations import backprop as bp  # noqa: E402
from scratch.foundations import backprop_deep_dive as dd  # noqa: E402
from scratch.foundations import derivatives as dv  # noqa: E402
from scratch.foundations import numpy_linear_algebra as la  # noqa: E402
from scratch.foundations import optimization as op  # noqa: E402
from scratch.optim.optimizers import SGD  # noqa: E402

X4 = np.arange(8.0).reshape(4, 2)
Y_PM1 = np.array([1.0, -1.0, 1.0, -1.0])
BP = bp.init_params(2, 3, 2, rng=0)
DD = dd.init_params(5, block_size=3, n_embd=2, n_hidden=4, rng=0)
DD_X = np.array([[0, 1, 2], [1, 2, 3], [2, 3, 4], [0, 0, 1]])
DD_Y = np.array([3, 4, 0, 2])
H = op.make_quadratic(10.0)


def mlp():
    return MLP(2, [3, 1], rng=0)


def sgd(p):
    return SGD(p, lr=0.1)


EXEMPT = {
    "scratch.foundations.derivatives.ValueTrainingHistory":
        "a result record filled by train_value_mlp; users never construct it from their own data",
    "scratch.foundations.numpy_linear_algebra.Subspaces":
        "a NamedTuple returned by four_subspaces; it holds results, not user input",
    "scratch.foundations.optimization.Trajectory":
        "a result record returned by minimize; it holds results, not user input",
    "scratch.foundations.optimization.SGDResult":
        "a result record returned by minibatch_sgd; it holds results, not user input",
}

CASES = [
    # ---- derivatives -------------------------------------------------------------------
    Case(dv.forward_difference, lambda: dv.forward_difference(np.sin, 1.0, h=0.0), ValueError, "h must be",
         label="h = 0"),
    Case(dv.forward_difference, lambda: dv.forward_difference("sin", 1.0), TypeError, "callable",
         label="f is a string"),
    Case(dv.forward_difference, lambda: dv.forward_difference(np.sin, np.nan), ValueError, "NaN", label="NaN x"),
    Case(dv.central_difference, lambda: dv.central_difference(np.sin, "1.0"), TypeError, "real number",
         label="x is a string"),
    Case(dv.central_difference, lambda: dv.central_difference(np.sin, [], h=1e-5), ValueError, "empty",
         label="empty x"),
    Case(dv.central_difference, lambda: dv.central_difference(np.sin, 1.0, h=-1e-5), ValueError, "h must be",
         label="negative h"),
    Case(dv.numerical_gradient, lambda: dv.numerical_gradient(np.sum, np.ones((2, 2))), ValueError, r"\(n_samples,\)",
         label="2-D x"),
    Case(dv.numerical_gradient, lambda: dv.numerical_gradient(np.sum, [1.0, np.inf]), ValueError, "NaN",
         label="inf in x"),
    Case(dv.numerical_gradient, lambda: dv.numerical_gradient(np.sin, [1.0, 2.0]), ValueError, "scalar|one number",
         label="f returns a vector"),
    Case(dv.difference_errors, lambda: dv.difference_errors(np.sin, np.cos, 1.0, [1e-3, 0.0]), ValueError,
         "step size must be > 0", label="a zero step"),
    Case(dv.difference_errors, lambda: dv.difference_errors(np.sin, np.cos, 1.0, [1e-3], method="backward"),
         ValueError, "method", label="unknown method"),
    Case(dv.difference_errors, lambda: dv.difference_errors(np.sin, np.cos, 1.0, [1e-3], dtype=np.int64),
         TypeError, "floating-point", label="integer dtype"),
    Case(dv.optimal_step, lambda: dv.optimal_step("backward"), ValueError, "method", label="unknown method"),
    Case(dv.optimal_step, lambda: dv.optimal_step(dtype=np.int32), TypeError, "floating-point", label="int dtype"),
    Case(dv.value_gradients, lambda: dv.value_gradients(lambda a: a * 2), ValueError, "at least one",
         label="no inputs"),
    Case(dv.value_gradients, lambda: dv.value_gradients(lambda a: 2.0, 1.0), TypeError, "must return a Value",
         label="fn returns a float"),
    Case(dv.train_value_mlp, lambda: dv.train_value_mlp(mlp(), X4, np.array([0.0, 1.0, 0.0, 1.0])), ValueError,
         "-1|\\+1", label="labels 0/1 instead of -1/+1"),
    Case(dv.train_value_mlp, lambda: dv.train_value_mlp(mlp(), X4, Y_PM1[:3]), ValueError, "mismatched lengths",
         label="y too short"),
    Case(dv.train_value_mlp, lambda: dv.train_value_mlp(mlp(), X4, Y_PM1, learning_rate=0.0), ValueError,
         "learning_rate", label="learning rate 0"),
    Case(dv.train_value_mlp, lambda: dv.train_value_mlp("mlp", X4, Y_PM1), TypeError, "MLP", label="not an MLP"),
    Case(dv.train_value_mlp, lambda: dv.train_value_mlp(mlp(), np.ones((4, 3)), Y_PM1), ValueError, "features|inputs",
         label="wrong number of features"),
    Case(dv.predict_value_mlp, lambda: dv.predict_value_mlp(mlp(), np.ones((4, 3))), ValueError, "features|inputs",
         label="wrong number of features"),
    Case(dv.predict_value_mlp, lambda: dv.predict_value_mlp(mlp(), np.ones(2)), ValueError, "n_samples, n_features",
         label="1-D X"),
    Case(dv.value_mlp_weights, lambda: dv.value_mlp_weights(mlp(), which="weights"), ValueError, "which",
         label="unknown which"),
    Case(dv.value_mlp_weights, lambda: dv.value_mlp_weights([1, 2]), TypeError, "MLP", label="not an MLP"),
    # ---- numpy linear algebra ------------------------------------------------------------
    Case(la.pairwise_sq_dists, lambda: la.pairwise_sq_dists(X4, np.ones((3, 3))), ValueError, "features|columns",
         label="different widths"),
    Case(la.pairwise_sq_dists, lambda: la.pairwise_sq_dists(np.ones(3)), ValueError, "n_samples, n_features",
         label="1-D X"),
    Case(la.pairwise_sq_dists_loop, lambda: la.pairwise_sq_dists_loop(X4, [[np.nan, 1.0]]), ValueError, "NaN",
         label="NaN in Y"),
    Case(la.to_grayscale, lambda: la.to_grayscale(np.ones((4, 4))), ValueError, "3-D|shape", label="2-D image"),
    Case(la.to_grayscale, lambda: la.to_grayscale(np.ones((4, 4, 2))), ValueError, "3|channels|RGB",
         label="two channels"),
    Case(la.four_subspaces, lambda: la.four_subspaces(np.ones(3)), ValueError, "n_samples, n_features",
         label="1-D A"),
    Case(la.four_subspaces, lambda: la.four_subspaces(np.eye(2), tol=-1.0), ValueError, "tol", label="negative tol"),
    Case(la.project, lambda: la.project(np.ones(4), np.ones((3, 2))), ValueError, "rows|length", label="b too long"),
    Case(la.project, lambda: la.project(np.ones(3), np.ones((3, 2)), tol="small"), TypeError, "tol",
         label="string tol"),
    Case(la.least_squares, lambda: la.least_squares(np.ones((3, 2)), np.ones(4)), ValueError, "rows",
         label="b too long"),
    Case(la.least_squares, lambda: la.least_squares(np.ones((3, 2)), np.ones(3), method="lu"), ValueError, "method",
         label="unknown method"),
    Case(la.least_squares, lambda: la.least_squares(np.ones((3, 2)), np.ones(3), method="normal"), ValueError,
         "positive definite|rank-deficient", label="rank-deficient A, normal equations"),
    Case(la.least_squares, lambda: la.least_squares(np.ones((2, 3)), np.ones(2), method="qr"), ValueError,
         "at least as many rows", label="wide A with QR"),
    Case(la.low_rank_approx, lambda: la.low_rank_approx(np.eye(3), 4), ValueError, "k must be <=", label="k > rank"),
    Case(la.low_rank_approx, lambda: la.low_rank_approx(np.eye(3), 0), ValueError, "k must be >=", label="k = 0"),
    Case(la.low_rank_approx, lambda: la.low_rank_approx(np.eye(3), 1, factors=(np.eye(3), np.ones(3))), ValueError,
         "triple", label="two factors"),
    Case(la.eckart_young_error, lambda: la.eckart_young_error([1.0, 2.0, 3.0], 1), ValueError, "decreasing",
         label="increasing singular values"),
    Case(la.eckart_young_error, lambda: la.eckart_young_error([3.0, 2.0], 3), ValueError, "k must be <=",
         label="k too large"),
    # ---- optimisation ----------------------------------------------------------------------
    Case(op.make_quadratic, lambda: op.make_quadratic(0.5), ValueError, ">= 1", label="condition number < 1"),
    Case(op.make_quadratic, lambda: op.make_quadratic(10.0, largest=-1.0), ValueError, "largest",
         label="negative largest"),
    Case(op.make_quadratic, lambda: op.make_quadratic(10.0, angle=np.nan), ValueError, "angle|finite",
         label="NaN angle"),
    Case(op.quadratic, lambda: op.quadratic(np.ones(3), H), ValueError, "coordinates", label="3 coordinates, 2x2 H"),
    Case(op.quadratic, lambda: op.quadratic(np.ones(2), np.array([[1.0, 2.0], [0.0, 1.0]])), ValueError, "symmetric",
         label="non-symmetric H"),
    Case(op.quadratic_grad, lambda: op.quadratic_grad(np.ones(2), np.ones((2, 3))), ValueError, "symmetric square",
         label="non-square H"),
    Case(op.quadratic_grad, lambda: op.quadratic_grad([np.nan, 1.0], H), ValueError, "NaN", label="NaN x"),
    Case(op.rosenbrock, lambda: op.rosenbrock(np.ones(3)), ValueError, "2 variables", label="3 variables"),
    Case(op.rosenbrock, lambda: op.rosenbrock(np.ones(2), b=np.nan), ValueError, "b|finite", label="NaN b"),
    Case(op.rosenbrock_grad, lambda: op.rosenbrock_grad(np.ones((4, 3))), ValueError, "2 variables",
         label="3 variables"),
    Case(op.minimize, lambda: op.minimize(sgd, [1.0, 1.0], 10), ValueError, "loss_fn", label="no loss and no grad"),
    Case(op.minimize, lambda: op.minimize(sgd, [1.0, 1.0], -1, grad_fn=op.rosenbrock_grad), ValueError, "n_steps",
         label="negative n_steps"),
    Case(op.minimize, lambda: op.minimize(sgd, [[1.0, 1.0]], 10, grad_fn=op.rosenbrock_grad), ValueError,
         r"x0 must have shape \(n_samples,\)", label="2-D x0"),
    Case(op.minimize, lambda: op.minimize(sgd, [1.0, 1.0], 10, grad_fn=lambda x: np.ones(3)), ValueError,
         "grad_fn|shape", label="grad_fn returns the wrong shape"),
    Case(op.minimize, lambda: op.minimize("sgd", [1.0, 1.0], 10, grad_fn=op.rosenbrock_grad), TypeError,
         "optimizer_factory|callable", label="optimizer_factory is a string"),
    Case(op.steps_to_tolerance, lambda: op.steps_to_tolerance(np.ones((5, 2)), np.ones(3), 1e-3), ValueError,
         "coordinates", label="x_star of another size"),
    Case(op.steps_to_tolerance, lambda: op.steps_to_tolerance(np.ones((5, 2)), np.ones(2), 0.0), ValueError, "tol",
         label="tol = 0"),
    Case(op.minibatch_sgd, lambda: op.minibatch_sgd(X4, np.ones(3), sgd, batch_size=2, n_epochs=1), ValueError,
         "mismatched lengths", label="y too short"),
    Case(op.minibatch_sgd, lambda: op.minibatch_sgd(X4, np.ones(4), sgd, batch_size=0, n_epochs=1), ValueError,
         "batch_size", label="batch_size 0"),
    Case(op.minibatch_sgd, lambda: op.minibatch_sgd(X4, np.ones(4), sgd, batch_size=9, n_epochs=1), ValueError,
         "batch_size", label="batch larger than the data"),
    Case(op.minibatch_sgd, lambda: op.minibatch_sgd(X4, np.ones(4), lambda p: SGD(p, lr=1e6), batch_size=2,
                                                    n_epochs=50, rng=0), ValueError, "diverged",
         label="learning rate far too large"),
    # ---- backprop (two-layer MLP) ------------------------------------------------------------
    Case(bp.init_params, lambda: bp.init_params(2, 3, 1), ValueError, "n_out must be >= 2", label="one class"),
    Case(bp.init_params, lambda: bp.init_params(2, 3, 2, dtype=np.int64), TypeError, "floating-point",
         label="integer dtype"),
    Case(bp.mlp_forward, lambda: bp.mlp_forward(X4, np.array([0.0, 1.0, 0.0, 1.0]), BP), TypeError,
         "integer class labels", label="float labels"),
    Case(bp.mlp_forward, lambda: bp.mlp_forward(X4, np.array([0, 1, 2, 1]), BP), ValueError, r"labels in \[0, 2\)",
         label="label out of range"),
    Case(bp.manual_backward, lambda: bp.manual_backward(np.ones((4, 3)), np.array([0, 1, 0, 1]), BP), ValueError,
         "features|W1", label="wrong number of features"),
    Case(bp.manual_backward, lambda: bp.manual_backward(X4, np.array([0, 1, 0]), BP), ValueError, "shape",
         label="y too short"),
    Case(bp.engine_gradients, lambda: bp.engine_gradients(X4, np.array([0, 1, 0, 1]), {"W1": BP["W1"]}), TypeError,
         "params|missing|W2", label="missing parameters"),
    Case(bp.engine_gradients, lambda: bp.engine_gradients(X4, np.array([0, 1, 0, 1]), [1, 2]), TypeError,
         "dict|params", label="params not a dict"),
    # ---- backprop deep dive (MLP language model) -------------------------------------------------
    Case(dd.init_params, lambda: dd.init_params(1), ValueError, "vocab_size", label="vocabulary of 1"),
    Case(dd.init_params, lambda: dd.init_params(5, n_hidden=0), ValueError, "n_hidden", label="no hidden units"),
    Case(dd.forward, lambda: dd.forward(DD, DD_X.astype(float), DD_Y), TypeError, "integer token ids",
         label="float ids"),
    Case(dd.forward, lambda: dd.forward(DD, DD_X[:, :2], DD_Y), ValueError, "context positions",
         label="block_size 2 instead of 3"),
    Case(dd.forward, lambda: dd.forward(DD, DD_X, np.array([3, 4, 0, 9])), ValueError, r"lie in \[0, 5\)",
         label="target out of range"),
    Case(dd.forward, lambda: dd.forward(DD, DD_X, DD_Y, eps=0.0), ValueError, "eps", label="eps = 0"),
    Case(dd.forward, lambda: dd.forward({"C": DD["C"]}, DD_X, DD_Y), ValueError, "missing", label="missing params"),
    Case(dd.batchnorm_backward, lambda: dd.batchnorm_backward(np.ones((4, 3)), np.ones((4, 2)), np.ones(3),
                                                              np.ones((1, 3))),
         ValueError, "same shape|shape", label="dout and xhat differ"),
    Case(dd.batchnorm_backward, lambda: dd.batchnorm_backward(np.ones((4, 3)), np.ones((4, 3)), np.ones(2),
                                                              np.ones((1, 3))),
         ValueError, "gain", label="gain of wrong size"),
    Case(dd.backward, lambda: dd.backward(DD, {"X": DD_X}), ValueError, "cache|forward", label="incomplete cache"),
    Case(dd.backward, lambda: dd.backward(dd.init_params(6, 3, 2, 4, rng=0), dd.forward(DD, DD_X, DD_Y)[1]),
         ValueError, "params|cache|shape", label="params of another model"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
