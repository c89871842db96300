"""The neural correlation function N(w) = Σ_i ⟨y_i, H(x_i; w)⟩ and its KKT points on the unit
sphere [KH25], exactly, on every activation region.

N is a polynomial N_P on each activation pattern P (each gated neuron v — relu or relu^p — on
or off on each data point i). Two cases:

* **C¹** (gated neurons relu^p with p ≥ 2, or none): σ(0) = σ′(0) = 0, so on the closed region
  R_P = {pre_{v,i} ≥ 0 where P is on, ≤ 0 where off} both N = N_P and ∇N = ∇N_P. The KKT points
  ∇N = μw, ‖w‖ = 1 are the union over P of the KKT points of N_P lying in R_P (exact signs).
  With pre-activations linear in w only the regions with an interior are visited (an exact
  linear programme each): their closures cover the space.
* **ReLU** (relu′ jumps): KKT in Clarke's sense, μw ∈ ∂N(w). For a network whose ReLU neurons
  take their inputs from input neurons only, the sphere is cut into strata (per neuron, a face
  of its arrangement of hyperplanes pre_{v,i} = 0); on a stratum N is smooth, and a Clarke KKT
  point is a critical point of N on sphere ∩ stratum (Lagrange multipliers ν for the active
  hyperplanes) whose multipliers are met by the relu′ ∈ conv{realisable patterns} of the
  hyperplanes through it. Each such point is decided exactly, or reported undecided.

Second order (KH25): vᵀ(∇²N(w*) − μI)v ≤ 0 for v ⊥ w*, i.e. B = P(∇²N − μI)P ⪯ 0 with
P = I − w*w*ᵀ, i.e. every coefficient of det(sI − B) is ≥ 0 (a real symmetric matrix has no
positive eigenvalue iff its characteristic polynomial has no sign change), decided exactly in
Q(β); a failure gets an explicit direction when a simple one exists.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import sympy

from . import digraph as dg
from .algebraic import (
    AlgebraicPoint,
    NoShapePosition,
    NotZeroDimensional,
    T,
    display,
    real_solutions,
    show_number,
)
from .errors import LimitError, SymflowError
from .liftings import Lifting

MAX_NCF_PARAMS = 8
MAX_REGIONS = 256


@dataclass
class KKTPoint:
    """One KKT point w* of max N on ‖w‖ = 1, exact."""

    point: AlgebraicPoint | None  # over (w_1, …, w_D, μ); None for a combination of blocks
    w: list[str]
    w_approx: list[float]
    value: str  # N(w*)
    mu: str
    positive: bool  # N(w*) > 0
    boundary: list[tuple[str, int]] = field(default_factory=list)  # (neuron, data) pre = 0
    clarke: bool = False  # a Clarke KKT point that is not a smooth one
    second_order: str = "not decided"  # "holds" | "fails" | "not decided"
    direction: list[str] | None = None  # v ⊥ w* with vᵀ(∇²N − μI)v > 0
    note: str = ""
    mu_approx: float = 0.0  # to sort (display only)
    support: list[str] = field(default_factory=list)  # hidden neurons with non-zero weights


@dataclass
class Continuum:
    """A positive-dimensional piece of the KKT set of one region or stratum."""

    where: str
    dimension: int
    mu_zero: bool  # every point of it has μ = N = 0
    note: str


@dataclass
class NCFResult:
    smoothness: str  # "C1" | "ReLU (Clarke)" | "polynomial"
    expression: sympy.Expr  # N on the all-active pattern (the all-on polynomial)
    pieces: int  # regions or strata visited
    empty: int  # patterns or strata found empty (exact LPs)
    points: list[KKTPoint]
    continua: list[Continuum]
    undecided: list[str]
    seconds: float = 0.0
    method: str = "regions"  # "regions" | "blocks" (N separable over the hidden neurons)
    notes: list[str] = field(default_factory=list)

    mu_zero_dimension: int | None = None  # blocks: the μ = 0 part contains a sphere of this dim

    @property
    def finite(self) -> bool | None:
        """The whole KKT set is finite (None: the μ = 0 part was not enumerated and may be)."""
        if self.continua or (self.mu_zero_dimension or 0) > 0:
            return False
        return None if self.mu_zero_dimension is not None else True


# ----------------------------------------------------------------------------- the network
class Net:
    """The network of a lifting, forward passes in SymPy with a given activation pattern."""

    def __init__(self, lifting: Lifting, xs: list[list], ys: list[list]):
        arch = lifting.architecture
        if arch is None:
            raise SymflowError("the neural correlation function needs a network (relu:…, "
                               "linear:…, relu^p:…, x^p:… or a DAG), not a polynomial lifting")
        self.lf, self.arch, self.xs, self.ys = lifting, arch, xs, ys
        self.g = arch.graph
        self.order = list(dg.topological_sort(self.g))
        self.syms = lifting.ring.symbols()
        self.sym = dict(zip(lifting.params, self.syms, strict=True))
        self.gated = [v for v in self.order if self.g.nodes[v]["kind"] == "hidden"
                      and arch.activation(v).startswith("relu")]
        self.relu = [v for v in self.gated if arch.activation(v) == "relu"]
        self.shallow = all(self.g.nodes[u]["kind"] == "input" for v in self.gated
                           for u in self.g.predecessors(v))
        self.n = len(xs)

    def forward(self, i: int, pattern: dict | None, free: str | None = None
                ) -> tuple[dict, sympy.Expr]:
        """(pre-activations of the gated neurons, ⟨y_i, H(x_i)⟩) on data point i under the
        pattern {(v, i): 0/1}; with ``free`` a gated neuron, its activation is the symbol A."""
        act: dict[str, sympy.Expr] = {}
        pre_g: dict[str, sympy.Expr] = {}
        arch, g = self.arch, self.g
        for v in self.order:
            kind = g.nodes[v]["kind"]
            if kind == "input":
                act[v] = sympy.Rational(self.xs[i][arch.inputs.index(v)])
                continue
            s = sum((self.sym[g.edges[u, v]["param"]] * act[u] for u in g.predecessors(v)),
                    sympy.Integer(0))
            if arch.bias(v):
                s += self.sym[arch.bias(v)]
            if kind == "output":
                act[v] = s
                continue
            p = arch.power(v)
            if v in self.gated:
                pre_g[v] = sympy.expand(s)
                on = pattern.get((v, i), 0) if pattern is not None else 1
                act[v] = sympy.Symbol("A") if v == free else (s ** p if on else sympy.Integer(0))
            else:
                act[v] = s ** p
        self._last_outputs = [act[o] for o in arch.outputs]
        out = sum((sympy.Rational(self.ys[i][k]) * act[o] for k, o in enumerate(arch.outputs)),
                  sympy.Integer(0))
        return pre_g, out

    def outputs(self, i: int, pattern: dict | None) -> list[sympy.Expr]:
        """H(x_i; θ) under the pattern, one expression per output."""
        self.forward(i, pattern)
        return [sympy.expand(e) for e in self._last_outputs]

    def N(self, pattern: dict | None) -> sympy.Expr:  # noqa: N802 - the paper's notation
        return sympy.expand(sum((self.forward(i, pattern)[1] for i in range(self.n)),
                                sympy.Integer(0)))

    def pres(self, pattern: dict | None) -> dict[tuple[str, int], sympy.Expr]:
        out = {}
        for i in range(self.n):
            for v, e in self.forward(i, pattern)[0].items():
                out[(v, i)] = e
        return out

    def params_of(self, v: str) -> list[str]:
        """The names of v's parameters: incoming weights, bias, outgoing weights."""
        g, arch = self.g, self.arch
        out = [g.edges[u, v]["param"] for u in g.predecessors(v)]
        out += [arch.bias(v)] if arch.bias(v) else []
        return out + [g.edges[v, y]["param"] for y in g.successors(v)]

    def block(self, v: str) -> list[int]:
        """Indices of the parameters of v's pre-activation (incoming weights, bias)."""
        idx = self.lf.ring.index
        ps = [idx[self.g.edges[u, v]["param"]] for u in self.g.predecessors(v)]
        return ps + ([idx[self.arch.bias(v)]] if self.arch.bias(v) else [])

    def xt(self, v: str, i: int) -> list[sympy.Rational]:
        """x̃_i: the coefficients of v's (linear) pre-activation on data i, on v's block."""
        e = self.forward(i, None)[0][v]
        return [sympy.Rational(e.coeff(self.syms[k])) for k in self.block(v)]


