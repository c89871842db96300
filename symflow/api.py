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

from .errors import SpecError, SymflowError
from .lifting import DEFAULT_MAX_PARAMS, DEFAULT_MAX_PATHS, DEFAULT_MAX_TERMS, Lifting

__all__ = ["lifting", "laws", "intrinsic", "certify", "check", "homogeneity", "simulate",
           "ncf", "escape",
           "Laws", "Intrinsic", "Certificate", "CheckResult"]


# ----------------------------------------------------------------------------- inputs
def lifting(spec: Any, symbols: Sequence | None = None, *, name: str | None = None,
            max_params: int = DEFAULT_MAX_PARAMS, max_paths: int = DEFAULT_MAX_PATHS,
            max_terms: int = DEFAULT_MAX_TERMS) -> Lifting:
    """The lifting z = φ(θ) of ``spec`` (see the module docstring), within the limits."""
    limits = {"max_params": max_params, "max_paths": max_paths, "max_terms": max_terms}
    if isinstance(spec, Lifting):
        return spec
    if isinstance(spec, (str, Path)):
        from .spec import load_lifting

        return load_lifting(str(spec), **limits)
    nx = sys.modules.get("networkx")  # a networkx graph exists only if networkx was imported
    if nx is not None and isinstance(spec, nx.DiGraph):
        return _from_graph(spec, name or spec.graph.get("name", "dag"), limits)
    return _from_sympy(spec, symbols, name or "phi", limits)


def _from_graph(g: Any, name: str, limits: dict) -> Lifting:
    """A DiGraph as a DAG file: nodes without predecessors are inputs, without successors
    outputs, the others hidden (``activation`` "relu" by default, or "linear"); a node with
    ``bias=True`` carries a bias; an edge's ``name`` (optional) names its parameter."""
    from .architecture import from_description
    from .lifting import network_lifting

    neurons, edges, biases = [], [], []
    for v, data in g.nodes(data=True):
        v = str(v)
        if g.in_degree(v) == 0:
            kind, act = "input", "linear"
        elif g.out_degree(v) == 0:
            kind, act = "output", "linear"
        else:
            kind, act = "hidden", data.get("activation", "relu")
        neurons.append((v, kind, act))
        if data.get("bias"):
            biases.append(v)
    for u, v, data in g.edges(data=True):
        edges.append((str(u), str(v), data.get("name")))
    arch = from_description(neurons, edges, biases, name=name)
    lf = network_lifting(arch, **limits)
    lf.max_terms = limits["max_terms"]
    return lf


