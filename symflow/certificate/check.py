"""Re-verify a symflow certificate from its JSON alone, with SymPy; trust nothing in it.

Every field that reaches a verdict, a count, a label or a sentence is recomputed here from the
architecture and the seeds, compared exactly with what is recomputed, or rejected. φ and the
parameter list are rebuilt from the architecture (a polynomial lifting is its own definition),
brackets from their words, every rank, identity and witness over QQ, and every sentence is
regenerated from the verified data (symflow.certificate.prose). Sizes are checked before any
work, and the work of each step is predicted first (symflow.certificate.cost). Nothing here
uses the engine's algebra (FLINT serves only as the exact integer-matrix rank); every text of
the file must be the canonical text of what it parses to (symflow.polytext, symflow.sources).
The seeded point generators are shared (they only reproduce the points: every property of a
point is checked here).

Steps, in order (the first failure is reported by name):

format, architecture, lifting, claims,
point, laws, law-rank, brackets, bracket-rank, [lie-closure], claim, statement   (law count)
point, laws, jacobian-rank, law-rank, brackets, bracket-rank, [lie-closure], lie-exact,
sufficient, witness, intersection, inclusion, closed-forms, verdict, statement  (intrinsic)
hash                                                                                  (last)
tex                      (with --tex: NAME.tex, and NAME-section.tex if present, is the rendering)
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import stat
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix
from sympy.polys.rings import ring

from ..errors import SpecError
from ..exprparse import ExprTooLarge, degree_and_terms, polynomial_expr
from ..points import sample_points
from ..polytext import format_poly
from ..sources import label as source_label
from ..sources import parse as parse_source
from ..wording import (
    CLOSED_FORMS,
    MAX_CLOSED_FORM_COORDS,
    MAX_CLOSED_FORM_DEGREE,
    MAX_CLOSED_FORM_PARAMS,
    closed_form_texts,
    closed_forms_apply,
)
from . import prose
from .cost import (
    BYTES_TERM_D,
    MAX_SECONDS,
    SEC_TERM_D,
    Budget,
    Overrun,
    Work,
    deadline,
    plan,
    plan_tex,
)
from .schema import (
    FORMAT,
    FORMAT_VERSION,
    MAX_COORDS,
    MAX_FILE_BYTES,
    MAX_PARAMS,
    MAX_SEARCH_MONOMIALS,
    MAX_SEARCH_WORK,
    content_hash,
    search_monomials,
)

# sizes checked before any work (the flags of `symflow check` lift the first two)
MAX_DIGITS = 4000  # of a numerator or denominator (Python reads at most 4300)
MAX_TEXT = 100_000  # characters of one expression or word
MAX_WORD_DEPTH = 24  # nesting of a bracket word
MAX_LAW_DEGREE = 16
MAX_LAW_TERMS = 5000
MAX_LAW_TEXT = 1_000_000  # characters of all the laws of a claim
MAX_POINTS = 64
MAX_PRODUCT_TERMS = 200_000  # terms of the expanded product U_L⋯U_1
MAX_SYMBOLIC_BRACKETS = 4000  # brackets expanded to verify a closure
MAX_BRACKET_WORK = 20_000_000  # predicted term products of all symbolic brackets
MAX_FAMILY_WIDTH = 40  # widths of linear nets whose family points are regenerated

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
# a number that is not an integer: "p/q" in lowest terms, q ≥ 2 (integers are JSON integers)
FRACTION = re.compile(rf"-?[1-9][0-9]{{0,{MAX_DIGITS - 1}}}/[1-9][0-9]{{0,{MAX_DIGITS - 1}}}",
                      re.ASCII)
LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+\- ]{0,99}", re.ASCII)
SHORTHAND_LIKE = re.compile(r"(relu|linear)[^A-Za-z]", re.IGNORECASE)
_NUM = r"[1-9][0-9]*(?:/[1-9][0-9]*)?"
_MONO = r"[A-Za-z_][A-Za-z0-9_]*(?:\^[1-9][0-9]*)?(?:\*[A-Za-z_][A-Za-z0-9_]*(?:\^[1-9][0-9]*)?)*"
_TERM = rf"(?:{_NUM}\*{_MONO}|{_MONO}|{_NUM})"
#: the grammar of a polynomial's canonical text (the order and merging are checked after parsing)
POLY_TEXT = re.compile(rf"0|-?{_TERM}(?: [+-] {_TERM})*", re.ASCII)
WORD = re.compile(r"[g0-9\[\],]+", re.ASCII)
KINDS = ("layered-relu", "layered-power", "linear", "dag", "polynomial")
#: the activations of hidden neurons, each in its one spelling (relu^1 is relu, x^1 linear)
ACTIVATION = re.compile(r"relu|linear|(relu|x)\^[2-9]", re.ASCII)
#: terms of the expanded output of a network with power activations (predicted bound)
MAX_POWER_TERMS = 100_000
TOOLS = frozenset({"symflow", "sympy", "python-flint", "python"})
VERSION = re.compile(r"[0-9A-Za-z.+\-]{1,40}", re.ASCII)
INITS = ("generic", "balanced", "relaxed-balanced", "given point")


class Unreadable(Exception):
    """The file is missing, not JSON, or not a certificate of a supported version."""


class Refused(Unreadable):
    """The certificate is beyond a limit of the checker (a size, or the predicted work of a
    step): not a verdict on it, so a refusal (exit 2), never INVALID."""

    def __init__(self, message: str, step: str = "limits"):
        super().__init__(message)
        self.step = step


def within(cond: bool, message: str, step: str = "limits") -> None:
    """Refuse (exit 2) unless ``cond``: every limit of the checker, whether the user's flags can
    lift it or it is fixed, is a refusal named by the step that met it, never INVALID."""
    if not cond:
        raise Refused(printable(message), step)


class Failure(Exception):
    """A verification step failed."""

    def __init__(self, step: str, message: str):
        message = printable(message)
        super().__init__(f"{step}: {message}")
        self.step = step
        self.message = message


def shown(x: Any, most: int = 40) -> str:
    """A piece of an untrusted field, quoted for a message: at most ``most`` characters, every
    character outside printable ASCII escaped (\\uXXXX), so that no text of a certificate reaches
    a terminal as written."""
    text = x if isinstance(x, str) else str(x)
    cut = text[:most]
    return json.dumps(cut, ensure_ascii=True) + ("…" if len(text) > most else "")


def printable(text: str) -> str:
    """A message safe to print on one line: control characters and lone surrogates escaped."""
    out = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in out)


@dataclass
class Limits:
    """What the checker accepts: D parameters, d coordinates, file bytes, and the predicted
    seconds of each step's work (each lifted by the flag of the same name)."""

    max_params: int = MAX_PARAMS
    max_coords: int = MAX_COORDS
    max_bytes: int = MAX_FILE_BYTES
    max_seconds: float = MAX_SECONDS
    #: called with each planned step and its predicted seconds as it starts (a status line)
    on_step: Callable[[str, float], None] | None = None


@dataclass
class Report:
    """The outcome of a check: the steps passed and the first one that failed, if any."""

    path: str
    passed: list[str] = field(default_factory=list)
    failed: Failure | None = None
    budget: Any = None  # the steps' predicted and measured seconds (a valid check)

    @property
    def ok(self) -> bool:
        return self.failed is None

    def step(self, name: str) -> None:
        if name not in self.passed:
            self.passed.append(name)


def expect(cond: bool, step: str, message: str) -> None:
    if not cond:
        raise Failure(step, message)


# ----------------------------------------------------------------------------- the structure
def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _is_num(x: Any) -> bool:
    """An exact number in its one canonical form: a JSON integer, or "p/q" in lowest terms with
    q ≥ 2 (so "50/2", "25", "4/1" and "-0/3" are refused: each has a canonical spelling)."""
    if _is_int(x):
        return len(str(abs(x))) <= MAX_DIGITS
    if not (isinstance(x, str) and FRACTION.fullmatch(x) is not None):
        return False
    p, q = x.split("/")
    return int(q) > 1 and math.gcd(int(p), int(q)) == 1


_ZERO = sympy.Integer(0)
_MAX_BITS = int(MAX_DIGITS * 3.3219)  # 10^MAX_DIGITS has about this many bits


