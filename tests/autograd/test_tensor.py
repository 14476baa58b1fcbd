"""Tests for scratch.autograd.tensor: every op is gradchecked and compared with PyTorch."""

from __future__ import annotations

import sys
import zlib

import numpy as np
import pytest

from scratch.autograd import (
    Tensor,
    concatenate,
    cross_entropy,
    gradcheck,
    linear,
    log_softmax,
    no_grad,
    randn,
    softmax,
    stack,
    unbroadcast,
    where,
)

# ---------------------------------------------------------------------------
# The op table: (name, scratch fn, torch fn, input shapes, input domain)
#   domain "real": N(0, 1); "positive": U(0.5, 2); "away0": |x| >= 0.2 (for kinks at 0)
# ---------------------------------------------------------------------------

IDX_REPEATED = np.array([0, 2, 2, 1, 0])  # repeated rows: their gradients must add up
IDX_2D = np.array([[0, 3], [3, 3], [1, 0]])  # an embedding lookup, (B, T) = (3, 2)
ROWS, COLS = np.array([0, 1, 1, 2]), np.array([3, 0, 0, 2])
MASK = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
TARGETS = np.array([0, 2, 1, 2, 0])
TARGETS_2D = np.array([[0, 3, 1], [2, 2, 0]])
CAUSAL = np.triu(np.ones((4, 4), dtype=bool), k=1)


