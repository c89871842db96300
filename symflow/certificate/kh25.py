"""Certificates for [KH25] on an instance: a KKT set of the neural correlation function, an
exact saddle of the loss, and a zero-preserving set — written, checked and typeset.

A KH25 certificate (format ``symflow-kh25-certificate``) holds the architecture, the data
(exact rationals) and three claims:

* ``kkt-set``: how many KKT points of max N on ‖w‖ = 1 have μ ≠ 0 (a finite number, or that
  a continuum exists), and the positive second-order ones, each an exact point of Q(β)^D;
* ``saddle``: an exact point θ* with ∇L(θ*) = 0, its loss, and a witness that it is a saddle
  (a direction of negative curvature, or of descent at order p + 1 through a silent neuron);
* ``zero-pattern``: the parameters of the neurons that are zero in the first KKT point, and
  whether {θ_S = 0} is invariant under the network's own flow.

Exact numbers are points of Q(β)^n: β is given by an irreducible integer polynomial in T and a
rational interval holding exactly one of its real roots; a coordinate is a polynomial in T of
lower degree; all are canonical texts (symflow.polytext). The checker verifies every listed
point by substitution (KKT equations, the sphere, the closed region, N > 0, the second order;
∇L = 0 in every coordinate, the loss, the witness), with exact arithmetic in Q(β); the count
of KKT points and the zero-pattern verdict are recomputed (symflow.correlation, symflow.homogeneous:
the same exact code that produced them). Numerical paths are evidence shown in the document,
never claims: the checker only checks that they are numbers.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

import sympy

from ..algebraic import AlgebraicPoint, RealAlgebraic, T
from ..polytext import format_number, format_poly
from .schema import KH25_FORMAT, KH25_FORMAT_VERSION

FORMAT, FORMAT_VERSION = KH25_FORMAT, KH25_FORMAT_VERSION
MAX_DATA = 64
_RATIONAL = re.compile(r"-?(0|[1-9][0-9]{0,60})(/[1-9][0-9]{0,60})?", re.ASCII)
_TPOLY = re.compile(r"-?([0-9/]+\*)?T(\^[0-9]+)?( [+-] ([0-9/]+\*)?T(\^[0-9]+)?)*"
                    r"( [+-] [0-9/]+)?|-?[0-9/]+", re.ASCII)


# ----------------------------------------------------------------------------- exact numbers
def poly_text(q: sympy.Poly) -> str:
    """The canonical text of a polynomial in T."""
    terms = []
    for (e,), c in q.terms():
        c = sympy.Rational(c)
        terms.append(({0: e} if e else {}, Fraction(int(c.p), int(c.q))))
    return format_poly(terms, ["T"])


def field_of(p: AlgebraicPoint) -> dict:
    """β as {polynomial, interval}: the primitive integer polynomial with positive leading
    coefficient, and an isolating interval [a, b] (a = b for a rational root)."""
    import math

    f = p.beta.f
    _, prim = f.primitive()
    if prim.LC() < 0:
        prim = -prim
    a, b = p.beta.a, p.beta.b
    if a != b:  # a short isolating interval: dyadic ends, outward, still one root inside
        for bits in (16, 32, 64, 128, 160):
            lo = Fraction(math.floor(a * 2 ** bits), 2 ** bits)
            hi = Fraction(math.ceil(b * 2 ** bits), 2 ** bits)
            rl, rh = (sympy.Rational(x.numerator, x.denominator) for x in (lo, hi))
            if f.eval(rl) != 0 and f.eval(rh) != 0 and f.count_roots(rl, rh) == 1:
                a, b = lo, hi
                break
    return {"polynomial": poly_text(prim), "interval": [format_number(a), format_number(b)]}


def _parse_rational(x: Any, where: str) -> Fraction:
    from .check import Failure

    if isinstance(x, int) and not isinstance(x, bool):
        return Fraction(x)
    if not isinstance(x, str) or _RATIONAL.fullmatch(x) is None:
        raise Failure("format", f"{where} must be an integer or a 'p/q' string")
    q = Fraction(x)
    if format_number(q) != x:
        raise Failure("format", f"{where} is not written in lowest terms")
    return q


def _parse_tpoly(text: Any, where: str, step: str) -> sympy.Poly:
    from .check import Failure, shown

    if not isinstance(text, str) or len(text) > 20_000 or _TPOLY.fullmatch(text) is None:
        raise Failure(step, f"{where} = {shown(text)} is not a polynomial in T")
    expr = sympy.sympify(text.replace("^", "**"), locals={"T": T}, rational=True)
    q = sympy.Poly(expr, T)
    if poly_text(q) != text:
        raise Failure(step, f"{where} = {shown(text)} is not in canonical form")
    return q


def read_point(entry: dict, names: list, coords_key: str, step: str) -> AlgebraicPoint:
    """An exact point from the file: β's polynomial irreducible with a positive leading
    coefficient and primitive, its interval holding exactly one real root, coordinates of
    lower degree."""
    from .check import Failure, expect

    fld = entry.get("field")
    expect(isinstance(fld, dict) and set(fld) == {"polynomial", "interval"}, step,
           "a point's field must be {polynomial, interval}")
    f = _parse_tpoly(fld["polynomial"], "the field polynomial", step)
    expect(1 <= f.degree() <= 64, step, "the field polynomial has degree 1 to 64")
    content, prim = f.primitive()
    expect(content == 1 and f.LC() > 0 and all(sympy.Rational(c).q == 1
                                               for c in f.all_coeffs()), step,
           "the field polynomial must be primitive, integer, with a positive leading "
           "coefficient")
    factors = sympy.factor_list(f.as_expr(), T)[1]
    expect(len(factors) == 1 and factors[0][1] == 1, step,
           "the field polynomial is not irreducible over Q")
    iv = fld["interval"]
    expect(isinstance(iv, list) and len(iv) == 2, step, "the interval is [a, b]")
    a, b = (_parse_rational(x, "an interval end") for x in iv)
    expect(a <= b, step, "the interval has a ≤ b")
    if a == b:
        expect(f.eval(sympy.Rational(a.numerator, a.denominator)) == 0, step,
               "the interval [a, a] does not hold a root")
    else:
        ra, rb = sympy.Rational(a.numerator, a.denominator), sympy.Rational(b.numerator,
                                                                            b.denominator)
        expect(f.eval(ra) != 0 and f.eval(rb) != 0
               and f.count_roots(ra, rb) == 1, step,
               "the interval does not isolate exactly one real root")
    index = 0 if a == b else f.count_roots(None, sympy.Rational(a.numerator, a.denominator))
    beta = RealAlgebraic(f, a, b, index)  # β = the index-th real root (increasing)
    texts = entry.get(coords_key)
    expect(isinstance(texts, list) and len(texts) == len(names), step,
           f"{coords_key} must list {len(names)} coordinates")
    coords = []
    for i, t in enumerate(texts):
        q = _parse_tpoly(t, f"{coords_key}[{i + 1}]", step)
        expect(q.degree() < f.degree() or q.is_zero, step,
               f"{coords_key}[{i + 1}] has degree ≥ that of the field polynomial")
        coords.append(q)
    if not isinstance(texts, list):  # pragma: no cover - expect raised
        raise Failure(step, "no coordinates")
    return AlgebraicPoint(beta, coords, list(names))


def write_point(p: AlgebraicPoint, names: list, key: str) -> dict:
    """{field, key: coordinates} of a point whose variables include ``names``."""
    index = {str(s): k for k, s in enumerate(p.names)}
    f = p.beta.f
    coords = []
    for n in names:
        q = p.coords[index[str(n)]]
        if f.degree() == 1:
            q = sympy.Poly(q.as_expr(), T)
        coords.append(poly_text(q))
    return {"field": field_of(p), key: coords}


def number_tex(p: AlgebraicPoint, expr: sympy.Expr) -> str:
    """An exact number in LaTeX from the verified point: a rational or radical (field degree ≤
    2), else ≈ v with its minimal polynomial."""
    from ..algebraic import display

    text = display(p, expr)
    m = re.fullmatch(r"(\S+) \(root of (.+)\)", text)
    if m:
        X = sympy.Symbol("X")
        mp = sympy.sympify(m[2], locals={"X": X})
        return (rf"\approx {float(m[1]):.8g}\ (\text{{the root of }} "
                rf"{sympy.latex(mp)} = 0)")
    return sympy.latex(sympy.sympify(text))


# ----------------------------------------------------------------------------- the statements
def kkt_statement(c: dict) -> str:
    """The KKT claim's sentence, generated from its checked fields."""
    n = len(c["points"])
    if c["count_nonzero_mu"] is None:
        return ("the KKT points of max N(w) on ‖w‖ = 1 with μ ≠ 0 include a continuum (not "
                f"enumerated); {n} isolated one{'s' if n != 1 else ''} listed exactly "
                f"{'are' if n != 1 else 'is'} positive (N > 0) and second-order "
                "(vᵀ(∇²N − μI)v ≤ 0 for every v ⊥ w), which says nothing of the continuum")
    else:
        head = (f"N(w) has exactly {c['count_nonzero_mu']} KKT points on ‖w‖ = 1 with μ ≠ 0 "
                "(∇N(w) = μw, ‖w‖ = 1)")
    return (f"{head}; {n} of them {'is' if n == 1 else 'are'} positive (N > 0) and "
            "second-order (vᵀ(∇²N − μI)v ≤ 0 for every v ⊥ w), listed exactly")


