"""Exact real algebraic points: the real solutions of a zero-dimensional polynomial system as
points of Q(β)^n, β a real root of an irreducible polynomial f with a rational isolating
interval, and exact signs of polynomials at them (no floats decide anything).

A point is (f, β's interval, g_1, …, g_n) with coordinates g_k(β), g_k ∈ Q[T] of degree < deg f.
The sign of q(β) ≠ 0 is found by rational interval arithmetic on β's isolating interval,
bisected (by Sturm's exact root isolation) until the interval of q excludes 0; q(β) = 0 iff
q ≡ 0 mod f, because f is irreducible.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

import sympy

T = sympy.Symbol("T")


class NotZeroDimensional(Exception):
    """The system has infinitely many complex solutions."""


class NoShapePosition(Exception):
    """No separating element found for a rational univariate representation."""


@dataclass
class RealAlgebraic:
    """β: the root of the irreducible f ∈ Q[T] in the rational interval (a, b) (a = b when
    β is rational)."""

    f: sympy.Poly
    a: Fraction
    b: Fraction
    index: int = 0  # β = CRootOf(f, index)

    @classmethod
    def roots_of(cls, f: sympy.Poly) -> list[RealAlgebraic]:
        out = []
        if f.degree() == 1:
            c1, c0 = (Fraction(int(sympy.Rational(c).p), int(sympy.Rational(c).q))
                      for c in f.all_coeffs())
            return [cls(f, -c0 / c1, -c0 / c1, 0)]
        for k, ((a, b), _) in enumerate(f.intervals()):  # exact isolation, increasing
            out.append(cls(f, Fraction(str(a)), Fraction(str(b)), k))
        return out

    def same_root(self, other: RealAlgebraic) -> bool:
        """Both are the same root of the same polynomial (their isolating intervals share it)."""
        if self.f != other.f:
            return False
        lo, hi = max(self.a, other.a), min(self.b, other.b)
        if lo > hi:
            return False
        if lo == hi:
            return _eval(self.f, lo) == 0
        return self.f.count_roots(sympy.Rational(lo.numerator, lo.denominator),
                                  sympy.Rational(hi.numerator, hi.denominator)) >= 1

    @property
    def rational(self) -> bool:
        return self.f.degree() == 1

    def refine(self) -> None:
        """Halve the isolating interval exactly (f changes sign across β: f is squarefree)."""
        if self.a == self.b:
            return
        m = (self.a + self.b) / 2
        fm = _eval(self.f, m)
        if fm == 0:
            self.a = self.b = m
            return
        if (_eval(self.f, self.a) < 0) == (fm < 0):
            self.a = m
        else:
            self.b = m

    def sign(self, q: sympy.Poly) -> int:
        """The exact sign of q(β), q ∈ Q[T]."""
        q = q.rem(self.f) if self.f.degree() > 0 else q
        if q.is_zero:
            return 0
        if self.a == self.b:
            v = _eval(q, self.a)
            return (v > 0) - (v < 0)
        for _ in range(4000):
            lo, hi = _interval(q, self.a, self.b)
            if lo > 0:
                return 1
            if hi < 0:
                return -1
            self.refine()
            if self.a == self.b:
                v = _eval(q, self.a)
                return (v > 0) - (v < 0)
        raise ArithmeticError("sign not isolated")  # pragma: no cover - q(β) ≠ 0 is isolated

    def value(self) -> sympy.Expr:
        """β as a SymPy number: rational, a radical (degree 2) or CRootOf."""
        if self.rational:
            return sympy.Rational(self.a.numerator, self.a.denominator)
        return sympy.rootof(self.f, self.index, radicals=True)

    def approx(self, digits: int = 12) -> float:
        """A float near β (display only)."""
        while self.b - self.a > Fraction(1, 10 ** digits):
            self.refine()
        return float((self.a + self.b) / 2)


def _eval(q: sympy.Poly, x: Fraction) -> Fraction:
    acc = Fraction(0)
    for c in q.all_coeffs():
        c = sympy.Rational(c)
        acc = acc * x + Fraction(int(c.p), int(c.q))
    return acc


def _interval(q: sympy.Poly, a: Fraction, b: Fraction) -> tuple[Fraction, Fraction]:
    """A rational interval containing q([a, b]) (Horner in interval arithmetic)."""
    lo = hi = Fraction(0)
    for c in q.all_coeffs():
        c = sympy.Rational(c)
        cf = Fraction(int(c.p), int(c.q))
        prods = [lo * a, lo * b, hi * a, hi * b]
        lo, hi = min(prods) + cf, max(prods) + cf
    return lo, hi


@dataclass
class AlgebraicPoint:
    """A real point (g_1(β), …, g_n(β)) of Q(β)^n; the variables are named for evaluation."""

    beta: RealAlgebraic
    coords: list[sympy.Poly]  # in T, reduced mod f
    names: list[sympy.Symbol]

    def reduce(self, expr: sympy.Expr) -> sympy.Poly:
        """q ∈ Q[T], deg q < deg f, with q(β) = expr(point), for a polynomial expr: monomial
        by monomial, with the powers of each coordinate reduced mod f and cached."""
        expr = sympy.sympify(expr)
        names = [s for s in self.names if expr.has(s)]
        f = self.beta.f
        if not names:
            return sympy.Poly(expr, T)
        poly = sympy.Poly(expr, *names)
        cache = self.__dict__.setdefault("_powers", {})
        where = {s: k for k, s in enumerate(self.names)}
        acc = sympy.Poly(0, T)
        for mono, c in poly.terms():
            term = sympy.Poly(c, T)
            for s, e in zip(names, mono, strict=True):
                if e:
                    key = (where[s], e)
                    if key not in cache:
                        base = self.coords[where[s]]
                        pw = sympy.Poly(1, T)
                        for _ in range(e):
                            pw = pw * base
                            pw = pw.rem(f) if f.degree() > 1 else pw
                        cache[key] = pw
                    term = term * cache[key]
                    term = term.rem(f) if f.degree() > 1 else term
            acc += term
        return acc.rem(f) if f.degree() > 1 else acc

    def sign(self, expr: sympy.Expr) -> int:
        return self.beta.sign(self.reduce(expr))

    def is_zero(self, expr: sympy.Expr) -> bool:
        return self.reduce(expr).is_zero if self.beta.f.degree() > 1 else self.sign(expr) == 0

    def exact(self, expr: sympy.Expr) -> sympy.Expr:
        """expr(point) as a SymPy number (radicals for degree ≤ 2, else in CRootOf)."""
        q = self.reduce(expr)
        v = q.as_expr().subs(T, self.beta.value())
        return sympy.radsimp(sympy.expand(v)) if self.beta.f.degree() <= 2 else sympy.expand(v)

    def approx(self, expr: sympy.Expr) -> float:
        """A float near expr(point) (display only): q evaluated exactly at a rational point of
        β's interval refined to width 2^-200, then rounded (no cancellation in floats)."""
        q = self.reduce(expr)
        beta = self.beta
        while beta.b - beta.a > Fraction(1, 2 ** 200):
            beta.refine()
        return float(_eval(q, (beta.a + beta.b) / 2))

    def same_as(self, other: AlgebraicPoint) -> bool:
        """Exact equality of two points (possibly in different fields): the differences of the
        coordinates have minimal polynomial T."""
        for e, f in zip(self.names, other.names, strict=True):
            assert e == f
        for s in self.names:
            if abs(self.approx(s) - other.approx(s)) > 1e-6:
                return False  # far apart (a float may only ever reject, never accept)
        X = sympy.Symbol("X")
        for s in self.names:
            if self.beta.same_root(other.beta) and self.reduce(s) == other.reduce(s):
                continue  # the same representation
            d = self.exact(s) - other.exact(s)
            if sympy.minimal_polynomial(d, X) != X:
                return False
        return True