CASES = [
    # elementwise arithmetic, with broadcasting
    ("add", lambda a, b: a + b, lambda a, b: a + b, [(3, 4), (3, 4)], "real"),
    ("add_(3,1)+(1,4)", lambda a, b: a + b, lambda a, b: a + b, [(3, 1), (1, 4)], "real"),
    ("add_(2,3,4)+(4,)", lambda a, b: a + b, lambda a, b: a + b, [(2, 3, 4), (4,)], "real"),
    ("add_scalar_tensor", lambda a, b: a + b, lambda a, b: a + b, [(2, 3), ()], "real"),
    ("sub_(2,3,4)-(3,1)", lambda a, b: a - b, lambda a, b: a - b, [(2, 3, 4), (3, 1)], "real"),
    ("mul_(2,3,4)*(4,)", lambda a, b: a * b, lambda a, b: a * b, [(2, 3, 4), (4,)], "real"),
    ("mul_(4,1,3)*(2,1)", lambda a, b: a * b, lambda a, b: a * b, [(4, 1, 3), (2, 1)], "real"),
    ("div_(3,4)/(4,)", lambda a, b: a / b, lambda a, b: a / b, [(3, 4), (4,)], "positive"),
    ("neg", lambda a: -a, lambda a: -a, [(3, 4)], "real"),
    ("python_scalars", lambda a: 2.0 * a - 1.0 / (a + 3.0) + 0.5, lambda a: 2.0 * a - 1.0 / (a + 3.0) + 0.5,
     [(3, 4)], "positive"),
    ("rsub", lambda a: 1.0 - a, lambda a: 1.0 - a, [(5,)], "real"),
    ("rdiv", lambda a: 2.0 / a, lambda a: 2.0 / a, [(5,)], "positive"),
    ("pow_int", lambda a: a**3, lambda a: a**3, [(3, 4)], "real"),
    ("pow_frac", lambda a: a**1.5, lambda a: a**1.5, [(3, 4)], "positive"),
    ("pow_neg", lambda a: a**-2, lambda a: a**-2, [(3, 4)], "positive"),
    ("pow_2", lambda a: a**2, lambda a: a**2, [(3, 4)], "real"),
    ("pow_4", lambda a: a**4, lambda a: a**4, [(3, 4)], "real"),
    ("pow_-1", lambda a: a**-1, lambda a: a**-1, [(3, 4)], "positive"),
    ("pow_-0.5", lambda a: a**-0.5, lambda a: a**-0.5, [(3, 4)], "positive"),
    ("pow_2.7_general", lambda a: a**2.7, lambda a: a**2.7, [(3, 4)], "positive"),
    ("rpow", lambda a: 2.0**a, lambda a: 2.0**a, [(3, 4)], "real"),
    ("sqrt", lambda a: a.sqrt(), lambda a: a.sqrt(), [(3, 4)], "positive"),
    # elementwise functions
    ("exp", lambda a: a.exp(), lambda a: a.exp(), [(3, 4)], "real"),
    ("log", lambda a: a.log(), lambda a: a.log(), [(3, 4)], "positive"),
    ("tanh", lambda a: a.tanh(), lambda a: a.tanh(), [(3, 4)], "real"),
    ("sigmoid", lambda a: a.sigmoid(), lambda a: a.sigmoid(), [(3, 4)], "real"),
    ("relu", lambda a: a.relu(), lambda a: a.relu(), [(3, 4)], "away0"),
    ("abs", lambda a: a.abs(), lambda a: a.abs(), [(3, 4)], "away0"),
    # matrix products
    ("matmul", lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4, 5)], "real"),
    ("matmul_batched", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3, 4), (2, 4, 5)], "real"),
    ("matmul_(2,3,4)@(4,5)", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 3, 4), (4, 5)], "real"),
    ("matmul_(3,4)@(2,4,5)", lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (2, 4, 5)], "real"),
    ("matmul_(2,1,3,4)@(3,4,2)", lambda a, b: a @ b, lambda a, b: a @ b, [(2, 1, 3, 4), (3, 4, 2)], "real"),
    ("matmul_attention", lambda q, k: q @ k.swapaxes(-2, -1), lambda q, k: q @ k.transpose(-2, -1),
     [(2, 2, 3, 4), (2, 2, 3, 4)], "real"),
    ("matmul_mat_vec", lambda a, b: a @ b, lambda a, b: a @ b, [(3, 4), (4,)], "real"),
    ("matmul_vec_mat", lambda a, b: a @ b, lambda a, b: a @ b, [(4,), (4, 5)], "real"),
    ("matmul_vec_vec", lambda a, b: a @ b, lambda a, b: a @ b, [(4,), (4,)], "real"),
    # reductions
    ("sum_all", lambda a: a.sum(), lambda a: a.sum(), [(3, 4)], "real"),
    ("sum_axis0", lambda a: a.sum(axis=0), lambda a: a.sum(dim=0), [(3, 4)], "real"),
    ("sum_axis-1_keepdims", lambda a: a.sum(axis=-1, keepdims=True), lambda a: a.sum(dim=-1, keepdim=True),
     [(2, 3, 4)], "real"),
    ("sum_axes(0,2)", lambda a: a.sum(axis=(0, 2)), lambda a: a.sum(dim=(0, 2)), [(2, 3, 4)], "real"),
    ("mean_all", lambda a: a.mean(), lambda a: a.mean(), [(3, 4)], "real"),
    ("mean_axis1", lambda a: a.mean(axis=1), lambda a: a.mean(dim=1), [(2, 3, 4)], "real"),
    ("var_axis-1", lambda a: a.var(axis=-1), lambda a: a.var(dim=-1, correction=0), [(3, 5)], "real"),
    ("var_ddof1", lambda a: a.var(ddof=1), lambda a: a.var(), [(3, 5)], "real"),
    ("max_all", lambda a: a.max(), lambda a: a.max(), [(3, 4)], "real"),
    ("max_axis1", lambda a: a.max(axis=1), lambda a: a.amax(dim=1), [(3, 4)], "real"),
    ("max_axis0_keepdims", lambda a: a.max(axis=0, keepdims=True), lambda a: a.amax(dim=0, keepdim=True),
     [(2, 3, 4)], "real"),
    ("min_axis-1", lambda a: a.min(axis=-1), lambda a: a.amin(dim=-1), [(3, 4)], "real"),
    # shapes and indexing
    ("reshape", lambda a: a.reshape(4, 3) * 2, lambda a: a.reshape(4, 3) * 2, [(3, 4)], "real"),
    ("reshape_-1", lambda a: a.reshape(-1) * 2, lambda a: a.reshape(-1) * 2, [(2, 3, 2)], "real"),
    ("transpose_perm", lambda a: a.transpose(2, 0, 1), lambda a: a.permute(2, 0, 1), [(2, 3, 4)], "real"),
    ("T", lambda a: a.T, lambda a: a.T, [(3, 4)], "real"),
    ("swapaxes", lambda a: a.swapaxes(0, 2), lambda a: a.transpose(0, 2), [(2, 3, 4)], "real"),
    ("expand_dims", lambda a: a.expand_dims(1), lambda a: a.unsqueeze(1), [(3, 4)], "real"),
    ("getitem_slice", lambda a: a[1:, ::2], lambda a: a[1:, ::2], [(3, 4)], "real"),
    ("getitem_int", lambda a: a[:, -1], lambda a: a[:, -1], [(3, 4)], "real"),
    ("getitem_fancy_repeated", lambda a: a[IDX_REPEATED], lambda a: a[IDX_REPEATED], [(3, 4)], "real"),
    ("getitem_embedding", lambda a: a[IDX_2D], lambda a: a[IDX_2D], [(5, 3)], "real"),
    ("getitem_rows_cols", lambda a: a[ROWS, COLS], lambda a: a[ROWS, COLS], [(3, 4)], "real"),
    ("getitem_bool_mask", lambda a: a[MASK], lambda a: a[MASK], [(3, 4)], "real"),
    ("concatenate_axis0", lambda a, b: concatenate([a, b], axis=0), None, [(2, 3), (4, 3)], "real"),
    ("concatenate_axis-1", lambda a, b, c: concatenate([a, b, c], axis=-1), None, [(2, 3), (2, 1), (2, 2)], "real"),
    ("stack_axis0", lambda a, b: stack([a, b]), None, [(2, 3), (2, 3)], "real"),
    ("stack_axis-1", lambda a, b: stack([a, b], axis=-1), None, [(2, 3), (2, 3)], "real"),
    ("where", lambda a, b: where(MASK, a, b), None, [(3, 4), (3, 4)], "real"),
    ("where_bcast", lambda a, b: where(MASK, a, b), None, [(3, 1), (4,)], "real"),
    ("masked_fill_causal", lambda a: a.masked_fill(CAUSAL, -1e9).softmax(-1), None, [(2, 4, 4)], "real"),
    # fused ops
    ("log_softmax_-1", lambda a: log_softmax(a, -1), None, [(3, 5)], "real"),
    ("log_softmax_0", lambda a: a.log_softmax(0), None, [(3, 5)], "real"),
    ("softmax_-1", lambda a: softmax(a, -1), None, [(2, 3, 5)], "real"),
    ("softmax_1", lambda a: a.softmax(1), None, [(2, 3, 5)], "real"),
    ("cross_entropy", lambda a: cross_entropy(a, TARGETS), None, [(5, 3)], "real"),
    ("cross_entropy_sum", lambda a: cross_entropy(a, TARGETS, reduction="sum"), None, [(5, 3)], "real"),
    ("cross_entropy_none", lambda a: cross_entropy(a, TARGETS, reduction="none"), None, [(5, 3)], "real"),
    ("cross_entropy_(B,T,C)", lambda a: cross_entropy(a, TARGETS_2D), None, [(2, 3, 4)], "real"),
    ("linear", lambda x, w, b: linear(x, w, b), None, [(5, 3), (3, 4), (4,)], "real"),
    ("linear_(B,T,C)", lambda x, w, b: linear(x, w, b), None, [(2, 5, 3), (3, 4), (4,)], "real"),
    ("linear_no_bias", lambda x, w: linear(x, w), None, [(5, 3), (3, 4)], "real"),
    # a small composite: a layer-norm-like expression
    ("layernorm_like", lambda a: (a - a.mean(-1, keepdims=True)) / (a.var(-1, keepdims=True) + 1e-5).sqrt(),
     None, [(3, 6)], "real"),
]