def _from_sympy(exprs: Any, symbols: Sequence | None, name: str, limits: dict) -> Lifting:
    import sympy

    from .lifting import custom_lifting

    if isinstance(exprs, sympy.Basic):
        exprs = [exprs]
    if not isinstance(exprs, Sequence) or not exprs:
        raise SpecError("spec must be a shorthand, a file, a networkx.DiGraph, or SymPy "
                        "expressions with their symbols")
    exprs = [sympy.sympify(e) for e in exprs]
    if symbols is None:
        symbols = sorted(set().union(*(e.free_symbols for e in exprs)), key=str)
    symbols = list(symbols)
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
        return f"Laws({self.name}: {what}; {len(self.laws)} explicit)"

    def _count_text(self) -> str:
        if self.count is None:
            return (f"between {self.lower} and {self.upper} independent conservation laws "
                    f"near θ0 (bounds only)")
        extra = self.count - len(self.laws)
        more = f"; {extra} more exist (Frobenius), not written down" if extra else ""
        law = "law" if self.count == 1 else "laws"
        return (f"exactly {self.count} independent conservation {law} near θ0 "
                f"(argument: {self.argument}); {len(self.laws)} explicit{more}")

    def _repr_markdown_(self) -> str:
        lines = [f"**{self.name}**: D = {self.D} parameters, d = {self.d} coordinates; "
                 f"{self._count_text()}.", ""]
        for i, (h, src) in enumerate(zip(self.laws, self.sources, strict=True), 1):
            lines.append(f"- $h_{{{i}}} = {_latex_law(h)}$ ({src})")
        lines += ["", self.statement]
        return "\n".join(lines)

    def _repr_latex_(self) -> str:
        rows = " \\\\ ".join(f"h_{{{i}}} &= {_latex_law(h)}"
                             for i, h in enumerate(self.laws, 1))
        return f"$\\begin{{aligned}} {rows} \\end{{aligned}}$" if rows else "$\\emptyset$"


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
class Certificate:
    """The files of a certificate, re-checked before they were written, and its verdicts."""

    json: Path
    tex: Path
    pdf: Path | None
    pdf_note: str | None  # why there is no PDF, if there is none
    laws: int | None
    recoverability: str
    metric: str
    dynamic: str

    def _repr_markdown_(self) -> str:
        pdf = f", `{self.pdf}`" if self.pdf else f" ({self.pdf_note})" if self.pdf_note else ""
        return (f"Certificate `{self.json}`, `{self.tex}`{pdf}: laws {self.laws}, "
                f"recoverability {self.recoverability}, metric {self.metric}, dynamic "
                f"{self.dynamic} (re-checked: valid)")


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
    from .lifting import GENERAL_LIMITS, check_size, check_terms

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
         max_seconds: float = 60.0, **limits: int) -> Laws:
    """Count the conservation laws of ``spec`` exactly (D − dim Lie(W_φ)(θ0) when proved) and
    write down those it finds (docs/counting.md). ``degree``: search every polynomial law up to
    it; ``max_depth``: the deepest brackets explored (None: as deep as ``max_seconds`` allows
    for a linear network, 8 otherwise); ``progress``: a callable taking a line."""
    from .counting import conservation_laws

    if max_depth is not None:
        _check_depth(max_depth)
    _check_seconds(max_seconds)
    lf = laws_lifting(spec, symbols, **limits)
    r = conservation_laws(lf, seed=seed, max_degree=degree, max_depth=max_depth,
                          progress=progress, max_seconds=max_seconds)
    return Laws(lf.name, lf.D, lf.d, r.count, r.lower, r.upper, r.argument,
                [law.source for law in r.laws], r.statement(), r, lf)


def _expandable(lf: Lifting) -> bool:
    """φ can be shown as SymPy expressions (a linear network counted without expanding it
    keeps φ unexpanded above the term limit)."""
    from .counting import _phi_size

    return _phi_size(lf)[0] <= lf.max_terms


#: exact points of initialisation families and level sets carry rationals with large numerators
#: and denominators, and the criterion's exact ranks there grow fast with D: the default limit
#: (``max_params`` given explicitly replaces it)
FAMILY_MAX_PARAMS = 250


def refuse_family_size(lf: Lifting, family: bool, max_params: int | None) -> None:
    """Refuse, up front, exact points of an initialisation family or a level set beyond
    FAMILY_MAX_PARAMS parameters, unless a ``max_params`` was given explicitly."""
    from .errors import LimitError

    if family and max_params is None and lf.D > FAMILY_MAX_PARAMS:
        raise LimitError(f"exact points of an initialisation family or level set are limited to "
                         f"D ≤ {FAMILY_MAX_PARAMS} parameters by default (this network has "
                         f"D = {lf.D}; raise it with --max-params)")


#: seconds per unit of rows·D·min(rows, D) of the exact kernel of [∂φ; ∂h] at one point (measured
#: on linear:12-12-12 and linear:20-20-20, rounded up), and the factor of the large rationals of
#: a family's exact points, per squared number of hidden layers (their entries are products of
#: one rational per layer: linear:10-10-10 --init balanced ×4–10, linear:10-10-4-8 ×25)
SEC_KERNEL = 2.5e-7
FAMILY_BITS_FACTOR = 10