def saddle_statement(c: dict) -> str:
    how = {"negative-curvature": "a direction of negative curvature of ∇²L",
           "descent": f"a descent direction of order p + 1 through the silent neuron "
                      f"{c['witness']['neuron']}"}[c["witness"]["kind"]]
    return ("θ* is a stationary point of the square loss L(θ) = ½Σ_i‖H(x_i; θ) − y_i‖² "
            f"(∇L(θ*) = 0 in every coordinate), and a saddle: {how} makes L decrease")


def zeros_statement(c: dict) -> str:
    state = "invariant" if c["invariant"] else "not invariant"
    return (f"{{θ_S = 0}} for the {len(c['zeros'])} parameters of the neurons that are zero in "
            f"w*_1 is {state} under the network's gradient flow (σ′(0) = 0)")


# ----------------------------------------------------------------------------- writing
def build(lifting, xs: list, ys: list, result) -> dict:  # noqa: ANN001 - Lifting, EscapeResult
    """The certificate of an escape analysis (symflow.smallinit.EscapeResult)."""
    from .model import architecture_of
    from .schema import content_hash

    res = result.ncf
    good = [k for k in res.points if k.positive and k.second_order == "holds"
            and k.point is not None]
    w = lifting.ring.symbols()
    mu = sympy.Symbol("mu", real=True)
    esc = result.escapes[0] if result.escapes else None
    if esc is not None and esc.kkt in good:  # the escape's point first: the zero pattern's w*_1
        good = [esc.kkt] + [k for k in good if k is not esc.kkt]
    points = []
    for k in good:
        entry = write_point(k.point, list(w) + [mu], "coordinates")
        entry["support"] = list(k.support)
        points.append(entry)
    kkt = {"type": "kkt-set", "count_nonzero_mu": None if res.continua else
           sum(1 for k in res.points), "points": points}
    kkt["statement"] = kkt_statement(kkt)
    claims = [kkt]
    if esc is not None and esc.saddle is not None and esc.saddle.stationary \
            and esc.saddle.kind != "not decided" and esc.saddle.exact is not None:
        s = esc.saddle
        entry = write_point(s.exact, list(w), "theta")
        kind = "negative-curvature" if "curvature" in s.kind else "descent"
        saddle = {"type": "saddle", **entry,
                  "on": [[v, i + 1] for (v, i), b in sorted(s.pattern.items(), key=str) if b],
                  "loss": poly_text(s.exact.reduce(s.loss_expr)),
                  "witness": {"kind": kind, "direction": [int(x) for x in s.direction],
                              "neuron": s.witness_neuron if kind == "descent" else None}}
        saddle["statement"] = saddle_statement(saddle)
        claims.append(saddle)
    if esc is not None and esc.zeros:
        z = {"type": "zero-pattern", "zeros": list(esc.zeros),
             "invariant": bool(esc.zeros_invariant)}
        z["statement"] = zeros_statement(z)
        claims.append(z)
    evidence: dict = {}
    if esc is not None:
        evidence = {"deltas": [p.delta for p in esc.paths],
                    "escape_times": [_round(p.tau) for p in esc.paths],
                    "gaps": [_round(g) for g in esc.gaps], "plateau": _round(esc.plateau)}
    cert = {"format": FORMAT, "format_version": FORMAT_VERSION, "name": lifting.name,
            "architecture": architecture_of(lifting), "parameters": list(lifting.params),
            "data": {"x": [[_num(v) for v in row] for row in xs],
                     "y": [[_num(v) for v in row] for row in ys]},
            "claims": claims, "evidence": evidence}
    import platform

    from .._version import __version__

    cert["generated_with"] = {"symflow": __version__, "sympy": sympy.__version__,
                              "python": platform.python_version()}
    cert["content_hash"] = content_hash(cert)
    return cert


