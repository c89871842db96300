"""The predicted work of `symflow check`, step by step, from the certificate's sizes alone.

Before any polynomial is parsed, ``plan`` predicts the seconds (and bytes) of every step from
counts read off the JSON: the paths of the network, the characters, terms and variable
occurrences of φ and of the laws, the number of points, brackets and laws (the sizes of the
exact ranks), the monomials of a recorded search and the polynomials it factors, the entries
the LaTeX rendering writes. A step whose prediction is beyond the budget (``--max-seconds``,
60 s; 2 GB) is refused at once, in one line, with its figure. While the steps run, ``tick``
polls the clock as a safety net, so that a prediction too low still ends in a refusal within
the budget, never in a hang.

The constants are seconds per unit of work on one core of a 2-core machine, measured by
``benchmarks/bench_check.py`` (which prints predicted and measured seconds side by side); they
are rounded up.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..clock import Overrun, deadline  # noqa: F401 - the checker's hard deadline
from .schema import MAX_CHECK_SECONDS as MAX_SECONDS  # a whole check (--max-seconds)

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

MAX_BYTES_IN_MEMORY = 2_000_000_000  # predicted bytes of its polynomials (fixed)

SEC_PATH = 4e-5  # rebuilding φ of a network, per path (or product term of U_L⋯U_1)
SEC_CHAR = 4e-6  # parsing a polynomial's text, per character
SEC_TERM_D = 3e-8  # one term of a polynomial in QQ[θ] (a tuple of D exponents), per D
SEC_ENTRY = 5e-7  # one entry of a matrix whose exact rank is computed
SEC_ELIM = 3e-10  # m·n·min(m, n) of an exact rank (FLINT, small integers)
SEC_SEARCH = 2e-5  # a monomial × coordinate pair of the redone law search
SEC_FACTOR = 2e-6  # (terms × degree)² of a polynomial factored by the redone search
SEC_LAW = 6e-7  # a term product of a law's identity (sparse polynomials over QQ), per D
SEC_BRACKET = 1.5e-6  # building and evaluating the field of a bracket, per D
SEC_WITNESS = 5e-6  # a term of ∂φ differentiated and evaluated along one coordinate of v
SEC_CLOSED_FORM = 1e-4  # an entry of M = ∂φ∂φᵀ expanded by SymPy, per variable of a term
SEC_TEX = 2e-5  # a character of a polynomial typeset in the LaTeX, or a number of a point
BYTES_TERM_D = 9  # a term of a polynomial in QQ[θ], per D (the exponent tuple), plus 200


def terms_of(text: str) -> int:
    """The number of terms of a polynomial in canonical text (`` + `` and `` - `` separate
    them; a leading sign does not)."""
    return text.count(" + ") + text.count(" - ") + 1


@dataclass
class Work:
    """The predicted cost of one step."""

    step: str
    seconds: float
    what: str
    bytes: int = 0


@dataclass
class Budget:
    """The checker's budget: steps are planned against it, then run while ``tick`` polls the
    clock. ``log`` keeps (step, predicted, measured) for the benchmark."""

    seconds: float = MAX_SECONDS
    memory: int = MAX_BYTES_IN_MEMORY
    start: float = field(default_factory=time.monotonic)
    log: list = field(default_factory=list)
    on_step: Callable[[str, float], None] | None = None  # (step, predicted seconds) as it starts
    _current: tuple | None = None

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def refuse(self, work: Work) -> str | None:
        """Why ``work`` does not fit what is left of the budget (None if it does)."""
        left = self.seconds - self.elapsed()
        if work.seconds > left:
            return (f"{work.what}: predicted {work.seconds:.0f} s, above the "
                    f"{max(left, 0):.0f} s left of the checker's budget of {self.seconds:.0f} s "
                    "(raise it with --max-seconds)")
        if work.bytes > self.memory:
            return (f"{work.what}: predicted {work.bytes / 1e9:.1f} GB of polynomials, above "
                    f"the checker's limit of {self.memory / 1e9:.0f} GB")
        return None

    def begin(self, step: str, predicted: float) -> None:
        """Start timing a planned step (the previous one ends)."""
        self.end()
        if self.on_step is not None:
            self.on_step(step, predicted)
        self._current = (step, predicted, time.monotonic())

    def end(self) -> None:
        if self._current is not None:
            step, predicted, t0 = self._current
            self.log.append((step, predicted, time.monotonic() - t0))
            self._current = None

    def running(self) -> str | None:
        """The step being timed, if any."""
        return self._current[0] if self._current else None

    def overrun(self) -> bool:
        return self.elapsed() > self.seconds


def _occurrences(texts: list[str]) -> Counter:
    """How often each name occurs in the texts (for φ: the terms of ∂_k φ, summed over φ's
    coordinates, before merging)."""
    out: Counter = Counter()
    for t in texts:
        out.update(IDENT.findall(t))
    return out


def _rank(m: int, n: int) -> float:
    return SEC_ENTRY * m * n + SEC_ELIM * m * n * min(m, n)


def _monomials(D: int, degree: int) -> int:  # noqa: N803
    from .schema import search_monomials

    return search_monomials(D, degree)


def search_seconds(phi: list[str], D: int, degree: int, darboux: bool) -> float:  # noqa: N803
    """The predicted seconds of redoing a recorded law search of ``degree`` (with its Darboux
    candidates, ``darboux``: every coordinate of φ and entry of ∂φ is factored by SymPy) for φ
    given by its canonical texts. The writer records no search the checker could not redo in
    its budget."""
    monos, d = _monomials(D, degree), len(phi)
    factored = 0.0
    if darboux:
        for t in phi:
            names = IDENT.findall(t)
            k = terms_of(t) * max(1, len(names) // max(1, terms_of(t)))
            factored += k * k * (1 + len(set(names)))
    return monos * d * SEC_SEARCH + factored * SEC_FACTOR + _rank(monos * d // max(1, D), monos)


@dataclass
class Sizes:
    """What the checker's work depends on, read off a certificate (``plan``) or predicted
    from a network's shape before the certificate exists (``predict_network_plan``)."""

    D: int  # noqa: N815 - the paper's notation
    d: int
    paths: int  # paths (or product terms) rebuilt for a network; 0 for a polynomial lifting
    terms_phi: int  # terms of φ, summed over its coordinates
    occ_phi: int  # variable occurrences in φ (= terms of all ∂_k φ)
    chars_phi: int
    laws: int
    law_chars: int
    law_occ: int  # variable occurrences in the laws' texts
    law_terms: int
    pairing: int  # term products of the laws' identities ⟨∇h, ∇φ_i⟩
    brackets: int  # of the law claim
    #: per intrinsic claim, per point: (brackets, intersection basis, has a witness)
    points: list[list[tuple[int, int, bool]]] = field(default_factory=list)


