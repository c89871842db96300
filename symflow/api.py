"""The Python API: symflow's commands as functions, for notebooks and scripts (docs/api.md).

Every function takes the network or the lifting as ``spec``: a shorthand ("relu:3-2-1",
"linear:2-2-2"), the path of a YAML/JSON file, a ``networkx.DiGraph`` (the rules of the DAG
files), or SymPy expressions φ_1, …, φ_d with their ``symbols`` (a polynomial lifting). Results
carry SymPy objects (φ, the laws, the witnesses) and render in Jupyter.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .budgets import (  # noqa: F401 - re-exported: the API's predicted costs
    FAMILY_BITS_FACTOR,
    FAMILY_MAX_PARAMS,
    SEC_KERNEL,
    intrinsic_seconds,
    refuse_family_size,
    refuse_intrinsic_cost,
)
from .errors import SpecError, SymflowError
from .liftings import DEFAULT_MAX_PARAMS, DEFAULT_MAX_PATHS, DEFAULT_MAX_TERMS, Lifting
from .results import (
    MAX_SHOWN,
    NCF,
    Certificate,
    CheckResults,
    Discrete,
    Homogeneity,
    NeuralODE,
    Show,
    Simulation,
    Sweep,
    ZeroPattern,
)

__all__ = ["show", "lifting", "laws", "intrinsic", "certify", "check", "homogeneity", "zeros",
           "ncf", "escape", "simulate", "sweep", "neural_ode",
           "Lifting", "Laws", "Intrinsic", "Certificate", "CheckResult", "CheckResults",
           "Homogeneity", "ZeroPattern", "NCF", "Simulation", "Discrete", "Sweep", "NeuralODE",
           "SymflowError"]


# ----------------------------------------------------------------------------- inputs
def lifting(spec: Any, symbols: Sequence | None = None, *, name: str | None = None,
            max_params: int = DEFAULT_MAX_PARAMS, max_paths: int = DEFAULT_MAX_PATHS,
            max_terms: int = DEFAULT_MAX_TERMS) -> Lifting:
    """The lifting z = φ(θ) of ``spec`` (see the module docstring), within the limits."""
    limits = _check_limits(lifting, {"max_params": max_params, "max_paths": max_paths,
                                     "max_terms": max_terms})
    if name is not None and not isinstance(name, str):
        raise SymflowError(f"name must be a string, not {name!r}")
    if isinstance(spec, Lifting):
        return spec
    if isinstance(spec, (str, Path)):
        if symbols is not None:
            raise SymflowError("symbols apply to SymPy expressions, not to a shorthand or a file")
        from .spec import load_lifting

        return load_lifting(str(spec), **limits)
    nx = sys.modules.get("networkx")  # a networkx graph exists only if networkx was imported
    if nx is not None and isinstance(spec, nx.DiGraph):
        return _from_graph(spec, name or spec.graph.get("name", "dag"), limits)
    return _from_sympy(spec, symbols, name or "phi", limits)


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _neuron_names(g: Any) -> dict:
    """A neuron name for every node label: the label itself when it is an identifier, n<k>
    for a whole number k (networkx's default labels 0, 1, 2, …); anything else is refused."""
    names: dict = {}
    for v in g.nodes:
        if isinstance(v, str) and _IDENT.fullmatch(v):
            names[v] = v
        elif isinstance(v, int) and not isinstance(v, bool) and v >= 0:
            names[v] = f"n{v}"
        else:
            raise SpecError(f"node label {v!r}: use identifiers (letters, digits, _) or whole "
                            "numbers ≥ 0 as node labels")
    taken: dict = {}
    for v, n in names.items():
        if n in taken:
            raise SpecError(f"node labels {taken[n]!r} and {v!r} both become the neuron {n!r}")
        taken[n] = v
    return names


def _from_graph(g: Any, name: str, limits: dict) -> Lifting:
    """A DiGraph as a DAG file: nodes without predecessors are inputs, without successors
    outputs, the others hidden (``activation`` "relu" by default, or "linear"); a node with
    ``bias=True`` carries a bias; an edge's ``name`` (optional) names its parameter, and the
    same name on several edges shares it; an edge with a ``weight`` (an integer, a Fraction or
    "p/q") is fixed and carries none. Node labels that are whole numbers k become the neurons
    n<k>."""
    from .architecture import from_description
    from .liftings import network_lifting

    names = _neuron_names(g)
    neurons, edges, biases = [], [], []
    for v, data in g.nodes(data=True):
        if g.in_degree(v) == 0:
            kind, act = "input", "linear"
        elif g.out_degree(v) == 0:
            kind, act = "output", "linear"
        else:
            kind, act = "hidden", data.get("activation", "relu")
        neurons.append((names[v], kind, act))
        if data.get("bias"):
            biases.append(names[v])
    for u, v, data in g.edges(data=True):
        if "weight" in data:  # a fixed edge (the identity skip: weight=1), no parameter
            from .spec import _fixed_weight

            if data.get("name") is not None:
                raise SpecError(f"edge {u} -> {v}: a fixed weight carries no parameter (give "
                                "a name or a weight, not both)")
            w = data["weight"]
            w = str(w) if type(w).__name__ in ("Fraction", "Rational", "Integer") else w
            edges.append((names[u], names[v], None, _fixed_weight(w, "the graph", u, v)))
            continue
        edges.append((names[u], names[v], data.get("name")))
    arch = from_description(neurons, edges, biases, name=str(name))
    lf = network_lifting(arch, **limits)
    lf.max_terms = limits["max_terms"]
    return lf


def _from_sympy(exprs: Any, symbols: Any, name: str, limits: dict) -> Lifting:
    """φ given as SymPy expressions (a list, a ``sympy.Matrix`` read row by row, or one
    expression) in ``symbols`` (SymPy symbols, their names, or one string "u v")."""
    import sympy

    from .liftings import custom_lifting

    if isinstance(exprs, sympy.MatrixBase):
        exprs = list(exprs)
    elif isinstance(exprs, sympy.Basic):
        exprs = [exprs]
    if not isinstance(exprs, Sequence) or isinstance(exprs, str) or not exprs:
        raise SpecError("spec must be a shorthand, a file, a networkx.DiGraph, or SymPy "
                        "expressions (a list or a Matrix) with their symbols")
    try:
        exprs = [sympy.sympify(e, strict=True) for e in exprs]
    except (sympy.SympifyError, TypeError, ValueError):
        raise SpecError("every coordinate of φ must be a SymPy expression") from None
    if symbols is None:
        symbols = sorted(set().union(*(e.free_symbols for e in exprs)), key=str)
    elif isinstance(symbols, str):
        symbols = sympy.symbols(symbols, seq=True)
    elif isinstance(symbols, sympy.Symbol):
        symbols = [symbols]
    try:
        symbols = [sympy.Symbol(s) if isinstance(s, str) else s for s in symbols]
    except TypeError:
        raise SpecError("symbols must be SymPy symbols or their names") from None
    if not all(isinstance(s, sympy.Symbol) for s in symbols) or not symbols:
        raise SpecError("symbols must be SymPy symbols or their names")
    if len(set(symbols)) != len(symbols):
        raise SpecError("symbols lists a symbol twice")
    for e in exprs:
        if e.free_symbols - set(symbols):
            raise SpecError(f"{e} uses symbols not listed: {e.free_symbols - set(symbols)}")
        if not e.is_polynomial(*symbols) or \
                sympy.Poly(e, *symbols).domain not in (sympy.ZZ, sympy.QQ):
            raise SpecError(f"not a polynomial with rational coefficients in {symbols}: {e} "
                            "(only polynomial liftings are supported)")
    lf = custom_lifting(name, [str(s) for s in symbols], exprs, **limits)
    lf.max_terms = limits["max_terms"]
    return lf


def _latex_law(expr: Any) -> str:
    import sympy

    return sympy.latex(expr)


# ----------------------------------------------------------------------------- results
@dataclass
class Laws:
    """The conservation laws of a lifting: the proved count and the explicit laws (as SymPy
    expressions, built on first access)."""

    name: str
    D: int  # noqa: N815 - the paper's notation
    d: int
    count: int | None  # the exact number of independent laws near θ0, when proved
    lower: int  # explicit, verified laws with independent gradients at θ0
    upper: int  # D − (rank of the brackets at θ0)
    argument: str | None  # why the count is exact ("bounds", "one coordinate", "closure")
    sources: list[str]
    statement: str  # what was proved, in words (the certificate's sentence)
    result: Any = field(repr=False)  # the engine's LawsResult
    lifting: Any = field(repr=False, default=None)

    @cached_property
    def laws(self) -> list:
        """The explicit laws h(θ), SymPy expressions."""
        return [law.to_sympy(self.lifting.ring) for law in self.result.laws]

    @cached_property
    def phi(self) -> list:
        """The coordinates φ_i(θ), SymPy expressions ([] if φ is above the term limit)."""
        lf = self.lifting
        return [lf.ring.to_sympy(p) for p in lf.phi] if _expandable(lf) else []

    @cached_property
    def symbols(self) -> list:
        """The parameters θ, SymPy symbols."""
        return list(self.lifting.ring.symbols())

    def __repr__(self) -> str:
        law = "law" if self.count == 1 else "laws"
        what = (f"{self.count} independent conservation {law} (exact: {self.argument})"
                if self.count is not None else f"between {self.lower} and {self.upper} laws")
        return f"Laws({self.name}: {what}; {len(self.result.laws)} explicit)"

    def _count_text(self) -> str:
        if self.count is None:
            return (f"between {self.lower} and {self.upper} independent conservation laws "
                    f"near θ0 (bounds only)")
        extra = self.count - len(self.result.laws)
        more = f"; {extra} more exist (Frobenius), not written down" if extra else ""
        law = "law" if self.count == 1 else "laws"
        return (f"exactly {self.count} independent conservation {law} near θ0 "
                f"(argument: {self.argument}); {len(self.result.laws)} explicit{more}")

    @cached_property
    def _shown(self) -> list[tuple[str, str]]:
        """The first MAX_SHOWN laws as (LaTeX, source): only those are converted to SymPy."""
        from .display import latex

        ring = self.lifting.ring
        return [(latex(law.to_sympy(ring)), src) for law, src in
                zip(self.result.laws[:MAX_SHOWN], self.sources, strict=False)]

    def _more(self) -> int:
        return max(0, len(self.result.laws) - MAX_SHOWN)

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.name}**: D = {self.D} parameters, d = {self.d} coordinates; "
                 f"{self._count_text()}.", ""]
        for i, (h, src) in enumerate(self._shown, 1):
            lines.append(f"- $h_{{{i}}} = {h}$ ({src})")
        if self._more():
            lines.append(f"- … {self._more()} more laws (all in `.laws`)")
        lines += ["", self.statement]
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        """The same content as the Markdown: the count, the first laws, the statement."""
        rows = [f"\\text{{{_tex_text(self.name)}: {_tex_text(self._count_text())}.}}"]
        rows += [f"h_{{{i}}} = {h} \\quad \\text{{({_tex_text(src)})}}"
                 for i, (h, src) in enumerate(self._shown, 1)]
        if self._more():
            rows.append(f"\\text{{… {self._more()} more laws (all in .laws)}}")
        rows.append(f"\\text{{{_tex_text(self.statement)}}}")
        return "$\\begin{array}{l} " + " \\\\ ".join(rows) + " \\end{array}$"


