"""Certificates as plain JSON data: the claim, the inputs and every witness.

Schema (``format`` = "symflow-certificate", ``format_version`` = 5; every text in its canonical
form: symflow.polytext, symflow.sources). Every field is either recomputed by ``symflow check``
or compared exactly with what it recomputes; nothing is taken on trust (docs/certificates.md
lists, field by field, what the checker does with it)::

    name            derived from the architecture: relu:3-2-1(+bias), linear:2-2-2, or the
                    label of a DAG / polynomial lifting (no ':' in it)
    architecture    enough to rebuild φ and the parameter list independently:
                      {"kind": "layered-relu", "widths": [...], "bias": bool}
                      {"kind": "layered-power", "activation": "relu^2", "widths": [...],
                       "bias": bool}
                      {"kind": "linear", "widths": [...]}
                      {"kind": "dag", "name": ..., "inputs": [...], "hidden": [[name, act], ...],
                       "outputs": [...], "edges": [[u, v, param], ...], "biases": [[v, param]]}
                      {"kind": "polynomial", "name": ..., "unused_parameters": [...]}
    parameters      θ's coordinate names, in order (derived from the architecture, except for a
                    polynomial lifting, where every name must occur in φ or be declared unused)
    phi             φ_1..φ_d as polynomial strings (``^`` powers, exact rationals)
    claims          a non-empty list of claims, each with its evidence (see below)
    generated_with  versions of symflow, sympy, python-flint, Python (not hashed)
    content_hash    "sha256:<hex>" of the canonical JSON of everything else

Claim "conservation-law-count": the seeded point (seed, θ0), the laws (with their source:
a family law it must equal, or the degree of the search that found it), the rank of their
gradients at θ0, the bracket words with their values at θ0 and their rank, the closure evidence
if the brackets close, the bounds lower = #laws ≤ count ≤ upper = D − bracket rank (exact when
equal), and the statement generated from these (symflow.prose).

``lie_closure`` (when the brackets close into a finite-dimensional Lie algebra): the basis words
K and exact coefficients over K of every generator g_j not in K and of every bracket [g_i, B]
(g_i ∈ K, B ∈ K) not in K ([] for zero). With every g_j in span K and [g_j, K] ⊂ span K for
every generator, Jacobi gives Lie(W_φ) = span K, so dim Lie(W_φ)(θ0) = rank of K at θ0.

Claim "intrinsic-property": init ("generic": points from seeds; "balanced" /
"relaxed-balanced": points regenerated from family seeds; "given point"); per point θ0,
rank ∂φ(θ0), rank ∂h(θ0), the brackets and their rank, the sufficient condition, a witness v
(∂φv = 0, v ∈ span of the brackets, ∂M v ≠ 0) or a basis of ker ∂φ ∩ Lie(W_φ)(θ0); the closed
forms (kind, fixed wording, and the truth of each identity / pointwise check); per point and
overall, why dim Lie(W_φ) is locally constant, the Frobenius property, and the three properties
of [MPG25] — recoverability (holds / fails / not decided), metric (holds / refuted / not
decided), dynamic (holds / not decided); the statement generated from the data.

Numbers are integers or "p/q" strings.
"""

from __future__ import annotations

import json
import platform
import re
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import flint

from .._version import __version__
from ..algebra.poly import variables_of
from ..polytext import format_number

if TYPE_CHECKING:
    from ..counting import LawsResult
    from ..liftings import Lifting
    from ..properties import IntrinsicResult
from .. import prose
from .cost import search_seconds
from .schema import (
    FORMAT,
    FORMAT_VERSION,
    MAX_CHECK_SECONDS,
    MAX_SEARCH_MONOMIALS,
    MAX_SEARCH_WORK,
    content_hash,
    search_monomials,
)


def num(x: Any) -> int | str:
    """An exact number as JSON in its canonical form: an int, or a 'p/q' string in lowest terms
    (q ≥ 2); ``x`` a number or its text."""
    q = Fraction(x) if isinstance(x, str) else flint.fmpq(x)
    p, q = (q.numerator, q.denominator) if isinstance(q, Fraction) else (int(q.p), int(q.q))
    return p if q == 1 else f"{p}/{q}"


