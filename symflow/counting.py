"""Conservation laws of gradient flows and their exact count (docs/counting.md).

h is conserved for every loss iff ⟨∇h, ∇φ_i⟩ ≡ 0 for every i, i.e. X_i(h) ≡ 0 for X_i = ∇φ_i.
Near a point where dim Lie(W_φ) is locally constant there are exactly D − dim Lie(W_φ)(θ0)
independent laws (Frobenius), polynomial or not. What is proved here:

* explicit laws, each verified as an identity (polynomials P, or P + Σ λ_i ln|f_i| with Darboux
  polynomials f_i), with gradients independent at θ0: at least n laws, dim Lie ≤ D − n where
  they stay independent (a dense open set);
* brackets whose values at θ0 have rank r: dim Lie(W_φ)(θ0) ≥ r, at most D − r laws near θ0;
* dim Lie(W_φ) locally constant at θ0 (``LawsResult.argument``): the bounds meet (n = D − r),
  or d = 1 and ∇φ(θ0) ≠ 0, or the brackets close into a Lie algebra of dimension r. Then the
  count D − r is exact even when only n < D − r laws are written down.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations_with_replacement
from math import comb
from typing import Any

import flint

from .algebra.lie import BRACKET_TERMS_FACTOR, LieTrace, lie_trace, sample_points
from .algebra.linalg import PRIME, independent_subset, nullspace_qq, primitive_integer
from .algebra.poly import VectorField, ZPoly, evaluate, integer_multiple, variables_of
from .algebra.structural_limits import MAX_INNER
from .errors import LimitError
from .liftings import Lifting
from .sources import label as source_label

DEFAULT_MAX_DEGREE = 4
#: the family laws of a product lifting may have this many times --max-terms (c, i, j) pairs
LAW_PAIRS_FACTOR = 10
#: ... and their dense gradients at θ0 (laws × D) this many times --max-terms entries (laws
#: runs with --max-terms 200 000 on a linear network: 20 million; about 2 µs an entry in all:
#: linear:40-40-40-40 7.9 million, 31 s; linear:5-150-5 17 million, 35 s; linear:1-300-1 27
#: million, 24 s; linear:1-400-1 64 million, 49 s)
LAW_GRADIENT_FACTOR = 100
MAX_SEARCH_MONOMIALS = 20_000
#: the search pairs every monomial m of degree s with the generators: about C(D+s-2, s-1) × (terms
#: of ∂φ) terms, each a few microseconds of Python; and it needs φ expanded
MAX_SEARCH_WORK = 1_000_000
MAX_SEARCH_PHI_TERMS = 5_000
#: the exact kernel of the search's dense integer system: seconds and a GB for a million entries
#: (its fraction-free elimination grows the integers); blocks of full rank mod p skip it
MAX_SEARCH_ENTRIES = 1_500_000


@dataclass
class Law:
    """A conservation law h = P + Σ_i λ_i ln|f_i| (P, f_i integer polynomials, λ_i rational;
    no logarithm for a polynomial law) and where it comes from."""

    _poly: ZPoly | None  # None: built from ``pairs`` on first use (``poly``)
    source: str
    verified: bool = False
    logs: list[tuple[ZPoly, flint.fmpq]] = field(default_factory=list)  # (f_i, λ_i)
    # for the law (U_{k+1}ᵀU_{k+1} − U_kU_kᵀ)[a, b] of a product lifting: (k, a, b), 1-based
    entry: tuple[int, int, int] | None = None
    # a family law is a quadratic form: h = Σ c·θ_i·θ_j over these (c, i, j), for fast gradients
    pairs: list[tuple[int, int, int]] | None = None
    ring: Any = None  # the ring of a law built lazily from its pairs
    _texts: dict = field(default_factory=dict, repr=False, compare=False)  # ring id -> text

    @property
    def poly(self) -> ZPoly:
        """P as an integer polynomial (a family law's is expanded from its pairs only when
        asked for: with D in the thousands its exponent vectors are the memory)."""
        if self._poly is None:
            g = self.ring.zgens()
            h = self.ring.zzero()
            for c, i, j in self.pairs or []:
                h += c * g[i] * g[j]
            self._poly = h
        return self._poly

    @property
    def is_polynomial(self) -> bool:
        return not self.logs

    def text(self, ring) -> str:
        """``P + λ*ln|f| …`` in the ring's variable names."""
        parts = [] if self.logs and self.poly.is_zero() else [self.expression(ring)]
        for f, lam in self.logs:
            q = flint.fmpq(lam)
            term = ("" if abs(q) == 1 else f"{abs(q)}*") + f"ln|{ring.format(f)}|"
            sign = "-" if q < 0 else "+"
            parts.append(f"{sign} {term}" if parts else term if q > 0 else f"-{term}")
        return " ".join(parts)

    def expression(self, ring) -> str:  # noqa: ANN001 - a Ring
        """The canonical text of P (from the pairs of a quadratic family law, without
        expanding its exponent vectors)."""
        text = self._texts.get(id(ring))
        if text is None:
            text = (ring.format_quadratic(self.pairs) if self.pairs is not None
                    else ring.format(self.poly))
            self._texts[id(ring)] = text
        return text

    def to_sympy(self, ring):  # noqa: ANN201 - a SymPy expression
        """h as a SymPy expression (ln|f| as log(Abs(f)))."""
        import sympy

        h = ring.to_sympy(self.poly)
        for f, lam in self.logs:
            q = flint.fmpq(lam)
            h += sympy.Rational(int(q.p), int(q.q)) * sympy.log(sympy.Abs(ring.to_sympy(f)))
        return h

    def gradient_at(self, point: list, D: int) -> list | None:
        """∇h(θ) = ∇P(θ) + Σ λ_i ∇f_i(θ)/f_i(θ), exactly; None where some f_i(θ) = 0."""
        if self.pairs is not None and not self.logs:
            ints = all(isinstance(x, int) for x in point)
            pt = point if ints else [flint.fmpq(x) for x in point]
            out: list = [0 if ints else flint.fmpq(0)] * D
            for c, i, j in self.pairs:
                out[i] += c * pt[j]
                out[j] += c * pt[i]
            return out
        grad = VectorField.gradient(self.poly, D).at(point)
        for f, lam in self.logs:
            val = evaluate(f, point if all(isinstance(x, int) for x in point)
                           else [flint.fmpq(x) for x in point])
            if val == 0:
                return None
            gf = VectorField.gradient(f, D).at(point)
            grad = [flint.fmpq(a) + flint.fmpq(lam) * flint.fmpq(b) / flint.fmpq(val)
                    for a, b in zip(grad, gf, strict=True)]
        return grad


