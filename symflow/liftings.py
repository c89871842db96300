"""Liftings z = φ(θ): the path-lifting of a ReLU DAG, the product of the weight matrices of a
linear network, or a polynomial map given by the user."""

from __future__ import annotations

from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property

import flint

from . import digraph as dg
from .algebra.poly import Ring, VectorField, variables_of
from .architecture import OUTPUT, Architecture
from .errors import LimitError, SpecError
from .limits import DEFAULT_MAX_PARAMS, DEFAULT_MAX_PATHS, DEFAULT_MAX_TERMS  # noqa: F401


@dataclass
class Lifting:
    """Parameters θ (named) and a polynomial map φ: R^D → R^d with rational coefficients.

    ``kind`` is "path" (a network whose every coordinate is one path: the path-lifting of a
    ReLU DAG), "network" (a DAG with linear neurons, some coordinate a sum of paths), "product"
    (φ = U_L⋯U_1, a layered linear network) or "custom".
    ``labels[i]`` says what coordinate φ_i is (a path, a matrix entry, ...).
    """

    name: str
    kind: str
    ring: Ring
    phi: list  # fmpq_mpoly, one per coordinate
    labels: list[str]
    architecture: Architecture | None = None
    widths: tuple[int, ...] | None = None  # for product liftings
    paths: list[tuple[str, ...]] = field(default_factory=list)  # for path liftings
    path_params: list[list[int]] = field(default_factory=list)  # parameter indices of each path
    # for a network: (start input, or None for the constant 1 of biases, ReLU neurons, output)
    classes: list[tuple] = field(default_factory=list)
    # the --max-terms in force: φ's expansion and (times lie.BRACKET_TERMS_FACTOR) the
    # symbolic brackets of the polynomial engine stay below it
    max_terms: int = DEFAULT_MAX_TERMS
    #: a block whose lifting is built by a rule the certificate names (attention:
    #: {"kind": "attention", "dim", "head_dim", "heads"}), None otherwise
    block: dict | None = None

    @property
    def params(self) -> list[str]:
        return self.ring.names

    @property
    def D(self) -> int:  # noqa: N802 - the paper's notation
        return self.ring.nvars

    @property
    def d(self) -> int:
        return len(self.phi)

    def io_widths(self) -> tuple[int, int] | None:
        """(number of inputs, number of outputs) of the network, None for a custom lifting."""
        if self.kind == "product" and self.widths:
            return self.widths[0], self.widths[-1]
        if self.kind in ("path", "network", "power") and self.architecture is not None:
            return len(self.architecture.inputs), len(self.architecture.outputs)
        return None

    @cached_property
    def jacobian(self) -> list[dict[int, object]]:
        """∂φ_i/∂θ_k as exact polynomials, stored sparsely: row i is {k: ∂φ_i/∂θ_k}."""
        rows = []
        for p in self.phi:
            row = {}
            for k in variables_of(p):
                dp = p.derivative(k)
                if not dp.is_zero():
                    row[k] = dp
            rows.append(row)
        return rows

    @cached_property
    def generators(self) -> Generators:
        """X_i = ∇φ_i with integer coefficients (φ_i rescaled by a positive constant, which
        does not change W_φ), built on demand."""
        return Generators(self)

    @cached_property
    def supports(self) -> list[list[int]]:
        """The variables each φ_i depends on."""
        if self.path_params:
            return self.path_params
        return [variables_of(p) for p in self.phi]

    @cached_property
    def by_variable(self) -> dict[int, list[int]]:
        """For each variable k, the coordinates i with φ_i depending on θ_k."""
        out: dict[int, list[int]] = {}
        for i, sup in enumerate(self.supports):
            for k in sup:
                out.setdefault(k, []).append(i)
        return out


