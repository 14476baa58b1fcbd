"""Tests for the weight cache :mod:`scratch.cache` (``cache_dir``, ``cached_arrays``)."""

import numpy as np
import pytest

import scratch.cache as lang
from scratch.cache import cache_dir, cached_arrays, source_hash


def _f():
    return 1


def _g():
    return 2


@pytest.fixture
def in_tmp_repo(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    return tmp_path


def test_cache_dir_walks_up_to_pyproject(in_tmp_repo):
    assert cache_dir() == in_tmp_repo / ".cache" / "weights"
    assert cache_dir().is_dir()


def test_cache_dir_falls_back_to_temp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no pyproject.toml above a fresh temp folder
    monkeypatch.setattr(lang.tempfile, "gettempdir", lambda: str(tmp_path / "tmp"))
    assert cache_dir() == tmp_path / "tmp" / "scratch-cache" / "weights"


def test_arrays_round_trip_and_are_reused(in_tmp_repo):
    calls = []

    def compute():
        calls.append(1)
        return {"w": np.arange(6.0).reshape(2, 3), "ids": np.array([3, 1, 2])}

    a, hit1 = cached_arrays("demo", {"lr": 0.1, "steps": 5}, [_f], compute)
    b, hit2 = cached_arrays("demo", {"steps": 5, "lr": 0.1}, [_f], compute)  # key order is irrelevant
    assert (hit1, hit2) == (False, True) and len(calls) == 1
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
        assert a[k].dtype == b[k].dtype


def test_key_changes_with_settings_and_source(in_tmp_repo):
    calls = []

    def compute():
        calls.append(1)
        return {"x": np.zeros(2)}

    cached_arrays("demo", {"lr": 0.1}, [_f], compute)
    assert cached_arrays("demo", {"lr": 0.2}, [_f], compute)[1] is False  # new settings
    assert cached_arrays("demo", {"lr": 0.1}, [_g], compute)[1] is False  # new source
    assert cached_arrays("demo", {"lr": 0.1}, [_f], compute)[1] is True
    assert len(calls) == 3
    assert source_hash([_f]) != source_hash([_g])


def test_corrupt_file_is_recomputed(in_tmp_repo):
    cached_arrays("demo", {"a": 1}, [_f], lambda: {"x": np.ones(3)})
    (path,) = list((in_tmp_repo / ".cache" / "weights").glob("demo-*.npz"))
    path.write_bytes(b"not an npz file")
    arrays, hit = cached_arrays("demo", {"a": 1}, [_f], lambda: {"x": np.full(3, 7.0)})
    assert hit is False
    np.testing.assert_array_equal(arrays["x"], 7.0)


def test_truncated_file_is_recomputed(in_tmp_repo):
    cached_arrays("demo", {"a": 2}, [_f], lambda: {"x": np.ones(1000)})
    (path,) = list((in_tmp_repo / ".cache" / "weights").glob("demo-*.npz"))
    path.write_bytes(path.read_bytes()[:100])
    arrays, hit = cached_arrays("demo", {"a": 2}, [_f], lambda: {"x": np.zeros(1000)})
    assert hit is False and arrays["x"].sum() == 0


def test_cached_gpt_trains_once_and_reloads_identical_weights(in_tmp_repo):
    from scratch.language.gpt import cached_gpt
    from scratch.language.gpt import GPTConfig

    cfg = GPTConfig(vocab_size=5, block_size=4, n_layer=1, n_head=1, n_embd=4, dtype="float64")
    ids = np.tile(np.arange(5), 10)
    kw = dict(steps=3, batch_size=2, eval_every=0, verbose=False)
    m1, h1, hit1 = cached_gpt("tiny", cfg, ids, ids, **kw)
    m2, h2, hit2 = cached_gpt("tiny", cfg, ids, ids, **kw)
    assert (hit1, hit2) == (False, True)
    for (k, a), (_, b) in zip(m1.state_dict().items(), m2.state_dict().items()):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(h1["train_loss"], h2["train_loss"])
    assert cached_gpt("tiny", cfg, ids[::-1].copy(), ids, **kw)[2] is False  # other data, other key


def test_parallel_processes_compute_once(in_tmp_repo):
    """Two processes asking for the same arrays at once: one computes, the other waits and loads."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    with ctx.Pool(2) as pool:
        results = pool.map(_slow_cached, [0, 1])
    assert sorted(hit for _, hit in results) == [False, True]
    assert results[0][0] == results[1][0]


def _slow_cached(_):
    import time

    def compute():
        time.sleep(0.5)
        return {"x": np.arange(3.0)}

    arrays, hit = cached_arrays("race", {"a": 1}, [_f], compute)
    return float(arrays["x"].sum()), hit