# ----------------------------------------------------------------------------- exact LPs
def _feasible(cons: list) -> bool:
    from sympy.solvers.simplex import InfeasibleLPError, lpmin

    if not cons:
        return True
    try:
        lpmin(0, cons)
        return True
    except InfeasibleLPError:
        return False


def _signs_realisable(vectors: list[list], signs: tuple) -> bool:
    """∃u: sign(x̃_iᵀu) = s_i (s ∈ {+1, 0, −1}) — a cone, so ≥ 1 / ≤ −1 for the strict ones."""
    if not vectors:
        return True
    u = sympy.symbols(f"u0:{len(vectors[0])}")
    cons = []
    for x, s in zip(vectors, signs, strict=True):
        form = sum((c * uu for c, uu in zip(x, u, strict=True)), sympy.Integer(0))
        if s == 0:
            if form != 0:
                cons.append(sympy.Eq(form, 0))
        elif form == 0:
            return False
        else:
            cons.append(form * s >= 1)
    return _feasible(cons)


def _sign_vectors(vectors: list[list], alphabet: tuple) -> list[tuple]:
    """Every realisable sign vector (entries in ``alphabet`` ⊂ {1, 0, −1}) of the linear forms
    x̃_iᵀu, found depth first: a prefix that no u realises is not extended (one exact LP per
    realisable prefix and letter, instead of one per vector of |alphabet|^n)."""
    out: list[tuple] = []

    def grow(prefix: tuple) -> None:
        k = len(prefix)
        if k == len(vectors):
            out.append(prefix)
            return
        for s in alphabet:
            if s != 0 and not any(vectors[k]):
                continue
            if _signs_realisable(vectors[:k + 1], prefix + (s,)):
                grow(prefix + (s,))

    grow(())
    return out