@dataclass
class LawsResult:
    """The verdict on the number of conservation laws, with every witness."""

    lifting: Lifting
    seed: int
    point: list[int]  # θ0
    laws: list[Law]  # verified, gradients independent at θ0
    rejected: list[Law]  # candidates that failed the identity check (should be empty)
    lie: LieTrace
    searched_degrees: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    # the logarithmic search: the Darboux polynomials used (None: not run) and deg P
    darboux: list[ZPoly] | None = None
    log_degree: int = 0
    _statement: str | None = field(default=None, repr=False, compare=False)

    @property
    def lower(self) -> int:
        """Proved: at least this many functionally independent conservation laws (the explicit
        ones, verified identities with gradients independent at θ0)."""
        return len(self.laws)

    @property
    def upper(self) -> int:
        """Proved: at most D − (rank of brackets at θ0) independent laws near θ0."""
        return self.lifting.D - self.lie.dim

    @property
    def argument(self) -> str | None:
        """Why dim Lie(W_φ) is locally constant at θ0, so that the count D − dim Lie(W_φ)(θ0)
        is exact (Frobenius), or None:

        "bounds": the explicit laws give dim Lie ≤ D − n and the brackets dim Lie(θ0) ≥ D − n;
        "one coordinate": d = 1 and ∇φ(θ0) ≠ 0, so Lie(W_φ) = span{∇φ} has dimension 1 near θ0;
        "closure": the brackets close into a Lie algebra K with dim K = rank of K at θ0, so the
        rank is at most dim K everywhere and at least dim K near θ0.
        """
        r = self.lie.dim
        if len(self.laws) == self.lifting.D - r:
            return "bounds"
        if self.lifting.d == 1 and r == 1:
            return "one coordinate"
        if self.lie.closure is not None and len(self.lie.closure["basis"]) == r:
            return "closure"
        return None

    @property
    def exact(self) -> bool:
        return self.argument is not None

    @property
    def count(self) -> int | None:
        """The number of independent conservation laws near θ0, when it is proved exactly."""
        return self.upper if self.exact else None

    @property
    def n_logarithmic(self) -> int:
        return sum(1 for law in self.laws if law.logs)

    @property
    def search_degree(self) -> int:
        """k such that every polynomial law of degree ≤ k was computed (0: no full search)."""
        k = 0
        while k + 1 in self.searched_degrees:
            k += 1
        return k



# ---------------------------------------------------------------------------- known families
def family_laws(lifting: Lifting) -> list[Law]:
    """Known laws (integer polynomials). For a network's lifting: the balance of every hidden
    neuron v, Σ_{u→v} θ_uv² (+ b_v²) − Σ_{v→w} θ_vw² (rescaling v by λ > 0 leaves every class of
    paths unchanged), and for two linear neurons v ≠ v' with the same predecessors, the same
    successors and both or neither biased, Σ_{u} θ_uv θ_uv' (+ b_v b_v') − Σ_w θ_vw θ_v'w (mixing
    them by an invertible 2×2 matrix leaves the sums over paths unchanged). For a product of
    matrices: the entries of U_{k+1}ᵀU_{k+1} − U_kU_kᵀ."""
    ring = lifting.ring
    index = ring.index
    out = []

    def law(pairs: list[tuple[int, str, str]], source: str, **kw) -> Law:  # noqa: ANN003
        """h = Σ c·θ_a·θ_b over the named pairs, with its pairs kept for fast gradients."""
        ij = [(c, index[a], index[b]) for c, a, b in pairs]
        return Law(None, source, pairs=ij, ring=ring, **kw)

    if (lifting.kind in ("path", "network", "power") and lifting.architecture is not None
            and not lifting.architecture.shared):  # shared or fixed weights: no neuron symmetry
        arch = lifting.architecture
        graph = arch.graph

        def pairing(v: str, w: str) -> list[tuple[int, str, str]]:
            # rescaling v (in ↦ λ·in, out ↦ λ^{−p}·out, σ_v p-homogeneous) conserves
            # ‖in‖² − p‖out‖²
            p = arch.power(v)
            pairs = [(1, arch.edge_param(u, v), arch.edge_param(u, w))
                     for u in graph.predecessors(v)]
            if arch.bias(v):
                pairs.append((1, arch.bias(v), arch.bias(w)))
            pairs += [(-p, arch.edge_param(v, x), arch.edge_param(w, x))
                      for x in graph.successors(v)]
            return pairs

        for v in arch.hidden:
            out.append(law(pairing(v, v), source_label("balance", v)))
        linear = [v for v in arch.hidden if arch.activation(v) == "linear"]
        for i, v in enumerate(linear):
            for w in linear[i + 1:]:
                if (set(graph.predecessors(v)) == set(graph.predecessors(w))
                        and set(graph.successors(v)) == set(graph.successors(w))
                        and bool(arch.bias(v)) == bool(arch.bias(w))):
                    out.append(law(pairing(v, w), source_label("mixing", v, w)))
    elif lifting.kind == "product" and lifting.widths:
        w = lifting.widths
        for k in range(1, len(w) - 1):
            n_prev, n_k, n_next = w[k - 1], w[k], w[k + 1]
            for a in range(1, n_k + 1):
                for b in range(a, n_k + 1):
                    pairs = [(1, f"U{k + 1}_{i}_{a}", f"U{k + 1}_{i}_{b}")
                             for i in range(1, n_next + 1)]
                    pairs += [(-1, f"U{k}_{a}_{j}", f"U{k}_{b}_{j}")
                              for j in range(1, n_prev + 1)]
                    out.append(law(pairs, source_label("family", k, a, b),
                                   entry=(k, a, b)))
    return out


