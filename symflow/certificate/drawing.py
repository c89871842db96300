"""The network of a certificate as a layered drawing (TikZ): columns by longest path from the
inputs, a dummy slot in every column that an edge skips (so an edge only ever joins adjacent
columns and never crosses a neuron), one bias node ``1`` per column that feeds biased neurons,
ReLU and linear neurons drawn differently."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..texmath import tex_text

MAX_DRAWN = 40  # neurons; beyond, a sentence replaces the drawing


@dataclass
class Layout:
    """Positions (column, height) of neurons, bias nodes and dummy slots, and every edge as a
    polyline through the slots of the columns it skips."""

    pos: dict[str, tuple[int, float]] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)  # input/output/relu/linear/bias/dummy
    edges: list[tuple[list[str], bool]] = field(default_factory=list)  # (slots, is_bias)
    fixed: dict[tuple[str, str], str] = field(default_factory=dict)  # fixed edge -> its weight


def network_of(arch: dict) -> tuple[list[str], dict[str, str], list[tuple[str, str]], list[str]]:
    """Neurons in order, their kinds, the weighted edges and the neurons with a bias."""
    kind = arch["kind"]
    if kind in ("layered-relu", "layered-power", "linear"):
        widths = arch["widths"]
        act = {"layered-relu": "relu", "layered-power": "power"}.get(kind, "linear")
        layers = [[f"x{i}" for i in range(1, widths[0] + 1)]]
        layers += [[f"h{k}_{i}" for i in range(1, widths[k] + 1)]
                   for k in range(1, len(widths) - 1)]
        layers.append([f"y{i}" for i in range(1, widths[-1] + 1)])
        kinds = {v: "input" for v in layers[0]} | {v: "output" for v in layers[-1]}
        kinds |= {v: act for layer in layers[1:-1] for v in layer}
        edges = [(u, v) for a, b in zip(layers, layers[1:], strict=False) for u in a for v in b]
        biased = [v for layer in layers[1:] for v in layer] if arch.get("bias") else []
        return [v for layer in layers for v in layer], kinds, edges, biased
    kinds = {v: "input" for v in arch["inputs"]} | {
        v: ("power" if "^" in a else a) for v, a in arch["hidden"]}
    kinds |= {v: "output" for v in arch["outputs"]}
    edges = [(u, v) for u, v, _ in arch["edges"]]
    biased = [v for v, _ in arch.get("biases", [])]
    return list(kinds), kinds, edges, biased


def layout(arch: dict) -> Layout:
    """Columns by longest path (outputs in the last column), skipped columns filled by dummy
    slots (above the neurons for an edge from the upper half, below otherwise), the bias node
    feeding column k at the bottom of column k − 1; every column centred on height 0."""
    nodes, kinds, edges, biased = network_of(arch)
    level = {v: 0 for v in nodes if kinds[v] == "input"}
    for _ in range(len(nodes)):
        for u, v in edges:
            level[v] = max(level.get(v, 0), level.get(u, 0) + 1)
    top = max([level.get(v, 0) for v in nodes if kinds[v] == "output"] or [1])
    for v in nodes:
        if kinds[v] == "output":
            level[v] = top
        level.setdefault(v, 0)
    columns: list[list[str]] = [[v for v in nodes if level[v] == k] for k in range(top + 1)]
    home = {v: (len(col) - 1) / 2 - i for col in columns for i, v in enumerate(col)}
    above: list[list[str]] = [[] for _ in columns]
    below: list[list[str]] = [[] for _ in columns]
    out = Layout()
    if arch.get("kind") == "dag":  # a fixed edge records its weight where others a parameter
        out.fixed = {(u, v): w for u, v, w in arch["edges"]
                     if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", w)}
    paths = []
    start: dict[str, tuple[int, float]] = {}
    for n, (u, v) in enumerate(edges):
        chain = [u]
        for k in range(level[u] + 1, level[v]):
            slot = f"d{n}c{k}"
            (above if home[u] >= 0 else below)[k].append(slot)
            out.kind[slot] = "dummy"
            start[slot] = (level[u], home[u])
            chain.append(slot)
        paths.append((chain + [v], False))
    # nested, not crossing: an edge that starts further left runs further out; among edges
    # from one column, the one from the outer neuron runs further out
    for k in range(len(columns)):
        above[k].sort(key=lambda s: (start[s][0], -start[s][1]))
        below[k].sort(key=lambda s: (-start[s][0], -start[s][1]))
    for k in range(1, top + 1):
        fed = [v for v in columns[k] if v in biased]
        if fed:
            b = f"one{k}"
            below[k - 1].append(b)
            out.kind[b] = "bias"
            paths += [([b, v], True) for v in fed]
    for k, col in enumerate(columns):
        slots = above[k] + col + below[k]
        for i, s in enumerate(slots):
            out.pos[s] = (k, (len(slots) - 1) / 2 - i)
    for v in nodes:
        out.kind[v] = kinds[v]
    out.edges = paths
    return out


LAYERED_NEURON = re.compile(r"h(\d+)_(\d+)")  # hidden neuron i of layer k: h{k}_{i}


def neuron_math(name: str) -> str | None:
    """x1 → x_{1}, h2_3 → ν^{(2)}_{3} (hidden neuron 3 of layer 2: ν, so that h stays the
    letter of the conservation laws), a1 → a_{1}, a → a; None for other names."""
    m = LAYERED_NEURON.fullmatch(name)
    if m:
        return f"\\nu^{{({m[1]})}}_{{{m[2]}}}"
    m = re.fullmatch(r"([A-Za-z])(\d*)", name)
    if m:
        return f"{m[1]}_{{{m[2]}}}" if m[2] else m[1]
    return None


def neuron_tex(name: str) -> str:
    """A neuron's name in text: in math when it has a math form, else in typewriter type."""
    math = neuron_math(name)
    return f"${math}$" if math else r"\texttt{" + tex_text(name) + "}"