class Generators(Sequence):
    """The lazily built sequence of fields X_i = ∇φ_i (integer coefficients)."""

    def __init__(self, lifting: Lifting):
        self.lifting = lifting
        self.nvars = lifting.D
        self._cache: dict[int, VectorField] = {}

    def __len__(self) -> int:
        return self.lifting.d

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        f = self._cache.get(i)
        if f is None:
            lf = self.lifting
            f = VectorField.gradient(lf.ring.to_integer(lf.phi[i]), lf.D)
            self._cache[i] = f
        return f

    def preferred_order(self, seed: int = 1) -> list[int]:
        """A seeded order in which, first, every parameter occurs in one chosen coordinate
        (a cover: parameters on few paths, such as output biases, come in early), then the rest
        at random. Ranking generators in this order meets full rank sooner."""
        import random

        order = list(range(len(self)))
        random.Random(seed).shuffle(order)
        first, covered = [], set()
        sup = self.lifting.supports
        for i in order:
            if not covered.issuperset(sup[i]):
                first.append(i)
                covered.update(sup[i])
        chosen = set(first)
        return first + [i for i in order if i not in chosen]

    def values_at(self, indices: Sequence[int], point: Sequence) -> list[list[int]] | None:
        """X_i(θ) for path monomials at an integer point with no zero entry, without building
        the fields: ∂φ_p/∂θ_e = φ_p(θ)/θ_e exactly (each parameter occurs once on a path).
        None when this fast path does not apply."""
        lf = self.lifting
        if not lf.path_params or not all(isinstance(x, int) and x != 0 for x in point):
            return None
        out = []
        for i in indices:
            ps = lf.path_params[i]
            prod = 1
            for k in ps:
                prod *= point[k]
            row = [0] * lf.D
            for k in ps:
                row[k] = prod // point[k]
            out.append(row)
        return out


def check_terms(n_terms: int, max_terms: int) -> None:
    if n_terms > max_terms:
        raise LimitError(
            f"φ expands to {n_terms} terms (one per path through the network), above the limit "
            f"of {max_terms} (raise it with --max-terms)")


def check_size(n_params: int, n_coords: int, max_params: int, max_paths: int) -> None:
    if n_params > max_params:
        raise LimitError(
            f"the network has D = {n_params} parameters, above the limit of {max_params} "
            f"(raise it with --max-params)")
    if n_coords > max_paths:
        raise LimitError(
            f"the lifting has d = {n_coords} coordinates, above the limit of {max_paths} "
            f"(raise it with --max-paths)")


#: (max_params, max_terms) for a network whose lifting no structural engine takes (powers,
#: linear neurons in a DAG): set by ``api.laws_lifting`` while it builds with the structural
#: limits, so that such a network is refused before its φ is expanded, not after
GENERAL_LIMITS: ContextVar[tuple[int, int] | None] = ContextVar("GENERAL_LIMITS", default=None)


