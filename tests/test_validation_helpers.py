"""Silent-garbage regressions from the package-hygiene issue: each call once returned
garbage or left a model in eval mode; now each raises a clear error."""

import numpy as np
import pytest

from scratch._validation import check_token_ids, eval_mode
from scratch.language.gpt import GPT, GPTConfig, estimate_loss, train_gpt
from scratch.language.mlp_lm import MLPLanguageModel, evaluate_nll, train_lm
from scratch.optim import SGD, LambdaLR, cosine_decay, exponential_decay, step_decay, warmup_cosine
from scratch.nn.layers import Linear


def tiny_gpt():
    return GPT(GPTConfig(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=4, dtype="float64"), rng=0)


def test_eval_mode_is_restored_when_the_block_raises():
    model = Linear(2, 2, rng=0)
    model.train()
    with pytest.raises(RuntimeError):
        with eval_mode(model):
            assert not model.training
            raise RuntimeError("boom")
    assert model.training


def test_generate_failure_leaves_the_model_in_training_mode():
    model = tiny_gpt()
    model.train()
    with pytest.raises(ValueError, match="temperature"):
        model.generate([[1, 2]], 3, temperature=0.0)
    with pytest.raises(ValueError, match=r"0 \.\. 4"):
        model.generate([[1, 9]], 3)
    assert model.training


LM = MLPLanguageModel(5, block_size=2, n_embd=2, n_hidden=4, rng=0)
X = np.array([[0, 1], [1, 2], [2, 3]])
Y = np.array([2, 3, 4])


@pytest.mark.parametrize("call, error, match", [
    (lambda: tiny_gpt().generate([[1.7, 2.2]], 2), TypeError, "integer token ids"),
    (lambda: tiny_gpt().generate(np.zeros((1, 0), dtype=int), 2), ValueError, "idx is empty"),
    (lambda: train_gpt(tiny_gpt(), np.arange(50) % 5, np.arange(50) % 5, steps=2, lr=1e-3, min_lr=1e-2),
     ValueError, "min_lr .* must not exceed lr"),
    (lambda: train_gpt(tiny_gpt(), np.arange(50) % 7, np.arange(50) % 5, steps=2), ValueError, "train_ids must lie"),
    (lambda: estimate_loss(tiny_gpt(), np.arange(50) % 5, n_batches=0), ValueError, "n_batches must be >= 1"),
    (lambda: train_lm(LM, X, np.array([2, 3, 4, 0]), steps=1), ValueError, "equal length"),
    (lambda: train_lm(LM, X, Y.astype(float), steps=1), TypeError, "integer token ids"),
    (lambda: train_lm(LM, X, Y, steps=1, optimizer="adamax"), ValueError, "optimizer"),
    (lambda: train_lm(LM, X, Y, steps=2, lr=lambda t: -0.1), ValueError, "learning rate at step 0"),
    (lambda: train_lm(LM, X, Y, steps=2, lr=lambda t: np.inf), ValueError, "must be finite"),
    (lambda: evaluate_nll(LM, X, Y[:2]), ValueError, "equal length"),
    (lambda: warmup_cosine(0, 1e-3, 10, 100, min_lr=1e-2), ValueError, "min_lr .* must not exceed base_lr"),
    (lambda: cosine_decay(-1, 1e-3, 100), ValueError, "t \\(the step index\\) must be >= 0"),
    (lambda: cosine_decay(1, 1e-3, 0), ValueError, "total_steps must be >= 1"),
    (lambda: step_decay(1, 0.1, 0), ValueError, "step_size must be >= 1"),
    (lambda: exponential_decay(1, -0.1, 0.9), ValueError, "base_lr"),
    (lambda: LambdaLR(SGD(Linear(2, 2, rng=0).parameters(), lr=0.1), 0.5), TypeError, "function of the step"),
    (lambda: LambdaLR(SGD(Linear(2, 2, rng=0).parameters(), lr=0.1), lambda t: -1.0), ValueError,
     "learning rate at step 0"),
    (lambda: check_token_ids([[0, 5]], vocab_size=5), ValueError, r"0 \.\. 4"),
])
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_adamw_is_adamw_in_train_lm():
    from scratch.optim import AdamW
    import scratch.language.mlp_lm as mlp_lm

    made = []
    real = mlp_lm.AdamW

    class Spy(real):
        def __init__(self, *a, **k):
            made.append(True)
            super().__init__(*a, **k)

    mlp_lm.AdamW = Spy
    try:
        train_lm(MLPLanguageModel(5, block_size=2, n_embd=2, n_hidden=4, rng=0), X, Y, steps=1, optimizer="adamw", lr=1e-3)
    finally:
        mlp_lm.AdamW = real
    assert made == [True] and issubclass(Spy, AdamW)


# -- classical estimators and LIME ------------------------------------------------------
from scratch.classical.adaboost import AdaBoostClassifier, exponential_loss  # noqa: E402
from scratch.classical.logistic_regression import LogisticRegression, log_softmax, softmax  # noqa: E402
from scratch.classical.pca import PCA  # noqa: E402
from scratch.classical.perceptron import Perceptron  # noqa: E402
from scratch.classical.svm import SVC  # noqa: E402
from scratch.neural.lime import LimeTabular, weighted_ridge  # noqa: E402

RNG = np.random.default_rng(0)
XC = RNG.normal(size=(6, 2))
MIXED = np.array([0, "a", 1, "a", 0, 1], dtype=object)


