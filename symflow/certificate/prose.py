"""Every sentence of a certificate, generated from its data (plain dicts, no flint, no SymPy).

``certify`` stores these sentences in the JSON for a human reader; ``check`` regenerates them
from the data it has verified and rejects the certificate unless they are equal, and the LaTeX
renderer builds its claims from the same data. No stored text is ever believed.
"""

from __future__ import annotations

from ..wording import CLOSED_FORMS, plural

ARGUMENTS = {
    "bounds": "exact (the bounds meet)",
    "one coordinate": "exact (d = 1)",
    "closure": "exact (closed Lie algebra)",
    None: "bounds",
}


def count_proof(argument: str | None) -> str:
    """The kind of proof of a law count, from the argument that makes it exact (if any)."""
    return ARGUMENTS[argument]


def law_statement(c: dict, D: int, arch: dict) -> str:
    """What the law-count claim proves, from its data."""
    return _law_statement(c, D)


def _kinds(laws: list[dict]) -> str:
    """'polynomial', 'logarithmic' or 'p polynomial, q logarithmic'."""
    q = sum(1 for law in laws if law.get("logs"))
    p = len(laws) - q
    if not q:
        return "polynomial"
    if not p:
        return "logarithmic"
    return f"{p} polynomial, {q} logarithmic"


def _search(c: dict) -> str:
    """The negative result of the law search, if recorded (checked by redoing it)."""
    s = c.get("search")
    if not s:
        return ""
    k = s["degree"]
    text = f"no polynomial law of degree ≤ {k}"
    if s["darboux"] is not None:
        if s["darboux"]:
            fs = ", ".join(s["darboux"])
            text += (f" and no law P + Σ λ_i ln|f_i| with deg P ≤ {k} and f_i among the Darboux "
                     f"polynomials {fs} (the irreducible factors of φ and ∂φ with ∇φ_j·∇f = "
                     "k_j f for every j, non-zero at θ0)")
        else:
            text += (" and, since no irreducible factor of φ or ∂φ is a Darboux polynomial "
                     "non-zero at θ0, no law P + Σ λ_i ln|f_i| of that kind")
    return text + " has a gradient independent of theirs at θ0"


def _law_statement(c: dict, D: int) -> str:
    n, r = c["law_rank_at_theta0"], c["bracket_rank_at_theta0"]
    arg = c["count"]["argument"]
    seed = c["point"]["seed"]
    at = f"θ0 (the seeded point, seed {seed})"
    laws = c["laws"]
    ident = "an identity" if n == 1 else "identities"
    verified = (f"{plural(n, 'conservation law')} verified as {ident} ({_kinds(laws)}), "
                f"with gradients of rank {n} at {at}") if n else ""
    brackets = f"{plural(r, 'bracket')} with independent values at θ0 give{'s' if r == 1 else ''}"
    if arg == "bounds" and n == 0:
        return (f"Exact count, near θ0 and for generic θ: {plural(r, 'bracket')} with "
                f"independent values at {at} give dim Lie(W_φ)(θ0) = D = {D}, so there is no "
                "conservation law near θ0, nor for generic θ.")
    if arg == "bounds":
        return (f"Exact count, near θ0 and for generic θ: {verified}, give "
                f"dim Lie(W_φ)(θ) ≤ D − {n} = {D - n} wherever that rank is {n} (a dense open "
                f"set); {brackets} dim Lie(W_φ)(θ0) ≥ {r}. Hence dim Lie(W_φ)(θ0) = {r} and there "
                f"{'is' if n == 1 else 'are'} exactly {plural(n, 'independent conservation law')}"
                " near θ0 and for generic θ.")
    N = D - r
    if arg == "one coordinate":
        why = (f"d = 1 and ∇φ(θ0) ≠ 0, so Lie(W_φ) = span{{∇φ}} has dimension 1 wherever "
               f"∇φ ≠ 0, a dense open set containing {at}")
    elif arg == "closure":
        m = len(c["lie_closure"]["basis"])
        why = (f"the brackets close into a Lie algebra K = Lie(W_φ) of dimension {m} (relations "
               f"verified as polynomial identities) whose values at {at} have rank {r}, so "
               f"dim Lie(W_φ) ≤ {m} everywhere and = {r} on a dense open set containing θ0")
    if arg in ("one coordinate", "closure"):
        out = (f"Exact count, near θ0 and for generic θ: {why}; by Frobenius there "
               f"{'is' if N == 1 else 'are'} exactly {plural(N, 'independent conservation law')}"
               f" near θ0 (D − dim Lie(W_φ)(θ0) = {D} − {r}). ")
        rest = N - n
        if n == 0:
            out += "None of them is written down"
        else:
            out += f"Explicit: {verified.replace(at, 'θ0')}"
        if n:
            out += ("; the other one exists by Frobenius and is not written down" if rest == 1
                    else f"; the other {rest} exist by Frobenius and are not written down")
        search = _search(c)
        if search:
            out += (f": {search}, so {'it is' if rest == 1 else 'they are'} not elementary "
                    "of the searched form")
        return out + "."
    if c.get("lie_closure"):
        m = len(c["lie_closure"]["basis"])
        how = (f"the brackets close into a Lie algebra of dimension {m} (relations verified as "
               f"polynomial identities) whose trace at θ0 has dimension {r}, so dim Lie(W_φ)(θ0) "
               f"= {r} exactly; since {m} > {r}, θ0 is not proved generic for it and the rank "
               "may rise nearby, so the count is not proved exact")
    else:
        how = (f"{brackets} dim Lie(W_φ)(θ0) ≥ {r}, so there are at most {N} independent laws "
               "near θ0")
    search = _search(c)
    return (f"Bounds: at least {plural(n, 'explicit law')} ({_kinds(laws)} identities, "
            f"independent at {at}); {how}. {N - n} of the {N} are not accounted for by the "
            f"explicit laws" + (f" ({search})" if search else "") + ".")


