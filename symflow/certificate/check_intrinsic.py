"""The checker's steps for an intrinsic claim: each point, the kernels and the witness, the
closed forms of the metric and the families of linear networks."""

from __future__ import annotations

import itertools

import sympy

from .. import prose
from ..exprparse import degree_and_terms
from ..points import sample_points
from ..wording import (
    CLOSED_FORMS,
    MAX_CLOSED_FORM_COORDS,
    MAX_CLOSED_FORM_DEGREE,
    MAX_CLOSED_FORM_PARAMS,
    closed_form_texts,
    closed_forms_apply,
)
from .check import (
    MAX_FAMILY_WIDTH,
    Context,
    Failure,
    Law,
    Report,
    expect,
    rank,
    rat,
    within,
)
from .check_laws import (
    _check_brackets,
    _check_closure,
)


# ----------------------------------------------------------------------------- the intrinsic claim
def _family_point(ctx: Context, init: str, p: dict, point: list, where: str) -> None:
    """A family point is the one regenerated from its family seed, and lies on the family."""
    net = ctx.net
    expect(net.kind == "linear", "point", f"the {init} family needs a linear architecture")
    within(max(net.widths or [0]) <= MAX_FAMILY_WIDTH, f"the checker regenerates "
           f"{init} points for widths ≤ {MAX_FAMILY_WIDTH} only", "point")
    from ..errors import SymflowError
    from ..linear import sample

    try:
        named = sample(list(net.widths or []), init, p["family_seed"])
    except SymflowError as exc:
        raise Failure("point", f"no {init} sample for these widths: {exc}") from None
    want = [sympy.Rational(int(named[n].p), int(named[n].q)) for n in ctx.names]
    expect(point == want, "point", f"θ0{where} is not the {init} point generated from family "
           f"seed {p['family_seed']}")
    us = _linear_mats(ctx, point)
    lams = [rat(x) for x in p["lambdas"]]
    expect(len(lams) == len(us) - 1, "point", f"{where}: one λ per hidden layer is needed")
    for k in range(1, len(us)):
        h = us[k].T * us[k] - us[k - 1] * us[k - 1].T
        expect(h == lams[k - 1] * sympy.eye(h.shape[0]), "point",
               f"θ0{where} is not on the {init} family: U{k + 1}ᵀU{k + 1} − U{k}U{k}ᵀ ≠ "
               f"{lams[k - 1]}·I")
        if init == "balanced":
            expect(lams[k - 1] == 0, "point", f"θ0{where}: balanced needs λ = 0")


def _check_point(ctx: Context, claim: dict, p: dict, n: int, laws: list) -> None:
    """Every field of one point of the intrinsic claim but the three properties (which need
    the closed forms: check_intrinsic_claim)."""
    D, init = ctx.D, claim["init"]
    where = f" (point {n})"
    point = [rat(x) for x in p["theta0"]]
    expect(len(point) == D, "point", f"θ0{where} has {len(point)} entries, D = {D}")
    if init == "generic":
        expect(point == sample_points(p["seed"], D, 1)[0], "point",
               f"θ0{where} is not the point generated from seed {p['seed']}")
    elif init != "given point":
        _family_point(ctx, init, p, point, where)
    rows = ctx.jacobian_rows_at(point)  # ∂φ(θ0), sparse rows, evaluated once per point
    jac = ctx.dense(rows)
    rj = rank(jac)
    ctx.tick("point")
    expect(rj == p["rank_dphi"], "jacobian-rank",
           f"rank ∂φ(θ0){where} is {rj}, claimed {p['rank_dphi']}")
    # the laws defined near θ0 (a logarithmic law whose factor vanishes at θ0 is not one)
    grads = [g for g in (ctx.law_gradient_at(h, point) for h in laws) if g is not None]
    rh = rank(grads)
    ctx.tick("point")
    expect(rh == p["rank_dh"], "law-rank", f"rank ∂h(θ0){where} is {rh}, claimed {p['rank_dh']}")
    values = _check_brackets(ctx, p["brackets"], point, p["bracket_rank"], where)
    if p["lie_closure"] is not None:
        _check_closure(ctx, p["lie_closure"], point, p["bracket_rank"], where)
    lie_exact = prose.lie_exact_reason(p, D) is not None
    expect(p["lie_exact"] == lie_exact, "lie-exact",
           f"Lie(W_φ)(θ0){where} is exact iff bracket rank = D − rank ∂h(θ0) (or D), or the "
           "brackets are certified to close")
    sufficient = rank(jac + grads) == D
    expect(p["sufficient_condition"] == sufficient, "sufficient",
           f"rank [∂φ; ∂h](θ0){where} {'=' if sufficient else '<'} D, claimed otherwise")

    def in_kernel(v: list) -> bool:
        return all(sum((x * v[k] for k, x in row.items()), 0) == 0 for row in rows)

    w = p["witness"]
    if w is not None:
        v = [rat(x) for x in w]
        expect(len(v) == D, "witness", f"the witness{where} has {len(v)} entries, D = {D}")
        expect(in_kernel(v), "witness", f"∂φ(θ0)v ≠ 0{where}")
        expect(rank(values + [v]) == len(values), "witness",
               f"v is not in the span of the brackets at θ0{where}")
        expect(ctx.metric_derivative_nonzero(point, v, rows), "witness",
               f"∂M(θ0)[v] = 0{where}: v does not break the inclusion")
        expect(p["intersection_basis"] is None, "intersection",
               f"a witness and an intersection basis are both given{where}")
    else:
        basis = [[rat(x) for x in v] for v in (p["intersection_basis"] or [])]
        expect(p["intersection_basis"] is not None, "intersection",
               f"neither a witness nor a basis of ker ∂φ ∩ Lie(W_φ)(θ0) is given{where}")
        # ker ∂φ ∩ span(B) = {Bᵀc : J Bᵀ c = 0}: its dimension, computed here
        dim = 0
        if values:
            jb = [[sum((x * b[k] for k, x in row.items()), sympy.Integer(0)) for b in values]
                  for row in rows]
            dim = len(values) - rank(jb)
        expect(all(len(v) == D and in_kernel(v) for v in basis)
               and all(rank(values + [v]) == len(values) for v in basis)
               and rank(basis) == len(basis) == dim, "intersection",
               f"the recorded basis of ker ∂φ ∩ span(brackets){where} is not a basis of it "
               f"(dimension {dim})")
        if lie_exact and not sufficient:
            for v in basis:
                expect(not ctx.metric_derivative_nonzero(point, v, rows), "inclusion",
                       f"ker ∂φ ∩ Lie(W_φ) ⊄ ker ∂M at θ0{where}, but no witness is given")