def network_lifting(arch: Architecture, max_params: int = DEFAULT_MAX_PARAMS,
                    max_paths: int = DEFAULT_MAX_PATHS,
                    max_terms: int = DEFAULT_MAX_TERMS) -> Lifting:
    """The network's own lifting, one builder for every network.

    For a fixed activation pattern the output is Σ_p φ_p(θ)·x_{s(p)} over the active paths p
    (x = 1 for a path that starts at a bias), φ_p the product of the weights (and the bias)
    along p. Paths with the same start (an input, or the constant 1 of the biases), the same
    sequence of ReLU neurons and the same output are active together, so the loss depends on θ
    only through their sums: one coordinate per such class, φ_C = Σ_{p∈C} φ_p. With ReLU
    neurons only every class is one path (the path-lifting, kind "path"); with linear neurons
    only the classes are the (input, output) pairs and φ is the product U_L⋯U_1 (see
    ``product_lifting``); a mixed DAG gets kind "network" when some class has several paths.
    A network with relu^p or x^p neurons (p ≥ 2) has the lifting of ``power_lifting``.
    """
    general = GENERAL_LIMITS.get()
    if arch.shared and arch.has_powers:
        raise SpecError("shared or fixed weights are supported with relu and linear neurons "
                        "(not yet with relu^p or x^p)")
    if arch.has_powers:
        if general is not None:
            max_params, max_terms = min(max_params, general[0]), min(max_terms, general[1])
        return power_lifting(arch, max_params, max_paths, max_terms)
    check_size(len(arch.params), arch.count_coordinates(), max_params, max_paths)
    if all(arch.is_relu(v) for v in arch.hidden) and not arch.shared:
        return _relu_path_lifting(arch, max_terms)
    if general is not None:
        max_params, max_terms = min(max_params, general[0]), min(max_terms, general[1])
        check_size(len(arch.params), 0, max_params, max_paths)
    check_terms(arch.count_paths(), max_terms)  # predicted before anything is expanded
    ring = Ring(arch.params)
    gens = ring.qgens()
    var = {n: gens[i] for i, n in enumerate(arch.params)}
    g = arch.graph
    one = ring.qctx.constant(1)
    # tails[v]: {(ReLU neurons from v on, output): [Σ of the weight products, #paths, the path
    # if it is the only one]}, built backwards in topological order; sums are taken at every
    # neuron, so a linear layer never multiplies the number of terms by its width
    tails: dict[str, dict[tuple, list]] = {}
    for v in reversed(list(dg.topological_sort(g))):
        if g.nodes[v]["kind"] == OUTPUT:
            tails[v] = {((), v): [one, 1, (v,)]}
            continue
        pre = (v,) if arch.is_relu(v) else ()
        acc: dict[tuple, list] = {}
        for w in g.successors(v):
            fixed = g.edges[v, w].get("weight")
            e = (var[g.edges[v, w]["param"]] if fixed is None
                 else ring.qctx.constant(flint.fmpq(fixed.numerator, fixed.denominator)))
            for (seq, out), (poly, count, path) in tails[w].items():
                key = (pre + seq, out)
                item = acc.get(key)
                if item is None:
                    acc[key] = [e * poly, count, (v,) + path if count == 1 else None]
                else:
                    item[0] += e * poly
                    item[1] += count
                    item[2] = None
        tails[v] = acc
    coords: dict[tuple, list] = {}  # (start, ReLU sequence, output) -> [φ_C, #paths, path, bias]
    for x in arch.inputs:
        for (seq, out), (poly, count, path) in tails[x].items():
            coords[(x, seq, out)] = [poly, count, path, None]
    for v in g.nodes:
        b = arch.bias(v)
        if not b:
            continue
        for (seq, out), (poly, count, path) in tails[v].items():
            key = (None, seq, out)
            item = coords.get(key)
            if item is None:
                coords[key] = [var[b] * poly, count, path, b]
            else:
                item[0] += var[b] * poly
                item[1] += count
                item[2] = None
    if arch.shared:
        return _shared_lifting(arch, ring, coords)
    phi, labels, classes = [], [], []
    singletons = all(item[1] == 1 for item in coords.values())
    paths, params = [], []
    index = ring.index
    for (start, seq, out), (poly, _count, path, b) in coords.items():
        phi.append(poly)
        classes.append((start, seq, out))
        if singletons:
            paths.append(((b,) if b else ()) + path)
            labels.append((f"{b}:" if b else "") + "→".join(path))
            ps = [index[g.edges[a, c]["param"]] for a, c in zip(path, path[1:], strict=False)]
            params.append(([index[b]] if b else []) + ps)
        else:
            labels.append("Σ[" + "→".join([start or "1", *seq, out]) + "]")
    kind = "path" if singletons else "network"
    return Lifting(arch.name, kind, ring, phi, labels, architecture=arch, paths=paths,
                   path_params=params, classes=classes)