def intrinsic_seconds(lf: Lifting, n_points: int, family: bool) -> float | None:
    """The predicted seconds of the dense criterion of a linear network (the exact kernel of
    the (d + #laws) × D matrix [∂φ; ∂h] at each point), None where it is not the route (a ReLU
    path-lifting at a generic point is decided from D generator values)."""
    if lf.kind != "product" or not lf.widths:
        return None
    rows = _kernel_rows(lf)
    per_point = SEC_KERNEL * rows * lf.D * min(rows, lf.D)
    hidden = len(lf.widths) - 2
    return n_points * per_point * (FAMILY_BITS_FACTOR * hidden ** 2 if family else 1)


def _kernel_rows(lf: Lifting) -> int:
    """d + the number of family laws Σ n_k(n_k + 1)/2 of a layered linear network."""
    return lf.d + sum(n * (n + 1) // 2 for n in lf.widths[1:-1])


def refuse_intrinsic_cost(lf: Lifting, n_points: int, family: bool, max_seconds: float) -> None:
    """Refuse, before any work, a criterion predicted to take longer than ``max_seconds``."""
    from .errors import LimitError

    secs = intrinsic_seconds(lf, n_points, family)
    if secs is not None and secs > max_seconds:
        rows = _kernel_rows(lf)
        where = f"at {n_points} point{'s' if n_points > 1 else ''}"
        raise LimitError(
            f"the exact kernel of [∂φ; ∂h] ({rows} × {lf.D}, {where}) is predicted to take "
            f"{secs:.0f} s, above the budget of {max_seconds:g} s (raise it with --max-seconds)")


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
        from .lifting import check_size

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
    r = decide(lf, init=init, at=point, seed=seed, samples=3 if samples is None else samples,
               level=lev, max_depth=max_depth, max_dense_coords=dense_limit,
               progress=progress)

    def vector(v: Any) -> Any:
        return None if v is None else sympy.Matrix([sympy.Rational(str(x)) for x in v])

    return Intrinsic(lf.name, r.recoverability, r.metric, r.dynamic, r.frobenius,
                     [vector(c.point) for c in r.checks], [vector(c.witness) for c in r.checks],
                     r.statement(), r)


def certify(spec: Any, symbols: Sequence | None = None, *, directory: str | Path = ".",
            init: str = "generic", seed: int = 0, samples: int = 3, at: Sequence | None = None,
            pdf: bool = True, fragment: bool = False, progress: Any = None,
            max_seconds: float = 60.0, **limits: int) -> Certificate:
    """Write the certificate of ``spec`` (JSON evidence, LaTeX, PDF if pdflatex is installed)
    into ``directory``, after re-checking it with the independent checker."""
    from .certificate.run import certify_one

    _check_seconds(max_seconds)
    lf = lifting(spec, symbols, **limits)
    refuse_family_size(lf, init != "generic", limits.get("max_params"))
    return certify_one(lf, Path(directory), init=init, seed=seed, samples=samples, at=at,
                       pdf=pdf, label=str(spec) if isinstance(spec, (str, Path)) else lf.name,
                       fragment=fragment, progress=progress, max_seconds=max_seconds)


def check(path: str | Path, max_params: int = 1000, max_paths: int = 2000,
          tex: bool = False, max_seconds: float = 60.0,
          max_bytes: int = 20_000_000, progress: Any = None) -> CheckResult:
    """Re-verify a certificate independently (docs/certificates.md): every field that reaches a
    verdict, a count or a sentence is recomputed; with ``tex``, the LaTeX beside it must be the
    rendering of the verified data. A certificate beyond a limit (sizes, or a check predicted
    to take more than ``max_seconds``) is refused, status "refused", never judged.
    ``progress``: a callable taking a line, called as each step starts."""
    from .certificate.check import Limits, Refused, Unreadable, check_path
    from .errors import SymflowError

    for name, value in (("max_params", max_params), ("max_paths", max_paths),
                        ("max_bytes", max_bytes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise SymflowError(f"{name} must be a whole number ≥ 1, not {value!r}")
    if isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float)) \
            or not 0.01 <= max_seconds < float("inf"):
        raise SymflowError(f"max_seconds must be a finite number ≥ 0.01, not {max_seconds!r}")
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


def homogeneity(spec: Any, symbols: Sequence | None = None, **limits: int) -> Any:
    """The degree L of homogeneity of the output, H(x; cθ) = c^L H(x; θ), per layer too."""
    from .homogeneous import homogeneity as analyse

    return analyse(lifting(spec, symbols, **limits))


def simulate(spec: Any, symbols: Sequence | None = None, *, init: str = "generic",
             data: str = "random:20", seed: int = 0, time: float = 5.0, scale: float = 1.0,
             max_seconds: float = 20.0, max_steps: int = 1_000_000, progress: Any = None,
             **limits: int) -> Any:
    """The numerical cross-check (floats): integrate the θ-flow across ReLU kinks and report
    the drift of the laws and the loss (a ``flow.Simulation``)."""
    from .flow import simulate as run

    lf = lifting(spec, symbols, **limits)
    if lf.d:
        lf.phi[0]  # noqa: B018 - φ(θ(t)) is evaluated from φ expanded: the term limit, up front
    return run(lf, init=init, data=data, seed=seed, t_end=time, scale=scale,
               max_seconds=max_seconds, max_steps=max_steps, progress=progress)


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


def ncf(spec: Any, x: Any, y: Any, *, max_regions: int = 256, max_seconds: float = 60.0,
        **limits: int) -> Any:
    """The KKT points of max N(w) = Σ_i ⟨y_i, H(x_i; w)⟩ on ‖w‖ = 1 [KH25], exactly, on every
    activation region (Clarke's sense for ReLU): a ``symflow.correlation.NCFResult``."""
    from .correlation import MAX_NCF_PARAMS
    from .correlation import ncf as solve
    from .errors import SymflowError

    if not isinstance(max_regions, int) or isinstance(max_regions, bool) or max_regions < 1:
        raise SymflowError("max_regions must be a whole number ≥ 1")
    _check_seconds(max_seconds)
    lf = lifting(spec, **limits)
    xs, ys = _exact_data(lf, x, y)
    return solve(lf, xs, ys, max_params=limits.get("max_params", MAX_NCF_PARAMS),
                 max_regions=max_regions, max_seconds=float(max_seconds))


def escape(spec: Any, x: Any, y: Any, *, deltas: Sequence[float] = (1e-2, 1e-3, 1e-4),
           horizon: float = 60.0, scale: float | None = None, seed: int = 0,
           max_seconds: float = 60.0, **limits: int) -> Any:
    """Escape from a small initialisation [KH25]: the exact positive second-order KKT points,
    the numerical paths from δ·w*, the first saddle found and verified exactly, the sparsity
    that survives: a ``symflow.smallinit.EscapeResult``."""
    import math

    from .correlation import MAX_NCF_PARAMS
    from .errors import SymflowError
    from .smallinit import escape as run

    ds = tuple(deltas)
    if not 2 <= len(ds) <= 6 or not all(isinstance(d, (int, float)) and not isinstance(d, bool)
                                        and 0 < d < 1 for d in ds):
        raise SymflowError("deltas needs 2 to 6 values, each in (0, 1)")
    if not isinstance(horizon, (int, float)) or not 0 < horizon <= 10_000 or \
            math.isnan(horizon):
        raise SymflowError("horizon must be a number in (0, 10000]")
    if scale is not None and (not isinstance(scale, (int, float)) or not 0 < scale < 1):
        raise SymflowError("scale must be a number in (0, 1)")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise SymflowError("seed must be a whole number ≥ 0")
    _check_seconds(max_seconds)
    lf = lifting(spec, **limits)
    xs, ys = _exact_data(lf, x, y)
    return run(lf, xs, ys, deltas=ds, horizon=float(horizon), max_seconds=float(max_seconds),
               random_scale=scale, seed=seed,
               max_params=limits.get("max_params", MAX_NCF_PARAMS))