def plan_sizes(z: Sizes) -> list[Work]:
    """The predicted work of the steps lifting, laws, law-rank and point from ``z``."""
    D, d, n, b = z.D, z.d, z.laws, z.brackets  # noqa: N806
    out = [Work("lifting", z.paths * SEC_PATH + z.chars_phi * SEC_CHAR
                + (z.terms_phi + z.occ_phi) * D * SEC_TERM_D,
                f"rebuilding and reading φ ({z.paths} paths, {z.terms_phi} terms, D = {D})",
                (z.terms_phi + z.occ_phi) * (BYTES_TERM_D * D + 200))]
    out.append(Work("laws", z.law_chars * SEC_CHAR + (z.pairing + z.law_occ) * D * SEC_LAW,
                    f"verifying {n} laws as identities ({z.pairing} term products)",
                    (z.law_terms + z.law_occ) * (BYTES_TERM_D * D + 200)))
    evals = (z.law_occ + z.occ_phi) * D * SEC_TERM_D
    out.append(Work("law-rank", _rank(n, D) + _rank(b, D) + evals + b * D * SEC_BRACKET,
                    f"the ranks of {n} law gradients and {b} brackets at θ0"))
    for pts in z.points:
        per_point = 0.0
        for bp, basis, witness in pts:
            per_point += (_rank(d, D) + 2 * _rank(n + d, D) + _rank(bp, D) + bp * D * SEC_BRACKET
                          + basis * _rank(bp + 1, D) + _rank(d, bp) + evals
                          # ∂M(θ0)[v]: every term of ∂φ differentiated along v's support
                          + (int(witness) + basis) * z.occ_phi * D * SEC_WITNESS)
        out.append(Work("point", per_point, f"the exact ranks and evaluations at {len(pts)} "
                        f"points (d = {d}, D = {D}, {n} laws)"))
    return out


