"""Tests for scratch.language.finetuning (page: book/language/finetuning.md)."""

import numpy as np
import pytest

from scratch.autograd import Tensor, cross_entropy, gradcheck
from scratch.language.finetuning import LoRALinear, apply_lora, copy_gpt, finetune, merge_lora
from scratch.language.gpt import GPT, GPTConfig
from scratch.nn.layers import Linear

CFG = GPTConfig(vocab_size=7, block_size=6, n_layer=2, n_head=2, n_embd=8, dtype="float64")


def test_lora_linear_gradcheck_and_frozen_base():
    lin = Linear(5, 4, rng=0)
    lora = LoRALinear(lin, rank=2, alpha=3.0, rng=1)
    lora.lora_B.data[...] = np.random.default_rng(2).normal(size=(2, 4))  # non-zero B to test all paths
    x = Tensor(np.random.default_rng(3).normal(size=(3, 5)), requires_grad=True)
    assert gradcheck(lambda x, a, b: lora(x), [x, lora.lora_A, lora.lora_B])
    out = lora(x)
    out.sum().backward()
    assert lin.weight.grad is None and lin.bias.grad is None  # frozen: no gradient computed
    np.testing.assert_allclose(out.data, x.data @ lora.merged_weight() + lin.bias.data, atol=1e-12)


def test_lora_starts_as_identity_update():
    m = GPT(CFG, rng=0)
    idx = np.array([[1, 2, 3, 4, 5, 6]])
    before = m(idx).data
    params = apply_lora(m, rank=2, rng=0)
    np.testing.assert_allclose(m(idx).data, before, atol=1e-14)  # B = 0
    C = CFG.n_embd
    per_block = 2 * ((C + C) + (C + 2 * C) + (C + C) + (C + 4 * C) + (4 * C + C))
    assert sum(p.size for p in params) == CFG.n_layer * per_block
    assert all(p.requires_grad for p in params)
    assert sum(p.size for p in m.parameters() if p.requires_grad) == CFG.n_layer * per_block


def test_lora_finetune_changes_only_adapters_and_merge_is_exact():
    ids = np.tile(np.arange(7), 30)
    m = GPT(CFG, rng=0)
    frozen = {k: v.copy() for k, v in m.state_dict().items()}
    params = apply_lora(m, rank=2, rng=0)
    losses = finetune(m, ids, params, steps=40, batch_size=4, lr=1e-2, rng=0)
    assert losses[-5:].mean() < losses[:5].mean()
    for name, p in m.named_parameters():
        if "lora" not in name:
            np.testing.assert_array_equal(p.data, frozen[name.replace(".base", "")])
    idx = ids[None, :6]
    adapted = m(idx).data
    merge_lora(m)
    assert not any("lora" in n for n, _ in m.named_parameters())
    np.testing.assert_allclose(m(idx).data, adapted, atol=1e-12)


def test_full_finetune_changes_copy_not_original():
    ids = np.tile(np.arange(7), 30)
    base = GPT(CFG, rng=0)
    ref = base.state_dict()
    clone = copy_gpt(base)
    finetune(clone, ids, steps=5, batch_size=4, lr=1e-2, rng=0)
    for k, v in base.state_dict().items():
        np.testing.assert_array_equal(v, ref[k])
    assert any(np.abs(v - ref[k]).max() > 0 for k, v in clone.state_dict().items())


def test_bad_inputs():
    with pytest.raises(TypeError, match="Linear"):
        LoRALinear(object())
    with pytest.raises(ValueError, match="rank"):
        LoRALinear(Linear(3, 2, rng=0), rank=3)
    m = GPT(CFG, rng=0)
    apply_lora(m, rng=0)
    with pytest.raises(ValueError, match="already has a LoRA"):
        apply_lora(m, rng=0)
    with pytest.raises(ValueError, match="not a Linear"):
        apply_lora(GPT(CFG, rng=0), targets=("ln1",))
    frozen = GPT(CFG, rng=0)
    for p in frozen.parameters():
        p.requires_grad = False
    with pytest.raises(ValueError, match="no trainable"):
        finetune(frozen, np.arange(20) % 7, steps=1)


def test_text_nll_matches_direct_computation():
    from scratch.language.finetuning import text_nll
    m = GPT(CFG, rng=0)
    ids = np.random.default_rng(0).integers(0, 7, 20)
    x, y = ids[:18].reshape(3, 6), ids[1:19].reshape(3, 6)
    logp = m(x).log_softmax().data
    ref = -np.take_along_axis(logp, y[..., None], -1).mean()
    assert abs(text_nll(m, ids) - ref) < 1e-12
    with pytest.raises(ValueError, match="more than block_size"):
        text_nll(m, ids[:6])
