"""Re-verify a symflow certificate from its JSON alone, with SymPy; trust nothing in it.

Every field that reaches a verdict, a count, a label or a sentence is recomputed here from the
architecture and the seeds, compared exactly with what is recomputed, or rejected. φ and the
parameter list are rebuilt from the architecture (a polynomial lifting is its own definition),
brackets from their words, every rank, identity and witness over QQ, and every sentence is
regenerated from the verified data (symflow.prose). Sizes are checked before any
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

The checker is split by what it checks: this module holds what every claim needs (the file's
shape, the rebuilt network and lifting, the exact ranks, the context of a check);
``check_laws`` the law-count claim, ``check_intrinsic`` the intrinsic claims, ``kh25`` the KH25
certificates, and ``verify`` reads a file, runs the steps in order within the time budget and
compares the LaTeX. None of them imports ``verify``.
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
from sympy.polys.rings import ring

from .. import prose
from ..errors import SpecError
from ..exprparse import ExprTooLarge, degree_and_terms, polynomial_expr
from ..polytext import format_number, format_poly
from ..wording import (
    CLOSED_FORMS,
)
from .cost import (
    BYTES_TERM_D,
    MAX_SECONDS,
    SEC_TERM_D,
    Budget,
    Work,
)
from .schema import (
    FORMAT,
    FORMAT_VERSION,
    KH25_FORMAT,
    KH25_FORMAT_VERSION,
    MAX_COORDS,
    MAX_FILE_BYTES,
    MAX_PARAMS,
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
KINDS = ("layered-relu", "layered-power", "linear", "dag", "polynomial", "attention", "block")
MAX_ATTENTION = 64  # the model dimension, the head dimension and the number of heads
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
    fixed: dict[tuple[str, str], Fraction] = field(default_factory=dict)  # fixed edges' weights

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
               "architecture", f"edge {shown(e)} must be [from, to, parameter or fixed weight]")
        u, v, p = e
        if NAME.fullmatch(p) is None:  # a fixed weight, in its canonical text ("1", "-1/2")
            ok = re.fullmatch(r"-?(0|[1-9][0-9]{0,59})(/[1-9][0-9]{0,59})?", p) is not None
            q = Fraction(p) if ok else Fraction(0)
            expect(ok and format_number(q) == p and q != 0, "architecture",
                   f"edge {u} -> {v}: {shown(p)} is neither a parameter name nor a non-zero "
                   "fixed weight in canonical form")
            net.fixed[(u, v)] = q
            p = None
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
    # a parameter on several edges is shared (once in the list, where it first occurs)
    net.params = list(dict.fromkeys(p for _, _, p in net.edges if p is not None))
    expect(not set(net.params) & set(net.biases.values()), "architecture",
           "a parameter is both a weight and a bias")
    net.params += list(dict.fromkeys(net.biases.values()))  # a shared bias once
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


def architecture(cert: dict, limits: Limits, bind: bool = True) -> Net:
    """Rebuild the network from the certificate's architecture; bind name and parameters
    (``bind`` False: the network inside a block claim, bound by the block)."""
    arch = cert["architecture"]
    kind = arch.get("kind")
    if kind == "block":
        return _block(cert, limits)
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
    elif kind == "attention":
        Shape.obj(arch, "architecture", {"kind", "dim", "head_dim", "heads"})
        sizes = [arch["dim"], arch["head_dim"], arch["heads"]]
        expect(all(type(x) is int and 1 <= x <= MAX_ATTENTION for x in sizes), "architecture",
               f"an attention layer's dim, head_dim and heads are whole numbers in [1, "
               f"{MAX_ATTENTION}] (got {shown(sizes)})")
        dim, k, heads = sizes
        D = 4 * heads * dim * k  # noqa: N806
        within(D <= limits.max_params, f"D = {D} parameters, above the checker's limit of "
               f"{limits.max_params} (raise it with --max-params)", "architecture")
        within(2 * heads * dim * dim <= limits.max_coords, f"d = {2 * heads * dim * dim} "
               f"coordinates, above the checker's limit of {limits.max_coords} (raise it with "
               "--max-paths)", "architecture")
        params = []
        for h in range(1, heads + 1):
            for m in ("Q", "K", "V"):
                params += [f"{m}{h}_{i}_{a}" for i in range(1, dim + 1) for a in range(1, k + 1)]
            params += [f"O{h}_{a}_{j}" for a in range(1, k + 1) for j in range(1, dim + 1)]
        net = Net("attention", f"attn:{dim}-{k}" + (f"-{heads}" if heads > 1 else ""), params,
                  widths=sizes, paths=2 * heads * dim * dim * k)
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
        # every coordinate one path (never with shared or fixed weights: the path-lifting
        # identities need one parameter per edge)
        shared = bool(net.fixed) or len(net.params) < len(net.edges) + len(net.biases)
        net.single_paths = d == paths and not shared
        net.paths = paths
    within(len(cert["phi"]) <= limits.max_coords,
           f"d = {len(cert['phi'])} coordinates, above the checker's limit of "
           f"{limits.max_coords} (raise it with --max-paths)",
               "architecture")
    if not bind:
        return net
    expect(names == net.params, "architecture",
           "the parameters are not those of the architecture (names, number or order)")
    expect(cert["name"] == net.name, "architecture",
           f"the name {shown(cert['name'])} is not the architecture's ({net.name[:40]!r})")
    return net


def _block(cert: dict, limits: Limits) -> Net:
    """A block claim: the laws of a network that depend on the parameters of ``block`` only.
    The network is rebuilt from ``network`` (any kind but a polynomial lifting or a block);
    the block's parameters must be some of its parameters, in its order; its lifting ψ is
    rebuilt from the network's φ by ``rebuild_phi``."""
    arch = cert["architecture"]
    Shape.obj(arch, "architecture", {"kind", "block", "network"})
    inner = arch["network"]
    expect(isinstance(inner, dict) and inner.get("kind") in KINDS
           and inner.get("kind") not in ("polynomial", "block"), "architecture",
           "the network of a block claim must be a network (layered, linear, DAG or attention)")
    net_in = architecture({"architecture": inner, "parameters": [], "name": "",
                           "phi": cert["phi"]}, limits, bind=False)
    block = Shape.lst(arch["block"], "architecture.block", nonempty=True)
    expect(all(isinstance(n, str) for n in block) and len(set(block)) == len(block),
           "architecture", "the block must list distinct parameter names")
    outside = [n for n in block if n not in net_in.params]
    expect(not outside, "architecture", f"the block names {shown(outside[:1])}, which is not a "
           "parameter of the network")
    expect(block == [n for n in net_in.params if n in set(block)], "architecture",
           "the block's parameters are not in the network's order")
    net = Net("block", f"{net_in.name} [block]", list(block))
    net.inner = net_in  # type: ignore[attr-defined]
    net.paths = net_in.paths
    expect(cert["parameters"] == net.params, "architecture",
           "the parameters are not those of the block (names, number or order)")
    expect(cert["name"] == net.name, "architecture",
           f"the name {shown(cert['name'])} is not the block's ({net.name[:40]!r})")
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

    if net.kind == "block":  # φ of the network, each coordinate split by the other parameters
        inner = net.inner  # type: ignore[attr-defined]
        texts = rebuild_phi(inner)
        syms = {n: sympy.Symbol(n) for n in inner.params}
        keep = set(net.params)
        kpos = {n: k for k, n in enumerate(net.params)}
        gens = [syms[n] for n in inner.params]
        out: list[str] = []
        for t in texts or []:
            groups: dict[tuple, list] = {}
            for exps, c in sympy.Poly(polynomial_expr(t, syms), *gens).as_dict().items():
                outer = tuple(e for n, e in zip(inner.params, exps, strict=True) if n not in keep)
                mine = {kpos[n]: e for n, e in zip(inner.params, exps, strict=True)
                        if n in keep and e}
                groups.setdefault(outer, []).append((mine, Fraction(int(c.p), int(c.q))))
            for terms in groups.values():
                if not any(m for m, _ in terms):
                    continue  # constant in the block: no coordinate
                text = format_poly(terms, net.params)
                if text not in out:
                    out.append(text)
        return out
    if net.kind == "attention":  # (Q_hK_hᵀ, V_hO_h)_h, entries row by row, head by head
        dim, k, heads = net.widths or [0, 0, 0]
        out = []
        for h in range(1, heads + 1):
            for left, right in (("Q", "K"), ("V", "O")):
                for i in range(1, dim + 1):
                    for j in range(1, dim + 1):
                        monos: Counter = Counter()
                        for a in range(1, k + 1):
                            b = (f"K{h}_{j}_{a}" if right == "K" else f"O{h}_{a}_{j}")
                            monos[tuple(sorted((pos[f"{left}{h}_{i}_{a}"], pos[b])))] += 1
                        out.append(text(monos))
        return out
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
    succ: dict[str, list[tuple[str, int | None, Fraction]]] = {}
    for u, v, p in net.edges:
        succ.setdefault(u, []).append((v, None if p is None else pos[p],
                                       net.fixed.get((u, v), Fraction(1))))
    outputs = set(net.outputs)
    # a path's product: the positions of its parameters (a shared one may repeat) and the
    # product of its fixed weights
    tails: dict[str, list[tuple[tuple, str, tuple, Fraction]]] = {}
    for v in reversed(getattr(net, "order", [])):  # paths from v to the outputs, bottom-up
        mine = (v,) if net.hidden.get(v) == "relu" else ()
        res = [((), v, (), Fraction(1))] if v in outputs else []
        for w_, k, c in succ.get(v, []):
            res += [(mine + seq, out, mono if k is None else (k, *mono), c * cc)
                    for seq, out, mono, cc in tails[w_]]
        tails[v] = res
    classes: dict[tuple, Counter] = {}
    for v in net.inputs:
        for seq, out, mono, c in tails[v]:
            classes.setdefault((v, seq, out), Counter())[tuple(sorted(mono))] += c
    for v, b in net.biases.items():
        for seq, out, mono, c in tails[v]:
            classes.setdefault((None, seq, out), Counter())[tuple(sorted((pos[b], *mono)))] += c
    if not net.fixed and len(net.params) == len(net.edges) + len(net.biases):
        return [text(m) for m in classes.values()]  # one parameter per edge: all distinct
    # shared or fixed weights: a class that does not depend on θ (fixed edges only) is not a
    # coordinate, and classes with the same polynomial are one coordinate
    out: list[str] = []
    for m in classes.values():
        terms = [(dict(Counter(mono)), c) for mono, c in m.items() if c != 0]
        if not any(mono for mono, c in m.items() if c != 0):
            continue
        t = format_poly(terms, net.params)
        if t not in out:
            out.append(t)
    return out


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
    if isinstance(cert, dict) and cert.get("format") == KH25_FORMAT:
        if cert.get("format_version") != KH25_FORMAT_VERSION:
            raise Unreadable(f"{path}: unsupported format_version "
                             f"{shown(cert.get('format_version'))} of a KH25 certificate (this "
                             f"checker reads version {KH25_FORMAT_VERSION})")
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