# ----------------------------------------------------------------------------- main entry
MAX_SECONDS = 60.0


def ncf(lifting: Lifting, xs: list[list], ys: list[list], max_params: int = MAX_NCF_PARAMS,
        max_regions: int = MAX_REGIONS, max_seconds: float = MAX_SECONDS) -> NCFResult:
    """The KKT points of max N(w) on ‖w‖ = 1, on every activation region, exactly; refused
    (LimitError) when the exact computation runs past ``max_seconds``."""
    from .clock import Overrun, deadline

    try:  # stopped at 95 % of the budget: reading the input and printing fit in the rest
        with deadline(0.95 * max_seconds):
            return _ncf(lifting, xs, ys, max_params, max_regions)
    except Overrun:
        raise LimitError(f"the exact KKT computation ran past {max_seconds:g} s (Gröbner bases "
                         "of the regions' systems; raise it with --max-seconds)") from None


def _ncf(lifting: Lifting, xs: list[list], ys: list[list], max_params: int,
         max_regions: int) -> NCFResult:
    start = time.monotonic()
    if lifting.D > max_params:
        raise LimitError(f"the KKT system is solved exactly for D ≤ {max_params} parameters "
                         f"(this network has D = {lifting.D}; raise it with --max-params)")
    net = Net(lifting, xs, ys)
    w = net.syms
    mu = sympy.Symbol("mu", real=True)
    expression = net.N(None)
    if net.relu:
        if not net.shallow:
            raise SymflowError(
                "Clarke KKT points are computed when every ReLU neuron takes its inputs from "
                "input neurons only (one layer of ReLU neurons); for deeper nets use relu^p "
                "(p ≥ 2), whose N is C¹ and handled on every region")
        res = _clarke(net, mu, max_regions)
        res.expression = expression
    elif _separable(net):
        res = _blocks(net, mu, max_regions)
        res.expression = expression
    else:
        res = _smooth(net, mu, max_regions)
        res.expression = expression
    for k in res.points:
        if k.point is not None and k.second_order == "not decided" and not k.note:
            _second_order(net, k, w, mu)
        if k.point is not None:
            k.mu_approx = k.point.approx(mu)
    res.points.sort(key=lambda k: (not k.positive, -k.mu_approx))
    res.seconds = time.monotonic() - start
    return res


def _regions(net: Net, max_regions: int) -> tuple[list[dict], int]:
    """The activation patterns to visit (and how many were found empty)."""
    if not net.gated:
        return [{}], 0
    pairs = [(v, i) for v in net.gated for i in range(net.n)]
    if net.shallow:
        per: list[list[dict]] = []
        empty = 0
        for v in net.gated:
            vecs = [net.xt(v, i) for i in range(net.n)]
            live = [i for i in range(net.n) if any(vecs[i])]  # pre ≡ 0: off
            found = _sign_vectors([vecs[i] for i in live], (1, -1))
            empty += 2 ** len(live) - len(found)
            per.append([{(v, i): int(s > 0) for i, s in zip(live, signs, strict=True)}
                        for signs in found])
        total = math.prod(len(opts) for opts in per)
        if total > max_regions:
            raise LimitError(f"N has {total} activation regions with an interior, above the "
                             f"limit of {max_regions} (raise it with --max-regions)")
        out = []
        for combo in itertools.product(*per):
            pat: dict = {}
            for part in combo:
                pat.update(part)
            out.append(pat)
        return out, empty
    total = 2 ** len(pairs)
    if total > max_regions:
        raise LimitError(f"N has up to 2^{len(pairs)} = {total} activation patterns (gated "
                         f"neurons × data points), above the limit of {max_regions} (raise it "
                         "with --max-regions)")
    return [dict(zip(pairs, bits, strict=True))
            for bits in itertools.product((1, 0), repeat=len(pairs))], 0


def _solve(eqs: list, gens: list, mu: sympy.Symbol, where: str, res: NCFResult
           ) -> list[AlgebraicPoint]:
    """Real solutions; a continuum is recorded (dimension, and whether μ = 0 on it) and its
    part with μ ≠ 0 solved when that part is finite."""
    from .homogeneous import kkt_dimension

    try:
        return real_solutions(eqs, gens)
    except NoShapePosition:
        res.undecided.append(f"{where}: no rational univariate representation found")
        return []
    except NotZeroDimensional:
        pass
    dim = kkt_dimension(eqs, gens)
    s = sympy.Symbol("s_")
    try:
        pts = real_solutions(eqs + [s * mu - 1], gens + [s])
        pts = [AlgebraicPoint(p.beta, p.coords[:-1], gens) for p in pts]
        res.continua.append(Continuum(where, dim, True, "μ = 0 on it, so N = 0 there (Euler: "
                                      "μ = L·N): no positive KKT point"))
        return pts
    except NotZeroDimensional:
        res.continua.append(Continuum(where, dim, False, "contains points with μ ≠ 0; their "
                                      "second-order status is not decided"))
    except NoShapePosition:
        res.undecided.append(f"{where}: no rational univariate representation found")
    return []