def _closed_form_applies(ctx: Context, kind: str) -> bool:
    """Each closed form applies to its own architectures only."""
    net = ctx.net
    if kind == "uv":
        if net.kind != "polynomial" or ctx.D != 2 or ctx.d != 1:
            return False
        u, v = ctx.syms
        poly = sympy.Poly(ctx.phi[0], u, v)
        return poly.monoms() == [(1, 1)]
    if kind == "two-layer-relu":
        return net.kind == "layered-relu" and len(net.widths or []) == 3
    if kind == "path-metric":
        return net.is_path and net.single_paths
    return net.kind == "linear"  # linear-family


def _two_layer_blocks(ctx: Context) -> list[tuple[list, list]]:
    """Per hidden neuron of a two-layer net: (incoming weights and bias, outgoing weights)."""
    s = ctx.symdict
    out = []
    for v in ctx.net.hidden:
        ins = [s[p] for _, b, p in ctx.net.edges if b == v]
        ins += [s[ctx.net.biases[v]]] if v in ctx.net.biases else []
        outs = [s[p] for a, _, p in ctx.net.edges if a == v]
        out.append((ins, outs))
    return out


def check_intrinsic_claim(ctx: Context, claim: dict, report: Report, laws: list[Law]) -> None:
    """Every field of the intrinsic claim; h is the verified laws of the law-count claim."""
    points = claim["points"]
    seen = [tuple(rat(x) for x in p["theta0"]) for p in points]
    expect(len(set(seen)) == len(seen), "point", "a point is listed twice (one point is one "
           "piece of evidence)")
    ctx.begin("point")
    for n, p in enumerate(points, 1):
        ctx.tick("point")
        _check_point(ctx, claim, p, n, laws)
    for s in ("point", "jacobian-rank", "law-rank", "brackets", "bracket-rank", "lie-exact",
              "sufficient", "witness", "intersection", "inclusion"):
        report.step(s)
    ctx.begin("closed-forms")
    kinds = [cf["kind"] for cf in claim["closed_forms"]]
    expect(len(set(kinds)) == len(kinds), "closed-forms", "a closed form is listed twice")
    covered = [False] * len(points)
    pts = [[rat(x) for x in p["theta0"]] for p in points]
    for cf in claim["closed_forms"]:
        kind = cf["kind"]
        expect(_closed_form_applies(ctx, kind), "closed-forms",
               f"the closed form '{kind}' does not apply to this architecture")
        degree = max((degree_and_terms(e)[0] for e in ctx.phi), default=0)
        within(closed_forms_apply(ctx.D, ctx.d, degree), f"closed forms are "
               f"re-verified for d ≤ {MAX_CLOSED_FORM_COORDS} coordinates, D ≤ "
               f"{MAX_CLOSED_FORM_PARAMS} parameters and degree ≤ {MAX_CLOSED_FORM_DEGREE} "
               f"only (here d = {ctx.d}, D = {ctx.D}, degree {degree})", "closed-forms")
        recomputed, samples = closed_form_checks(ctx, kind, pts)
        texts = closed_form_texts(kind, len(ctx.net.widths or []) - 1, samples)
        expect(all(cf[k] == texts[k] for k in ("name", "formula", "conditions")), "closed-forms",
               f"the texts of the closed form '{kind}' are not its fixed wording")
        claims = [x["claim"] for x in cf["identities"]] + [x["claim"] for x in cf["pointwise"]]
        expect(claims == texts["identities"] + texts["pointwise"], "closed-forms",
               f"the checks listed for '{kind}' are not the ones it rests on")
        expect(recomputed, "closed-forms", f"the closed form '{kind}' rests on no check")
        recorded = [x["verified"] for x in cf["identities"] + cf["pointwise"]]
        expect(recomputed == recorded, "closed-forms",
               f"{kind}: recomputed checks {recomputed} differ from the recorded {recorded}")
        if not (CLOSED_FORMS[kind]["decides"] and all(recomputed)):
            continue
        for i, pt in enumerate(pts):
            if kind == "uv":
                covered[i] = True
            elif kind == "linear-family":
                covered[i] = covered[i] or (i + 1) in samples
            elif kind == "two-layer-relu":
                sub = ctx.subs(pt)
                covered[i] = covered[i] or all(
                    any(x.xreplace(sub) != 0 for x in ins) and any(x.xreplace(sub) != 0
                                                                   for x in outs)
                    for ins, outs in _two_layer_blocks(ctx))
    report.step("closed-forms")
    keys = ("lie_locally_constant", "frobenius", "recoverability", "metric", "dynamic")
    for n, (p, cov) in enumerate(zip(points, covered, strict=True), 1):
        want = prose.point_properties(p, ctx.D, ctx.d, cov)
        got = {k: p[k] for k in keys}
        expect(got == want, "verdict", f"the evidence at point {n} gives {want}, claimed {got}")
    want = prose.claim_properties(points)
    got = {k: claim[k] for k in ("recoverability", "metric", "dynamic", "frobenius")}
    expect(got == want, "verdict", f"the evidence gives {want}, the certificate claims {got}")
    report.step("verdict")
    expect(claim["statement"] == prose.intrinsic_statement(claim, ctx.D, covered, ctx.arch),
           "statement",
           "the statement is not the one generated from the verified evidence")
    report.step("statement")


