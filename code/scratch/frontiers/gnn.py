"""Graph neural networks: message passing with scatter-add, GCN, GIN, readouts and the 1-WL test.

The chapter ``book/frontiers/gnn.md`` derives every equation used here; equation
labels in the *Notes* sections match the page. Graphs are given as an ``edge_index``
of shape ``(2, n_edges)`` in PyTorch Geometric's convention: column ``(j, i)`` is an
edge from source ``j`` to target ``i``, and messages flow from ``j`` to ``i``. An
undirected graph lists each edge in both directions.
"""

from __future__ import annotations

import numpy as np

from scratch._validation import as_rng, check_array, check_int
from scratch.autograd.tensor import Tensor, from_op
from scratch.nn import init
from scratch.nn.layers import Linear
from scratch.nn.module import Module, ModuleList, Parameter

__all__ = [
    "check_edge_index",
    "adjacency_to_edge_index",
    "add_self_loops",
    "scatter_add",
    "gcn_norm",
    "normalized_adjacency",
    "GCNConv",
    "GINConv",
    "GCN",
    "GIN",
    "global_add_pool",
    "global_mean_pool",
    "wl_colors",
    "wl_test",
    "mean_pairwise_cosine",
]


# -- graphs -----------------------------------------------------------------------------
def _check_ids(ids, size: int, *, name: str, what: str) -> np.ndarray:
    """Integer ids in ``[0, size)`` of shape (n,): node or graph ids used to index an array."""
    arr = np.asarray(ids)
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer {what} ids; got dtype {arr.dtype}. Pass e.g. "
                        f"np.asarray({name}, dtype=int).")
    if arr.size and (arr.min() < 0 or arr.max() >= size):
        raise ValueError(f"{name} holds {what} ids from {arr.min()} to {arr.max()}; they must lie in "
                         f"0 .. {size - 1} (one per {what}).")
    return arr.astype(np.int64, copy=False)


def check_edge_index(edge_index, num_nodes: int, *, allow_self_loops: bool = True) -> np.ndarray:
    """Validate an ``edge_index`` of shape (2, n_edges) with node ids in ``[0, num_nodes)``.

    Returns it as an int64 array. Raises ``ValueError`` for a wrong shape, ids out of
    range, non-integer ids, or self-loops when ``allow_self_loops`` is False.
    """
    num_nodes = check_int(num_nodes, name="num_nodes", minimum=1)
    ei = np.asarray(edge_index)
    if ei.ndim != 2 or ei.shape[0] != 2:
        raise ValueError(f"edge_index must have shape (2, n_edges); got {ei.shape}. "
                         "Stack sources and targets: np.array([sources, targets]).")
    if ei.size and not np.all(np.equal(np.mod(ei, 1), 0)):
        raise ValueError("edge_index must hold integer node ids; got non-integer values.")
    ei = ei.astype(np.int64)
    if ei.size and (ei.min() < 0 or ei.max() >= num_nodes):
        raise ValueError(f"edge_index holds node ids in [{ei.min()}, {ei.max()}], outside "
                         f"[0, {num_nodes - 1}] for num_nodes={num_nodes}.")
    if not allow_self_loops and np.any(ei[0] == ei[1]):
        loops = np.unique(ei[0][ei[0] == ei[1]])
        raise ValueError(
            f"this layer forbids self-loops, but the graph has {loops.size} (at nodes "
            f"{loops[:5].tolist()}{'...' if loops.size > 5 else ''}); remove them with "
            "edge_index[:, edge_index[0] != edge_index[1]]: the layer adds each node's own term itself."
        )
    return ei


