"""Safe parsing of polynomial expressions (no Python evaluation); SymPy only, no flint, so the
independent certificate checker can use it too."""

from __future__ import annotations

import ast

import sympy

from .errors import SpecError

MAX_EXPONENT = 64
MAX_TERMS = 20_000
MAX_DIGITS = 60


def _term_bound(node: ast.AST) -> int:
    """An upper bound on the number of terms of the expanded expression, computed before
    anything is expanded (so that huge inputs are refused at once)."""
    from math import comb

    if isinstance(node, ast.Expression):
        return _term_bound(node.body)
    if isinstance(node, ast.UnaryOp):
        return _term_bound(node.operand)
    if isinstance(node, ast.BinOp):
        a, b = _term_bound(node.left), _term_bound(node.right)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            return a + b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a
        if isinstance(node.op, ast.Pow):
            n = node.right.value if isinstance(node.right, ast.Constant) else None
            if not isinstance(n, int) or isinstance(n, bool) or n < 0 or n > MAX_EXPONENT:
                return 1  # refused with its own message while parsing
            return comb(n + a - 1, a - 1) if a > 0 else 1  # monomials of degree n in a terms
    if isinstance(node, ast.Constant) and isinstance(node.value, int) \
            and not isinstance(node.value, bool) and len(str(abs(node.value))) > MAX_DIGITS:
        raise SpecError(f"the number {str(node.value)[:12]}… has more than {MAX_DIGITS} digits")
    return 1


def polynomial_expr(text: str, syms: dict[str, sympy.Symbol]) -> sympy.Expr:
    """Parse a polynomial with rational coefficients in the given symbols, safely.

    Only numbers, declared names, + - * /, and ** (or ^) with a non-negative integer exponent
    are accepted; nothing is evaluated as Python.
    """
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError:
        raise SpecError("not a valid expression") from None
    if _term_bound(tree) > MAX_TERMS:
        raise SpecError(f"too large: its expansion may have more than {MAX_TERMS} terms "
                        f"(limit of symflow's polynomial input)")

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
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if isinstance(node.op, ast.Div):
                if not right.is_Rational or right == 0:
                    raise SpecError("not a polynomial (division by a non-constant or by 0); "
                                    "only polynomial liftings are supported")
                return left / right
            if isinstance(node.op, ast.Pow):
                if right.is_Integer and right > MAX_EXPONENT:
                    raise SpecError(f"exponent {right} is above the limit of {MAX_EXPONENT}")
                if not (right.is_Integer and right >= 0):
                    raise SpecError("not a polynomial (exponents must be whole numbers ≥ 0); "
                                    "only polynomial liftings are supported")
                return left**right
        if isinstance(node, ast.Call):
            fname = getattr(node.func, "id", "a function")
            raise SpecError(f"not a polynomial ({fname}(...) is not allowed); "
                            "only polynomial liftings are supported")
        raise SpecError(f"unsupported syntax '{ast.unparse(node)}'")

    return sympy.expand(walk(tree))
