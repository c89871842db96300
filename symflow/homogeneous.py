"""Homogeneous networks (README.md, "Homogeneous networks"; [KH25]): homogeneity degrees,
invariant zero patterns and the neural correlation function of tiny networks.

On one activation region the output is H(x; θ) = Σ_p c_p φ_p(θ) x_{s(p)} with c_p ∈ {0, 1}, so
Euler's identity ⟨∇H, θ⟩ = L·H on *every* region is the identity ⟨∇H_c, θ⟩ ≡ L·H_c with
independent symbolic coefficients c_p: each φ_p must be homogeneous of degree L.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import sympy

from .errors import SymflowError
from .liftings import Lifting


@dataclass
class Homogeneity:
    """Degrees of homogeneity of the output in all parameters and per parameter group."""

    degree: int | None  # L with H(x; cθ) = c^L H(x; θ), or None
    euler_verified: bool  # ⟨∇H_c, θ⟩ ≡ L·H_c checked as a polynomial identity
    path_degrees: list[int]  # the distinct degrees of the coordinates φ_p
    groups: dict[str, int | None]  # per group (layer): degree, or None if not homogeneous
    weighted: dict[str, int] | None  # weights making every φ_p of one weighted degree
    weighted_degree: int | None
    notes: list[str] = field(default_factory=list)


def parameter_groups(lifting: Lifting) -> dict[str, list[int]]:
    """Layers W1/b1, W2/b2, … (or U1, U2, …) for layered nets; one group per parameter name
    prefix otherwise."""
    groups: dict[str, list[int]] = {}
    for i, n in enumerate(lifting.params):
        m = re.fullmatch(r"([WUb])(\d+)_.*", n)
        key = f"layer {m[2]}" if m else "all"
        groups.setdefault(key, []).append(i)
    return groups


def _sparse_monomials(lifting: Lifting) -> list[dict[int, int]]:
    """Every monomial of every φ_i as {variable: exponent}: from the paths of a path-lifting
    (one monomial per coordinate, each parameter once); for a network with linear neurons
    (kinds "network", "product") from the paths of the graph too, since φ_C sums the products of
    the distinct paths of a class, distinct monomials with coefficient 1 (every edge carries its
    own parameter), never expanded here;
    else from the polynomials."""
    if lifting.path_params:
        return [dict.fromkeys(ps, 1) for ps in lifting.path_params]
    arch = lifting.architecture
    if arch is not None and arch.shared:
        # shared weights: a path's monomial may repeat a parameter, so read φ expanded; a path
        # of fixed edges only (the skip x → y) is a part of H of degree 0, left out of φ
        monos = [{k: e for k, e in enumerate(m) if e} for p in lifting.phi for m in p.monoms()]
        return monos + ([{}] if _fixed_only_path(arch) else [])
    if arch is not None and lifting.kind in ("network", "product"):
        from .liftings import check_terms

        check_terms(arch.count_paths(), lifting.max_terms)
        return [dict.fromkeys(ps, 1) for ps in _graph_paths(lifting)]
    return [{k: e for k, e in enumerate(m) if e} for p in lifting.phi for m in p.monoms()]


def _fixed_only_path(arch: object) -> bool:
    """Some input reaches some output through fixed edges only (a skip connection)."""
    g = arch.graph  # type: ignore[attr-defined]
    reach = set(arch.inputs)  # type: ignore[attr-defined]
    todo = list(reach)
    while todo:
        u = todo.pop()
        for w in g.successors(u):
            if w not in reach and g.edges[u, w].get("weight") is not None:
                reach.add(w)
                todo.append(w)
    return any(v in reach for v in arch.outputs)  # type: ignore[attr-defined]


def _graph_paths(lifting: Lifting) -> list[tuple[int, ...]]:
    """The parameter indices of every path of the network (from an input, or from a neuron's
    bias, to an output: outputs end the paths, as in the lifting)."""
    from . import digraph as dg

    arch = lifting.architecture
    g = arch.graph
    index = lifting.ring.index
    tails: dict[str, list[tuple[int, ...]]] = {}
    for v in reversed(list(dg.topological_sort(g))):
        if g.nodes[v]["kind"] == "output":
            tails[v] = [()]
        else:
            tails[v] = [(index[g.edges[v, w]["param"]],) + t
                        for w in g.successors(v) for t in tails[w]]
    out = [t for x in arch.inputs for t in tails[x]]
    out += [(index[arch.bias(v)],) + t for v in g.nodes if arch.bias(v) for t in tails[v]]
    return out



def homogeneity(lifting: Lifting) -> Homogeneity:
    """Degree L of homogeneity of H in θ, verified by Euler's identity on all regions at once."""
    monos = _sparse_monomials(lifting)
    degs = sorted({sum(m.values()) for m in monos})
    notes = []
    degree = degs[0] if len(degs) == 1 else None
    if not degs:
        return Homogeneity(None, False, [], {}, None, None, [
            "φ ≡ 0: the output does not depend on θ (it is homogeneous of every degree)"])
    # Euler with symbolic c_p: Σ_p c_p (⟨∇φ_p, θ⟩ − L φ_p) ≡ 0 ⟺ each term vanishes. Term by
    # term, ⟨∇(c θ^α), θ⟩ = |α|·c θ^α, so the identity holds iff every monomial of every φ_p
    # has total degree L: checked on the exponents (exact, without forming D derivatives)
    verified = False
    if degree is not None:
        verified = all(sum(m.values()) == degree for m in monos)
    else:
        notes.append(f"not homogeneous in all parameters: the coordinates have monomials of "
                     f"degrees {', '.join(map(str, degs))} (biases, skip connections or "
                     "activations of different powers)")
    groups = {}
    for name, idx in parameter_groups(lifting).items():
        members = set(idx)
        per = {sum(e for k, e in m.items() if k in members) for m in monos}
        groups[name] = per.pop() if len(per) == 1 else None
    weighted, wdeg = _weighted_homogeneity(lifting, monos)
    if degree is None and weighted:
        notes.append("weighted homogeneity: scaling each parameter θ_k by c^{w_k} multiplies H "
                     f"by c^{wdeg} (weights below; checked on every monomial of φ)")
    elif degree is None:
        notes.append("no weighted homogeneity: no integer weights a_k ≥ 1 give every monomial "
                     "of φ the same weighted degree (an exact linear programme has no solution)")
    return Homogeneity(degree, verified, degs, groups, weighted, wdeg, notes)