def _torch_fns():
    """Torch versions of the ops whose torch spelling differs (built lazily)."""
    import torch
    import torch.nn.functional as F

    mask, causal = torch.from_numpy(MASK), torch.from_numpy(CAUSAL)
    targets, targets_2d = torch.from_numpy(TARGETS), torch.from_numpy(TARGETS_2D)
    return {
        "concatenate_axis0": lambda a, b: torch.cat([a, b], dim=0),
        "concatenate_axis-1": lambda a, b, c: torch.cat([a, b, c], dim=-1),
        "stack_axis0": lambda a, b: torch.stack([a, b]),
        "stack_axis-1": lambda a, b: torch.stack([a, b], dim=-1),
        "where": lambda a, b: torch.where(mask, a, b),
        "where_bcast": lambda a, b: torch.where(mask, a, b),
        "masked_fill_causal": lambda a: a.masked_fill(causal, -1e9).softmax(-1),
        "log_softmax_-1": lambda a: F.log_softmax(a, -1),
        "log_softmax_0": lambda a: F.log_softmax(a, 0),
        "softmax_-1": lambda a: F.softmax(a, -1),
        "softmax_1": lambda a: F.softmax(a, 1),
        "cross_entropy": lambda a: F.cross_entropy(a, targets),
        "cross_entropy_sum": lambda a: F.cross_entropy(a, targets, reduction="sum"),
        "cross_entropy_none": lambda a: F.cross_entropy(a, targets, reduction="none"),
        "cross_entropy_(B,T,C)": lambda a: F.cross_entropy(a.reshape(-1, 4), targets_2d.reshape(-1)),
        "linear": lambda x, w, b: F.linear(x, w.T, b),
        "linear_(B,T,C)": lambda x, w, b: F.linear(x, w.T, b),
        "linear_no_bias": lambda x, w: F.linear(x, w.T),
        "layernorm_like": lambda a: F.layer_norm(a, (a.shape[-1],), eps=1e-5),
    }