def _describe(net: Net, pattern: dict) -> str:
    if not pattern:
        return "the one region (no gated neuron)"
    on = [f"{v}@{i + 1}" for (v, i), b in sorted(pattern.items(), key=str) if b]
    return "region with " + (", ".join(on) + " on" if on else "every gated neuron off")


def _add(res: NCFResult, k: KKTPoint) -> None:
    for other in res.points:
        if other.point.same_as(k.point):
            other.boundary = sorted(set(other.boundary) | set(k.boundary))
            return
    res.points.append(k)


def _make(net: Net, p: AlgebraicPoint, Nexpr: sympy.Expr, mu: sympy.Symbol,
          boundary: list) -> KKTPoint:
    w = net.syms
    return KKTPoint(p, [display(p, s) for s in w], [p.approx(s) for s in w],
                    display(p, Nexpr), display(p, mu), p.sign(Nexpr) > 0, boundary)


def _smooth(net: Net, mu: sympy.Symbol, max_regions: int) -> NCFResult:
    w = net.syms
    patterns, empty = _regions(net, max_regions)
    res = NCFResult("C1" if net.gated else "polynomial", sympy.Integer(0), len(patterns), empty,
                    [], [], [])
    for pat in patterns:
        Nexpr = net.N(pat)
        eqs = [sympy.diff(Nexpr, s) - mu * s for s in w] + [sum(s ** 2 for s in w) - 1]
        pres = net.pres(pat)
        for p in _solve(eqs, w + [mu], mu, _describe(net, pat), res):
            boundary, inside = [], True
            for (v, i), e in pres.items():
                sg = p.sign(e)
                if sg == 0:
                    boundary.append((v, i))
                elif (sg > 0) != bool(pat.get((v, i), 0)):
                    inside = False
                    break
            if inside:
                _add(res, _make(net, p, Nexpr, mu, boundary))
    return res


# ----------------------------------------------------------------------------- separable N
def _separable(net: Net) -> bool:
    """N = Σ_v G_v(θ_v) over disjoint blocks θ_v (v's incoming weights, bias, outgoing weights),
    each G_v homogeneous of degree p_v + 1 ≥ 3: one layer of relu^p / x^p neurons (p ≥ 2)
    between the inputs and the outputs, no input → output edge, no output bias."""
    arch, g = net.arch, net.g
    if not arch.hidden or any(arch.bias(y) for y in arch.outputs):
        return False
    for v in arch.hidden:
        if arch.power(v) < 2:
            return False
        if any(g.nodes[u]["kind"] != "input" for u in g.predecessors(v)):
            return False
        if any(g.nodes[y]["kind"] != "output" for y in g.successors(v)):
            return False
    return not any(g.nodes[u]["kind"] == "input" and g.nodes[y]["kind"] == "output"
                   for u, y in g.edges)


def _block_net(net: Net, v: str) -> Net:
    """The network of neuron v alone (its inputs, v, its outputs; the same parameter names),
    built once per neuron."""
    blocks = net.__dict__.setdefault("_blocks", {})
    if v not in blocks:
        blocks[v] = _build_block(net, v)
    return blocks[v]


def _build_block(net: Net, v: str) -> Net:
    from .architecture import Architecture
    from .liftings import network_lifting

    g = net.g
    keep = [u for u in net.order if g.nodes[u]["kind"] != "hidden" or u == v]
    sub = g.subgraph(keep).copy()
    params = [p for p in net.lf.params if p in
              {sub.edges[e]["param"] for e in sub.edges} | {net.arch.bias(v)}]
    arch = Architecture(graph=sub, params=params, name=f"{net.arch.name}[{v}]")
    return Net(network_lifting(arch), net.xs, net.ys)