def _tex_text(s: str) -> str:
    """Plain text inside \\text{…}: the characters TeX treats specially escaped."""
    for a, b in (("\\", "\\backslash "), ("{", "\\{"), ("}", "\\}"), ("$", "\\$"),
                 ("%", "\\%"), ("#", "\\#"), ("&", "\\&"), ("_", "\\_"), ("^", "\\^{}")):
        s = s.replace(a, b)
    return s


@dataclass
class Intrinsic:
    """The three intrinsic properties of [MPG25] (recoverability ⇒ metric ⇒ dynamic), each
    with its verdict, and the witnesses found at the points decided."""

    name: str
    recoverability: str  # "holds" / "fails" / "not decided"
    metric: str  # "holds" / "refuted" / "not decided"
    dynamic: str  # "holds" / "not decided"
    frobenius: bool
    points: list  # the points decided, SymPy column vectors
    witnesses: list  # per point: v with ∂φ v = 0, v ∈ Lie, ∂M v ≠ 0 (SymPy vector), or None
    statement: str
    result: Any = field(repr=False)  # the engine's IntrinsicResult

    def __repr__(self) -> str:
        return (f"Intrinsic({self.name}: recoverability {self.recoverability}, metric "
                f"{self.metric}, dynamic {self.dynamic})")

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.name}**", "",
                 "| property | verdict |", "|---|---|",
                 f"| recoverability | {self.recoverability} |",
                 f"| metric | {self.metric} |", f"| dynamic | {self.dynamic} |"]
        if self.frobenius:
            lines.append("| Frobenius | holds |")
        lines += ["", self.statement]
        return "\n".join(lines)


@dataclass
class CheckResult:
    """The independent check of one certificate: ``status`` is "valid", "invalid" (the failing
    step is named), "refused" (beyond the size limits) or "unreadable"."""

    path: str
    valid: bool
    steps: list[str]
    failed_step: str | None = None
    message: str | None = None
    status: str = "valid"

    def __bool__(self) -> bool:
        return self.valid

    def to_json(self) -> dict:
        """The status of ``symflow check --json`` for this file."""
        if self.valid:
            return {"path": self.path, "status": "valid", "steps": self.steps}
        if self.status in ("refused", "unreadable"):
            return {"path": self.path, "status": self.status, "message": self.message}
        return {"path": self.path, "status": "invalid", "step": self.failed_step,
                "message": self.message}

    def __repr__(self) -> str:
        what = (f"valid ({len(self.steps)} steps)" if self.valid else
                f"{self.status.upper()} at step '{self.failed_step}'")
        return f"CheckResult({self.path}: {what})"

    def _repr_markdown_(self) -> str:
        if self.valid:
            return f"`{self.path}`: **valid** ({len(self.steps)} steps)"
        if self.status in ("refused", "unreadable"):
            return f"`{self.path}`: **{self.status.upper()}**: {self.message}"
        return f"`{self.path}`: **INVALID** at step '{self.failed_step}': {self.message}"


