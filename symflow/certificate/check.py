"""Re-verify a symflow certificate from its JSON alone, with plain SymPy.

Nothing here uses python-flint or the engine that produced the certificate: φ is rebuilt from
the recorded architecture, brackets are rebuilt from their words, and every rank, identity and
witness is recomputed over QQ. Steps, in order (the first failure is reported by name):

format, lifting, point, laws, law-rank, brackets, bracket-rank, [lie-closure], claim (law count)
point, laws, jacobian-rank, law-rank, brackets, bracket-rank, [lie-closure], lie-exact,
sufficient, witness, inclusion, closed-forms, verdict                           (intrinsic)
hash                                                                                  (last)
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

from ..errors import SpecError
from ..exprparse import polynomial_expr
from ..points import sample_points
from .schema import FORMAT, FORMAT_VERSION, content_hash


class Unreadable(Exception):
    """The file is missing, not JSON, or not a certificate of a supported version."""


class Failure(Exception):
    """A verification step failed."""

    def __init__(self, step: str, message: str):
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


@dataclass
class Report:
    """The outcome of a check: the steps passed and the first one that failed, if any."""

    path: str
    passed: list[str] = field(default_factory=list)
    failed: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failed is None


# ----------------------------------------------------------------------------- small helpers
def rat(x: Any) -> sympy.Rational:
    if isinstance(x, bool) or not isinstance(x, (int, str)):
        raise Failure("format", f"{x!r} is not an exact number")
    try:
        return sympy.Rational(x)
    except (TypeError, ValueError):
        raise Failure("format", f"{x!r} is not an exact number") from None


def rank(rows: list[list]) -> int:
    """Exact rank over QQ."""
    if not rows or not rows[0]:
        return 0
    dm = DomainMatrix([[QQ(int(sympy.Rational(x).p), int(sympy.Rational(x).q)) for x in r]
                       for r in rows], (len(rows), len(rows[0])), QQ)
    return dm.rank()


def nullspace(rows: list[list], ncols: int) -> list[list]:
    if not rows:
        return [[int(i == j) for i in range(ncols)] for j in range(ncols)]
    return [list(v) for v in sympy.Matrix(rows).nullspace()]


def expect(cond: bool, step: str, message: str) -> None:
    if not cond:
        raise Failure(step, message)


class Context:
    """The lifting rebuilt from a certificate: symbols, φ, ∇φ, and evaluation helpers."""

    def __init__(self, cert: dict):
        names = cert["parameters"]
        self.names = names
        self.syms = [sympy.Symbol(n) for n in names]
        self.symdict = dict(zip(names, self.syms, strict=True))
        self.D = len(names)
        self.phi = [self.parse(e, f"phi[{i + 1}]") for i, e in enumerate(cert["phi"])]
        self.d = len(self.phi)
        self.grad_phi = [self.gradient(p) for p in self.phi]
        self._fields: dict[str, list] = {}

    def parse(self, text: str, what: str) -> sympy.Expr:
        try:
            return polynomial_expr(str(text), self.symdict)
        except SpecError as exc:
            raise Failure("format", f"{what} = '{text}': {exc}") from None

    def gradient(self, e: sympy.Expr) -> list:
        return [sympy.diff(e, s) for s in self.syms]

    def subs(self, point: list) -> dict:
        return dict(zip(self.syms, point, strict=True))

    def at(self, exprs: list, point: list) -> list:
        s = self.subs(point)
        return [sympy.Rational(e.xreplace(s)) if e != 0 else sympy.Integer(0) for e in exprs]

    def field(self, word: str) -> list:
        """The vector field of a bracket word: g_i = ∇φ_i, [X, Y] = ∂Y·X − ∂X·Y."""
        if word in self._fields:
            return self._fields[word]
        m = re.fullmatch(r"g(\d+)", word)
        if m:
            i = int(m.group(1))
            expect(1 <= i <= self.d, "brackets", f"word {word} names no coordinate of φ")
            out = self.grad_phi[i - 1]
        else:
            expect(word.startswith("[") and word.endswith("]"), "brackets",
                   f"cannot read bracket word {word}")
            head, inner = _split(word[1:-1])
            x, y = self.field(head), self.field(inner)
            out = [sympy.expand(sum(x[k] * sympy.diff(y[j], self.syms[k]) - y[k] *
                                    sympy.diff(x[j], self.syms[k]) for k in range(self.D)
                                    if x[k] != 0 or y[k] != 0)) for j in range(self.D)]
        self._fields[word] = out
        return out

    def at_all(self, fields: list[list], point: list) -> list[list]:
        return [self.at(f, point) for f in fields]

    def jacobian_at(self, point: list) -> list[list]:
        s = self.subs(point)
        return [[g.xreplace(s) for g in row] for row in self.grad_phi]

    def metric_derivative_at(self, point: list, v: list) -> sympy.Matrix:
        """∂M(θ0)[v] = J'[v]Jᵀ + J J'[v]ᵀ."""
        s = self.subs(point)
        j = sympy.Matrix(self.jacobian_at(point))
        jp = sympy.Matrix([[sum(sympy.diff(g, self.syms[k]).xreplace(s) * v[k]
                                for k in range(self.D) if v[k] != 0) for g in row]
                           for row in self.grad_phi])
        return jp * j.T + j * jp.T


def _split(text: str) -> tuple[str, str]:
    """Split 'a,b' at the top-level comma of a bracket word."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            return text[:i], text[i + 1:]
    raise Failure("brackets", f"cannot read bracket word [{text}]")


