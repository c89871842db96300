"""The one canonical text of a polynomial and of a number (no flint, no SymPy).

Certificates store polynomials and numbers as text. The writer produces exactly this text and
the checker demands it: it parses a field, re-serialises the parsed object with these functions
and rejects the field unless the two strings are equal. So a field holds nothing the parsed
object does not determine (no comment, no spacing, no second spelling of the same value), and
whatever is later printed or typeset can be produced from the parsed object alone.

A polynomial in θ_1..θ_D is written term by term in degree-reverse-lexicographic order, highest
term first (python-flint's order for the same variables), as ``c*x^e*y`` with ``c`` omitted when
it is 1 (``-`` when −1), rationals as ``p/q``, ``0`` for the zero polynomial:
``W1_1_1^2 + 1/2*W1_1_2 - W2_1_1^2``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

#: a term: its sparse exponents {variable index: exponent ≥ 1} and its coefficient
Term = tuple[dict[int, int], Fraction]


def _key(term: Term) -> tuple:
    """Sort key putting the degrevlex-largest monomial first: higher total degree first; at
    equal degree, the monomial with the smaller exponent at the last variable where the two
    differ comes first."""
    exps = term[0]
    return (-sum(exps.values()), tuple((i, exps[i]) for i in sorted(exps, reverse=True)))


def format_number(q: Fraction | int) -> str:
    """``p`` or ``p/q`` in lowest terms (q > 1)."""
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def format_poly(terms: Iterable[Term], names: Sequence[str]) -> str:
    """The canonical text of Σ c·θ^e (zero coefficients dropped, monomials distinct)."""
    parts: list[str] = []
    for exps, c in sorted(((e, Fraction(c)) for e, c in terms if c), key=_key):
        mono = "*".join(names[i] if e == 1 else f"{names[i]}^{e}"
                        for i, e in sorted(exps.items()) if e)
        mag = abs(c)
        if not mono:
            body = format_number(mag)
        elif mag == 1:
            body = mono
        else:
            body = f"{format_number(mag)}*{mono}"
        if not parts:
            parts.append(("-" if c < 0 else "") + body)
        else:
            parts.append((" - " if c < 0 else " + ") + body)
    return "".join(parts) or "0"
