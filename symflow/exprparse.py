"""Safe parsing of polynomial expressions (no Python evaluation); SymPy only, no flint, so the
independent certificate checker can use it too.

The size of the expanded polynomial (number of terms, total degree, digits of the coefficients)
is bounded from the syntax tree *before* anything is expanded, so huge inputs are refused at
once; long sums and products are read without recursion.
"""

from __future__ import annotations

import ast
from math import comb, log10

import sympy

from .errors import SpecError


class ExprTooLarge(SpecError):
    """An expression beyond a size limit of the parser (not a malformed one)."""

MAX_EXPONENT = 64
MAX_TERMS = 20_000
MAX_DIGITS = 60  # of one number written in the expression
MAX_DEGREE = 256  # of the expanded polynomial
MAX_COEFF_DIGITS = 2000  # of a coefficient of the expanded polynomial (bound)
MAX_NESTING = 100  # of parentheses / unary signs around sub-expressions


def _chain(node: ast.AST, ops: tuple) -> list[tuple[bool, ast.AST]]:
    """Flatten a left-leaning chain a ± b ± c (or a * b * c) without recursion:
    [(negated, operand), ...]."""
    out = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, ops):
        out.append((isinstance(node.op, ast.Sub), node.right))
        node = node.left
    out.append((False, node))
    out.reverse()
    return out


def _exponent(node: ast.BinOp) -> int:
    """An exponent must be a whole-number literal 0..MAX_EXPONENT."""
    n = node.right.value if isinstance(node.right, ast.Constant) else None
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise SpecError("not a polynomial (exponents must be whole numbers ≥ 0 written as "
                        "plain numbers); only polynomial liftings are supported")
    if n > MAX_EXPONENT:
        raise ExprTooLarge(f"exponent {n} is above the limit of {MAX_EXPONENT}")
    return n