# ----------------------------------------------------------------------------- rebuilding φ
def rebuild_phi(arch: dict, names: list[str]) -> list[sympy.Expr] | None:
    """φ rebuilt from the architecture, independently of symflow's lifting code."""
    s = {n: sympy.Symbol(n) for n in names}
    kind = arch.get("kind")
    if kind == "linear":
        w = arch["widths"]
        mats = [sympy.Matrix(w[k], w[k - 1], lambda i, j, k=k: s[f"U{k}_{i + 1}_{j + 1}"])
                for k in range(1, len(w))]
        z = mats[0]
        for m in mats[1:]:
            z = m * z
        return [sympy.expand(x) for x in z]
    if kind == "layered-relu":
        w, bias = arch["widths"], arch["bias"]
        out = []
        L = len(w) - 1
        # a path starts at input j (layer 0) or at the bias of neuron i of layer l ≥ 1
        for start in range(L if bias else 1):
            for idx in itertools.product(*[range(1, n + 1) for n in w[start:]]):
                mono = sympy.Integer(1) if start == 0 else s[f"b{start}_{idx[0]}"]
                for layer in range(start + 1, L + 1):
                    i, j = idx[layer - start], idx[layer - start - 1]
                    mono *= s[f"W{layer}_{i}_{j}"]
                out.append(mono)
        if bias:
            out.extend(s[f"b{L}_{i}"] for i in range(1, w[L] + 1))
        return out
    if kind == "dag":
        succ: dict[str, list[tuple[str, str]]] = {}
        for u, v, p in arch["edges"]:
            succ.setdefault(u, []).append((v, p))
        outputs = set(arch["outputs"])

        def walk(v: str, acc: sympy.Expr) -> list[sympy.Expr]:
            res = [acc] if v in outputs else []
            for w_, p in succ.get(v, []):
                res += walk(w_, acc * s[p])
            return res

        out = []
        for v in arch["inputs"]:
            out += walk(v, sympy.Integer(1))
        for v, b in arch["biases"]:
            out += walk(v, s[b])
        return out
    return None


