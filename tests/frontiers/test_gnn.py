"""Tests for scratch.frontiers.gnn (page: book/frontiers/gnn.md)."""

import numpy as np
import pytest

from scratch.autograd.gradcheck import gradcheck
from scratch.autograd.tensor import Tensor
from scratch.frontiers.gnn import (
    GCN,
    GIN,
    GCNConv,
    GINConv,
    adjacency_to_edge_index,
    add_self_loops,
    check_edge_index,
    gcn_norm,
    global_add_pool,
    global_mean_pool,
    mean_pairwise_cosine,
    normalized_adjacency,
    scatter_add,
    wl_colors,
    wl_test,
)
from scratch.nn.layers import Linear
from scratch.nn.module import Module


def random_graph(n=12, p=0.3, seed=0):
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.random((n, n)) < p, 1)
    A = (upper | upper.T).astype(float)
    return A, adjacency_to_edge_index(A)


def cycle(n):
    A = np.zeros((n, n))
    for i in range(n):
        A[i, (i + 1) % n] = A[(i + 1) % n, i] = 1
    return A


class TwoLayer(Module):
    def __init__(self, a, b, rng):
        self.lin1, self.lin2 = Linear(a, b, rng=rng), Linear(b, b, rng=rng)

    def forward(self, x):
        return self.lin2(self.lin1(x).relu())


# -- closed forms -----------------------------------------------------------------------
def test_scatter_add_forward_backward_and_gradcheck():
    src = Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    index = np.array([2, 0, 2, 2])
    out = scatter_add(src, index, 4)
    np.testing.assert_array_equal(out.data, [[3, 4, 5], [0, 0, 0], [15, 18, 21], [0, 0, 0]])
    (out * Tensor(np.arange(12.0).reshape(4, 3))).sum().backward()
    np.testing.assert_array_equal(src.grad, np.arange(12.0).reshape(4, 3)[index])
    x = Tensor(np.random.default_rng(0).normal(size=(5, 2)), requires_grad=True)
    assert gradcheck(lambda t: scatter_add(t, np.array([1, 1, 0, 3, 1]), 4), [x])


def test_normalized_adjacency_matches_dense_formula():
    A, ei = random_graph(seed=1)
    At = A + np.eye(len(A))
    d = At.sum(1)
    np.testing.assert_allclose(normalized_adjacency(ei, len(A)), At / np.sqrt(np.outer(d, d)), atol=1e-15)


def test_gcn_layer_equals_dense_propagation_and_gradchecks():
    A, ei = random_graph(n=8, seed=2)
    conv = GCNConv(3, 2, rng=0)
    conv.bias.data[:] = [0.1, -0.2]
    x = np.random.default_rng(1).normal(size=(8, 3))
    dense = normalized_adjacency(ei, 8) @ x @ conv.weight.data + conv.bias.data
    np.testing.assert_allclose(conv(Tensor(x), ei).data, dense, atol=1e-13)
    xt = Tensor(x, requires_grad=True)
    assert gradcheck(lambda t, w, b: conv(t, ei), [xt, conv.weight, conv.bias])    # perturbed in place


def test_gin_gradcheck_and_readouts():
    _, ei = random_graph(n=7, seed=3)
    gin = GINConv(TwoLayer(2, 3, rng=0), eps=0.3, train_eps=True)
    x = Tensor(np.random.default_rng(2).normal(size=(7, 2)), requires_grad=True)
    assert gradcheck(lambda t, e: gin(t, ei), [x, gin.eps])
    batch = np.array([0, 0, 0, 1, 1, 2, 2])
    np.testing.assert_allclose(global_add_pool(x, batch).data, [x.data[:3].sum(0), x.data[3:5].sum(0),
                                                                x.data[5:].sum(0)])
    np.testing.assert_allclose(global_mean_pool(x, batch).data[1], x.data[3:5].mean(0))


