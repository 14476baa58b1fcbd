"""Tests for scratch.language.transformers_beyond (page: book/language/transformers_beyond.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor, cross_entropy, gradcheck
from scratch.language.gpt import GPT, GPTConfig
from scratch.language.transformers_beyond import (ADD_VOCAB, EncoderBlock, SmallCNN, VisionTransformer,
                                                  addition_accuracy, addition_examples, patchify,
                                                  train_adder, train_classifier)
from scratch.metrics import accuracy


def test_patchify_matches_torch_unfold():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(3, 8, 8))
    ours = patchify(x, 2)  # (3, 16, 4)
    ref = torch.nn.functional.unfold(torch.from_numpy(x)[:, None], 2, stride=2).transpose(1, 2).numpy()
    np.testing.assert_array_equal(ours, ref)
    np.testing.assert_array_equal(ours[0, 1], x[0, 0:2, 2:4].ravel())


def test_encoder_block_is_not_causal_and_gradchecks():
    blk = EncoderBlock(4, 2, rng=0, dtype=np.float64)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(1, 5, 4))
    x2 = x.copy(); x2[0, 4] = rng.normal(size=4)  # change the last token: the first output must change too
    assert np.abs(blk(Tensor(x)).data[0, 0] - blk(Tensor(x2)).data[0, 0]).max() > 1e-6
    xt = Tensor(x, requires_grad=True)
    assert gradcheck(lambda x, *ps: blk(x), [xt, *blk.parameters()])


def test_vit_gradcheck_and_shapes():
    vit = VisionTransformer(4, 2, n_classes=3, n_embd=4, n_head=2, n_layer=1, rng=0, dtype=np.float64)
    X = np.random.default_rng(2).normal(size=(2, 4, 4))
    y = np.array([0, 2])
    assert vit(X).shape == (2, 3)
    assert gradcheck(lambda *ps: cross_entropy(vit(X), y), vit.parameters())
    maps = vit.attention_maps(X)
    assert len(maps) == 1 and maps[0].shape == (2, 2, 5, 5)


def test_vit_and_cnn_learn_digits_subset():
    load_digits = pytest.importorskip("sklearn.datasets").load_digits
    d = load_digits()
    X, y = (d.images[:600] / 16).astype(np.float32), d.target[:600]
    for model in (VisionTransformer(rng=0), SmallCNN(rng=0)):
        train_classifier(model, X[:500], y[:500], steps=150, rng=0)
        assert accuracy(model, X[500:], y[500:]) > 0.4  # chance is 0.1


def test_addition_examples_format():
    ids, mask = addition_examples(50, (1, 3), rng=0)
    for row, m in zip(ids, mask):
        s = "".join(ADD_VOCAB[i] for i in row)
        a, rest = s.split("+")
        b, ans = rest.split("=")
        assert len(a) == len(b) == 3 and int(ans[:4][::-1]) == int(a) + int(b)
        q = s.index("=")
        assert m[q] and m[q + 4] and not m[q + 5] and m.sum() == 5  # 4 answer digits + "."
    raw, _ = addition_examples(5, (2, 2), rng=1, pad=False)
    s = "".join(ADD_VOCAB[i] for i in raw[0]).rstrip(".")
    a, b = s.split("=")[0].split("+")
    assert s.split("=")[1] == str(int(a) + int(b))[::-1]


def test_adder_training_and_greedy_accuracy_on_a_memorisable_task():
    ids, mask = addition_examples(400, (1, 1), rng=0)  # one-digit sums: 100 problems
    g = GPT(GPTConfig(vocab_size=len(ADD_VOCAB), block_size=8, n_layer=1, n_head=2, n_embd=32), rng=0)
    losses = train_adder(g, ids, mask, steps=600, batch_size=32, lr=1e-2, rng=0)
    assert losses[-10:].mean() < 0.3 * losses[:10].mean()
    assert addition_accuracy(g, ids[:100], mask[:100]) > 0.8


def test_bad_inputs():
    with pytest.raises(ValueError, match="divisible"):
        patchify(np.zeros((1, 8, 8)), 3)
    with pytest.raises(ValueError, match=r"\(B, 8, 8\)"):
        VisionTransformer(rng=0)(np.zeros((2, 7, 7)))
    with pytest.raises(ValueError, match="divisible"):
        VisionTransformer(8, 3)
    with pytest.raises(ValueError, match=r"\(B, 8, 8\)"):
        SmallCNN(rng=0)(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ValueError, match="min <= max"):
        addition_examples(3, (3, 1))
    ids, mask = addition_examples(3, (1, 3), rng=0)
    g = GPT(GPTConfig(vocab_size=13, block_size=8, n_layer=1, n_head=1, n_embd=8), rng=0)
    with pytest.raises(ValueError, match="block_size=8"):
        train_adder(g, ids, mask, steps=1)
    with pytest.raises(ValueError, match="equal length"):
        train_classifier(SmallCNN(rng=0), np.zeros((3, 8, 8)), np.zeros(2, dtype=int))