# ----------------------------------------------------------------------------- the claims
def _check_laws_identities(ctx: Context, exprs: list[str]) -> list[sympy.Expr]:
    laws = []
    for i, text in enumerate(exprs, 1):
        h = ctx.parse(text, f"law h{i}")
        gh = ctx.gradient(h)
        for a, gp in enumerate(ctx.grad_phi, 1):
            pairing = sympy.expand(sum(x * y for x, y in zip(gh, gp, strict=True)
                                       if x != 0 and y != 0))
            expect(pairing == 0, "laws", f"h{i} = {text} is not conserved: ⟨∇h, ∇φ{a}⟩ ≠ 0")
        laws.append(h)
    return laws


def _check_brackets(ctx: Context, brackets: list[dict], point: list, claimed_rank: int,
                    where: str) -> list[list]:
    values = []
    for b in brackets:
        word, recorded = b["word"], [rat(x) for x in b["value"]]
        expect(len(recorded) == ctx.D, "brackets", f"{word}: value has the wrong length")
        actual = ctx.at(ctx.field(word), point)
        # recorded values are positive multiples (integer scaling) of the actual ones
        nz = next((k for k in range(ctx.D) if actual[k] != 0), None)
        ok = nz is not None and recorded[nz] != 0
        if ok:
            c = recorded[nz] / actual[nz]
            ok = c > 0 and all(recorded[k] == c * actual[k] for k in range(ctx.D))
        expect(ok, "brackets", f"{word}{where}: recorded value is not the bracket's value at θ0")
        values.append(recorded)
    r = rank(values)
    expect(r == claimed_rank == len(brackets), "bracket-rank",
           f"{len(brackets)} bracket values{where} have rank {r}, claimed {claimed_rank}")
    return values


def _check_closure(ctx: Context, closure: dict, point: list, claimed_rank: int,
                   where: str) -> None:
    """Verify that span K is a Lie algebra containing every g_j (then Lie(W_φ) = span K by
    Jacobi), from the recorded exact relations, and that K has the claimed rank at θ0."""
    basis, rel = closure["basis"], closure["relations"]
    kf = [ctx.field(w) for w in basis]

    def holds(word: str) -> None:
        if word in basis:
            return
        expect(word in rel, "lie-closure", f"{word}{where} is neither in the basis nor related")
        coeffs = [rat(c) for c in rel[word]]
        expect(not coeffs or len(coeffs) == len(basis), "lie-closure",
               f"{word}{where}: wrong number of coefficients")
        f = ctx.field(word)
        for j in range(ctx.D):
            comb = sum((c * kf[k][j] for k, c in enumerate(coeffs) if c != 0), sympy.Integer(0))
            expect(sympy.expand(f[j] - comb) == 0, "lie-closure",
                   f"{word}{where} is not the recorded combination of the basis")

    for j in range(1, ctx.d + 1):
        holds(f"g{j}")
    gens = [w for w in basis if re.fullmatch(r"g\d+", w)]
    for g in gens:
        for b in basis:
            m = re.fullmatch(r"g(\d+)", b)
            if m and g == b:
                continue  # [X, X] = 0
            if m and int(g[1:]) > int(m.group(1)):
                holds(f"[{b},{g}]")  # [g_i, g_j] = −[g_j, g_i]
                continue
            holds(f"[{g},{b}]")
    r = rank(ctx.at_all(kf, point))
    expect(r == claimed_rank, "lie-closure",
           f"the closed Lie algebra has rank {r} at θ0{where}, claimed {claimed_rank}")


