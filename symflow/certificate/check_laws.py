"""The checker's steps for the conservation-law claim: each law's source and identity, the
brackets at θ0 and their rank, the Lie closure, a recorded law search."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

from .. import prose
from ..exprparse import degree_and_terms
from ..points import sample_points
from ..sources import label as source_label
from ..sources import parse as parse_source
from .check import (
    MAX_LAW_TEXT,
    Context,
    Law,
    Report,
    _primitive,
    _word_ok,
    expect,
    rank,
    rat,
    shown,
    within,
)
from .schema import (
    MAX_SEARCH_MONOMIALS,
    MAX_SEARCH_WORK,
    search_monomials,
)


# ----------------------------------------------------------------------------- laws' sources
def _check_source(ctx: Context, law: Law, source: str, what: str) -> None:
    """The source of a law is a label the LaTeX prints: read by its grammar (symflow.sources:
    one spelling per label, ASCII names and digits), and true of the law. A search label must
    carry the law's own degree (the search that finds it), not a bound the file chooses."""
    s = ctx.symdict
    net = ctx.net
    h = law.expr
    parsed = parse_source(source)
    expect(parsed is not None, "laws", f"{what}: unknown source {shown(source)} (a source is "
           "one of the labels of docs/certificates.md, spelt exactly)")
    kind, *args = parsed
    expect((kind == "log-search") == bool(law.logs), "laws", f"{what}: the source "
           f"{shown(source)} does not match the kind of the law (logarithmic or polynomial)")
    if kind in ("search", "log-search"):
        degree = degree_and_terms(h)[0]
        want = max(1, degree) if kind == "log-search" else degree
        expect(args[0] == want, "laws", f"{what} has {'a polynomial part of ' * bool(law.logs)}"
               f"degree {degree}, so its source is '{source_label(kind, want)}', not "
               f"'{source_label(*parsed)}'")
        return
    if kind == "balance":
        v = args[0]
        expect(net.is_path and v in net.hidden, "laws", f"{what}: {shown(source)} names no "
               "hidden neuron of a path-lifting")
        want = sum((s[p] ** 2 for _, b, p in net.edges if b == v), sympy.Integer(0))
        want += s[net.biases[v]] ** 2 if v in net.biases else 0
        want -= net.power(v) * sum((s[p] ** 2 for a, _, p in net.edges if a == v),
                                   sympy.Integer(0))
        expect(sympy.expand(h - want) == 0, "laws", f"{what} is not the {source}")
        return
    if kind == "mixing":
        v, w = args
        pred = {x: {a for a, b, _ in net.edges if b == x} for x in (v, w) if x in net.hidden}
        succ = {x: {b for a, b, _ in net.edges if a == x} for x in (v, w) if x in net.hidden}
        expect(net.is_path and v != w and len(pred) == 2
               and net.hidden[v] == net.hidden[w] == "linear"
               and pred[v] == pred[w] and succ[v] == succ[w]
               and (v in net.biases) == (w in net.biases), "laws",
               f"{what}: {shown(source)} does not name two linear neurons with the same "
               "neighbours")
        edge = {(a, b): p for a, b, p in net.edges}
        want = sum((s[edge[u, v]] * s[edge[u, w]] for u in pred[v]), sympy.Integer(0))
        want += s[net.biases[v]] * s[net.biases[w]] if v in net.biases else 0
        want -= sum((s[edge[v, x]] * s[edge[w, x]] for x in succ[v]), sympy.Integer(0))
        expect(sympy.expand(h - want) == 0, "laws", f"{what} is not the {source}")
        return
    k, a, b = args  # family: the entry [a, b] of H_k = U_{k+1}ᵀU_{k+1} − U_kU_kᵀ
    w = net.widths or []
    expect(net.kind == "linear" and 1 <= k < len(w) - 1 and 1 <= a <= b <= w[k], "laws",
           f"{what}: {shown(source)} is not an entry of a law matrix of this network")
    want = sum(s[f"U{k + 1}_{i}_{a}"] * s[f"U{k + 1}_{i}_{b}"] for i in range(1, w[k + 1] + 1))
    want -= sum(s[f"U{k}_{a}_{j}"] * s[f"U{k}_{b}_{j}"] for j in range(1, w[k - 1] + 1))
    expect(sympy.expand(h - want) == 0, "laws", f"{what} is not {source}")


