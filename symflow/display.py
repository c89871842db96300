"""How parameters and polynomials are typeset in a notebook: subscripts with separators, so
that W1_1_11 (layer 1, row 1, column 11) and W1_11_1 never look alike."""

from __future__ import annotations

import re
from typing import Any

_LAYERED = re.compile(r"([A-Za-z]+)(\d+)_(\d+)_(\d+)")  # W1_2_3, U2_1_1
_BIAS = re.compile(r"([A-Za-z]+)(\d+)_(\d+)")  # b1_2
_NAMED = re.compile(r"([A-Za-z]+)_([A-Za-z0-9_]+)")  # w_x1_h1, b_h1
_INDEXED = re.compile(r"([A-Za-z]+)(\d+)")  # a1


def _letters(s: str) -> str:
    """A name's letters: one letter as is, a Greek name as its letter, else upright."""
    if len(s) == 1:
        return s
    import sympy

    text = sympy.latex(sympy.Symbol(s))
    return text if text.startswith("\\") else f"\\mathrm{{{s}}}"


def latex_name(name: str) -> str:
    """W1_1_11 ↦ W^{(1)}_{1,11}; b1_2 ↦ b^{(1)}_{2}; w_x1_h1 ↦ w_{x1,h1}; a1 ↦ a_{1}; any
    other name as SymPy typesets it."""
    if m := _LAYERED.fullmatch(name):
        return f"{_letters(m[1])}^{{({m[2]})}}_{{{m[3]},{m[4]}}}"
    if m := _BIAS.fullmatch(name):
        return f"{_letters(m[1])}^{{({m[2]})}}_{{{m[3]}}}"
    if m := _NAMED.fullmatch(name):
        parts = ",".join(f"\\mathrm{{{p}}}" if len(p) > 1 else p for p in m[2].split("_"))
        return f"{_letters(m[1])}_{{{parts}}}"
    if m := _INDEXED.fullmatch(name):
        return f"{_letters(m[1])}_{{{m[2]}}}"
    import sympy

    return sympy.latex(sympy.Symbol(name))


def latex(expr: Any) -> str:
    """A SymPy expression with every parameter typeset by :func:`latex_name`."""
    import sympy

    names = {s: latex_name(s.name) for s in getattr(expr, "free_symbols", ())
             if isinstance(s, sympy.Symbol)}
    return sympy.latex(expr, symbol_names=names)
