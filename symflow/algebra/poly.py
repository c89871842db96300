"""Exact sparse polynomials and polynomial vector fields on python-flint.

Polynomials with rational coefficients live in ``fmpq_mpoly``; the vector fields of the Lie
engine use integer coefficients (``fmpz_mpoly``) so that their values at an integer point are
integers and can be reduced modulo a prime without changing what a rank proves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from math import lcm

import flint

Poly = flint.fmpq_mpoly
ZPoly = flint.fmpz_mpoly


class Ring:
    """The polynomial rings QQ[θ_1..θ_D] and ZZ[θ_1..θ_D] with named variables."""

    def __init__(self, names: Sequence[str]):
        self.names = list(names)
        self.index = {n: i for i, n in enumerate(self.names)}
        key = tuple(self.names) if self.names else ("_",)
        self.qctx = flint.fmpq_mpoly_ctx.get(key, "degrevlex")
        self.zctx = flint.fmpz_mpoly_ctx.get(key, "degrevlex")
        self.nvars = len(self.names)

    def qgens(self) -> tuple:
        return self.qctx.gens()

    def zgens(self) -> tuple:
        return self.zctx.gens()

    def qzero(self):
        return self.qctx.from_dict({})

    def zzero(self):
        return self.zctx.from_dict({})

    # conversions -------------------------------------------------------------------------
    def to_integer(self, p) -> ZPoly:
        """The primitive integer multiple c·p (c > 0 rational) of a rational polynomial."""
        terms = p.to_dict()
        if not terms:
            return self.zzero()
        den = reduce(lcm, (int(c.q) for c in terms.values()), 1)
        ints = {m: int(c.p) * (den // int(c.q)) for m, c in terms.items()}
        from math import gcd

        g = reduce(gcd, (abs(v) for v in ints.values()), 0) or 1
        return self.zctx.from_dict({m: v // g for m, v in ints.items()})

    def to_rational(self, p) -> Poly:
        return self.qctx.from_dict({m: flint.fmpq(int(c)) for m, c in p.to_dict().items()})

    def symbols(self) -> list:
        import sympy

        return [sympy.Symbol(n, real=True) for n in self.names]

    def from_sympy(self, expr) -> Poly:  # noqa: ANN001 - a SymPy expression
        """Convert a SymPy polynomial expression in the ring's variables (rational coefficients)."""
        import sympy

        index = self.index
        out: dict[tuple, flint.fmpq] = {}
        # term by term (no dense intermediate: liftings may have thousands of variables)
        for term in sympy.Add.make_args(sympy.expand(sympy.sympify(expr))):
            coeff, factors = term.as_coeff_mul()
            mono = [0] * self.nvars
            for f in factors:
                base, e = f.as_base_exp()
                if not (base.is_Symbol and base.name in index and e.is_Integer and e >= 0):
                    raise ValueError(f"not a polynomial in the ring's variables: {term}")
                mono[index[base.name]] += int(e)
            q = sympy.Rational(coeff)
            key = tuple(mono)
            out[key] = out.get(key, flint.fmpq(0)) + flint.fmpq(int(q.p), int(q.q))
        return self.qctx.from_dict({m: c for m, c in out.items() if c != 0})

    def to_sympy(self, p):  # noqa: ANN001, ANN201 - a SymPy expression
        import sympy

        syms = self.symbols()
        expr = sympy.Integer(0)
        for monom, coeff in p.to_dict().items():
            q = flint.fmpq(coeff)
            term = sympy.Rational(int(q.p), int(q.q))
            for s, e in zip(syms, monom, strict=True):
                if e:
                    term *= s**e
            expr += term
        return expr

    def format(self, p) -> str:
        """The canonical text of a polynomial (symflow.polytext), the one certificates hold:
        ``W1_1_1^2 + W1_1_2^2 - W2_1_1^2``."""
        from fractions import Fraction

        from ..polytext import format_poly

        vs = variables_of(p)  # O(D) once; then O(#variables) per term, not O(D)
        terms = []
        for mono, c in p.to_dict().items():
            q = flint.fmpq(c)
            terms.append(({i: mono[i] for i in vs if mono[i]}, Fraction(int(q.p), int(q.q))))
        return format_poly(terms, self.names)

    def format_quadratic(self, pairs: list[tuple[int, int, int]]) -> str:
        """The canonical text of Σ c·θ_i·θ_j over (c, i, j), read off the pairs (no expansion
        of an exponent vector of length D per term): equal to ``format`` of that polynomial."""
        from fractions import Fraction

        from ..polytext import format_poly

        acc: dict[tuple[int, int], int] = {}
        for c, i, j in pairs:
            key = (min(i, j), max(i, j))
            acc[key] = acc.get(key, 0) + c
        terms = [({i: 2} if i == j else {i: 1, j: 1}, Fraction(c))
                 for (i, j), c in acc.items() if c]
        return format_poly(terms, self.names)


def variables_of(p) -> list[int]:
    """Indices of the variables a polynomial depends on."""
    return [i for i, d in enumerate(p.degrees()) if d]