# ----------------------------------------------------------------------------- closed forms
def _linear_mats(ctx: Context, point: list) -> list[sympy.Matrix]:
    w = ctx.net.widths or []
    idx = {n: i for i, n in enumerate(ctx.names)}
    return [sympy.Matrix(w[k], w[k - 1], lambda i, j, k=k: point[idx[f"U{k}_{i + 1}_{j + 1}"]])
            for k in range(1, len(w))]


def _is_psd(m: sympy.Matrix) -> bool:
    if m != m.T:
        return False
    lam = sympy.Symbol("lam")
    coeffs = sympy.Poly(m.charpoly(lam).as_expr(), lam).all_coeffs()  # leading first
    return all(c == 0 or (c > 0) == (i % 2 == 0) for i, c in enumerate(coeffs))


def closed_form_checks(ctx: Context, kind: str, points: list[list]) -> tuple[list[bool], list]:
    """Recompute, with SymPy, the truth of every identity and pointwise check of a closed form
    (and the 1-based points where pointwise checks apply)."""
    if kind == "linear-family":  # checked at the points, from ∂φ(θ0): no symbolic M
        return _linear_family_checks(ctx, points)
    m = sympy.Matrix(ctx.d, ctx.d, lambda a, b: sympy.expand(
        sum(x * y for x, y in zip(ctx.grad_phi[a], ctx.grad_phi[b], strict=True))))
    if kind == "uv":
        u, v = ctx.syms
        c = sympy.Poly(ctx.phi[0], u, v).coeff_monomial(u * v)
        h, z = u**2 - v**2, ctx.phi[0]
        return [sympy.expand(m[0, 0] - c**2 * (u**2 + v**2)) == 0,
                sympy.expand(m[0, 0] ** 2 - c**4 * h**2 - 4 * c**2 * z**2) == 0], []
    if kind == "path-metric":
        ok = True
        for a in range(ctx.d):
            for b in range(a, ctx.d):
                shared = ctx.phi[a].free_symbols & ctx.phi[b].free_symbols
                rhs = sum(ctx.phi[a] * ctx.phi[b] / e**2 for e in shared)
                ok = ok and sympy.expand(m[a, b] - rhs) == 0
        return [ok], []
    if kind == "two-layer-relu":
        w, bias = ctx.net.widths or [], bool(ctx.net.biases)
        s = ctx.symdict
        block = {}
        blocks = []
        for i in range(1, w[1] + 1):
            ins = [s[f"W1_{i}_{j}"] for j in range(1, w[0] + 1)] + ([s[f"b1_{i}"]] if bias else [])
            outs = [s[f"W2_{k}_{i}"] for k in range(1, w[2] + 1)]
            coords = [a for a, p in enumerate(ctx.phi) if p.free_symbols & set(ins)]
            for a in coords:
                block[a] = i
            blocks.append((ins, outs, coords))
        off = all(m[a, b] == 0 for a in range(ctx.d) for b in range(ctx.d)
                  if block.get(a, -1 - a) != block.get(b, -1 - b))
        ok = True
        for ins, outs, coords in blocks:
            u2, v2 = sum(x**2 for x in outs), sum(x**2 for x in ins)
            hh, ss = v2 - u2, u2 + v2
            z2 = sum(ctx.phi[a] ** 2 for a in coords)
            ok = ok and sympy.expand(ss**2 - hh**2 - 4 * z2) == 0
            # coordinates as (out index, in index) from the variables of each monomial
            pos = {a: (next(i for i, x in enumerate(outs) if x in ctx.phi[a].free_symbols),
                       next(j for j, x in enumerate(ins) if x in ctx.phi[a].free_symbols))
                   for a in coords}
            at = {ab: a for a, ab in pos.items()}
            for p in coords:
                for q in coords:
                    (a, b), (a2, b2) = pos[p], pos[q]
                    zzt = sum(ctx.phi[at[(a, bb)]] * ctx.phi[at[(a2, bb)]]
                              for bb in range(len(ins))) if b == b2 else 0
                    ztz = sum(ctx.phi[at[(aa, b)]] * ctx.phi[at[(aa, b2)]]
                              for aa in range(len(outs))) if a == a2 else 0
                    ok = ok and sympy.expand(u2 * v2 * m[p, q] - u2 * zzt - v2 * ztz) == 0
        return [off, ok], []
    raise Failure("closed-forms", f"unknown closed form kind '{kind}'")