def lie_exact_reason(p: dict, D: int) -> str | None:
    """Why Lie(W_φ)(θ0) is known exactly at an intrinsic point (None if it is not)."""
    r, rh = p["bracket_rank"], p["rank_dh"]
    if r == D - rh:
        return (f"the bracket rank {r} equals D − rank ∂h(θ0) = {D} − {rh}, an upper bound, so "
                "Lie(W_φ)(θ0) is exactly the span of the brackets")
    if r == D:
        return f"the bracket rank is D = {D}"
    if p.get("lie_closure"):
        return (f"the brackets close into a Lie algebra (verified relations), so "
                f"dim Lie(W_φ)(θ0) = {r} exactly")
    return None


def point_verdict(p: dict, D: int) -> str:
    """The verdict at one point, from its checked data."""
    if p["sufficient_condition"]:
        return "holds"
    if p["witness"] is not None:
        return "fails"
    return "criterion holds" if lie_exact_reason(p, D) else "undecided"


def where(c: dict) -> str:
    """Where an intrinsic claim was decided."""
    pts = c["points"]
    init = c["init"]
    if init == "generic":
        seeds = sorted({p["seed"] for p in pts})
        s = ", ".join(map(str, seeds))
        return (f"θ0 (the seeded point, seed {s})" if len(pts) == 1
                else f"each of the {len(pts)} seeded points (seeds {s})")
    if init == "given point":
        return "the given point θ0" if len(pts) == 1 else f"each of the {len(pts)} given points"
    seeds = ", ".join(str(p["family_seed"]) for p in pts)
    return (f"{plural(len(pts), 'exact point')} of the {init} family (family seeds {seeds})")


def covering_forms(c: dict) -> list[str]:
    """Names of the closed forms of a claim that give K and whose every check is verified."""
    out = []
    for cf in c["closed_forms"]:
        checks = cf["identities"] + cf["pointwise"]
        if CLOSED_FORMS[cf["kind"]]["decides"] and checks and all(x["verified"] for x in checks):
            out.append(CLOSED_FORMS[cf["kind"]]["name"])
    return out


def overall_verdict(point_verdicts: list[str], covered: list[bool]) -> str:
    """fails if some point fails; holds if every point holds, or has the criterion and is
    covered by a verified closed form giving K; undecided if some point is; else the
    criterion alone."""
    vs = set(point_verdicts)
    if "fails" in vs:
        return "fails"
    if "undecided" in vs:
        return "undecided"
    if all(v == "holds" or cov for v, cov in zip(point_verdicts, covered, strict=True)):
        return "holds"
    return "criterion holds"


def intrinsic_statement(c: dict, D: int, covered: list[bool], arch: dict) -> str:
    """What the intrinsic claim proves, from its checked data."""
    return _intrinsic_statement(c, D, covered)


def _intrinsic_statement(c: dict, D: int, covered: list[bool]) -> str:
    pts = c["points"]
    verdicts = [point_verdict(p, D) for p in pts]
    v = overall_verdict(verdicts, covered)
    at = where(c)
    if v == "fails":
        bad = verdicts.count("fails")
        return (f"The intrinsic metric property fails near {bad} of the {len(pts)} point(s) "
                f"({at}): an exact witness v ∈ ker ∂φ(θ0) ∩ Lie(W_φ)(θ0) with ∂M(θ0)[v] ≠ 0, so "
                "no differentiable K gives M(θ) = K(φ(θ), h(θ)) near θ0 (the necessary "
                "kernel-inclusion criterion of [MPG25] fails). This refutes the metric "
                "property there, not by itself the weaker dynamic property.")
    if v == "holds" and all(x == "holds" for x in verdicts):
        return (f"Intrinsic recoverability holds near {at}: ker ∂φ(θ0) ∩ ker ∂h(θ0) = {{0}} "
                f"(rank [∂φ; ∂h](θ0) = D = {D}), so θ is locally a function of "
                "(φ(θ), h(θ)) and M(θ) = K(φ(θ), h(θ)) near θ0 with K = M∘Ψ (the intrinsic "
                "metric property, hence the dynamic property, near θ0). The rank is D on a "
                "dense open set of θ.")
    if v == "holds":
        names = "; ".join(covering_forms(c))
        return (f"The kernel-inclusion criterion holds at {at} (Lie(W_φ)(θ0) known exactly), "
                f"and the closed form ({names}) is verified there (identities as polynomial "
                "identities, pointwise checks exactly at the points): M(θ) = K(φ(θ), h(θ)) "
                "at those points, by the closed form's theorem on its stated domain.")
    if v == "undecided":
        return (f"Undecided at {at}: at some point Lie(W_φ)(θ0) is only bounded below and no "
                "witness was found in its explored part, so nothing is decided.")
    return (f"The necessary kernel-inclusion criterion holds at {at}: ker ∂φ(θ0) ∩ "
            "Lie(W_φ)(θ0) ⊂ ker ∂M(θ0), with Lie(W_φ)(θ0) known exactly. No closed form giving "
            "K was verified, so the metric property itself is not proved.")