def product_entry_conserved(widths: tuple[int, ...], k: int, a: int, b: int) -> bool:
    """Exact check that h = (U_{k+1}ᵀU_{k+1} − U_kU_kᵀ)[a, b] is conserved by φ = U_L⋯U_1,
    without expanding φ. h depends on U_k, U_{k+1} only, and φ_ij = αᵀ U_{k+1} U_k β with
    αᵀ = e_iᵀU_L⋯U_{k+2}, β = U_{k-1}⋯U_1 e_j, so ⟨∇h, ∇φ_ij⟩ is the polynomial
    P(α, U_{k+1}, U_k, β) = ⟨∇_{U_k,U_{k+1}} h, ∇_{U_k,U_{k+1}} (αᵀU_{k+1}U_kβ)⟩ at those α, β.
    P ≡ 0 with α, β free (checked on n_{k+1}·n_k·n_{k-1} terms) gives the identity. Permuting
    the hidden units (U_{k+1} ↦ U_{k+1}Π, U_k ↦ ΠᵀU_k) leaves αᵀU_{k+1}U_kβ unchanged and maps
    the law [a, b] to [σa, σb], so the entries [1, 1] and [1, 2] stand for all of them.

    Smaller still, without changing the verdict: only the hidden units a, b carry variables of
    h (the terms of φ through another unit s pair to zero with ∇h), so n_k = 2 suffices; and P
    is linear in α and in β, so it vanishes iff each coefficient of α_r β_t does, and these are
    one polynomial up to renaming U_{k+1}[r, ·], U_k[·, t]: n_{k-1}, n_{k+1} ≤ 2 suffice. The
    check is O(1) in the widths (it expanded n_{k+1}·n_k·n_{k-1} terms over all of them)."""
    return _reduced_identity(min(widths[k - 1], 2), min(widths[k], 2),
                             min(widths[k + 1], 2), a == b)


@lru_cache(maxsize=64)
def _reduced_identity(n0: int, n1: int, n2: int, diagonal: bool,
                      coefficient: int = -1) -> bool:
    """P ≡ 0 for the entry [1, 1] (diagonal) or [1, 2] of U_{k+1}ᵀU_{k+1} + c·U_kU_kᵀ with
    c = ``coefficient`` (−1: the law; another c gives a polynomial that is not conserved)."""
    ring, g, dphi = _reduced_product(n0, n1, n2)
    a, b = 0, (0 if diagonal else 1)
    h = ring.zzero()
    for r in range(n2):
        h += g[f"V{r}_{a}"] * g[f"V{r}_{b}"]
    for t in range(n0):
        h += coefficient * g[f"W{a}_{t}"] * g[f"W{b}_{t}"]
    total = ring.zzero()
    for var in variables_of(h):
        total += h.derivative(var) * dphi[var]
    return total.is_zero()


@lru_cache(maxsize=8)
def _reduced_product(n0: int, n1: int, n2: int) -> tuple:
    """The ring of (α, V, W, β), its generators by name, and ∂(αᵀVWβ)/∂θ for θ in V and W."""
    from .algebra.poly import Ring

    names = ([f"alpha{r}" for r in range(n2)]
             + [f"V{r}_{s}" for r in range(n2) for s in range(n1)]
             + [f"W{s}_{t}" for s in range(n1) for t in range(n0)]
             + [f"beta{t}" for t in range(n0)])
    ring = Ring(names)
    g = dict(zip(names, ring.zgens(), strict=True))
    phi = ring.zzero()
    for s in range(n1):
        left = ring.zzero()
        for r in range(n2):
            left += g[f"alpha{r}"] * g[f"V{r}_{s}"]
        right = ring.zzero()
        for t in range(n0):
            right += g[f"W{s}_{t}"] * g[f"beta{t}"]
        phi += left * right
    dphi = {i: phi.derivative(i) for i, n in enumerate(names) if n[0] in "VW"}
    return ring, g, dphi


def is_conserved(h: ZPoly, lifting: Lifting,
                 pairs: list[tuple[int, int, int]] | None = None) -> bool:
    """Exact identity check: X_i(h) = ⟨∇φ_i, ∇h⟩ ≡ 0 for every i.

    Only the φ_i that share a variable with h are paired (for the others the pairing is
    trivially the zero polynomial). ``pairs``: h = Σ c·θ_i·θ_j, when known (read instead of
    h's exponent vectors)."""
    diagonal = _diagonal_quadratic(h) if pairs is None else _diagonal_pairs(pairs)
    if diagonal is not None and lifting.path_params:
        # lemma: for h = Σ a_k θ_k² and φ = ∏_{e∈P} θ_e (each e once),
        # ⟨∇h, ∇φ⟩ = Σ_{e∈P} 2a_e θ_e · φ/θ_e = 2φ Σ_{e∈P} a_e, so the identity is Σ_{e∈P} a_e = 0
        touched: set[int] = set()
        for k in diagonal:
            touched.update(lifting.by_variable.get(k, ()))
        return all(sum(diagonal.get(e, 0) for e in lifting.path_params[i]) == 0
                   for i in touched)
    dh = {k: h.derivative(k) for k in variables_of(h)}
    touched = set()
    for k in dh:
        touched.update(lifting.by_variable.get(k, ()))
    gens = lifting.generators
    for i in sorted(touched):
        comps = gens[i].comps
        total = None
        small, large = (comps, dh) if len(comps) < len(dh) else (dh, comps)
        for k, a in small.items():
            b = large.get(k)
            if b is not None:
                t = a * b
                total = t if total is None else total + t
        if total is not None and not total.is_zero():
            return False
    return True


