"""The intrinsic dynamic / metric property (docs/intrinsic.md; [MPG25] in README.md).

M(θ) = ∂φ(θ) ∂φ(θ)ᵀ drives the lifted variable: z' = −M(θ) ∇ℓ(z). The property asks whether
M(θ) = K(z, h(θ)) (intrinsic metric) or M(θ(t)) = K_{θ0}(z(t)) along the flow (intrinsic dynamic).

Decided exactly at a rational point θ0:

* **sufficient condition** ker ∂φ(θ0) ∩ ker ∂h(θ0) = {0} for verified laws h: then (φ, h) is an
  immersion at θ0, so near θ0 θ = Ψ(φ(θ), h(θ)) for a smooth Ψ and M = K(z, h) with
  K = M∘Ψ: the intrinsic metric property holds near θ0;
* **necessary criterion** ker ∂φ(θ0) ∩ Lie(W_φ)(θ0) ⊂ ker ∂M(θ0); a vector v in the left side with
  ∂M(θ0)v ≠ 0 is a witness that no differentiable K can satisfy M = K∘φ on the orbit of θ0;
* **closed forms** K, each verified as a polynomial identity or exactly at sample points.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

import flint

from . import linear
from .algebra.lie import BRACKET_TERMS_FACTOR, LieTrace, lie_trace, sample_points
from .algebra.linalg import ModpEchelon, nullspace_qq, primitive_integer, rank_qq
from .counting import (
    LawsResult,
    conservation_laws,
    law_gradients_at,
    polynomial_engine_affordable,
    uses_product_engine,
)
from .errors import LimitError, SymflowError
from .liftings import Lifting
from .prose import (
    dynamic_verdict,
    lie_locally_constant,
    metric_verdict,
    overall,
    recoverability_verdict,
)
from .wording import CLOSED_FORMS, INITS, closed_form_texts, closed_forms_apply

Q = flint.fmpq


# ----------------------------------------------------------------------------- M and its derivative
def jacobian_at(lifting: Lifting, point: list) -> flint.fmpq_mat:
    """∂φ(θ0), the d × D Jacobian, exactly."""
    pt = [Q(x) for x in point]
    rows = []
    for partials in lifting.jacobian:
        row = [Q(0)] * lifting.D
        for j, dp in partials.items():
            row[j] = Q(dp(*pt))
        rows.append(row)
    return flint.fmpq_mat(rows)


def jacobian_derivative_at(lifting: Lifting, point: list, v: list) -> flint.fmpq_mat:
    """d/dt ∂φ(θ0 + t v) at t = 0: entry (i, j) is Σ_k v_k ∂_k ∂_j φ_i(θ0).

    Exactly, without differentiating again: q(t) = ∂_jφ_i(θ0 + t v) is a polynomial of degree
    n ≤ deg ∂_jφ_i in t, so q'(0) = Σ_{m=1}^{n} (−1)^{m+1} C(n, m)/m · (q(m) − q(0)) (the
    derivative at 0 of its interpolant on the nodes 0, 1, …, n): n + 1 evaluations per entry."""
    from math import comb

    pt = [Q(x) for x in point]
    if not any(x != 0 for x in v):
        return flint.fmpq_mat(lifting.d, lifting.D)
    n_max = max((dp.total_degree() for partials in lifting.jacobian
                 for dp in partials.values()), default=0)
    nodes = [[a + m * Q(b) for a, b in zip(pt, v, strict=True)] for m in range(n_max + 1)]
    weights = {n: [Q((-1) ** (m + 1) * comb(n, m), m) for m in range(1, n + 1)]
               for n in range(1, n_max + 1)}
    rows = []
    for i in range(lifting.d):
        row = [Q(0)] * lifting.D
        for j, dp in lifting.jacobian[i].items():
            n = int(dp.total_degree())
            if n <= 0:
                continue  # a constant partial: no derivative
            q0 = Q(dp(*nodes[0]))
            row[j] = sum((w * (Q(dp(*nodes[m])) - q0) for m, w in enumerate(weights[n], 1)),
                         Q(0))
        rows.append(row)
    return flint.fmpq_mat(rows)


def metric_at(lifting: Lifting, point: list) -> flint.fmpq_mat:
    """M(θ0) = ∂φ(θ0) ∂φ(θ0)ᵀ."""
    j = jacobian_at(lifting, point)
    return j * j.transpose()


def metric_derivative_at(lifting: Lifting, point: list, v: list,
                         jac: flint.fmpq_mat | None = None) -> flint.fmpq_mat:
    """∂M(θ0)[v] = J'[v] Jᵀ + J J'[v]ᵀ with J = ∂φ(θ0) (pass it if known), J'[v] its derivative
    along v."""
    j = jacobian_at(lifting, point) if jac is None else jac
    jp = jacobian_derivative_at(lifting, point, v)
    return jp * j.transpose() + j * jp.transpose()


def metric_polynomials(lifting: Lifting) -> list[list]:
    """M(θ) = ∂φ ∂φᵀ as a d × d matrix of exact polynomials: M_ab = ⟨∇φ_a, ∇φ_b⟩."""
    jac = lifting.jacobian
    zero = lifting.ring.qzero()
    out = [[zero] * lifting.d for _ in range(lifting.d)]
    for a in range(lifting.d):
        for b in range(a, lifting.d):
            s = zero
            for k, da in jac[a].items():
                db = jac[b].get(k)
                if db is not None:
                    s = s + da * db
            out[a][b] = out[b][a] = s
    return out


# ----------------------------------------------------------------------------- the criterion
@dataclass
class Criterion:
    """The exact verdict of the criterion at one rational point θ0, with every witness."""

    point: list  # θ0 (ints or fmpq)
    rank_dphi: int
    rank_dh: int  # rank of the gradients of the verified laws at θ0
    lie: LieTrace
    lie_exact: bool  # Lie(W_φ)(θ0) known exactly (= span of the spanning brackets)
    intersection: list[list[int]]  # basis of ker ∂φ(θ0) ∩ Lie(W_φ)(θ0) (explored part)
    sufficient: bool  # ker ∂φ(θ0) ∩ ker ∂h(θ0) = {0}
    witness: list[int] | None  # v with ∂φ v = 0, v ∈ Lie, ∂M v ≠ 0
    witness_dm: list[list] | None = None  # ∂M(θ0)[v] (non-zero)

    # why dim Lie(W_φ) is locally constant at θ0 (see locally_constant), or None
    locally_constant: str | None = None

    @property
    def D(self) -> int:  # noqa: N802
        return len(self.point)

    @property
    def inclusion(self) -> bool | None:
        """Does ker ∂φ ∩ Lie ⊂ ker ∂M hold? None when undecided (Lie trace not exact)."""
        if self.witness is not None:
            return False
        return True if self.lie_exact or self.sufficient else None

    @property
    def frobenius(self) -> bool:
        """Lie(W_φ)(θ0) = range ∂φ(θ0)ᵀ with locally constant rank (W_φ is involutive near θ0)."""
        return self.locally_constant is not None and self.rank_dphi == self.lie.dim

    @property
    def recoverability(self) -> str:
        """"holds" / "fails" / "not decided" (see recoverability_verdict)."""
        return recoverability_verdict(self.sufficient, self.witness is not None,
                                      bool(self.intersection), self.locally_constant)

    def metric(self, covered: bool = False) -> str:
        """The intrinsic metric property near θ0: "holds" / "refuted" / "not decided"."""
        return metric_verdict(self.recoverability, self.witness is not None, covered)


def locally_constant(D: int, d: int, lie: LieTrace, rank_dh: int) -> str | None:  # noqa: N803
    """Why dim Lie(W_φ) is locally constant at θ0 (prose.lie_locally_constant), or None."""
    closure = None if lie.closure is None else len(lie.closure["basis"])
    return lie_locally_constant(D, d, lie.dim, rank_dh, closure)


#: the dense route of the criterion (∂φ(θ0) as a d × D matrix over QQ) is refused above this
MAX_DENSE_COORDS = 2000


def _immersion_from_generators(lie: LieTrace, grads: list[list[int]], D: int,  # noqa: N803
                               rank_dh: int) -> int | None:
    """rank ∂φ(θ0) when the sufficient condition is proved without the dense Jacobian, else None.

    If D − rank ∂h(θ0) generator values ∇φ_i(θ0) (rows of ∂φ(θ0) up to positive factors) are
    independent and, with the law gradients, span R^D (a rank mod p, a lower bound), then
    ker ∂φ ∩ ker ∂h = {0}, and D − rank ∂h ≤ rank ∂φ ≤ dim Lie(θ0) ≤ D − rank ∂h."""
    if lie.modulus is not None or lie.dim != D - rank_dh:
        return None
    if any(b.depth != 1 for b in lie.spanning):
        return None
    echelon = ModpEchelon(D)
    echelon.add_batch([b.value for b in lie.spanning])
    echelon.add_batch(grads)
    return lie.dim if echelon.rank == D else None


def criterion_at(lifting: Lifting, point: list, laws: LawsResult, seed: int = 0,
                 max_depth: int = 8, max_dense_coords: int = MAX_DENSE_COORDS,
                 engine: str = "auto", deadline: float | None = None) -> Criterion:
    """Decide the criterion exactly at θ0 = ``point`` (integers or rationals). ``deadline``
    (time.monotonic()): the brackets stop there, at bounds, and the symbolic engine is not
    tried past it."""
    import time
    D = lifting.D
    cand = laws.laws
    grads = law_gradients_at(cand, point, D)
    rank_dh = rank_qq(grads) if grads else 0
    if (list(point) == list(laws.point) and laws.lie.modulus is None
            and laws.lie.dim == D - rank_dh):
        lie = laws.lie  # the law count's brackets, at the same point, already meet the bound
    else:
        pts = [list(point)] + sample_points(seed + 7919, D, 2)
        lie = None
        if engine != "polynomial" and uses_product_engine(lifting):
            from .algebra.structural import ProductStructure, structural_trace

            # values mod p from the matrices: enough when they reach D − rank ∂h(θ0), since
            # then Lie(θ0) = ker ∂h(θ0) and no bracket value is needed any further
            # the spanning brackets are chosen mod p and their values recomputed exactly
            try:
                lie = structural_trace(ProductStructure(lifting.widths, lifting.ring.index),
                                       pts, target=D - rank_dh, max_depth=max_depth,
                                       exact=True, deadline=deadline)
            except ValueError:  # a denominator divisible by p: the polynomial engine
                lie = None
        late = deadline is not None and time.monotonic() > deadline
        if lie is None or (lie.dim != D - rank_dh and polynomial_engine_affordable(lifting)
                           and not late):
            # below D − rank ∂h(θ0) only the polynomial engine can prove closure (tried on
            # small liftings); if its brackets grow past their limits, the structural trace
            # stands (a lower bound)
            try:
                lie = lie_trace(lifting.generators, pts, target=D - rank_dh,
                                max_depth=max_depth,
                                max_terms=BRACKET_TERMS_FACTOR * lifting.max_terms)
            except LimitError:
                if lie is None:
                    raise
    # Lie(θ0) ⊂ ∩ ker ∇h_k(θ0) always, so reaching D − rank ∂h(θ0) (or closing) makes it exact
    lie_exact = lie.dim == D - rank_dh or lie.exact
    fast = _immersion_from_generators(lie, grads, D, rank_dh)
    if fast is not None:
        return Criterion(list(point), fast, rank_dh, lie, True, [], True, None, None,
                         locally_constant(D, lifting.d, lie, rank_dh))
    if lifting.d > max_dense_coords:
        raise LimitError(
            f"at this point the criterion needs the dense d × D Jacobian and d = {lifting.d} "
            f"is above {max_dense_coords} coordinates (raise it with --max-paths)")
    jac = jacobian_at(lifting, point)
    rank_dphi = rank_qq([[jac[i, j] for j in range(D)] for i in range(lifting.d)])
    # sufficient condition: [∂φ; ∂h] has rank D
    stacked = [[jac[i, j] for j in range(D)] for i in range(lifting.d)]
    stacked += [[Q(x) for x in g] for g in grads]
    sufficient = rank_qq(stacked) == D
    basis = [b.value for b in lie.spanning]
    witness = witness_dm = None
    inter: list[list[int]] = []
    if lie.dim == D - rank_dh:
        # Lie(θ0) = ker ∂h(θ0) exactly: the intersection is ker [∂φ; ∂h] (small rref vectors)
        inter = [primitive_integer(v) for v in nullspace_qq(stacked, D)]
    elif basis:
        # ker ∂φ ∩ span(B): v = Bᵀc with (J Bᵀ) c = 0
        bt = flint.fmpq_mat([[Q(basis[r][k]) for r in range(len(basis))] for k in range(D)])
        jb = jac * bt
        coeffs = nullspace_qq([[jb[i, j] for j in range(jb.ncols())] for i in range(jb.nrows())],
                              len(basis))
        for c in coeffs:
            v = [sum((Q(basis[r][k]) * c[r] for r in range(len(basis))), Q(0)) for k in range(D)]
            inter.append(primitive_integer(v))
    if inter:
        for v in sorted(inter, key=lambda w: sum(abs(x) for x in w)):
            dm = metric_derivative_at(lifting, point, v, jac)
            if any(dm[i, j] != 0 for i in range(dm.nrows()) for j in range(dm.ncols())):
                witness = v
                witness_dm = [[dm[i, j] for j in range(dm.ncols())] for i in range(dm.nrows())]
                break
    return Criterion(list(point), rank_dphi, rank_dh, lie, lie_exact, inter, sufficient,
                     witness, witness_dm, locally_constant(D, lifting.d, lie, rank_dh))


# ----------------------------------------------------------------------------- closed forms
@dataclass
class ClosedForm:
    """An explicit intrinsic metric K and the identities that establish M = K."""

    kind: str  # "uv" | "two-layer-relu" | "path-metric" | "linear-family"
    name: str
    formula: str
    conditions: str
    identities: list[tuple[str, bool]] = field(default_factory=list)  # polynomial identities
    pointwise: list[tuple[str, bool]] = field(default_factory=list)  # exact checks at points
    samples: list[int] = field(default_factory=list)  # 1-based points of the pointwise checks

    @classmethod
    def of_kind(cls, kind: str, n_layers: int = 0, samples: list[int] | None = None
                ) -> ClosedForm:
        """An empty closed form with the fixed wording of its kind (symflow.wording)."""
        t = closed_form_texts(kind, n_layers, samples)
        return cls(kind, t["name"], t["formula"], t["conditions"], samples=list(samples or []))

    @property
    def texts(self) -> dict:
        return closed_form_texts(self.kind, 0, self.samples)

    @property
    def decides(self) -> bool:
        """Whether the closed form gives K (True) or only describes M (path-metric)."""
        return CLOSED_FORMS[self.kind]["decides"]

    @property
    def holds(self) -> bool:
        checks = self.identities + self.pointwise
        return bool(checks) and all(ok for _, ok in checks)


def _rank_one_blocks(lifting: Lifting) -> list[tuple[str, list[int], list[int], list[int]]] | None:
    """For a two-layer path-lifting: per hidden neuron, (name, in-params, out-params, the
    coordinates φ_p of its paths). None if the lifting is not of that shape."""
    arch = lifting.architecture
    if lifting.kind != "path" or arch is None or arch.widths is None or len(arch.widths) != 3:
        return None
    idx = lifting.ring.index
    blocks = []
    for v in arch.hidden:
        ins = [idx[arch.edge_param(u, v)] for u in arch.graph.predecessors(v)]
        if arch.bias(v):
            ins.append(idx[arch.bias(v)])
        outs = [idx[arch.edge_param(v, w)] for w in arch.graph.successors(v)]
        coords = [i for i, path in enumerate(lifting.paths) if v in path]
        blocks.append((v, ins, outs, coords))
    return blocks


def two_layer_closed_form(lifting: Lifting) -> ClosedForm | None:
    """Two-layer path-lifting: per hidden neuron z_j = u_j v_jᵀ (u_j outgoing, v_j incoming
    weights and bias), h_j = |v_j|² − |u_j|², s_j = sqrt(h_j² + 4|z_j|²):

        K_j(z_j, h_j) = 2/(s_j + h_j) · z_j z_jᵀ ⊗ I + 2/(s_j − h_j) · I ⊗ z_jᵀ z_j

    (valid where u_j, v_j ≠ 0), and M is block diagonal over neurons (1 for output biases)."""
    blocks = _rank_one_blocks(lifting)
    if blocks is None or not closed_forms_apply(lifting.D, lifting.d, _degree(lifting)):
        return None
    g = lifting.ring.qgens()
    mpoly = metric_polynomials(lifting)
    cf = ClosedForm.of_kind("two-layer-relu")
    in_block = {}
    for b, (_, _, _, coords) in enumerate(blocks):
        for c in coords:
            in_block[c] = b
    off_ok = all(mpoly[a][b].is_zero() for a in range(lifting.d) for b in range(lifting.d)
                 if in_block.get(a, -1 - a) != in_block.get(b, -1 - b))
    cf.identities.append((cf.texts["identities"][0], off_ok))
    all_ok = True
    for _, ins, outs, coords in blocks:
        u2 = sum((g[k] ** 2 for k in outs), lifting.ring.qzero())
        v2 = sum((g[k] ** 2 for k in ins), lifting.ring.qzero())
        h = v2 - u2
        s = u2 + v2
        z = {c: lifting.phi[c] for c in coords}
        z2 = sum((p**2 for p in z.values()), lifting.ring.qzero())
        ok = (s**2 - h**2 - 4 * z2).is_zero()
        # |u|²|v|² M_pq ≡ |u|² (zzᵀ ⊗ I)_pq + |v|² (I ⊗ zᵀz)_pq, with p = (a, b): a out, b in
        pos = {c: _out_in(lifting, c, ins, outs) for c in coords}
        for p in coords:
            for q in coords:
                (a, b), (a2, b2) = pos[p], pos[q]
                zzt = sum((lifting.phi[_coord(pos, a, bb)] * lifting.phi[_coord(pos, a2, bb)]
                           for bb in range(len(ins))), lifting.ring.qzero()) if b == b2 else 0
                ztz = sum((lifting.phi[_coord(pos, aa, b)] * lifting.phi[_coord(pos, aa, b2)]
                           for aa in range(len(outs))), lifting.ring.qzero()) if a == a2 else 0
                rhs = u2 * zzt + v2 * ztz if (zzt or ztz) else lifting.ring.qzero()
                if not (u2 * v2 * mpoly[p][q] - rhs).is_zero():
                    ok = False
        all_ok = all_ok and ok
    cf.identities.append((cf.texts["identities"][1], all_ok))
    return cf


def _out_in(lifting: Lifting, c: int, ins: list[int], outs: list[int]) -> tuple[int, int]:
    """(index of the outgoing weight, index of the incoming parameter) of path coordinate c."""
    degs = lifting.phi[c].degrees()
    a = next(i for i, k in enumerate(outs) if degs[k])
    b = next(i for i, k in enumerate(ins) if degs[k])
    return a, b


def _coord(pos: dict, a: int, b: int) -> int:
    return next(c for c, ab in pos.items() if ab == (a, b))


def scalar_product_closed_form(lifting: Lifting) -> ClosedForm | None:
    """φ(u, v) = c·u·v, h = u² − v²: M = c²(u² + v²) = sqrt(c⁴h² + 4c²z²), verified as the
    identity M² ≡ c⁴h² + 4c²z² together with M ≥ 0 (a sum of squares)."""
    if lifting.kind != "custom" or lifting.D != 2 or lifting.d != 1:
        return None
    p = lifting.phi[0]
    terms = p.to_dict()
    if list(terms) != [(1, 1)]:
        return None
    c = Q(terms[(1, 1)])
    u, v = lifting.ring.qgens()
    m = metric_polynomials(lifting)[0][0]
    h = u**2 - v**2
    z = p
    cf = ClosedForm.of_kind("uv")
    texts = cf.texts["identities"]
    cf.identities.append((texts[0], (m - c * c * (u**2 + v**2)).is_zero()))
    cf.identities.append((texts[1], (m**2 - c**4 * h**2 - 4 * c**2 * z**2).is_zero()))
    return cf


def path_metric_identity(lifting: Lifting) -> ClosedForm | None:
    """Path-lifting of a DAG: M_pq ≡ Σ_{e ∈ p∩q} ∏_{e'∈p∖{e}} θ_{e'} ∏_{e'∈q∖{e}} θ_{e'}
    (docs/intrinsic.md), checked as a polynomial identity; K is M∘Ψ, Ψ the local inverse of the
    immersion (φ, h)."""
    if lifting.kind != "path" or not closed_forms_apply(lifting.D, lifting.d, _degree(lifting)):
        return None
    mpoly = metric_polynomials(lifting)
    g = lifting.ring.qgens()
    index = lifting.ring.index
    params = [[index[x] for x in _path_params(lifting, p)] for p in lifting.paths]
    one = lifting.ring.qctx.constant(1)

    def others(ps: list[int], e: int):
        out = one
        for x in ps:
            if x != e:
                out = out * g[x]
        return out

    ok = True
    for a in range(lifting.d):
        for b in range(a, lifting.d):
            s = lifting.ring.qzero()
            for e in set(params[a]) & set(params[b]):
                s = s + others(params[a], e) * others(params[b], e)
            if s != mpoly[a][b]:
                ok = False
    cf = ClosedForm.of_kind("path-metric")
    cf.identities.append((cf.texts["identities"][0], ok))
    return cf


def _path_params(lifting: Lifting, path: tuple[str, ...]) -> list[str]:
    arch = lifting.architecture
    out = []
    nodes = list(path)
    if nodes and arch is not None and nodes[0] not in arch.graph:
        out.append(nodes[0])  # a bias parameter starts the path
        nodes = nodes[1:]
    for u, v in zip(nodes, nodes[1:], strict=False):
        out.append(arch.edge_param(u, v))
    return out


# ----------------------------------------------------------------------------- the analysis
@dataclass
class IntrinsicResult:
    """Verdict on the intrinsic dynamic / metric property, with all witnesses."""

    lifting: Lifting
    init: str
    seed: int
    laws: LawsResult
    checks: list[Criterion]
    closed_forms: list[ClosedForm]
    family: dict = field(default_factory=dict)  # e.g. {"lambdas": [...]} per sample
    notes: list[str] = field(default_factory=list)

    def metric_at(self, n: int) -> str:
        """The metric property at point n (1-based), with the closed forms."""
        return self.checks[n - 1].metric(self.covered(n))

    @property
    def recoverability(self) -> str:
        return overall([c.recoverability for c in self.checks])

    @property
    def metric(self) -> str:
        return overall([self.metric_at(n) for n in range(1, len(self.checks) + 1)])

    @property
    def dynamic(self) -> str:
        return overall([dynamic_verdict(self.metric_at(n))
                        for n in range(1, len(self.checks) + 1)])

    @property
    def frobenius(self) -> bool:
        return all(c.frobenius for c in self.checks)

    def covered(self, n: int) -> bool:
        """Whether a verified closed form that gives K applies at point n (1-based): the uv
        identity everywhere, the two-layer ReLU form where every u_j, v_j ≠ 0, the linear
        family at the sample points where it was checked."""
        pt = self.checks[n - 1].point
        for cf in self.closed_forms:
            if not (cf.decides and cf.holds):
                continue
            if cf.kind == "uv":
                return True
            if cf.kind == "linear-family" and n in cf.samples:
                return True
            if cf.kind == "two-layer-relu" and all(
                    any(pt[k] != 0 for k in ins) and any(pt[k] != 0 for k in outs)
                    for _, ins, outs, _ in _rank_one_blocks(self.lifting) or []):
                return True
        return False


def parse_point(lifting: Lifting, data) -> list:
    """θ0 from user data: {name: value} or a list in parameter order; values are integers or
    exact rationals ("p/q" strings); floats are refused."""
    names = lifting.params
    if isinstance(data, dict):
        data = {str(k): v for k, v in data.items()}  # SymPy symbols as keys: their names
        unknown = sorted(set(map(str, data)) - set(names))
        if unknown:
            raise SymflowError(f"unknown parameter name(s) in the point: {', '.join(unknown)}")
        missing = [n for n in names if n not in data]
        if missing:
            raise SymflowError(f"the point misses {len(missing)} parameter(s), e.g. {missing[0]}")
        values = [data[n] for n in names]
    elif isinstance(data, list):
        if len(data) != len(names):
            raise SymflowError(f"the point has {len(data)} entries, expected D = {len(names)}")
        values = data
    else:
        raise SymflowError("the point must be a JSON object {name: value} or a list of values")
    out = []
    for n, x in zip(names, values, strict=True):
        if isinstance(x, bool) or isinstance(x, float):
            raise SymflowError(f"{n} = {x!r} is not exact; give an integer or a string 'p/q'")
        if isinstance(x, numbers.Integral):  # int, numpy integers, SymPy Integer
            out.append(int(x))
            continue
        if isinstance(x, numbers.Rational) or getattr(x, "is_Rational", False):
            # fractions.Fraction, SymPy Rational (flint's fmpq has p and q too)
            out.append(_plain(Q(int(x.numerator), int(x.denominator))) if hasattr(
                x, "numerator") else _plain(Q(int(x.p), int(x.q))))
            continue
        if type(x).__name__ == "fmpq":
            out.append(_plain(Q(int(x.p), int(x.q))))
            continue
        if isinstance(x, str):
            try:
                num, _, den = x.strip().partition("/")
                q = Q(int(num), int(den)) if den else Q(int(num))
            except (ValueError, ZeroDivisionError):
                raise SymflowError(f"{n} = {x!r} is not a rational number like '3/4'") from None
            out.append(_plain(q))
            continue
        raise SymflowError(f"{n} = {x!r} is not a rational number")
    return out


def intrinsic(lifting: Lifting, init: str = "generic", at: list | None = None, seed: int = 0,
              samples: int = 3, max_depth: int = 8,
              laws: LawsResult | None = None,
              level: flint.fmpq_mat | str | None = None,
              max_dense_coords: int = MAX_DENSE_COORDS,
              engine: str = "auto",
              progress: Callable[[str], None] | None = None,
              deadline: float | None = None) -> IntrinsicResult:
    """Decide the intrinsic properties of ``lifting`` at a seeded generic point, at a given
    point, at exact sample points of an initialisation family of a linear network, or (two-layer
    linear nets n-r-m, r ≤ min(n, m)) at exact points of level sets U₂ᵀU₂ − U₁U₁ᵀ = H: ``level``
    is H, or "random" for ``samples`` random non-scalar H. ``laws`` is the law count at the same
    seed, if already computed."""
    if init not in INITS:
        raise SymflowError(f"unknown initialisation '{init}' (use {', '.join(INITS)})")
    if level is not None and (at is not None or init != "generic"):
        raise SymflowError("--level chooses the points itself: it cannot be combined with --at "
                           "or --init")
    if laws is None or laws.seed != seed:
        import time

        # the count takes at most half of the time left; the criterion the rest
        budget = {} if deadline is None else {
            "max_seconds": max(1.0, 0.5 * (deadline - time.monotonic()))}
        laws = conservation_laws(lifting, seed=seed, max_depth=max_depth, engine=engine,
                                 progress=progress, **budget)
    notes: list[str] = []
    family: dict = {}
    if level is not None:
        if lifting.kind != "product" or lifting.widths is None or len(lifting.widths) != 3:
            raise SymflowError("--level applies to two-layer linear networks linear:n-r-m")
        widths = list(lifting.widths)
        if level == "random":
            if widths[1] == 1:
                raise SymflowError("with hidden width r = 1 every level set is relaxed balanced "
                                   "(H = λ is a scalar): --level random needs r ≥ 2")
            import random as _random

            rng = _random.Random(seed)
            levels = [linear.random_level(widths[1], rng) for _ in range(samples)]
        else:
            levels = [level] * samples
        pts = [linear.level_point(widths, h, seed + s) for s, h in enumerate(levels)]
        points = [[_plain(p[n]) for n in lifting.params] for p in pts]
        family["levels"] = [[[str(h[i, j]) for j in range(h.ncols())] for i in range(h.nrows())]
                            for h in levels]
        init = "level set"
    elif at is not None:
        points = [at]
    elif init == "generic":
        points = [laws.point]
    else:
        if lifting.kind != "product" or lifting.widths is None:
            raise SymflowError(f"--init {init} applies to linear networks (linear:...), "
                               f"not to {lifting.name}")
        widths = list(lifting.widths)
        pts = [linear.sample(widths, init, seed + s) for s in range(samples)]
        points = [[_plain(p[n]) for n in lifting.params] for p in pts]
        family["lambdas"] = [[str(x) for x in linear.relaxed_lambdas(widths, p)] for p in pts]
    checks = []
    for k, pt in enumerate(points, 1):
        if progress:
            progress(f"criterion at point {k}/{len(points)}: brackets, ranks, kernel")
        checks.append(criterion_at(lifting, pt, laws, seed=seed, max_depth=max_depth,
                                   max_dense_coords=max_dense_coords, engine=engine,
                                   deadline=deadline))
    if progress:
        progress("closed forms")
    closed: list[ClosedForm] = []
    for make in (scalar_product_closed_form, two_layer_closed_form):
        cf = make(lifting)
        if cf is not None:
            closed.append(cf)
    if lifting.kind == "product" and lifting.widths is not None:
        widths = list(lifting.widths)
        cf = linear_closed_form(lifting, widths, points)
        if cf is not None:
            closed.append(cf)
    if lifting.kind == "path" and not closed:
        cf = path_metric_identity(lifting)
        if cf is not None:
            closed.append(cf)
    return IntrinsicResult(lifting, init if at is None else "given point", seed, laws, checks,
                           closed, family, notes)


def parse_level(lifting: Lifting, data) -> flint.fmpq_mat:  # noqa: ANN001 - JSON/YAML data
    """H from user data: a list of rows of integers or "p/q" strings (a symmetric r × r matrix)."""
    if not (isinstance(data, list) and data and all(isinstance(r, list) for r in data)):
        raise SymflowError("the level must be a matrix: a list of rows, e.g. [[1, 0], [0, 2]]")
    rows = []
    for row in data:
        out = []
        for x in row:
            if isinstance(x, bool) or not isinstance(x, (int, str)):
                raise SymflowError(f"level entry {x!r} is not exact: give integers or 'p/q'")
            try:
                num, _, den = str(x).strip().partition("/")
                out.append(Q(int(num), int(den)) if den else Q(int(num)))
            except (ValueError, ZeroDivisionError):
                raise SymflowError(f"level entry {x!r} is not a rational number") from None
        rows.append(out)
    r = len(rows)
    if any(len(row) != r for row in rows):
        raise SymflowError(f"the level must be square ({r} rows)")
    widths = lifting.widths or ()
    if len(widths) == 3 and r != widths[1]:
        raise SymflowError(f"the level of linear:{'-'.join(map(str, widths))} is a {widths[1]} × "
                           f"{widths[1]} matrix, got {r} × {r}")
    h = flint.fmpq_mat(rows)
    if h != h.transpose():
        raise SymflowError("the level H = U₂ᵀU₂ − U₁U₁ᵀ must be symmetric")
    return h


def _degree(lifting: Lifting) -> int:
    """Total degree of φ (only asked for small liftings)."""
    if lifting.d > 100:
        return 10**9
    if lifting.kind == "product" and lifting.widths:
        return len(lifting.widths) - 1  # every entry of U_L⋯U_1 is a sum of L-fold products
    return max((sum(m) for p in lifting.phi for m in p.monoms()), default=0)


def _plain(x):
    q = Q(x)
    return int(q.p) if q.q == 1 else q


def linear_closed_form(lifting: Lifting, widths: list[int], points: list) -> ClosedForm | None:
    """Relaxed-balanced closed form of linear networks, checked at the points that lie on the
    family; for two layers also the identities P² − zzᵀ ≡ U₂HU₂ᵀ and Q² − zᵀz ≡ −U₁ᵀHU₁."""
    if not closed_forms_apply(lifting.D, lifting.d, _degree(lifting)):
        return None
    on_family = []
    for n, pt in enumerate(points, 1):
        named = dict(zip(lifting.params, pt, strict=True))
        lambdas = linear.relaxed_lambdas(widths, named)
        # the closed form covers equal widths, or any widths when balanced (λ = 0)
        if lambdas is not None and (len(set(widths)) == 1 or not any(lambdas)):
            on_family.append((n, named))
    if not on_family:
        return None
    cf = ClosedForm.of_kind("linear-family", len(widths) - 1, [n for n, _ in on_family])
    if len(widths) == 3:
        cf.identities.append(_two_layer_linear_identities(lifting, widths))
    for n, named in on_family:
        pt = [named[x] for x in lifting.params]
        check = linear.check_metric(widths, named, metric_at(lifting, pt))
        for what, ok in check.checks:
            cf.pointwise.append((f"sample {n}: {what}", ok))
    return cf


def _two_layer_linear_identities(lifting: Lifting, widths: list[int]) -> tuple[str, bool]:
    """P = U₂U₂ᵀ, Q = U₁ᵀU₁, H = U₂ᵀU₂ − U₁U₁ᵀ: P² − zzᵀ ≡ U₂HU₂ᵀ and Q² − zᵀz ≡ −U₁ᵀHU₁, so on
    H = λI: P² − λP = zzᵀ and Q² + λQ = zᵀz (the equations that define the square roots)."""
    g = dict(zip(lifting.params, lifting.ring.qgens(), strict=True))
    n0, n1, n2 = widths

    def mat(k: int, rows: int, cols: int) -> list[list]:
        return [[g[f"U{k}_{i}_{j}"] for j in range(1, cols + 1)] for i in range(1, rows + 1)]

    def mul(a, b):
        return [[sum((a[i][t] * b[t][j] for t in range(len(b))), lifting.ring.qzero())
                 for j in range(len(b[0]))] for i in range(len(a))]

    def tr(a):
        return [list(r) for r in zip(*a, strict=True)]

    def sub(a, b):
        return [[x - y for x, y in zip(ra, rb, strict=True)] for ra, rb in zip(a, b, strict=True)]

    u1, u2 = mat(1, n1, n0), mat(2, n2, n1)
    z = mul(u2, u1)
    h = sub(mul(tr(u2), u2), mul(u1, tr(u1)))
    p, q = mul(u2, tr(u2)), mul(tr(u1), u1)
    lhs1 = sub(sub(mul(p, p), mul(z, tr(z))), mul(mul(u2, h), tr(u2)))
    lhs2 = sub(mul(q, q), mul(tr(z), z))
    rhs2 = mul(mul(tr(u1), h), u1)
    ok = all(x.is_zero() for r in lhs1 for x in r) and all(
        (x + y).is_zero() for ra, rb in zip(lhs2, rhs2, strict=True)
        for x, y in zip(ra, rb, strict=True))
    return CLOSED_FORMS["linear-family"]["identities"][0], ok


__all__ = ["ClosedForm", "Criterion", "IntrinsicResult", "criterion_at", "intrinsic",
           "metric_polynomials", "parse_point"]
