"""The rank of ∂φ(θ0) for the path-lifting of a ReLU network, from forward/backward passes.

Rows of ∂φ(θ0) are the fields X_p(θ0) = ∇φ_p(θ0), one per path (there may be 10^5 of them). A
combination Σ_p c_p ∇φ_p(θ0) with c_p = ∏_{e∈p} s_e (s_e seeded, a start weight a_x for a path
from input x) is the gradient of F(θ) = Σ_p a_{start(p)} ∏_{e∈p} s_e θ_e, the output of the
all-linear network with weights s ⊙ θ fed with a: its entry for the edge u → v is
s_uv · fwd(u) · bwd(v), one forward and one backward pass, O(D) per row. Any set of such rows
spans a subspace of the row space of ∂φ(θ0), so their rank mod p is a proved lower bound of
rank ∂φ(θ0), hence of dim Lie(W_φ)(θ0); and since the vectors (∏_{e∈p} s_e)_p span R^d (distinct
paths are distinct monomials in s), generic draws reach rank ∂φ(θ0) itself.

A path carries the parameters of one connected component of the graph "on a common path", so
∂φ(θ0) is block diagonal over these components: the rank is the sum of the ranks of the
column blocks (relu:100-100-1: 100 blocks of 101 columns instead of one 10^4 × 10^4 matrix).
"""

from __future__ import annotations

import numpy as np

from .. import digraph as dg
from ..architecture import OUTPUT
from ..liftings import Lifting
from .fastrank import FastEchelon
from .structural import PRIME, _residue


def components(lifting: Lifting) -> list[list[int]]:
    """The parameter indices grouped by connected component of "θ_e and θ_f lie on a common
    path": every in-edge and the bias of a neuron v lie on a path with every out-edge of v
    (outputs are where paths end), so the union over non-input neurons with successors of
    (in-edges ∪ bias ∪ out-edges) gives the components; parameters on no path stand alone."""
    arch = lifting.architecture
    g = arch.graph
    index = lifting.ring.index
    parent = list(range(lifting.D))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for v in g.nodes:
        kind = g.nodes[v]["kind"]
        if kind in ("input", OUTPUT):
            continue
        group = [index[g.edges[u, v]["param"]] for u in g.predecessors(v)
                 if g.nodes[u]["kind"] != OUTPUT]
        group += [index[g.edges[v, w]["param"]] for w in g.successors(v)]
        if arch.bias(v):
            group.append(index[arch.bias(v)])
        for k in group[1:]:
            a, b = find(group[0]), find(k)
            if a != b:
                parent[b] = a
    groups: dict[int, list[int]] = {}
    for k in range(lifting.D):
        groups.setdefault(find(k), []).append(k)
    return list(groups.values())


def combination_rows(lifting: Lifting, point: list, count: int, seed: int = 0,
                     chunk: int = 1024) -> np.ndarray:
    """``count`` rows Σ_p c_p ∇φ_p(θ0) mod p (c_p = a_start ∏ s_e, seeded), by passes, in
    chunks of rows (memory O(chunk · D))."""
    arch = lifting.architecture
    g = arch.graph
    index = lifting.ring.index
    theta = np.array([_residue(x) for x in point], dtype=np.int64)
    rng = np.random.default_rng(seed * 7_919 + 17)
    order = list(dg.topological_sort(g))
    kinds = {v: g.nodes[v]["kind"] for v in order}
    # the edges of the paths (they end at an output), by head and by tail, with their index
    edges = [(u, v, index[g.edges[u, v]["param"]]) for u, v in g.edges
             if kinds[u] != OUTPUT]
    into: dict[str, list[tuple[str, int]]] = {v: [] for v in order}
    out_of: dict[str, list[tuple[str, int]]] = {v: [] for v in order}
    for u, v, k in edges:
        into[v].append((u, k))
        out_of[u].append((v, k))
    biases = {v: index[arch.bias(v)] for v in order if arch.bias(v)}
    rows = np.zeros((count, lifting.D), dtype=np.int64)
    for start in range(0, count, chunk):
        n = min(chunk, count - start)
        scale = rng.integers(1, PRIME, size=(lifting.D, n), dtype=np.int64)  # s_e
        w = scale * theta[:, None] % PRIME  # s_e θ_e
        fwd: dict[str, np.ndarray] = {}
        for v in order:
            if kinds[v] == "input":
                fwd[v] = rng.integers(1, PRIME, size=n, dtype=np.int64)
                continue
            acc = w[biases[v]].copy() if v in biases else np.zeros(n, dtype=np.int64)
            for u, k in into[v]:
                acc = (acc + w[k] * fwd[u]) % PRIME
            fwd[v] = acc
        bwd: dict[str, np.ndarray] = {}
        for v in reversed(order):
            acc = np.ones(n, dtype=np.int64) if kinds[v] == OUTPUT else np.zeros(n, np.int64)
            for x, k in ([] if kinds[v] == OUTPUT else out_of[v]):
                acc = (acc + w[k] * bwd[x]) % PRIME
            bwd[v] = acc
        block = rows[start:start + n]
        for u, v, k in edges:
            block[:, k] = scale[k] * (fwd[u] * bwd[v] % PRIME) % PRIME
        for v, k in biases.items():
            block[:, k] = scale[k] * bwd[v] % PRIME
    return rows


#: seconds of the rank of a dense b × b block mod p (5050 × 5050 in 10 s on the reference
#: machine, cubic), and the bytes: the b × D combination rows (int64) and, per block, its
#: column selection, its residues, their float64 copy and the echelon's rows and T⁻¹ (5 · 8 · b²;
#: relu:50-50-50-1: 1.22 GB predicted, 1.42 GB peak measured with the paths and the laws)
SEC_BLOCK_5050 = 10.0
MAX_BYTES = 1_600_000_000  # leaves 0.4 GB of the 2 GB budget to the paths and the laws


def rank_cost(blocks: list[list[int]], D: int) -> tuple[float, int]:  # noqa: N803
    """(predicted seconds, predicted bytes) of ``path_jacobian_rank`` on these blocks."""
    b = max((len(x) for x in blocks), default=0)
    secs = sum(SEC_BLOCK_5050 * (len(x) / 5050) ** 3 for x in blocks)
    return secs, 8 * b * (D + 5 * b)


def path_jacobian_rank(lifting: Lifting, point: list, seed: int = 0,
                       target: int | None = None,
                       blocks: list[list[int]] | None = None) -> tuple[int, int]:
    """(a lower bound of rank ∂φ(θ0), proved mod p; the number of component blocks): the rank
    of max-block-size combination rows, block by block. ``target``: stop once reached;
    ``blocks``: the components, if already computed."""
    blocks = components(lifting) if blocks is None else blocks
    count = max(len(b) for b in blocks)
    rows = combination_rows(lifting, point, count, seed)
    total = 0
    for block in sorted(blocks, key=len, reverse=True):
        total += FastEchelon(len(block), PRIME).add_batch(rows[:len(block)][:, block]) \
            .count(True)
        if target is not None and total >= target:
            break
    return total, len(blocks)