def _weighted_homogeneity(lifting: Lifting, monos: list[dict[int, int]]
                          ) -> tuple[dict[str, int] | None, int | None]:
    """Integer weights a_k ≥ 1 and L with H(x; c^{a_k} θ_k) = c^L H(x; θ), i.e. every monomial
    θ^α of every coordinate has Σ_k a_k α_k = L; all ones when φ is homogeneous.

    A network has one (found in O(edges)): give each neuron v the weighted degree δ_v of its
    pre-activation (inputs 0), δ_v = max(p_u·δ_u + 1 over the edges u → v, 1 if v has a bias)
    with p_u the power of u's activation, every output L = max δ; then a_{u→v} = δ_v − p_u·δ_u
    ≥ 1 and a_{b_v} = δ_v ≥ 1, the least such weights. A polynomial lifting: the least L of the
    exact linear programme (SymPy's rational simplex), scaled to integers (the least L over
    rational weights, not always the least integer weights); None when it has no solution.
    The weights are then checked on every monomial (``monos``, from ``_sparse_monomials``),
    exactly."""
    degs = {sum(m.values()) for m in monos}
    if len(degs) == 1:
        return {n: 1 for n in lifting.params}, degs.pop()
    if not degs:  # φ ≡ 0: H ≡ 0 is homogeneous of every degree, no weights to give
        return None, None
    arch = lifting.architecture
    weights: dict[str, int] | None = None
    if arch is not None and lifting.kind in ("path", "network", "power", "product"):
        weights, L = _network_weights(lifting)
    if weights is None or not _check_weights(lifting, monos, weights, L):
        weights, L = _lp_weights(lifting, monos)
        if weights is None or not _check_weights(lifting, monos, weights, L):
            return None, None
    return weights, L