def architecture_of(lifting: Lifting) -> dict:
    """The architecture, as data a checker can rebuild φ and the parameter list from."""
    if lifting.kind == "product":
        return {"kind": "linear", "widths": list(lifting.widths or [])}
    if lifting.block and lifting.block.get("kind") == "block":
        # the network and the block's parameters: the checker rebuilds ψ from the network's φ
        return {"kind": "block", "block": list(lifting.block["block"]),
                "network": lifting.block["network"]}
    if lifting.block and lifting.block.get("kind") == "attention":
        # the checker rebuilds (Q_hK_hᵀ, V_hO_h)_h from the three sizes
        return {k: lifting.block[k] for k in ("kind", "dim", "head_dim", "heads")}
    arch = lifting.architecture
    if lifting.kind in ("path", "network", "power") and arch is not None:
        if arch.widths is not None and arch.name.startswith("relu:"):
            return {"kind": "layered-relu", "widths": list(arch.widths), "bias": arch.has_bias()}
        if arch.widths is not None and arch.name.startswith(("relu^", "x^")):
            return {"kind": "layered-power", "activation": arch.name.split(":")[0],
                    "widths": list(arch.widths), "bias": arch.has_bias()}
        g = arch.graph
        pos = {p: i for i, p in enumerate(lifting.params)}
        # an edge records its parameter (a shared one on each of its edges) or, for a fixed
        # edge, its weight as a canonical number ("1"); parameters in their order, fixed last
        edges = sorted(([u, v, g.edges[u, v]["param"] if g.edges[u, v]["param"] is not None
                         else format_number(g.edges[u, v]["weight"])] for u, v in g.edges),
                       key=lambda e: pos.get(e[2], len(pos)))
        biases = sorted(([v, arch.bias(v)] for v in g.nodes if arch.bias(v)),
                        key=lambda b: pos[b[1]])
        return {
            "kind": "dag",
            # a block shorthand (res:relu:4, conv1d:…) is recorded as the DAG it builds, under
            # a DAG name ("res-relu-4"): the checker rebuilds the DAG, not the shorthand
            "name": re.sub(r"[^A-Za-z0-9_.+\- ]", "-", arch.name),
            "inputs": arch.inputs,
            "hidden": [[v, g.nodes[v]["activation"]] for v in arch.hidden],
            "outputs": arch.outputs,
            "edges": edges,
            "biases": biases,
        }
    used = set()
    for p in lifting.phi:
        used.update(variables_of(p))
    return {"kind": "polynomial", "name": lifting.name,
            "unused_parameters": [n for k, n in enumerate(lifting.params) if k not in used]}


def _brackets(trace) -> list[dict]:
    """The spanning brackets with their exact values (None for values known mod p only: the
    claim then serves the wording, and ``build`` refuses it)."""
    if trace.modulus is not None:
        return [{"word": b.word, "value": None} for b in trace.spanning]
    return [{"word": b.word, "value": _signed_primitive(b.value)} for b in trace.spanning]