def adjacency_to_edge_index(adjacency, *, allow_self_loops: bool = False) -> np.ndarray:
    """Edge index (2, n_edges) of the nonzero entries of a square adjacency matrix (n_nodes, n_nodes).

    Entry ``A[i, j] != 0`` is an edge ``i -> j``; a symmetric matrix gives both directions.
    """
    A = check_array(adjacency, name="adjacency", ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"adjacency must be square (n_nodes, n_nodes); got shape {A.shape}. "
                         "Row i and column i must both refer to node i.")
    src, dst = np.nonzero(A)
    return check_edge_index(np.array([src, dst]), A.shape[0], allow_self_loops=allow_self_loops)


def add_self_loops(edge_index, num_nodes: int) -> np.ndarray:
    """Append the edges ``(i, i)`` for every node to an edge index without self-loops."""
    ei = check_edge_index(edge_index, num_nodes, allow_self_loops=False)
    loops = np.arange(num_nodes)
    return np.concatenate([ei, np.array([loops, loops])], axis=1)


def scatter_add(src, index, dim_size: int) -> Tensor:
    r"""Sum the rows of ``src`` into ``dim_size`` buckets: :math:`\text{out}_i = \sum_{e:\,\text{index}_e = i} \text{src}_e`.

    Parameters
    ----------
    src : Tensor or array of shape (n_edges, n_features)
        One message per edge.
    index : int array of shape (n_edges,)
        The target bucket (node) of each message.
    dim_size : int
        Number of buckets (nodes); empty buckets get zeros.

    Returns
    -------
    Tensor of shape (dim_size, n_features)

    Notes
    -----
    Implements the aggregation of eq-gnn-mp of the page. The backward pass gathers:
    :math:`\partial L/\partial \text{src}_e = \partial L/\partial \text{out}_{\text{index}_e}`.
    """
    src = src if isinstance(src, Tensor) else Tensor(np.asarray(src, dtype=float))
    index = np.asarray(index)
    if index.ndim != 1 or index.shape[0] != src.shape[0]:
        raise ValueError(f"index must have shape (n_edges,) = ({src.shape[0]},); got {index.shape}.")
    dim_size = check_int(dim_size, name="dim_size", minimum=1)
    index = _check_ids(index, dim_size, name="index", what="bucket")
    out = np.zeros((dim_size,) + src.shape[1:], dtype=src.data.dtype)     # (N, F)
    np.add.at(out, index, src.data)

    def backward(g):                                                      # g: (N, F)
        return (g[index],)                                                # (E, F)

    return from_op(out, (src,), backward, "scatter_add")


def gcn_norm(edge_index, num_nodes: int, *, self_loops: bool = True) -> tuple[np.ndarray, np.ndarray]:
    r"""Edges and weights of the symmetrically normalised adjacency :math:`\tilde D^{-1/2}\tilde A\tilde D^{-1/2}`.

    Returns ``(edge_index, weight)`` with self-loops appended when ``self_loops`` is True
    (then the graph must not already have self-loops).

    Notes
    -----
    Implements eq-gnn-gcn-norm of the page: :math:`w_{ji} = 1/\sqrt{\tilde d_j \tilde d_i}`
    with :math:`\tilde d_i` the (in-)degree of node :math:`i` counting its self-loop.
    """
    ei = add_self_loops(edge_index, num_nodes) if self_loops else check_edge_index(edge_index, num_nodes)
    deg = np.bincount(ei[1], minlength=num_nodes).astype(float)          # (N,)
    with np.errstate(divide="ignore"):
        inv_sqrt = np.where(deg > 0, 1.0 / np.sqrt(np.where(deg > 0, deg, 1.0)), 0.0)
    return ei, inv_sqrt[ei[0]] * inv_sqrt[ei[1]]


def normalized_adjacency(edge_index, num_nodes: int, *, self_loops: bool = True) -> np.ndarray:
    """Dense (num_nodes, num_nodes) matrix of :func:`gcn_norm`: ``H' = A_hat @ H`` is one propagation."""
    ei, w = gcn_norm(edge_index, num_nodes, self_loops=self_loops)
    A = np.zeros((num_nodes, num_nodes))
    np.add.at(A, (ei[1], ei[0]), w)
    return A