def _blocks(net: Net, mu: sympy.Symbol, max_regions: int) -> NCFResult:
    """KKT points with μ ≠ 0 of a separable N = Σ_v G_v(θ_v), G_v homogeneous of degree
    L_v ≥ 3: each block is 0 or θ_v = t_v u_v with (u_v, μ_v) a unit KKT point of G_v alone and
    t_v^{L_v − 2} μ_v = μ, Σ t_v² = 1 (∇G_v(t u) = t^{L−2}μ_v·(t u)). Second order: on the
    directions Σ c_v u_v (c ⊥ t) the form is (L − 2)μ Σ c_v², so with μ > 0 a point with two or
    more non-zero blocks fails; with one block v it holds iff u_v holds it for G_v (the other
    blocks contribute −μ‖·‖², their G vanishing to third order). With μ < 0 the signs swap."""
    from .algebraic import AlgebraicPoint as AP

    w = net.syms
    res = NCFResult("C1" if net.gated else "polynomial", sympy.Integer(0), 0, 0, [], [], [],
                    method="blocks")
    units: dict[str, list[KKTPoint]] = {}
    for v in net.arch.hidden:
        sub = _block_net(net, v)
        part = _smooth(sub, mu, max_regions)
        res.pieces += part.pieces
        res.empty += part.empty
        res.undecided += part.undecided
        res.continua += [c for c in part.continua if not c.mu_zero]
        found = []
        for k in part.points:
            if k.point is None or k.point.is_zero(mu):
                continue  # μ = 0: N = 0, reported below
            _second_order(sub, k, sub.syms, mu)
            found.append(k)
        units[v] = found
    L = {v: net.arch.power(v) + 1 for v in net.arch.hidden}
    pos = {n: i for i, n in enumerate(net.lf.params)}
    zero = sympy.Poly(0, T)
    for v, ks in units.items():  # one block: the unit point itself
        sub_names = [str(s) for s in _block_net(net, v).syms]
        for k in ks:
            q = k.point
            coords = [zero] * len(w) + [q.coords[-1]]
            for n, c in zip(sub_names, q.coords[:-1], strict=True):
                coords[pos[n]] = c
            full = AP(q.beta, coords, list(w) + [mu])
            one = KKTPoint(full, [display(full, s) for s in w], [full.approx(s) for s in w],
                           k.value, k.mu, k.positive, k.boundary, support=[v])
            others = len(units) > 1
            if k.positive or not others:
                one.second_order, one.direction, one.note = k.second_order, k.direction, k.note
                if k.direction:
                    dv = [sympy.Integer(0)] * len(w)
                    for n, e in zip(sub_names, k.direction, strict=True):
                        dv[pos[n]] = sympy.sympify(e) if "root" not in e else e
                    one.direction = [str(x) for x in dv]
            else:  # μ < 0 and another block: v in it gives −μ‖v‖² > 0
                one.second_order = "fails"
                other = next(u for u in units if u != v)
                b = _block_net(net, other).syms[0]
                one.direction = ["1" if s == b else "0" for s in w]
                one.note = (f"any direction in the block of {other} (zero at w*): "
                            "vᵀ(∇²N − μI)v = −μ‖v‖² > 0")
            one.mu_approx = full.approx(mu)
            res.points.append(one)
    hidden = list(units)
    for size in range(2, len(hidden) + 1):  # combinations of several blocks
        for subset in itertools.combinations(hidden, size):
            for picks in itertools.product(*(units[v] for v in subset)):
                if len({k.point.sign(mu) for k in picks}) != 1:
                    continue
                res.points.append(_combine(net, subset, picks, L, pos, w))
    if net.arch.hidden:
        outs = sum(len(list(net.g.successors(v))) for v in net.arch.hidden)
        res.mu_zero_dimension = outs - 1
        res.notes.append(
            "KKT points with μ = 0 (so N = 0, never positive) are not enumerated: they "
            f"include every point with all incoming weights and biases 0 and outgoing weights "
            f"of norm 1 (a sphere of dimension {outs - 1})")
    return res


def _unit(k: KKTPoint, s: sympy.Symbol) -> sympy.Expr:
    """A coordinate of a unit KKT point in closed form (its display, a radical)."""
    names = [str(x) for x in k.point.names]
    from .algebraic import display as show_exact

    return sympy.sympify(show_exact(k.point, k.point.names[names.index(str(s))]))