def _round(x: float | None) -> float | None:
    """Numerical evidence to 3 significant digits (stable across platforms and versions)."""
    return None if x is None else float(f"{float(x):.3g}")


def _num(v: Any) -> int | str:
    q = sympy.Rational(v)
    return int(q.p) if q.q == 1 else f"{q.p}/{q.q}"


# ----------------------------------------------------------------------------- checking
CLAIMS = ("kkt-set", "saddle", "zero-pattern")
_RECOMPUTED: dict = {}  # the NCF of (architecture, data), within one process


def _shape(cert: dict) -> None:
    from .check import Shape, expect, shown

    S = Shape
    S.obj(cert, "the certificate", {"format", "format_version", "name", "architecture",
                                    "parameters", "data", "claims", "evidence",
                                    "content_hash"}, frozenset({"generated_with"}))
    S.text(cert["name"], "name", 200)
    S.text(cert["content_hash"], "content_hash", 100)
    if "generated_with" in cert:
        from .check import check_tools

        check_tools(cert["generated_with"])
    data = S.obj(cert["data"], "data", {"x", "y"})
    for key in ("x", "y"):
        rows = S.lst(data[key], f"data.{key}", nonempty=True, most=MAX_DATA)
        for row in rows:
            for v in S.lst(row, f"a row of data.{key}", nonempty=True, most=64):
                _parse_rational(v, f"an entry of data.{key}")
    claims = S.lst(cert["claims"], "claims", nonempty=True, most=3)
    types = []
    for k, c in enumerate(claims, 1):
        expect(isinstance(c, dict) and c.get("type") in CLAIMS, "format",
               f"claim {k} has unknown type {shown(c.get('type') if isinstance(c, dict) else c)}")
        types.append(c["type"])
        if c["type"] == "kkt-set":
            S.obj(c, f"claim {k}", {"type", "count_nonzero_mu", "points", "statement"})
            if c["count_nonzero_mu"] is not None:
                S.int_(c["count_nonzero_mu"], "count_nonzero_mu")
            for pt in S.lst(c["points"], "points", most=64):
                S.obj(pt, "a KKT point", {"field", "coordinates", "support"})
                for v in S.lst(pt["support"], "support", most=64):
                    S.text(v, "a neuron", 100)
        elif c["type"] == "saddle":
            S.obj(c, f"claim {k}", {"type", "field", "theta", "on", "loss", "witness",
                                    "statement"})
            for pair in S.lst(c["on"], "on", most=64 * 64):
                expect(isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)
                       and isinstance(pair[1], int) and not isinstance(pair[1], bool),
                       "format", "an entry of 'on' is [neuron, data index]")
            wit = S.obj(c["witness"], "witness", {"kind", "direction", "neuron"})
            expect(wit["kind"] in ("negative-curvature", "descent"), "format",
                   f"unknown witness kind {shown(wit['kind'])}")
            for x in S.lst(wit["direction"], "direction", nonempty=True):
                S.int_(x, "a direction entry", -1)
            if wit["neuron"] is not None:
                S.text(wit["neuron"], "witness.neuron", 100)
        else:
            S.obj(c, f"claim {k}", {"type", "zeros", "invariant", "statement"})
            for z in S.lst(c["zeros"], "zeros", nonempty=True, most=2000):
                S.text(z, "a parameter", 100)
            S.bool_(c["invariant"], "invariant")
        S.text(c["statement"], "statement", 2000)
    expect(types[0] == "kkt-set" and len(set(types)) == len(types), "format",
           "the first claim is the KKT set, and no claim type repeats")
    ev = cert["evidence"]
    expect(isinstance(ev, dict) and set(ev) <= {"deltas", "escape_times", "gaps", "plateau"},
           "format", "evidence holds deltas, escape_times, gaps and plateau only")
    for key in ("deltas", "escape_times", "gaps"):
        for x in S.lst(ev.get(key, []), f"evidence.{key}", most=6):
            expect(x is None or (isinstance(x, (int, float)) and not isinstance(x, bool)
                                 and x == x and abs(x) < 1e300), "format",
                   f"evidence.{key} holds numbers only")
    pl = ev.get("plateau")
    expect(pl is None or (isinstance(pl, (int, float)) and not isinstance(pl, bool)
                          and pl == pl and abs(pl) < 1e300), "format",
           "evidence.plateau is a number")