def _phi_size(lifting: Lifting) -> tuple[int, int]:
    """(terms of φ, terms of ∂φ), predicted from the network for a linear network whose φ is not
    expanded yet (one term per path, L variables in each)."""
    phi = lifting.phi
    if lifting.kind == "product" and lifting.widths and not getattr(phi, "expanded", True):
        n = lifting.architecture.count_paths()
        return n, n * (len(lifting.widths) - 1)
    n = sum(len(p) for p in phi)
    return n, sum(len(p) * max(p.total_degree(), 0) for p in phi)


def _diagonal_pairs(pairs: list[tuple[int, int, int]]) -> dict[int, int] | None:
    """{k: a_k} if Σ c·θ_i·θ_j = Σ_k a_k θ_k² (no cross term survives), else None."""
    out: dict[int, int] = {}
    cross: dict[tuple[int, int], int] = {}
    for c, i, j in pairs:
        if i == j:
            out[i] = out.get(i, 0) + c
        else:
            key = (min(i, j), max(i, j))
            cross[key] = cross.get(key, 0) + c
    if any(cross.values()):
        return None
    return {k: a for k, a in out.items() if a}


def _diagonal_quadratic(h: ZPoly) -> dict[int, int] | None:
    """{k: a_k} if h = Σ_k a_k θ_k², else None."""
    out = {}
    for mono, c in h.terms():
        ks = [k for k, e in enumerate(mono) if e]
        if len(ks) != 1 or mono[ks[0]] != 2:
            return None
        out[ks[0]] = int(c)
    return out


# ---------------------------------------------------------------------------- law search
def _parity_gradings(lifting: Lifting) -> list[list[int]]:
    """Vectors w ∈ GF(2)^D for which every φ_i has all its monomials of one parity w·α mod 2.

    The pairing ⟨∇h, ∇φ_i⟩ only changes exponents by α + β − 2e_k, so it maps the w-parity
    class c of h to c + w·φ_i: the law space splits along these classes.
    """
    D = lifting.D
    rows = []
    for p in lifting.phi:
        monos = list(p.monoms())
        for m in monos[1:]:
            rows.append([(a - b) % 2 for a, b in zip(monos[0], m, strict=True)])
    if not rows:
        return [[int(i == j) for i in range(D)] for j in range(D)]
    ns, nullity = flint.nmod_mat(rows, 2).nullspace()
    return [[int(ns[i, j]) for i in range(D)] for j in range(nullity)]


def search_laws(lifting: Lifting, degree: int,
                max_monomials: int = MAX_SEARCH_MONOMIALS) -> tuple[list[Law], str | None]:
    """All polynomial conservation laws of one degree (of degree ≤ ``degree`` if some φ_i is not
    homogeneous), as a basis of the solution space of the linear system X_i(h) ≡ 0 over QQ.

    Returns (laws, note); the note says why the search was skipped, if it was.
    """
    D = lifting.D
    n_terms, grad_terms = _phi_size(lifting)
    if n_terms > MAX_SEARCH_PHI_TERMS:
        return [], (f"law search skipped: φ has {n_terms} terms (limit {MAX_SEARCH_PHI_TERMS})")
    homogeneous = lifting.kind == "product" or all(
        len({sum(m) for m in p.monoms()}) <= 1 for p in lifting.phi)
    degrees = [degree] if homogeneous else list(range(1, degree + 1))
    n_monos = sum(comb(D + s - 1, s) for s in degrees)
    if n_monos > max_monomials:
        return [], (f"law search at degree {degree} skipped: {n_monos} monomials "
                    f"(limit {max_monomials})")
    work = sum(comb(D + s - 2, s - 1) for s in degrees) * grad_terms
    if work > MAX_SEARCH_WORK:
        return [], (f"law search at degree {degree} skipped: about {work} terms of X_i(m) to "
                    f"compute (limit {MAX_SEARCH_WORK})")
    gradings = _parity_gradings(lifting)
    zctx = lifting.ring.zctx
    blocks: dict[tuple, list[tuple[int, ...]]] = defaultdict(list)
    for s in degrees:
        for combo in combinations_with_replacement(range(D), s):
            e = [0] * D
            for k in combo:
                e[k] += 1
            key = tuple(sum(w[k] for k in combo) % 2 for w in gradings)
            blocks[key].append(tuple(e))
    gens = lifting.generators
    laws = []
    for monos in blocks.values():
        # column j = monomial j; rows = (generator, monomial of X_i(m)) coefficients
        rows: dict[tuple[int, tuple], dict[int, int]] = defaultdict(dict)
        for j, e in enumerate(monos):
            m = zctx.from_dict({e: 1})
            for i, X in enumerate(gens):
                for mono, c in X.apply(m).to_dict().items():
                    rows[(i, mono)][j] = int(c)
        if not rows:
            kernel = [[int(i == j) for i in range(len(monos))] for j in range(len(monos))]
        elif len(rows) * len(monos) > MAX_SEARCH_ENTRIES:
            return [], (f"law search at degree {degree} skipped: its linear system has "
                        f"{len(rows)} × {len(monos)} entries (limit {MAX_SEARCH_ENTRIES})")
        else:
            dense = [[r.get(j, 0) for j in range(len(monos))] for r in rows.values()]
            if flint.nmod_mat(dense, PRIME).rank() == len(monos):
                kernel = []  # full column rank mod p, hence over ℚ: no law in this block
            else:
                ns, nullity = flint.fmpz_mat(dense).nullspace()
                kernel = [[int(ns[i, j]) for i in range(len(monos))] for j in range(nullity)]
        for vec in kernel:
            h = zctx.from_dict({monos[i]: c for i, c in enumerate(vec) if c})
            if not h.is_zero():  # labelled with its own degree, the search that finds it
                laws.append(Law(lifting.ring.to_integer(lifting.ring.to_rational(h)),
                                source_label("search", h.total_degree())))
    return laws, None


# ---------------------------------------------------------------------------- logarithmic laws
#: the logarithmic search runs on small liftings only (it factors every entry of ∂φ)
MAX_LOG_SEARCH_PARAMS = 40
MAX_LOG_SEARCH_COORDS = 200
MAX_LOG_SEARCH_WORK = 400_000  # generators × monomials of P