def _combine(net: Net, subset: tuple, picks: tuple, L: dict, pos: dict, w: list) -> KKTPoint:
    """The KKT point with blocks t_v u_v, t_v = (μ/μ_v)^{1/(L_v−2)}, Σ t_v² = 1. Its sign
    (μ has the sign of every μ_v, decided exactly on the unit points) and its second order
    follow from the structure; its coordinates are exact expressions, shown in closed form
    when they are radicals and by a decimal otherwise (the unit points are exact)."""
    mu_sym = sympy.Symbol("mu", real=True)
    sgn = picks[0].point.sign(mu_sym)
    # closed forms when every unit point has radical coordinates (shown without "root of")
    cheap = all("root" not in x for k in picks for x in [*k.w, k.mu])
    m = sympy.Symbol("m", positive=True)
    if cheap:
        mus = [sympy.sympify(k.mu) for k in picks]
        ratios = [(m / abs(mv)) ** sympy.Rational(1, L[v] - 2)
                  for v, mv in zip(subset, mus, strict=True)]
        sols = sympy.solve(sum(r ** 2 for r in ratios) - 1, m)
        mag = sympy.radsimp(sols[0])
        ts = [sympy.radsimp(r.subs(m, mag)) for r in ratios]
        mu_val = sgn * mag
    else:  # the same formulas in floats, for display only
        mus_f = [abs(k.point.approx(mu_sym)) for k in picks]
        lo, hi = 0.0, max(mus_f) * 10 + 10
        for _ in range(200):
            mid = (lo + hi) / 2
            tot = sum((mid / mv) ** (2 / (L[v] - 2)) for v, mv in zip(subset, mus_f,
                                                                       strict=True))
            lo, hi = (mid, hi) if tot < 1 else (lo, mid)
        mag = lo
        ts = [(mag / mv) ** (1 / (L[v] - 2)) for v, mv in zip(subset, mus_f, strict=True)]
        mu_val = sgn * mag
    coords: list = [sympy.Integer(0)] * len(w)
    approx = [0.0] * len(w)
    for v, k, t in zip(subset, picks, ts, strict=True):
        bsyms = _block_net(net, v).syms
        for s_ in bsyms:
            i = pos[str(s_)]
            if cheap:
                coords[i] = sympy.radsimp(t * _unit(k, s_))
                approx[i] = float(coords[i])
            else:
                approx[i] = t * k.point.approx(s_)

    def show(x) -> str:  # noqa: ANN001
        return show_number(x) if cheap else f"≈{float(x):.10g}"

    shown_w = [show(c) for c in coords] if cheap else [show(a) for a in approx]
    L0 = L[subset[0]]
    same_L = len({L[v] for v in subset}) == 1
    k = KKTPoint(None, shown_w, approx, show(mu_val / L0) if same_L else "μ/L", show(mu_val),
                 sgn > 0, sorted(set().union(*(set(p.boundary) for p in picks))),
                 support=list(subset), mu_approx=float(mu_val))
    if k.positive:
        k.second_order = "fails"
        # v = t_2 u_1 − t_1 u_2 on the first two blocks: (L − 2)μ(t_1² + t_2²) > 0
        va, vb = subset[0], subset[1]
        blk = {u: [pos[str(s)] for s in _block_net(net, u).syms] for u in (va, vb)}
        vals = coords if cheap else approx
        na = sympy.sqrt(sum(vals[i] ** 2 for i in blk[va]))
        nb = sympy.sqrt(sum(vals[i] ** 2 for i in blk[vb]))
        d: list = [sympy.Integer(0)] * len(w)
        for i in blk[va]:
            d[i] = vals[i] * nb / na
        for i in blk[vb]:
            d[i] = -vals[i] * na / nb
        k.direction = [show(sympy.radsimp(x) if cheap else x) for x in d]
        k.note = (f"{len(subset)} neurons share the weight: in the plane of their blocks the "
                  "form is (L − 2)μ‖c‖² > 0 (exact, from the structure)")
    else:
        holds = all(p.second_order == "holds" for p in picks)
        k.second_order = "holds" if holds else (
            "fails" if any(p.second_order == "fails" for p in picks) else "not decided")
        k.note = "from the second order of each block's unit point (μ < 0)"
    if not cheap:
        k.note += "; coordinates shown as decimals (exact: t_v·u_v with the exact unit points)"
    return k


# ----------------------------------------------------------------------------- ReLU (Clarke)
def _faces(net: Net, v: str) -> tuple[list[tuple], int]:
    vecs = [net.xt(v, i) for i in range(net.n)]
    out = _sign_vectors(vecs, (1, 0, -1))
    live = sum(1 for x in vecs if any(x))
    return out, 3 ** live - len(out)


def _clarke(net: Net, mu: sympy.Symbol, max_regions: int) -> NCFResult:
    w = net.syms
    per, empty = [], 0
    for v in net.gated:
        faces, e = _faces(net, v)
        per.append(faces)
        empty += e
    total = math.prod(len(f) for f in per)
    if total > max_regions:
        raise LimitError(f"the sphere is cut into {total} strata by the ReLU hyperplanes, above "
                         f"the limit of {max_regions} (raise it with --max-regions)")
    res = NCFResult("ReLU (Clarke)", sympy.Integer(0), total, empty, [], [], [])
    pres = net.pres(None)  # linear in w (one layer of ReLU neurons): the same on every stratum
    for combo in itertools.product(*per):
        signs = {(v, i): s for v, face in zip(net.gated, combo, strict=True)
                 for i, s in enumerate(face)}
        base = {k: int(s > 0) for k, s in signs.items()}
        zero = [k for k, s in signs.items() if s == 0]
        Nexpr = net.N(base)
        grads = []
        for k in zero:
            gvec = [sympy.diff(pres[k], s) for s in w]
            if any(gvec):
                grads.append(gvec)
        basis = []
        if grads:
            M = sympy.Matrix(grads)
            _, pivots = M.T.rref()
            basis = [grads[j] for j in pivots]
        nus = list(sympy.symbols(f"nu0:{len(basis)}")) if basis else []
        eqs = [sympy.diff(Nexpr, s) - mu * s
               - sum((nu * g[a] for nu, g in zip(nus, basis, strict=True)), sympy.Integer(0))
               for a, s in enumerate(w)]
        eqs += [pres[k] for k in zero if pres[k] != 0] + [sum(s ** 2 for s in w) - 1]
        where = _describe(net, base) + (f", with {len(zero)} pre-activation(s) = 0"
                                        if zero else "")
        for p in _solve(eqs, w + [mu] + nus, mu, where, res):
            q = AlgebraicPoint(p.beta, p.coords[:len(w) + 1], w + [mu])
            if any(q.sign(pres[k]) != s for k, s in signs.items() if s != 0):
                continue  # not in this stratum (an extra zero: found in another one)
            verdict = _clarke_condition(net, q, Nexpr, mu, zero)
            if verdict is None:
                near = ", ".join(f"{q.approx(s):.4g}" for s in w)
                res.undecided.append(f"{where}: the point w ≈ ({near}) needs a linear "
                                     "programme over an algebraic field (dependent data "
                                     "vectors in its zero set)")
                continue
            if verdict:
                k = _make(net, q, Nexpr, mu, zero)
                k.clarke = bool(zero)
                _add(res, k)
    return res