def _network_weights(lifting: Lifting) -> tuple[dict[str, int], int]:
    from . import digraph as dg

    arch = lifting.architecture
    g = arch.graph
    delta: dict[str, int] = {}
    for v in dg.topological_sort(g):
        if g.nodes[v]["kind"] == "input":
            delta[v] = 0
            continue
        delta[v] = max([arch.power(u) * delta[u] + 1 for u in g.predecessors(v)]
                       + ([1] if arch.bias(v) else []))
    L = max(delta[y] for y in arch.outputs)
    for y in arch.outputs:
        delta[y] = L
    weights: dict[str, int] = {}
    for u, v in g.edges:
        weights[g.edges[u, v]["param"]] = delta[v] - arch.power(u) * delta[u]
    for v in g.nodes:
        if arch.bias(v):
            weights[arch.bias(v)] = delta[v]
    return {n: weights[n] for n in lifting.params}, L


def _check_weights(lifting: Lifting, monos: list[dict[int, int]], weights: dict[str, int],
                   L: int) -> bool:
    a = [weights[n] for n in lifting.params]
    return all(w >= 1 for w in a) and all(
        sum(a[k] * e for k, e in m.items()) == L for m in monos)


def _lp_weights(lifting: Lifting, monos: list[dict[int, int]]
                ) -> tuple[dict[str, int] | None, int | None]:
    """min L s.t. Σ_k a_k α_k = L for every exponent α, a_k ≥ 1: exact (rational simplex)."""
    from math import lcm

    from sympy.solvers.simplex import InfeasibleLPError, UnboundedLPError, lpmin

    distinct = {tuple(sorted(m.items())) for m in monos}
    if len(distinct) > 2000 or lifting.D > 500:
        return None, None  # beyond a small linear programme; the network rule covers networks
    a = sympy.symbols(f"a0:{lifting.D}")
    L = sympy.Symbol("L")
    cons = [sympy.Eq(sum((a[k] * e for k, e in m), sympy.Integer(0)), L) for m in distinct]
    cons += [x >= 1 for x in a]
    try:
        _, sol = lpmin(L, cons)
    except (InfeasibleLPError, UnboundedLPError, ValueError):
        return None, None
    vals = [sympy.Rational(sol.get(x, 1)) for x in a]
    scale = lcm(*(int(v.q) for v in vals), int(sympy.Rational(sol[L]).q))
    ints = [int(v * scale) for v in vals]
    return dict(zip(lifting.params, ints, strict=True)), int(sympy.Rational(sol[L]) * scale)


# ----------------------------------------------------------------------------- zero patterns
@dataclass
class ZeroPattern:
    """Is {θ_S = 0} invariant under θ' = −∂φ(θ)ᵀ∇ℓ(φ(θ)) for every loss ℓ?"""

    zeros: list[str]
    invariant: bool
    breaking_parameter: str | None = None
    breaking_coordinate: int | None = None  # index i (0-based) of φ_i
    breaking_label: str | None = None
    residual: str | None = None  # ∂φ_i/∂θ_s restricted to θ_S = 0 (non-zero)


def zero_pattern(lifting: Lifting, zeros: list[str]) -> ZeroPattern:
    """Exact decision: invariant iff ∂φ_i/∂θ_s vanishes identically on {θ_S = 0} for all s ∈ S
    and all i (the field is −Σ_i ∂ℓ/∂z_i ∇φ_i with arbitrary ∂ℓ/∂z_i)."""
    idx = lifting.ring.index
    unknown = [z for z in zeros if z not in idx]
    if unknown:
        raise SymflowError(f"unknown parameter(s) in the zero pattern: {', '.join(unknown)}")
    s_idx = [idx[z] for z in zeros]
    if lifting.path_params:
        return _path_zero_pattern(lifting, zeros, s_idx)
    zero_point = {k: lifting.ring.qzero() for k in s_idx}
    gens = lifting.ring.qgens()
    sub = [zero_point.get(k, gens[k]) for k in range(lifting.D)]
    for i, partials in enumerate(lifting.jacobian):
        for s in s_idx:
            dp = partials.get(s)
            if dp is None:
                continue
            restricted = dp.compose(*sub) if lifting.D else dp
            if not restricted.is_zero():
                return ZeroPattern(zeros, False, lifting.params[s], i, lifting.labels[i],
                                   lifting.ring.format(restricted))
    return ZeroPattern(zeros, True)