def _shared_lifting(arch: Architecture, ring: Ring, coords: dict) -> Lifting:
    """The lifting of a network with shared parameters or fixed edges: per class of paths the
    sum of the path products, each a monomial in the shared parameters times the fixed
    weights. A class whose sum does not depend on θ (a path of fixed edges only, the skip of a
    residual block) is left out: ℓ∘φ sees it as a constant. Two classes with the same
    polynomial (paths whose shared weights coincide) are one coordinate: the loss depends on θ
    through that polynomial only. Kind "network"; the labels name the classes."""
    phi, labels, classes, seen = [], [], [], {}
    for (start, seq, out), (poly, _count, _path, _b) in coords.items():
        if poly.total_degree() <= 0:  # a constant (or 0): no dependence on θ
            continue
        key = str(poly)
        label = "Σ[" + "→".join([start or "1", *seq, out]) + "]"
        if key in seen:
            labels[seen[key]] += " = " + label
            continue
        seen[key] = len(phi)
        phi.append(poly)
        labels.append(label)
        classes.append((start, seq, out))
    if not phi:
        raise SpecError("the network's output does not depend on its parameters")
    return Lifting(arch.name, "network", ring, phi, labels, architecture=arch, classes=classes)


def _relu_path_lifting(arch: Architecture, max_terms: int) -> Lifting:
    """The path-lifting of a network whose hidden neurons are all ReLU: one coordinate per path
    (from an input, or from a neuron's bias, to an output), φ_p the product of its weights. The
    paths and their parameters are enumerated at once (the structural engine needs nothing
    else); the polynomials φ_p are expanded on first use, with the term limit checked then.
    Same coordinates, in the same order, as the general builder of ``network_lifting``."""
    # d = the number of paths was checked against max_paths by the caller (check_size)
    check_terms(arch.count_paths(), max_terms)  # the paths are enumerated: one term each
    g = arch.graph
    ring = Ring(arch.params)
    index = ring.index
    tails: dict[str, list[tuple[str, ...]]] = {}
    for v in reversed(list(dg.topological_sort(g))):
        if g.nodes[v]["kind"] == OUTPUT:
            tails[v] = [(v,)]
        else:
            tails[v] = [(v,) + t for w in g.successors(v) for t in tails[w]]
    paths: list[tuple[str, ...]] = []
    labels: list[str] = []
    params: list[list[int]] = []
    classes: list[tuple] = []
    edge = {(a, c): index[g.edges[a, c]["param"]] for a, c in g.edges}

    def add(path: tuple[str, ...], b: str | None) -> None:
        paths.append(((b,) if b else ()) + path)
        labels.append((f"{b}:" if b else "") + "→".join(path))
        params.append(([index[b]] if b else [])
                      + [edge[a, c] for a, c in zip(path, path[1:], strict=False)])
        # the ReLU neurons of the path: all but the start and the output (a bias's neuron
        # is one of them)
        classes.append((None, tuple(path[:-1]), path[-1]) if b
                       else (path[0], tuple(path[1:-1]), path[-1]))

    for x in arch.inputs:
        for path in tails[x]:
            add(path, None)
    for v in g.nodes:
        b = arch.bias(v)
        if b:
            for path in tails[v]:
                add(path, b)

    def build() -> list:
        gens = ring.qgens()
        one = ring.qctx.constant(1)
        out = []
        for ps in params:
            poly = one
            for k in ps:
                poly = poly * gens[k]
            out.append(poly)
        return out

    return Lifting(arch.name, "path", ring, LazyPhi(len(params), build), labels,  # type: ignore[arg-type]
                   architecture=arch, paths=paths, path_params=params, classes=classes)


#: the path-lifting of a ReLU network is the network lifting of a DAG of ReLU neurons
path_lifting = network_lifting


def predicted_power_terms(arch: Architecture) -> int:
    """An upper bound, from the shape alone, on the terms of H(x; θ) expanded in (x, c, θ) for
    a network with power activations: a pre-activation has at most T = Σ_u T_u (+1 for a
    bias) terms, and its p-th power at most C(T + p − 1, p) (the multisets of p of them)."""
    from math import comb

    g = arch.graph
    terms: dict[str, int] = {}
    total = 0
    for v in dg.topological_sort(g):
        if g.nodes[v]["kind"] == "input":
            terms[v] = 1
            continue
        t = sum(terms[u] for u in g.predecessors(v)) + (1 if arch.bias(v) else 0)
        p = arch.power(v)
        terms[v] = comb(t + p - 1, p) if p > 1 else t
        if g.nodes[v]["kind"] == OUTPUT:
            total += terms[v]
    return total