def make_arrays(shapes, domain, rng):
    arrays = []
    for shape in shapes:
        if domain == "positive":
            arrays.append(rng.uniform(0.5, 2.0, shape))
        elif domain == "away0":
            x = rng.standard_normal(shape)
            arrays.append(np.sign(x) * (0.2 + np.abs(x)))
        else:
            arrays.append(rng.standard_normal(shape))
    return arrays


IDS = [c[0] for c in CASES]


@pytest.mark.parametrize("name, fn, _torch_fn, shapes, domain", CASES, ids=IDS)
def test_gradcheck_op(name, fn, _torch_fn, shapes, domain):
    rng = np.random.default_rng(zlib.crc32(name.encode()))  # a fixed seed per op
    inputs = [Tensor(a, requires_grad=True) for a in make_arrays(shapes, domain, rng)]
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name, fn, torch_fn, shapes, domain", CASES, ids=IDS)
def test_matches_torch(name, fn, torch_fn, shapes, domain):
    """Values and gradients agree with PyTorch (float64) for every op."""
    torch = pytest.importorskip("torch")
    torch_fn = torch_fn or _torch_fns()[name]
    rng = np.random.default_rng(1)
    arrays = make_arrays(shapes, domain, rng)
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, t_out = fn(*ours), torch_fn(*theirs)
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    cotangent = rng.standard_normal(out.shape)
    out.backward(cotangent)
    t_out.backward(torch.from_numpy(cotangent))
    for x, t in zip(ours, theirs):
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_gradcheck_random_broadcast_shapes(seed, op):
    """Binary ops on random shapes where random axes are broadcast (size 1 or missing)."""
    rng = np.random.default_rng(seed)
    ndim = int(rng.integers(1, 4))
    full = tuple(int(n) for n in rng.integers(2, 4, ndim))
    a_shape = tuple(1 if rng.random() < 0.3 else n for n in full)
    b_shape = tuple(1 if rng.random() < 0.3 else n for n in full)[int(rng.integers(0, ndim)):]
    a = Tensor(rng.uniform(0.5, 2.0, a_shape), requires_grad=True)
    b = Tensor(rng.uniform(0.5, 2.0, b_shape), requires_grad=True)
    fn = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y, "/": lambda x, y: x / y}[op]
    assert gradcheck(fn, [a, b])