def _check_laws(ctx: Context, laws: list[dict]) -> list[Law]:
    out = []
    keys = [json.dumps(x, sort_keys=True) for x in laws]
    expect(len(set(keys)) == len(keys), "laws", "a law is listed twice")
    expect(len(laws) <= ctx.D, "laws", f"{len(laws)} laws for D = {ctx.D} parameters: at most "
           "D can be independent")
    size = sum(len(k) for k in keys)
    within(size <= MAX_LAW_TEXT, f"the laws have {size} characters, above the "
           f"checker's limit of {MAX_LAW_TEXT}", "laws")
    for i, entry in enumerate(laws, 1):
        ctx.tick("laws")
        law = ctx.law(entry, f"law h{i}")
        _check_source(ctx, law, entry["source"], f"law h{i}")
        out.append(law)
    return out


# ----------------------------------------------------------------------------- brackets, closure
def _check_brackets(ctx: Context, brackets: list[dict], point: list, claimed_rank: int,
                    where: str) -> list[list]:
    expect(len(brackets) <= ctx.D, "brackets", f"{len(brackets)} brackets{where}, more than "
           f"D = {ctx.D} cannot be independent")
    for b in brackets:
        _word_ok(b["word"], where)
    values = []
    for b in brackets:
        word, recorded = b["word"], [rat(x) for x in b["value"]]
        expect(len(recorded) == ctx.D, "brackets", f"{shown(word)}: value has the wrong length")
        actual = ctx.value_at(word, point)
        # the recorded value is the canonical one: the actual value divided by the positive gcd
        # of its entries (so neither a rescaled generator nor a rescaled record can differ)
        expect(any(a != 0 for a in actual) and recorded == _primitive(actual), "brackets",
               f"{shown(word)}{where}: recorded value is not the bracket's value at θ0 divided by "
               "the gcd of its entries")
        values.append(recorded)
    r = rank(values)
    expect(r == claimed_rank == len(brackets), "bracket-rank",
           f"{len(brackets)} bracket values{where} have rank {r}, claimed {claimed_rank}")
    return values


def _check_closure(ctx: Context, closure: dict, point: list, claimed_rank: int,
                   where: str) -> None:
    """span K is a Lie algebra containing every generator, checked completely: every g_j is an
    exact combination of K, and [g_j, k] ∈ span K for every generator g_j and every k ∈ K (then
    ad(g_j) preserves span K, hence so does ad of every iterated bracket by Jacobi, and span K,
    spanned by brackets, is Lie(W_φ)). For a g_j that is a combination of generators in K the
    second condition follows from theirs and is not repeated. Every relation is verified as a
    polynomial identity."""
    basis, rel = closure["basis"], closure["relations"]
    expect(len(set(basis)) == len(basis), "lie-closure", f"a basis word is repeated{where}")
    within(len(basis) <= 4 * ctx.D, f"{len(basis)} basis words{where}, above "
           f"the checker's limit of 4D", "lie-closure")
    for w in list(basis) + list(rel):
        _word_ok(w, where)
    kf = [ctx.field(w) for w in basis]
    gens_in = {w for w in basis if re.fullmatch(r"g\d+", w)}

    verified: dict[str, list] = {}

    def combination(word: str) -> list[sympy.Rational] | None:
        """Check word ∈ span K; return its coefficients (None for a basis element)."""
        if word in basis:
            return None
        if word in verified:
            return verified[word]
        expect(word in rel, "lie-closure", f"{shown(word)}{where} is neither in the basis nor "
               "related to it")
        coeffs = [rat(c) for c in rel[word]]
        expect(not coeffs or len(coeffs) == len(basis), "lie-closure",
               f"{shown(word)}{where}: wrong number of coefficients")
        f = ctx.field(word)
        R = ctx.ring
        qc = [QQ(int(c.p), int(c.q)) for c in coeffs]
        for j in set(f).union(*(kf[k] for k, c in enumerate(qc) if c)):
            diff = f.get(j, R.zero) - sum((c * kf[k].get(j, R.zero) for k, c in enumerate(qc)
                                           if c), R.zero)
            expect(not diff, "lie-closure",
                   f"{shown(word)}{where} is not the recorded combination of the basis")
        verified[word] = coeffs
        return coeffs

    def bracket_in_span(g: str, b: str) -> None:
        mg, mb = re.fullmatch(r"g(\d+)", g), re.fullmatch(r"g(\d+)", b)
        if mb and g == b:
            return  # [X, X] = 0
        if mb and int(mg.group(1)) > int(mb.group(1)) and b in gens_in:
            combination(f"[{b},{g}]")  # [g_i, g_j] = −[g_j, g_i]
            return
        combination(f"[{g},{b}]")

    for w in rel:
        ctx.tick("lie-closure")
        expect(w not in basis, "lie-closure", f"{shown(w)}{where} is both a basis word and related")
        combination(w)  # every recorded relation is verified, needed or not
    for j in range(1, ctx.d + 1):
        g = f"g{j}"
        coeffs = combination(g)
        if coeffs is not None and all(c == 0 or basis[k] in gens_in
                                      for k, c in enumerate(coeffs)):
            continue  # ad(g_j) is a combination of the ad(g_i), g_i ∈ K, checked below
        for b in basis:
            bracket_in_span(g, b)
    r = rank(ctx.at_all(kf, point))
    expect(r == claimed_rank, "lie-closure",
           f"the closed Lie algebra has rank {r} at θ0{where}, claimed {claimed_rank}")