def power_lifting(arch: Architecture, max_params: int = DEFAULT_MAX_PARAMS,
                  max_paths: int = DEFAULT_MAX_PATHS,
                  max_terms: int = DEFAULT_MAX_TERMS) -> Lifting:
    """The lifting of a network with activations relu^p or x^p (and relu, linear).

    Give every gated neuron v (relu, relu^p) an indicator c_v ∈ {0, 1} of its activation
    pattern, so that σ_v(s) = c_v·s^p, and expand the output H(x; θ) as a polynomial in the
    inputs x and the indicators (c_v² = c_v): H_y = Σ_{(α, C)} φ_{y,α,C}(θ) x^α ∏_{v∈C} c_v.
    On every pattern the loss depends on θ only through the coefficients φ_{y,α,C}: they are
    the coordinates of φ (kind "power"). For p = 1 everywhere this is the network lifting
    (one coordinate per class of paths)."""
    check_size(len(arch.params), 0, max_params, max_paths)
    predicted = predicted_power_terms(arch)
    if predicted > max_terms:
        raise LimitError(
            f"the output expands to up to {predicted} terms (powers of pre-activations), above "
            f"the limit of {max_terms} (raise it with --max-terms)")
    ring = Ring(arch.params)
    gens = ring.qgens()
    var = {n: gens[i] for i, n in enumerate(arch.params)}
    g = arch.graph
    order = list(dg.topological_sort(g))
    rank = {v: i for i, v in enumerate(order)}
    n_in = len(arch.inputs)
    zero_x = (0,) * n_in
    one = ring.qctx.constant(1)

    def mul(a: dict, b: dict) -> dict:
        out: dict = {}
        for (xa, ca), pa in a.items():
            for (xb, cb), pb in b.items():
                key = (tuple(i + j for i, j in zip(xa, xb, strict=True)), ca | cb)
                val = out.get(key)
                out[key] = pa * pb if val is None else val + pa * pb
        return {k: v for k, v in out.items() if not v.is_zero()}

    act: dict[str, dict] = {}
    outputs: dict[str, dict] = {}
    for v in order:
        kind = g.nodes[v]["kind"]
        if kind == "input":
            e = [0] * n_in
            e[arch.inputs.index(v)] = 1
            act[v] = {(tuple(e), frozenset()): one}
            continue
        pre: dict = {}
        for u in g.predecessors(v):
            w = var[g.edges[u, v]["param"]]
            for key, poly in act[u].items():
                pre[key] = pre[key] + w * poly if key in pre else w * poly
        if arch.bias(v):
            key = (zero_x, frozenset())
            b = var[arch.bias(v)]
            pre[key] = pre[key] + b if key in pre else b
        pre = {k: p for k, p in pre.items() if not p.is_zero()}
        if kind == "output":
            outputs[v] = pre
            continue
        val = pre
        for _ in range(arch.power(v) - 1):
            val = mul(val, pre)
        if arch.activation(v).startswith("relu"):
            val = {(x, c | {v}): p for (x, c), p in val.items()}
        act[v] = val
    phi, labels, classes = [], [], []
    names = arch.inputs
    for y in arch.outputs:
        keys = sorted(outputs[y], key=lambda k: (sorted(rank[c] for c in k[1]),
                                                 [-e for e in k[0]]))
        for xs, cs in keys:
            phi.append(outputs[y][(xs, cs)])
            mono = "*".join(n if e == 1 else f"{n}^{e}" for n, e in zip(names, xs, strict=True)
                            if e) or "1"
            on = ",".join(sorted(cs, key=rank.__getitem__))
            labels.append(f"{y}[{mono}" + (f"; {on}]" if on else "]"))
            classes.append((xs, tuple(sorted(cs, key=rank.__getitem__)), y))
    check_size(len(arch.params), len(phi), max_params, max_paths)
    return Lifting(arch.name, "power", ring, phi, labels, architecture=arch, classes=classes)