UNARY_RANDOM = {
    "exp": lambda x, ax, perm: x.exp(),
    "log": lambda x, ax, perm: x.abs().log(),
    "tanh": lambda x, ax, perm: x.tanh(),
    "sigmoid": lambda x, ax, perm: x.sigmoid(),
    "relu": lambda x, ax, perm: x.relu(),
    "sum": lambda x, ax, perm: x.sum(axis=ax),
    "mean_keepdims": lambda x, ax, perm: x.mean(axis=ax, keepdims=True),
    "max": lambda x, ax, perm: x.max(axis=ax),
    "softmax": lambda x, ax, perm: x.softmax(ax),
    "log_softmax": lambda x, ax, perm: x.log_softmax(ax),
    "transpose": lambda x, ax, perm: x.transpose(perm) * 1.5,
    "reshape": lambda x, ax, perm: x.reshape(-1)[::2],
}


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("op", list(UNARY_RANDOM))
def test_gradcheck_random_shapes(seed, op):
    """Unary ops and reductions on random shapes (1-3 axes), random axis and permutation."""
    rng = np.random.default_rng(seed)
    shape = tuple(int(n) for n in rng.integers(1, 5, int(rng.integers(1, 4))))
    axis = int(rng.integers(-len(shape), len(shape)))
    perm = tuple(int(i) for i in rng.permutation(len(shape)))
    data = rng.standard_normal(shape)
    data = np.sign(data) * (0.2 + np.abs(data))  # away from the kinks of relu/abs at 0
    x = Tensor(data, requires_grad=True)
    assert gradcheck(lambda t: UNARY_RANDOM[op](t, axis, perm), [x])


def test_max_ties_share_gradient_like_torch_amax():
    torch = pytest.importorskip("torch")
    data = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]])
    x = Tensor(data, requires_grad=True)
    x.max(axis=1).sum().backward()
    t = torch.tensor(data, requires_grad=True)
    t.amax(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [0.5, 0, 0.5]])
    np.testing.assert_allclose(x.grad, t.grad.numpy())


def test_unbroadcast_sums_over_broadcast_axes():
    g = np.ones((2, 3, 4))
    assert unbroadcast(g, (2, 3, 4)) is g
    np.testing.assert_array_equal(unbroadcast(g, (4,)), np.full(4, 6.0))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), np.full((3, 1), 8.0))
    np.testing.assert_array_equal(unbroadcast(g, ()), 24.0)


def test_fused_log_softmax_and_cross_entropy_are_stable():
    big = Tensor(np.array([[1000.0, 0.0, -1000.0], [5.0, 5.0, 5.0]]), requires_grad=True)
    out = log_softmax(big)
    assert np.all(np.isfinite(out.data))
    np.testing.assert_allclose(out.data[1], np.log(1 / 3))
    loss = cross_entropy(big, np.array([2, 0]))
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(big.grad))
    np.testing.assert_allclose(loss.item(), (2000.0 + np.log(3)) / 2)


# ---------------------------------------------------------------------------
# Graph bookkeeping: regressions for known autograd bugs
# ---------------------------------------------------------------------------


def test_node_used_twice():
    a = Tensor([1.0, -2.0], requires_grad=True)
    b = a + a
    c = b + b
    c.sum().backward()
    np.testing.assert_array_equal(a.grad, [4.0, 4.0])


def test_backward_twice_accumulates():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, 8.0, 12.0])
    x.zero_grad()
    assert x.grad is None


def test_intermediate_reused_in_two_graphs_accumulates_on_leaves():
    x = Tensor([2.0], requires_grad=True)
    h = x * x  # shared intermediate
    (h * 3.0).sum().backward()
    (h + 1.0).sum().backward()
    np.testing.assert_allclose(x.grad, [3 * 4.0 + 4.0])  # 3 * 2x + 2x at x = 2


@pytest.mark.parametrize("n", [10_000])
def test_deep_chain_does_not_hit_recursion_limit(n):
    assert n > sys.getrecursionlimit()
    x = Tensor(np.array([1.0]), requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0 + 0.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0])
    np.testing.assert_allclose(y.data, [1.0 + n * 0.0001])