def _check_depth(max_depth: Any) -> None:
    """The deepest bracket level: a whole number ≥ 1 (booleans refused)."""
    if not isinstance(max_depth, int) or isinstance(max_depth, bool) or max_depth < 1:
        raise SymflowError(f"max_depth must be a positive integer, not {max_depth!r}")


def _check_seconds(max_seconds: Any) -> None:
    """The time budget of a command: a number in (0, 86400] (NaN and booleans refused)."""
    if not isinstance(max_seconds, (int, float)) or isinstance(max_seconds, bool) \
            or not 0 < max_seconds <= 86_400:
        raise SymflowError(f"max_seconds must be a number in (0, 86400], not {max_seconds!r}")


# ----------------------------------------------------------------------------- validation
# Every function validates its own arguments with the ranges of the command's flags, so that
# the API and the CLI refuse the same inputs with the same one-line messages.
def _whole(name: str, value: Any, lo: int = 0, hi: int | None = None) -> int:
    """A whole number in [lo, hi] (booleans and floats refused)."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < lo or (
            hi is not None and value > hi):
        where = f"in [{lo}, {hi}]" if hi is not None else f"≥ {lo}"
        raise SymflowError(f"{name} must be a whole number {where}, not {value!r}")
    return int(value)


def _real(name: str, value: Any, lo: float, hi: float, lo_open: bool = True,
          hi_open: bool = False) -> float:
    """A finite number in the interval (lo, hi] (or with the given open ends)."""
    import numbers

    ok = (not isinstance(value, bool) and isinstance(value, numbers.Real)
          and (lo < value if lo_open else lo <= value)
          and (value < hi if hi_open else value <= hi))
    if not ok:
        where = f"{'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise SymflowError(f"{name} must be a number in {where}, not {value!r}")
    return float(value)


def _choice(name: str, value: Any, choices: Sequence[str]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise SymflowError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


#: the size limits every function taking a spec accepts (the flags --max-params, --max-paths,
#: --max-terms)
LIMIT_NAMES = ("max_params", "max_paths", "max_terms")


def _check_limits(function: Any, limits: dict) -> dict:
    """Only the size limits, each a whole number ≥ 1; any other keyword is a TypeError that
    names the public function (and the closest keyword it takes)."""
    import difflib
    import inspect

    for key, value in limits.items():
        if key not in LIMIT_NAMES:
            known = [*inspect.signature(function).parameters, *LIMIT_NAMES]
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"symflow.{function.__name__}() got an unexpected keyword argument "
                            f"{key!r}{hint}")
        _whole(key, value, 1)
    return limits


# ----------------------------------------------------------------------------- functions
#: ``laws`` takes up to this many parameters by default where a structural engine answers
#: without expanding φ (a layered linear network, the path-lifting of a ReLU network); every
#: other lifting keeps the general limit DEFAULT_MAX_PARAMS
STRUCTURAL_MAX_PARAMS = 12_000
#: ... and this many paths (each enumerated, never expanded into a polynomial)
STRUCTURAL_MAX_TERMS = 200_000


def laws_lifting(spec: Any, symbols: Sequence | None = None, **limits: int) -> Lifting:
    """The lifting for ``laws``: the structural limits of D and of the paths unless
    max_params / max_terms are given (the general ones for every other lifting)."""
    from .counting import uses_path_engine, uses_product_engine
    from .liftings import GENERAL_LIMITS, check_size, check_terms

    wide = {"max_params": STRUCTURAL_MAX_PARAMS, "max_terms": STRUCTURAL_MAX_TERMS}
    given = {k: v for k, v in limits.items() if k in wide}
    general = (limits.get("max_params", DEFAULT_MAX_PARAMS),
               limits.get("max_terms", DEFAULT_MAX_TERMS))
    token = GENERAL_LIMITS.set(general)
    try:
        lf = lifting(spec, symbols,
                     **{**limits, **{k: v for k, v in wide.items() if k not in given}})
    finally:
        GENERAL_LIMITS.reset(token)
    if uses_path_engine(lf) or uses_product_engine(lf):
        return lf
    if "max_params" not in given:
        check_size(lf.D, 0, DEFAULT_MAX_PARAMS, DEFAULT_MAX_PATHS)
    if "max_terms" not in given and lf.architecture is not None:
        check_terms(lf.architecture.count_paths(), DEFAULT_MAX_TERMS)
    return lf


def laws(spec: Any, symbols: Sequence | None = None, *, seed: int = 0,
         degree: int | None = None, max_depth: int | None = None, progress: Any = None,
         max_seconds: float = 60.0, block: str | Sequence[str] | None = None,
         **limits: int) -> Laws:
    """Count the conservation laws of ``spec`` exactly (D − dim Lie(W_φ)(θ0) when proved) and
    write down those it finds (docs/counting.md). ``degree``: search every polynomial law up to
    it; ``max_depth``: the deepest brackets explored (None: as deep as ``max_seconds`` allows
    for a linear network, 8 otherwise); ``progress``: a callable taking a line. ``block``:
    parameter names or patterns ("W1_*,W2_*"): count instead the laws that depend on those
    parameters only, the others arbitrary (liftings.block_lifting), and compare with the block
    alone when it is a run of layers of a layered network (docs/architectures.md)."""
    from .counting import conservation_laws

    if block is not None:
        return _block_laws(spec, symbols, block, seed, degree, max_depth, progress, max_seconds,
                           limits)

    _check_limits(laws, limits)
    _whole("seed", seed)
    if degree is not None:
        _whole("degree", degree, 0)
    if max_depth is not None:
        _check_depth(max_depth)
    _check_seconds(max_seconds)
    lf = laws_lifting(spec, symbols, **limits)
    r = conservation_laws(lf, seed=seed, max_degree=degree, max_depth=max_depth,
                          progress=progress, max_seconds=max_seconds)
    return Laws(lf.name, lf.D, lf.d, r.count, r.lower, r.upper, r.argument,
                [law.source for law in r.laws], _statement(r), r, lf)


def _block_names(lf: Lifting, block: str | Sequence[str]) -> list[str]:
    """The block's parameters, in the lifting's order, from names or fnmatch patterns."""
    import fnmatch

    patterns = [x.strip() for x in block.split(",")] if isinstance(block, str) else list(block)
    if not patterns or not all(isinstance(x, str) and x for x in patterns):
        raise SymflowError("block must be parameter names or patterns, like 'W1_*,W2_*'")
    chosen: set[str] = set()
    for pat in patterns:
        hit = fnmatch.filter(lf.params, pat)
        if not hit:
            raise SymflowError(f"the block names {pat[:40]!r}, which matches no parameter of "
                               f"{lf.name} (its parameters begin {', '.join(lf.params[:4])}, …)")
        chosen.update(hit)
    return [n for n in lf.params if n in chosen]


def _isolated(lf: Lifting, names: list[str]) -> str | None:
    """The block alone as a shorthand, when it is every weight of consecutive layers k..k' of
    a layered network without biases (relu:…, linear:…); None otherwise."""
    import re as _re

    widths = lf.widths or (lf.architecture.widths if lf.architecture is not None else None)
    if not widths or (lf.architecture is not None and lf.architecture.has_bias()):
        return None
    layers = sorted({int(m[1]) for n in names if (m := _re.fullmatch(r"[WU](\d+)_\d+_\d+", n))})
    if not layers:
        return None
    full = [n for n in lf.params if (m := _re.fullmatch(r"[WU](\d+)_\d+_\d+", n))
            and int(m[1]) in layers]
    if full != names or layers != list(range(layers[0], layers[-1] + 1)):
        return None
    kind = "linear" if lf.kind == "product" else lf.name.split(":")[0]
    return f"{kind}:" + "-".join(map(str, widths[layers[0] - 1:layers[-1] + 1]))


def _certifiable_block(lf: Lifting, names: list[str]) -> Lifting:
    """The block lifting, named and described as its certificate records it (the network's
    architecture and the block's parameters)."""
    from .certificate.model import architecture_of
    from .liftings import block_lifting

    blf = block_lifting(lf, names)
    if lf.kind != "custom" or lf.block:  # a network: the certificate can rebuild it
        network = architecture_of(lf)
        blf.name = f"{network.get('name', lf.name)} [block]"
        blf.block = {"kind": "block", "block": names, "network": network}
    return blf


def _block_laws(spec: Any, symbols: Any, block: Any, seed: int, degree: Any, max_depth: Any,
                progress: Any, max_seconds: float, limits: dict) -> Laws:
    """laws(spec, block=…): the laws of the block lifting, with the comparison note."""
    from .counting import conservation_laws

    _check_limits(laws, limits)
    _whole("seed", seed)
    _check_seconds(max_seconds)
    lf = lifting(spec, symbols, **limits)
    if lf.d:
        lf.phi[0]  # noqa: B018 - the block's coefficients are read off φ expanded: the limit
    names = _block_names(lf, block)
    blf = _certifiable_block(lf, names)
    r = conservation_laws(blf, seed=seed, max_degree=degree, max_depth=max_depth,
                          progress=progress, max_seconds=max_seconds)
    alone = _isolated(lf, names)
    if alone is not None and r.count is not None:
        other = conservation_laws(lifting(alone), seed=seed, max_seconds=max_seconds)
        same = "the same count" if other.count == r.count else "a DIFFERENT count"
        r.notes.append(f"the block alone is {alone}: {other.count} laws, {same} as the "
                       f"{r.count} laws of {lf.name} that depend on the block only (the "
                       "reduction of [MGP25b])")
    r.notes.append(f"laws that depend on the {len(names)} parameters of the block only, the "
                   f"{lf.D - len(names)} others arbitrary: the laws of the lifting ψ of the "
                   "block (each φ_i's coefficients as a polynomial in the other parameters)")
    return Laws(blf.name, blf.D, blf.d, r.count, r.lower, r.upper, r.argument,
                [law.source for law in r.laws], _statement(r), r, blf)


def _expandable(lf: Lifting) -> bool:
    """φ can be shown as SymPy expressions (a linear network counted without expanding it
    keeps φ unexpanded above the term limit)."""
    from .counting import _phi_size

    return _phi_size(lf)[0] <= lf.max_terms


def intrinsic(spec: Any, symbols: Sequence | None = None, *, init: str = "generic",
              seed: int = 0, samples: int | None = None, at: Sequence | None = None,
              level: Any = None, max_depth: int = 8, max_seconds: float = 60.0,
              progress: Any = None, **limits: int) -> Intrinsic:
    """Decide recoverability, the metric and the dynamic property of [MPG25] at a generic
    point, at ``at`` (values in parameter order, {name: value}, or a JSON/YAML file of either),
    on an initialisation family (``init``, ``samples`` points) or on level sets (``level``: a
    symmetric matrix H, a file holding one, or "random") of a two-layer linear network
    (docs/intrinsic.md). Sizes are checked before any work, files read after: d ≤ 2000 (or
    ``max_paths``) for the dense criterion, D ≤ 250 (or ``max_params``) on families and level
    sets."""
    import sympy

    from .errors import LimitError, SymflowError
    from .properties import MAX_DENSE_COORDS, parse_level, parse_point
    from .properties import intrinsic as decide
    from .spec import read_data
    from .wording import INITS

    _check_limits(intrinsic, limits)
    _choice("init", init, INITS)
    _whole("seed", seed)
    if samples is not None:
        _whole("samples", samples, 1, 64)
    if level is not None and (at is not None or init != "generic"):
        raise SymflowError("--level chooses the points itself: it cannot be combined with --at "
                           "or --init")
    if at is not None and init != "generic":
        raise SymflowError("--at decides at the point you give: it cannot be combined with "
                           f"--init {init}")
    if samples is not None and init == "generic" and level is None:
        raise SymflowError("--samples applies to --init balanced / relaxed-balanced and to "
                           "--level (a generic point is one seeded point: use --seed)")
    # the criterion uses dense ∂φ (d × D) and M (d × d): max_paths given explicitly replaces
    # the default limit on d
    _check_seconds(max_seconds)
    _check_depth(max_depth)
    dense_limit = limits.get("max_paths", MAX_DENSE_COORDS)
    family = init != "generic" or level is not None
    # a ReLU path-lifting at its generic point is decided from D generator values: it takes
    # the structural limit of D (every other case the general one)
    wide = {} if "max_params" in limits or family or at is not None else {
        "max_params": STRUCTURAL_MAX_PARAMS}
    lf = lifting(spec, symbols, **{**limits, **wide})
    if wide and lf.kind != "path":
        from .liftings import check_size

        check_size(lf.D, 0, DEFAULT_MAX_PARAMS, DEFAULT_MAX_PATHS)
    if lf.d:
        lf.phi[0]  # noqa: B018 - the criterion needs φ expanded: the term limit, up front
    refuse_family_size(lf, family, limits.get("max_params"))
    n_points = 1 if at is not None or not family else (3 if samples is None else samples)
    refuse_intrinsic_cost(lf, n_points, family, max_seconds)
    # a ReLU path-lifting at its generic point is decided from D generator values (no dense
    # ∂φ); everything else needs the dense d × D Jacobian, whose memory grows like d·D
    generic_path = lf.kind == "path" and at is None and not family
    if lf.d > dense_limit and not generic_path:
        raise LimitError(f"the lifting has d = {lf.d} coordinates, above the limit of "
                         f"{dense_limit} for the dense Jacobian of the criterion (raise it with "
                         f"--max-paths)")
    if isinstance(at, (str, Path)):  # a file: a point {name: value} or [values]
        at = read_data(Path(at))
    if isinstance(level, (str, Path)) and level != "random":  # a file: a matrix H
        level = read_data(Path(level))
    if at is not None and not isinstance(at, (dict, str, bytes)):
        at = list(at)  # a tuple, a SymPy or numpy vector: the values in parameter order
    point = parse_point(lf, at) if at is not None else None
    lev = parse_level(lf, level) if level is not None and level != "random" else level
    import time as clock

    r = decide(lf, init=init, at=point, seed=seed, samples=3 if samples is None else samples,
               level=lev, max_depth=max_depth, max_dense_coords=dense_limit,
               # the brackets stop at 55 % of the budget: the exact kernel, the witness and
               # the closed forms come after them (linear:5-18-13-2-4-8: 18 s, 30 s, 20 s)
               progress=progress, deadline=clock.monotonic() + 0.55 * max_seconds)

    def vector(v: Any) -> Any:
        return None if v is None else sympy.Matrix([sympy.Rational(str(x)) for x in v])

    return Intrinsic(lf.name, r.recoverability, r.metric, r.dynamic, r.frobenius,
                     [vector(c.point) for c in r.checks], [vector(c.witness) for c in r.checks],
                     _statement(r), r)


def certify(spec: Any, symbols: Sequence | None = None, *, directory: str | Path = ".",
            init: str = "generic", seed: int = 0, samples: int = 3, at: Sequence | None = None,
            pdf: bool = True, fragment: bool = False, progress: Any = None,
            max_seconds: float = 60.0, block: str | Sequence[str] | None = None,
            **limits: int) -> Certificate:
    """Write the certificate of ``spec`` (JSON evidence, LaTeX, PDF if pdflatex is installed)
    into ``directory``, after re-checking it with the independent checker."""
    from .certificate.run import certify_one
    from .wording import INITS

    _check_limits(certify, limits)
    _choice("init", init, INITS)
    _whole("seed", seed)
    _whole("samples", samples, 1, 64)
    for flag, value in (("pdf", pdf), ("fragment", fragment)):
        if not isinstance(value, bool):
            raise SymflowError(f"{flag} must be True or False, not {value!r}")
    if not isinstance(directory, (str, Path)):
        raise SymflowError(f"directory must be a path, not {directory!r}")
    _check_seconds(max_seconds)
    lf = lifting(spec, symbols, **limits)
    label = str(spec) if isinstance(spec, (str, Path)) else lf.name
    if block is not None:  # the laws that depend on the block only (a polynomial lifting ψ)
        if init != "generic" or at is not None:
            raise SymflowError("--block certifies the block's laws at a generic point: it "
                               "cannot be combined with --init or --at")
        if lf.d:
            lf.phi[0]  # noqa: B018 - the block's coefficients are read off φ expanded
        lf = _certifiable_block(lf, _block_names(lf, block))
        if lf.block is None:
            raise SymflowError("--block certificates need a network (a polynomial lifting's "
                               "block is a polynomial lifting: certify it directly)")
        label = f"{label}-block"
    refuse_family_size(lf, init != "generic", limits.get("max_params"))
    return certify_one(lf, Path(directory), init=init, seed=seed, samples=samples, at=at,
                       pdf=pdf, label=label, fragment=fragment, progress=progress,
                       max_seconds=max_seconds)


def check(path: str | Path, max_params: int = 1000, max_paths: int = 2000,
          tex: bool = False, max_seconds: float = 60.0,
          max_bytes: int = 20_000_000, progress: Any = None) -> CheckResult | CheckResults:
    """Re-verify a certificate independently (docs/certificates.md): every field that reaches a
    verdict, a count or a sentence is recomputed; with ``tex``, the LaTeX beside it must be the
    rendering of the verified data. A certificate beyond a limit (sizes, or a check predicted
    to take more than ``max_seconds``) is refused, status "refused", never judged.
    ``progress``: a callable taking a line, called as each step starts. A directory gives
    a ``CheckResults``, the list of the checks of its ``*.json`` files (at any depth)."""
    from .certificate.check import Limits, Refused, Unreadable
    from .certificate.verify import check_path
    from .errors import SymflowError

    for name, value in (("max_params", max_params), ("max_paths", max_paths),
                        ("max_bytes", max_bytes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SymflowError(f"{name} must be a whole number ≥ 1, not {value!r}")
    if isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float)) \
            or not 0.01 <= max_seconds < float("inf"):
        raise SymflowError(f"max_seconds must be a finite number ≥ 0.01, not {max_seconds!r}")
    if not isinstance(path, (str, Path)):
        raise SymflowError(f"path must be a file or a directory, not {path!r}")
    if not isinstance(tex, bool):
        raise SymflowError(f"tex must be True or False, not {tex!r}")
    if Path(path).is_dir():
        files = sorted(Path(path).rglob("*.json"))
        if not files:
            return CheckResults(str(path), [CheckResult(
                str(path), False, [], "format", "no certificates (*.json) in this directory",
                "unreadable")])
        return CheckResults(str(path), [
            check(f, max_params, max_paths, tex, max_seconds, max_bytes, progress)
            for f in files])
    on_step = None
    if progress is not None:
        def on_step(step: str, predicted: float) -> None:
            progress(f"{Path(path).name}: step {step} (predicted {predicted:.1f} s)")
    try:
        rep = check_path(Path(path), Limits(max_params, max_paths, max_bytes,
                                            float(max_seconds), on_step), tex=tex)
    except Refused as exc:  # a limit of the checker, at the step that met it: exit 2
        return CheckResult(str(path), False, [], exc.step, f"step '{exc.step}': {exc}",
                           "refused")
    except Unreadable as exc:
        return CheckResult(str(path), False, [], "format", str(exc), "unreadable")
    if rep.ok:
        return CheckResult(str(path), True, list(rep.passed))
    return CheckResult(str(path), False, list(rep.passed), rep.failed.step, rep.failed.message,
                       "invalid")


def homogeneity(spec: Any, symbols: Sequence | None = None, **limits: int) -> Homogeneity:
    """The degree L of homogeneity of the output, H(x; cθ) = c^L H(x; θ) for c > 0, verified
    by Euler's identity ⟨∇H, θ⟩ = L·H on every activation region; per layer too."""
    from .homogeneous import homogeneity as analyse

    _check_limits(homogeneity, limits)
    lf = lifting(spec, symbols, **limits)
    h = analyse(lf)
    return Homogeneity(lf.name, h.degree, h.euler_verified, h.path_degrees, h.groups,
                       h.weighted_degree, {k: v for k, v in (h.weighted or {}).items() if v != 1},
                       h.notes, h)


def simulate(spec: Any, symbols: Sequence | None = None, *, init: str = "generic",
             data: str = "random:20", seed: int = 0, time: float = 10.0, scale: float = 1.0,
             max_seconds: float = 20.0, max_steps: int = 1_000_000, progress: Any = None,
             optimizer: str | None = None, lr: Sequence[float] | str | None = None,
             batch: int | None = None, **limits: int) -> Simulation | Discrete:
    """The numerical cross-check (floats): integrate θ' = −∇L(θ) across ReLU kinks and report
    the drift of the laws, the loss, and the gap to the intrinsic z-flow where its metric is
    known. A run that stops before ``time`` is ``partial`` and measures up to where it got.
    With ``optimizer`` ("gd" or "sgd", minibatches of ``batch`` points), discrete steps
    instead: for each step η of ``lr`` the drift of every law at ``time`` and its order in η
    (a ``Discrete``)."""
    from .flow import simulate as run
    from .wording import INITS

    _check_limits(simulate, limits)
    _choice("init", init, INITS)
    if not isinstance(data, str):
        raise SymflowError(f"data must be a string like 'random:20', not {data!r}")
    _whole("seed", seed)
    _real("time", time, 0, 1000)
    _real("scale", scale, 1e-3, 100, lo_open=False)
    _check_seconds(max_seconds)
    _whole("max_steps", max_steps, 1)
    lf = lifting(spec, symbols, **limits)
    if lf.d:
        lf.phi[0]  # noqa: B018 - φ(θ(t)) is evaluated from φ expanded: the term limit, up front
    if optimizer is not None or lr is not None or batch is not None:
        return _discrete(lf, optimizer or "gd", lr, batch, init, data, seed, float(time),
                         float(scale), max_seconds)
    sim = run(lf, init=init, data=data, seed=seed, t_end=float(time), scale=float(scale),
              max_seconds=max_seconds, max_steps=max_steps, progress=progress)
    reached = float(sim.times[-1])
    measured = len(sim.times) > 1 and reached > 0
    return Simulation(lf.name, init, data, seed, float(time), reached,
                      reached < float(time) * (1 - 1e-12), float(sim.loss[0]),
                      float(sim.loss[-1]), sim.max_law_drift if measured else None,
                      {n: float(row.max()) for n, row in zip(sim.law_names, sim.law_drift,
                                                             strict=True)} if measured else {},
                      sim.z_formula, sim.gap, list(sim.notes), sim)


EXACT = re.compile(r"-?(0|[1-9][0-9]{0,59})(/[1-9][0-9]{0,59})?", re.ASCII)


def read_exact_data(lf: Lifting, data_file: str | Path) -> tuple[list, list]:
    """{x: [[…]], y: [[…]]} with exact numbers (integers or 'p/q'), shapes checked."""
    import sympy

    from .spec import read_data

    data = read_data(Path(data_file))
    if isinstance(data, dict) and set(map(str, data)) - {"x", "y"}:
        extra = ", ".join(sorted(map(str, set(map(str, data)) - {"x", "y"})))
        raise SymflowError(f"{data_file}: unknown key(s) {extra} (a data file has x and y)")
    try:
        for v in [v for key in ("x", "y") for row in data[key] for v in row]:
            if isinstance(v, (bool, float)) or not isinstance(v, (int, str)) or (
                    isinstance(v, str) and EXACT.fullmatch(v) is None):
                raise SymflowError(f"{data_file}: {str(v)[:40]!r} is not exact; give integers "
                                   "or 'p/q' strings (at most 60 digits each, q ≠ 0)")
            if isinstance(v, int) and len(str(abs(v))) > 60:
                raise SymflowError(f"{data_file}: a number has more than 60 digits")
        xs = [[sympy.Rational(str(v)) for v in row] for row in data["x"]]
        ys = [[sympy.Rational(str(v)) for v in row] for row in data["y"]]
        if not xs or not ys:
            raise SymflowError(f"{data_file}: x and y need at least one data point each")
    except (KeyError, TypeError, ValueError, sympy.SympifyError):
        raise SymflowError(f"{data_file}: expected {{x: [[...]], y: [[...]]}} with exact "
                           "numbers") from None
    if len(xs) > 64:
        raise SymflowError(f"{data_file}: at most 64 data points (got {len(xs)})")
    sizes = lf.io_widths()
    if sizes is None:
        raise SymflowError("the neural correlation function needs a network (relu:..., "
                           "linear:..., relu^p:..., x^p:... or a DAG), not a polynomial lifting")
    n_in, n_out = sizes
    if len(xs) != len(ys) or any(len(x) != n_in for x in xs) or any(len(y) != n_out for y in ys):
        raise SymflowError(f"{data_file}: need as many x as y, each x of length {n_in} and each "
                           f"y of length {n_out}")
    return xs, ys


def _discrete(lf: Lifting, optimizer: str, lr: Any, batch: Any, init: str, data: str,
              seed: int, time: float, scale: float, max_seconds: float) -> Discrete:
    from .flow import discrete_drift

    _choice("optimizer", optimizer, ("gd", "sgd"))
    if lr is None:
        lr = (0.1, 0.05, 0.025, 0.0125)
    if isinstance(lr, str):
        try:
            lr = [float(x) for x in lr.split(",")]
        except ValueError:
            raise SymflowError(f"--lr must be numbers separated by commas (got {lr!r})") from None
    etas = [_real("lr", x, 0, 1) for x in lr]
    if not 2 <= len(etas) <= 8 or len(set(etas)) != len(etas):
        raise SymflowError("--lr needs 2 to 8 distinct steps in (0, 1] (an order is fitted)")
    if batch is not None:
        if optimizer != "sgd":
            raise SymflowError("--batch applies to --optimizer sgd")
        _whole("batch", batch, 1)
    steps = sum(round(time / e) for e in etas)
    if steps > 1_000_000:
        raise SymflowError(f"{steps} steps in all (time / lr summed), above 1 000 000: shorten "
                           "--time or use larger steps")
    r = discrete_drift(lf, etas, optimizer, batch, init, data, seed, time, scale, max_seconds)
    laws = [{"law": name, "drift": [float(v) for v in row], "order": order}
            for name, row, order in zip(r.law_names, r.drift, r.orders, strict=True)]
    return Discrete(lf.name, optimizer, etas, time, r.batch, laws, r.steps, r.notes, r)


def _exact_data(lf: Lifting, x: Any, y: Any) -> tuple[list, list]:
    """Data as exact rationals (ints, Fractions, SymPy rationals or 'p/q' strings), shapes
    checked against the network: x of length n_in, y of length n_out, as many of each."""
    import sympy

    from .errors import SymflowError

    def row(r: Any, what: str) -> list:
        if not isinstance(r, (list, tuple)) or not r:
            raise SymflowError(f"{what} must be a list of non-empty lists of exact numbers")
        out = []
        for v in r:
            if isinstance(v, (bool, float)):
                raise SymflowError(f"{what}: {v!r} is not exact; give integers, fractions or "
                                   "'p/q' strings")
            if isinstance(v, str) and re.fullmatch(r"-?[0-9]{1,60}(/[0-9]{1,60})?", v) is None:
                raise SymflowError(f"{what}: {v[:40]!r} is not an integer or a 'p/q' string")
            try:
                q = sympy.Rational(str(v)) if not isinstance(v, sympy.Rational) else v
            except (TypeError, ValueError, ZeroDivisionError, sympy.SympifyError):
                raise SymflowError(f"{what}: {str(v)[:40]!r} is not a rational number") from None
            if not q.is_finite or len(str(abs(q.p))) > 60 or len(str(q.q)) > 60:
                raise SymflowError(f"{what}: a number with more than 60 digits")
            out.append(q)
        return out

    if not isinstance(x, (list, tuple)) or not isinstance(y, (list, tuple)) or not x:
        raise SymflowError("x and y must be lists of data points (lists of numbers)")
    xs, ys = [row(r, "x") for r in x], [row(r, "y") for r in y]
    sizes = lf.io_widths()
    if sizes is None:
        raise SymflowError("the neural correlation function needs a network, not a polynomial "
                           "lifting")
    if len(xs) > 64:
        raise SymflowError(f"at most 64 data points (got {len(xs)})")
    if len(xs) != len(ys) or any(len(r) != sizes[0] for r in xs) or any(
            len(r) != sizes[1] for r in ys):
        raise SymflowError(f"need as many x as y, each x of length {sizes[0]} and each y of "
                           f"length {sizes[1]}")
    return xs, ys


def _data(lf: Lifting, x: Any, y: Any, data: Any) -> tuple[list, list]:
    """The data set: lists x and y, or a file ``data`` {x: [[…]], y: [[…]]} (not both)."""
    if data is not None:
        if x is not None or y is not None:
            raise SymflowError("give the data as x and y, or as a data file, not both")
        if not isinstance(data, (str, Path)):
            raise SymflowError(f"data must be the path of a YAML/JSON file, not {data!r}")
        return read_exact_data(lf, data)
    return _exact_data(lf, x, y)


def ncf(spec: Any, x: Any = None, y: Any = None, *, data: str | Path | None = None,
        max_regions: int = 256, max_seconds: float = 60.0, **limits: int) -> NCF:
    """The KKT points of max N(w) = Σ_i ⟨y_i, H(x_i; w)⟩ on ‖w‖ = 1 [KH25], exactly, on every
    activation region (Clarke's sense for ReLU); the data as lists ``x``, ``y`` of exact
    numbers or a file ``data``."""
    from .correlation import MAX_NCF_PARAMS
    from .correlation import ncf as solve
    from .errors import SymflowError

    _check_limits(ncf, limits)
    if not isinstance(max_regions, int) or isinstance(max_regions, bool) or max_regions < 1:
        raise SymflowError("max_regions must be a whole number ≥ 1")
    _check_seconds(max_seconds)
    lf = lifting(spec, **limits)
    _refuse_shared(lf, "ncf")
    xs, ys = _data(lf, x, y, data)
    r = solve(lf, xs, ys, max_params=limits.get("max_params", MAX_NCF_PARAMS),
              max_regions=max_regions, max_seconds=float(max_seconds))
    rows = [{"w": k.w, "w_approx": k.w_approx, "N": k.value, "mu": k.mu,
             "positive": k.positive, "boundary": [[v, i + 1] for v, i in k.boundary],
             "clarke": k.clarke, "second_order": k.second_order, "direction": k.direction,
             "note": k.note, "support": k.support} for k in r.points]
    conts = [{"where": c.where, "dimension": c.dimension, "mu_zero": c.mu_zero, "note": c.note}
             for c in r.continua]
    return NCF(lf.name, str(r.expression), r.smoothness, r.pieces, r.empty, r.finite, r.method,
               list(r.notes), rows, conts, list(r.undecided), r.seconds, r)


def escape(spec: Any, x: Any = None, y: Any = None, *, data: str | Path | None = None,
           deltas: Sequence[float] = (1e-2, 1e-3, 1e-4),
           horizon: float = 60.0, scale: float | None = None, seed: int = 0,
           max_seconds: float = 60.0, **limits: int) -> Any:
    """Escape from a small initialisation [KH25]: the exact positive second-order KKT points,
    the numerical paths from δ·w*, the first saddle found and verified exactly, the sparsity
    that survives: a ``symflow.smallinit.EscapeResult``."""
    import math

    from .correlation import MAX_NCF_PARAMS
    from .errors import SymflowError
    from .smallinit import escape as run

    _check_limits(escape, limits)
    if isinstance(deltas, str):  # "1e-2,1e-3", as the flag
        try:
            deltas = tuple(float(t) for t in deltas.split(","))
        except ValueError:
            raise SymflowError(f"--deltas must be numbers separated by commas (got "
                               f"{deltas!r})") from None
    ds = tuple(deltas)
    if not 2 <= len(ds) <= 6 or not all(isinstance(d, (int, float)) and not isinstance(d, bool)
                                        and 0 < d < 1 for d in ds):
        raise SymflowError("--deltas needs 2 to 6 values, each in (0, 1)")
    if not isinstance(horizon, (int, float)) or not 0 < horizon <= 10_000 or \
            math.isnan(horizon):
        raise SymflowError("horizon must be a number in (0, 10000]")
    if scale is not None and (not isinstance(scale, (int, float)) or not 0 < scale < 1):
        raise SymflowError("scale must be a number in (0, 1)")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise SymflowError("seed must be a whole number ≥ 0")
    _check_seconds(max_seconds)
    lf = lifting(spec, **limits)
    _refuse_shared(lf, "escape")
    if lf.D > MAX_NCF_PARAMS and "max_params" not in limits:
        raise SymflowError(f"the KKT system is solved exactly for D ≤ {MAX_NCF_PARAMS} "
                           f"parameters (this network has D = {lf.D}; raise it with "
                           "--max-params)")
    xs, ys = _data(lf, x, y, data)
    return run(lf, xs, ys, deltas=ds, horizon=float(horizon), max_seconds=float(max_seconds),
               random_scale=scale, seed=seed,
               max_params=limits.get("max_params", MAX_NCF_PARAMS))


def _refuse_shared(lf: Lifting, command: str, fixed_only: bool = False) -> None:
    """Commands whose engines read one parameter per edge refuse shared or fixed weights."""
    arch = lf.architecture
    if arch is None or not arch.shared:
        return
    fixed = any(arch.edge_weight(u, v) is not None for u, v in arch.graph.edges)
    if fixed or not fixed_only:
        what = "fixed weights (skip connections)" if fixed_only else "shared or fixed weights"
        raise SymflowError(f"{command} does not support networks with {what} yet (laws, "
                           "intrinsic, certify, check, show, simulate and homogeneity do)")


def show(spec: Any, symbols: Sequence | None = None, *, listed: int | None = None,
         **limits: int) -> Show:
    """The parameters θ and the coordinates φ_i(θ) of ``spec`` as canonical texts (the first
    ``listed`` coordinates only, if given: a coordinate's text costs O(D) to write)."""
    _check_limits(show, limits)
    if listed is not None:
        _whole("listed", listed, 0)
    lf = lifting(spec, symbols, **limits)
    n = lf.d if listed is None else min(lf.d, listed)
    coords = [{"label": lf.labels[i], "phi": lf.ring.format(lf.phi[i])} for i in range(n)]
    return Show(lf.name, lf.kind, lf.D, lf.d, list(lf.params), coords, lf)


def zeros(spec: Any, pattern: Any, symbols: Sequence | None = None,
          **limits: int) -> ZeroPattern:
    """Is {θ_S = 0} invariant under the lifted flow θ' = −∂φᵀ∇ℓ(φ(θ)) (iff every ∂φ_i/∂θ_s,
    s ∈ S, vanishes on it) and under the network's own flow (relu′(0) = 0)? ``pattern``: a
    YAML/JSON file, a mapping {parameters, neurons, incoming, outgoing: [names]}, or a list of
    parameter names."""
    from .homogeneous import network_zero_pattern, pattern_names, read_pattern, zero_pattern

    _check_limits(zeros, limits)
    lf = lifting(spec, symbols, **limits)
    _refuse_shared(lf, "zeros")
    if isinstance(pattern, (str, Path)):
        zs = read_pattern(lf, Path(pattern))
    elif isinstance(pattern, dict):
        zs = pattern_names(lf, pattern, "the pattern")
    elif isinstance(pattern, (list, tuple)):
        zs = pattern_names(lf, {"parameters": [str(p) for p in pattern]}, "the pattern")
    else:
        raise SymflowError("pattern must be a file, a mapping {parameters, neurons, incoming, "
                           f"outgoing}} or a list of parameter names, not {pattern!r}")
    r = zero_pattern(lf, zs)
    n = network_zero_pattern(lf, zs)
    net = None if n is None else {"invariant": n.invariant,
                                  "breaking_parameter": n.breaking_parameter,
                                  "reason": n.reason, "dead_relu_neurons": n.dead}
    return ZeroPattern(lf.name, list(r.zeros), r.invariant, r.breaking_parameter,
                       None if r.breaking_coordinate is None else r.breaking_coordinate + 1,
                       r.breaking_label, r.residual, net, (r, n))


def sweep(family: str, *, depth: str | int = "2-4", width: str | int = "2-5", count: int = 50,
          seed: int = 0, bias: str = "no", jobs: int = 1, executor: str = "local",
          scheduler: str | None = None, max_seconds: float = 60.0, progress: Any = None,
          **limits: int) -> Sweep:
    """Exact law counts over ``count`` seeded random layered networks of ``family`` ("linear"
    or "relu"; depth = number of weight layers, widths in a range "N-M"), beside the
    literature's formula (Σ n(n+1)/2 over hidden widths; one per hidden ReLU neuron). The
    sweep keeps to ``max_seconds``: each network has min(60, max_seconds·jobs/count) s."""
    import time

    from .sweeps import network_seconds, parse_range, random_specs
    from .sweeps import sweep as run

    _check_limits(sweep, limits)
    _choice("family", family, ("linear", "relu"))
    _choice("bias", bias, ("no", "yes", "random"))
    _choice("executor", executor, ("local", "dask"))
    count = _whole("count", count, 1, 10_000)
    _whole("seed", seed)
    _whole("jobs", jobs, 1)
    _check_seconds(max_seconds)
    if scheduler is not None:
        if executor != "dask":
            raise SymflowError("--scheduler needs --executor dask")
        if not isinstance(scheduler, str) or not re.fullmatch(
                r"(tcp://)?[A-Za-z0-9_.\-]+:[0-9]{1,5}", scheduler):
            raise SymflowError(f"--scheduler must be an address like tcp://127.0.0.1:8786, got "
                               f"{str(scheduler)[:60]!r}")
    specs = random_specs(family, parse_range(str(depth), "depth"),
                         parse_range(str(width), "width"), count, seed, bias)
    share = network_seconds(len(specs), jobs, max_seconds)
    t0 = time.perf_counter()
    rows = run(specs, seed=seed, jobs=jobs, executor=executor, scheduler=scheduler,
               progress=progress, limits=limits, max_seconds=max_seconds)
    wall = time.perf_counter() - t0
    summary = {"networks": len(rows), "exact": sum(r.laws is not None for r in rows),
               "agree": sum(r.agrees is True for r in rows),
               "disagree": sum(r.agrees is False for r in rows),
               "errors": sum(r.error is not None for r in rows), "wall_seconds": round(wall, 3),
               "jobs": jobs, "executor": executor, "seconds_per_network": round(share, 3)}
    return Sweep(family, seed, rows, summary)


def neural_ode(*, width: int = 2, depths: Sequence[int] | str = (2, 4, 8, 16),
               time: float = 2.0, seed: int = 0, max_seconds: float = 40.0) -> NeuralODE:
    """Balanced deep linear nets linear:n-…-n against the linear neural ODE (floats): for each
    depth L the θ-flow, time rescaled by 1/L, from the same z0, against
    z' = −∫_0^1 (zzᵀ)^{1−s} ∇ℓ(z) (zᵀz)^s ds; the gap should decrease like 1/L."""
    from .flow import SCALING, neural_ode_convergence

    _whole("width", width, 1, 6)
    _real("time", time, 0, 100)
    _whole("seed", seed)
    _check_seconds(max_seconds)
    if isinstance(depths, str):
        try:
            depths = [int(x) for x in depths.split(",")]
        except ValueError:
            raise SymflowError(f"--depths must be integers separated by commas, got "
                               f"{depths!r}") from None
    ls = list(depths)
    if not ls or any(isinstance(x, bool) or not isinstance(x, int) or not 2 <= x <= 64
                     for x in ls):
        raise SymflowError("--depths must be between 2 and 64 (the limit is the flag's range)")
    if len(set(ls)) != len(ls) or ls != sorted(ls):
        raise SymflowError(f"--depths must be increasing, each depth once (got {ls})")
    res = neural_ode_convergence(width, tuple(ls), float(time), seed, max_seconds=max_seconds)
    inaccurate = [L for L, f in zip(res.depths, res.formula_gaps, strict=True) if f > 1e-6]
    ratios = [g * L for L, g in zip(res.depths, res.gaps, strict=True)]
    one_over_l = (len(ls) >= 2 and not inaccurate
                  and all(a > b for a, b in zip(res.gaps, res.gaps[1:], strict=False))
                  and max(ratios) <= 1.5 * min(ratios))
    return NeuralODE(width, list(res.depths), list(res.gaps), list(res.formula_gaps),
                     float(time), SCALING, inaccurate, one_over_l, res)


def _statement(r: Any) -> str:
    """What a result proved (the certificate's wording, certificate/model.py)."""
    from .certificate.model import statement

    return statement(r)