@pytest.mark.parametrize("call, error, match", [
    (lambda: LogisticRegression().fit(XC, MIXED), TypeError, "mixes label types"),
    (lambda: Perceptron().fit(XC, MIXED), TypeError, "mixes label types"),
    (lambda: SVC().fit(XC, MIXED), TypeError, "mixes label types"),
    (lambda: AdaBoostClassifier().fit(XC, MIXED), TypeError, "mixes label types"),
    (lambda: PCA(whiten=True).fit(np.ones((5, 3))), ValueError, "X is constant"),
    (lambda: PCA(whiten=True).fit(RNG.normal(size=(3, 5))), ValueError, "no variance"),  # rank n - 1 = 2 < 3
    (lambda: softmax([1.0, 2.0]), ValueError, "Z must have shape"),
    (lambda: log_softmax([[1.0, np.nan]]), ValueError, "NaN"),
    (lambda: exponential_loss([0, 1, 1], [0.5, 0.2, -0.1]), ValueError, "labels -1 and \\+1"),
    (lambda: weighted_ridge(XC, XC[:, 0], np.zeros(6)), ValueError, "positive sum"),
    (lambda: weighted_ridge(XC, XC[:, 0], -np.ones(6)), ValueError, "non-negative"),
    (lambda: weighted_ridge(XC, np.r_[np.nan, XC[1:, 0]], np.ones(6)), ValueError, "NaN"),
    (lambda: LimeTabular(n_samples=50, rng=0).fit(XC).explain(XC[0], lambda Z: np.full((len(Z), 2), np.nan)),
     ValueError, "NaN"),
])
def test_classical_and_lime_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_pca_whitening_of_well_conditioned_data_still_works():
    Z = PCA(whiten=True).fit_transform(RNG.normal(size=(50, 3)))
    np.testing.assert_allclose(Z.var(axis=0, ddof=1), 1.0)


# -- recurrent state ----------------------------------------------------------------------
from scratch.autograd import Tensor  # noqa: E402
from scratch.nn.recurrent import GRUCell, LSTMCell, Recurrent, RNNCell  # noqa: E402

X2 = Tensor(np.zeros((2, 3)))


@pytest.mark.parametrize("call, error, match", [
    (lambda: LSTMCell(3, 4, rng=0)(X2, Tensor(np.zeros((2, 4)))), TypeError, "pair \\(h, c\\)"),
    (lambda: LSTMCell(3, 4, rng=0)(X2, (Tensor(np.zeros((1, 4))), Tensor(np.zeros((1, 4))))), ValueError,
     r"\(2, 4\); got \(1, 4\)"),
    (lambda: LSTMCell(3, 4, rng=0)(X2, (Tensor(np.zeros(4)), Tensor(np.zeros(4)))), ValueError, r"got \(4,\)"),
    (lambda: RNNCell(3, 4, rng=0)(X2, Tensor(np.zeros((1, 4)))), ValueError, r"\(2, 4\); got \(1, 4\)"),
    (lambda: GRUCell(3, 4, rng=0)(X2, Tensor(np.zeros((2, 5)))), ValueError, r"\(2, 4\); got \(2, 5\)"),
    (lambda: RNNCell(3, 4, rng=0)(X2, [0.0] * 4), TypeError, "must be a Tensor"),
    (lambda: Recurrent("lstm", 3, 4, rng=0)(Tensor(np.zeros((2, 5, 3))), (Tensor(np.zeros((1, 4))),) * 2),
     ValueError, r"\(2, 4\)"),
])
def test_recurrent_state_is_validated(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- the functional API accepts arrays and refuses non-numbers -------------------------------
import scratch.nn.functional as F  # noqa: E402


@pytest.mark.parametrize("fn", [F.relu, F.tanh, F.sigmoid, F.gelu, F.silu])
def test_functional_activations_take_arrays(fn):
    x = np.array([-1.0, 0.5, 2.0])
    np.testing.assert_allclose(fn(x).data, fn(Tensor(x)).data)
    with pytest.raises(TypeError, match="must be a Tensor or an array of numbers"):
        fn(["a", "b"])


# -- Tensor shape, axis and index errors name the tensor and what to do -------------------------
T6 = Tensor(np.arange(6.0).reshape(2, 3))


@pytest.mark.parametrize("call, error, match", [
    (lambda: T6.sum(axis=2), ValueError, r"sum: axis 2 is out of range"),
    (lambda: T6.mean(axis=(0, 0)), ValueError, "out of range or repeated"),
    (lambda: T6.max(axis=-3), ValueError, "max: axis -3"),
    (lambda: T6.var(axis=5), ValueError, "axis 5"),
    (lambda: T6.sum(axis=1.0), TypeError, "axis must be an int"),
    (lambda: T6.transpose(0, 0), ValueError, "permutation of the axes 0..1"),
    (lambda: T6[5], IndexError, r"tensor of shape \(2, 3\)"),
    (lambda: T6[:, [0, 7]], IndexError, r"tensor of shape \(2, 3\)"),
    (lambda: T6.reshape(4, 2), ValueError, r"cannot reshape a tensor of shape \(2, 3\)"),
    (lambda: T6 @ Tensor(np.ones((2, 2))), ValueError, "matmul shape mismatch"),
])
def test_tensor_errors_are_clear(call, error, match):
    with pytest.raises(error, match=match):
        call()
