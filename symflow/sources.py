"""Where a conservation law comes from: one label per kind, written and read by one grammar
(no flint, no SymPy; shared by the engine, the certificate checker and the LaTeX renderer).

The kinds and their labels (numbers are ASCII digits without leading zeros, names ASCII
identifiers)::

    balance v        "balance of neuron v"                 h = Σ_{u→v} θ² (+ b_v²) − Σ_{v→w} θ²
    mixing v w       "mixing of linear neurons v, w"       the same pairing between two neurons
    family k a b     "(U{k+1}ᵀU{k+1} − U{k}U{k}ᵀ)[a,b]"    an entry of the conserved matrix H_k
    search k         "degree-k search"                     a polynomial law of degree k
    log-search k     "logarithmic search, degree ≤ k"      P + Σ λ_i ln|f_i|, k = max(1, deg P)

A label is read by ``parse`` and is valid only if ``label(*parse(text)) == text``: every label
has exactly one spelling. A search label carries the degree of the law itself (the degree a
search needs to find it), never a bound chosen by whoever wrote it.
"""

from __future__ import annotations

import re

_INT = r"([1-9][0-9]{0,5})"
_NAME = r"([A-Za-z_][A-Za-z0-9_]{0,99})"
_GRAMMAR = [
    ("balance", re.compile(rf"balance of neuron {_NAME}", re.ASCII)),
    ("mixing", re.compile(rf"mixing of linear neurons {_NAME}, {_NAME}", re.ASCII)),
    ("family", re.compile(rf"\(U{_INT}ᵀU{_INT} − U{_INT}U{_INT}ᵀ\)\[{_INT},{_INT}\]")),
    ("search", re.compile(rf"degree-{_INT} search", re.ASCII)),
    ("log-search", re.compile(rf"logarithmic search, degree ≤ {_INT}")),
]
KINDS = tuple(k for k, _ in _GRAMMAR)


def label(kind: str, *args: str | int) -> str:
    """The one label of a source."""
    if kind == "balance":
        return f"balance of neuron {args[0]}"
    if kind == "mixing":
        return f"mixing of linear neurons {args[0]}, {args[1]}"
    if kind == "family":
        k, a, b = (int(x) for x in args)
        return f"(U{k + 1}ᵀU{k + 1} − U{k}U{k}ᵀ)[{a},{b}]"
    if kind == "search":
        return f"degree-{int(args[0])} search"
    if kind == "log-search":
        return f"logarithmic search, degree ≤ {int(args[0])}"
    raise ValueError(f"unknown source kind {kind!r}")


def parse(text: str) -> tuple | None:
    """(kind, *args) of a label in its one spelling, else None: names as str, numbers as int
    (family: (k, a, b), the law matrix H_k's entry [a, b])."""
    if not isinstance(text, str):
        return None
    for kind, pattern in _GRAMMAR:
        m = pattern.fullmatch(text)
        if m is None:
            continue
        groups = list(m.groups())
        if kind == "family":  # written with k + 1 twice and k twice: read k, a, b
            args: tuple = (int(groups[2]), int(groups[4]), int(groups[5]))
        elif kind in ("search", "log-search"):
            args = (int(groups[0]),)
        else:
            args = tuple(groups)
        out = (kind, *args)
        return out if label(*out) == text else None
    return None