# ----------------------------------------------------------------------------- the law claim
def check_law_claim(ctx: Context, claim: dict, report: Report) -> list[Law]:
    """Every field of the law-count claim; returns its verified laws (h of the intrinsic
    claim)."""
    pt = claim["point"]
    point = [rat(x) for x in pt["theta0"]]
    expect(len(point) == ctx.D, "point", f"θ0 has {len(point)} entries, D = {ctx.D}")
    expect(point == sample_points(pt["seed"], ctx.D, 1)[0], "point",
           f"θ0 is not the point generated from seed {pt['seed']}")
    report.step("point")
    ctx.begin("laws")
    laws = _check_laws(ctx, claim["laws"])
    report.step("laws")
    ctx.begin("law-rank")
    grads = [ctx.law_gradient_at(h, point) for h in laws]
    expect(all(g is not None for g in grads), "law-rank",
           "a logarithmic law is not defined near θ0 (one of its factors vanishes there)")
    n = rank(grads)
    expect(n == claim["law_rank_at_theta0"] == len(laws), "law-rank",
           f"the gradients of the {len(laws)} laws have rank {n} at θ0, claimed "
           f"{claim['law_rank_at_theta0']}")
    report.step("law-rank")
    expect(laws or claim["brackets"], "claim", "the claim has no evidence (no law and no "
           "bracket)")
    r = claim["bracket_rank_at_theta0"]
    _check_brackets(ctx, claim["brackets"], point, r, "")
    report.step("brackets")
    report.step("bracket-rank")
    closure = claim["lie_closure"]
    if closure is not None:
        _check_closure(ctx, closure, point, r, "")
        report.step("lie-closure")
    # why dim Lie(W_φ) is locally constant at θ0, recomputed from the verified evidence
    D = ctx.D
    if n == D - r:
        argument = "bounds"
    elif ctx.d == 1 and r == 1:
        argument = "one coordinate"  # every bracket of one field is 0: g1(θ0) ≠ 0 is rank 1
    elif closure is not None and len(closure["basis"]) == r:
        argument = "closure"
    else:
        argument = None
    exact = argument is not None
    count = claim["count"]
    expect(count == {"lower": n, "upper": D - r, "exact": exact,
                     "value": D - r if exact else None, "explicit": n, "argument": argument}
           and claim["proof"] == prose.count_proof(argument),
           "claim", f"the evidence gives {n} explicit laws ≤ #laws ≤ {D - r} "
           f"({prose.count_proof(argument)}), which the claim misstates")
    report.step("claim")
    if claim["search"] is not None:
        expect(n < D - r, "search", "a search is recorded although the explicit laws already "
               "meet the upper bound")
        ctx.begin("search")
        _check_search(ctx, claim["search"], laws, grads, point)
        report.step("search")
    expect(claim["statement"] == prose.law_statement(claim, ctx.D, ctx.arch), "statement",
           "the statement is not the one generated from the verified evidence")
    report.step("statement")
    return laws


def _total_degree(p: Any) -> int:
    return max((sum(m) for m in p.monoms()), default=0)


def _eigen_forms(ctx: Context, g: Any) -> list:
    """For a quadratic g = ½θᵀAθ + bᵀθ + c in QQ[θ]: f = cᵀθ + cᵀb/k for each rational
    eigenvalue k ≠ 0 of A and each vector c of the reduced basis of ker(A − kI)."""
    R = ctx.ring
    vs = sorted({k for mono in g.monoms() for k, e in enumerate(mono) if e})
    zero = [QQ(0)] * ctx.D
    a = sympy.Matrix(len(vs), len(vs), lambda i, j: sympy.Rational(str(
        g.diff(vs[i]).diff(vs[j])(*zero))))
    b = [sympy.Rational(str(g.diff(v)(*zero))) for v in vs]
    out = []
    lam = sympy.Symbol("lam")
    # det(λI − A) by DomainMatrix over QQ (a symbolic determinant in λ took a minute at 20
    # variables); its rational roots are the eigenvalues det(A − λI) = 0 has
    charpoly = DomainMatrix.from_Matrix(a).convert_to(QQ).charpoly()
    for root in sympy.roots(sympy.Poly([sympy.Rational(int(c.numerator), int(c.denominator))
                                        for c in charpoly], lam), filter="Q"):
        if root == 0:
            continue
        for vec in (a - root * sympy.eye(len(vs))).nullspace():
            beta = sum(vec[i] * b[i] for i in range(len(vs))) / root
            f = R.from_expr(sum(vec[i] * ctx.syms[vs[i]] for i in range(len(vs))) + beta)
            out.append(f)
    return out


