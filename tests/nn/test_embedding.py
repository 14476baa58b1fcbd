"""Tests for scratch.nn.embedding: gradcheck and agreement with torch.nn.Embedding."""

import numpy as np
import pytest

from scratch.autograd import Tensor, gradcheck
from scratch.nn.embedding import Embedding, embedding


def test_gradcheck_with_repeated_ids():
    w = Tensor(np.random.default_rng(0).normal(size=(5, 3)), requires_grad=True)
    ids = np.array([[0, 2, 2], [4, 0, 1]])
    assert gradcheck(lambda w: embedding(ids, w), [w])


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_torch(seed, torch_compare):
    torch = pytest.importorskip("torch")
    emb = Embedding(1100, 7, rng=seed)  # > 1024 rows exercises the scatter path
    small = Embedding(11, 7, rng=seed)
    rng = np.random.default_rng(seed)
    for layer in (emb, small):
        ids = rng.integers(0, layer.num_embeddings, (4, 6))
        ref = torch.nn.Embedding(layer.num_embeddings, 7, dtype=torch.float64)
        diffs = torch_compare(layer, ref, [ids], atol=1e-12, rtol=1e-7, seed=seed)
        assert set(diffs) == {"output", "weight grad"}


def test_bad_ids():
    emb = Embedding(4, 2, rng=0)
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        emb(np.array([4]))
    with pytest.raises(TypeError, match="integers"):
        emb(np.array([0.5]))
