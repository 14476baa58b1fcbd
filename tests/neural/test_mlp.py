"""Tests for scratch.neural.mlp (page: book/neural/mlp.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor
from scratch.metrics import accuracy, predict_logits
from scratch.neural.mlp import MLP, fit, minibatches, one_hot
from scratch.optim import SGD, Adam


def blobs(n=120, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 2)) * 0.5 + np.array([[0, 0], [3, 0], [0, 3]])[y]
    return X, y


def test_forward_matches_torch_and_closed_form():
    net = MLP((4, 5, 3), activation="tanh", rng=0)
    x = np.random.default_rng(1).normal(size=(6, 4))
    l1, l2 = net.layers
    expected = np.tanh(x @ l1.weight.data + l1.bias.data) @ l2.weight.data + l2.bias.data  # eq-mlp-forward
    np.testing.assert_allclose(net(Tensor(x)).data, expected, atol=1e-14)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_sgd_trajectory_matches_torch(activation, torch_copy):
    torch = pytest.importorskip("torch")
    net = MLP((3, 8, 8, 4), activation=activation, rng=2)
    acts = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}
    ref = torch.nn.Sequential(torch.nn.Linear(3, 8), acts[activation](), torch.nn.Linear(8, 8),
                              acts[activation](), torch.nn.Linear(8, 4)).double()
    torch_copy(net, ref, names={f"layers.{i}.{p}": f"{2 * i}.{p}" for i in range(3) for p in ("weight", "bias")},
               transpose=tuple(f"layers.{i}.weight" for i in range(3)))
    opt, opt_t = SGD(net.parameters(), lr=0.3), torch.optim.SGD(ref.parameters(), lr=0.3)
    rng = np.random.default_rng(3)
    for _ in range(20):
        x, y = rng.normal(size=(5, 3)), rng.integers(0, 4, 5)
        opt.zero_grad()
        from scratch.autograd import cross_entropy
        cross_entropy(net(Tensor(x)), y).backward()
        opt.step()
        opt_t.zero_grad()
        torch.nn.functional.cross_entropy(ref(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        opt_t.step()
    for ours, theirs in zip(net.layers, ref[::2]):
        np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy().T, atol=1e-12)


def test_fit_learns_blobs_and_records_budget():
    X, y = blobs()
    net = MLP((2, 16, 3), rng=0)
    hist = fit(net, X, y, Adam(net.parameters(), lr=0.05), epochs=15, batch_size=16, X_val=X, y_val=y, rng=0)
    assert accuracy(net, X, y) > 0.95
    assert hist.train_loss[-1] < hist.train_loss[0] / 3
    assert hist.n_grad_evals == [len(X) * (e + 1) for e in range(15)]  # same budget for any batch size


def test_mse_losses_run():
    X, y = blobs(60)
    for loss in ["mse_onehot", "mse_softmax"]:
        net = MLP((2, 8, 3), rng=0)
        h = fit(net, X, y, SGD(net.parameters(), lr=0.5), epochs=5, loss=loss, rng=0)
        assert h.train_loss[-1] < h.train_loss[0]
    net = MLP((2, 8, 1), rng=0)
    h = fit(net, X, X[:, :1] * 2.0, SGD(net.parameters(), lr=0.05), epochs=10, loss="mse", rng=0)
    assert h.train_loss[-1] < h.train_loss[0] / 2


def test_early_stopping_restores_best_weights():
    X, y = blobs(40, seed=1)
    Xv, yv = blobs(200, seed=2)
    yv = (yv + 1) % 3  # deliberately wrong validation labels: val loss rises as training improves
    net = MLP((2, 16, 3), rng=0)
    hist = fit(net, X, y, Adam(net.parameters(), lr=0.05), epochs=50, X_val=Xv, y_val=yv, patience=3, rng=0)
    assert len(hist.val_loss) == hist.best_epoch + 4  # stopped 3 epochs after the best
    restored = predict_logits(net, Xv)
    from scratch.autograd import cross_entropy
    assert cross_entropy(Tensor(restored), yv).item() == pytest.approx(min(hist.val_loss), rel=1e-10)


def test_helpers():
    np.testing.assert_array_equal(one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    batches = minibatches(10, 4, np.random.default_rng(0))
    assert [len(b) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.sort(np.concatenate(batches)), np.arange(10))


def test_dropout_mlp_eval_is_deterministic():
    net = MLP((2, 32, 3), dropout=0.5, rng=0)
    x = np.ones((4, 2))
    np.testing.assert_array_equal(predict_logits(net, x), predict_logits(net, x))
    assert net.training  # predict_logits restores the mode


def test_bad_input():
    X, y = blobs(20)
    net = MLP((2, 4, 3), rng=0)
    opt = SGD(net.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="mismatched lengths"):
        fit(net, X, y[:-1], opt)
    with pytest.raises(TypeError, match="integer class labels"):
        fit(net, X, y.astype(float), opt)
    with pytest.raises(ValueError, match="Unknown loss"):
        fit(net, X, y, opt, loss="hinge")
    with pytest.raises(ValueError, match="needs validation data"):
        fit(net, X, y, opt, patience=3)
    with pytest.raises(ValueError, match="NaN"):
        fit(net, np.full((20, 2), np.nan), y, opt)
    with pytest.raises(ValueError, match="at least an input and an output"):
        MLP((3,))
    with pytest.raises(ValueError, match="Unknown activation"):
        MLP((2, 3), activation="swish")
    with pytest.raises(ValueError, match=r"expects input of shape \(\.\.\., 2\)"):
        net(Tensor(np.ones((3, 5))))