def _normal(f: ZPoly) -> ZPoly:
    """f divided by its content, with a positive leading coefficient (ln|f| changes by a
    constant)."""
    c = f.content()
    if c != 1:
        f = f / c
    return -f if f.leading_coefficient() < 0 else f


def darboux_polynomials(lifting: Lifting, point: list) -> list[ZPoly]:
    """Candidates f, kept when X_j(f) = k_j·f (a polynomial cofactor k_j) for every generator
    X_j = ∇φ_j and f(θ0) ≠ 0 (ln|f| is then smooth near θ0): the irreducible factors of the φ_j
    and of the entries ∂φ_j/∂θ_k, and for each quadratic factor g = ½θᵀAθ + bᵀθ + c the affine
    eigen-forms cᵀθ + cᵀb/k of its Hessian (A c = k c, k ≠ 0 rational; then ∇g·∇f = k f), such
    as w_xa + w_ay for the factor w_xa·w_ay + w_xy of a linear neuron beside a skip edge.
    Normalised (primitive, leading coefficient > 0), sorted by degree."""
    ring = lifting.ring
    found: dict[str, ZPoly] = {}
    sources = [ring.to_integer(p) for p in lifting.phi]
    for row in lifting.jacobian:
        sources += [ring.to_integer(q) for q in row.values()]
    factors: dict[str, ZPoly] = {}
    for p in sources:
        for f, _ in p.factor()[1]:
            if not f.is_constant():
                f = _normal(f)
                factors.setdefault(str(f), f)
    found.update(factors)
    for g in list(factors.values()):
        if g.total_degree() == 2:
            for f in eigen_forms(g, ring):
                found.setdefault(str(f), f)
    out = []
    for f in sorted(found.values(), key=lambda f: (f.total_degree(), str(f))):
        if evaluate(f, point) == 0:
            continue
        if all(_cofactor(X, f) is not None for X in _touching(lifting, f)):
            out.append(f)
    return out


def eigen_forms(g: ZPoly, ring) -> list[ZPoly]:  # noqa: ANN001 - a Ring
    """For a quadratic g = ½θᵀAθ + bᵀθ + c (in its own variables): f = cᵀθ + cᵀb/k for every
    rational eigenvalue k ≠ 0 of A and every vector c of the reduced basis of ker(A − kI)."""
    vs = variables_of(g)
    n = len(vs)
    hess = flint.fmpq_mat([[flint.fmpq(int(g.derivative(a).derivative(b)(*([0] * ring.nvars))))
                            for b in vs] for a in vs])
    lin = [flint.fmpq(int(g.derivative(a)(*([0] * ring.nvars)))) for a in vs]
    out = []
    _, facs = hess.charpoly().factor()
    for poly, _ in facs:
        if poly.degree() != 1:
            continue
        c1, c0 = poly[1], poly[0]
        k = -c0 / c1
        if k == 0:
            continue
        shifted = flint.fmpq_mat([[hess[i, j] - (k if i == j else 0) for j in range(n)]
                                  for i in range(n)])
        for vec in nullspace_qq([[shifted[i, j] for j in range(n)] for i in range(n)], n):
            beta = sum((vec[i] * lin[i] for i in range(n)), flint.fmpq(0)) / k
            coeffs = {tuple(int(t == vs[i]) for t in range(ring.nvars)): vec[i]
                      for i in range(n) if vec[i] != 0}
            if beta != 0:
                coeffs[tuple([0] * ring.nvars)] = beta
            out.append(_normal(ring.to_integer(ring.qctx.from_dict(coeffs))))
    return out


def _touching(lifting: Lifting, f: ZPoly) -> list[VectorField]:
    """The generators X_j that share a variable with f (X_j(f) = 0 for the others)."""
    idx: set[int] = set()
    for k in variables_of(f):
        idx.update(lifting.by_variable.get(k, ()))
    return [lifting.generators[j] for j in sorted(idx)]


def _cofactor(X: VectorField, f: ZPoly) -> ZPoly | None:
    """k with X(f) = k·f, or None when f does not divide X(f)."""
    q, r = divmod(X.apply(f), f)
    return q if r.is_zero() else None


def is_conserved_log(law: Law, lifting: Lifting) -> bool:
    """Exact identity check of h = P + Σ λ_i ln|f_i|: for every generator X_j, f_i divides
    X_j(f_i) with cofactor k_ij and X_j(P) + Σ_i λ_i k_ij ≡ 0 (⟨∇h, ∇φ_j⟩ = that sum)."""
    ring = lifting.ring
    for X in lifting.generators:
        total = ring.to_rational(X.apply(law.poly))
        for f, lam in law.logs:
            k = _cofactor(X, f)
            if k is None:
                return False
            total += ring.to_rational(k) * flint.fmpq(lam)
        if not total.is_zero():
            return False
    return True


def _monomials(D: int, degree: int) -> list[tuple[int, ...]]:
    out = []
    for s in range(1, degree + 1):
        for combo in combinations_with_replacement(range(D), s):
            e = [0] * D
            for k in combo:
                e[k] += 1
            out.append(tuple(e))
    return out


def log_search_size(lifting: Lifting, degree: int) -> str | None:
    """Why the logarithmic search cannot run at this size (None if it can)."""
    D, d = lifting.D, lifting.d
    if D > MAX_LOG_SEARCH_PARAMS or d > MAX_LOG_SEARCH_COORDS:
        return (f"logarithmic law search skipped: D = {D}, d = {d} (it runs for "
                f"D ≤ {MAX_LOG_SEARCH_PARAMS}, d ≤ {MAX_LOG_SEARCH_COORDS})")
    n = sum(comb(D + s - 1, s) for s in range(1, degree + 1))
    if n * d > MAX_LOG_SEARCH_WORK:
        return (f"logarithmic law search skipped: {n} monomials of degree ≤ {degree} for "
                f"{d} generators (limit {MAX_LOG_SEARCH_WORK} pairs)")
    return None