class LazyPhi(Sequence):
    """The coordinates of φ, expanded on first use (with the term limit checked then): the
    structural engine answers ``laws`` on a linear network without ever expanding them."""

    def __init__(self, n: int, build):  # noqa: ANN001 - a callable returning the polynomials
        self._n, self._build, self._items = n, build, None

    def _expanded(self) -> list:
        if self._items is None:
            self._items = self._build()
        return self._items

    @property
    def expanded(self) -> bool:
        return self._items is not None

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):  # type: ignore[override]
        return self._expanded()[i]

    def __iter__(self):
        return iter(self._expanded())


def product_lifting(widths: list[int], max_params: int = DEFAULT_MAX_PARAMS,
                    max_paths: int = DEFAULT_MAX_PATHS,
                    max_terms: int = DEFAULT_MAX_TERMS) -> Lifting:
    """φ(U_1..U_L) = U_L ⋯ U_1 (entries z[i,j], row-major), U_k ∈ R^{n_k × n_{k-1}} with entries
    ``U{k}_{i}_{j}``: the network lifting of the layered network of linear neurons, whose
    classes are the (input j, output i) pairs. The entries (∏_k n_k terms in all) are expanded
    only when first used; the term limit applies then."""
    from .architecture import layered

    arch = layered(widths, activation="linear", weight="U")
    n_in, n_out = widths[0], widths[-1]
    check_size(len(arch.params), n_in * n_out, max_params, max_paths)
    ring = Ring(arch.params)
    pairs = [(i, j) for i in range(1, n_out + 1) for j in range(1, n_in + 1)]

    def build() -> list:
        lf = network_lifting(arch, max_params, max_paths, max_terms)
        where = {(start, out): k for k, (start, _, out) in enumerate(lf.classes)}
        return [lf.phi[where[(f"x{j}", f"y{i}")]] for i, j in pairs]

    labels = [f"z[{i},{j}]" for i, j in pairs]
    classes = [(f"x{j}", (), f"y{i}") for i, j in pairs]
    name = "linear:" + "-".join(map(str, widths))
    return Lifting(name, "product", ring, LazyPhi(len(pairs), build), labels,  # type: ignore[arg-type]
                   architecture=arch, widths=tuple(widths), classes=classes)


def custom_lifting(name: str, params: list[str], exprs: list, max_params: int =
                   DEFAULT_MAX_PARAMS, max_paths: int = DEFAULT_MAX_PATHS,
                   max_terms: int = DEFAULT_MAX_TERMS) -> Lifting:
    """A user-given polynomial map φ, from SymPy expressions in the named parameters."""
    check_size(len(params), len(exprs), max_params, max_paths)
    ring = Ring(params)
    phi = [ring.from_sympy(e) for e in exprs]
    check_terms(sum(len(p) for p in phi), max_terms)
    labels = [f"phi{i + 1}" for i in range(len(phi))]
    return Lifting(name, "custom", ring, phi, labels)