def plan(cert: dict, D: int, paths: int) -> list[Work]:  # noqa: N803
    """The predicted work of every step of checking ``cert`` (already structurally valid):
    D parameters, ``paths`` the paths (or product terms) rebuilt for a network (0 for a
    polynomial lifting)."""
    phi = cert["phi"]
    d = len(phi)
    per_var = _occurrences(phi)  # terms of ∂_k φ, over all coordinates
    claims = cert["claims"]
    law_claim = claims[0] if claims and isinstance(claims[0], dict) else {}
    laws = law_claim.get("laws") or []
    pairing = chars = occ_laws = law_terms = 0
    for law in laws:
        texts = [law["expression"]] + [t["factor"] for t in law.get("logs", [])]
        factor = len(texts) ** 2  # F = ∏ f_i multiplies every product of a logarithmic law
        for t in texts:
            names = IDENT.findall(t)
            occ_laws += len(names)
            law_terms += terms_of(t)
            chars += len(t)
            pairing += factor * sum(per_var[x] for x in names)
    points = [[(len(p.get("brackets") or []), len(p.get("intersection_basis") or []),
                bool(p.get("witness"))) for p in (c.get("points") or [])] for c in claims[1:]]
    z = Sizes(D, d, paths, sum(terms_of(t) for t in phi), sum(per_var.values()),
              sum(map(len, phi)), len(laws), chars, occ_laws, law_terms, pairing,
              len(law_claim.get("brackets") or []), points)
    out = plan_sizes(z)
    search = law_claim.get("search")
    if search:
        out.insert(3, Work("search", search_seconds(phi, D, search["degree"],
                                                    search.get("darboux") is not None),
                           f"redoing the law search of degree {search['degree']} "
                           f"({_monomials(D, search['degree'])} monomials, {d} coordinates)"))
    rest = out[:len(out) - len(points)]
    for c, w in zip(claims[1:], out[len(out) - len(points):], strict=True):
        rest.append(w)
        forms = c.get("closed_forms") or []
        if forms:  # M = ∂φ∂φᵀ expanded entry by entry with SymPy (d ≤ 100, D ≤ 200)
            length = 1 + z.occ_phi / max(1, z.terms_phi)
            rest.append(Work("closed-forms", len(forms) * d * d * length * SEC_CLOSED_FORM
                             + len(c.get("points") or []) * _rank(d, D),
                             f"re-verifying {len(forms)} closed forms (d = {d})"))
    return rest