def _path_zero_pattern(lifting: Lifting, zeros: list[str], s_idx: list[int]) -> ZeroPattern:
    """``zero_pattern`` for a path-lifting, from the paths alone (φ is never expanded): for a
    path p ∋ s, ∂φ_p/∂θ_s = ∏_{e∈p, e≠s} θ_e (each parameter once on a path), which vanishes
    on {θ_S = 0} iff p holds another parameter of S. The first breaking pair (i, s) in the
    order of the general loop is reported, with that product."""
    in_s = set(s_idx)
    for i, ps in enumerate(lifting.path_params):
        hits = in_s.intersection(ps)
        if len(hits) != 1:
            continue  # no parameter of S, or two: every ∂φ_p/∂θ_s vanishes on the pattern
        s = next(iter(hits))
        rest = lifting.ring.qctx.constant(1)
        gens = lifting.ring.qgens()
        for k in ps:
            if k != s:
                rest = rest * gens[k]
        return ZeroPattern(zeros, False, lifting.params[s], i, lifting.labels[i],
                           lifting.ring.format(rest))
    return ZeroPattern(zeros, True)


@dataclass
class NetworkZeroPattern:
    """Is {θ_S = 0} invariant under the network's own gradient flow (relu′(0) = 0)?"""

    zeros: list[str]
    invariant: bool
    breaking_parameter: str | None = None
    reason: str | None = None
    dead: list[str] = field(default_factory=list)  # ReLU neurons with pre-activation ≡ 0


def network_zero_pattern(lifting: Lifting, zeros: list[str]) -> NetworkZeroPattern | None:
    """The real network's flow θ' = −∇_θ L(θ), L = ℓ(network output on data), with relu′(0) = 0.

    On {θ_S = 0}: a neuron's pre-activation is ≡ 0 when its bias (if any) and every incoming
    edge are in S or come from a neuron whose activation is ≡ 0; then its activation is 0 and,
    for a ReLU neuron, relu′ = 0 kills the signal δ_v it passes back. δ_v ≡ 0 also when every
    outgoing edge is in S or leads to such a silent neuron. ∂L/∂θ_uv = Σ_data δ_v a_u and
    ∂L/∂b_v = Σ_data δ_v, so the pattern is invariant iff for every s ∈ S, a_u ≡ 0 or δ_v ≡ 0
    (for some data and loss, a non-zero a_u and δ_v give a non-zero derivative). None for a
    polynomial lifting (no network). For a network without ReLU neurons both flows coincide."""
    arch = lifting.architecture
    if arch is None or lifting.kind == "custom":
        return None
    from . import digraph as dg

    idx = lifting.ring.index
    unknown = [z for z in zeros if z not in idx]
    if unknown:
        raise SymflowError(f"unknown parameter(s) in the zero pattern: {', '.join(unknown)}")
    S = set(zeros)
    g = arch.graph
    order = list(dg.topological_sort(g))
    zero_act: dict[str, bool] = {}  # activation ≡ 0 on the pattern (pre-activation ≡ 0)
    for v in order:
        if g.nodes[v]["kind"] == "input":
            zero_act[v] = False
            continue
        b = arch.bias(v)
        zero_act[v] = (not b or b in S) and all(
            arch.edge_param(u, v) in S or zero_act[u] for u in g.predecessors(v))
    silent: dict[str, bool] = {}  # back-propagated signal δ_v ≡ 0
    for v in reversed(order):
        kind = g.nodes[v]["kind"]
        if kind == "output":
            silent[v] = False
        elif kind == "hidden" and arch.flat_at_zero(v) and zero_act[v]:
            silent[v] = True  # σ′(0) = 0: relu′(0) = 0 by convention, relu^p, x^p (p ≥ 2)
        else:
            silent[v] = all(arch.edge_param(v, w) in S or silent[w] for w in g.successors(v))
    dead = [v for v in order if g.nodes[v]["kind"] == "hidden" and arch.flat_at_zero(v)
            and zero_act[v]]
    edge_of = {g.edges[u, v]["param"]: (u, v) for u, v in g.edges}
    bias_of = {arch.bias(v): v for v in g.nodes if arch.bias(v)}
    for s in zeros:
        if s in edge_of:
            u, v = edge_of[s]
            if zero_act[u] or silent[v]:
                continue
            return NetworkZeroPattern(zeros, False, s, (
                f"∂L/∂{s} = Σ_data δ_{v}·a_{u}, and neither the activation of {u} nor the "
                f"signal back-propagated to {v} vanishes identically on the pattern"), dead)
        v = bias_of[s]
        if not silent[v]:
            return NetworkZeroPattern(zeros, False, s, (
                f"∂L/∂{s} = Σ_data δ_{v}, and the signal back-propagated to {v} does not vanish "
                "identically on the pattern"), dead)
    return NetworkZeroPattern(zeros, True, dead=dead)