def _signed_primitive(value: list) -> list[int]:
    """The integer value divided by the gcd of its entries (sign kept): the canonical form the
    checker demands."""
    from functools import reduce
    from math import gcd

    g = reduce(gcd, (abs(x) for x in value), 0) or 1
    return [x // g for x in value]



def _closure(trace) -> dict | None:
    """The closure evidence of a Lie trace (basis words and exact relations), if closed."""
    if trace.closure is None:
        return None
    return {"basis": trace.closure["basis"],
            "relations": {w: [num(c) for c in cs] for w, cs in trace.closure["relations"].items()}}


def law_entry(law, ring) -> dict:
    """A law as data: h = expression + Σ coefficient·ln|factor| (no logs: a polynomial law)."""
    entry: dict[str, Any] = {"expression": law.expression(ring), "source": law.source}
    if law.logs:
        entry["logs"] = [{"coefficient": num(lam), "factor": ring.format(f)}
                         for f, lam in law.logs]
    return entry


def search_record(r: LawsResult) -> dict | None:
    """The negative result of the law search, when it bears on the claim and the checker can
    redo it: no polynomial law of degree ≤ k (and no law P + Σ λ ln|f| with f among the
    Darboux polynomials) has a gradient independent of the explicit laws' at θ0."""
    k = r.search_degree
    lf = r.lifting
    while k and (search_monomials(lf.D, k) > MAX_SEARCH_MONOMIALS
                 or search_monomials(lf.D, k) * lf.d > MAX_SEARCH_WORK):
        k -= 1  # a smaller degree the checker can redo (the negative result holds a fortiori)
    if k == 0 or r.lower >= r.upper:
        return None
    # only what the checker can redo within half its budget: without the Darboux candidates
    # (a polynomial-only search, still true) when factoring φ would take longer
    phi = [lf.ring.format(p) for p in lf.phi]
    darboux = r.darboux is not None and r.log_degree >= k and search_seconds(
        phi, lf.D, k, True) <= MAX_CHECK_SECONDS / 2
    if search_seconds(phi, lf.D, k, darboux) > MAX_CHECK_SECONDS / 2:
        return None
    return {"degree": k, "darboux": [lf.ring.format(f) for f in r.darboux] if darboux else None}


def laws_claim(r: LawsResult, arch: dict) -> dict:
    """The law-count claim: evidence, bounds, the argument for the exact count, and the
    statement generated from them."""
    lf = r.lifting
    claim = {
        "type": "conservation-law-count",
        "proof": prose.count_proof(r.argument),
        "point": {"seed": r.seed, "theta0": [num(x) for x in r.point]},
        "laws": [law_entry(law, lf.ring) for law in r.laws],
        "law_rank_at_theta0": r.lower,
        "brackets": _brackets(r.lie),
        "bracket_rank_at_theta0": r.lie.dim,
        "lie_closure": _closure(r.lie),
        "count": {"lower": r.lower, "upper": r.upper, "exact": r.exact, "value": r.count,
                  "explicit": r.lower, "argument": r.argument},
        "search": search_record(r),
    }
    claim["statement"] = prose.law_statement(claim, lf.D, arch)
    return claim


def intrinsic_claim(r: IntrinsicResult, arch: dict) -> dict:
    """The intrinsic claim: per point evidence, closed forms, the three properties
    (recoverability, metric, dynamic) per point and overall, and the statement."""
    lf = r.lifting
    points = []
    for i, c in enumerate(r.checks):
        entry: dict[str, Any] = {
            "theta0": [num(x) for x in c.point],
            "rank_dphi": c.rank_dphi,
            "rank_dh": c.rank_dh,
            "brackets": _brackets(c.lie),
            "bracket_rank": c.lie.dim,
            "lie_closure": _closure(c.lie),
            "lie_exact": c.lie_exact,
            "sufficient_condition": c.sufficient,
            "witness": None if c.witness is None else [num(x) for x in c.witness],
            "intersection_basis": None if c.witness is not None or c.intersection is None
            else [[num(x) for x in v] for v in c.intersection],
        }
        entry.update(prose.point_properties(entry, lf.D, lf.d, r.covered(i + 1)))
        if (entry["recoverability"], entry["metric"]) != (c.recoverability,
                                                          r.metric_at(i + 1)):
            raise AssertionError("the engine and the prose disagree")  # pragma: no cover
        if r.init == "generic":
            entry["seed"] = r.seed
        elif r.init in ("balanced", "relaxed-balanced"):
            entry["family_seed"] = r.seed + i
            entry["lambdas"] = [num(x) for x in r.family["lambdas"][i]]
        points.append(entry)
    claim: dict[str, Any] = {
        "type": "intrinsic-property",
        "init": r.init,
        "points": points,
        "closed_forms": [
            {"kind": cf.kind, "name": cf.name, "formula": cf.formula,
             "conditions": cf.conditions,
             "identities": [{"claim": w, "verified": ok} for w, ok in cf.identities],
             "pointwise": [{"claim": w, "verified": ok} for w, ok in cf.pointwise]}
            for cf in r.closed_forms
        ],
    }
    covered = [r.covered(n) for n in range(1, len(points) + 1)]
    claim.update(prose.claim_properties(points))
    claim["statement"] = prose.intrinsic_statement(claim, lf.D, covered, arch)
    return claim


def build(laws: LawsResult, intrinsic: IntrinsicResult | None = None) -> dict:
    """The certificate of a law count (and of an intrinsic verdict, if given)."""
    import sympy

    if laws.lie.modulus is not None or (intrinsic is not None and any(
            c.lie.modulus is not None for c in intrinsic.checks)):
        raise ValueError("a certificate needs exact bracket values: count with "
                         "engine='polynomial'")
    lf = laws.lifting
    arch = architecture_of(lf)
    cert: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": arch.get("name", lf.name),
        "architecture": arch,
        "parameters": lf.params,
        "phi": [lf.ring.format(p) for p in lf.phi],
        "claims": [laws_claim(laws, arch)] + ([intrinsic_claim(intrinsic, arch)]
                                               if intrinsic else []),
    }
    cert["generated_with"] = {"symflow": __version__, "sympy": sympy.__version__,
                              "python-flint": flint.__version__,
                              "python": platform.python_version()}
    cert["content_hash"] = content_hash(cert)
    return cert


def dumps(cert: dict) -> str:
    """The certificate's file content (deterministic)."""
    return json.dumps(cert, indent=1, ensure_ascii=False) + "\n"


def laws_statement(r: LawsResult) -> str:
    """What a law count proved, in one paragraph (the certificate's wording); built once per
    result (it writes every law)."""
    if r._statement is None:
        r._statement = laws_claim(r, architecture_of(r.lifting))["statement"]
    return r._statement


def intrinsic_statement(r: IntrinsicResult) -> str:
    """What the intrinsic verdicts proved (the certificate's wording)."""
    return intrinsic_claim(r, architecture_of(r.lifting))["statement"]


def statement(r: LawsResult | IntrinsicResult) -> str:
    """The statement of a law count or of intrinsic verdicts (see the two functions above)."""
    from ..counting import LawsResult

    return laws_statement(r) if isinstance(r, LawsResult) else intrinsic_statement(r)