def real_solutions(eqs: list[sympy.Expr], gens: list[sympy.Symbol],
                   seed: int = 1) -> list[AlgebraicPoint]:
    """Every real solution of a zero-dimensional system, exactly, by a rational univariate
    representation: a separating linear form T = Σ c_k x_k, a lex Gröbner basis of the radical
    in shape position {x_k − g_k(T), m(T)}, m factored over Q, real roots isolated."""
    basis = sympy.groebner(eqs, *gens, order="grevlex")
    if list(basis) == [1]:
        return []
    if not basis.is_zero_dimensional:
        raise NotZeroDimensional
    rng = random.Random(seed)
    polys = list(basis.exprs)
    for attempt in range(6):
        coeffs = [1] + [rng.randint(-3 - attempt, 3 + attempt) for _ in gens[1:]]
        form = sum(c * g for c, g in zip(coeffs, gens, strict=True))
        system = polys + [T - form]
        lex = sympy.groebner(system, *gens, T, order="lex")
        uni = [p for p in lex.exprs if p.free_symbols <= {T}]
        if not uni:
            continue
        m = sympy.Poly(uni[0], T)
        sq = sympy.Poly(sympy.quo(m, sympy.gcd(m, m.diff(T))), T)
        if sq.degree() < m.degree():  # take the radical: add the squarefree part
            lex = sympy.groebner(system + [sq.as_expr()], *gens, T, order="lex")
            m = sq
        shape = {}
        for p in lex.exprs:
            poly = sympy.Poly(p, *gens, T)
            lead = [g for g in gens if poly.degree(g) > 0]
            if not lead:
                continue
            if len(lead) != 1 or poly.degree(lead[0]) != 1:
                break
            g = lead[0]
            c = poly.coeff_monomial(g)
            rest = sympy.expand(p - c * g)
            if not (isinstance(c, sympy.Rational) or c.is_Number) or rest.free_symbols - {T}:
                break
            shape[g] = sympy.Poly(-rest / c, T)
        else:
            if len(shape) != len(gens):
                continue
            points = []
            for fac, _ in sympy.factor_list(m.as_expr(), T)[1]:
                f = sympy.Poly(fac, T)
                if f.degree() < 1:
                    continue
                for beta in RealAlgebraic.roots_of(f):
                    coords = [shape[g].rem(f) if f.degree() > 1 else
                              sympy.Poly(shape[g].as_expr().subs(T, beta.value()), T)
                              for g in gens]
                    points.append(AlgebraicPoint(beta, coords, list(gens)))
            return points
    raise NoShapePosition