def attention_lifting(dim: int, head_dim: int, heads: int = 1, max_params: int =
                      DEFAULT_MAX_PARAMS, max_paths: int = DEFAULT_MAX_PATHS) -> Lifting:
    """An attention layer with ``heads`` heads, model dimension d and head dimension k:
    out(X) = Σ_h softmax(X Q_h K_hᵀ Xᵀ/√k) X V_h O_h with Q_h, K_h, V_h ∈ R^{d×k}, O_h ∈ R^{k×d}.
    The output depends on the parameters only through the products Q_h K_hᵀ and V_h O_h, so
    the lifting is their entries, head by head: φ = (Q_h K_hᵀ, V_h O_h)_h ∈ R^{2hd²} (the
    scaling 1/√k and the softmax act on values of φ). Parameters Q{h}_{i}_{a}, K{h}_{i}_{a},
    V{h}_{i}_{a}, O{h}_{a}_{j}."""
    D, d = 4 * heads * dim * head_dim, 2 * heads * dim * dim  # noqa: N806
    check_size(D, d, max_params, max_paths)
    names: list[str] = []
    for h in range(1, heads + 1):
        for m in ("Q", "K", "V"):
            names += [f"{m}{h}_{i}_{a}" for i in range(1, dim + 1) for a in range(1, head_dim + 1)]
        names += [f"O{h}_{a}_{j}" for a in range(1, head_dim + 1) for j in range(1, dim + 1)]
    ring = Ring(names)
    g = dict(zip(names, ring.qgens(), strict=True))
    phi, labels = [], []
    for h in range(1, heads + 1):
        for i in range(1, dim + 1):
            for j in range(1, dim + 1):
                phi.append(sum((g[f"Q{h}_{i}_{a}"] * g[f"K{h}_{j}_{a}"]
                                for a in range(1, head_dim + 1)), ring.qctx.constant(0)))
                labels.append(f"(Q{h}K{h}ᵀ)[{i},{j}]")
        for i in range(1, dim + 1):
            for j in range(1, dim + 1):
                phi.append(sum((g[f"V{h}_{i}_{a}"] * g[f"O{h}_{a}_{j}"]
                                for a in range(1, head_dim + 1)), ring.qctx.constant(0)))
                labels.append(f"(V{h}O{h})[{i},{j}]")
    name = f"attn:{dim}-{head_dim}" + (f"-{heads}" if heads > 1 else "")
    return Lifting(name, "custom", ring, phi, labels,
                   block={"kind": "attention", "dim": dim, "head_dim": head_dim,
                          "heads": heads})


def block_lifting(lifting: Lifting, block: list[str]) -> Lifting:
    """The lifting of a block θ_B of the parameters, the others θ_O arbitrary. Write each
    φ_i = Σ_α θ_O^α ψ_{i,α}(θ_B): a law that depends on θ_B only, h(θ_B), is conserved for every
    θ_O iff ⟨∇h, ∇ψ_{i,α}⟩ ≡ 0 for every (i, α) (the monomials θ_O^α are independent), so the
    block's laws are the laws of ψ = (ψ_{i,α}) — the Lie algebra generated by the fields
    ∇_B φ_i with every coefficient in θ_O a separate generator. Constant ψ are left out and
    equal ones merged."""
    keep = [lifting.params.index(n) for n in block]
    others = [k for k in range(lifting.D) if k not in set(keep)]
    ring = Ring(block)
    gens = ring.qgens()
    seen: dict[str, int] = {}
    phi, labels = [], []
    for i, p in enumerate(lifting.phi):
        parts: dict[tuple, object] = {}
        for mono, c in p.to_dict().items():
            key = tuple(mono[k] for k in others)
            term = ring.qctx.constant(flint.fmpq(c))
            for pos, k in enumerate(keep):
                if mono[k]:
                    term *= gens[pos] ** int(mono[k])
            parts[key] = parts[key] + term if key in parts else term
        for key, poly in parts.items():
            if poly.total_degree() <= 0:
                continue
            text = str(poly)
            if text in seen:
                continue
            seen[text] = len(phi)
            phi.append(poly)
            outer = "·".join(f"{lifting.params[k]}^{e}" if e > 1 else lifting.params[k]
                             for k, e in zip(others, key, strict=True) if e) or "1"
            labels.append(f"φ{i + 1} ∋ {outer}")
    if not phi:
        raise SpecError("no coordinate of φ depends on the block's parameters")
    name = f"{lifting.name} [block {block[0]}…]" if len(block) > 3 else \
        f"{lifting.name} [block {', '.join(block)}]"
    return Lifting(name, "custom", ring, phi, labels)