def _lifting_of(cert: dict, limits):  # noqa: ANN001, ANN202
    """The network rebuilt from the checked architecture, as a Lifting."""
    from ..architecture import from_description
    from ..liftings import network_lifting
    from ..spec import load_lifting
    from .check import architecture, expect

    shim = {"architecture": cert["architecture"], "parameters": cert["parameters"],
            "name": cert["name"], "phi": []}
    net = architecture(shim, limits)
    expect(net.kind in ("layered-power", "dag", "layered-relu"), "architecture",
           "a KH25 certificate is about a network")
    if net.kind != "dag":
        lf = load_lifting(net.name)
    else:
        neurons = ([(v, "input", "linear") for v in net.inputs]
                   + [(v, "hidden", a) for v, a in net.hidden.items()]
                   + [(v, "output", "linear") for v in net.outputs])
        arch = from_description(neurons, net.edges, [], name=net.name)
        for v, b in net.biases.items():
            arch.graph.nodes[v]["bias"] = b
        arch.params = list(net.params)
        lf = network_lifting(arch)
    expect(lf.params == cert["parameters"], "architecture",
           "the parameters are not those of the architecture")
    return lf


def check(cert: dict, report, limits) -> None:  # noqa: ANN001 - a Report, Limits
    """Every step of a KH25 certificate; raises Failure at the first that fails."""
    from ..correlation import Net, _separable, ncf
    from ..homogeneous import network_zero_pattern
    from .check import expect
    from .schema import content_hash

    _shape(cert)
    report.step("format")
    lf = _lifting_of(cert, limits)
    report.step("architecture")
    xs = [[sympy.Rational(str(_parse_rational(v, "x"))) for v in row]
          for row in cert["data"]["x"]]
    ys = [[sympy.Rational(str(_parse_rational(v, "y"))) for v in row]
          for row in cert["data"]["y"]]
    n_in, n_out = lf.io_widths()
    expect(len(xs) == len(ys) and all(len(r) == n_in for r in xs)
           and all(len(r) == n_out for r in ys), "data",
           f"the data must be pairs (x, y) with x of length {n_in} and y of length {n_out}")
    report.step("data")
    claims = cert["claims"]
    kkt = claims[0]
    w = lf.ring.symbols()
    mu = sympy.Symbol("mu", real=True)
    net = Net(lf, xs, ys)
    pres = net.pres(None)
    listed = [read_point(pt, list(w) + [mu], "coordinates", "kkt-points")
              for pt in kkt["points"]]
    for k, (q, pt) in enumerate(zip(listed, kkt["points"], strict=True), 1):
        # by substitution, independently of the recomputation: on the pattern {pre > 0}
        on = {key: int(q.sign(e) > 0) for key, e in pres.items()}
        Nq = net.N(on)
        expect(all(q.is_zero(sympy.diff(Nq, s) - mu * s) for s in w), "kkt-points",
               f"point {k}: ∇N(w) ≠ μw")
        expect(q.is_zero(sum(s ** 2 for s in w) - 1), "kkt-points", f"point {k}: ‖w‖ ≠ 1")
        expect(q.sign(Nq) > 0, "kkt-points", f"point {k}: N(w) is not positive")
        support = [v for v in lf.architecture.hidden
                   if any(not q.is_zero(net.sym[p]) for p in net.params_of(v))]
        expect(pt["support"] == support, "kkt-points",
               f"point {k}: the non-zero neurons are {support}")
    report.step("kkt-points")
    # recomputed: the count and the positive second-order points (a pure function of the
    # architecture and the data, cached within one process)
    import json

    key = json.dumps([cert["architecture"], cert["parameters"], cert["data"]], sort_keys=True)
    res = _RECOMPUTED.get(key)
    if res is None:
        res = _RECOMPUTED[key] = ncf(lf, xs, ys)
        while len(_RECOMPUTED) > 8:
            _RECOMPUTED.pop(next(iter(_RECOMPUTED)))
    count = None if res.continua else len(res.points)
    expect(kkt["count_nonzero_mu"] == count, "kkt-set",
           f"the number of KKT points with μ ≠ 0 is {count}, not {kkt['count_nonzero_mu']}")
    good = [k for k in res.points if k.positive and k.second_order == "holds"
            and k.point is not None]
    expect(len(good) == len(listed) and all(
        any(g.point.same_as(q) for g in good) for q in listed), "second-order",
        "the listed points are not the positive second-order KKT points (recomputed)")
    expect(kkt["statement"] == kkt_statement(kkt), "statement",
           "the KKT claim's statement is not the generated one")
    report.step("kkt-set")
    for c in claims[1:]:
        if c["type"] == "saddle":
            _check_saddle(net, lf, c, w, _separable(net))
            report.step("saddle")
        else:
            expect(bool(listed), "zero-pattern", "a zero pattern needs a listed KKT point")
            zero_neurons = [v for v in lf.architecture.hidden
                            if v not in kkt["points"][0]["support"]]
            want = [p for v in zero_neurons for p in net.params_of(v)]
            expect(c["zeros"] == want, "zero-pattern",
                   "the zeros are not the parameters of the neurons that are zero in w*_1")
            z = network_zero_pattern(lf, want)
            expect(z is not None and c["invariant"] == z.invariant, "zero-pattern",
                   "the invariance verdict is not the recomputed one")
            expect(c["statement"] == zeros_statement(c), "statement",
                   "the zero-pattern statement is not the generated one")
            report.step("zero-pattern")
    expect(cert["content_hash"] == content_hash(cert), "hash",
           "the content hash does not match (the certificate was altered)")
    report.step("hash")


