"""Conservation laws of gradient flows and the exact count certificate (MATH.md §2).

h is conserved for every loss iff ⟨∇h, ∇φ_i⟩ ≡ 0 for every i, i.e. X_i(h) ≡ 0 for X_i = ∇φ_i.

The count certificate: N laws verified as identities whose gradients have rank N at θ0 give
dim Lie(W_φ)(θ) ≤ D − N wherever the rank is N (a Zariski-dense open set); brackets whose values
at θ0 have rank r give dim Lie(W_φ)(θ0) ≥ r. When r = D − N both are equalities, so there are
exactly N independent conservation laws near θ0 and generically. Otherwise N ≤ #laws ≤ D − r.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations_with_replacement
from math import comb

import flint

from .algebra.lie import LieTrace, lie_trace, sample_points
from .algebra.linalg import independent_subset
from .algebra.poly import VectorField, ZPoly, variables_of
from .lifting import Lifting
from .wording import plural

DEFAULT_MAX_DEGREE = 4
MAX_SEARCH_MONOMIALS = 20_000


@dataclass
class Law:
    """A polynomial h(θ) with integer coefficients and where it comes from."""

    poly: ZPoly
    source: str
    verified: bool = False


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

    @property
    def lower(self) -> int:
        """Proved: at least this many functionally independent conservation laws."""
        return len(self.laws)

    @property
    def upper(self) -> int:
        """Proved: at most D − (rank of brackets at θ0) independent laws."""
        return self.lifting.D - self.lie.dim

    @property
    def exact(self) -> bool:
        return self.lower == self.upper

    @property
    def count(self) -> int | None:
        return self.lower if self.exact else None

    def statement(self) -> str:
        """What was proved, in one paragraph."""
        D, n, r = self.lifting.D, self.lower, self.lie.dim
        scope = ("For the path-lifting (every loss ℓ(φ(θ)); some hidden neurons are linear): "
                 if linear_hidden_neurons(self.lifting) else "")
        if self.exact:
            return scope + (
                f"Exact count, generic and near θ0: {plural(n, 'conservation law')} verified as "
                f"polynomial identities with gradients of rank {n} at θ0 give dim Lie(W_φ) ≤ "
                f"D − {n} = {D - n} on a dense open set; {plural(r, 'bracket')} with independent "
                f"values at θ0 give dim Lie(W_φ)(θ0) ≥ {r}. Hence dim Lie(W_φ)(θ0) = {r} and "
                f"there {'is' if n == 1 else 'are'} exactly {plural(n, 'independent law')} near "
                f"θ0 and for generic θ.")
        if self.lie.exact:
            how = (f"the brackets close into a Lie algebra whose trace at θ0 has dimension {r} "
                   f"(verified exactly), so D − dim Lie(W_φ)(θ0) = {D - r}")
        else:
            how = (f"brackets give dim Lie(W_φ)(θ0) ≥ {r}, so there are at most {D - r} "
                   f"independent laws ({self.lie.status} at depth {self.lie.depth})")
        return scope + (f"Bounds only: at least {n} explicit laws (verified identities, "
                        f"independent at θ0); {how}. {D - r - n} unexplained.")


LINEAR_NEURON_NOTE = (
    "hidden neuron(s) {} are linear (identity): this count is for the path-lifting φ, i.e. for "
    "every loss ℓ(φ(θ)); the network's own losses factor through fewer coordinates and can "
    "have more conservation laws (for a layered linear network use linear:…)")


def linear_hidden_neurons(lifting: Lifting) -> list[str]:
    """Hidden neurons with the identity activation in a path-lifting."""
    arch = lifting.architecture
    if lifting.kind != "path" or arch is None:
        return []
    return [v for v in arch.hidden if arch.graph.nodes[v]["activation"] == "linear"]


# ---------------------------------------------------------------------------- known families
def family_laws(lifting: Lifting) -> list[Law]:
    """Known laws: neuron balance for path-liftings (one per hidden neuron),
    entries of U_{k+1}ᵀU_{k+1} − U_kU_kᵀ for products of matrices (integer polynomials)."""
    ring = lifting.ring
    g = ring.zgens()
    var = {n: g[i] for i, n in enumerate(ring.names)}
    out = []
    if lifting.kind == "path" and lifting.architecture is not None:
        arch = lifting.architecture
        for v in arch.hidden:
            h = ring.zzero()
            for u in arch.graph.predecessors(v):
                h += var[arch.edge_param(u, v)] ** 2
            if arch.bias(v):
                h += var[arch.bias(v)] ** 2
            for w in arch.graph.successors(v):
                h -= var[arch.edge_param(v, w)] ** 2
            out.append(Law(h, f"balance of neuron {v}"))
    elif lifting.kind == "product" and lifting.widths:
        w = lifting.widths
        for k in range(1, len(w) - 1):
            n_prev, n_k, n_next = w[k - 1], w[k], w[k + 1]
            for a in range(1, n_k + 1):
                for b in range(a, n_k + 1):
                    h = ring.zzero()
                    for i in range(1, n_next + 1):
                        h += var[f"U{k + 1}_{i}_{a}"] * var[f"U{k + 1}_{i}_{b}"]
                    for j in range(1, n_prev + 1):
                        h -= var[f"U{k}_{a}_{j}"] * var[f"U{k}_{b}_{j}"]
                    out.append(Law(h, f"(U{k + 1}ᵀU{k + 1} − U{k}U{k}ᵀ)[{a},{b}]"))
    return out


def is_conserved(h: ZPoly, lifting: Lifting) -> bool:
    """Exact identity check: X_i(h) = ⟨∇φ_i, ∇h⟩ ≡ 0 for every i.

    Only the φ_i that share a variable with h are paired (for the others the pairing is
    trivially the zero polynomial)."""
    diagonal = _diagonal_quadratic(h)
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
    homogeneous = all(len({sum(m) for m in p.monoms()}) <= 1 for p in lifting.phi)
    degrees = [degree] if homogeneous else list(range(1, degree + 1))
    n_monos = sum(comb(D + s - 1, s) for s in degrees)
    if n_monos > max_monomials:
        return [], (f"law search at degree {degree} skipped: {n_monos} monomials "
                    f"(limit {max_monomials})")
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
        else:
            mat = flint.fmpz_mat([[r.get(j, 0) for j in range(len(monos))] for r in rows.values()])
            ns, nullity = mat.nullspace()
            kernel = [[int(ns[i, j]) for i in range(len(monos))] for j in range(nullity)]
        for vec in kernel:
            h = zctx.from_dict({monos[i]: c for i, c in enumerate(vec) if c})
            if not h.is_zero():
                laws.append(Law(lifting.ring.to_integer(lifting.ring.to_rational(h)),
                                f"degree-{degree} search"))
    return laws, None


# ---------------------------------------------------------------------------- the count
def law_gradients_at(laws: list[Law], point: list, D: int) -> list[list[int]]:
    """∇h(θ0) for each law, as integer vectors (positive multiples at a rational point)."""
    return [VectorField.gradient(h.poly, D).at_integer(point) for h in laws]


def conservation_laws(
    lifting: Lifting,
    seed: int = 0,
    max_degree: int | None = None,
    max_depth: int = 8,
    extra_points: int = 2,
    progress: Callable[[str], None] | None = None,
    field: str = "modp",
) -> LawsResult:
    """Count the conservation laws of ``lifting`` exactly when the two bounds meet.

    Laws: known families, then (if the bounds do not meet yet) an exact search by increasing
    degree up to ``max_degree`` (default 4; 0 disables the search; a positive value given by the
    user always runs the search up to that degree). ``field`` chooses where ranks are taken:
    "modp" (fast, a proved lower bound) or "qq"; both give the same certified result.
    """
    D = lifting.D
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
                law.verified = is_conserved(law.poly, lifting)
            (good if law.verified else rejected).append(law)
        grads = law_gradients_at(good, theta0, D)
        return [good[i] for i in independent_subset(grads, D)]

    laws = select(candidates)
    if progress:
        progress(f"{len(laws)} known laws; exploring brackets")
    lie = lie_trace(lifting.generators, points, target=D - len(laws), max_depth=max_depth,
                    progress=progress, field=field)
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
    if len(laws) > D - lie.dim:  # pragma: no cover - would contradict the mathematics
        raise AssertionError("more independent laws than D − dim Lie: engine bug")
    if rejected:
        notes.append(f"{len(rejected)} candidate law(s) failed the identity check and were "
                     "discarded")
    linear_neurons = linear_hidden_neurons(lifting)
    if linear_neurons:
        notes.append(LINEAR_NEURON_NOTE.format(", ".join(linear_neurons)))
    return LawsResult(lifting, seed, theta0, laws, rejected, lie, searched, notes)
