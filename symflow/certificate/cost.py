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

import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

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


class Overrun(Exception):
    """The hard deadline of a check passed (raised by the alarm, inside any computation)."""


@contextmanager
def deadline(seconds: float):  # noqa: ANN201 - a context manager
    """Interrupt the block ``seconds`` from now (SIGALRM, main thread of a Unix process only;
    elsewhere the block runs with ``Budget.tick`` as its only net): a single SymPy call that
    runs for minutes (a factorisation, an expansion) cannot outlast the budget."""
    if (not hasattr(signal, "setitimer") or seconds == float("inf")
            or threading.current_thread() is not threading.main_thread()):
        yield
        return

    def ring(signum, frame):  # noqa: ANN001, ARG001
        raise Overrun()

    outer = signal.getitimer(signal.ITIMER_REAL)[0]  # an enclosing deadline, kept
    began = time.monotonic()
    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, max(min(seconds, outer or seconds), 0.01))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        if outer:
            signal.setitimer(signal.ITIMER_REAL,
                             max(outer - (time.monotonic() - began), 0.01))


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


def plan(cert: dict, D: int, paths: int) -> list[Work]:  # noqa: N803
    """The predicted work of every step of checking ``cert`` (already structurally valid):
    D parameters, ``paths`` the paths (or product terms) rebuilt for a network (0 for a
    polynomial lifting)."""
    phi = cert["phi"]
    d = len(phi)
    per_var = _occurrences(phi)  # terms of ∂_k φ, over all coordinates
    occ_phi = sum(per_var.values())
    terms_phi = sum(terms_of(t) for t in phi)
    chars_phi = sum(map(len, phi))
    poly_bytes = (terms_phi + occ_phi) * (BYTES_TERM_D * D + 200)
    out = [Work("lifting", paths * SEC_PATH + chars_phi * SEC_CHAR
                + (terms_phi + occ_phi) * D * SEC_TERM_D,
                f"rebuilding and reading φ ({paths} paths, {terms_phi} terms, D = {D})",
                poly_bytes)]
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
    out.append(Work("laws", chars * SEC_CHAR + (pairing + occ_laws) * D * SEC_LAW,
                    f"verifying {len(laws)} laws as identities ({pairing} term products)",
                    (law_terms + occ_laws) * (BYTES_TERM_D * D + 200)))
    n = len(laws)
    b = len(law_claim.get("brackets") or [])
    evals = (occ_laws + occ_phi) * D * SEC_TERM_D
    out.append(Work("law-rank", _rank(n, D) + _rank(b, D) + evals + b * D * SEC_BRACKET,
                    f"the ranks of {n} law gradients and {b} brackets at θ0"))
    search = law_claim.get("search")
    if search:
        out.append(Work("search", search_seconds(phi, D, search["degree"],
                                                 search.get("darboux") is not None),
                        f"redoing the law search of degree {search['degree']} "
                        f"({_monomials(D, search['degree'])} monomials, {d} coordinates)"))
    for c in claims[1:]:
        pts = c.get("points") or []
        per_point = 0.0
        for p in pts:
            bp = len(p.get("brackets") or [])
            basis = len(p.get("intersection_basis") or [])
            per_point += (_rank(d, D) + 2 * _rank(n + d, D) + _rank(bp, D) + bp * D * SEC_BRACKET
                          + basis * _rank(bp + 1, D) + _rank(d, bp) + evals
                          # ∂M(θ0)[v]: every term of ∂φ differentiated along v's support
                          + (int(bool(p.get("witness"))) + basis) * occ_phi * D * SEC_WITNESS)
        out.append(Work("point", per_point, f"the exact ranks and evaluations at {len(pts)} "
                        f"points (d = {d}, D = {D}, {n} laws)"))
        forms = c.get("closed_forms") or []
        if forms:  # M = ∂φ∂φᵀ expanded entry by entry with SymPy (d ≤ 100, D ≤ 200)
            length = 1 + occ_phi / max(1, terms_phi)
            out.append(Work("closed-forms", len(forms) * d * d * length * SEC_CLOSED_FORM
                            + len(pts) * _rank(d, D),
                            f"re-verifying {len(forms)} closed forms (d = {d})"))
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
