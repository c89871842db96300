"""Safe parsing of polynomial expressions (no Python evaluation); SymPy only, no flint, so the
independent certificate checker can use it too."""

from __future__ import annotations

import ast

import sympy

from .errors import SpecError


def polynomial_expr(text: str, syms: dict[str, sympy.Symbol]) -> sympy.Expr:
    """Parse a polynomial with rational coefficients in the given symbols, safely.

    Only numbers, declared names, + - * /, and ** (or ^) with a non-negative integer exponent
    are accepted; nothing is evaluated as Python.
    """
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError:
        raise SpecError("not a valid expression") from None

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