def _linear_family_checks(ctx: Context, points: list[list]) -> tuple[list[bool], list[int]]:
    w = ctx.net.widths or []
    out = []
    samples = []
    if len(w) == 3:
        us = _linear_mats(ctx, ctx.syms)
        u1, u2 = us
        z = u2 * u1
        h = u2.T * u2 - u1 * u1.T
        p, q = u2 * u2.T, u1.T * u1
        out.append((p * p - z * z.T - u2 * h * u2.T).expand().is_zero_matrix
                   and (q * q - z.T * z + u1.T * h * u1).expand().is_zero_matrix)
    for n, point in enumerate(points, 1):
        us = _linear_mats(ctx, point)
        hs = [us[k].T * us[k] - us[k - 1] * us[k - 1].T for k in range(1, len(us))]
        if any(h != h[0, 0] * sympy.eye(h.shape[0]) for h in hs):
            continue
        lams = [h[0, 0] for h in hs]
        if len(set(w)) != 1 and any(lams):
            continue
        samples.append(n)
        L = len(us)
        c = [sympy.Integer(0)]
        for lam in lams:
            c.append(c[-1] + lam)
        z = us[-1]
        for u in reversed(us[:-1]):
            z = z * u
        n_out, n_in = w[-1], w[0]
        s_out = us[-1] * us[-1].T - c[L - 1] * sympy.eye(n_out)
        s_in = us[0].T * us[0] - c[0] * sympy.eye(n_in)

        def prod(s, ks, n, c=c):
            r = sympy.eye(n)
            for k in ks:
                r = r * (s + c[k - 1] * sympy.eye(n))
            return r

        out.append(prod(s_out, range(1, L + 1), n_out) == z * z.T)
        out.append(prod(s_in, range(1, L + 1), n_in) == z.T * z)
        out.append(all(_is_psd(s_out + c[k - 1] * sympy.eye(n_out))
                       and _is_psd(s_in + c[k - 1] * sympy.eye(n_in)) for k in range(1, L + 1)))
        mm = sympy.Matrix(ctx.jacobian_at(point))
        mm = mm * mm.T
        kk = sympy.zeros(n_out * n_in, n_out * n_in)
        for j in range(1, L + 1):
            a, b = prod(s_out, range(j + 1, L + 1), n_out), prod(s_in, range(1, j), n_in)
            for i, al, i2, a2 in itertools.product(range(n_out), range(n_in), range(n_out),
                                                   range(n_in)):
                kk[i * n_in + al, i2 * n_in + a2] += a[i, i2] * b[a2, al]
        out.append(kk == mm)
        out.append(not any(lams) or all(u.shape[0] == u.shape[1] and u.rank() == u.shape[0]
                                        for u in us))
    return out, samples