def display(point: AlgebraicPoint, expr: sympy.Expr) -> str:
    """expr(point) for a reader: a rational or radical closed form (degree ≤ 2), else "the root
    ≈ v of P" with P the minimal polynomial of the value (exact) and v a float (to name it)."""
    if point.beta.f.degree() <= 2:
        return sympy.sstr(point.exact(expr))
    q = point.reduce(expr)
    X = sympy.Symbol("X")
    res = sympy.Poly(sympy.resultant(point.beta.f.as_expr(), X - q.as_expr(), T), X)
    v = point.approx(expr)
    beta = point.beta
    close = _eval(q, (beta.a + beta.b) / 2)  # within ~2^-190 of the value (interval refined)
    best = None
    for fac, _ in sympy.factor_list(res.as_expr(), X)[1]:
        # the factor that vanishes at the value: the smallest |fac| at a rational point
        # 2^-190-close to it (the others are bounded away from 0 there); display only
        size = abs(_eval(sympy.Poly(fac, X), close))
        if best is None or size < best[0]:
            best = (size, fac)
    mp = sympy.Poly(best[1], X).monic()
    if mp.degree() == 1:
        return sympy.sstr(-mp.all_coeffs()[1])
    if mp.degree() == 2:  # the radical root on the side of v (the two roots differ)
        r = sorted(sympy.solve(mp.as_expr(), X), key=lambda e: float(sympy.re(e)))
        if all(e.is_real for e in r):
            lo, hi = r
            return sympy.sstr(sympy.radsimp(hi if abs(float(hi) - v) < abs(float(lo) - v)
                                            else lo))
    return f"{v:.10g} (root of {sympy.sstr(mp.as_expr())})"


def show_number(expr: sympy.Expr) -> str:
    """A real algebraic number for a reader: as it is when short and free of CRootOf, else by
    its exact minimal polynomial (a radical when of degree ≤ 2, else "v (root of P)")."""
    expr = sympy.sympify(expr)
    if expr.is_Rational or (not expr.has(sympy.CRootOf) and len(sympy.sstr(expr)) <= 40):
        return sympy.sstr(sympy.radsimp(expr))
    X = sympy.Symbol("X")
    v = float(expr)
    mp = sympy.Poly(sympy.minimal_polynomial(expr, X), X).monic()
    if mp.degree() == 1:
        return sympy.sstr(-mp.all_coeffs()[1])
    if mp.degree() == 2:
        roots = sympy.solve(mp.as_expr(), X)
        best = min(roots, key=lambda e: abs(float(e) - v))
        return sympy.sstr(sympy.radsimp(best))
    return f"{v:.10g} (root of {sympy.sstr(mp.as_expr())})"