# -- layers -----------------------------------------------------------------------------
class GCNConv(Module):
    r"""Graph convolution of Kipf & Welling: :math:`H' = \tilde D^{-1/2}\tilde A\tilde D^{-1/2} H W + b`.

    Parameters
    ----------
    in_channels, out_channels : int
    bias : bool
    self_loops : bool
        Add a self-loop to every node (the graph itself must then have none).
    rng : Generator, int or None
        Glorot-uniform initial weights, as in PyTorch Geometric.

    Attributes
    ----------
    weight : Parameter of shape (in_channels, out_channels)
        Input-major; PyTorch Geometric's ``lin.weight`` is its transpose.
    bias : Parameter of shape (out_channels,) or None

    Notes
    -----
    Implements eq-gnn-gcn of the page as message passing eq-gnn-mp: each edge
    :math:`j \to i` carries :math:`w_{ji}\,(h_j W)`, summed at :math:`i` by scatter-add.
    """

    def __init__(self, in_channels: int, out_channels: int, *, bias: bool = True,
                 self_loops: bool = True, rng=None):
        self.in_channels = check_int(in_channels, name="in_channels", minimum=1)
        self.out_channels = check_int(out_channels, name="out_channels", minimum=1)
        self.self_loops = bool(self_loops)
        self.weight = Parameter(init.xavier_uniform((in_channels, out_channels), rng=as_rng(rng)))
        self.bias = Parameter(np.zeros(out_channels)) if bias else None

    def forward(self, x: Tensor, edge_index) -> Tensor:
        if x.ndim != 2 or x.shape[1] != self.in_channels:
            raise ValueError(f"x must have shape (n_nodes, {self.in_channels}) for GCNConv({self.in_channels}, "
                             f"{self.out_channels}); got {x.shape}.")
        n = x.shape[0]
        ei, w = gcn_norm(edge_index, n, self_loops=self.self_loops)      # (2, E), (E,)
        xw = x @ self.weight                                              # (N, out)
        messages = xw[ei[0]] * Tensor(w[:, None])                         # (E, out)
        out = scatter_add(messages, ei[1], n)                             # (N, out)
        return out + self.bias if self.bias is not None else out


class GINConv(Module):
    r"""Graph isomorphism network layer: :math:`h_i' = \text{MLP}\bigl((1+\epsilon) h_i + \sum_{j \in N(i)} h_j\bigr)`.

    Parameters
    ----------
    mlp : Module
        Applied to the aggregated features, shape (n_nodes, in) -> (n_nodes, out).
    eps : float
        Initial :math:`\epsilon`.
    train_eps : bool
        Learn :math:`\epsilon` as a parameter.

    Notes
    -----
    Implements eq-gnn-gin of the page. Sum aggregation is injective on multisets of
    (countable) features, which makes GIN as powerful as the 1-WL test. The node's own
    term is added explicitly, so the graph must not contain self-loops (they would be
    counted twice).
    """

    def __init__(self, mlp: Module, eps: float = 0.0, train_eps: bool = False):
        if not isinstance(mlp, Module):
            raise TypeError(f"mlp must be a scratch.nn Module; got {type(mlp).__name__}.")
        if isinstance(eps, bool) or not isinstance(eps, (int, float, np.integer, np.floating)) \
                or not np.isfinite(eps):
            raise ValueError(f"eps must be a finite real number; got {eps!r}.")
        self.mlp = mlp
        self.train_eps = bool(train_eps)
        if self.train_eps:
            self.eps = Parameter(np.array([float(eps)]))
        else:
            self.eps_value = float(eps)

    def forward(self, x: Tensor, edge_index) -> Tensor:
        n = x.shape[0]
        ei = check_edge_index(edge_index, n, allow_self_loops=False)
        agg = scatter_add(x[ei[0]], ei[1], n)                             # (N, F)
        one_plus_eps = (self.eps + 1.0) if self.train_eps else 1.0 + self.eps_value
        return self.mlp(agg + x * one_plus_eps)                           # (N, out)


