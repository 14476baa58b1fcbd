"""Bad-input fuzz of scratch.language: each user mistake gets a clear ValueError/TypeError
raised by scratch itself (see _harness.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.autograd import Tensor  # noqa: E402
from scratch.data.text import CharVocab  # noqa: E402
from scratch.language import attention as att, bigram, facts, finetuning as ft, gpt, mlp_lm  # noqa: E402
from scratch.language import tokenizer as tok, transformers_beyond as tb, wavenet as wn  # noqa: E402
from scratch.nn.layers import Linear  # noqa: E402

VOCAB = CharVocab.from_text(["abc", "cab"], extra=".")
WORDS = ["abc", "cab", "ba"]


def tiny_gpt(**over):
    kw = dict(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=4, dtype="float64")
    kw.update(over)
    return gpt.GPT(gpt.GPTConfig(**kw), rng=0)


def toy():
    return att.ToyTransformer(5, 4, n_embd=4, n_heads=1, rng=0)


def fitted_bpe():
    return tok.BPETokenizer(vocab_size=260).fit("hello world hello")


IDS = np.arange(60) % 5
TX, TY = att.reversal_task(8, length=4, n_symbols=5, rng=0)
LM = mlp_lm.MLPLanguageModel(5, block_size=2, n_embd=2, n_hidden=4, rng=0)
LX, LY = np.array([[0, 1], [1, 2], [2, 3]]), np.array([2, 3, 4])
FACTS = facts.make_facts(n_subjects=4, n_relations=1, n_values=3, rng=0)
ADD_IDS, ADD_MASK = tb.addition_examples(4, (1, 1), rng=0)
IMAGES = np.zeros((3, 8, 8))

CASES = [
    # attention
    Case(att.sinusoidal_positions, lambda: att.sinusoidal_positions(8, 5), ValueError, "dim must be even"),
    Case(att.sinusoidal_positions, lambda: att.sinusoidal_positions(0, 4), ValueError, "n_positions must be >= 1"),
    Case(att.reversal_task, lambda: att.reversal_task(4, length=1), ValueError, "length must be >= 2"),
    Case(att.reversal_task, lambda: att.reversal_task(4.5), TypeError, "n must be an integer"),
    Case(att.ToyTransformer, lambda: att.ToyTransformer(5, 4, mode="local"), ValueError, "Unknown mode"),
    Case(att.ToyTransformer, lambda: att.ToyTransformer(5, 4, n_embd=6, n_heads=4), ValueError, "n_heads|divisible"),
    Case(att.ToyTransformer, lambda: toy()(np.zeros((2, 3), dtype=int)), ValueError, r"ids of shape \(B, 4\)"),
    Case(att.ToyTransformer, lambda: toy()(np.full((2, 4), 7)), ValueError, "symbol ids must lie"),
    Case(att.ToyTransformer, lambda: toy()(np.full((2, 4), 1.5)), TypeError, "integer"),
    Case(att.ToyTransformer, lambda: att.ToyTransformer(5, 4, n_embd=4, n_heads=1, mode="none", rng=0)
         .attention_weights(TX), ValueError, "no attention layer"),
    Case(att.toy_accuracy, lambda: att.toy_accuracy(toy(), TX, TY[:3]), ValueError, "X and Y"),
    Case(att.toy_accuracy, lambda: att.toy_accuracy(toy(), TX, TY + 0.5), TypeError, "integer"),
    Case(att.train_toy, lambda: att.train_toy(toy(), TX, TY, steps=0), ValueError, "steps must be >= 1"),
    Case(att.train_toy, lambda: att.train_toy(toy(), TX, TY[:3], steps=1), ValueError, "X and Y"),
    Case(att.train_toy, lambda: att.train_toy(toy(), TX, TY, steps=1, lr=-1.0), ValueError, "lr must be finite"),
    Case(att.train_toy, lambda: att.train_toy(toy(), TX, TY, steps=1, batch_size=0), ValueError,
         "batch_size must be >= 1"),
    Case(att.attention_cost, lambda: att.attention_cost([]), ValueError, "lengths must be a non-empty"),
    Case(att.attention_cost, lambda: att.attention_cost([8, -4]), ValueError, "lengths must be a non-empty"),
    Case(att.attention_cost, lambda: att.attention_cost([8], repeats=0), ValueError, "repeats must be >= 1"),
    # bigram
    Case(bigram.bigram_pairs, lambda: bigram.bigram_pairs(["abz"], VOCAB), ValueError, "'z'|not in the vocabulary"),
    Case(bigram.bigram_pairs, lambda: bigram.bigram_pairs("abc", VOCAB), ValueError, "non-empty list of words"),
    Case(bigram.bigram_pairs, lambda: bigram.bigram_pairs(WORDS, "abc."), TypeError, "CharVocab"),
    Case(bigram.BigramCounts, lambda: bigram.BigramCounts(alpha=-1).fit(WORDS), ValueError, "alpha must be finite"),
    Case(bigram.BigramCounts, lambda: bigram.BigramCounts().nll(WORDS), ValueError, "not fitted yet"),
    Case(bigram.BigramCounts, lambda: bigram.BigramCounts().fit(WORDS).nll(["abz"]), ValueError,
         "'z'|not in the vocabulary"),
    Case(bigram.BigramCounts, lambda: bigram.BigramCounts().fit(WORDS).sample(-1, rng=0), ValueError,
         "n must be >= 0|n must be >= 1"),
    Case(bigram.BigramCounts, lambda: bigram.BigramCounts().fit([]), ValueError, "empty"),
    Case(bigram.BigramNet, lambda: bigram.BigramNet(0), ValueError, "vocab_size must be >= 1|vocab_size must be >= 2"),
    Case(bigram.BigramNet, lambda: bigram.BigramNet(4, rng=0)(np.array([0, 5])), ValueError, r"embedding ids must lie in \[0, 4\)"),
    Case(bigram.BigramNet, lambda: bigram.BigramNet(4, rng=0)(np.array([0.0, 1.0])), TypeError, "embedding ids must be integers"),
    Case(bigram.train_bigram_net, lambda: bigram.train_bigram_net(np.array([0, 1]), np.array([1]), 4, steps=1),
         ValueError, r"need targets of shape \(2,\)"),
    Case(bigram.train_bigram_net, lambda: bigram.train_bigram_net(np.array([0, 1]), np.array([1, 9]), 4, steps=1),
         ValueError, r"targets must lie in \[0, 4\)"),
    Case(bigram.train_bigram_net, lambda: bigram.train_bigram_net(np.array([0, 1]), np.array([1, 2]), 4, lr=0,
                                                                  steps=1), ValueError, "lr must be finite"),
    # facts
    Case(facts.make_facts, lambda: facts.make_facts(n_subjects=0), ValueError, "n_subjects must be >= 1"),
    Case(facts.make_facts, lambda: facts.make_facts(n_values=1), ValueError, "n_values must be >= 2"),
    Case(facts.FactTable, lambda: facts.FactTable(FACTS.attributes, FACTS.X, FACTS.y[:-1], FACTS.vocab_size),
         ValueError, "X and y|same length|mismatched"),
    Case(facts.FactTable, lambda: facts.FactTable(FACTS.attributes, FACTS.X, FACTS.y, 2), ValueError,
         r"0 \.\. 1"),
    Case(facts.train_facts, lambda: facts.train_facts(tiny_gpt(vocab_size=FACTS.vocab_size), FACTS.X, FACTS.y,
                                                      steps=0), ValueError, "steps must be >= 1"),
    Case(facts.train_facts, lambda: facts.train_facts(tiny_gpt(), FACTS.X, FACTS.y, steps=1), ValueError,
         r"0 \.\. 4"),
    Case(facts.train_facts, lambda: facts.train_facts(tiny_gpt(vocab_size=FACTS.vocab_size), FACTS.X, FACTS.y[:2],
                                                      steps=1), ValueError, "X and y|equal length|mismatched"),
    Case(facts.run_with_interventions, lambda: facts.run_with_interventions(tiny_gpt(), np.array([[0, 9]])),
         ValueError, r"0 \.\. 4"),
    Case(facts.run_with_interventions, lambda: facts.run_with_interventions(
        tiny_gpt(), np.array([[0, 1]]), embed_noise=np.ones((1, 2, 3))), ValueError, "embed_noise"),
    Case(facts.run_with_interventions, lambda: facts.run_with_interventions(
        tiny_gpt(), np.array([[0, 1]]), mlp_patch={(5, 0): np.ones(16)}), ValueError, "mlp_patch|layer"),
    Case(facts.fact_probability, lambda: facts.fact_probability(np.zeros((3, 2, 5)), np.array([0, 1])), ValueError,
         "logits and y must have the same batch size"),
    Case(facts.fact_probability, lambda: facts.fact_probability(np.zeros((2, 2, 5)), np.array([0, 7])), ValueError,
         r"0 \.\. 4"),
    Case(facts.trace_mlp, lambda: facts.trace_mlp(tiny_gpt(vocab_size=FACTS.vocab_size), FACTS.X, FACTS.y,
                                                  noise_scale=-1.0), ValueError, "noise_scale must be finite"),
    Case(facts.trace_mlp, lambda: facts.trace_mlp(tiny_gpt(vocab_size=FACTS.vocab_size), FACTS.X, FACTS.y,
                                                  n_noise=0), ValueError, "n_noise must be >= 1"),
    # finetuning
    Case(ft.LoRALinear, lambda: ft.LoRALinear(Linear(4, 4, rng=0), rank=0), ValueError, "rank must be >= 1"),
    Case(ft.LoRALinear, lambda: ft.LoRALinear(Linear(4, 4, rng=0), alpha=-1.0), ValueError, "alpha must be finite"),
    Case(ft.LoRALinear, lambda: ft.LoRALinear("fc", rank=2), TypeError, "Linear"),
    Case(ft.LoRALinear, lambda: ft.LoRALinear(Linear(4, 4, rng=0), rank=2, rng=0)(Tensor(np.ones((2, 3)))),
         ValueError, r"expects input of shape \(\.\.\., 4\)"),
    Case(ft.apply_lora, lambda: ft.apply_lora(tiny_gpt(), rank=0), ValueError, "rank must be >= 1"),
    Case(ft.apply_lora, lambda: ft.apply_lora(tiny_gpt(), targets=("attn.nothing",)), ValueError, "targets|attn.nothing"),
    Case(ft.apply_lora, lambda: ft.apply_lora("gpt"), TypeError, "GPT"),
    Case(ft.merge_lora, lambda: ft.merge_lora("gpt"), TypeError, "GPT"),
    Case(ft.copy_gpt, lambda: ft.copy_gpt(Linear(2, 2, rng=0)), TypeError, "GPT"),
    Case(ft.finetune, lambda: ft.finetune(tiny_gpt(), IDS, steps=0), ValueError, "steps must be >= 1"),
    Case(ft.finetune, lambda: ft.finetune(tiny_gpt(), IDS + 3, steps=1), ValueError, r"ids must lie in \[0, 5\)"),
    Case(ft.finetune, lambda: ft.finetune(tiny_gpt(), IDS[:3], steps=1), ValueError, "block_size|too short"),
    Case(ft.finetune, lambda: ft.finetune(tiny_gpt(), IDS, steps=1, lr=np.nan), ValueError, "lr must be finite"),
    Case(ft.text_nll, lambda: ft.text_nll(tiny_gpt(), IDS.astype(float)), TypeError, "ids must be integers"),
    Case(ft.text_nll, lambda: ft.text_nll(tiny_gpt(), np.array([1])), ValueError, r"needs more than block_size \+ 1"),
    # gpt
    Case(gpt.GPTConfig, lambda: gpt.GPT(gpt.GPTConfig(n_embd=30, n_head=4)), ValueError, "divisible|n_head"),
    Case(gpt.GPTConfig, lambda: gpt.GPTConfig(vocab_size=0), ValueError, "vocab_size must be >= 1"),
    Case(gpt.GPTConfig, lambda: gpt.GPTConfig(dtype="float16"), ValueError, "dtype"),
    Case(gpt.Block, lambda: gpt.Block(6, 4), ValueError, "divisible|n_head"),
    Case(gpt.Block, lambda: gpt.Block(4, 1, rng=0)(Tensor(np.ones((1, 2, 3)))), ValueError, "4"),
    Case(gpt.GPT, lambda: gpt.GPT({"vocab_size": 5}), TypeError, "GPTConfig"),
    Case(gpt.GPT, lambda: tiny_gpt()(np.zeros((1, 9), dtype=int)), ValueError, "block_size"),
    Case(gpt.GPT, lambda: tiny_gpt()(np.array([[0, 7]])), ValueError, r"ids must lie in \[0, 5\)"),
    Case(gpt.GPT, lambda: tiny_gpt().generate(np.array([[0, 1]]), -1), ValueError, "max_new_tokens must be >= 0"),
    Case(gpt.GPT, lambda: tiny_gpt().generate(np.array([[0, 1]]), 2, top_k=0), ValueError, "top_k must be >= 1"),
    Case(gpt.get_batch, lambda: gpt.get_batch(IDS[:4], 4, 2, np.random.default_rng(0)), ValueError,
         "block_size|too short"),
    Case(gpt.get_batch, lambda: gpt.get_batch(IDS, 4, 0, np.random.default_rng(0)), ValueError,
         "batch_size must be >= 1"),
    Case(gpt.get_batch, lambda: gpt.get_batch(IDS.astype(float), 4, 2, np.random.default_rng(0)), TypeError,
         "integer token ids"),
    Case(gpt.estimate_loss, lambda: gpt.estimate_loss(tiny_gpt(), IDS, n_batches=0), ValueError,
         "n_batches must be >= 1"),
    Case(gpt.estimate_loss, lambda: gpt.estimate_loss(tiny_gpt(), IDS + 10), ValueError, r"ids must lie in \[0, 5\)"),
    Case(gpt.train_gpt, lambda: gpt.train_gpt(tiny_gpt(), IDS, IDS, steps=1, lr=1e-3, min_lr=1e-2), ValueError,
         "min_lr .* must not exceed lr"),
    Case(gpt.train_gpt, lambda: gpt.train_gpt(tiny_gpt(), IDS, IDS, steps=0), ValueError, "steps must be >= 1"),
    Case(gpt.train_gpt, lambda: gpt.train_gpt(tiny_gpt(), IDS, IDS, steps=1, clip=-1.0), ValueError,
         "clip must be finite"),
    Case(gpt.config_dict, lambda: gpt.config_dict({"vocab_size": 5}), TypeError, "GPTConfig|dataclass"),
    Case(gpt.cached_gpt, lambda: gpt.cached_gpt("x", {"vocab_size": 5}, IDS, IDS, steps=1), TypeError,
         "GPTConfig|dataclass"),
    Case(gpt.cached_gpt, lambda: gpt.cached_gpt("x", gpt.GPTConfig(vocab_size=5, block_size=4, n_layer=1, n_head=1,
                                                                   n_embd=4), IDS.astype(float), IDS, steps=1),
         TypeError, "integer token ids"),
    # mlp_lm
    Case(mlp_lm.build_dataset, lambda: mlp_lm.build_dataset(WORDS, VOCAB, 0), ValueError, "block_size must be >= 1"),
    Case(mlp_lm.build_dataset, lambda: mlp_lm.build_dataset(["abz"], VOCAB, 2), ValueError, "'z'|not in the vocabulary"),
    Case(mlp_lm.text_windows, lambda: mlp_lm.text_windows(IDS[:3], 4), ValueError, "block_size|too short"),
    Case(mlp_lm.text_windows, lambda: mlp_lm.text_windows(IDS.astype(float), 4), TypeError, "integer token ids"),
    Case(mlp_lm.MLPLanguageModel, lambda: mlp_lm.MLPLanguageModel(0), ValueError, "vocab_size must be >= 1"),
    Case(mlp_lm.MLPLanguageModel, lambda: LM(np.zeros((2, 3), dtype=int)), ValueError, r"\(B, 2\)|block_size"),
    Case(mlp_lm.MLPLanguageModel, lambda: LM(np.array([[0, 8]])), ValueError, r"ids must lie in \[0, 5\)"),
    Case(mlp_lm.evaluate_nll, lambda: mlp_lm.evaluate_nll(LM, LX, LY[:2]), ValueError, "equal length"),
    Case(mlp_lm.evaluate_nll, lambda: mlp_lm.evaluate_nll(LM, LX, LY, batch_size=0), ValueError,
         "batch_size must be >= 1"),
    Case(mlp_lm.train_lm, lambda: mlp_lm.train_lm(LM, LX, np.array([2, 3, 4, 0]), steps=1), ValueError,
         "equal length"),
    Case(mlp_lm.train_lm, lambda: mlp_lm.train_lm(LM, LX, LY, steps=1, optimizer="adamax"), ValueError, "optimizer"),
    Case(mlp_lm.train_lm, lambda: mlp_lm.train_lm(LM, LX, LY.astype(float), steps=1), TypeError, "integer token ids"),
    Case(mlp_lm.lr_finder, lambda: mlp_lm.lr_finder(lambda: LM, LX, LY, lr_min=1.0, lr_max=0.1), ValueError,
         "lr_min .* lr_max|must be below"),
    Case(mlp_lm.lr_finder, lambda: mlp_lm.lr_finder(lambda: LM, LX, LY, steps=0), ValueError, "steps must be >= 2"),
    Case(mlp_lm.lr_finder, lambda: mlp_lm.lr_finder(LM, LX, LY, steps=2), TypeError, "make_model"),
    # tokenizer
    Case(tok.split_chunks, lambda: tok.split_chunks(b"hello"), TypeError, "split_chunks expects a str"),
    Case(tok.split_chunks, lambda: tok.split_chunks("hello", pattern="("), ValueError, "pattern"),
    Case(tok.BPETokenizer, lambda: tok.BPETokenizer(vocab_size=100).fit("hello"), ValueError,
         "vocab_size must be >= 256"),
    Case(tok.BPETokenizer, lambda: tok.BPETokenizer().encode("hello"), ValueError, "not fitted"),
    Case(tok.BPETokenizer, lambda: tok.BPETokenizer().fit(42), TypeError, "fit expects a str"),
    Case(tok.BPETokenizer, lambda: fitted_bpe().decode([0, 9999]), ValueError, "ids must lie|0 \\.\\. "),
    Case(tok.BPETokenizer, lambda: fitted_bpe().decode([1.5, 2.0]), TypeError, "integer"),
    Case(tok.BPETokenizer, lambda: fitted_bpe().decode([104], errors="ignore-all"), ValueError, "errors"),
    Case(tok.bits_per_character, lambda: tok.bits_per_character(1.0, 10, 0), ValueError, "n_characters must be >= 1"),
    Case(tok.bits_per_character, lambda: tok.bits_per_character(np.nan, 10, 20), ValueError, "nll_nats must be finite"),
    Case(tok.bits_per_character, lambda: tok.bits_per_character(-1.0, 10, 20), ValueError, "nll_nats must be finite"),
    # transformers_beyond
    Case(tb.patchify, lambda: tb.patchify(np.zeros((2, 8, 8)), 3), ValueError, "divisible|divide"),
    Case(tb.patchify, lambda: tb.patchify(np.zeros((8, 8)), 2), ValueError, r"patchify expects \(N, H, W\)"),
    Case(tb.patchify, lambda: tb.patchify(np.zeros((2, 8, 8)), 0), ValueError, "patch must be >= 1"),
    Case(tb.EncoderBlock, lambda: tb.EncoderBlock(6, 4), ValueError, "divisible|n_head"),
    Case(tb.EncoderBlock, lambda: tb.EncoderBlock(0, 1), ValueError, "n_embd must be >= 1"),
    Case(tb.VisionTransformer, lambda: tb.VisionTransformer(image_size=8, patch=3), ValueError, "divisible|divide"),
    Case(tb.VisionTransformer, lambda: tb.VisionTransformer(rng=0)(np.zeros((3, 6, 6))), ValueError, "8"),
    Case(tb.VisionTransformer, lambda: tb.VisionTransformer(rng=0)(np.zeros((3, 64))), ValueError,
         r"images of shape \(B, 8, 8\)"),
    Case(tb.train_classifier, lambda: tb.train_classifier(tb.SmallCNN(rng=0), np.full((3, 8, 8), np.nan),
                                                          np.array([0, 1, 2]), steps=1), ValueError, "NaN or infinite"),
    Case(tb.SmallCNN, lambda: tb.SmallCNN(channels=0), ValueError, "channels must be >= 1"),
    Case(tb.SmallCNN, lambda: tb.SmallCNN(rng=0)(np.zeros((3, 8))), ValueError, "images|shape"),
    Case(tb.train_classifier, lambda: tb.train_classifier(tb.SmallCNN(rng=0), IMAGES, np.array([0, 1]), steps=1),
         ValueError, "X and y|mismatched|equal length"),
    Case(tb.train_classifier, lambda: tb.train_classifier(tb.SmallCNN(rng=0), IMAGES, np.array([0, 1, 10]), steps=1),
         ValueError, r"targets must lie in \[0, 10\)"),
    Case(tb.train_classifier, lambda: tb.train_classifier(tb.SmallCNN(rng=0), IMAGES, np.array([0, 1, 2]), steps=0),
         ValueError, "steps must be >= 1"),
    Case(tb.addition_examples, lambda: tb.addition_examples(4, (3, 1), rng=0), ValueError, "digits"),
    Case(tb.addition_examples, lambda: tb.addition_examples(0, (1, 2), rng=0), ValueError, "n must be >= 1"),
    Case(tb.addition_examples, lambda: tb.addition_examples(4, (1, 3), width=2, rng=0), ValueError, "width"),
    Case(tb.train_adder, lambda: tb.train_adder(tiny_gpt(vocab_size=14, block_size=8), ADD_IDS, ADD_MASK[:2],
                                                steps=1), ValueError, "mask"),
    Case(tb.train_adder, lambda: tb.train_adder(tiny_gpt(vocab_size=14, block_size=8), ADD_IDS, ADD_MASK, steps=0),
         ValueError, "steps must be >= 1"),
    Case(tb.addition_accuracy, lambda: tb.addition_accuracy(tiny_gpt(), ADD_IDS, ADD_MASK), ValueError, r"0 \.\. 4"),
    Case(tb.addition_accuracy, lambda: tb.addition_accuracy(tiny_gpt(vocab_size=14, block_size=8), ADD_IDS,
                                                            ADD_MASK[:, :3]), ValueError, "mask"),
    # wavenet
    Case(wn.SequenceBatchNorm, lambda: wn.SequenceBatchNorm(4, reduce="time"), ValueError, "Unknown reduce"),
    Case(wn.SequenceBatchNorm, lambda: wn.SequenceBatchNorm(0), ValueError, "num_features must be >= 1"),
    Case(wn.SequenceBatchNorm, lambda: wn.SequenceBatchNorm(4, momentum=1.5), ValueError, "momentum"),
    Case(wn.SequenceBatchNorm, lambda: wn.SequenceBatchNorm(4)(Tensor(np.ones((2, 3, 5)))), ValueError, "4"),
    Case(wn.FuseLayer, lambda: wn.FuseLayer(0, 4), ValueError, "c_in must be >= 1"),
    Case(wn.FuseLayer, lambda: wn.FuseLayer(2, 4, rng=0)(Tensor(np.ones((2, 3, 2)))), ValueError, "even|pairs"),
    Case(wn.WaveNetLM, lambda: wn.WaveNetLM(5, block_size=6), ValueError, "power of 2|power of two"),
    Case(wn.WaveNetLM, lambda: wn.WaveNetLM(5, block_size=4, rng=0)(np.zeros((2, 3), dtype=int)), ValueError,
         r"\(B, 4\)|block_size"),
    Case(wn.WaveNetLM, lambda: wn.WaveNetLM(5, block_size=4, rng=0)(np.full((2, 4), 6)), ValueError, r"ids must lie in \[0, 5\)"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