def _primitive(vec: list) -> list:
    """A rational vector times the positive number that makes its entries coprime integers."""
    from math import gcd, lcm

    den = 1
    for x in vec:
        den = lcm(den, int(sympy.Rational(x).q))
    ints = [int(sympy.Rational(x) * den) for x in vec]
    g = 0
    for v in ints:
        g = gcd(g, abs(v))
    return [sympy.Integer(v // (g or 1)) for v in ints]


def rat(x: Any) -> sympy.Rational:
    """An exact number of the certificate (int or 'p/q' string) as a SymPy Rational."""
    if type(x) is int:  # the common case, without the string round trip
        if x == 0:
            return _ZERO
        if x.bit_length() < _MAX_BITS:
            return sympy.Integer(x)
    if isinstance(x, str) or _is_int(x):  # a number too long is a limit, not a lie
        parts = str(x).lstrip("-").split("/") if len(str(x)) <= 4 * MAX_DIGITS else [str(x)]
        within(max(map(len, parts)) <= MAX_DIGITS, f"a number of {len(str(x))} characters, "
               f"above the checker's limit of {MAX_DIGITS} digits", "format")
    expect(_is_num(x), "format", f"{shown(x)} is not an exact number in canonical form (an "
           f"integer, or a string 'p/q' in lowest terms with q ≥ 2, at most {MAX_DIGITS} digits "
           "each)")
    if isinstance(x, str):
        p, q = x.split("/")
        return sympy.Rational(int(p), int(q))
    return sympy.Integer(x)


class Shape:
    """Strict structural validation: exact key sets and types, one line per problem."""

    @staticmethod
    def obj(x: Any, where: str, required: set[str], optional: frozenset = frozenset()) -> dict:
        expect(isinstance(x, dict), "format", f"{where} must be an object")
        missing = sorted(required - set(x))
        expect(not missing, "format", f"{where} misses {', '.join(missing)}")
        unknown = sorted(map(str, set(x) - required - set(optional)))
        expect(not unknown, "format", f"{where} has unknown field(s) {', '.join(unknown)}")
        return x

    @staticmethod
    def lst(x: Any, where: str, nonempty: bool = False, most: int | None = None) -> list:
        expect(isinstance(x, list), "format", f"{where} must be a list")
        expect(not nonempty or x, "format", f"{where} is empty")
        within(most is None or len(x) <= most,
               f"{where} has {len(x)} entries, above the checker's limit of {most}", "format")
        return x

    @staticmethod
    def int_(x: Any, where: str, low: int = 0) -> int:
        expect(_is_int(x), "format", f"{where} must be an integer ≥ {low}")
        within(x.bit_length() <= _MAX_BITS, f"{where} has more than the checker's limit of "
               f"{MAX_DIGITS} digits", "format")
        expect(x >= low, "format", f"{where} must be an integer ≥ {low}")
        return x

    @staticmethod
    def text(x: Any, where: str, most: int = MAX_TEXT) -> str:
        expect(isinstance(x, str), "format", f"{where} must be a string")
        within(len(x) <= most, f"{where} is longer than the checker's limit of {most} "
               "characters", "format")
        return x

    @staticmethod
    def bool_(x: Any, where: str) -> bool:
        expect(isinstance(x, bool), "format", f"{where} must be true or false")
        return x

    @staticmethod
    def nums(x: Any, where: str, length: int | None = None) -> list:
        Shape.lst(x, where)
        expect(length is None or len(x) == length, "format",
               f"{where} has {len(x)} entries, expected {length}")
        for v in x:
            rat(v)
        return x


def check_tools(x: Any) -> None:
    """generated_with: not hashed and never printed, but not free text either (step 'format')."""
    tools = Shape.obj(x, "generated_with", set(), TOOLS)
    for k, v in tools.items():
        expect(isinstance(v, str) and VERSION.fullmatch(v) is not None, "format",
               f"generated_with.{k} is not a version number")


def _structure(cert: dict) -> None:
    """Validate every field's type and the exact key sets (step 'format')."""
    S = Shape
    S.obj(cert, "the certificate", {"format", "format_version", "name", "architecture",
                                    "parameters", "phi", "claims", "content_hash"},
          frozenset({"generated_with"}))
    S.text(cert["name"], "name", 200)
    S.text(cert["content_hash"], "content_hash", 100)
    if "generated_with" in cert:
        check_tools(cert["generated_with"])
    arch = cert["architecture"]
    expect(isinstance(arch, dict), "format", "architecture must be an object")
    names = S.lst(cert["parameters"], "parameters", nonempty=True)
    for n in names:
        expect(isinstance(n, str) and NAME.fullmatch(n) is not None, "format",
               f"parameter name {shown(n)} is not an identifier")
    for i, e in enumerate(S.lst(cert["phi"], "phi", nonempty=True)):
        S.text(e, f"phi[{i + 1}]")
    claims = S.lst(cert["claims"], "claims", most=8)
    for k, c in enumerate(claims, 1):
        expect(isinstance(c, dict), "format", f"claim {k} must be an object")
        kind = c.get("type")
        if kind == "conservation-law-count":
            _law_claim_shape(c, f"claim {k}")
        elif kind == "intrinsic-property":
            _intrinsic_claim_shape(c, f"claim {k}")
        else:
            raise Failure("format", f"claim {k} has unknown type {shown(kind)}")


def _brackets_shape(x: Any, where: str) -> None:
    for b in Shape.lst(x, where):
        Shape.obj(b, f"a bracket of {where}", {"word", "value"})
        Shape.text(b["word"], f"a bracket word of {where}")
        Shape.nums(b["value"], f"the value of {shown(b['word'])}")


def _closure_shape(x: Any, where: str) -> None:
    if x is None:
        return
    Shape.obj(x, f"lie_closure of {where}", {"basis", "relations"})
    for w in Shape.lst(x["basis"], f"the closure basis of {where}", nonempty=True):
        Shape.text(w, "a basis word")
    expect(isinstance(x["relations"], dict), "format", f"relations of {where} must be an object")
    for w, cs in x["relations"].items():
        Shape.text(w, "a related word")
        Shape.nums(cs, f"the coefficients of {shown(w)}")


def _law_claim_shape(c: dict, where: str) -> None:
    S = Shape
    S.obj(c, where, {"type", "proof", "statement", "point", "laws", "law_rank_at_theta0",
                     "brackets", "bracket_rank_at_theta0", "lie_closure", "count", "search"})
    S.text(c["proof"], "proof", 100)
    S.text(c["statement"], "statement")
    pt = S.obj(c["point"], f"the point of {where}", {"seed", "theta0"})
    S.int_(pt["seed"], "the seed")
    S.nums(pt["theta0"], "θ0")
    for law in S.lst(c["laws"], f"the laws of {where}"):
        S.obj(law, "a law", {"expression", "source"}, frozenset({"logs"}))
        S.text(law["expression"], "a law")
        S.text(law["source"], "a law's source", 200)
        if "logs" in law:
            for t in S.lst(law["logs"], "the logarithms of a law", nonempty=True, most=64):
                S.obj(t, "a logarithm of a law", {"coefficient", "factor"})
                S.nums([t["coefficient"]], "a logarithm's coefficient")
                S.text(t["factor"], "a logarithm's factor")
    S.int_(c["law_rank_at_theta0"], "law_rank_at_theta0")
    _brackets_shape(c["brackets"], where)
    S.int_(c["bracket_rank_at_theta0"], "bracket_rank_at_theta0")
    _closure_shape(c["lie_closure"], where)
    cnt = S.obj(c["count"], "count", {"lower", "upper", "exact", "value", "explicit",
                                      "argument"})
    S.int_(cnt["lower"], "count.lower")
    S.int_(cnt["upper"], "count.upper")
    S.int_(cnt["explicit"], "count.explicit")
    S.bool_(cnt["exact"], "count.exact")
    expect(cnt["value"] is None or _is_int(cnt["value"]), "format",
           "count.value must be an integer or null")
    expect(cnt["argument"] in prose.ARGUMENTS, "format",
           f"unknown count argument {shown(cnt['argument'])}")
    if c["search"] is not None:
        srch = S.obj(c["search"], "search", {"degree", "darboux"})
        S.int_(srch["degree"], "search.degree", 1)
        if srch["darboux"] is not None:
            for f in S.lst(srch["darboux"], "search.darboux", most=200):
                S.text(f, "a Darboux polynomial")


def _intrinsic_claim_shape(c: dict, where: str) -> None:
    S = Shape
    S.obj(c, where, {"type", "init", "recoverability", "metric", "dynamic", "frobenius",
                     "statement", "points", "closed_forms"})
    expect(c["init"] in INITS, "format", f"unknown init {shown(c['init'])} (known: "
           f"{', '.join(INITS)})")
    for key in ("recoverability", "metric", "dynamic"):
        S.text(c[key], key, 100)
    S.bool_(c["frobenius"], "frobenius")
    S.text(c["statement"], "statement")
    extra = {"generic": {"seed"}, "given point": set(),
             "balanced": {"family_seed", "lambdas"},
             "relaxed-balanced": {"family_seed", "lambdas"}}[c["init"]]
    for n, p in enumerate(S.lst(c["points"], f"the points of {where}", nonempty=True,
                                most=MAX_POINTS), 1):
        w = f"point {n}"
        S.obj(p, w, {"theta0", "rank_dphi", "rank_dh", "brackets", "bracket_rank", "lie_closure",
                     "lie_exact", "sufficient_condition", "witness", "intersection_basis",
                     "lie_locally_constant", "frobenius", "recoverability", "metric",
                     "dynamic"} | extra)
        S.nums(p["theta0"], f"θ0 of {w}")
        for key in ("rank_dphi", "rank_dh", "bracket_rank"):
            S.int_(p[key], f"{key} of {w}")
        _brackets_shape(p["brackets"], w)
        _closure_shape(p["lie_closure"], w)
        S.bool_(p["lie_exact"], f"lie_exact of {w}")
        S.bool_(p["sufficient_condition"], f"sufficient_condition of {w}")
        if p["witness"] is not None:
            S.nums(p["witness"], f"the witness of {w}")
        if p["intersection_basis"] is not None:
            for v in S.lst(p["intersection_basis"], f"intersection_basis of {w}"):
                S.nums(v, f"a vector of intersection_basis of {w}")
        for key in ("recoverability", "metric", "dynamic"):
            S.text(p[key], f"{key} of {w}", 100)
        S.bool_(p["frobenius"], f"frobenius of {w}")
        expect(p["lie_locally_constant"] in prose.ARGUMENTS, "format",
               f"unknown lie_locally_constant of {w}")
        if "seed" in extra:
            S.int_(p["seed"], f"seed of {w}")
        if "family_seed" in extra:
            S.int_(p["family_seed"], f"family_seed of {w}")
            S.nums(p["lambdas"], f"lambdas of {w}")
    for cf in S.lst(c["closed_forms"], f"closed_forms of {where}", most=8):
        S.obj(cf, "a closed form", {"kind", "name", "formula", "conditions", "identities",
                                    "pointwise"})
        expect(cf["kind"] in CLOSED_FORMS, "format",
               f"unknown closed form kind {shown(cf['kind'])}")
        for key in ("name", "formula", "conditions"):
            S.text(cf[key], f"the {key} of a closed form", 2000)
        for key in ("identities", "pointwise"):
            for x in S.lst(cf[key], f"the {key} of a closed form", most=4 * MAX_POINTS + 4):
                S.obj(x, "a closed-form check", {"claim", "verified"})
                S.text(x["claim"], "a closed-form check", 2000)
                S.bool_(x["verified"], "verified")


# ----------------------------------------------------------------------------- the architecture
@dataclass
class Net:
    """A network rebuilt from the certificate's architecture (layered nets become DAGs)."""

    kind: str
    name: str
    params: list[str]
    widths: list[int] | None = None
    inputs: list[str] = field(default_factory=list)
    hidden: dict[str, str] = field(default_factory=dict)  # neuron -> activation
    outputs: list[str] = field(default_factory=list)
    edges: list[tuple[str, str, str]] = field(default_factory=list)
    biases: dict[str, str] = field(default_factory=dict)  # neuron -> parameter
    unused: list[str] = field(default_factory=list)  # polynomial liftings
    paths: int = 0  # paths (or product terms) that rebuild φ
    single_paths: bool = False  # a network whose every coordinate is one path

    @property
    def is_path(self) -> bool:
        """A network (layered or DAG) whose φ is rebuilt from its paths or powers."""
        return self.kind in ("layered-relu", "layered-power", "dag")

    def power(self, v: str) -> int:
        """p of σ_v = relu^p or x^p (1 for relu, linear, inputs and outputs)."""
        act = self.hidden.get(v, "linear")
        return int(act.split("^")[1]) if "^" in act else 1

    @property
    def has_powers(self) -> bool:
        return any(self.power(v) > 1 for v in self.hidden)


def _widths(arch: dict) -> list[int]:
    w = Shape.lst(arch.get("widths"), "architecture.widths", nonempty=True, most=64)
    for x in w:
        Shape.int_(x, "a width", 1)
    expect(len(w) >= 2, "architecture", "a layered network needs at least two widths")
    within(all(x <= 10_000 for x in w), "a width is above the checker's limit of 10000",
           "architecture")
    return w


def _layered(widths: list[int], bias: bool, activation: str = "relu") -> Net:
    """relu:… (or relu^p:…, x^p:…) as a DAG with symflow's naming: x_j → h{l}_{i} → y_i,
    weights W{l}_{i}_{j} (row i, column j) then biases b{l}_{i}, layer by layer."""
    name = activation + ":" + "-".join(map(str, widths)) + ("+bias" if bias else "")
    kind = "layered-relu" if activation == "relu" else "layered-power"
    net = Net(kind, name, [], widths=list(widths))
    L = len(widths) - 1
    layers = [[f"x{i}" for i in range(1, widths[0] + 1)]]
    for lay in range(1, L + 1):
        layers.append([(f"y{i}" if lay == L else f"h{lay}_{i}") for i in range(1, widths[lay] + 1)])
    net.inputs, net.outputs = layers[0], layers[-1]
    net.order = [v for layer in layers for v in layer]  # type: ignore[attr-defined]
    for lay in range(1, L):
        net.hidden.update({v: activation for v in layers[lay]})
    for lay in range(1, L + 1):
        for i, v in enumerate(layers[lay], 1):
            for j, u in enumerate(layers[lay - 1], 1):
                p = f"W{lay}_{i}_{j}"
                net.edges.append((u, v, p))
                net.params.append(p)
        if bias:
            for i, v in enumerate(layers[lay], 1):
                net.biases[v] = f"b{lay}_{i}"
                net.params.append(f"b{lay}_{i}")
    return net


def _label(arch: dict) -> str:
    name = Shape.text(arch.get("name"), "architecture.name", 200)
    expect(LABEL.fullmatch(name) is not None and not SHORTHAND_LIKE.match(name), "architecture",
           f"the name {shown(name)} of a DAG or polynomial lifting must be ASCII letters, "
           "digits, spaces and _ . + -, and may not look like a shorthand (relu…, linear… "
           "followed by a digit or a separator are derived from layered architectures only)")
    return name


def _dag(arch: dict) -> Net:
    S = Shape
    S.obj(arch, "architecture", {"kind", "name", "inputs", "hidden", "outputs", "edges",
                                 "biases"})
    net = Net("dag", _label(arch), [])
    seen: set[str] = set()

    def neuron(v: Any) -> str:
        expect(isinstance(v, str) and NAME.fullmatch(v) is not None, "architecture",
               f"neuron name {shown(v)} is not an identifier")
        expect(v not in seen, "architecture", f"duplicate neuron name {shown(v)}")
        seen.add(v)
        return v

    net.inputs = [neuron(v) for v in S.lst(arch["inputs"], "inputs", nonempty=True)]
    for h in S.lst(arch["hidden"], "hidden"):
        expect(isinstance(h, list) and len(h) == 2 and isinstance(h[1], str)
               and ACTIVATION.fullmatch(h[1]) is not None, "architecture",
               f"hidden entry {shown(h)} must be [name, activation] with the activation relu, "
               "linear, relu^p or x^p (2 ≤ p ≤ 9)")
        net.hidden[neuron(h[0])] = h[1]
    net.outputs = [neuron(v) for v in S.lst(arch["outputs"], "outputs", nonempty=True)]
    kind_of = {v: "input" for v in net.inputs} | {v: "hidden" for v in net.hidden} | {
        v: "output" for v in net.outputs}
    pairs: set[tuple[str, str]] = set()
    for e in S.lst(arch["edges"], "edges", nonempty=True):
        expect(isinstance(e, list) and len(e) == 3 and all(isinstance(x, str) for x in e),
               "architecture", f"edge {shown(e)} must be [from, to, parameter]")
        u, v, p = e
        expect(u in kind_of and v in kind_of, "architecture", f"edge {u} -> {v} names an "
               "unknown neuron")
        expect(u != v and (u, v) not in pairs, "architecture", f"edge {u} -> {v} is a self-loop "
               "or repeated")
        expect(kind_of[v] != "input" and kind_of[u] != "output", "architecture",
               f"edge {u} -> {v} enters an input or leaves an output")
        pairs.add((u, v))
        net.edges.append((u, v, p))
    for b in S.lst(arch["biases"], "biases"):
        expect(isinstance(b, list) and len(b) == 2 and all(isinstance(x, str) for x in b),
               "architecture", f"bias {shown(b)} must be [neuron, parameter]")
        v, p = b
        expect(kind_of.get(v) in ("hidden", "output") and v not in net.biases, "architecture",
               f"bias on {shown(v)}: not a hidden or output neuron, or a second bias")
        net.biases[v] = p
    net.params = [p for _, _, p in net.edges] + list(net.biases.values())
    # acyclic (Kahn) and every neuron on an input → output path
    succ: dict[str, list[str]] = {v: [] for v in kind_of}
    indeg = dict.fromkeys(kind_of, 0)
    for u, v, _ in net.edges:
        succ[u].append(v)
        indeg[v] += 1
    order = [v for v in kind_of if indeg[v] == 0]
    for v in order:
        for w in succ[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                order.append(w)
    expect(len(order) == len(kind_of), "architecture", "the network has a cycle")
    reach_in = set(net.inputs)
    for v in order:
        if v in reach_in:
            reach_in.update(succ[v])
    reach_out = set(net.outputs)
    for v in reversed(order):
        if any(w in reach_out for w in succ[v]):
            reach_out.add(v)
    for v in kind_of:
        expect(v in reach_in and v in reach_out, "architecture",
               f"neuron {shown(v)} is not on a path from an input to an output")
    net.order = order  # type: ignore[attr-defined]
    net.succ = succ  # type: ignore[attr-defined]
    return net


def _path_count(net: Net) -> int:
    """Coordinates of the path-lifting, by dynamic programming (no enumeration)."""
    if net.kind == "layered-relu":
        w = net.widths or []
        total = 1
        for x in w:
            total *= x
        if net.biases:  # a path from the bias of a neuron of layer l ≥ 1
            for start in range(1, len(w)):
                prod = 1
                for x in w[start:]:
                    prod *= x
                total += prod
        return total
    to_out: dict[str, int] = {}
    for v in reversed(net.order):  # type: ignore[attr-defined]
        to_out[v] = int(v in net.outputs) + sum(to_out[w] for w in net.succ[v])  # type: ignore
    return sum(to_out[v] for v in net.inputs) + sum(to_out[v] for v in net.biases)


def _class_count(net: Net) -> int:
    """Coordinates of a DAG's lifting: distinct (start, ReLU neurons, output), i.e. paths of the
    graph contracted over linear hidden neurons, by dynamic programming."""
    order = net.order  # type: ignore[attr-defined]
    succ = net.succ  # type: ignore[attr-defined]
    outputs = set(net.outputs)

    def stop(w: str) -> bool:
        return w in outputs or net.hidden.get(w) == "relu"

    reach: dict[str, set[str]] = {}
    for v in reversed(order):
        reach[v] = set().union(*({w} if stop(w) else reach[w] for w in succ[v]))
    cnt: dict[str, int] = {}
    for v in reversed(order):
        if v in outputs:
            cnt[v] = 1
        elif net.hidden.get(v) == "relu":
            cnt[v] = sum(cnt[w] for w in reach[v])
    firsts: set[str] = set()
    for v in net.biases:
        firsts |= {v} if stop(v) else reach[v]
    return sum(cnt[w] for x in net.inputs for w in reach[x]) + sum(cnt[w] for w in firsts)


def architecture(cert: dict, limits: Limits) -> Net:
    """Rebuild the network from the certificate's architecture; bind name and parameters."""
    arch = cert["architecture"]
    kind = arch.get("kind")
    expect(kind in KINDS, "architecture", f"unknown architecture kind {shown(kind)} "
           f"(known: {', '.join(KINDS)})")
    names = cert["parameters"]
    dup = [n for n, k in Counter(names).items() if k > 1]
    expect(not dup, "architecture", f"duplicate parameter name {shown(dup[:1])}")
    if kind == "layered-relu":
        Shape.obj(arch, "architecture", {"kind", "widths", "bias"})
        w = _widths(arch)
        Shape.bool_(arch["bias"], "architecture.bias")
        D = sum(a * b for a, b in zip(w, w[1:], strict=False)) + (sum(w[1:]) if arch["bias"]
                                                                   else 0)
        within(D <= limits.max_params, f"D = {D} parameters, above the "
               f"checker's limit of {limits.max_params} (raise it with --max-params)",
               "architecture")
        net = _layered(w, arch["bias"])
    elif kind == "layered-power":
        Shape.obj(arch, "architecture", {"kind", "widths", "bias", "activation"})
        w = _widths(arch)
        Shape.bool_(arch["bias"], "architecture.bias")
        act = arch["activation"]
        expect(isinstance(act, str) and ACTIVATION.fullmatch(act) is not None
               and "^" in act, "architecture", f"the activation {shown(act)} of a layered "
               "power network must be relu^p or x^p (2 ≤ p ≤ 9)")
        D = sum(a * b for a, b in zip(w, w[1:], strict=False)) + (sum(w[1:]) if arch["bias"]
                                                                   else 0)
        within(D <= limits.max_params, f"D = {D} parameters, above the "
               f"checker's limit of {limits.max_params} (raise it with --max-params)",
               "architecture")
        net = _layered(w, arch["bias"], act)
    elif kind == "linear":
        Shape.obj(arch, "architecture", {"kind", "widths"})
        w = _widths(arch)
        D = sum(a * b for a, b in zip(w, w[1:], strict=False))
        within(D <= limits.max_params, f"D = {D} parameters, above the "
               f"checker's limit of {limits.max_params} (raise it with --max-params)",
               "architecture")
        terms = w[0] * w[-1]
        within(terms <= limits.max_coords, f"d = {terms} coordinates, above the "
               f"checker's limit of {limits.max_coords} (raise it with --max-paths)",
               "architecture")
        for x in w[1:-1]:
            terms *= x
        within(terms <= max(MAX_PRODUCT_TERMS, limits.max_coords), f"the product U_L⋯U_1 "
               f"expands to {terms} terms, above the checker's limit of "
               f"{max(MAX_PRODUCT_TERMS, limits.max_coords)} (raise it with --max-paths)",
               "architecture")
        net = Net("linear", "linear:" + "-".join(map(str, w)),
                  [f"U{k}_{i}_{j}" for k in range(1, len(w)) for i in range(1, w[k] + 1)
                   for j in range(1, w[k - 1] + 1)], widths=list(w), paths=terms)
    elif kind == "dag":
        net = _dag(arch)
        within(len(net.params) <= limits.max_params,
               f"D = {len(net.params)} parameters, above the checker's limit of "
               f"{limits.max_params} (raise it with --max-params)",
               "architecture")
        dup = [n for n, k in Counter(net.params).items() if k > 1]
        expect(not dup, "architecture", f"parameter {shown(dup[:1])} is on two edges or biases")
    else:
        Shape.obj(arch, "architecture", {"kind", "name", "unused_parameters"})
        net = Net("polynomial", _label(arch), list(names))
        net.unused = Shape.lst(arch["unused_parameters"], "unused_parameters")
        within(len(names) <= limits.max_params,
               f"D = {len(names)} parameters, above the checker's limit of {limits.max_params} "
               "(raise it with --max-params)",
               "architecture")
    if net.is_path and net.has_powers:
        terms = _power_terms(net)
        within(terms <= MAX_POWER_TERMS, f"the output expands to up to {terms} terms (powers "
               f"of pre-activations), above the checker's limit of {MAX_POWER_TERMS}",
               "architecture")
        net.paths = terms
    elif net.is_path:
        paths = _path_count(net)
        d = paths if net.kind == "layered-relu" else _class_count(net)
        within(d <= limits.max_coords, f"the network's lifting has d = {d} "
               f"coordinates, above the checker's limit of {limits.max_coords} (raise it with "
               "--max-paths)", "architecture")
        within(paths <= max(MAX_PRODUCT_TERMS, limits.max_coords),
               f"the lifting is a sum over {paths} paths, above the checker's limit of "
               f"{max(MAX_PRODUCT_TERMS, limits.max_coords)} (raise it with --max-paths)",
               "architecture")
        net.single_paths = d == paths  # every coordinate is one path
        net.paths = paths
    within(len(cert["phi"]) <= limits.max_coords,
           f"d = {len(cert['phi'])} coordinates, above the checker's limit of "
           f"{limits.max_coords} (raise it with --max-paths)",
               "architecture")
    expect(names == net.params, "architecture",
           "the parameters are not those of the architecture (names, number or order)")
    expect(cert["name"] == net.name, "architecture",
           f"the name {shown(cert['name'])} is not the architecture's ({net.name[:40]!r})")
    return net


def _power_terms(net: Net) -> int:
    """A bound on the terms of the output expanded in (x, c, θ): T_v ≤ Σ_u T_u (+1 for a
    bias) before the power, C(T + p − 1, p) after it."""
    order = net.order  # type: ignore[attr-defined]
    preds: dict[str, list[str]] = {v: [] for v in order}
    for u, v, _ in net.edges:
        preds[v].append(u)
    terms: dict[str, int] = {}
    for v in order:
        if v in net.inputs:
            terms[v] = 1
            continue
        t = sum(terms[u] for u in preds[v]) + (v in net.biases)
        p = net.power(v)
        terms[v] = math.comb(t + p - 1, p)
    return sum(terms[v] for v in net.outputs)


def _rebuild_power(net: Net) -> list[str]:
    """φ of a network with power activations: the output expanded as a polynomial in the inputs
    x, indicators c_v of the gated neurons (relu, relu^p; c_v² = c_v) and θ; one coordinate per
    (output, x-monomial, set of indicators), the coefficient. Dicts of Fractions, no SymPy."""
    pos = {n: k for k, n in enumerate(net.params)}
    n_in = len(net.inputs)
    preds: dict[str, list[tuple[str, int]]] = {v: [] for v in net.order}  # type: ignore
    for u, v, p in net.edges:
        preds[v].append((u, pos[p]))

    def add(acc: dict, key: tuple, mono: tuple, c: Fraction) -> None:
        inner = acc.setdefault(key, {})
        inner[mono] = inner.get(mono, Fraction(0)) + c

    def times_var(val: dict, k: int) -> dict:
        out: dict = {}
        for key, inner in val.items():
            for mono, c in inner.items():
                e = dict(mono)
                e[k] = e.get(k, 0) + 1
                add(out, key, tuple(sorted(e.items())), c)
        return out

    def mul(a: dict, b: dict) -> dict:
        out: dict = {}
        for (xa, ca), ia in a.items():
            for (xb, cb), ib in b.items():
                key = (tuple(i + j for i, j in zip(xa, xb, strict=True)), ca | cb)
                for ma, c1 in ia.items():
                    for mb, c2 in ib.items():
                        e = dict(ma)
                        for k, x in mb:
                            e[k] = e.get(k, 0) + x
                        add(out, key, tuple(sorted(e.items())), c1 * c2)
        return out

    value: dict[str, dict] = {}
    texts = []
    for v in net.order:  # type: ignore[attr-defined]
        if v in net.inputs:
            x = [0] * n_in
            x[net.inputs.index(v)] = 1
            value[v] = {(tuple(x), frozenset()): {(): Fraction(1)}}
            continue
        pre: dict = {}
        for u, k in preds[v]:
            for key, inner in times_var(value[u], k).items():
                for mono, c in inner.items():
                    add(pre, key, mono, c)
        if v in net.biases:
            add(pre, ((0,) * n_in, frozenset()), ((pos[net.biases[v]], 1),), Fraction(1))
        if v in net.outputs:
            for inner in pre.values():
                terms = [(dict(m), c) for m, c in inner.items() if c != 0]
                if terms:
                    texts.append(format_poly(terms, net.params))
            continue
        val = pre
        for _ in range(net.power(v) - 1):
            val = mul(val, pre)
        if net.hidden.get(v, "").startswith("relu"):
            gated: dict = {}
            for (x, c), inner in val.items():
                for mono, q in inner.items():
                    add(gated, (x, c | {v}), mono, q)
            val = gated
        value[v] = val
    return texts


def rebuild_phi(net: Net) -> list[str] | None:
    """φ rebuilt from the network, independently of symflow's lifting code, as the canonical
    text of each coordinate (None for a polynomial lifting, which is its own definition).

    Every path is enumerated with its start, its ReLU neurons and its output; a coordinate is a
    class of paths with the same (start, ReLU neurons, output), the sum of their weight products
    (a bias path starts at the constant 1). A linear net's coordinate (i, j) is the sum over the
    index paths of U_L⋯U_1. Monomials are sets of parameter positions (no SymPy: the architecture
    step has bounded the number of paths)."""
    pos = {n: k for k, n in enumerate(net.params)}

    def text(monomials: Counter) -> str:
        return format_poly((({k: 1 for k in mono}, Fraction(c)) for mono, c in
                            monomials.items()), net.params)

    if net.kind == "linear":
        w = net.widths or []
        out = []
        for i in range(1, w[-1] + 1):
            for j in range(1, w[0] + 1):
                monos: Counter = Counter()
                for mid in itertools.product(*(range(1, x + 1) for x in w[1:-1])):
                    idx = (j, *mid, i)
                    monos[tuple(sorted(pos[f"U{k}_{idx[k]}_{idx[k - 1]}"]
                                       for k in range(1, len(w))))] += 1
                out.append(text(monos))
        return out
    if not net.is_path:
        return None
    if net.has_powers:
        return _rebuild_power(net)
    succ: dict[str, list[tuple[str, int]]] = {}
    for u, v, p in net.edges:
        succ.setdefault(u, []).append((v, pos[p]))
    outputs = set(net.outputs)
    tails: dict[str, list[tuple[tuple, str, tuple]]] = {}
    for v in reversed(getattr(net, "order", [])):  # paths from v to the outputs, bottom-up
        mine = (v,) if net.hidden.get(v) == "relu" else ()
        res = [((), v, ())] if v in outputs else []
        for w_, k in succ.get(v, []):
            res += [(mine + seq, out, (k, *mono)) for seq, out, mono in tails[w_]]
        tails[v] = res
    classes: dict[tuple, Counter] = {}
    for v in net.inputs:
        for seq, out, mono in tails[v]:
            classes.setdefault((v, seq, out), Counter())[tuple(sorted(mono))] += 1
    for v, b in net.biases.items():
        for seq, out, mono in tails[v]:
            classes.setdefault((None, seq, out), Counter())[tuple(sorted((pos[b], *mono)))] += 1
    return [text(m) for m in classes.values()]


# ----------------------------------------------------------------------------- exact helpers
def rank(rows: list[list]) -> int:
    """Exact rank over QQ: each row is scaled by the lcm of its denominators (which changes no
    rank) and the integer matrix's rank is computed exactly by FLINT's fmpz_mat (fraction-free
    elimination over ZZ; a SymPy rref over QQ takes minutes on the dense 1000 × 1000 matrices
    of certificates at the size limits, FLINT well under a second)."""
    import flint

    if not rows or not rows[0]:
        return 0
    ints = []
    for r in rows:
        r = [x if isinstance(x, sympy.Rational) else sympy.Rational(x) for x in r]
        den = 1
        for x in r:
            if x.q != 1:
                den = math.lcm(den, int(x.q))
        ints.append([int(x.p) * (den // int(x.q)) for x in r])
    return flint.fmpz_mat(ints).rank()


class Context:
    """The lifting rebuilt from a certificate: symbols, φ, ∇φ, and evaluation helpers."""

    def __init__(self, cert: dict, net: Net, budget: Budget | None = None,
                 work: dict[str, Work] | None = None):
        names = cert["parameters"]
        self.budget = budget or Budget()
        self.work = work or {}
        self.net = net
        self.arch = cert["architecture"]
        self.names = names
        self.syms = [sympy.Symbol(n) for n in names]
        self.symdict = dict(zip(names, self.syms, strict=True))
        self.index = {x: k for k, x in enumerate(self.syms)}
        self.position = {n: k for k, n in enumerate(names)}
        self.D = len(names)
        self.phi = [self.parse(e, f"phi[{i + 1}]", "lifting") for i, e in enumerate(cert["phi"])]
        self.d = len(self.phi)
        self._grad_phi: list | None = None
        self._fields: dict[str, dict] = {}
        self._ring = None
        self._grad_cache: dict[sympy.Expr, dict] = {}  # one entry per law
        self._laws: dict[str, Law] = {}
        self._qpoints: dict[int, tuple[list, list]] = {}
        self._taylor: dict[int, tuple[list, dict, list[int]]] = {}
        self.expanded = 0  # symbolic brackets computed
        self.products = 0  # predicted term products of the brackets expanded so far
        self.held = 0  # terms of the fields built so far (each a tuple of D exponents)

    @property
    def grad_phi(self) -> list[list]:
        """∇φ_a as dense lists of SymPy expressions (for the small closed-form checks only;
        everything else uses the sparse fields over QQ[θ])."""
        if self._grad_phi is None:
            self._grad_phi = [self.gradient(p) for p in self.phi]
        return self._grad_phi

    def begin(self, step: str) -> None:
        """A planned step starts (its measured time is logged against its prediction)."""
        w = self.work.get(step)
        self.budget.begin(step, w.seconds if w else 0.0)

    def tick(self, step: str) -> None:
        """The safety net: a step that runs past the budget is refused, whatever it predicted."""
        within(not self.budget.overrun(), f"the check ran past its budget of "
               f"{self.budget.seconds:.0f} s (raise it with --max-seconds)", step)

    def parse(self, text: str, what: str, step: str) -> sympy.Expr:
        """A polynomial field, which must be written in its canonical form (symflow.polytext):
        checked by a strict grammar before parsing, then by re-serialising the parsed
        polynomial, so that the field holds nothing its polynomial does not determine."""
        expect(POLY_TEXT.fullmatch(text) is not None, step, f"{what} = {shown(text)} is not a "
               "polynomial in canonical form (terms c*x^e*y separated by ' + ' or ' - ', "
               "ASCII names and digits only)")
        try:
            expr = polynomial_expr(text, self.symdict)
        except ExprTooLarge as exc:
            raise Refused(f"{what}: {exc}", step) from None
        except SpecError as exc:
            raise Failure(step, f"{what} = {shown(text)}: {exc}") from None
        except (RecursionError, MemoryError):
            raise Failure(step, f"{what} is nested too deeply to read") from None
        expect(canonical_text(expr, self.position, self.names) == text, step,
               f"{what} = {shown(text)} is not written in canonical form (distinct monomials "
               "in degree-reverse-lexicographic order, highest first, coefficients in lowest "
               "terms): it must be exactly the text symflow writes for that polynomial")
        return expr

    def gradient(self, e: sympy.Expr) -> list:
        # term by term: each monomial is differentiated only in its own variables
        parts: dict[int, list] = {}
        for t in sympy.Add.make_args(e):
            for b in t.free_symbols:
                parts.setdefault(self.index[b], []).append(sympy.diff(t, b))
        zero = sympy.Integer(0)
        return [sympy.Add(*parts[k]) if k in parts else zero for k in range(self.D)]

    def subs(self, point: list) -> dict:
        return dict(zip(self.syms, point, strict=True))

    def gradient_at(self, h: sympy.Expr, point: list) -> list:
        """∇h(θ0), from a sparse gradient built once per law (many points are cheap)."""
        f = self._grad_cache.get(h)
        if f is None:
            f = self._grad_cache[h] = self._sparse_gradient(h)
        return self.field_at(f, point)

    def _sparse_gradient(self, h: sympy.Expr) -> dict:
        """∇h as a sparse field {k: ∂h/∂θ_k} over QQ[θ]."""
        R = self.ring
        return self._gradient_of(R.from_expr(h) if h != 0 else R.zero)

    def _qpoint(self, point: list) -> list:
        """θ0 over QQ (converted once per point: the law gradients of a point reuse it)."""
        key = id(point)
        hit = self._qpoints.get(key)
        if hit is None or hit[0] is not point:
            hit = self._qpoints[key] = (point, [QQ(int(x.p), int(x.q)) for x in point])
        return hit[1]

    @staticmethod
    def _eval(p, qs: list) -> sympy.Rational:
        """p(θ0) for p in QQ[θ], term by term."""
        total = QQ(0)
        for mono, c in p.items():
            t = c
            for k, e in enumerate(mono):
                if e:
                    t *= qs[k] ** e
            total += t
        return sympy.Rational(int(total.numerator), int(total.denominator))

    @property
    def ring(self):  # noqa: ANN201 - SymPy's sparse polynomial ring QQ[θ]
        if self._ring is None:
            self._ring = ring(self.names, QQ)[0]
        return self._ring

    def field(self, word: str) -> dict:
        """The vector field of a bracket word, sparse {k: polynomial in QQ[θ]}: g_i = ∇φ_i,
        [X, Y]_j = Σ_k X_k ∂_k Y_j − Y_k ∂_k X_j."""
        if word in self._fields:
            return self._fields[word]
        m = re.fullmatch(r"g([1-9][0-9]{0,6})", word)
        R = self.ring
        if m:
            i = int(m.group(1))
            expect(1 <= i <= self.d, "brackets", f"word {word} names no coordinate of φ")
            out = self._sparse_gradient(self.phi[i - 1])
        else:
            expect(word.startswith("[") and word.endswith("]"), "brackets",
                   f"cannot read bracket word {shown(word)}")
            head, inner = _split(word[1:-1])
            x, y = self.field(head), self.field(inner)
            self.expanded += 1
            within(self.expanded <= MAX_SYMBOLIC_BRACKETS,
                   f"more than {MAX_SYMBOLIC_BRACKETS} brackets to expand (checker's limit)",
                   "brackets")
            self._predict_bracket(word, x, y, self.held)
            out = _bracket(R, x, y, lambda a, b: a * b)
        self._fields[word] = out
        self.held += sum(len(p) for p in out.values())  # terms of every field built so far
        return out

    def _predict_bracket(self, word: str, x: dict, y: dict, held: int,
                         order: int | None = None) -> None:
        """Refuse a bracket [X, Y] whose expansion is predicted beyond the budget: every term of
        X against every term of ∂Y and conversely, each a monomial operation on D exponents
        (``held``: terms already in memory; ``order``: a Taylor expansion truncated there forms
        only the pairs of terms whose degrees add up to at most order + 1)."""
        if order is None:  # a symbolic expansion (a Taylor one is bounded by its time alone)
            pairs = sum(map(len, x.values())) * sum(map(len, y.values()))
            self.products += 2 * pairs * max(1, self.D // 32)
        else:
            hx: Counter = Counter(sum(e) for p in x.values() for e in p.monoms())
            hy: Counter = Counter(sum(e) for p in y.values() for e in p.monoms())
            pairs = sum(hx[a] * hy[b] for a in hx for b in hy if a + b <= order + 1)
        self.tick("brackets")
        seconds = 2 * pairs * self.D * SEC_TERM_D
        grown = (held + 2 * pairs) * (BYTES_TERM_D * self.D + 200)
        within(grown <= self.budget.memory, f"expanding the bracket {shown(word)}: "
               f"predicted {grown / 1e9:.1f} GB of polynomials, above the checker's limit "
               f"of {self.budget.memory / 1e9:.0f} GB", "brackets")
        within(seconds <= self.budget.seconds - self.budget.elapsed(),
               f"expanding the bracket {shown(word)}: predicted {seconds:.0f} s "
               f"({2 * pairs} term products in D = {self.D} variables), beyond what is "
               f"left of the checker's budget of {self.budget.seconds:.0f} s (raise it with "
               "--max-seconds)", "brackets")
        within(self.products <= MAX_BRACKET_WORK, f"the bracket words need more "
               f"than {MAX_BRACKET_WORK} term products to expand (checker's limit)",
               "brackets")

    def value_at(self, word: str, point: list) -> list:
        """The value at θ0 of the field of a bracket word, without expanding it: every field is
        replaced by its Taylor polynomial at θ0 (in u = θ − θ0), truncated at the order the rest
        of the word needs. A bracket [X, Y]_j = Σ_k X_k ∂_k Y_j − Y_k ∂_k X_j to order m needs X
        and Y to order m + 1 only (∂_k lowers the degree by one, a product never lowers it),
        so a word nested t deep needs its generators to order t and its value is the constant
        term. Exact: the same polynomial identities, truncated."""
        if word in self._fields:  # already expanded (a closure, or a generator)
            return self.field_at(self._fields[word], point)
        qs = self._qpoint(point)
        R = self.ring
        gens = R.gens
        # the Taylor fields of the sub-words, shared by the brackets of one point
        hit = self._taylor.get(id(point))
        if hit is None or hit[0] is not point:
            hit = self._taylor[id(point)] = (point, {}, [0])
        cache: dict[tuple[str, int], dict] = hit[1]
        held: list[int] = hit[2]  # terms of the Taylor fields of this point

        def trunc(p, m: int):  # noqa: ANN001, ANN202 - terms of degree ≤ m
            return R({e: c for e, c in p.items() if sum(e) <= m})

        def taylor(w: str, m: int) -> dict:
            key = (w, m)
            if key in cache:
                return cache[key]
            self.tick("brackets")
            g = re.fullmatch(r"g([1-9][0-9]{0,6})", w)
            if g:
                out = {}
                for k, comp in self.field(w).items():
                    shift = [(gens[i], gens[i] + qs[i]) for i in
                             sorted({i for mono in comp.monoms() for i, e in enumerate(mono)
                                     if e})]
                    t = trunc(comp.compose(shift) if shift else comp, m)
                    if t:
                        out[k] = t
            else:
                head, inner = _split(w[1:-1])
                x, y = taylor(head, m + 1), taylor(inner, m + 1)
                self._predict_bracket(w, x, y, self.held + held[0], m)
                out = _bracket(R, x, y, lambda a, b: _mul_trunc(R, a, b, m))
            cache[key] = out
            held[0] += sum(len(p) for p in out.values())
            return out

        zero = (0,) * self.D
        out = [sympy.Integer(0)] * self.D
        for j, p in taylor(word, 0).items():
            c = p.get(zero, QQ(0))
            out[j] = sympy.Rational(int(c.numerator), int(c.denominator))
        return out

    def field_at(self, f: dict, point: list) -> list:
        """The value of a sparse field at a rational point."""
        out = [sympy.Integer(0)] * self.D
        qs = self._qpoint(point)
        for j, p in f.items():
            out[j] = self._eval(p, qs)
        return out

    def at_all(self, fields: list[dict], point: list) -> list[list]:
        return [self.field_at(f, point) for f in fields]

    def jacobian_rows_at(self, point: list) -> list[dict[int, sympy.Rational]]:
        """∂φ(θ0), row by row, sparse {k: ∂φ_a/∂θ_k(θ0)}."""
        qs = self._qpoint(point)
        return [{k: self._eval(g, qs) for k, g in self.field(f"g{a}").items()}
                for a in range(1, self.d + 1)]

    def jacobian_at(self, point: list) -> list[list]:
        return self.dense(self.jacobian_rows_at(point))

    def dense(self, rows: list[dict]) -> list[list]:
        """Sparse rows {k: x} as dense rows of length D."""
        out = []
        for row in rows:
            dense = [sympy.Integer(0)] * self.D
            for k, x in row.items():
                dense[k] = x
            out.append(dense)
        return out

    def metric_derivative_nonzero(self, point: list, v: list, jac: list[dict]) -> bool:
        """Whether ∂M(θ0)[v] = A + Aᵀ ≠ 0, A = J'[v]Jᵀ, J = ∂φ(θ0) (its sparse rows ``jac``)
        and J'[v] its derivative along v (A_ab = Σ_k J'_ak J_bk)."""
        support = [k for k in range(self.D) if v[k] != 0]
        qs = self._qpoint(point)
        jp = []
        for a in range(1, self.d + 1):
            r: dict[int, sympy.Rational] = {}
            for k, g in self.field(f"g{a}").items():
                val = sum((self._eval(g.diff(i), qs) * v[i] for i in support),
                          sympy.Integer(0))
                if val != 0:
                    r[k] = val
            jp.append(r)
        by_var: dict[int, list[int]] = {}
        for b, row in enumerate(jac):
            for k in row:
                by_var.setdefault(k, []).append(b)
        a_mat: dict[tuple[int, int], sympy.Rational] = {}
        for a, row in enumerate(jp):
            for k, x in row.items():
                for b in by_var.get(k, ()):
                    a_mat[a, b] = a_mat.get((a, b), sympy.Integer(0)) + x * jac[b][k]
        return any(x + a_mat.get((b, a), 0) != 0 for (a, b), x in a_mat.items())

    def _law_poly(self, text: str, what: str, constant_ok: bool = False,
                  step: str = "laws") -> sympy.Expr:
        h = self.parse(text, what, step)
        expect(constant_ok or (h != 0 and not h.is_number), step,
               f"{what} = {shown(text)} is a constant")
        degree, terms = degree_and_terms(h)
        within(degree <= MAX_LAW_DEGREE and terms <= MAX_LAW_TERMS,
               f"{what} exceeds the checker's limits (degree ≤ {MAX_LAW_DEGREE}, "
               f"≤ {MAX_LAW_TERMS} terms)", "laws")
        return h

    def apply(self, a: int, q: Any) -> Any:
        """X_a(q) = ⟨∇φ_a, ∇q⟩ for q in QQ[θ]."""
        R = self.ring
        gp = self.field(f"g{a}")
        return sum((gp[k] * q.diff(k) for k in gp), R.zero)

    def law(self, entry: dict, what: str) -> Law:
        """A law h = P + Σ λ_i ln|f_i|, parsed within the checker's size limits and verified as
        the identity ⟨∇h, ∇φ_a⟩ ≡ 0 for every a: for a polynomial, Σ_k ∂_k h ∂_k φ_a ≡ 0; with
        logarithms, F·X_a(P) + Σ_i λ_i X_a(f_i)·F/f_i ≡ 0 with F = ∏ f_i (cached)."""
        key = json.dumps(entry.get("logs", []), sort_keys=True) + "|" + entry["expression"]
        if key in self._laws:
            return self._laws[key]
        logs = entry.get("logs", [])
        h = self._law_poly(entry["expression"], what, constant_ok=bool(logs))
        R = self.ring
        P = R.from_expr(h) if h != 0 else R.zero
        factors = []
        for i, t in enumerate(logs, 1):
            f = self._law_poly(t["factor"], f"factor {i} of {what}")
            lam = rat(t["coefficient"])
            expect(lam != 0, "laws", f"{what}: logarithm {i} has coefficient 0")
            fr = R.from_expr(f)
            _, parts = fr.factor_list()
            expect(len(parts) == 1 and parts[0][1] == 1, "laws", f"{what}: factor {i} is not "
                   "irreducible (write ln|f·g| as ln|f| + ln|g|)")
            expect(all(not self.apply(a, fr).rem(fr) for a in range(1, self.d + 1)), "laws",
                   f"{what}: factor {i} is not a Darboux polynomial (∇φ_j·∇f is not a multiple "
                   "of f)")
            factors.append((fr, lam))
        expect(len({str(f.monic()) for f, _ in factors}) == len(factors), "laws",
               f"{what}: a factor is repeated")
        F = R.one
        for f, _ in factors:
            F *= f
        gh = self._sparse_gradient(h) if not factors else None
        for a in range(1, self.d + 1):
            if not factors:
                gp = self.field(f"g{a}")
                pairing = sum((x * gp[k] for k, x in gh.items() if k in gp), R.zero)
            else:
                pairing = F * self.apply(a, P)
                for i, (f, lam) in enumerate(factors):
                    rest = R.one
                    for j, (g, _) in enumerate(factors):
                        if j != i:
                            rest *= g
                    pairing += QQ(int(lam.p), int(lam.q)) * self.apply(a, f) * rest
            expect(not pairing, "laws", f"{what} is not conserved: ⟨∇h, ∇φ{a}⟩ ≠ 0")
        law = Law(h, P, factors)
        self._laws[key] = law
        return law

    def law_gradient_at(self, law: Law, point: list) -> list | None:
        """∇h(θ) = ∇P(θ) + Σ λ_i ∇f_i(θ)/f_i(θ); None where some f_i(θ) = 0 (h is then not a
        law near θ)."""
        grad = self.gradient_at(law.expr, point)
        qs = self._qpoint(point)
        for f, lam in law.logs:
            val = self._eval(f, qs)
            if val == 0:
                return None
            gf = self.field_at(self._gradient_of(f), point)
            grad = [g + lam * x / val for g, x in zip(grad, gf, strict=True)]
        return grad

    def _gradient_of(self, p: Any) -> dict:
        out = {}
        for k in sorted({k for mono in p.monoms() for k, e in enumerate(mono) if e}):
            dp = p.diff(k)
            if dp:
                out[k] = dp
        return out


@dataclass
class Law:
    """A verified law h = P + Σ λ_i ln|f_i|: P as an expression and in QQ[θ], the logs."""

    expr: sympy.Expr
    poly: Any
    logs: list = field(default_factory=list)  # (f_i in QQ[θ], λ_i)


def canonical_text(expr: sympy.Expr, position: dict[str, int], names: list[str]) -> str:
    """The canonical text (symflow.polytext) of an expanded polynomial, term by term."""
    terms = []
    for t in sympy.Add.make_args(expr):
        coeff, rest = t.as_coeff_Mul()
        if coeff == 0:
            continue
        exps: dict[int, int] = {}
        for b, e in rest.as_powers_dict().items():
            if b == 1:
                continue
            exps[position[b.name]] = exps.get(position[b.name], 0) + int(e)
        terms.append((exps, Fraction(int(coeff.p), int(coeff.q))))
    return format_poly(terms, names)


def _bracket(R, x: dict, y: dict, mul) -> dict:  # noqa: ANN001 - the ring, a product
    """[X, Y]_j = Σ_k X_k ∂_k Y_j − Y_k ∂_k X_j for sparse fields {j: polynomial}, with the
    product ``mul`` (exact, or truncated at an order)."""
    out = {}
    for j in set(x) | set(y):
        acc = R.zero
        yj, xj = y.get(j), x.get(j)
        if yj is not None:
            for k, xk in x.items():
                acc += mul(xk, yj.diff(k))
        if xj is not None:
            for k, yk in y.items():
                acc -= mul(yk, xj.diff(k))
        if acc:
            out[j] = acc
    return out


def _mul_trunc(R, a, b, m: int):  # noqa: ANN001, ANN202 - polynomials of QQ[u]
    """a·b without its terms of degree above m (pairs of terms beyond m are never formed)."""
    bs = [(mb, cb, sum(mb)) for mb, cb in b.items()]
    out: dict[tuple, Any] = {}
    for ma, ca in a.items():
        da = sum(ma)
        if da > m:
            continue
        for mb, cb, db in bs:
            if da + db <= m:
                mono = tuple(x + y for x, y in zip(ma, mb, strict=True))
                out[mono] = out.get(mono, 0) + ca * cb
    return R({e: c for e, c in out.items() if c})


def _split(text: str) -> tuple[str, str]:
    """Split 'a,b' at the top-level comma of a bracket word."""
    depth = 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            return text[:i], text[i + 1:]
    raise Failure("brackets", f"cannot read bracket word [{shown(text)}]")


def _word_ok(word: str, where: str) -> None:
    """A bracket word is made of g<i>, '[', ',' and ']' only, nested at most MAX_WORD_DEPTH."""
    expect(WORD.fullmatch(word) is not None, "brackets", f"cannot read bracket word "
           f"{shown(word)}{where}")
    depth = top = 0
    for ch in word:
        depth += (ch == "[") - (ch == "]")
        top = max(top, depth)
        expect(depth >= 0, "brackets", f"unbalanced bracket word {shown(word)}{where}")
    expect(depth == 0, "brackets", f"unbalanced bracket word {shown(word)}{where}")
    within(top < MAX_WORD_DEPTH, f"bracket word{where} nested {top + 1} deep, above "
           f"the checker's limit of {MAX_WORD_DEPTH}", "brackets")


# ----------------------------------------------------------------------------- laws' sources
def _check_source(ctx: Context, law: Law, source: str, what: str) -> None:
    """The source of a law is a label the LaTeX prints: read by its grammar (symflow.sources:
    one spelling per label, ASCII names and digits), and true of the law. A search label must
    carry the law's own degree (the search that finds it), not a bound the file chooses."""
    s = ctx.symdict
    net = ctx.net
    h = law.expr
    parsed = parse_source(source)
    expect(parsed is not None, "laws", f"{what}: unknown source {shown(source)} (a source is "
           "one of the labels of docs/certificates.md, spelt exactly)")
    kind, *args = parsed
    expect((kind == "log-search") == bool(law.logs), "laws", f"{what}: the source "
           f"{shown(source)} does not match the kind of the law (logarithmic or polynomial)")
    if kind in ("search", "log-search"):
        degree = degree_and_terms(h)[0]
        want = max(1, degree) if kind == "log-search" else degree
        expect(args[0] == want, "laws", f"{what} has {'a polynomial part of ' * bool(law.logs)}"
               f"degree {degree}, so its source is '{source_label(kind, want)}', not "
               f"'{source_label(*parsed)}'")
        return
    if kind == "balance":
        v = args[0]
        expect(net.is_path and v in net.hidden, "laws", f"{what}: {shown(source)} names no "
               "hidden neuron of a path-lifting")
        want = sum((s[p] ** 2 for _, b, p in net.edges if b == v), sympy.Integer(0))
        want += s[net.biases[v]] ** 2 if v in net.biases else 0
        want -= net.power(v) * sum((s[p] ** 2 for a, _, p in net.edges if a == v),
                                   sympy.Integer(0))
        expect(sympy.expand(h - want) == 0, "laws", f"{what} is not the {source}")
        return
    if kind == "mixing":
        v, w = args
        pred = {x: {a for a, b, _ in net.edges if b == x} for x in (v, w) if x in net.hidden}
        succ = {x: {b for a, b, _ in net.edges if a == x} for x in (v, w) if x in net.hidden}
        expect(net.is_path and v != w and len(pred) == 2
               and net.hidden[v] == net.hidden[w] == "linear"
               and pred[v] == pred[w] and succ[v] == succ[w]
               and (v in net.biases) == (w in net.biases), "laws",
               f"{what}: {shown(source)} does not name two linear neurons with the same "
               "neighbours")
        edge = {(a, b): p for a, b, p in net.edges}
        want = sum((s[edge[u, v]] * s[edge[u, w]] for u in pred[v]), sympy.Integer(0))
        want += s[net.biases[v]] * s[net.biases[w]] if v in net.biases else 0
        want -= sum((s[edge[v, x]] * s[edge[w, x]] for x in succ[v]), sympy.Integer(0))
        expect(sympy.expand(h - want) == 0, "laws", f"{what} is not the {source}")
        return
    k, a, b = args  # family: the entry [a, b] of H_k = U_{k+1}ᵀU_{k+1} − U_kU_kᵀ
    w = net.widths or []
    expect(net.kind == "linear" and 1 <= k < len(w) - 1 and 1 <= a <= b <= w[k], "laws",
           f"{what}: {shown(source)} is not an entry of a law matrix of this network")
    want = sum(s[f"U{k + 1}_{i}_{a}"] * s[f"U{k + 1}_{i}_{b}"] for i in range(1, w[k + 1] + 1))
    want -= sum(s[f"U{k}_{a}_{j}"] * s[f"U{k}_{b}_{j}"] for j in range(1, w[k - 1] + 1))
    expect(sympy.expand(h - want) == 0, "laws", f"{what} is not {source}")


def _check_laws(ctx: Context, laws: list[dict]) -> list[Law]:
    out = []
    keys = [json.dumps(x, sort_keys=True) for x in laws]
    expect(len(set(keys)) == len(keys), "laws", "a law is listed twice")
    expect(len(laws) <= ctx.D, "laws", f"{len(laws)} laws for D = {ctx.D} parameters: at most "
           "D can be independent")
    size = sum(len(k) for k in keys)
    within(size <= MAX_LAW_TEXT, f"the laws have {size} characters, above the "
           f"checker's limit of {MAX_LAW_TEXT}", "laws")
    for i, entry in enumerate(laws, 1):
        ctx.tick("laws")
        law = ctx.law(entry, f"law h{i}")
        _check_source(ctx, law, entry["source"], f"law h{i}")
        out.append(law)
    return out


# ----------------------------------------------------------------------------- brackets, closure
def _check_brackets(ctx: Context, brackets: list[dict], point: list, claimed_rank: int,
                    where: str) -> list[list]:
    expect(len(brackets) <= ctx.D, "brackets", f"{len(brackets)} brackets{where}, more than "
           f"D = {ctx.D} cannot be independent")
    for b in brackets:
        _word_ok(b["word"], where)
    values = []
    for b in brackets:
        word, recorded = b["word"], [rat(x) for x in b["value"]]
        expect(len(recorded) == ctx.D, "brackets", f"{shown(word)}: value has the wrong length")
        actual = ctx.value_at(word, point)
        # the recorded value is the canonical one: the actual value divided by the positive gcd
        # of its entries (so neither a rescaled generator nor a rescaled record can differ)
        expect(any(a != 0 for a in actual) and recorded == _primitive(actual), "brackets",
               f"{shown(word)}{where}: recorded value is not the bracket's value at θ0 divided by "
               "the gcd of its entries")
        values.append(recorded)
    r = rank(values)
    expect(r == claimed_rank == len(brackets), "bracket-rank",
           f"{len(brackets)} bracket values{where} have rank {r}, claimed {claimed_rank}")
    return values


def _check_closure(ctx: Context, closure: dict, point: list, claimed_rank: int,
                   where: str) -> None:
    """span K is a Lie algebra containing every generator, checked completely: every g_j is an
    exact combination of K, and [g_j, k] ∈ span K for every generator g_j and every k ∈ K (then
    ad(g_j) preserves span K, hence so does ad of every iterated bracket by Jacobi, and span K,
    spanned by brackets, is Lie(W_φ)). For a g_j that is a combination of generators in K the
    second condition follows from theirs and is not repeated. Every relation is verified as a
    polynomial identity."""
    basis, rel = closure["basis"], closure["relations"]
    expect(len(set(basis)) == len(basis), "lie-closure", f"a basis word is repeated{where}")
    within(len(basis) <= 4 * ctx.D, f"{len(basis)} basis words{where}, above "
           f"the checker's limit of 4D", "lie-closure")
    for w in list(basis) + list(rel):
        _word_ok(w, where)
    kf = [ctx.field(w) for w in basis]
    gens_in = {w for w in basis if re.fullmatch(r"g\d+", w)}

    verified: dict[str, list] = {}

    def combination(word: str) -> list[sympy.Rational] | None:
        """Check word ∈ span K; return its coefficients (None for a basis element)."""
        if word in basis:
            return None
        if word in verified:
            return verified[word]
        expect(word in rel, "lie-closure", f"{shown(word)}{where} is neither in the basis nor "
               "related to it")
        coeffs = [rat(c) for c in rel[word]]
        expect(not coeffs or len(coeffs) == len(basis), "lie-closure",
               f"{shown(word)}{where}: wrong number of coefficients")
        f = ctx.field(word)
        R = ctx.ring
        qc = [QQ(int(c.p), int(c.q)) for c in coeffs]
        for j in set(f).union(*(kf[k] for k, c in enumerate(qc) if c)):
            diff = f.get(j, R.zero) - sum((c * kf[k].get(j, R.zero) for k, c in enumerate(qc)
                                           if c), R.zero)
            expect(not diff, "lie-closure",
                   f"{shown(word)}{where} is not the recorded combination of the basis")
        verified[word] = coeffs
        return coeffs

    def bracket_in_span(g: str, b: str) -> None:
        mg, mb = re.fullmatch(r"g(\d+)", g), re.fullmatch(r"g(\d+)", b)
        if mb and g == b:
            return  # [X, X] = 0
        if mb and int(mg.group(1)) > int(mb.group(1)) and b in gens_in:
            combination(f"[{b},{g}]")  # [g_i, g_j] = −[g_j, g_i]
            return
        combination(f"[{g},{b}]")

    for w in rel:
        ctx.tick("lie-closure")
        expect(w not in basis, "lie-closure", f"{shown(w)}{where} is both a basis word and related")
        combination(w)  # every recorded relation is verified, needed or not
    for j in range(1, ctx.d + 1):
        g = f"g{j}"
        coeffs = combination(g)
        if coeffs is not None and all(c == 0 or basis[k] in gens_in
                                      for k, c in enumerate(coeffs)):
            continue  # ad(g_j) is a combination of the ad(g_i), g_i ∈ K, checked below
        for b in basis:
            bracket_in_span(g, b)
    r = rank(ctx.at_all(kf, point))
    expect(r == claimed_rank, "lie-closure",
           f"the closed Lie algebra has rank {r} at θ0{where}, claimed {claimed_rank}")


# ----------------------------------------------------------------------------- the law claim
def check_law_claim(ctx: Context, claim: dict, report: Report) -> list[Law]:
    """Every field of the law-count claim; returns its verified laws (h of the intrinsic
    claim)."""
    pt = claim["point"]
    point = [rat(x) for x in pt["theta0"]]
    expect(len(point) == ctx.D, "point", f"θ0 has {len(point)} entries, D = {ctx.D}")
    expect(point == sample_points(pt["seed"], ctx.D, 1)[0], "point",
           f"θ0 is not the point generated from seed {pt['seed']}")
    report.step("point")
    ctx.begin("laws")
    laws = _check_laws(ctx, claim["laws"])
    report.step("laws")
    ctx.begin("law-rank")
    grads = [ctx.law_gradient_at(h, point) for h in laws]
    expect(all(g is not None for g in grads), "law-rank",
           "a logarithmic law is not defined near θ0 (one of its factors vanishes there)")
    n = rank(grads)
    expect(n == claim["law_rank_at_theta0"] == len(laws), "law-rank",
           f"the gradients of the {len(laws)} laws have rank {n} at θ0, claimed "
           f"{claim['law_rank_at_theta0']}")
    report.step("law-rank")
    expect(laws or claim["brackets"], "claim", "the claim has no evidence (no law and no "
           "bracket)")
    r = claim["bracket_rank_at_theta0"]
    _check_brackets(ctx, claim["brackets"], point, r, "")
    report.step("brackets")
    report.step("bracket-rank")
    closure = claim["lie_closure"]
    if closure is not None:
        _check_closure(ctx, closure, point, r, "")
        report.step("lie-closure")
    # why dim Lie(W_φ) is locally constant at θ0, recomputed from the verified evidence
    D = ctx.D
    if n == D - r:
        argument = "bounds"
    elif ctx.d == 1 and r == 1:
        argument = "one coordinate"  # every bracket of one field is 0: g1(θ0) ≠ 0 is rank 1
    elif closure is not None and len(closure["basis"]) == r:
        argument = "closure"
    else:
        argument = None
    exact = argument is not None
    count = claim["count"]
    expect(count == {"lower": n, "upper": D - r, "exact": exact,
                     "value": D - r if exact else None, "explicit": n, "argument": argument}
           and claim["proof"] == prose.count_proof(argument),
           "claim", f"the evidence gives {n} explicit laws ≤ #laws ≤ {D - r} "
           f"({prose.count_proof(argument)}), which the claim misstates")
    report.step("claim")
    if claim["search"] is not None:
        expect(n < D - r, "search", "a search is recorded although the explicit laws already "
               "meet the upper bound")
        ctx.begin("search")
        _check_search(ctx, claim["search"], laws, grads, point)
        report.step("search")
    expect(claim["statement"] == prose.law_statement(claim, ctx.D, ctx.arch), "statement",
           "the statement is not the one generated from the verified evidence")
    report.step("statement")
    return laws


def _total_degree(p: Any) -> int:
    return max((sum(m) for m in p.monoms()), default=0)


def _eigen_forms(ctx: Context, g: Any) -> list:
    """For a quadratic g = ½θᵀAθ + bᵀθ + c in QQ[θ]: f = cᵀθ + cᵀb/k for each rational
    eigenvalue k ≠ 0 of A and each vector c of the reduced basis of ker(A − kI)."""
    R = ctx.ring
    vs = sorted({k for mono in g.monoms() for k, e in enumerate(mono) if e})
    zero = [QQ(0)] * ctx.D
    a = sympy.Matrix(len(vs), len(vs), lambda i, j: sympy.Rational(str(
        g.diff(vs[i]).diff(vs[j])(*zero))))
    b = [sympy.Rational(str(g.diff(v)(*zero))) for v in vs]
    out = []
    lam = sympy.Symbol("lam")
    # det(λI − A) by DomainMatrix over QQ (a symbolic determinant in λ took a minute at 20
    # variables); its rational roots are the eigenvalues det(A − λI) = 0 has
    charpoly = DomainMatrix.from_Matrix(a).convert_to(QQ).charpoly()
    for root in sympy.roots(sympy.Poly([sympy.Rational(int(c.numerator), int(c.denominator))
                                        for c in charpoly], lam), filter="Q"):
        if root == 0:
            continue
        for vec in (a - root * sympy.eye(len(vs))).nullspace():
            beta = sum(vec[i] * b[i] for i in range(len(vs))) / root
            f = R.from_expr(sum(vec[i] * ctx.syms[vs[i]] for i in range(len(vs))) + beta)
            out.append(f)
    return out


def _check_search(ctx: Context, search: dict, laws: list[Law], grads: list[list],
                  point: list) -> None:
    """Redo the law search: every solution (λ, P) of Σ_i λ_i k_ai + X_a(P) ≡ 0 for all a
    (deg P ≤ k, f_i the Darboux polynomials, k_ai = X_a(f_i)/f_i; no f_i for a polynomial-only
    search) has a gradient at θ0 in the span of the explicit laws' gradients."""
    D, k = ctx.D, search["degree"]
    monos = search_monomials(D, k)
    within(monos <= MAX_SEARCH_MONOMIALS and monos * ctx.d <= MAX_SEARCH_WORK,
           f"the search of degree {k} has {monos} monomials for d = {ctx.d} (checker's limit: "
           f"{MAX_SEARCH_MONOMIALS} monomials, {MAX_SEARCH_WORK} monomial-generator pairs)",
           "search")
    R = ctx.ring
    qs = ctx._qpoint(point)
    darboux: list = []
    if search["darboux"] is not None:
        listed = [R.from_expr(ctx._law_poly(t, "a Darboux polynomial", step="search")) for t in
                  search["darboux"]]
        expect(len({str(f.monic()) for f in listed}) == len(listed), "search",
               "a Darboux polynomial is listed twice")
        found: dict[str, Any] = {}
        polys = [R.from_expr(e) for e in ctx.phi]
        for a in range(1, ctx.d + 1):
            polys += list(ctx.field(f"g{a}").values())
        for p in polys:
            ctx.tick("search")
            for f, _ in p.factor_list()[1]:
                if f.is_ground:
                    continue
                found.setdefault(str(f.monic()), f)
        for g in list(found.values()):
            if _total_degree(g) == 2:
                for f in _eigen_forms(ctx, g):
                    found.setdefault(str(f.monic()), f)
        want = []
        for key, f in sorted(found.items()):
            if ctx._eval(f, qs) == 0:
                continue
            if all(not ctx.apply(a, f).rem(f) for a in range(1, ctx.d + 1)):
                want.append(key)
        expect(sorted(str(f.monic()) for f in listed) == sorted(want), "search",
               "the Darboux polynomials listed are not those among the irreducible factors of "
               "φ and ∂φ (non-zero at θ0)")
        darboux = listed
    m = len(darboux)
    monomials = [tuple(sum(1 for x in combo if x == j) for j in range(D))
                 for s in range(1, k + 1)
                 for combo in itertools.combinations_with_replacement(range(D), s)]
    rows: dict[tuple, dict[int, Any]] = {}
    for a in range(1, ctx.d + 1):
        ctx.tick("search")
        for i, f in enumerate(darboux):
            q, rem = ctx.apply(a, f).div(f)
            expect(not rem, "search", "a listed Darboux polynomial is not one")
            for mono, c in q.items():
                rows.setdefault((a, mono), {})[i] = c
        for col, e in enumerate(monomials):
            for mono, c in ctx.apply(a, R({e: 1})).items():
                rows.setdefault((a, mono), {})[m + col] = c
    ncols = m + len(monomials)
    sdm = {i: r for i, r in enumerate(rows.values())}
    kernel = (DomainMatrix(sdm, (len(sdm), ncols), QQ).nullspace().to_Matrix().tolist()
              if sdm else sympy.eye(ncols).tolist())
    extra = []
    for vec in kernel:
        P = sum((R({e: 1}) * QQ(int(sympy.Rational(c).p), int(sympy.Rational(c).q))
                 for e, c in zip(monomials, vec[m:], strict=True) if c), R.zero)
        g = ctx.field_at(ctx._gradient_of(P), point)
        for f, lam in zip(darboux, vec[:m], strict=True):
            if lam:
                val = ctx._eval(f, qs)
                g = [x + lam * y / val for x, y in
                     zip(g, ctx.field_at(ctx._gradient_of(f), point), strict=True)]
        extra.append(g)
    expect(rank(grads + extra) == rank(grads), "search",
           "the search finds a law independent of the explicit ones at θ0")


# ----------------------------------------------------------------------------- the intrinsic claim
def _family_point(ctx: Context, init: str, p: dict, point: list, where: str) -> None:
    """A family point is the one regenerated from its family seed, and lies on the family."""
    net = ctx.net
    expect(net.kind == "linear", "point", f"the {init} family needs a linear architecture")
    within(max(net.widths or [0]) <= MAX_FAMILY_WIDTH, f"the checker regenerates "
           f"{init} points for widths ≤ {MAX_FAMILY_WIDTH} only", "point")
    from ..errors import SymflowError
    from ..linear import sample

    try:
        named = sample(list(net.widths or []), init, p["family_seed"])
    except SymflowError as exc:
        raise Failure("point", f"no {init} sample for these widths: {exc}") from None
    want = [sympy.Rational(int(named[n].p), int(named[n].q)) for n in ctx.names]
    expect(point == want, "point", f"θ0{where} is not the {init} point generated from family "
           f"seed {p['family_seed']}")
    us = _linear_mats(ctx, point)
    lams = [rat(x) for x in p["lambdas"]]
    expect(len(lams) == len(us) - 1, "point", f"{where}: one λ per hidden layer is needed")
    for k in range(1, len(us)):
        h = us[k].T * us[k] - us[k - 1] * us[k - 1].T
        expect(h == lams[k - 1] * sympy.eye(h.shape[0]), "point",
               f"θ0{where} is not on the {init} family: U{k + 1}ᵀU{k + 1} − U{k}U{k}ᵀ ≠ "
               f"{lams[k - 1]}·I")
        if init == "balanced":
            expect(lams[k - 1] == 0, "point", f"θ0{where}: balanced needs λ = 0")


def _check_point(ctx: Context, claim: dict, p: dict, n: int, laws: list) -> None:
    """Every field of one point of the intrinsic claim but the three properties (which need
    the closed forms: check_intrinsic_claim)."""
    D, init = ctx.D, claim["init"]
    where = f" (point {n})"
    point = [rat(x) for x in p["theta0"]]
    expect(len(point) == D, "point", f"θ0{where} has {len(point)} entries, D = {D}")
    if init == "generic":
        expect(point == sample_points(p["seed"], D, 1)[0], "point",
               f"θ0{where} is not the point generated from seed {p['seed']}")
    elif init != "given point":
        _family_point(ctx, init, p, point, where)
    rows = ctx.jacobian_rows_at(point)  # ∂φ(θ0), sparse rows, evaluated once per point
    jac = ctx.dense(rows)
    rj = rank(jac)
    ctx.tick("point")
    expect(rj == p["rank_dphi"], "jacobian-rank",
           f"rank ∂φ(θ0){where} is {rj}, claimed {p['rank_dphi']}")
    # the laws defined near θ0 (a logarithmic law whose factor vanishes at θ0 is not one)
    grads = [g for g in (ctx.law_gradient_at(h, point) for h in laws) if g is not None]
    rh = rank(grads)
    ctx.tick("point")
    expect(rh == p["rank_dh"], "law-rank", f"rank ∂h(θ0){where} is {rh}, claimed {p['rank_dh']}")
    values = _check_brackets(ctx, p["brackets"], point, p["bracket_rank"], where)
    if p["lie_closure"] is not None:
        _check_closure(ctx, p["lie_closure"], point, p["bracket_rank"], where)
    lie_exact = prose.lie_exact_reason(p, D) is not None
    expect(p["lie_exact"] == lie_exact, "lie-exact",
           f"Lie(W_φ)(θ0){where} is exact iff bracket rank = D − rank ∂h(θ0) (or D), or the "
           "brackets are certified to close")
    sufficient = rank(jac + grads) == D
    expect(p["sufficient_condition"] == sufficient, "sufficient",
           f"rank [∂φ; ∂h](θ0){where} {'=' if sufficient else '<'} D, claimed otherwise")

    def in_kernel(v: list) -> bool:
        return all(sum((x * v[k] for k, x in row.items()), 0) == 0 for row in rows)

    w = p["witness"]
    if w is not None:
        v = [rat(x) for x in w]
        expect(len(v) == D, "witness", f"the witness{where} has {len(v)} entries, D = {D}")
        expect(in_kernel(v), "witness", f"∂φ(θ0)v ≠ 0{where}")
        expect(rank(values + [v]) == len(values), "witness",
               f"v is not in the span of the brackets at θ0{where}")
        expect(ctx.metric_derivative_nonzero(point, v, rows), "witness",
               f"∂M(θ0)[v] = 0{where}: v does not break the inclusion")
        expect(p["intersection_basis"] is None, "intersection",
               f"a witness and an intersection basis are both given{where}")
    else:
        basis = [[rat(x) for x in v] for v in (p["intersection_basis"] or [])]
        expect(p["intersection_basis"] is not None, "intersection",
               f"neither a witness nor a basis of ker ∂φ ∩ Lie(W_φ)(θ0) is given{where}")
        # ker ∂φ ∩ span(B) = {Bᵀc : J Bᵀ c = 0}: its dimension, computed here
        dim = 0
        if values:
            jb = [[sum((x * b[k] for k, x in row.items()), sympy.Integer(0)) for b in values]
                  for row in rows]
            dim = len(values) - rank(jb)
        expect(all(len(v) == D and in_kernel(v) for v in basis)
               and all(rank(values + [v]) == len(values) for v in basis)
               and rank(basis) == len(basis) == dim, "intersection",
               f"the recorded basis of ker ∂φ ∩ span(brackets){where} is not a basis of it "
               f"(dimension {dim})")
        if lie_exact and not sufficient:
            for v in basis:
                expect(not ctx.metric_derivative_nonzero(point, v, rows), "inclusion",
                       f"ker ∂φ ∩ Lie(W_φ) ⊄ ker ∂M at θ0{where}, but no witness is given")


def _closed_form_applies(ctx: Context, kind: str) -> bool:
    """Each closed form applies to its own architectures only."""
    net = ctx.net
    if kind == "uv":
        if net.kind != "polynomial" or ctx.D != 2 or ctx.d != 1:
            return False
        u, v = ctx.syms
        poly = sympy.Poly(ctx.phi[0], u, v)
        return poly.monoms() == [(1, 1)]
    if kind == "two-layer-relu":
        return net.kind == "layered-relu" and len(net.widths or []) == 3
    if kind == "path-metric":
        return net.is_path and net.single_paths
    return net.kind == "linear"  # linear-family


def _two_layer_blocks(ctx: Context) -> list[tuple[list, list]]:
    """Per hidden neuron of a two-layer net: (incoming weights and bias, outgoing weights)."""
    s = ctx.symdict
    out = []
    for v in ctx.net.hidden:
        ins = [s[p] for _, b, p in ctx.net.edges if b == v]
        ins += [s[ctx.net.biases[v]]] if v in ctx.net.biases else []
        outs = [s[p] for a, _, p in ctx.net.edges if a == v]
        out.append((ins, outs))
    return out


def check_intrinsic_claim(ctx: Context, claim: dict, report: Report, laws: list[Law]) -> None:
    """Every field of the intrinsic claim; h is the verified laws of the law-count claim."""
    points = claim["points"]
    seen = [tuple(rat(x) for x in p["theta0"]) for p in points]
    expect(len(set(seen)) == len(seen), "point", "a point is listed twice (one point is one "
           "piece of evidence)")
    ctx.begin("point")
    for n, p in enumerate(points, 1):
        ctx.tick("point")
        _check_point(ctx, claim, p, n, laws)
    for s in ("point", "jacobian-rank", "law-rank", "brackets", "bracket-rank", "lie-exact",
              "sufficient", "witness", "intersection", "inclusion"):
        report.step(s)
    ctx.begin("closed-forms")
    kinds = [cf["kind"] for cf in claim["closed_forms"]]
    expect(len(set(kinds)) == len(kinds), "closed-forms", "a closed form is listed twice")
    covered = [False] * len(points)
    pts = [[rat(x) for x in p["theta0"]] for p in points]
    for cf in claim["closed_forms"]:
        kind = cf["kind"]
        expect(_closed_form_applies(ctx, kind), "closed-forms",
               f"the closed form '{kind}' does not apply to this architecture")
        degree = max((degree_and_terms(e)[0] for e in ctx.phi), default=0)
        within(closed_forms_apply(ctx.D, ctx.d, degree), f"closed forms are "
               f"re-verified for d ≤ {MAX_CLOSED_FORM_COORDS} coordinates, D ≤ "
               f"{MAX_CLOSED_FORM_PARAMS} parameters and degree ≤ {MAX_CLOSED_FORM_DEGREE} "
               f"only (here d = {ctx.d}, D = {ctx.D}, degree {degree})", "closed-forms")
        recomputed, samples = closed_form_checks(ctx, kind, pts)
        texts = closed_form_texts(kind, len(ctx.net.widths or []) - 1, samples)
        expect(all(cf[k] == texts[k] for k in ("name", "formula", "conditions")), "closed-forms",
               f"the texts of the closed form '{kind}' are not its fixed wording")
        claims = [x["claim"] for x in cf["identities"]] + [x["claim"] for x in cf["pointwise"]]
        expect(claims == texts["identities"] + texts["pointwise"], "closed-forms",
               f"the checks listed for '{kind}' are not the ones it rests on")
        expect(recomputed, "closed-forms", f"the closed form '{kind}' rests on no check")
        recorded = [x["verified"] for x in cf["identities"] + cf["pointwise"]]
        expect(recomputed == recorded, "closed-forms",
               f"{kind}: recomputed checks {recomputed} differ from the recorded {recorded}")
        if not (CLOSED_FORMS[kind]["decides"] and all(recomputed)):
            continue
        for i, pt in enumerate(pts):
            if kind == "uv":
                covered[i] = True
            elif kind == "linear-family":
                covered[i] = covered[i] or (i + 1) in samples
            elif kind == "two-layer-relu":
                sub = ctx.subs(pt)
                covered[i] = covered[i] or all(
                    any(x.xreplace(sub) != 0 for x in ins) and any(x.xreplace(sub) != 0
                                                                   for x in outs)
                    for ins, outs in _two_layer_blocks(ctx))
    report.step("closed-forms")
    keys = ("lie_locally_constant", "frobenius", "recoverability", "metric", "dynamic")
    for n, (p, cov) in enumerate(zip(points, covered, strict=True), 1):
        want = prose.point_properties(p, ctx.D, ctx.d, cov)
        got = {k: p[k] for k in keys}
        expect(got == want, "verdict", f"the evidence at point {n} gives {want}, claimed {got}")
    want = prose.claim_properties(points)
    got = {k: claim[k] for k in ("recoverability", "metric", "dynamic", "frobenius")}
    expect(got == want, "verdict", f"the evidence gives {want}, the certificate claims {got}")
    report.step("verdict")
    expect(claim["statement"] == prose.intrinsic_statement(claim, ctx.D, covered, ctx.arch),
           "statement",
           "the statement is not the one generated from the verified evidence")
    report.step("statement")


# ----------------------------------------------------------------------------- closed forms
def _linear_mats(ctx: Context, point: list) -> list[sympy.Matrix]:
    w = ctx.net.widths or []
    idx = {n: i for i, n in enumerate(ctx.names)}
    return [sympy.Matrix(w[k], w[k - 1], lambda i, j, k=k: point[idx[f"U{k}_{i + 1}_{j + 1}"]])
            for k in range(1, len(w))]


def _is_psd(m: sympy.Matrix) -> bool:
    if m != m.T:
        return False
    lam = sympy.Symbol("lam")
    coeffs = sympy.Poly(m.charpoly(lam).as_expr(), lam).all_coeffs()  # leading first
    return all(c == 0 or (c > 0) == (i % 2 == 0) for i, c in enumerate(coeffs))


def closed_form_checks(ctx: Context, kind: str, points: list[list]) -> tuple[list[bool], list]:
    """Recompute, with SymPy, the truth of every identity and pointwise check of a closed form
    (and the 1-based points where pointwise checks apply)."""
    if kind == "linear-family":  # checked at the points, from ∂φ(θ0): no symbolic M
        return _linear_family_checks(ctx, points)
    m = sympy.Matrix(ctx.d, ctx.d, lambda a, b: sympy.expand(
        sum(x * y for x, y in zip(ctx.grad_phi[a], ctx.grad_phi[b], strict=True))))
    if kind == "uv":
        u, v = ctx.syms
        c = sympy.Poly(ctx.phi[0], u, v).coeff_monomial(u * v)
        h, z = u**2 - v**2, ctx.phi[0]
        return [sympy.expand(m[0, 0] - c**2 * (u**2 + v**2)) == 0,
                sympy.expand(m[0, 0] ** 2 - c**4 * h**2 - 4 * c**2 * z**2) == 0], []
    if kind == "path-metric":
        ok = True
        for a in range(ctx.d):
            for b in range(a, ctx.d):
                shared = ctx.phi[a].free_symbols & ctx.phi[b].free_symbols
                rhs = sum(ctx.phi[a] * ctx.phi[b] / e**2 for e in shared)
                ok = ok and sympy.expand(m[a, b] - rhs) == 0
        return [ok], []
    if kind == "two-layer-relu":
        w, bias = ctx.net.widths or [], bool(ctx.net.biases)
        s = ctx.symdict
        block = {}
        blocks = []
        for i in range(1, w[1] + 1):
            ins = [s[f"W1_{i}_{j}"] for j in range(1, w[0] + 1)] + ([s[f"b1_{i}"]] if bias else [])
            outs = [s[f"W2_{k}_{i}"] for k in range(1, w[2] + 1)]
            coords = [a for a, p in enumerate(ctx.phi) if p.free_symbols & set(ins)]
            for a in coords:
                block[a] = i
            blocks.append((ins, outs, coords))
        off = all(m[a, b] == 0 for a in range(ctx.d) for b in range(ctx.d)
                  if block.get(a, -1 - a) != block.get(b, -1 - b))
        ok = True
        for ins, outs, coords in blocks:
            u2, v2 = sum(x**2 for x in outs), sum(x**2 for x in ins)
            hh, ss = v2 - u2, u2 + v2
            z2 = sum(ctx.phi[a] ** 2 for a in coords)
            ok = ok and sympy.expand(ss**2 - hh**2 - 4 * z2) == 0
            # coordinates as (out index, in index) from the variables of each monomial
            pos = {a: (next(i for i, x in enumerate(outs) if x in ctx.phi[a].free_symbols),
                       next(j for j, x in enumerate(ins) if x in ctx.phi[a].free_symbols))
                   for a in coords}
            at = {ab: a for a, ab in pos.items()}
            for p in coords:
                for q in coords:
                    (a, b), (a2, b2) = pos[p], pos[q]
                    zzt = sum(ctx.phi[at[(a, bb)]] * ctx.phi[at[(a2, bb)]]
                              for bb in range(len(ins))) if b == b2 else 0
                    ztz = sum(ctx.phi[at[(aa, b)]] * ctx.phi[at[(aa, b2)]]
                              for aa in range(len(outs))) if a == a2 else 0
                    ok = ok and sympy.expand(u2 * v2 * m[p, q] - u2 * zzt - v2 * ztz) == 0
        return [off, ok], []
    raise Failure("closed-forms", f"unknown closed form kind '{kind}'")


def _linear_family_checks(ctx: Context, points: list[list]) -> tuple[list[bool], list[int]]:
    w = ctx.net.widths or []
    out = []
    samples = []
    if len(w) == 3:
        us = _linear_mats(ctx, ctx.syms)
        u1, u2 = us
        z = u2 * u1
        h = u2.T * u2 - u1 * u1.T
        p, q = u2 * u2.T, u1.T * u1
        out.append((p * p - z * z.T - u2 * h * u2.T).expand().is_zero_matrix
                   and (q * q - z.T * z + u1.T * h * u1).expand().is_zero_matrix)
    for n, point in enumerate(points, 1):
        us = _linear_mats(ctx, point)
        hs = [us[k].T * us[k] - us[k - 1] * us[k - 1].T for k in range(1, len(us))]
        if any(h != h[0, 0] * sympy.eye(h.shape[0]) for h in hs):
            continue
        lams = [h[0, 0] for h in hs]
        if len(set(w)) != 1 and any(lams):
            continue
        samples.append(n)
        L = len(us)
        c = [sympy.Integer(0)]
        for lam in lams:
            c.append(c[-1] + lam)
        z = us[-1]
        for u in reversed(us[:-1]):
            z = z * u
        n_out, n_in = w[-1], w[0]
        s_out = us[-1] * us[-1].T - c[L - 1] * sympy.eye(n_out)
        s_in = us[0].T * us[0] - c[0] * sympy.eye(n_in)

        def prod(s, ks, n, c=c):
            r = sympy.eye(n)
            for k in ks:
                r = r * (s + c[k - 1] * sympy.eye(n))
            return r

        out.append(prod(s_out, range(1, L + 1), n_out) == z * z.T)
        out.append(prod(s_in, range(1, L + 1), n_in) == z.T * z)
        out.append(all(_is_psd(s_out + c[k - 1] * sympy.eye(n_out))
                       and _is_psd(s_in + c[k - 1] * sympy.eye(n_in)) for k in range(1, L + 1)))
        mm = sympy.Matrix(ctx.jacobian_at(point))
        mm = mm * mm.T
        kk = sympy.zeros(n_out * n_in, n_out * n_in)
        for j in range(1, L + 1):
            a, b = prod(s_out, range(j + 1, L + 1), n_out), prod(s_in, range(1, j), n_in)
            for i, al, i2, a2 in itertools.product(range(n_out), range(n_in), range(n_out),
                                                   range(n_in)):
                kk[i * n_in + al, i2 * n_in + a2] += a[i, i2] * b[a2, al]
        out.append(kk == mm)
        out.append(not any(lams) or all(u.shape[0] == u.shape[1] and u.rank() == u.shape[0]
                                        for u in us))
    return out, samples


# ----------------------------------------------------------------------------- entry points
class DuplicateKey(Exception):
    """A JSON object names the same key twice."""


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise DuplicateKey(k)
        out[k] = v
    return out


def read_bounded(path: Path, most: int, what: str = "file") -> str:
    """The text of a regular file of at most ``most`` bytes, read with that bound: anything
    else (missing, a directory, a FIFO or device, larger) is refused before it is opened."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if not path.exists():
            raise Unreadable(f"no such file: {path}") from None
        raise Unreadable(f"cannot read {path}: {' '.join(str(exc).split())[:80]}") from None
    if not stat.S_ISREG(st.st_mode):
        kind = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise Unreadable(f"{path} is {kind}: a {what} is a regular file")
    if st.st_size > most:
        raise Refused(f"{path} has {st.st_size} bytes, above the checker's limit of {most} "
                      "(raise it with --max-bytes)", "file")
    try:
        with open(path, "rb") as fh:
            data = fh.read(most + 1)
    except OSError as exc:
        raise Unreadable(f"cannot read {path}: {' '.join(str(exc).split())[:80]}") from None
    if len(data) > most:  # the file grew after stat
        raise Refused(f"{path} has more than {most} bytes, above the checker's limit "
                      "(raise it with --max-bytes)", "file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable(f"{path} is not UTF-8 text") from None


def load(path: Path, max_bytes: int = MAX_FILE_BYTES) -> dict:
    """Read a certificate file; Unreadable if missing, not a regular file, not JSON or of an
    unknown format; Refused if larger than ``max_bytes`` (checked before reading)."""
    text = read_bounded(path, max_bytes, "certificate file")
    try:
        cert = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise Unreadable(f"{path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise Unreadable(f"{path} is nested too deeply to be a certificate") from None
    except DuplicateKey as exc:
        raise Unreadable(f"{path}: the key {shown(str(exc))} occurs twice in one "
                         "object (readers could see different certificates)") from None
    except ValueError as exc:  # e.g. an integer with too many digits
        raise Unreadable(f"{path} is not a readable certificate: {shown(exc)}") from None
    from .kh25 import FORMAT as KH25_FORMAT
    from .kh25 import FORMAT_VERSION as KH25_VERSION

    if isinstance(cert, dict) and cert.get("format") == KH25_FORMAT:
        if cert.get("format_version") != KH25_VERSION:
            raise Unreadable(f"{path}: unsupported format_version "
                             f"{shown(cert.get('format_version'))} of a KH25 certificate (this "
                             f"checker reads version {KH25_VERSION})")
        return cert
    if not isinstance(cert, dict) or cert.get("format") != FORMAT:
        raise Unreadable(f"{path} is not a symflow certificate (no 'format': '{FORMAT}')")
    if cert.get("format_version") == str(FORMAT_VERSION):
        raise Unreadable(f"{path}: format_version must be the number {FORMAT_VERSION}, not the "
                         f"string '{FORMAT_VERSION}'")
    if cert.get("format_version") != FORMAT_VERSION:
        raise Unreadable(f"{path}: unsupported format_version "
                         f"{shown(cert.get('format_version'))} (this checker reads version "
                         f"{FORMAT_VERSION}; regenerate the certificate with 'symflow certify')")
    return cert


def check_certificate(cert: dict, path: str = "<certificate>",
                      limits: Limits | None = None) -> Report:
    """Run every step; stop at the first failure and name it. Every step is planned against
    the time budget first (``cost.plan``); a hard deadline at the budget (plus a second of
    grace) refuses a check that would still overrun it."""
    limits = limits or Limits()
    report = Report(path)
    try:
        with deadline(limits.max_seconds + 1):
            _check_all(cert, report, limits)
    except Overrun:
        running = report.budget.running() if report.budget else None
        raise Refused(f"the check ran past its budget of {limits.max_seconds:.0f} s (raise it "
                      "with --max-seconds)", running or "format") from None
    return report


def _check_all(cert: dict, report: Report, limits: Limits) -> None:
    from .kh25 import FORMAT as KH25_FORMAT

    if isinstance(cert, dict) and cert.get("format") == KH25_FORMAT:
        from .kh25 import check as check_kh25

        report.budget = Budget(limits.max_seconds, on_step=limits.on_step)
        try:
            check_kh25(cert, report, limits)
        except Failure as f:
            report.failed = f
        except (RecursionError, MemoryError):
            report.failed = Failure(report.passed[-1] if report.passed else "format",
                                    "the certificate is too deeply nested or too large")
        return
    try:
        _structure(cert)
        report.step("format")
        net = architecture(cert, limits)
        report.step("architecture")
        budget = report.budget = Budget(limits.max_seconds, on_step=limits.on_step)
        work = {w.step: w for w in plan(cert, len(net.params), net.paths)}
        total = Work("check", sum(w.seconds for w in work.values()), "checking the "
                     "certificate (" + ", ".join(f"{w.step} {w.seconds:.0f} s" for w in
                                                 work.values()) + ")")
        total.step = max(work.values(), key=lambda w: w.seconds).step  # the largest part
        for w in [*work.values(), total]:
            why = budget.refuse(w)
            within(why is None, why or "", w.step)
        budget.begin("lifting", work["lifting"].seconds)
        rebuilt = rebuild_phi(net)  # the canonical texts, compared as a multiset before parsing
        expect(rebuilt is None or Counter(rebuilt) == Counter(cert["phi"]), "lifting",
               "the recorded φ is not the lifting of the recorded architecture")
        ctx = Context(cert, net, budget, work)
        if rebuilt is None:
            used = set().union(*(e.free_symbols for e in ctx.phi))
            unused = [n for n, s in zip(ctx.names, ctx.syms, strict=True) if s not in used]
            expect(net.unused == unused, "lifting",
                   f"the parameters that do not occur in φ are {unused[:5]}, declared "
                   f"{shown(net.unused[:5], 80)}")
        report.step("lifting")
        claims = cert["claims"]
        expect(bool(claims), "claims", "no claims: the certificate proves nothing")
        types = [c["type"] for c in claims]
        expect(len(set(types)) == len(types), "claims", "a claim type is repeated")
        expect(types[0] == "conservation-law-count", "claims", "the first claim must be the "
               "law count (an intrinsic claim rests on its laws: h is the laws certified there)")
        report.step("claims")
        laws = check_law_claim(ctx, claims[0], report)
        for claim in claims[1:]:
            check_intrinsic_claim(ctx, claim, report, laws)
        expect(cert["content_hash"] == content_hash(cert), "hash",
               "the content hash does not match (the certificate was altered)")
        report.step("hash")
        budget.end()
    except Failure as f:
        report.failed = f
    except (RecursionError, MemoryError):
        report.failed = Failure("format", "the certificate is nested too deeply or too large")
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, ZeroDivisionError) as exc:
        report.failed = Failure("format", f"malformed certificate ({type(exc).__name__}: "
                                f"{shown(exc)})")


def check_path(path: Path, limits: Limits | None = None, tex: bool = False) -> Report:
    """Check the certificate at ``path``; with ``tex``, also that the LaTeX beside it (NAME.tex,
    and NAME-section.tex if present) is exactly the rendering of the verified data."""
    limits = limits or Limits()
    cert = load(path, limits.max_bytes)
    report = check_certificate(cert, str(path), limits)
    if tex and report.ok and cert.get("format") != FORMAT:  # a KH25 certificate
        try:
            check_tex(cert, path)
            report.step("tex")
        except Failure as exc:
            report.failed = exc
        return report
    if tex and report.ok:
        try:
            work = plan_tex(cert)
            why = report.budget.refuse(work)
            within(why is None, why or "", "tex")
            report.budget.begin("tex", work.seconds)
            left = report.budget.seconds - report.budget.elapsed()
            try:
                with deadline(left + 1):
                    check_tex(cert, path)
            except Overrun:
                raise Refused(f"rendering the LaTeX ran past the budget of "
                              f"{report.budget.seconds:.0f} s (raise it with --max-seconds)",
                              "tex") from None
            report.budget.end()
            report.step("tex")
        except Failure as exc:
            report.failed = exc
    return report


def check_tex(cert: dict, path: Path) -> None:
    """NAME.tex (required) and NAME-section.tex (if present) equal the rendering of ``cert``:
    every word of the LaTeX certificate then comes from checked data."""
    from .kh25 import FORMAT as KH25_FORMAT
    from .latex import render, render_fragment

    pairs = [(path.with_suffix(".tex"), render), (path.with_name(path.stem + "-section.tex"),
                                                  render_fragment)]
    if cert.get("format") == KH25_FORMAT:
        from .kh25 import render as render_kh25

        pairs = [(path.with_suffix(".tex"), render_kh25)]
    expect(os.path.lexists(pairs[0][0]), "tex", f"{pairs[0][0].name} is missing")
    for tex_path, how in pairs:
        if not os.path.lexists(tex_path):
            continue
        st = os.stat(tex_path) if tex_path.exists() else None
        expect(st is not None and stat.S_ISREG(st.st_mode), "tex",
               f"{tex_path.name} is not a regular file")
        want = how(cert, path.name).encode("utf-8")
        # a file of another size is not the rendering: it is never read beyond that size
        expect(st.st_size == len(want), "tex", f"{tex_path.name} differs from the rendering of "
               f"the verified certificate ({st.st_size} bytes, the rendering has {len(want)})")
        with open(tex_path, "rb") as fh:
            have = fh.read(len(want) + 1)
        if have != want:
            a = have.decode("utf-8", "replace").splitlines()
            b = want.decode("utf-8").splitlines()
            line = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                        min(len(a), len(b)))
            raise Failure("tex", f"{tex_path.name} differs from the rendering of the verified "
                                 f"certificate (first at line {line + 1})")