def predict_network_plan(lf: Any) -> list[Work] | None:
    """The checker's work on the generic certificate of a ReLU path-lifting or of a layered
    linear network, predicted from the shape before anything is computed: the laws are the
    balance laws of the hidden neurons (ReLU) or the entries of U_kᵀU_k − U_{k+1}U_{k+1}ᵀ
    (linear), the bracket count is D − #laws, one point, with a witness for a linear net (an
    upper bound) and none for a ReLU path-lifting (its properties hold at a generic point).
    ∂_k φ has one term per path through parameter k. None for any other lifting."""
    if lf.kind == "path" and lf.architecture is not None:
        arch = lf.architecture
        g = arch.graph
        from .. import digraph as dg

        order = list(dg.topological_sort(g))
        to_out: dict = {}
        for v in reversed(order):
            to_out[v] = (1 if g.nodes[v]["kind"] == "output" else 0) + sum(
                to_out[w] for w in g.successors(v))
        into: dict = {}
        for v in order:
            into[v] = (1 if g.nodes[v]["kind"] == "input" else 0) + (
                1 if arch.bias(v) else 0) + sum(into[u] for u in g.predecessors(v))
        per_var = {arch.edge_param(u, v): into[u] * to_out[v] for u, v in g.edges}
        per_var.update({arch.bias(v): to_out[v] for v in g.nodes if arch.bias(v)})
        laws = []
        for v in arch.hidden:
            names = [arch.edge_param(u, v) for u in g.predecessors(v)]
            names += [arch.edge_param(v, w) for w in g.successors(v)]
            names += [arch.bias(v)] if arch.bias(v) else []
            laws.append(names)
        law_occ = sum(map(len, laws))
        pairing = sum(per_var[x] for names in laws for x in names)
        law_terms = law_occ  # Σ ±x² over the names, x^2 and " + " or " - " between terms
        law_chars = sum(len(x) + 5 for names in laws for x in names) - 3 * len(laws)
    elif lf.kind == "product" and lf.widths:
        w = list(lf.widths)
        total = math.prod(w)
        per_layer = {k: total // (w[k - 1] * w[k]) for k in range(1, len(w))}
        per_var = {x: per_layer[int(x.split("_")[0][1:])] for x in lf.params}
        law_occ = pairing = law_terms = law_chars = 0
        width = {k: len(f"U{k}_{w[k]}_{w[k - 1]}") for k in range(1, len(w))}  # name lengths
        for k in range(1, len(w) - 1):
            law_occ += w[k] ** 2 * (w[k - 1] + w[k + 1])
            pairing += w[k] ** 2 * (w[k - 1] * per_layer[k] + w[k + 1] * per_layer[k + 1])
            t = w[k - 1] + w[k + 1]  # terms of each entry of U_kᵀU_k − U_{k+1}U_{k+1}ᵀ
            law_terms += w[k] * (w[k] + 1) // 2 * t
            name = (w[k - 1] * width[k] + w[k + 1] * width[k + 1]) / t  # its mean name length
            diagonal, off = w[k], w[k] * (w[k] - 1) // 2  # x^2 terms; x*y terms
            law_chars += round(diagonal * t * (name + 2) + off * t * (2 * name + 1)
                               + (diagonal + off) * 3 * (t - 1))
        laws = [None] * sum(n * (n + 1) // 2 for n in w[1:-1])
    else:
        return None
    occ = sum(per_var.values())
    paths = lf.architecture.count_paths() if lf.kind == "path" else math.prod(lf.widths)
    # a term is its names joined by "*"; terms of a coordinate are joined by " + "
    name_chars = sum(per_var[x] * len(x) for x in per_var) + occ - paths + 3 * (paths - lf.d)
    n = len(laws)
    z = Sizes(lf.D, lf.d, paths, paths, occ, name_chars, n, law_chars, law_occ, law_terms,
              pairing, lf.D - n, [[(lf.D - n, 0, lf.kind == "product")]])
    out = plan_sizes(z)
    from ..wording import closed_forms_apply

    depth = (len(lf.widths) - 1 if lf.widths else max((len(p) for p in lf.path_params),
                                                         default=0))
    if lf.kind == "path" and closed_forms_apply(lf.D, lf.d, depth):  # one, as the engine
        length = 1 + occ / max(1, paths)
        out.append(Work("closed-forms", lf.d * lf.d * length * SEC_CLOSED_FORM
                        + _rank(lf.d, lf.D), f"re-verifying 1 closed forms (d = {lf.d})"))
    return out


def plan_tex(cert: dict) -> Work:
    """The predicted work of rendering the LaTeX (``check --tex``)."""
    from .latex import MAX_LISTED, MAX_TABLE

    phi = cert["phi"][:MAX_TABLE]
    laws = cert["claims"][0]["laws"][:MAX_LISTED] if cert["claims"] else []
    chars = sum(map(len, phi)) + sum(len(x["expression"]) for x in laws)
    numbers = sum(len(p["theta0"]) for c in cert["claims"][1:] for p in c["points"])
    numbers += len(cert["parameters"])
    return Work("tex", (chars + numbers) * SEC_TEX,
                f"rendering the LaTeX ({chars} characters of polynomials, {numbers} numbers)")