def check_law_claim(ctx: Context, claim: dict, report: Report) -> None:
    point = [rat(x) for x in claim["point"]["theta0"]]
    expect(len(point) == ctx.D, "point", f"θ0 has {len(point)} entries, D = {ctx.D}")
    seed = claim["point"].get("seed")
    if seed is not None:
        expect(point == sample_points(seed, ctx.D, 1)[0], "point",
               f"θ0 is not the point generated from seed {seed}")
    report.passed.append("point")
    laws = _check_laws_identities(ctx, [law["expression"] for law in claim["laws"]])
    report.passed.append("laws")
    grads = [ctx.at(ctx.gradient(h), point) for h in laws]
    n = rank(grads)
    expect(n == claim["law_rank_at_theta0"] == len(laws), "law-rank",
           f"the gradients of the {len(laws)} laws have rank {n} at θ0, claimed "
           f"{claim['law_rank_at_theta0']}")
    report.passed.append("law-rank")
    _check_brackets(ctx, claim["brackets"], point, claim["bracket_rank_at_theta0"], "")
    report.passed += ["brackets", "bracket-rank"]
    if claim.get("lie_closure"):
        _check_closure(ctx, claim["lie_closure"], point, claim["bracket_rank_at_theta0"], "")
        report.passed.append("lie-closure")
    r = claim["bracket_rank_at_theta0"]
    count = claim["count"]
    exact = n == ctx.D - r
    expect(count["lower"] == n and count["upper"] == ctx.D - r and count["exact"] == exact
           and count["value"] == (n if exact else None)
           and claim["proof"] == ("generic (bounds meet)" if exact else "bounds"),
           "claim", f"the evidence gives {n} ≤ #laws ≤ {ctx.D - r}, which the claim misstates")
    report.passed.append("claim")


def check_intrinsic_claim(ctx: Context, cert: dict, claim: dict, report: Report) -> None:
    laws = _check_laws_identities(ctx, claim["laws"])
    verdicts = []
    for n, p in enumerate(claim["points"], 1):
        where = f" (point {n})"
        point = [rat(x) for x in p["theta0"]]
        expect(len(point) == ctx.D, "point", f"θ0{where} has {len(point)} entries")
        if "seed" in p:
            expect(point == sample_points(p["seed"], ctx.D, 1)[0], "point",
                   f"θ0{where} is not the point generated from seed {p['seed']}")
        if "family" in p:
            _check_family_point(cert, p, point, where)
        jac = ctx.jacobian_at(point)
        rj = rank(jac)
        expect(rj == p["rank_dphi"], "jacobian-rank",
               f"rank ∂φ(θ0){where} is {rj}, claimed {p['rank_dphi']}")
        grads = [ctx.at(ctx.gradient(h), point) for h in laws]
        rh = rank(grads)
        expect(rh == p["rank_dh"], "law-rank", f"rank ∂h(θ0){where} is {rh}, claimed "
               f"{p['rank_dh']}")
        values = _check_brackets(ctx, p["brackets"], point, p["bracket_rank"], where)
        closed = bool(p.get("lie_closure"))
        if closed:
            _check_closure(ctx, p["lie_closure"], point, p["bracket_rank"], where)
        lie_exact = p["bracket_rank"] in (ctx.D - rh, ctx.D) or closed
        expect(p["lie_exact"] == lie_exact, "lie-exact",
               f"Lie(W_φ)(θ0){where} is exact iff bracket rank = D − rank ∂h(θ0) (or D), or "
               "the brackets are certified to close")
        sufficient = rank(jac + grads) == ctx.D
        expect(p["sufficient_condition"] == sufficient, "sufficient",
               f"rank [∂φ; ∂h](θ0){where} {'=' if sufficient else '<'} D, claimed otherwise")
        w = p.get("witness")
        if w is not None:
            v = [rat(x) for x in w]
            expect(all(sum(r[k] * v[k] for k in range(ctx.D)) == 0 for r in jac), "witness",
                   f"∂φ(θ0)v ≠ 0{where}")
            expect(rank(values + [v]) == len(values), "witness",
                   f"v is not in the span of the brackets at θ0{where}")
            expect(not ctx.metric_derivative_at(point, v).is_zero_matrix, "witness",
                   f"∂M(θ0)[v] = 0{where}: v does not break the inclusion")
            verdict = "fails"
        else:
            if sufficient:
                verdict = "holds"
            elif lie_exact:
                # ker ∂φ ∩ span(B): coefficients c with J Bᵀ c = 0
                bt = sympy.Matrix(values).T
                jb = sympy.Matrix(jac) * bt
                for c in jb.nullspace():
                    vv = list(bt * c)
                    expect(ctx.metric_derivative_at(point, vv).is_zero_matrix, "inclusion",
                           f"ker ∂φ ∩ Lie(W_φ) ⊄ ker ∂M at θ0{where}, but no witness is given")
                verdict = "criterion holds"
            else:
                verdict = "undecided"
        expect(p["verdict"] == verdict, "verdict",
               f"the evidence at point {n} gives '{verdict}', claimed '{p['verdict']}'")
        verdicts.append(verdict)
    report.passed += ["point", "laws", "jacobian-rank", "law-rank", "brackets", "bracket-rank",
                      "lie-exact", "sufficient", "witness", "inclusion"]
    forms_ok = []
    for cf in claim["closed_forms"]:
        recomputed = closed_form_checks(ctx, cert, cf, claim["points"])
        recorded = [x["verified"] for x in cf["identities"]] + [x["verified"] for x in
                                                                 cf["pointwise"]]
        expect(recomputed == recorded, "closed-forms",
               f"{cf['name']}: recomputed checks {recomputed} differ from the recorded "
               f"{recorded}")
        forms_ok.append(all(recomputed))
    report.passed.append("closed-forms")
    vs = set(verdicts)
    if "fails" in vs:
        overall = "fails"
    elif vs == {"holds"}:
        overall = "holds"
    elif "undecided" in vs:
        overall = "undecided"
    elif forms_ok and all(forms_ok):
        overall = "holds"
    else:
        overall = "criterion holds"
    expect(claim["verdict"] == overall, "verdict",
           f"the evidence gives '{overall}', the certificate claims '{claim['verdict']}'")
    report.passed.append("verdict")