def global_add_pool(x: Tensor, batch, num_graphs: int | None = None) -> Tensor:
    r"""Graph readout :math:`h_G = \sum_{i \in G} h_i`: shape (num_graphs, n_features).

    ``batch`` (n_nodes,) gives each node's graph id. Implements eq-gnn-readout of the page.
    """
    batch = np.asarray(batch)
    if batch.shape != (x.shape[0],):
        raise ValueError(f"batch must have shape (n_nodes,) = ({x.shape[0]},); got {batch.shape}.")
    if batch.size and batch.dtype.kind not in "iu":
        raise TypeError(f"batch must hold integer graph ids; got dtype {batch.dtype}. Pass e.g. "
                        "np.asarray(batch, dtype=int).")
    if batch.size and batch.min() < 0:
        raise ValueError(f"batch holds graph ids from {batch.min()}; they must be >= 0.")
    g = int(batch.max()) + 1 if num_graphs is None else check_int(num_graphs, name="num_graphs", minimum=1)
    return scatter_add(x, _check_ids(batch, g, name="batch", what="graph"), g)


def global_mean_pool(x: Tensor, batch, num_graphs: int | None = None) -> Tensor:
    """Mean readout: :func:`global_add_pool` divided by the number of nodes per graph."""
    s = global_add_pool(x, batch, num_graphs)
    counts = np.bincount(np.asarray(batch), minlength=s.shape[0]).astype(float)
    return s / Tensor(np.maximum(counts, 1.0)[:, None])


# -- models -----------------------------------------------------------------------------
class GCN(Module):
    """A stack of GCN layers with ReLU between them, for node classification.

    Parameters
    ----------
    channels : sequence of int
        ``[in, hidden..., out]``; ``len(channels) - 1`` layers.
    rng : Generator, int or None
    """

    def __init__(self, channels, *, rng=None):
        channels = [check_int(c, name="channels", minimum=1) for c in channels]
        if len(channels) < 2:
            raise ValueError(f"channels must list at least [in, out]; got {channels}.")
        rng = as_rng(rng)
        self.layers = ModuleList([GCNConv(a, b, rng=rng) for a, b in zip(channels[:-1], channels[1:])])

    def forward(self, x: Tensor, edge_index, *, return_hidden: bool = False):
        hidden = []
        for k, layer in enumerate(self.layers):
            x = layer(x, edge_index)                                      # (N, c_k)
            if k < len(self.layers) - 1:
                x = x.relu()
            hidden.append(x)
        return (x, hidden) if return_hidden else x


class _MLP2(Module):
    def __init__(self, a: int, b: int, rng):
        self.lin1, self.lin2 = Linear(a, b, rng=rng), Linear(b, b, rng=rng)

    def forward(self, x):
        return self.lin2(self.lin1(x).relu())


class GIN(Module):
    """GIN layers (two-layer MLPs) with a sum readout and a linear head, for graph classification.

    Parameters
    ----------
    in_channels, hidden, out_channels, num_layers : int
    rng : Generator, int or None
    """

    def __init__(self, in_channels: int, hidden: int, out_channels: int, num_layers: int = 3, *, rng=None):
        rng = as_rng(rng)
        dims = [check_int(in_channels, name="in_channels", minimum=1)] + \
            [check_int(hidden, name="hidden", minimum=1)] * check_int(num_layers, name="num_layers", minimum=1)
        self.convs = ModuleList([GINConv(_MLP2(a, b, rng)) for a, b in zip(dims[:-1], dims[1:])])
        self.head = Linear(hidden, check_int(out_channels, name="out_channels", minimum=1), rng=rng)

    def embed(self, x: Tensor, edge_index, batch, num_graphs: int | None = None) -> Tensor:
        """Graph embeddings (num_graphs, hidden): sum readout after the last layer."""
        for conv in self.convs:
            x = conv(x, edge_index).relu()                                # (N, hidden)
        return global_add_pool(x, batch, num_graphs)

    def forward(self, x: Tensor, edge_index, batch, num_graphs: int | None = None) -> Tensor:
        return self.head(self.embed(x, edge_index, batch, num_graphs))    # (G, out)