def _check_saddle(net, lf, c: dict, w: list, separable: bool) -> None:  # noqa: ANN001
    from .check import expect

    q = read_point(c, list(w), "theta", "saddle")
    pres = net.pres(None)
    pairs = {(v, i - 1) for v, i in c["on"]}
    expect(pairs <= set(pres), "saddle", "'on' names a pair (neuron, data point) that has no "
           "gated pre-activation")
    for key, e in pres.items():
        sg = q.sign(e)
        expect(sg == 0 or (sg > 0) == (key in pairs), "saddle",
               f"the pattern 'on' is not θ*'s (neuron {key[0]}, data point {key[1] + 1})")
    pattern = {key: int(key in pairs) for key in pres}
    Lp = sympy.Integer(0)
    for i in range(net.n):
        for h, yv in zip(net.outputs(i, pattern), net.ys[i], strict=True):
            Lp += (h - sympy.Rational(yv)) ** 2
    Lp = sympy.expand(Lp / 2)
    expect(all(q.is_zero(sympy.diff(Lp, s)) for s in w), "saddle",
           "∇L(θ*) ≠ 0: θ* is not a stationary point")
    expect(poly_text(q.reduce(Lp)) == c["loss"], "saddle", "the loss at θ* is not L(θ*)")
    wit = c["witness"]
    u = wit["direction"]
    expect(len(u) == len(w) and any(u), "saddle", "the direction has one entry per parameter")
    if wit["kind"] == "negative-curvature":
        kinks = [key for key, e in pres.items() if q.sign(e) == 0
                 and net.arch.activation(key[0]) in ("relu", "relu^2")]
        expect(not kinks, "saddle", "L is not twice differentiable at θ* (a kink): no "
               "curvature witness there")
        v = sympy.Matrix(u)
        expect(q.sign((v.T * sympy.hessian(Lp, w) * v)[0, 0]) < 0, "saddle",
               "vᵀ∇²L(θ*)v is not negative")
    else:
        nv = wit["neuron"]
        expect(separable and nv in net.arch.hidden, "saddle", "a descent witness needs a "
               "separable network and one of its hidden neurons")
        names = net.params_of(nv)
        idx = {str(s): k for k, s in enumerate(w)}
        expect(all(q.is_zero(net.sym[p]) for p in names), "saddle",
               f"neuron {nv} is not zero at θ*")
        expect(all(u[k] == 0 for n, k in idx.items() if n not in names), "saddle",
               f"the direction leaves neuron {nv}")
        # G_r(u) = Σ_i ⟨y_i − H(x_i; θ*), a·σ(w·x̃_i)⟩ > 0 exactly
        arch, g = net.arch, net.g
        p = arch.power(nv)
        gated = arch.activation(nv).startswith("relu")
        G = sympy.Integer(0)
        for i in range(net.n):
            hs = net.outputs(i, pattern)
            s_ = sum((u[idx[g.edges[a, nv]["param"]]] * sympy.Rational(
                net.xs[i][arch.inputs.index(a)]) for a in g.predecessors(nv)), sympy.Integer(0))
            if arch.bias(nv):
                s_ += u[idx[arch.bias(nv)]]
            act = (max(s_, 0) if gated else s_) ** p
            for k, yname in enumerate(arch.outputs):
                if g.has_edge(nv, yname):
                    a = u[idx[g.edges[nv, yname]["param"]]]
                    G += (sympy.Rational(net.ys[i][k]) - hs[k]) * a * act
        expect(q.sign(G) > 0, "saddle", "G_r(u) is not positive: no descent at order p + 1")
    expect(c["statement"] == saddle_statement(c), "statement",
           "the saddle statement is not the generated one")


