"""Tests for scratch.language.facts (page: book/language/facts.md)."""

import numpy as np
import pytest

from scratch.language.facts import fact_probability, make_facts, run_with_interventions, trace_mlp, train_facts
from scratch.language.gpt import GPT, GPTConfig


def _model(ft, seed=0, n_layer=2):
    return GPT(GPTConfig(vocab_size=ft.vocab_size, block_size=2, n_layer=n_layer, n_head=2, n_embd=16,
                         dtype="float64"), rng=seed)


def test_make_facts_encoding():
    ft = make_facts(5, 3, 4, rng=0)
    assert ft.X.shape == (15, 2) and ft.vocab_size == 12
    s, r = ft.X[7]
    assert ft.y[7] == 5 + 3 + ft.attributes[s, r - 5]
    assert set(ft.X[:, 1]) == {5, 6, 7} and ft.y.min() >= 8


def test_clean_pass_equals_model():
    ft = make_facts(6, 2, 3, rng=1)
    m = _model(ft)
    out = run_with_interventions(m, ft.X)
    np.testing.assert_allclose(out["logits"], m(ft.X).data, atol=1e-12)


def test_patching_with_own_values_is_identity_and_zero_patch_changes():
    ft = make_facts(6, 2, 3, rng=1)
    m = _model(ft)
    clean = run_with_interventions(m, ft.X)
    same = run_with_interventions(m, ft.X, mlp_patch={(1, 1): clean["mlp"][1][:, 1]})
    np.testing.assert_allclose(same["logits"], clean["logits"], atol=1e-12)
    zero = run_with_interventions(m, ft.X, mlp_patch={(0, 1): np.zeros((12, 16))})
    assert np.all(zero["mlp"][0][:, 1] == 0) and not np.allclose(zero["logits"], clean["logits"])
    # position 1's MLP cannot influence position 0 (causal mask)
    np.testing.assert_allclose(zero["logits"][:, 0], clean["logits"][:, 0], atol=1e-12)


def test_tracing_without_noise_is_clean():
    """With (almost) no corruption, the corrupted and every restored run equal the clean run."""
    ft = make_facts(6, 2, 3, rng=2)
    m = _model(ft)
    tr = trace_mlp(m, ft.X, ft.y, noise_scale=1e-12, n_noise=1)
    np.testing.assert_allclose(tr["restored"], tr["clean"], atol=1e-9)
    assert tr["corrupt"] == pytest.approx(tr["clean"], abs=1e-9)


def test_training_memorises_facts():
    ft = make_facts(16, 2, 4, rng=0)
    m = _model(ft)
    losses = train_facts(m, ft.X, ft.y, steps=150, lr=2e-2)
    assert losses[-1] < 0.05 * losses[0]
    assert np.mean(run_with_interventions(m, ft.X)["logits"][:, -1].argmax(1) == ft.y) == 1.0


def test_fact_probability_is_softmax():
    logits = np.array([[[0.0, 0.0, np.log(2.0)]], [[np.log(3.0), 0.0, -800.0]]])
    np.testing.assert_allclose(fact_probability(logits, np.array([2, 0])), [0.5, 0.75])


@pytest.mark.parametrize("kwargs, match", [
    ({"mlp_patch": {(5, 0): np.zeros((12, 16))}}, "outside"),
    ({"mlp_patch": {(0, 0): np.zeros((3, 16))}}, "shape"),
    ({"embed_noise": np.zeros((12, 2, 3))}, "embed_noise"),
])
def test_bad_interventions(kwargs, match):
    ft = make_facts(6, 2, 3, rng=1)
    with pytest.raises(ValueError, match=match):
        run_with_interventions(_model(ft), ft.X, **kwargs)


@pytest.mark.parametrize("call, match", [
    (lambda: make_facts(0), "n_subjects"),
    (lambda: make_facts(4, 2, 1), "n_values"),
])
def test_bad_facts(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_train_rejects_mismatched_lengths():
    ft = make_facts(6, 2, 3, rng=1)
    with pytest.raises(ValueError, match="one row per fact"):
        train_facts(_model(ft), ft.X, ft.y[:-1], steps=1)