@dataclass
class VectorField:
    """A polynomial vector field X = Σ_k X_k ∂/∂θ_k with integer coefficients, stored sparsely."""

    comps: dict[int, ZPoly]
    nvars: int

    @classmethod
    def gradient(cls, p: ZPoly, nvars: int) -> VectorField:
        """∇p."""
        comps = {}
        for k in variables_of(p):
            d = p.derivative(k)
            if not d.is_zero():
                comps[k] = d
        return cls(comps, nvars)

    def is_zero(self) -> bool:
        return not self.comps

    def apply(self, f: ZPoly) -> ZPoly:
        """The derivation X(f) = Σ_k X_k ∂f/∂θ_k = ⟨X, ∇f⟩."""
        out = None
        for k in variables_of(f):
            xk = self.comps.get(k)
            if xk is None:
                continue
            term = xk * f.derivative(k)
            out = term if out is None else out + term
        if out is None:
            return f - f
        return out

    def bracket(self, other: VectorField) -> VectorField:
        """[X, Y] = ∂Y·X − ∂X·Y, i.e. component j is X(Y_j) − Y(X_j)."""
        comps: dict[int, ZPoly] = {}
        for j in set(self.comps) | set(other.comps):
            c = None
            if j in other.comps:
                c = self.apply(other.comps[j])
            if j in self.comps:
                t = other.apply(self.comps[j])
                c = -t if c is None else c - t
            if c is not None and not c.is_zero():
                comps[j] = c
        return VectorField(comps, self.nvars)

    def combination_equals(self, coeffs: Sequence, fields: Sequence[VectorField]) -> bool:
        """Exact check of the identity X ≡ Σ c_k F_k (coefficients rational)."""
        ctx = None
        for p in self.comps.values():
            ctx = p.context()
            break
        for f in fields:
            for p in f.comps.values():
                ctx = ctx or p.context()
        if ctx is None:
            return True
        den = reduce(lcm, (int(flint.fmpq(c).q) for c in coeffs), 1)
        ints = [int(flint.fmpq(c) * den) for c in coeffs]
        for j in set(self.comps).union(*(f.comps for f in fields)):
            lhs = self.comps[j] * den if j in self.comps else None
            rhs = None
            for c, f in zip(ints, fields, strict=True):
                if c and j in f.comps:
                    t = f.comps[j] * c
                    rhs = t if rhs is None else rhs + t
            if lhs is None and rhs is None:
                continue
            if lhs is None:
                if not rhs.is_zero():
                    return False
            elif rhs is None:
                if not lhs.is_zero():
                    return False
            elif lhs != rhs:
                return False
        return True

    def at(self, point: Sequence) -> list:
        """The value X(θ): integers at an integer point, rationals (fmpq) at a rational one."""
        ints = all(isinstance(x, int) for x in point)
        q = point if ints else [flint.fmpq(x) for x in point]
        out: list = [0 if ints else flint.fmpq(0)] * self.nvars
        for k, p in self.comps.items():
            out[k] = evaluate(p, q)
        return out

    def at_integer(self, point: Sequence) -> list[int]:
        """A positive multiple of X(θ) with integer entries (same span, so same ranks)."""
        return integer_multiple(self.at(point))


#: Above this many variables, polynomials are evaluated from their compiled sparse terms rather
#: than by calling flint with every coordinate (which converts all D arguments on every call).
SPARSE_EVAL_VARS = 48

_compiled: dict[int, tuple[object, list]] = {}


def compiled(p) -> list[tuple[int, list[tuple[int, int]]]]:
    """The terms of p as [(coefficient, [(variable, exponent), ...]), ...], cached."""
    hit = _compiled.get(id(p))
    if hit is not None and hit[0] is p:
        return hit[1]
    terms = []
    for exps, c in p.terms():
        terms.append((c, [(k, e) for k, e in enumerate(exps) if e]))
    if len(_compiled) > 200_000:
        _compiled.clear()
    _compiled[id(p)] = (p, terms)
    return terms


def value_and_gradient(p, point: Sequence) -> tuple[object, dict[int, object]]:
    """p(θ) and {k: ∂p/∂θ_k(θ)}, exactly (ints or fmpq): flint for few variables, one pass over
    the compiled terms for many."""
    if len(point) <= SPARSE_EVAL_VARS:
        grad = {k: evaluate(p.derivative(k), point) for k in variables_of(p)}
        return evaluate(p, point), {k: g for k, g in grad.items() if g != 0}
    val = 0
    grad: dict[int, object] = {}
    for c, factors in compiled(p):
        c = int(c) if isinstance(c, flint.fmpz) else c
        powers = [point[k] ** e for k, e in factors]
        prod = c
        for x in powers:
            prod = prod * x
        val = val + prod
        for idx, (k, e) in enumerate(factors):
            rest = c * e * point[k] ** (e - 1)
            for j, x in enumerate(powers):
                if j != idx:
                    rest = rest * x
            grad[k] = grad.get(k, 0) + rest
    return val, {k: g for k, g in grad.items() if g != 0}


def evaluate(p, point: Sequence):
    """p(θ) exactly: flint for few variables, compiled terms for many."""
    if len(point) > SPARSE_EVAL_VARS:
        val = 0
        for c, factors in compiled(p):
            prod = int(c) if isinstance(c, flint.fmpz) else c
            for k, e in factors:
                prod = prod * point[k] ** e
            val = val + prod
        return val
    if all(isinstance(x, int) for x in point):
        return int(p(*point))
    return evaluate_rational(p, point)


def evaluate_rational(p, point: Sequence) -> flint.fmpq:
    """Value of a polynomial (integer or rational coefficients) at a rational point."""
    ctx = p.context()
    if isinstance(p, ZPoly):
        qctx = flint.fmpq_mpoly_ctx.get(tuple(ctx.names()), "degrevlex")
        p = qctx.from_dict({m: flint.fmpq(int(c)) for m, c in p.to_dict().items()})
    return flint.fmpq(p(*[flint.fmpq(x) for x in point]))


def integer_multiple(vec: Sequence) -> list[int]:
    """The vector times the lcm of its denominators (a positive multiple with integer entries)."""
    if all(isinstance(x, int) for x in vec):
        return list(vec)
    qs = [flint.fmpq(x) for x in vec]
    den = reduce(lcm, (int(q.q) for q in qs), 1)
    return [int(q * den) for q in qs]