# -- the Weisfeiler-Leman test and over-smoothing ----------------------------------------
def wl_colors(edge_index, num_nodes: int, iterations: int, initial=None) -> np.ndarray:
    r"""1-WL colour refinement: :math:`c_i^{(t+1)} = \text{hash}\bigl(c_i^{(t)}, \{\!\{c_j^{(t)} : j \in N(i)\}\!\}\bigr)`.

    Parameters
    ----------
    edge_index : int array of shape (2, n_edges)
    num_nodes, iterations : int
    initial : int array of shape (num_nodes,), optional
        Initial colours (default: all equal).

    Returns
    -------
    int ndarray of shape (iterations + 1, num_nodes)
        Row ``t`` holds the colours after ``t`` rounds. The "hash" is injective: the sorted
        signatures are numbered in order, so the same signature gets the same colour
        everywhere in the graph (run it on a disjoint union to compare graphs).

    Notes
    -----
    Implements eq-gnn-wl of the page.
    """
    ei = check_edge_index(edge_index, num_nodes, allow_self_loops=False)
    iterations = check_int(iterations, name="iterations", minimum=0)
    c = np.zeros(num_nodes, dtype=np.int64) if initial is None else np.asarray(initial, dtype=np.int64)
    if c.shape != (num_nodes,):
        raise ValueError(f"initial must have shape (num_nodes,) = ({num_nodes},); got {c.shape}.")
    neighbours = [ei[0][ei[1] == i] for i in range(num_nodes)]
    history = [c.copy()]
    for _ in range(iterations):
        sigs = [(int(c[i]),) + tuple(sorted(int(c[j]) for j in neighbours[i])) for i in range(num_nodes)]
        table = {s: k for k, s in enumerate(sorted(set(sigs)))}
        c = np.array([table[s] for s in sigs], dtype=np.int64)
        history.append(c.copy())
    return np.stack(history)


def wl_test(edge_index1, num_nodes1: int, edge_index2, num_nodes2: int, iterations: int | None = None) -> bool:
    """True if 1-WL cannot tell the two graphs apart (equal colour histograms at every round).

    False proves they are not isomorphic; True does not prove that they are.
    """
    n1 = check_int(num_nodes1, name="num_nodes1", minimum=1)
    n2 = check_int(num_nodes2, name="num_nodes2", minimum=1)
    e1 = check_edge_index(edge_index1, n1, allow_self_loops=False)
    e2 = check_edge_index(edge_index2, n2, allow_self_loops=False)
    union = np.concatenate([e1, e2 + n1], axis=1)
    t = n1 + n2 if iterations is None else iterations
    colours = wl_colors(union, n1 + n2, t)
    return all(np.array_equal(np.sort(row[:n1]), np.sort(row[n1:])) for row in colours)


def mean_pairwise_cosine(h) -> float:
    """Mean cosine similarity over all pairs of distinct rows of ``h`` (n_nodes, n_features).

    Notes
    -----
    The over-smoothing measure of eq-gnn-smooth of the page: it tends to 1 as node
    features become indistinguishable. Rows that are exactly zero are skipped.
    """
    h = check_array(h.data if isinstance(h, Tensor) else h, name="h", ndim=2)
    norms = np.linalg.norm(h, axis=1)
    h = h[norms > 0] / norms[norms > 0, None]
    n = h.shape[0]
    if n < 2:
        raise ValueError("mean_pairwise_cosine needs at least two nonzero rows.")
    s = h @ h.T                                                           # (n, n)
    return float((s.sum() - np.trace(s)) / (n * (n - 1)))