def read_pattern(lifting: Lifting, path: Path) -> list[str]:
    """A zero pattern from YAML/JSON: ``parameters: [...]``, ``neurons: [...]`` (all incoming,
    outgoing and bias parameters), ``incoming: [...]``, ``outgoing: [...]``."""
    from .spec import read_data

    return pattern_names(lifting, read_data(path), str(path))


def pattern_names(lifting: Lifting, data: object, path: str) -> list[str]:
    """The parameters a pattern sets to zero: ``data`` is a list of parameter names or a
    mapping with parameters/neurons/incoming/outgoing (``path`` names it in messages)."""
    if isinstance(data, list):
        data = {"parameters": data}
    if not isinstance(data, dict) or not data:
        raise SymflowError(f"{path}: expected a mapping with parameters/neurons/incoming/outgoing")
    known = {"parameters", "neurons", "incoming", "outgoing"}
    bad = set(map(str, data)) - known
    if bad:
        raise SymflowError(f"{path}: unknown key(s) {', '.join(sorted(bad))} (use "
                           f"{', '.join(sorted(known))})")
    for key, value in data.items():
        if value is not None and not (isinstance(value, list)
                                      and all(isinstance(x, str) for x in value)):
            got = (type(value).__name__ if not isinstance(value, list) else
                   "a list with " + ", ".join(sorted({type(x).__name__ for x in value
                                                      if not isinstance(x, str)})))
            raise SymflowError(f"{path}: '{key}' must be a list of names (strings), e.g. "
                               f"{key}: [h1_2] (got {got})")
    zeros: list[str] = []
    for p in data.get("parameters", []) or []:
        zeros.append(str(p))
    arch = lifting.architecture
    for key in ("neurons", "incoming", "outgoing"):
        names = data.get(key, []) or []
        if names and (arch is None or lifting.kind not in ("path", "network", "power")):
            raise SymflowError(f"{path}: '{key}' needs a network (relu:…, or a DAG file)")
        for v in names:
            if v not in arch.graph or v not in arch.hidden + arch.outputs + arch.inputs:
                raise SymflowError(f"{path}: unknown neuron '{v}'")
            g = arch.graph
            if key in ("neurons", "incoming"):
                zeros += [arch.edge_param(u, v) for u in g.predecessors(v)]
                if arch.bias(v):
                    zeros.append(arch.bias(v))
            if key in ("neurons", "outgoing"):
                zeros += [arch.edge_param(v, w) for w in g.successors(v)]
    if not zeros:
        raise SymflowError(f"{path}: the pattern sets no parameter to zero")
    return list(dict.fromkeys(zeros))


# ----------------------------------------------------------------------------- KKT sets
def kkt_dimension(eqs: list, gens: list) -> int:
    """Dimension of the complex algebraic set {eqs = 0}, exactly: the largest set of variables
    none of whose monomials is a leading monomial of the Gröbner basis (grevlex); 0 iff the set is
    finite, −1 if it is empty."""
    from itertools import combinations

    basis = sympy.groebner(eqs, *gens, order="grevlex")
    if list(basis) == [1]:
        return -1
    leads = [sympy.Poly(g, *gens).monoms(order="grevlex")[0] for g in basis]
    n = len(gens)
    for size in range(n, -1, -1):
        for subset in combinations(range(n), size):
            # independent: no leading monomial lives in the variables of the subset only
            if not any(all(m[k] == 0 for k in range(n) if k not in subset) for m in leads):
                return size
    return 0  # pragma: no cover