def _linear_mats(cert: dict, point: list) -> list[sympy.Matrix]:
    w = cert["architecture"]["widths"]
    idx = {n: i for i, n in enumerate(cert["parameters"])}
    return [sympy.Matrix(w[k], w[k - 1], lambda i, j, k=k: point[idx[f"U{k}_{i + 1}_{j + 1}"]])
            for k in range(1, len(w))]


def _check_family_point(cert: dict, p: dict, point: list, where: str) -> None:
    expect(cert["architecture"].get("kind") == "linear", "point",
           "family points need a linear architecture")
    us = _linear_mats(cert, point)
    lams = [rat(x) for x in p["lambdas"]]
    for k in range(1, len(us)):
        h = us[k].T * us[k] - us[k - 1] * us[k - 1].T
        expect(h == lams[k - 1] * sympy.eye(h.shape[0]), "point",
               f"θ0{where} is not on the {p['family']} family: U{k + 1}ᵀU{k + 1} − U{k}U{k}ᵀ ≠ "
               f"{lams[k - 1]}·I")
        if p["family"] == "balanced":
            expect(lams[k - 1] == 0, "point", f"θ0{where}: balanced needs λ = 0")


def _is_psd(m: sympy.Matrix) -> bool:
    if m != m.T:
        return False
    lam = sympy.Symbol("lam")
    coeffs = sympy.Poly(m.charpoly(lam).as_expr(), lam).all_coeffs()  # leading first
    return all(c == 0 or (c > 0) == (i % 2 == 0) for i, c in enumerate(coeffs))