def _check_search(ctx: Context, search: dict, laws: list[Law], grads: list[list],
                  point: list) -> None:
    """Redo the law search: every solution (λ, P) of Σ_i λ_i k_ai + X_a(P) ≡ 0 for all a
    (deg P ≤ k, f_i the Darboux polynomials, k_ai = X_a(f_i)/f_i; no f_i for a polynomial-only
    search) has a gradient at θ0 in the span of the explicit laws' gradients."""
    D, k = ctx.D, search["degree"]
    monos = search_monomials(D, k)
    within(monos <= MAX_SEARCH_MONOMIALS and monos * ctx.d <= MAX_SEARCH_WORK,
           f"the search of degree {k} has {monos} monomials for d = {ctx.d} (checker's limit: "
           f"{MAX_SEARCH_MONOMIALS} monomials, {MAX_SEARCH_WORK} monomial-generator pairs)",
           "search")
    R = ctx.ring
    qs = ctx._qpoint(point)
    darboux: list = []
    if search["darboux"] is not None:
        listed = [R.from_expr(ctx._law_poly(t, "a Darboux polynomial", step="search")) for t in
                  search["darboux"]]
        expect(len({str(f.monic()) for f in listed}) == len(listed), "search",
               "a Darboux polynomial is listed twice")
        found: dict[str, Any] = {}
        polys = [R.from_expr(e) for e in ctx.phi]
        for a in range(1, ctx.d + 1):
            polys += list(ctx.field(f"g{a}").values())
        for p in polys:
            ctx.tick("search")
            for f, _ in p.factor_list()[1]:
                if f.is_ground:
                    continue
                found.setdefault(str(f.monic()), f)
        for g in list(found.values()):
            if _total_degree(g) == 2:
                for f in _eigen_forms(ctx, g):
                    found.setdefault(str(f.monic()), f)
        want = []
        for key, f in sorted(found.items()):
            if ctx._eval(f, qs) == 0:
                continue
            if all(not ctx.apply(a, f).rem(f) for a in range(1, ctx.d + 1)):
                want.append(key)
        expect(sorted(str(f.monic()) for f in listed) == sorted(want), "search",
               "the Darboux polynomials listed are not those among the irreducible factors of "
               "φ and ∂φ (non-zero at θ0)")
        darboux = listed
    m = len(darboux)
    monomials = [tuple(sum(1 for x in combo if x == j) for j in range(D))
                 for s in range(1, k + 1)
                 for combo in itertools.combinations_with_replacement(range(D), s)]
    rows: dict[tuple, dict[int, Any]] = {}
    for a in range(1, ctx.d + 1):
        ctx.tick("search")
        for i, f in enumerate(darboux):
            q, rem = ctx.apply(a, f).div(f)
            expect(not rem, "search", "a listed Darboux polynomial is not one")
            for mono, c in q.items():
                rows.setdefault((a, mono), {})[i] = c
        for col, e in enumerate(monomials):
            for mono, c in ctx.apply(a, R({e: 1})).items():
                rows.setdefault((a, mono), {})[m + col] = c
    ncols = m + len(monomials)
    sdm = {i: r for i, r in enumerate(rows.values())}
    kernel = (DomainMatrix(sdm, (len(sdm), ncols), QQ).nullspace().to_Matrix().tolist()
              if sdm else sympy.eye(ncols).tolist())
    extra = []
    for vec in kernel:
        P = sum((R({e: 1}) * QQ(int(sympy.Rational(c).p), int(sympy.Rational(c).q))
                 for e, c in zip(monomials, vec[m:], strict=True) if c), R.zero)
        g = ctx.field_at(ctx._gradient_of(P), point)
        for f, lam in zip(darboux, vec[:m], strict=True):
            if lam:
                val = ctx._eval(f, qs)
                g = [x + lam * y / val for x, y in
                     zip(g, ctx.field_at(ctx._gradient_of(f), point), strict=True)]
        extra.append(g)
    expect(rank(grads + extra) == rank(grads), "search",
           "the search finds a law independent of the explicit ones at θ0")