# -- cross-checks against PyTorch Geometric -----------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gcnconv_matches_pyg(seed, torch_compare):
    torch = pytest.importorskip("torch")
    pyg_nn = pytest.importorskip("torch_geometric.nn")
    A, ei = random_graph(n=15, seed=seed)
    x = np.random.default_rng(seed).normal(size=(15, 4))
    ours = GCNConv(4, 3, rng=seed)
    ours.bias.data[...] = np.random.default_rng(seed + 3).normal(size=3)  # a non-zero bias
    diffs = torch_compare(ours, pyg_nn.GCNConv(4, 3).double(), [x, ei], names={"weight": "lin.weight"},
                          transpose=("weight",), atol=1e-12, seed=9)
    assert {"input 0 grad", "lin.weight grad", "bias grad"} == set(diffs) - {"output"}  # edge ids: no gradient


@pytest.mark.parametrize("eps", [0.0, 0.25])
def test_ginconv_matches_pyg(eps, torch_compare):
    torch = pytest.importorskip("torch")
    pyg_nn = pytest.importorskip("torch_geometric.nn")
    _, ei = random_graph(n=10, seed=4)
    x = np.random.default_rng(5).normal(size=(10, 3))
    mlp_ref = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 5)).double()
    ours = GINConv(TwoLayer(3, 5, rng=0), eps=eps)
    names = {f"mlp.lin{i}.{p}": f"nn.{2 * (i - 1)}.{p}" for i in (1, 2) for p in ("weight", "bias")}
    torch_compare(ours, pyg_nn.GINConv(mlp_ref, eps=eps), [x, ei], names=names,
                  transpose=("mlp.lin1.weight", "mlp.lin2.weight"), atol=1e-12, seed=6)


def test_global_add_pool_matches_pyg():
    torch = pytest.importorskip("torch")
    pyg_nn = pytest.importorskip("torch_geometric.nn")
    x = np.random.default_rng(6).normal(size=(9, 4))
    batch = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2])
    np.testing.assert_allclose(global_add_pool(Tensor(x), batch).data,
                               pyg_nn.global_add_pool(torch.tensor(x), torch.tensor(batch)).numpy(), atol=1e-14)
    np.testing.assert_allclose(global_mean_pool(Tensor(x), batch).data,
                               pyg_nn.global_mean_pool(torch.tensor(x), torch.tensor(batch)).numpy(), atol=1e-14)


# -- cross-checks against networkx's WL hashes ---------------------------------------------
def _nx_graph(A):
    nx = pytest.importorskip("networkx")
    G = nx.from_numpy_array(A)
    nx.set_node_attributes(G, "0", "label")                        # uniform initial colour, no warning
    return G


def _partition(labels):
    groups = {}
    for i, l in enumerate(labels):
        groups.setdefault(l, []).append(i)
    return sorted(map(tuple, groups.values()))


@pytest.mark.parametrize("seed", range(4))
def test_wl_colours_match_networkx_subgraph_hashes(seed):
    nx = pytest.importorskip("networkx")
    A, ei = random_graph(n=14, p=0.2, seed=seed)
    it = 4
    ours = wl_colors(ei, 14, it)
    ref = nx.weisfeiler_lehman_subgraph_hashes(_nx_graph(A), node_attr="label", iterations=it)
    for t in range(1, it + 1):
        assert _partition(ours[t]) == _partition([ref[i][t - 1] for i in range(14)])


def test_wl_test_agrees_with_networkx_graph_hash():
    nx = pytest.importorskip("networkx")
    pairs = [(np.kron(np.eye(2), cycle(3)), cycle(6)),                     # two triangles vs hexagon
             (cycle(6), cycle(6)[np.ix_([3, 1, 5, 0, 2, 4], [3, 1, 5, 0, 2, 4])]),   # relabelled
             (random_graph(8, seed=1)[0], random_graph(8, seed=2)[0]),
             (nx.to_numpy_array(nx.path_graph(5)), nx.to_numpy_array(nx.star_graph(4)))]
    for A1, A2 in pairs:
        n = len(A1)
        same_nx = (nx.weisfeiler_lehman_graph_hash(_nx_graph(A1), node_attr="label", iterations=n)
                   == nx.weisfeiler_lehman_graph_hash(_nx_graph(A2), node_attr="label", iterations=n))
        assert wl_test(adjacency_to_edge_index(A1), n, adjacency_to_edge_index(A2), n, iterations=n) == same_nx
    assert not nx.is_isomorphic(nx.from_numpy_array(pairs[0][0]), nx.from_numpy_array(pairs[0][1]))