def closed_form_checks(ctx: Context, cert: dict, cf: dict, points: list[dict]) -> list[bool]:
    """Recompute, with SymPy, the truth of every identity and pointwise check of a closed form."""
    kind = cf["kind"]
    m = sympy.Matrix(ctx.d, ctx.d, lambda a, b: sympy.expand(
        sum(x * y for x, y in zip(ctx.grad_phi[a], ctx.grad_phi[b], strict=True))))
    if kind == "uv":
        u, v = ctx.syms
        c = sympy.Poly(ctx.phi[0], u, v).coeff_monomial(u * v)
        h, z = u**2 - v**2, ctx.phi[0]
        return [sympy.expand(m[0, 0] - c**2 * (u**2 + v**2)) == 0,
                sympy.expand(m[0, 0] ** 2 - c**4 * h**2 - 4 * c**2 * z**2) == 0]
    if kind == "path-metric":
        ok = True
        for a in range(ctx.d):
            for b in range(a, ctx.d):
                shared = ctx.phi[a].free_symbols & ctx.phi[b].free_symbols
                rhs = sum(ctx.phi[a] * ctx.phi[b] / e**2 for e in shared)
                ok = ok and sympy.expand(m[a, b] - rhs) == 0
        return [ok]
    if kind == "two-layer-relu":
        arch = cert["architecture"]
        w, bias = arch["widths"], arch["bias"]
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
        return [off, ok]
    if kind == "linear-family":
        return _linear_family_checks(ctx, cert, points)
    raise Failure("closed-forms", f"unknown closed form kind '{kind}'")


def _linear_family_checks(ctx: Context, cert: dict, points: list[dict]) -> list[bool]:
    w = cert["architecture"]["widths"]
    out = []
    if len(w) == 3:
        us = _linear_mats(cert, ctx.syms)
        u1, u2 = us
        z = u2 * u1
        h = u2.T * u2 - u1 * u1.T
        p, q = u2 * u2.T, u1.T * u1
        out.append((p * p - z * z.T - u2 * h * u2.T).expand().is_zero_matrix
                   and (q * q - z.T * z + u1.T * h * u1).expand().is_zero_matrix)
    for p_ in points:
        point = [rat(x) for x in p_["theta0"]]
        us = _linear_mats(cert, point)
        hs = [us[k].T * us[k] - us[k - 1] * us[k - 1].T for k in range(1, len(us))]
        if any(h != h[0, 0] * sympy.eye(h.shape[0]) for h in hs):
            continue
        lams = [h[0, 0] for h in hs]
        if len(set(w)) != 1 and any(lams):
            continue
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
    return out


# ----------------------------------------------------------------------------- entry points
def load(path: Path) -> dict:
    """Read a certificate file; Unreadable if missing, not JSON or of an unknown format."""
    if not path.is_file():
        raise Unreadable(f"no such file: {path}")
    try:
        cert = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise Unreadable(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(cert, dict) or cert.get("format") != FORMAT:
        raise Unreadable(f"{path} is not a symflow certificate (no 'format': '{FORMAT}')")
    if cert.get("format_version") != FORMAT_VERSION:
        raise Unreadable(f"{path}: unsupported format_version {cert.get('format_version')!r} "
                         f"(this checker reads version {FORMAT_VERSION})")
    return cert


def check_certificate(cert: dict, path: str = "<certificate>") -> Report:
    """Run every step; stop at the first failure and name it."""
    report = Report(path)
    try:
        for key in ("parameters", "phi", "claims", "architecture", "content_hash"):
            expect(key in cert, "format", f"missing field '{key}'")
        ctx = Context(cert)
        report.passed.append("format")
        rebuilt = rebuild_phi(cert["architecture"], ctx.names)
        if rebuilt is not None:
            key = sorted(str(sympy.expand(e)) for e in rebuilt)
            expect(key == sorted(str(sympy.expand(e)) for e in ctx.phi), "lifting",
                   "the recorded φ is not the lifting of the recorded architecture")
        report.passed.append("lifting")
        for claim in cert["claims"]:
            kind = claim.get("type")
            if kind == "conservation-law-count":
                check_law_claim(ctx, claim, report)
            elif kind == "intrinsic-property":
                check_intrinsic_claim(ctx, cert, claim, report)
            else:
                raise Failure("format", f"unknown claim type {kind!r}")
        expect(cert["content_hash"] == content_hash(cert), "hash",
               "the content hash does not match (the certificate was altered)")
        report.passed.append("hash")
    except Failure as f:
        report.failed = f
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        report.failed = Failure("format", f"malformed certificate ({type(exc).__name__}: {exc})")
    return report


def check_path(path: Path) -> Report:
    return check_certificate(load(path), str(path))
