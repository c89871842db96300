"""A small directed graph with node and edge attributes: the part of networkx's ``DiGraph`` that
symflow uses, so that a command does not pay networkx's import (≈ 0.2 s) at start-up.

Iteration orders are networkx's: nodes in insertion order, successors and predecessors in
insertion order, edges by source node then successor, and :func:`topological_sort` is Kahn's
algorithm by generations as in networkx 3 — so parameter and path orders are unchanged. A user's
``networkx.DiGraph`` is read by :func:`symflow.api` through its own interface, not this one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator
from typing import Any


class _NodeView:
    def __init__(self, g: DiGraph) -> None:
        self._g = g

    def __getitem__(self, v: Hashable) -> dict[str, Any]:
        return self._g._node[v]

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._g._node)

    def __len__(self) -> int:
        return len(self._g._node)

    def __contains__(self, v: object) -> bool:
        return v in self._g._node

    def __call__(self, data: bool | str = False, default: Any = None) -> Iterable[Any]:
        """``nodes(data=True)``: (v, attributes); ``nodes(data="key")``: (v, value or default)."""
        if data is False:
            return list(self._g._node)
        if data is True:
            return list(self._g._node.items())
        return [(v, d.get(data, default)) for v, d in self._g._node.items()]


class _EdgeView:
    def __init__(self, g: DiGraph) -> None:
        self._g = g

    def __getitem__(self, e: tuple[Hashable, Hashable]) -> dict[str, Any]:
        u, v = e
        return self._g._succ[u][v]

    def __iter__(self) -> Iterator[tuple[Hashable, Hashable]]:
        for u, nbrs in self._g._succ.items():
            for v in nbrs:
                yield u, v

    def __len__(self) -> int:
        return sum(len(n) for n in self._g._succ.values())

    def __contains__(self, e: object) -> bool:
        return isinstance(e, tuple) and len(e) == 2 and self._g.has_edge(*e)

    def __call__(self, data: bool | str = False, default: Any = None) -> list[Any]:
        """``edges(data=True)``: (u, v, attributes); ``edges(data="key")``: (u, v, value)."""
        if data is False:
            return list(self)
        if data is True:
            return [(u, v, d) for u, n in self._g._succ.items() for v, d in n.items()]
        return [(u, v, d.get(data, default)) for u, n in self._g._succ.items()
                for v, d in n.items()]


class DiGraph:
    """A directed graph; ``g.nodes[v]`` and ``g.edges[u, v]`` are mutable attribute dicts."""

    def __init__(self) -> None:
        self.graph: dict[str, Any] = {}  # attributes of the graph itself (networkx's G.graph)
        self._node: dict[Hashable, dict[str, Any]] = {}
        self._succ: dict[Hashable, dict[Hashable, dict[str, Any]]] = {}
        self._pred: dict[Hashable, dict[Hashable, dict[str, Any]]] = {}

    @property
    def nodes(self) -> _NodeView:
        return _NodeView(self)

    @property
    def edges(self) -> _EdgeView:
        return _EdgeView(self)

    def add_node(self, v: Hashable, **attr: Any) -> None:
        if v not in self._node:
            self._node[v] = {}
            self._succ[v] = {}
            self._pred[v] = {}
        self._node[v].update(attr)

    def add_edge(self, u: Hashable, v: Hashable, **attr: Any) -> None:
        self.add_node(u)
        self.add_node(v)
        d = self._succ[u].get(v)
        if d is None:
            d = {}
            self._succ[u][v] = d
            self._pred[v][u] = d
        d.update(attr)

    def has_edge(self, u: Hashable, v: Hashable) -> bool:
        return u in self._succ and v in self._succ[u]

    def successors(self, v: Hashable) -> Iterator[Hashable]:
        return iter(self._succ[v])

    def predecessors(self, v: Hashable) -> Iterator[Hashable]:
        return iter(self._pred[v])

    def in_degree(self, v: Hashable) -> int:
        return len(self._pred[v])

    def out_degree(self, v: Hashable) -> int:
        return len(self._succ[v])

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        return len(self.edges)

    def subgraph(self, nodes: Iterable[Hashable]) -> DiGraph:
        """The induced subgraph on ``nodes`` (a copy, in this graph's node order)."""
        keep = set(nodes)
        sub = DiGraph()
        sub.graph = dict(self.graph)
        for v, d in self._node.items():
            if v in keep:
                sub.add_node(v, **d)
        for u, n in self._succ.items():
            if u in keep:
                for v, d in n.items():
                    if v in keep:
                        sub.add_edge(u, v, **d)
        return sub

    def copy(self) -> DiGraph:
        return self.subgraph(self._node)

    def __contains__(self, v: object) -> bool:
        return v in self._node

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def to_networkx(self) -> Any:
        """The same graph as a ``networkx.DiGraph`` (imports networkx)."""
        import networkx as nx

        g = nx.DiGraph()
        for v, d in self._node.items():
            g.add_node(v, **d)
        for u, v, d in self.edges(data=True):
            g.add_edge(u, v, **d)
        return g


def topological_generations(g: DiGraph) -> Iterator[list[Hashable]]:
    """Kahn's algorithm by generations (networkx's order); ValueError on a cycle."""
    indegree = {v: len(p) for v, p in g._pred.items() if p}
    zero = [v for v, p in g._pred.items() if not p]
    while zero:
        generation, zero = zero, []
        for u in generation:
            for w in g._succ[u]:
                indegree[w] -= 1
                if indegree[w] == 0:
                    zero.append(w)
                    del indegree[w]
        yield generation
    if indegree:
        raise ValueError("the graph has a cycle")


def topological_sort(g: DiGraph) -> Iterator[Hashable]:
    for generation in topological_generations(g):
        yield from generation


def is_directed_acyclic_graph(g: DiGraph) -> bool:
    try:
        for _ in topological_sort(g):
            pass
    except ValueError:
        return False
    return True


def find_cycle(g: DiGraph) -> list[tuple[Hashable, Hashable]]:
    """The edges of one directed cycle, by depth-first search (an empty list if none)."""
    state: dict[Hashable, int] = {}  # 1: on the stack, 2: done
    for root in g._node:
        if root in state:
            continue
        stack: list[tuple[Hashable, Iterator[Hashable]]] = [(root, iter(g._succ[root]))]
        path = [root]
        state[root] = 1
        while stack:
            v, it = stack[-1]
            w = next(it, _END)
            if w is _END:
                stack.pop()
                path.pop()
                state[v] = 2
            elif state.get(w) == 1:
                cyc = path[path.index(w):] + [w]
                return list(zip(cyc, cyc[1:], strict=False))
            elif w not in state:
                state[w] = 1
                path.append(w)
                stack.append((w, iter(g._succ[w])))
    return []


_END = object()


def _reach(adj: dict[Hashable, dict[Hashable, Any]], s: Hashable) -> set[Hashable]:
    seen: set[Hashable] = set()
    todo = [s]
    while todo:
        for w in adj[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    seen.discard(s)
    return seen


def descendants(g: DiGraph, s: Hashable) -> set[Hashable]:
    """Every node reachable from s, s excluded."""
    return _reach(g._succ, s)


def ancestors(g: DiGraph, s: Hashable) -> set[Hashable]:
    """Every node from which s is reachable, s excluded."""
    return _reach(g._pred, s)