def test_no_grad_builds_no_graph():
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    with no_grad():
        y = (w @ w).relu().sum()
    assert not y.requires_grad and y._parents == () and y._backward is None
    with pytest.raises(ValueError, match="does not require grad"):
        y.backward()
    z = (w * 2).sum()  # grad mode restored after the block
    assert z.requires_grad


def test_no_grad_as_decorator_and_restores_after_exception():
    @no_grad()
    def f(t):
        return t * 2

    w = Tensor([1.0], requires_grad=True)
    assert not f(w).requires_grad
    with pytest.raises(RuntimeError):
        with no_grad():
            raise RuntimeError("boom")
    assert (w * 2).requires_grad


def test_only_leaves_keep_grad_unless_retained():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 3.0
    k = (x * 2.0).retain_grad()
    (h * k).sum().backward()
    assert h.grad is None
    np.testing.assert_allclose(k.grad, h.data)
    assert x.is_leaf and not h.is_leaf


def test_grads_do_not_share_memory():
    """Optimizers modify grads in place, so every .grad must own its array."""
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    c = Tensor(np.ones(3), requires_grad=True)
    (a + b + c.reshape(3)).sum().backward()
    a.grad *= 10.0
    np.testing.assert_array_equal(b.grad, np.ones(3))
    np.testing.assert_array_equal(c.grad, np.ones(3))
    assert a.grad.flags.writeable and b.grad.flags.writeable and c.grad.flags.writeable


def test_inputs_without_requires_grad_get_no_grad():
    x = Tensor(np.ones((2, 3)))
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is None and w.grad is not None


def test_detach_cuts_the_graph():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).detach() * x
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, 4.0])  # d/dx (c * x) with c = x^2 constant


def test_backward_with_explicit_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3.0).backward(np.array([1.0, 10.0]))
    np.testing.assert_allclose(x.grad, [3.0, 30.0])


# ---------------------------------------------------------------------------
# dtypes and conversions
# ---------------------------------------------------------------------------


def test_default_dtype_is_float64_and_arrays_keep_theirs():
    assert Tensor([1, 2, 3]).dtype == np.float64
    assert Tensor(2).dtype == np.float64
    assert Tensor(np.zeros(2, dtype=np.float32)).dtype == np.float32
    assert Tensor(np.arange(3)).dtype.kind == "i"  # integer arrays (labels, indices) stay integer
    assert Tensor([1.0], dtype=np.float32).dtype == np.float32


def test_float32_is_preserved_through_ops_and_grads():
    x = Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    w = Tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True)
    y = ((x * 2.0 + 1) @ w / 3.0 - 0.5) ** 2
    assert y.dtype == np.float32
    loss = cross_entropy(log_softmax(y.exp().tanh().sigmoid()), np.array([0, 3]))
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32