def test_gin_cannot_separate_wl_equivalent_graphs():
    e1 = adjacency_to_edge_index(np.kron(np.eye(2), cycle(3)))
    e2 = adjacency_to_edge_index(cycle(6))
    gin = GIN(1, 8, 2, num_layers=3, rng=0)
    x = Tensor(np.ones((6, 1)))
    np.testing.assert_allclose(gin(x, e1, np.zeros(6, int)).data, gin(x, e2, np.zeros(6, int)).data, atol=1e-12)
    # a path and a star with 5 nodes differ in WL, and GIN separates them
    p = np.diag(np.ones(4), 1)
    s = np.zeros((5, 5))
    s[0, 1:] = 1
    ep, es = adjacency_to_edge_index(p + p.T), adjacency_to_edge_index(s + s.T)
    x5 = Tensor(np.ones((5, 1)))
    assert np.abs(gin.embed(x5, ep, np.zeros(5, int)).data - gin.embed(x5, es, np.zeros(5, int)).data).max() > 1e-3


def test_oversmoothing_similarity_tends_to_one():
    _, ei = random_graph(n=20, p=0.3, seed=7)
    Ah = normalized_adjacency(ei, 20)
    h = np.random.default_rng(0).normal(size=(20, 5))
    sims = [mean_pairwise_cosine(np.linalg.matrix_power(Ah, k) @ h) for k in (0, 2, 8, 64)]
    assert sims[0] < 0.2 and sims[-1] > 0.999
    assert all(a < b for a, b in zip(sims, sims[1:]))


def test_gcn_model_shapes():
    _, ei = random_graph(n=6, seed=8)
    out, hidden = GCN([4, 8, 3], rng=0)(Tensor(np.ones((6, 4))), ei, return_hidden=True)
    assert out.shape == (6, 3) and [h.shape for h in hidden] == [(6, 8), (6, 3)]


# -- bad input ------------------------------------------------------------------------------
SELF_LOOP = np.array([[0, 1, 1], [1, 0, 1]])


@pytest.mark.parametrize("call, match", [
    (lambda: adjacency_to_edge_index(np.ones((3, 4))), "must be square"),
    (lambda: adjacency_to_edge_index(np.ones((3, 3))), "forbids self-loops"),
    (lambda: GINConv(TwoLayer(2, 2, 0))(Tensor(np.ones((2, 2))), SELF_LOOP), "forbids self-loops"),
    (lambda: GCNConv(2, 2)(Tensor(np.ones((2, 2))), SELF_LOOP), "forbids self-loops"),
    (lambda: wl_colors(SELF_LOOP, 2, 1), "forbids self-loops"),
    (lambda: check_edge_index(np.array([[0, 1, 2]]), 3), r"shape \(2, n_edges\)"),
    (lambda: check_edge_index(np.array([[0, 5], [1, 0]]), 3), "outside"),
    (lambda: check_edge_index(np.array([[0, 0.5], [1, 0]]), 3), "integer"),
    (lambda: scatter_add(np.ones((3, 2)), np.array([0, 1]), 2), r"shape \(n_edges,\)"),
    (lambda: global_add_pool(Tensor(np.ones((3, 2))), np.array([0, 1])), "batch must have shape"),
    (lambda: GCN([4]), "at least"),
    (lambda: GINConv(lambda x: x), "Module"),
    (lambda: mean_pairwise_cosine(np.zeros((3, 2))), "two nonzero rows"),
    (lambda: add_self_loops(np.array([[0], [1]]), 0), "num_nodes must be >= 1"),
    (lambda: gcn_norm(SELF_LOOP, 2), "forbids self-loops"),
    (lambda: wl_colors(np.array([[0], [1]]), 2, 1, initial=[0]), "initial must have shape"),
])
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