def _gamma(net: Net, v: str, i: int) -> sympy.Expr:
    """γ_{v,i}(w) = ∂⟨y_i, H(x_i; w)⟩/∂a_v at a_v = 0: what v's activation on x_i is worth."""
    _, out = net.forward(i, None, free=v)
    A = sympy.Symbol("A")
    return sympy.expand(sympy.diff(out, A).subs(A, 0))


def _field(q: AlgebraicPoint, expr: sympy.Expr) -> sympy.Poly:
    """A rational function of T (and of the point's variables) as an element of Q(β)."""
    num, den = sympy.fraction(sympy.together(sympy.sympify(expr)))
    n, d = q.reduce(num), q.reduce(den)
    f = q.beta.f
    if f.degree() <= 1:
        return sympy.Poly(n.as_expr() / d.as_expr(), T)
    inv = sympy.invert(d.as_expr(), f.as_expr(), T)
    return sympy.Poly(sympy.expand(n.as_expr() * inv), T).rem(f)


def _clarke_condition(net: Net, q: AlgebraicPoint, Nexpr: sympy.Expr, mu: sympy.Symbol,
                      zero: list) -> bool | None:
    """μw ∈ ∂N(w): per ReLU neuron v with hyperplanes through w, some c ∈ conv{realisable
    on/off patterns of those hyperplanes} has Σ_i c_i γ_{v,i} x̃_i = (μw − ∇N_base)|_v, where
    γ_{v,i} = ∂⟨y_i, H(x_i)⟩/∂a_v at a_v = 0. None: not decided."""
    w = net.syms
    r = [mu * s - sympy.diff(Nexpr, s) for s in w]
    by_v: dict[str, list[int]] = {}
    for v, i in zero:
        by_v.setdefault(v, []).append(i)
    covered: set[int] = set()
    for v, idx in by_v.items():
        blk = net.block(v)
        covered.update(blk)
        rv = [r[k] for k in blk]
        if net.arch.activation(v) != "relu":  # relu^p: ∇N continuous, nothing to absorb
            if not all(q.is_zero(e) for e in rv):
                return False
            continue
        gam = [_gamma(net, v, i) for i in idx]
        xts = [net.xt(v, i) for i in idx]
        live = [j for j in range(len(idx)) if not q.is_zero(gam[j])]
        if not live:
            if not all(q.is_zero(e) for e in rv):
                return False
            continue
        rational = q.beta.f.degree() <= 1
        rank = sympy.Matrix([xts[j] for j in range(len(idx))]).rank()
        if rank == len(idx):  # independent: every pattern realisable, c unique on live ones
            A = sympy.Matrix([[gam[j] * xts[j][a] for j in live] for a in range(len(blk))])
            c = sympy.symbols(f"c0:{len(live)}")
            sol = sympy.linsolve((A, sympy.Matrix(rv)), *c)
            if not sol:
                return False
            (vals,) = list(sol)
            if any(val.free_symbols & set(c) for val in vals):
                return None  # pragma: no cover - A has full column rank
            for val in vals:
                e = _field(q, val)
                if q.beta.sign(e) < 0 or q.beta.sign(e - 1) > 0:
                    return False
            # and A c = r exactly (linsolve over a field of expressions in w, μ)
            continue
        if not rational:
            return None
        # dependent data vectors, rational point: the realisable vertices, an exact LP
        vals = [sympy.Rational(q.exact(g)) for g in gam]
        target = [sympy.Rational(q.exact(e)) for e in rv]
        verts = []
        for signs in itertools.product((1, -1), repeat=len(idx)):
            if _signs_realisable(xts, signs):
                verts.append([int(s > 0) for s in signs])
        lam = sympy.symbols(f"l0:{len(verts)}")
        cons = [x >= 0 for x in lam] + [sympy.Eq(sum(lam), 1)]
        for a in range(len(blk)):
            lhs = sum((lam[t] * sum(verts[t][j] * vals[j] * xts[j][a] for j in range(len(idx)))
                       for t in range(len(verts))), sympy.Integer(0))
            cons.append(sympy.Eq(lhs, target[a]))
        if not _feasible(cons):
            return False
    return all(q.is_zero(r[k]) for k in range(len(w)) if k not in covered)