def _size(node: ast.AST, depth: int = 0) -> tuple[int, int, float]:
    """Upper bounds (terms, total degree, digits of the coefficients) of the expansion."""
    if depth > MAX_NESTING:
        raise ExprTooLarge(f"nested more than {MAX_NESTING} levels deep")
    if isinstance(node, ast.Expression):
        return _size(node.body, depth)
    if isinstance(node, ast.UnaryOp):
        return _size(node.operand, depth + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        parts = [_size(x, depth + 1) for _, x in _chain(node, (ast.Add, ast.Sub))]
        return (sum(p[0] for p in parts), max(p[1] for p in parts),
                max(p[2] for p in parts) + log10(len(parts)) + 1)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        t, g, c = 1, 0, 0.0
        for _, x in _chain(node, (ast.Mult, ast.Div)):
            a, b, e = _size(x, depth + 1)
            c += e + log10(min(t, a)) + 1
            t, g = t * a, g + b
            if t > MAX_TERMS:
                break
        return t, g, c
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        n = _exponent(node)
        a, b, e = _size(node.left, depth + 1)
        terms = comb(n + a - 1, a - 1) if a > 0 else 1  # monomials of degree n in a terms
        return terms, n * b, n * (e + log10(max(a, 1)) + 1)
    if isinstance(node, ast.Constant) and isinstance(node.value, int) \
            and not isinstance(node.value, bool):
        digits = len(str(abs(node.value)))
        if digits > MAX_DIGITS:
            raise ExprTooLarge(f"the number {str(node.value)[:12]}… has more than {MAX_DIGITS} "
                            "digits")
        return 1, 0, digits
    return 1, 1, 1


CHUNK_TERMS = 1000


def _top_level_terms(text: str) -> list[str]:
    """The summands of ``text`` outside parentheses, each with its sign ("a", "+b", "-c"); a
    sign right after an operator or "(" is unary and does not split."""
    pieces, depth, start, prev = [], 0, 0, ""
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch in "+-" and depth == 0 and prev and prev not in "*/^(+-eE":
            pieces.append(text[start:i])
            start = i
        if not ch.isspace():
            prev = ch
    pieces.append(text[start:])
    return pieces


def polynomial_expr(text: str, syms: dict[str, sympy.Symbol]) -> sympy.Expr:
    """Parse a polynomial with rational coefficients in the given symbols, safely.

    Only numbers, declared names, + - * /, and ** (or ^) with a whole-number literal exponent
    are accepted; nothing is evaluated as Python. Refused before expansion: more than
    MAX_TERMS terms, total degree above MAX_DEGREE, coefficients above MAX_COEFF_DIGITS digits.
    """
    written = text.count("+") + text.count("-") + 1
    if written > MAX_TERMS:  # a flat sum this long would also overflow Python's parser
        raise ExprTooLarge(f"too large: more than {MAX_TERMS} terms written (limit of symflow's "
                        f"polynomial input)")
    pieces = _top_level_terms(text)
    if len(pieces) > CHUNK_TERMS:  # a long flat sum: parsed in chunks (a chain of BinOp nodes
        out = sympy.Integer(0)    # this long would overflow Python's recursive parser)
        for k in range(0, len(pieces), CHUNK_TERMS):
            out = sympy.expand(out + polynomial_expr("".join(pieces[k:k + CHUNK_TERMS]), syms))
            if len(sympy.Add.make_args(out)) > MAX_TERMS:
                raise ExprTooLarge(f"too large: its expansion has more than {MAX_TERMS} terms "
                                f"(limit of symflow's polynomial input)")
        return out
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        raise SpecError("not a valid expression (or nested too deeply)") from None
    terms, degree, digits = _size(tree)
    if terms > MAX_TERMS:
        raise ExprTooLarge(f"too large: its expansion may have more than {MAX_TERMS} terms "
                        f"(limit of symflow's polynomial input)")
    if degree > MAX_DEGREE:
        raise ExprTooLarge(f"too large: its degree may exceed {MAX_DEGREE} (limit of symflow's "
                        "polynomial input)")
    if digits > MAX_COEFF_DIGITS:
        raise ExprTooLarge(f"too large: its coefficients may have more than {MAX_COEFF_DIGITS} "
                        "digits (limit of symflow's polynomial input)")

    def walk(node: ast.AST) -> sympy.Expr:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise SpecError(f"unexpected constant {node.value!r}")
            if isinstance(node.value, float):
                raise SpecError(f"{node.value} is a float; write exact rationals like 1/2")
            return sympy.Integer(node.value)
        if isinstance(node, ast.Name):
            if node.id not in syms:
                raise SpecError(f"unknown symbol {node.id}; declare it under 'parameters'")
            return syms[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            value = walk(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            return sympy.Add(*[-walk(x) if neg else walk(x)
                               for neg, x in _chain(node, (ast.Add, ast.Sub))])
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            node_ops = []
            cur = node
            while isinstance(cur, ast.BinOp) and isinstance(cur.op, (ast.Mult, ast.Div)):
                node_ops.append((cur.op, cur.right))
                cur = cur.left
            out = walk(cur)
            for op, x in reversed(node_ops):
                right = walk(x)
                if isinstance(op, ast.Div):
                    if not right.is_Rational or right == 0:
                        raise SpecError("not a polynomial (division by a non-constant or by "
                                        "0); only polynomial liftings are supported")
                    out = out / right
                else:
                    out = out * right
            return out
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            return walk(node.left) ** _exponent(node)
        if isinstance(node, ast.Call):
            fname = getattr(node.func, "id", "a function")
            raise SpecError(f"not a polynomial ({fname}(...) is not allowed); "
                            "only polynomial liftings are supported")
        raise SpecError(f"unsupported syntax '{ast.unparse(node)[:40]}'")

    return sympy.expand(walk(tree))


def degree_and_terms(e: sympy.Expr) -> tuple[int, int]:
    """(total degree, number of terms) of an expanded polynomial, term by term (no dense
    representation: there may be thousands of variables)."""
    terms = sympy.Add.make_args(e)
    degree = max((sum(int(x) for b, x in t.as_powers_dict().items() if b.is_Symbol)
                  for t in terms), default=0)
    return degree, len(terms)