class _NoPowerArray(np.ndarray):
    """An array that fails on any call of the ufunc np.power (also through ``**``)."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if ufunc is np.power or ufunc is np.float_power:
            raise AssertionError(f"np.{ufunc.__name__} was called")
        inputs = tuple(i.view(np.ndarray) if isinstance(i, _NoPowerArray) else i for i in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("exponent", [2, 3, 2.0, 3.0, np.int64(3), 4, -1, -2, 0.5, -0.5, 1.5])
def test_small_powers_do_not_call_np_power(monkeypatch, exponent, dtype):
    """The powf trap: x**3 through np.power costs 100-300x a product on some machines.

    ``Tensor.__pow__`` with the exponents networks use must compute products (or a
    square root) in forward AND backward, keep the dtype, and agree with np.power.
    """
    rng = np.random.default_rng(0)
    data = rng.uniform(0.5, 2.0, (4, 5)).astype(dtype)
    expected_out = np.power(data, float(exponent))
    expected_grad = float(exponent) * np.power(data, float(exponent) - 1)

    def forbidden(*args, **kwargs):
        raise AssertionError("np.power was called")

    monkeypatch.setattr(np, "power", forbidden)  # catches np.power(...) calls
    x = Tensor(data, requires_grad=True)
    x.data = data.view(_NoPowerArray)  # catches ``array ** p`` too (it goes to the ufunc directly)
    y = x**exponent
    y.backward(np.ones(data.shape, dtype=dtype))
    assert y.dtype == dtype and x.grad.dtype == dtype
    rtol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(y.data, expected_out, rtol=rtol)
    np.testing.assert_allclose(x.grad, expected_grad, rtol=rtol)


def test_power_guard_catches_array_power():
    """Negative control: the guard above does fail on ``array ** 3``."""
    a = np.ones(3).view(_NoPowerArray)
    with pytest.raises(AssertionError, match="np.power was called"):
        a**3


@pytest.mark.parametrize("exponent", [2, 3])
def test_integer_powers_keep_gradcheck(exponent):
    x = Tensor(np.random.default_rng(exponent).standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(lambda a: a**exponent, [x])


def test_mixed_dtypes_give_grads_in_each_inputs_dtype():
    a = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones(3, dtype=np.float64), requires_grad=True)
    out = a * b
    assert out.dtype == np.float64
    out.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_numpy_array_on_the_left_gives_a_tensor():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x + np.array([1.0, 1.0])
    assert isinstance(y, Tensor)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [3.0, 4.0])


def test_item_numpy_detach_shape():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and len(x) == 2
    assert x.numpy() is x.data
    assert x.sum().item() == 15.0 and isinstance(x.sum().item(), float)
    assert not x.detach().requires_grad
    assert "requires_grad=True" in repr(x)


def test_randn_is_reproducible():
    np.testing.assert_array_equal(randn(3, 2, rng=5).data, randn(3, 2, rng=5).data)
    assert randn(2, rng=0, dtype=np.float32).dtype == np.float32


# ---------------------------------------------------------------------------
# Bad input: clear errors
# ---------------------------------------------------------------------------


def test_backward_on_non_scalar_needs_grad():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"scalar.*shape \(2, 3\)"):
        (x * 2).backward()


def test_backward_grad_shape_must_match():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"grad has shape \(3,\)"):
        (x * 2).backward(np.ones(3))


def test_matmul_shape_mismatch_names_both_shapes():
    a = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"\(2, 3\) @ \(4, 5\)"):
        a @ b
    with pytest.raises(ValueError, match="batch axes"):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((3, 4, 5)))
    with pytest.raises(ValueError, match="at least 1-D"):
        Tensor(2.0) @ b


@pytest.mark.parametrize(
    "data, match",
    [
        (["a", "b"], "real numbers"),
        (np.array([1 + 2j]), "real numbers"),
        ({"a": 1}, "real numbers"),
        ([[1.0, 2.0], [3.0]], "numpy cannot convert"),
    ],
)
def test_non_numeric_data_is_a_type_error(data, match):
    with pytest.raises(TypeError, match=match):
        Tensor(data)


def test_requires_grad_needs_float():
    with pytest.raises(TypeError, match="floating-point.*int64"):
        Tensor(np.arange(3), requires_grad=True)
    with pytest.raises(TypeError, match="floating-point"):
        Tensor([1, 2], dtype=np.int32, requires_grad=True)


def test_cross_entropy_bad_targets():
    logits = Tensor(np.zeros((3, 4)), requires_grad=True)
    with pytest.raises(TypeError, match="integer class labels"):
        cross_entropy(logits, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"targets of shape \(3,\)"):
        cross_entropy(logits, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        cross_entropy(logits, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match="reduction"):
        cross_entropy(logits, np.array([0, 1, 2]), reduction="avg")


def test_other_bad_inputs():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="boolean"):
        where(np.ones((2, 3)), x, 0.0)
    with pytest.raises(TypeError, match="exponent"):
        x ** Tensor(2.0)
    with pytest.raises(ValueError, match="one element"):
        x.item()
    with pytest.raises(ValueError, match="cannot reshape"):
        x.reshape(4, 2)
    with pytest.raises(ValueError, match="swapaxes"):
        Tensor(np.ones((2, 3, 4))).transpose(-2, -1)
    with pytest.raises(ValueError, match="one shape"):
        stack([x, Tensor(np.ones((3, 2)))])
    with pytest.raises(ValueError, match="linear"):
        linear(x, Tensor(np.ones((4, 2))))
