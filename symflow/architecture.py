"""Network architectures as DAGs of neurons whose edges carry parameters.

A network is a directed acyclic graph: input neurons, hidden neurons and output neurons; every
edge u -> v carries one weight parameter, and a hidden or output neuron may carry a bias
parameter. A hidden neuron's activation is one of

* ``relu`` (σ(s) = max(s, 0)) and ``linear`` (σ(s) = s),
* ``relu^p`` (σ(s) = max(s, 0)^p, p ≥ 2: C^{p−1}, positively p-homogeneous) [KH25],
* ``x^p`` (σ(s) = s^p, p ≥ 2: a polynomial) [KH24].

``relu^1`` is ``relu`` and ``x^1`` is ``linear`` (one spelling each).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fractions import Fraction

from . import digraph as dg
from .errors import SpecError

INPUT, HIDDEN, OUTPUT = "input", "hidden", "output"
ACTIVATIONS = ("relu", "linear")
#: the largest power p of relu^p and x^p (the lifting of a p-th power has up to
#: C(T + p − 1, p) terms for a pre-activation of T terms)
MAX_POWER = 9
_POWER = re.compile(r"(relu|x)\^([1-9][0-9]*)", re.ASCII)


def parse_activation(text: object) -> str:
    """The canonical spelling of an activation: relu, linear, relu^p or x^p (2 ≤ p ≤ 9)."""
    if isinstance(text, str) and text in ACTIVATIONS:
        return text
    m = _POWER.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise SpecError(f"unknown activation {str(text)[:40]!r} (use relu, linear, relu^p or "
                        "x^p with a whole number p ≥ 1)")
    p = int(m[2])
    if p > MAX_POWER:
        raise SpecError(f"activation {text}: the power is at most {MAX_POWER} (got {p})")
    if p == 1:
        return "relu" if m[1] == "relu" else "linear"
    return f"{m[1]}^{p}"


def activation_power(act: str) -> int:
    """p of σ = relu^p or x^p (1 for relu and linear): σ(c s) = c^p σ(s) for c > 0."""
    return int(act.split("^")[1]) if "^" in act else 1


def is_gated(act: str) -> bool:
    """σ = max(s, 0)^p (relu, relu^p): on an activation pattern, c·s^p with c ∈ {0, 1}."""
    return act == "relu" or act.startswith("relu^")


@dataclass
class Architecture:
    """A DAG of neurons with named parameters on edges (weights) and neurons (biases).

    ``params`` lists every parameter name in a fixed order: this is the coordinate order of
    θ ∈ R^D used everywhere else.
    """

    graph: dg.DiGraph
    params: list[str]
    name: str = "dag"
    widths: tuple[int, ...] | None = None  # set for layered networks
    layers: list[list[str]] = field(default_factory=list)  # neuron names per layer, if layered

    @property
    def inputs(self) -> list[str]:
        return [v for v, k in self.graph.nodes(data="kind") if k == INPUT]

    @property
    def outputs(self) -> list[str]:
        return [v for v, k in self.graph.nodes(data="kind") if k == OUTPUT]

    @property
    def hidden(self) -> list[str]:
        return [v for v, k in self.graph.nodes(data="kind") if k == HIDDEN]

    def bias(self, v: str) -> str | None:
        """Name of the bias parameter of neuron ``v``, or None."""
        return self.graph.nodes[v].get("bias")

    def edge_param(self, u: str, v: str) -> str:
        """The parameter on edge u → v (None for a fixed edge: see ``edge_weight``)."""
        return self.graph.edges[u, v]["param"]

    def edge_weight(self, u: str, v: str) -> Fraction | None:
        """The fixed weight of edge u → v (the identity skip of a residual block: 1), or None
        for an edge that carries a parameter."""
        return self.graph.edges[u, v].get("weight")

    @property
    def shared(self) -> bool:
        """Some parameter sits on several edges (a convolution) or some edge is fixed (a skip):
        then φ is built from the paths with those weights, and the per-edge structural tools
        (balance laws, path ranks) do not apply."""
        return bool(self.graph.graph.get("shared"))

    def has_bias(self) -> bool:
        return any(self.bias(v) for v in self.graph.nodes)

    def count_paths(self) -> int:
        """Number of coordinates of the path-lifting, by dynamic programming (no enumeration).

        Paths start at an input neuron or at a neuron with a bias and end at an output neuron.
        """
        to_out: dict[str, int] = {}
        for v in reversed(list(dg.topological_sort(self.graph))):
            kind = self.graph.nodes[v]["kind"]
            to_out[v] = (1 if kind == OUTPUT else 0) + sum(
                to_out[w] for w in self.graph.successors(v)
            )
        total = sum(to_out[v] for v in self.inputs)
        total += sum(to_out[v] for v in self.graph.nodes if self.bias(v))
        return total

    def is_relu(self, v: str) -> bool:
        g = self.graph
        return g.nodes[v]["kind"] == HIDDEN and g.nodes[v]["activation"] == "relu"

    def activation(self, v: str) -> str:
        """The canonical activation of a hidden neuron ("linear" for inputs and outputs)."""
        g = self.graph
        return g.nodes[v]["activation"] if g.nodes[v]["kind"] == HIDDEN else "linear"

    def power(self, v: str) -> int:
        """p with σ_v(c s) = c^p σ_v(s) for c > 0 (1 for inputs, outputs, relu, linear)."""
        return activation_power(self.activation(v))

    @property
    def has_powers(self) -> bool:
        """Some hidden neuron is relu^p or x^p with p ≥ 2: φ is not a sum of path products."""
        return any(self.power(v) > 1 for v in self.hidden)

    def flat_at_zero(self, v: str) -> bool:
        """σ_v′(0) = 0 (relu with relu′(0) = 0, relu^p, x^p with p ≥ 2): a neuron whose
        pre-activation is ≡ 0 passes no signal back."""
        return self.graph.nodes[v]["kind"] == HIDDEN and self.activation(v) != "linear"

    def count_coordinates(self) -> int:
        """Number of coordinates of the network's lifting: classes of paths with the same start
        (an input, or the constant 1 of a bias), the same ReLU neurons and the same output.

        Distinct classes are distinct paths in the graph contracted over linear neurons (from a
        ReLU neuron or a start to the next ReLU neurons or outputs reached through linear
        hidden neurons only), counted by dynamic programming."""
        g = self.graph
        order = list(dg.topological_sort(g))
        # nxt[v]: the ReLU neurons and outputs reached from v through linear hidden neurons only
        nxt: dict[str, set[str]] = {}
        for v in reversed(order):
            out: set[str] = set()
            for w in g.successors(v):
                if self.is_relu(w) or g.nodes[w]["kind"] == OUTPUT:
                    out.add(w)
                else:
                    out |= nxt[w]
            nxt[v] = out
        cnt: dict[str, int] = {}
        for v in reversed(order):
            if g.nodes[v]["kind"] == OUTPUT:
                cnt[v] = 1
            elif self.is_relu(v):
                cnt[v] = sum(cnt[w] for w in nxt[v])
        total = sum(sum(cnt[w] for w in nxt[x]) for x in self.inputs)
        firsts: set[str] = set()  # where a class from the constant input 1 of a bias begins
        for v in g.nodes:
            if self.bias(v):
                firsts |= {v} if self.is_relu(v) or g.nodes[v]["kind"] == OUTPUT else nxt[v]
        return total + sum(cnt[w] for w in firsts)

    def validate(self) -> None:
        """Check acyclicity, kinds, and that every hidden neuron lies on an input→output path."""
        g = self.graph
        if not self.inputs:
            raise SpecError("the network has no input neuron")
        if not self.outputs:
            raise SpecError("the network has no output neuron")
        if not dg.is_directed_acyclic_graph(g):
            cycle = dg.find_cycle(g)
            path = " -> ".join([cycle[0][0]] + [e[1] for e in cycle])
            raise SpecError(f"the network has a cycle: {path}")
        for v, kind in g.nodes(data="kind"):
            if kind == INPUT and g.in_degree(v):
                raise SpecError(f"input neuron '{v}' has an incoming edge")
            if kind == OUTPUT and g.out_degree(v):
                raise SpecError(f"output neuron '{v}' has an outgoing edge")
            if kind == INPUT and g.nodes[v].get("bias"):
                raise SpecError(f"input neuron '{v}' cannot carry a bias")
        from_input: set[str] = set()
        for s in self.inputs:
            from_input |= dg.descendants(g, s) | {s}
        to_output: set[str] = set()
        for t in self.outputs:
            to_output |= dg.ancestors(g, t) | {t}
        for v in self.hidden:
            if v not in from_input or v not in to_output:
                where = "from any input" if v not in from_input else "to any output"
                raise SpecError(f"hidden neuron '{v}' is disconnected: no path {where}")
        for v in self.inputs:
            if v not in to_output:
                raise SpecError(f"input neuron '{v}' is disconnected: no path to any output")
        for v in self.outputs:
            if v not in from_input:
                raise SpecError(f"output neuron '{v}' is disconnected: no path from any input")


def layered(widths: list[int], bias: bool = False, activation: str = "relu",
            weight: str = "W") -> Architecture:
    """Fully connected layered network with widths n_0 (inputs), ..., n_L (outputs).

    Layer l has weight matrix ``{weight}{l}`` of shape n_l × n_{l-1}; entry (i, j) is the
    parameter ``{weight}{l}_{i}_{j}`` on the edge from neuron j of layer l-1 to neuron i of
    layer l (1-based). With ``bias`` every non-input neuron i of layer l has ``b{l}_{i}``.
    """
    if len(widths) < 2:
        raise SpecError("a layered network needs at least two widths (inputs and outputs)")
    if any(n < 1 for n in widths):
        raise SpecError(f"every width must be at least 1, got {'-'.join(map(str, widths))}")
    g = dg.DiGraph()
    params: list[str] = []
    layers: list[list[str]] = []
    last = len(widths) - 1
    for layer_idx, n in enumerate(widths):
        names = []
        for i in range(1, n + 1):
            if layer_idx == 0:
                name, kind = f"x{i}", INPUT
            elif layer_idx == last:
                name, kind = f"y{i}", OUTPUT
            else:
                name, kind = f"h{layer_idx}_{i}", HIDDEN
            g.add_node(name, kind=kind, activation=activation if kind == HIDDEN else "linear")
            names.append(name)
        layers.append(names)
        if layer_idx == 0:
            continue
        for i, v in enumerate(names, 1):
            for j, u in enumerate(layers[layer_idx - 1], 1):
                p = f"{weight}{layer_idx}_{i}_{j}"
                g.add_edge(u, v, param=p)
                params.append(p)
        if bias:
            for i, v in enumerate(names, 1):
                b = f"b{layer_idx}_{i}"
                g.nodes[v]["bias"] = b
                params.append(b)
    activation = parse_activation(activation)
    for v in g.nodes:
        if g.nodes[v]["kind"] == HIDDEN:
            g.nodes[v]["activation"] = activation
    name = f"{activation}:{'-'.join(map(str, widths))}" + ("+bias" if bias else "")
    arch = Architecture(graph=g, params=params, name=name, widths=tuple(widths), layers=layers)
    arch.validate()
    return arch


def from_description(
    neurons: list[tuple[str, str, str]],
    edges: list[tuple],
    biases: list,
    name: str = "dag",
) -> Architecture:
    """Build and validate a DAG from (name, kind, activation) neurons, edges and the names of
    neurons that carry a bias (parameter ``b_{neuron}``). An edge is (u, v, param) — the same
    param on several edges shares it (a convolution's kernel) — or (u, v, None, weight) with a
    fixed rational weight and no parameter (the identity skip of a residual block)."""
    g = dg.DiGraph()
    for v, kind, act in neurons:
        if v in g:
            raise SpecError(f"duplicate neuron name '{v}'")
        if kind not in (INPUT, HIDDEN, OUTPUT):
            raise SpecError(f"unknown neuron kind '{kind}' for '{v}' (use input, hidden, output)")
        try:
            act = parse_activation(act)
        except SpecError as exc:
            raise SpecError(f"neuron '{v}': {exc}") from None
        g.add_node(v, kind=kind, activation=act)
    params: list[str] = []
    role: dict[str, str] = {}  # parameter -> "weight" or "bias"
    shared = False

    for e in edges:
        u, v, p = e[0], e[1], e[2]
        weight = e[3] if len(e) > 3 else None
        for w in (u, v):
            if w not in g:
                raise SpecError(f"edge {u} -> {v} names unknown neuron '{w}'")
        if u == v:
            raise SpecError(f"the network has a cycle: {u} -> {u}")
        if g.has_edge(u, v):
            raise SpecError(f"duplicate edge {u} -> {v}")
        if weight is not None:
            if p is not None:
                raise SpecError(f"edge {u} -> {v}: a fixed weight carries no parameter "
                                f"(drop the name '{p}' or the weight)")
            g.add_edge(u, v, param=None, weight=Fraction(weight))
            shared = True
            continue
        p = p or f"w_{u}_{v}"
        if p in role:
            shared = True  # a parameter on several edges
        else:
            role[p] = "weight"
            params.append(p)
        g.add_edge(u, v, param=p)
    for entry in biases:
        # a neuron (its bias b_{v}), or (neuron, name): a name on several neurons shares the
        # bias (a convolution's bias, one per channel for every position)
        v, b = (entry, None) if isinstance(entry, str) else (entry[0], entry[1])
        if v not in g:
            raise SpecError(f"bias names unknown neuron '{v}'")
        if g.nodes[v].get("bias"):
            raise SpecError(f"neuron '{v}' has two biases")
        if b is None:
            b = f"b_{v}"
            if b in role:
                raise SpecError(f"duplicate parameter name '{b}' (a bias and a weight, or two "
                                "biases)")
        elif role.get(b) == "weight":
            raise SpecError(f"parameter '{b}' is both a weight and a bias")
        if b in role:
            shared = True
        else:
            role[b] = "bias"
            params.append(b)
        g.nodes[v]["bias"] = b
    if not params:
        raise SpecError("the network has no trainable parameter (every edge is fixed)")
    g.graph["shared"] = shared
    arch = Architecture(graph=g, params=params, name=name)
    arch.validate()
    return arch
