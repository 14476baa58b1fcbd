"""Bad-input cases for scratch.data (see _harness.py for the format)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from _harness import Case, check, ids  # noqa: E402

from scratch.data.census import load_first_names  # noqa: E402
from scratch.data.neurons import glm_neuron_filters, simulate_glm_neuron, von_mises_neuron  # noqa: E402
from scratch.data.synthetic import (adding_problem, flip_labels, nested_spheres, noisy_sine,  # noqa: E402
                                    noisy_threshold, swiss_roll)
from scratch.data.text import CharVocab, split_text, split_words  # noqa: E402
from scratch.data.toy2d import gaussian_blobs, linearly_separable, two_moons, xor  # noqa: E402

EXEMPT = {
    "scratch.data.census.load_surnames": "takes no arguments: nothing a user passes can be wrong",
    "scratch.data.census.names_by_sex": "takes no arguments: nothing a user passes can be wrong",
    "scratch.data.text.load_python_docs": "takes no arguments: nothing a user passes can be wrong",
}

VOCAB = CharVocab("abc")

CASES = [
    Case(load_first_names, lambda: load_first_names("females"), ValueError, "Unknown sex", label="unknown sex"),
    Case(load_first_names, lambda: load_first_names(None), ValueError, "Unknown sex", label="None"),
    Case(von_mises_neuron, lambda: von_mises_neuron(0), ValueError, "n_trials must be >= 1", label="zero trials"),
    Case(von_mises_neuron, lambda: von_mises_neuron(10, peak_rate=-5.0), ValueError, "peak_rate must be finite",
         label="negative rate"),
    Case(von_mises_neuron, lambda: von_mises_neuron(10, gain_shape=0.0), ValueError, "gain_shape must be finite",
         label="zero gain shape"),
    Case(von_mises_neuron, lambda: von_mises_neuron(10, preferred=np.nan), ValueError, "preferred",
         label="NaN preferred direction"),
    Case(von_mises_neuron, lambda: von_mises_neuron(10, rng="seed"), TypeError, "rng must be", label="string rng"),
    Case(glm_neuron_filters, lambda: glm_neuron_filters(0, 5), ValueError, "n_stim_lags must be >= 1",
         label="zero stimulus lags"),
    Case(glm_neuron_filters, lambda: glm_neuron_filters(5, 2.0), TypeError, "n_hist_lags must be an integer",
         label="float history lags"),
    Case(simulate_glm_neuron, lambda: simulate_glm_neuron(100, bias=np.inf), ValueError, "bias must be finite",
         label="inf bias"),
    Case(simulate_glm_neuron, lambda: simulate_glm_neuron(100, stim_filter=np.ones((2, 2))), ValueError,
         r"stim_filter must have shape \(n_samples,\)", label="2-D filter"),
    Case(simulate_glm_neuron, lambda: simulate_glm_neuron(100, hist_filter=[np.nan]), ValueError, "NaN",
         label="NaN history filter"),
    Case(simulate_glm_neuron, lambda: simulate_glm_neuron(-1), ValueError, "n_bins must be >= 1",
         label="negative length"),
    Case(noisy_sine, lambda: noisy_sine(10, low=1.0, high=0.0), ValueError, "high > low", label="empty range"),
    Case(noisy_sine, lambda: noisy_sine(10, noise=-0.1), ValueError, "noise must be finite", label="negative noise"),
    Case(noisy_sine, lambda: noisy_sine(10, low=np.nan), ValueError, "low|finite", label="NaN low"),
    Case(nested_spheres, lambda: nested_spheres(10, 0), ValueError, "n_features must be >= 1", label="zero features"),
    Case(nested_spheres, lambda: nested_spheres(10.5), TypeError, "n_samples must be an integer",
         label="float n_samples"),
    Case(flip_labels, lambda: flip_labels(np.array([0, 1, 1]), 1.5), ValueError, r"fraction must be in \[0, 1\]",
         label="fraction > 1"),
    Case(flip_labels, lambda: flip_labels(np.array([0, 1, 2]), 0.1), ValueError, "two|binary|-1",
         label="three classes"),
    Case(flip_labels, lambda: flip_labels(np.ones((3, 2)), 0.1), ValueError, r"shape \(n_samples,\)",
         label="2-D labels"),
    Case(swiss_roll, lambda: swiss_roll(0), ValueError, "n_samples must be >= 1", label="zero samples"),
    Case(swiss_roll, lambda: swiss_roll(10, noise=np.inf), ValueError, "noise must be finite", label="inf noise"),
    Case(noisy_threshold, lambda: noisy_threshold(10, threshold=1.5), ValueError, r"threshold must lie in \[0, 1\]",
         label="threshold > 1"),
    Case(noisy_threshold, lambda: noisy_threshold(10, noise=0.5), ValueError, r"noise must lie in \[0, 0.5\)",
         label="noise 1/2"),
    Case(adding_problem, lambda: adding_problem(10, 1), ValueError, "length must be >= 2", label="length 1"),
    Case(adding_problem, lambda: adding_problem(10, 5, dtype=np.int64), ValueError, "dtype|float",
         label="integer dtype"),
    Case(adding_problem, lambda: adding_problem("10", 5), TypeError, "n_samples must be an integer",
         label="string n_samples"),
    Case(CharVocab, lambda: CharVocab(""), ValueError, "at least one character", label="empty"),
    Case(CharVocab, lambda: CharVocab(["ab", "c"]), TypeError, "single characters", label="multi-char tokens"),
    Case(CharVocab, lambda: CharVocab("aba"), ValueError, "distinct", label="duplicates"),
    Case(CharVocab, lambda: VOCAB.encode("abz"), ValueError, "Unknown character 'z'", label="unknown character"),
    Case(CharVocab, lambda: VOCAB.encode(["a"]), TypeError, "encode expects a str", label="list to encode"),
    Case(CharVocab, lambda: VOCAB.decode([0, 5]), ValueError, r"ids must lie in \[0, 3\)", label="id out of range"),
    Case(CharVocab, lambda: VOCAB.decode([0.0, 1.0]), TypeError, "integer ids", label="float ids"),
    Case(CharVocab, lambda: CharVocab.from_text(["", ""]), ValueError, "empty corpus", label="from empty text"),
    Case(CharVocab, lambda: CharVocab.from_text([1, 2]), TypeError, "strings", label="from numbers"),
    Case(split_words, lambda: split_words([]), ValueError, "empty list of words", label="no words"),
    Case(split_words, lambda: split_words(["a", "b"], (0.5, 0.5)), ValueError, "three non-negative numbers",
         label="two fractions"),
    Case(split_words, lambda: split_words("abc"), TypeError, "list of words", label="a string, not a list"),
    Case(split_text, lambda: split_text("abc", (0.5, 0.6, -0.1)), ValueError, "three non-negative numbers",
         label="negative fraction"),
    Case(split_text, lambda: split_text(["abc"]), TypeError, "str", label="a list, not a string"),
    Case(gaussian_blobs, lambda: gaussian_blobs(1), ValueError, "n_samples must be >= 2", label="fewer than classes"),
    Case(gaussian_blobs, lambda: gaussian_blobs(10, centers=[0.0, 1.0]), ValueError,
         r"centers must have shape \(n_samples, n_features\)", label="1-D centres"),
    Case(gaussian_blobs, lambda: gaussian_blobs(10, std=-1.0), ValueError, "std must be finite", label="negative std"),
    Case(two_moons, lambda: two_moons(1), ValueError, "n_samples must be >= 2", label="one sample"),
    Case(two_moons, lambda: two_moons(10, noise="0.1"), TypeError, "noise must be a real number",
         label="string noise"),
    Case(xor, lambda: xor(3), ValueError, "n_samples must be >= 4", label="three samples"),
    Case(xor, lambda: xor(10, noise=np.nan), ValueError, "noise must be finite", label="NaN noise"),
    Case(linearly_separable, lambda: linearly_separable(10, margin=2.0), ValueError, "Lower the margin",
         label="margin above radius"),
    Case(linearly_separable, lambda: linearly_separable(10, n_features=0), ValueError, "n_features must be >= 1",
         label="zero features"),
    Case(linearly_separable, lambda: linearly_separable(10, radius=0.0), ValueError, "radius must be finite",
         label="zero radius"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_bad_input_is_refused_clearly(case):
    check(case)