# ----------------------------------------------------------------------------- LaTeX
def render(cert: dict, json_name: str = "certificate.json") -> str:
    """The LaTeX document of a checked KH25 certificate: every word generated, every number
    recomputed from the parsed exact fields."""
    from ..texmath import tex_text
    from .latex import REFERENCES, _dash, tex_name

    names = cert["parameters"]
    syms = [sympy.Symbol(n, real=True) for n in names]
    mu = sympy.Symbol("mu", real=True)
    kkt = cert["claims"][0]
    title = tex_text(cert["name"])
    arch = cert["architecture"]
    act = arch.get("activation") or ", ".join(sorted({a for _, a in arch.get("hidden", [])}))
    out = [r"\documentclass[11pt]{article}", r"\usepackage{amsmath,amssymb,amsthm}",
           r"\usepackage[margin=2.3cm]{geometry}", r"\allowdisplaybreaks{}",
           r"\newtheorem{claim}{Claim}", r"\setlength{\parindent}{0pt}",
           r"\setlength{\parskip}{0.5em}", r"\begin{document}", r"\raggedright{}",
           r"\begin{center}", r"{\Large symflow certificate [KH25]: \texttt{" + title + "}}"
           + _dash(cert["name"]), r"\end{center}", "", r"\section*{Setting}"]
    xs, ys = cert["data"]["x"], cert["data"]["y"]
    rows = r" \\ ".join(
        " & ".join(sympy.latex(sympy.Rational(str(_parse_rational(v, "x")))) for v in x)
        + " & " + " & ".join(sympy.latex(sympy.Rational(str(_parse_rational(v, "y"))))
                             for v in y) for x, y in zip(xs, ys, strict=True))
    out.append(
        r"The network \texttt{" + title + r"} (hidden activation \texttt{" + tex_text(act)
        + r"}) has $D = " + str(len(names)) + r"$ parameters $\theta$ and output "
        r"$H(x;\theta)$. With the data below, the square loss is "
        r"$L(\theta) = \tfrac12\sum_i \|H(x_i;\theta) - y_i\|^2$ and the neural correlation "
        r"function is $N(w) = \sum_i \langle y_i, H(x_i; w)\rangle$ [KH25]. From a small "
        r"initialisation, the direction of $\theta$ follows the KKT points of "
        r"$\max N(w)$ on $\|w\| = 1$ ($\nabla N(w) = \mu w$), those that matter being "
        r"positive ($N > 0$) and second-order ($v^\top(\nabla^2 N - \mu I)v \le 0$ for "
        r"$v \perp w$); the flow then escapes along a limiting path and stalls at a saddle."
        + _dash(cert["name"]))
    n_in = len(xs[0])
    out.append(r"\begin{center}$\begin{array}{" + "r" * (n_in + len(ys[0])) + r"}" + " & ".join(
        [f"x_{{{j + 1}}}" for j in range(n_in)] + [f"y_{{{j + 1}}}" for j in range(len(ys[0]))])
        + r" \\ \noalign{\smallskip} " + rows + r"\end{array}$\end{center}")
    out.append(r"\section*{Claims}")
    out.append(r"\begin{claim}" + _sentence(kkt_statement(kkt)) + r"\end{claim}")
    for k, pt in enumerate(kkt["points"], 1):
        q = read_point(pt, syms + [mu], "coordinates", "kkt-points")
        coords = ", ".join(_eq(tex_name(n), number_tex(q, s)) for n, s in
                           zip(names, syms, strict=True) if not q.is_zero(s))
        mu_eq = _eq(r"\mu", number_tex(q, mu))
        out.append(rf"$w^*_{{{k}}}$: ${coords}$, the other coordinates $0$; "
                   rf"${mu_eq}$ and $N(w^*_{{{k}}}) = \mu/L$ "
                   r"(Euler, $L$ the degree of homogeneity).")
    out.append(r"\begin{proof}The KKT points are computed region by region (an activation "
               r"pattern fixes $N$ as a polynomial; with $\sigma(0) = \sigma'(0) = 0$, $N$ is "
               r"$C^1$ and equals that polynomial, with its gradient, on the closed region); "
               r"when $N = \sum_v G_v(\theta_v)$ over the hidden neurons, each $G_v$ "
               r"homogeneous of degree $L \ge 3$, a KKT point with $\mu \ne 0$ is made of "
               r"unit KKT points $u_v$ of single neurons scaled by $t_v$, "
               r"$t_v^{L-2}\mu_v = \mu$, $\sum_v t_v^2 = 1$, and with $\mu > 0$ it is "
               r"second-order only with one neuron; "
               r"every real solution exactly, as a point of ${\mathbb{Q}(\beta)}^{D}$ with $\beta$ "
               r"a real root of an irreducible polynomial isolated in a rational interval. "
               r"Each listed point satisfies $\nabla N(w) = \mu w$ and $\|w\| = 1$ identically "
               r"in $\mathbb{Q}(\beta)$, and $N > 0$ by exact interval refinement; the second "
               r"order is the sign pattern of the characteristic polynomial of "
               r"$P(\nabla^2 N - \mu I)P$, $P = I - ww^\top$.\end{proof}")
    for c in cert["claims"][1:]:
        if c["type"] == "saddle":
            q = read_point(c, syms, "theta", "saddle")
            coords = ", ".join(_eq(tex_name(n), number_tex(q, s)) for n, s in
                               zip(names, syms, strict=True) if not q.is_zero(s))
            loss = number_tex(q, _poly_expr(c["loss"]))
            out.append(r"\begin{claim}" + _sentence(saddle_statement(c)) + r"\end{claim}")
            loss_eq = _eq(r"L(\theta^*)", loss)
            out.append(rf"$\theta^*$: ${coords}$, the other coordinates $0$; ${loss_eq}$.")
            u = ", ".join(str(x) for x in c["witness"]["direction"])
            if c["witness"]["kind"] == "descent":
                out.append(r"\begin{proof}$\nabla L(\theta^*) = 0$ holds identically in "
                           r"$\mathbb{Q}(\beta)$ on $\theta^*$'s activation pattern ($L$ is "
                           r"$C^1$). The neuron \texttt{" + tex_text(c["witness"]["neuron"])
                           + r"} is zero at $\theta^*$; along $u = (" + u + r")$, which "
                           r"moves only its parameters, $H(x_i;\theta^* + \varepsilon u) = "
                           r"H(x_i;\theta^*) + \varepsilon^{p+1}a\,\sigma(w^\top\tilde x_i)$, so "
                           r"$L(\theta^* + \varepsilon u) = L(\theta^*) - \varepsilon^{p+1}G_r(u) "
                           r"+ O(\varepsilon^{2p+2})$ with $G_r(u) = \sum_i\langle y_i - "
                           r"H(x_i;\theta^*), a\,\sigma(w^\top\tilde x_i)\rangle > 0$ (exact): "
                           r"$\theta^*$ is not a local minimum.\end{proof}")
            else:
                out.append(r"\begin{proof}$\nabla L(\theta^*) = 0$ holds identically in "
                           r"$\mathbb{Q}(\beta)$, and $u^\top\nabla^2 L(\theta^*)u < 0$ for $u = "
                           r"(" + u + r")$ (exact).\end{proof}")
        else:
            zs = ", ".join(f"${tex_name(z)}$" for z in c["zeros"])
            out.append(r"\begin{claim}" + _sentence(zeros_statement(c)) + r"\end{claim}")
            out.append(r"$S$: " + zs + ".")
            out.append(r"\begin{proof}A hidden neuron whose incoming weights and bias are all "
                       r"zero has pre-activation $0$ on every input; its activation and its "
                       r"derivative vanish ($\sigma(0) = \sigma'(0) = 0$), so the gradient in "
                       r"each of its parameters is $0$ on $\{\theta_S = 0\}$"
                       r" for every data set (symflow zeros).\end{proof}")
    ev = cert["evidence"]
    if ev:
        gaps = ", ".join(f"{float(g):.2e}" for g in ev.get("gaps", []))
        ds = ", ".join(f"{float(d):g}" for d in ev.get("deltas", []))
        out.append(r"\section*{Numerical evidence (not a claim)}")
        out.append(r"The flow from $\delta w^*_1$ was integrated (DOP853) for $\delta \in \{"
                   + ds + r"\}$ and shifted in time to $\|\theta\| = 0.1$; the largest gaps "
                   r"between successive $\delta$ up to the plateau were " + (gaps or "none")
                   + (r"; the smallest $\delta$ stalled at $t - \tau = "
                      + f"{float(ev['plateau']):.4g}" + r"$ near $\theta^*$"
                      if ev.get("plateau") is not None else "") + ".")
    out.append(r"\section*{How to re-check}")
    out.append(r"\texttt{symflow check " + tex_text(json_name) + r"} reads the JSON file, "
               r"rebuilds the network and the data, verifies every listed point by "
               r"substitution in exact arithmetic, recomputes the KKT count and the "
               r"zero-pattern verdict, and checks the content hash, which begins \texttt{"
               + tex_text(cert["content_hash"][:23]) + r"}." + _dash(json_name))
    out.append(r"\section*{References}")
    out.append(r"[KH25] A.~Kumar, J.~Haupt. Towards understanding gradient dynamics of "
               r"homogeneous neural networks beyond the origin, arXiv:2502.15952."
               "\n\n" + REFERENCES.split("\n\n")[0])
    out.append(r"\end{document}")
    return "\n\n".join(out) + "\n"