class _TooLarge(Exception):
    """A search whose exact linear system is beyond the limits (the message says which)."""


def search_log_laws(lifting: Lifting, degree: int, darboux: list[ZPoly]) -> list[Law]:
    """Laws h = P + Σ_i λ_i ln|f_i| with f_i the Darboux polynomials, deg P ≤ ``degree`` and
    some λ_i ≠ 0: a basis, modulo polynomial laws, of the solutions (λ, P) of the linear system
    Σ_i λ_i k_ij + X_j(P) ≡ 0 for every j (k_ij the cofactor of f_i for X_j)."""
    if not darboux:
        return []
    D, m = lifting.D, len(darboux)
    ring = lifting.ring
    monos = _monomials(D, degree)
    rows: dict[tuple[int, tuple], dict[int, int]] = defaultdict(dict)
    zctx = ring.zctx
    for j, X in enumerate(lifting.generators):
        for i, f in enumerate(darboux):
            k = _cofactor(X, f)
            for mono, c in k.to_dict().items():
                rows[(j, mono)][i] = int(c)
        for col, e in enumerate(monos):
            for mono, c in X.apply(zctx.from_dict({e: 1})).to_dict().items():
                rows[(j, mono)][m + col] = int(c)
    n = m + len(monos)
    if len(rows) * n > MAX_SEARCH_ENTRIES:
        raise _TooLarge(f"logarithmic law search skipped: its linear system has {len(rows)} × "
                        f"{n} entries (limit {MAX_SEARCH_ENTRIES})")
    kernel = nullspace_qq([[r.get(c, 0) for c in range(n)] for r in rows.values()], n)
    if not kernel:
        return []
    # λ columns first: the rows of the echelon form with a pivot among them are the log laws
    red, rank = flint.fmpq_mat(kernel).rref()
    laws = []
    for i in range(rank):
        lam = [red[i, c] for c in range(m)]
        if all(x == 0 for x in lam):
            break  # pivots in the monomial columns from here on: polynomial laws
        coeffs = {monos[c]: red[i, m + c] for c in range(len(monos)) if red[i, m + c] != 0}
        z, lam = _normalise(lam, ring.qctx.from_dict(coeffs), ring)
        logs = [(f, x) for f, x in zip(darboux, lam, strict=True) if x != 0]
        # labelled with the degree of its own P (at least 1), the search that finds it
        laws.append(Law(z, source_label("log-search", max(1, z.total_degree())), logs=logs))
    return laws


def _normalise(lam: list, p, ring) -> tuple[ZPoly, list]:
    """(λ, P) times the s ≠ 0 that makes P a primitive integer polynomial with a positive
    leading coefficient, or, when P = 0, makes λ primitive integers with the first one > 0."""
    if not p.is_zero():
        z = ring.to_integer(p)  # a positive multiple s·p
        mono, c = next(iter(p.to_dict().items()))
        s = flint.fmpq(int(z.to_dict()[mono])) / flint.fmpq(c)
        if z.leading_coefficient() < 0:
            z, s = -z, -s
    else:
        ints = primitive_integer(lam)
        k = next(i for i, x in enumerate(lam) if x != 0)
        z, s = ring.zzero(), flint.fmpq(ints[k]) / lam[k]
    return z, [flint.fmpq(x) * s for x in lam]


# ---------------------------------------------------------------------------- the count
#: the polynomial engine's fallback (closure, law search) expands φ and its brackets: only for
#: liftings this small
FALLBACK_MAX_TERMS = 2_000
FALLBACK_MAX_PARAMS = 60
#: the polynomial engine's deepest bracket level unless --max-depth says otherwise
DEFAULT_POLY_DEPTH = 8


def polynomial_engine_affordable(lifting: Lifting) -> bool:
    """Small enough (D ≤ 60, at most 2000 terms of φ) to try the polynomial engine when the
    structural one leaves the bounds apart."""
    arch = lifting.architecture
    return (lifting.D <= FALLBACK_MAX_PARAMS and arch is not None
            and arch.count_paths() <= FALLBACK_MAX_TERMS)


#: a ReLU network's path-lifting with more parameters than this is ranked by passes
#: (``algebra.paths``), never by expanding its fields
PATH_ENGINE_MIN_PARAMS = 400


#: the echelon forms of the structural engine may take this many bytes (of the 2 GB budget)
STRUCTURAL_MAX_BYTES = 1_800_000_000


def structural_bytes(D: int, d: int, n_laws: int) -> int:  # noqa: N803
    """Predicted peak bytes of the structural trace: a target rank t = D − #laws (at least the
    d fields' rank, at most D) kept in float64 at θ0 (t × D rows and T⁻¹, t × t) and at the two
    sample points (t × 2D, t × t), 8(3tD + 2t²), times 2.5 for the copies of a batch (fitted:
    linear:40-40-40-40 1.31 GB predicted, 1.07 GB measured; linear:52-31-59-23-43 1.56 GB
    predicted, 1.56 GB measured)."""
    t = min(D, max(D - n_laws, d))
    return int(2.5 * 8 * (3 * t * D + 2 * t * t))


def uses_product_engine(lifting: Lifting) -> bool:
    """Whether the brackets of a layered linear network come from its matrices
    (``algebra.structural``): a product lifting whose layers fit the int64 dot products."""
    return (lifting.kind == "product" and bool(lifting.widths)
            and max(lifting.widths) <= MAX_INNER)


def uses_path_engine(lifting: Lifting) -> bool:
    """Whether ``laws`` ranks ∂φ(θ0) by forward/backward passes: the path-lifting of a ReLU
    network (every coordinate one path) with D > PATH_ENGINE_MIN_PARAMS."""
    return (lifting.kind == "path" and bool(lifting.path_params)
            and lifting.architecture is not None and lifting.D > PATH_ENGINE_MIN_PARAMS)