# ----------------------------------------------------------------------------- second order
def _second_order(net: Net, k: KKTPoint, w: list, mu: sympy.Symbol) -> None:
    """vᵀ(∇²N(w*) − μI)v ≤ 0 on w*⊥, exactly. Inside a region N is a polynomial near w*. On the
    boundary of relu^p regions (p = 2: N is C¹, not C²) it is decided as "holds" when it holds
    for the polynomial of every region meeting at w* (each one-sided second derivative), and
    left undecided otherwise; at a ReLU kink it is not decided."""
    q = k.point
    arch = net.arch
    relu_kinks = [(v, i) for v, i in k.boundary if arch.activation(v) == "relu"]
    if relu_kinks:
        if all(q.is_zero(_gamma(net, v, i)) for v, i in relu_kinks):
            k.clarke = False
            k.note = ("N is differentiable at w* (every ReLU neuron at a kink there passes no "
                      "signal on: γ = ∂⟨y_i, H(x_i)⟩/∂a_v = 0), not twice: second order not "
                      "decided")
        else:
            k.note = "N is not differentiable at w* (a ReLU pre-activation is 0 there)"
        return
    kinks = [(v, i) for v, i in k.boundary if arch.activation(v) == "relu^2"]
    if net.shallow:
        pres = net.pres(None)
        here = {(v, i): int(q.sign(pres[(v, i)]) > 0) for v in net.gated for i in range(net.n)}
    else:
        if kinks:
            k.note = "N is not twice differentiable at w* (a relu^2 pre-activation is 0 there)"
            return
        here = _pattern_at(net, q)
    patterns = [here]
    if kinks:
        per = []
        for v in sorted({v for v, _ in kinks}):
            idx = [i for u, i in kinks if u == v]
            vecs = [net.xt(v, i) for i in idx]
            per.append([dict(zip([(v, i) for i in idx], (int(x > 0) for x in sg), strict=True))
                        for sg in itertools.product((1, -1), repeat=len(idx))
                        if _signs_realisable(vecs, sg)])
        patterns = []
        for combo in itertools.product(*per):
            pat = dict(here)
            for part in combo:
                pat.update(part)
            patterns.append(pat)
    D = len(w)
    W = sympy.Matrix(w)
    P = sympy.eye(D) - W * W.T
    s = sympy.Symbol("s_")
    for pat in patterns:
        H = sympy.hessian(net.N(pat), w) - mu * sympy.eye(D)
        B = (P * H * P).applyfunc(lambda e: q.reduce(e).as_expr())
        cp = (s * sympy.eye(D) - B).det(method="berkowitz")
        coeffs = sympy.Poly(sympy.expand(cp), s).all_coeffs()
        if all(q.beta.sign(sympy.Poly(c, T)) >= 0 for c in coeffs):
            continue
        if kinks:
            k.note = ("N is C¹ but not C² at w* (a relu^2 pre-activation is 0 there), and the "
                      "polynomial of one region meeting there has a direction of positive "
                      "curvature: not decided")
            return
        k.second_order = "fails"
        for u in candidates(D):
            v = P * sympy.Matrix(u)
            if q.sign((v.T * H * v)[0, 0]) > 0:
                k.direction = [display(q, e) for e in v]
                return
        k.note = "a positive eigenvalue of P(∇²N − μI)P (exact); no simple direction found"
        return
    k.second_order = "holds"
    if kinks:
        k.note = (f"on each of the {len(patterns)} regions meeting at w* (N is C¹, not C², "
                  "there)")


def _pattern_at(net: Net, q: AlgebraicPoint) -> dict:
    """The activation pattern at an interior point of a deep network, layer by layer."""
    pattern: dict = {}
    for v in net.gated:
        for i in range(net.n):
            pattern[(v, i)] = 1
    for v in net.gated:  # topological: earlier neurons fixed first
        pres = net.pres(pattern)
        for i in range(net.n):
            pattern[(v, i)] = int(q.sign(pres[(v, i)]) > 0)
    return pattern


def candidates(D: int):
    """Simple exact directions: e_a, then e_a ± e_b (witnesses of a sign of a quadratic form)."""
    for a in range(D):
        u = [0] * D
        u[a] = 1
        yield u
    for a, b in itertools.combinations(range(D), 2):
        for sg in (1, -1):
            u = [0] * D
            u[a], u[b] = 1, sg
            yield u