STYLES = {"input": "n", "output": "n", "relu": "relu", "linear": "linear", "bias": "bias",
          "power": "power"}
LEGEND = {"relu": "shaded circles are ReLU neurons", "linear": "white squares are linear "
          "(identity) neurons", "power": "double circles are neurons with a power activation "
          "(named in the text)", "bias": r"the node $1$ is the constant input of the biases "
          "(dashed edges)"}


def figure(lay: Layout) -> str:
    """The TikZ drawing of a layout with a one-line legend, or a sentence when there are too
    many neurons."""
    neurons = sum(k not in ("dummy", "bias") for k in lay.kind.values())
    columns = 1 + max(c for c, _ in lay.pos.values())
    if neurons > MAX_DRAWN:
        return (f"The network has {neurons} neurons in {columns} columns (too many to "
                "draw); its edges are listed in the JSON certificate.")
    lines = [r"\begin{center}",
             r"\begin{tikzpicture}[x=2.2cm,y=0.95cm,>=stealth,"
             r"n/.style={circle,draw,inner sep=1pt,minimum size=19pt,font=\scriptsize},"
             r"relu/.style={n,fill=black!15},"
             r"linear/.style={n,rectangle,minimum size=17pt},"
             + (r"power/.style={n,double}," if "power" in lay.kind.values() else "")
             + r"bias/.style={n,dashed,minimum size=13pt}]"]
    ids = {}
    for i, (s, (k, y)) in enumerate(lay.pos.items()):
        ids[s] = f"s{i}"
        if lay.kind[s] == "dummy":
            lines.append(rf"\coordinate ({ids[s]}) at ({k},{y:.2f});")
        else:
            label = "$1$" if lay.kind[s] == "bias" else neuron_tex(s)
            lines.append(rf"\node[{STYLES[lay.kind[s]]}] ({ids[s]}) at ({k},{y:.2f}) {{{label}}};")
    for chain, is_bias in lay.edges:
        style = "->,dashed" if is_bias else ("->,rounded corners=10pt" if len(chain) > 2 else "->")
        weight = lay.fixed.get((chain[0], chain[-1]))
        if weight is not None:  # a fixed edge: dotted, its weight written beside it
            style += ",densely dotted"
            lines.append(rf"\draw[{style}] " + " -- ".join(f"({ids[s]})" for s in chain[:-1])
                         + rf" -- node[pos=0.5,fill=white,inner sep=1pt,font=\tiny] "
                         rf"{{${weight}$}} ({ids[chain[-1]]});")
            continue
        lines.append(rf"\draw[{style}] " + " -- ".join(f"({ids[s]})" for s in chain) + ";")
    lines.append(r"\end{tikzpicture}")
    lines.append(r"\end{center}")
    present = [k for k in ("relu", "linear", "power", "bias") if k in lay.kind.values()]
    legend = [LEGEND[k] for k in present] + (
        ["dotted edges are fixed, with the weight written on them, and carry no parameter"]
        if lay.fixed else [])
    if legend:
        lines.append("Inputs (left) and outputs (right) are plain circles; "
                     + "; ".join(legend) + ".")
    return "\n".join(lines)