def law_gradients_at(laws: list[Law], point: list, D: int) -> list[list[int]]:
    """∇h(θ0) for each law defined near θ0, as integer vectors (positive multiples). A
    logarithmic law with some f_i(θ0) = 0 is not a law near θ0 and is left out."""
    out = []
    for h in laws:
        g = h.gradient_at(point, D)
        if g is not None:
            out.append(integer_multiple(g))
    return out


def conservation_laws(
    lifting: Lifting,
    seed: int = 0,
    max_degree: int | None = None,
    max_depth: int | None = None,
    extra_points: int = 2,
    progress: Callable[[str], None] | None = None,
    field: str = "modp",
    engine: str = "auto",
    max_seconds: float = 60.0,
) -> LawsResult:
    """Count the conservation laws of ``lifting`` exactly when the two bounds meet.

    Laws: known families, then (if the bounds do not meet yet) an exact search by increasing
    degree up to ``max_degree`` (default 4; 0 disables the search; a positive value given by the
    user always runs the search up to that degree). ``field`` chooses where ranks are taken:
    "modp" (fast, a proved lower bound) or "qq"; both give the same certified result.
    ``engine`` "structural" takes the brackets of a linear network from its matrices (values
    mod p, no expanded φ; ``algebra.structural``), "polynomial" from the expanded fields (exact
    values, closure; what certificates need); "auto" is structural for linear networks, falling
    back to the polynomial engine when its bounds do not meet and φ is small enough to expand.
    ``max_depth`` None: the structural brackets go as deep as ``max_seconds`` allows (the
    polynomial engine stops at depth ``DEFAULT_POLY_DEPTH``).
    """
    import time

    deadline = time.monotonic() + 0.8 * max_seconds  # the rest: laws, search, output
    poly_depth = DEFAULT_POLY_DEPTH if max_depth is None else max_depth
    D = lifting.D
    if lifting.kind == "product" and lifting.widths:
        w = lifting.widths
        terms = sum(w[k] * (w[k] + 1) // 2 * (w[k - 1] + w[k + 1]) for k in range(1, len(w) - 1))
        # kept as (c, i, j) pairs (a polynomial only when asked for): LAW_PAIRS_FACTOR times
        # the term limit of φ
        if terms > LAW_PAIRS_FACTOR * lifting.max_terms:
            raise LimitError(
                f"the family laws (U_{{k+1}}ᵀU_{{k+1}} − U_kU_kᵀ)[a, b] of {lifting.name} have "
                f"{terms} terms in all, above the limit of {LAW_PAIRS_FACTOR * lifting.max_terms} "
                f"({LAW_PAIRS_FACTOR} × --max-terms; raise it with --max-terms)")
        # their gradients at θ0 are compared densely (n_laws × D) to keep an independent set
        n_laws = sum(n * (n + 1) // 2 for n in w[1:-1])
        if engine != "polynomial" and uses_product_engine(lifting):
            nbytes = structural_bytes(D, lifting.d, n_laws)
            if nbytes > STRUCTURAL_MAX_BYTES:
                raise LimitError(
                    f"the brackets of {lifting.name} would be ranked in echelon forms of about "
                    f"{nbytes / 1e9:.1f} GB (D = {D}), above the limit of "
                    f"{STRUCTURAL_MAX_BYTES / 1e9:g} GB (a memory budget that no flag lifts: "
                    "count the laws of a narrower network)")
        if n_laws * D > LAW_GRADIENT_FACTOR * lifting.max_terms:
            raise LimitError(
                f"the {n_laws} family laws of {lifting.name} are compared through their "
                f"gradients at θ0, {n_laws} × {D} = {n_laws * D} entries, above the limit of "
                f"{LAW_GRADIENT_FACTOR * lifting.max_terms} ({LAW_GRADIENT_FACTOR} × "
                f"--max-terms; raise it with --max-terms)")
    points = sample_points(seed, D, 1 + extra_points)
    theta0 = points[0]
    candidates = family_laws(lifting)
    rejected: list[Law] = []
    notes: list[str] = []

    def select(cands: list[Law]) -> list[Law]:
        """Verify the candidates not verified yet; keep those independent at θ0."""
        good = []
        for law in cands:
            if not law.verified:
                if law.entry is not None and lifting.kind == "product" and lifting.widths:
                    law.verified = product_entry_conserved(lifting.widths, *law.entry)
                else:
                    law.verified = (is_conserved_log(law, lifting) if law.logs
                                    else is_conserved(law.poly, lifting, law.pairs))
            (good if law.verified else rejected).append(law)
        at = [(law, law.gradient_at(theta0, D)) for law in good]  # once per law
        good = [law for law, g in at if g is not None]
        grads = [integer_multiple(g) for _, g in at if g is not None]
        return [good[i] for i in independent_subset(grads, D)]

    laws = select(candidates)
    if progress:
        progress(f"{len(laws)} known laws; exploring brackets")
    lie = None
    if engine != "polynomial" and uses_product_engine(lifting):
        from .algebra.structural import ProductStructure, structural_trace

        lie = structural_trace(ProductStructure(lifting.widths, lifting.ring.index), points,
                               target=D - len(laws), max_depth=max_depth, progress=progress,
                               deadline=deadline)
        if len(laws) < D - lie.dim and engine == "auto" and polynomial_engine_affordable(lifting):
            # the polynomial engine may close the algebra or find laws; if its brackets grow
            # past their limits, the structural bounds stand, with a note
            try:
                poly = lie_trace(lifting.generators, points, target=D - len(laws),
                                 max_depth=poly_depth, progress=progress, field=field,
                                 max_terms=BRACKET_TERMS_FACTOR * lifting.max_terms)
                if poly.dim >= lie.dim or poly.exact:
                    lie = poly
            except LimitError as exc:
                notes.append(f"the polynomial engine was not used: {exc}")
    if lie is None and engine != "polynomial" and uses_path_engine(lifting):
        from .algebra.paths import MAX_BYTES, components, path_jacobian_rank, rank_cost
        from .algebra.structural import PRIME

        groups = components(lifting)
        secs, nbytes = rank_cost(groups, D)
        if secs > 0.9 * max_seconds or nbytes > MAX_BYTES:
            raise LimitError(
                f"ranking ∂φ(θ0) of {lifting.name} (its largest block of parameters on common "
                f"paths has {max(map(len, groups))} columns) is predicted to take {secs:.0f} s "
                f"and {nbytes / 1e9:.1f} GB, above the budget of {0.9 * max_seconds:g} s "
                f"(--max-seconds) and {MAX_BYTES / 1e9:g} GB")
        if progress:
            progress("ranking ∂φ(θ0) by forward/backward passes")
        rank, blocks = path_jacobian_rank(lifting, theta0, seed, target=D - len(laws),
                                          blocks=groups)
        lie = LieTrace(rank, [], 1, "target" if rank >= D - len(laws) else "limit", rank,
                       modulus=PRIME, combinations=(
                           f"{rank} combinations Σ_p c_p ∇φ_p(θ0) of the fields (c_p = ∏_(e∈p) "
                           f"s_e, seeded), from forward/backward passes, ranked mod p in "
                           f"{blocks} block(s) of parameters on common paths"))
        if rank < D - len(laws):  # D > PATH_ENGINE_MIN_PARAMS: no polynomial fallback
            notes.append("the rank of ∂φ(θ0) leaves the bounds apart and the network is "
                         "too large for brackets of its expanded fields (D ≤ "
                         f"{FALLBACK_MAX_PARAMS})")
    if lie is None:
        lie = lie_trace(lifting.generators, points, target=D - len(laws), max_depth=poly_depth,
                        progress=progress, field=field,
                        max_terms=BRACKET_TERMS_FACTOR * lifting.max_terms)
    searched: list[int] = []
    forced = max_degree is not None and max_degree > 0
    top = DEFAULT_MAX_DEGREE if max_degree is None else max_degree
    for s in range(1, top + 1):
        if not forced and len(laws) >= D - lie.dim:
            break
        if progress:
            progress(f"searching laws of degree {s}")
        found, note = search_laws(lifting, s)
        if note:
            notes.append(note)
            break
        searched.append(s)
        if found:
            laws = select(laws + found)
    darboux: list[ZPoly] | None = None
    top_searched = max(searched, default=0)
    if len(laws) < D - lie.dim and top_searched and not notes:
        why = log_search_size(lifting, top_searched)
        if why:
            notes.append(why)
        else:
            if progress:
                progress("searching logarithmic laws")
            darboux = darboux_polynomials(lifting, theta0)
            try:
                found = search_log_laws(lifting, top_searched, darboux)
            except _TooLarge as exc:
                notes.append(str(exc))
                darboux, found = None, []
            if found:
                laws = select(laws + found)
    if len(laws) < D - lie.dim and lie.advice:
        notes.append(lie.advice)
    if len(laws) > D - lie.dim:  # pragma: no cover - would contradict the mathematics
        raise AssertionError("more independent laws than D − dim Lie: engine bug")
    if rejected:
        notes.append(f"{len(rejected)} candidate law(s) failed the identity check and were "
                     "discarded")
    if lifting.block and lifting.block.get("kind") == "attention":
        notes.append(attention_note(lifting, theta0, len(laws), D - lie.dim))
    return LawsResult(lifting, seed, theta0, laws, rejected, lie, searched, notes, darboux,
                      top_searched if darboux is not None else 0)


def attention_note(lifting: Lifting, theta0: list, lower: int, upper: int) -> str:
    """How the laws of an attention layer compare with the per-head factorisation laws, the
    entries of Q_mᵀQ_m − K_mᵀK_m and V_mᵀV_m − O_mO_mᵀ, head m (each product Q_mK_mᵀ, V_mO_m is a
    two-layer linear factorisation): verified as identities here, their rank at θ0 against the
    proved bounds lower ≤ #laws ≤ upper."""
    b, ring = lifting.block, lifting.ring
    k, d, heads = b["head_dim"], b["dim"], b["heads"]
    index = ring.index
    family = []
    for h in range(1, heads + 1):
        for a in range(1, k + 1):
            for c in range(a, k + 1):
                for m1, m2 in (("Q", "K"), ("V", "O")):
                    pairs = [(1, f"{m1}{h}_{i}_{a}", f"{m1}{h}_{i}_{c}") for i in range(1, d + 1)]
                    if m2 == "K":
                        pairs += [(-1, f"K{h}_{j}_{a}", f"K{h}_{j}_{c}") for j in range(1, d + 1)]
                    else:
                        pairs += [(-1, f"O{h}_{a}_{j}", f"O{h}_{c}_{j}") for j in range(1, d + 1)]
                    ij = [(cc, index[x], index[y]) for cc, x, y in pairs]
                    family.append(Law(None, "factorisation", pairs=ij, ring=ring))
    conserved = all(is_conserved(law.poly, lifting, law.pairs) for law in family)
    grads = law_gradients_at(family, theta0, lifting.D)
    rank = len(independent_subset(grads, lifting.D)) if grads else 0
    what = (f"the per-head factorisation laws (entries of Q_mᵀQ_m − K_mᵀK_m and V_mᵀV_m − "
            f"O_mO_mᵀ for each head m: {len(family)} polynomials) are conserved (identities "
            f"verified) and {rank} of them are independent at θ0" if conserved else
            "some per-head factorisation law failed its identity check (a bug)")
    if lower == upper == rank and conserved:
        verdict = ("; the exact count is the same: they are a complete set of independent laws "
                   "near θ0 (every law is locally a function of them)")
    elif lower == upper:
        verdict = f"; the exact count is {lower}: {lower - rank} law(s) beyond them"
    else:
        verdict = f"; the count is only bounded ({lower}..{upper})"
    several = (" With several heads, an exact count on an instance is evidence about the "
               "lifting (Q_mK_mᵀ, V_mO_m)_m, not a theorem about every multi-head network (MGP25b "
               "left their completeness open)." if heads > 1 else "")
    return what + verdict + "." + several