def _eq(lhs: str, value: str) -> str:
    """lhs = value, or lhs ≈ … when the value is given by its minimal polynomial."""
    return f"{lhs} {value}" if value.startswith(r"\approx") else f"{lhs} = {value}"


def _sentence(text: str) -> str:
    """A generated statement in LaTeX (its formulas in math mode)."""
    from ..texmath import tex_text

    rep = [("‖w‖ = 1", r"$\|w\| = 1$"), ("∇N(w) = μw", r"$\nabla N(w) = \mu w$"),
           ("μ ≠ 0", r"$\mu \ne 0$"), ("max N(w)", r"$\max N(w)$"), ("N(w)", "$N(w)$"),
           ("(N > 0)", r"($N > 0$)"), ("vᵀ(∇²N − μI)v ≤ 0 for every v ⊥ w",
                                       r"$v^\top(\nabla^2N - \mu I)v \le 0$ for every $v\perp w$"),
           ("L(θ) = ½Σ_i‖H(x_i; θ) − y_i‖²",
            r"$L(\theta) = \tfrac12\sum_i\|H(x_i;\theta) - y_i\|^2$"),
           ("∇L(θ*) = 0", r"$\nabla L(\theta^*) = 0$"), ("∇²L", r"$\nabla^2 L$"),
           ("θ*", r"$\theta^*$"), ("{θ_S = 0}", r"$\{\theta_S = 0\}$"),
           ("w*_1", r"$w^*_1$"), ("σ′(0) = 0", r"$\sigma'(0) = 0$"), ("p + 1", "$p + 1$")]
    marks = []
    for k, (a, b) in enumerate(rep):
        if a in text:
            text = text.replace(a, f"@@{k}@@")
            marks.append((f"@@{k}@@", b))
    text = tex_text(text)
    for m, b in marks:
        text = text.replace(m, b)
    return text


def _poly_expr(text: str) -> sympy.Expr:
    return sympy.sympify(text.replace("^", "**"), locals={"T": T}, rational=True)
