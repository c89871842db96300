"""Every sentence of a certificate, generated from its data (plain dicts, no flint, no SymPy).

``certify`` stores these sentences in the JSON for a human reader; ``check`` regenerates them
from the data it has verified and rejects the certificate unless they are equal, and the LaTeX
renderer builds its claims from the same data. No stored text is ever believed.
"""

from __future__ import annotations

from .texmath import plain
from .wording import CLOSED_FORMS, CLOSED_FORMS_MARKED, plural

ARGUMENTS = {
    "bounds": "exact (the bounds meet)",
    "one coordinate": "exact (d = 1)",
    "closure": "exact (closed Lie algebra)",
    None: "bounds",
}


def count_proof(argument: str | None) -> str:
    """The kind of proof of a law count, from the argument that makes it exact (if any)."""
    return ARGUMENTS[argument]


def law_statement(c: dict, D: int, arch: dict, marked: bool = False) -> str:  # noqa: N803
    """What the law-count claim proves, from its data (``marked``: formulas between ⟦ ⟧)."""
    text = _law_statement(c, D)
    return text if marked else plain(text)


def _kinds(laws: list[dict]) -> str:
    """'polynomial', 'logarithmic' or 'p polynomial, q logarithmic'."""
    q = sum(1 for law in laws if law.get("logs"))
    p = len(laws) - q
    if not q:
        return "polynomial"
    if not p:
        return "logarithmic"
    return f"{p} polynomial, {q} logarithmic"


def search_text(c: dict, marked: bool = False) -> str:
    """The negative result of the law search, if recorded (checked by redoing it)."""
    text = _search(c)
    return text if marked else plain(text)


def _search(c: dict) -> str:
    s = c.get("search")
    if not s:
        return ""
    k = s["degree"]
    text = f"no polynomial law of degree ⟦≤ {k}⟧"
    if s["darboux"] is not None:
        if s["darboux"]:
            fs = ", ".join(s["darboux"])
            among = (f"⟦f_1 = {fs}⟧, the only Darboux polynomial" if len(s["darboux"]) == 1
                     else f"⟦f_i⟧ among the Darboux polynomials ⟦{fs}⟧")
            text += (f" and no law ⟦P + Σ λ_i ln|f_i|⟧ with ⟦deg P ≤ {k}⟧ and {among} (found "
                     f"among the irreducible factors of ⟦φ⟧ and ⟦∂φ⟧, and "
                     "the eigen-forms of their quadratic factors, with ⟦∇φ_j·∇f = k_j f⟧ for "
                     "every ⟦j⟧, non-zero at ⟦θ0⟧)")
        else:
            text += (" and, since no candidate (irreducible factors of ⟦φ⟧ and ⟦∂φ⟧, "
                     "eigen-forms of their quadratic factors) is a Darboux polynomial non-zero at "
                     "⟦θ0⟧, no law ⟦P + Σ λ_i ln|f_i|⟧ of that kind")
    return text + " has a gradient independent of those of the explicit laws at ⟦θ0⟧"


def _law_statement(c: dict, D: int) -> str:
    n, r = c["law_rank_at_theta0"], c["bracket_rank_at_theta0"]
    arg = c["count"]["argument"]
    seed = c["point"]["seed"]
    at = f"⟦θ0⟧ (the seeded point, seed {seed})"
    laws = c["laws"]
    ident = "an identity" if n == 1 else "identities"
    verified = (f"{plural(n, 'conservation law')} verified as {ident} ({_kinds(laws)}), "
                f"with gradients of rank {n} at {at}") if n else ""
    brackets = f"{plural(r, 'bracket')} with independent values at ⟦θ0⟧ give{'s' if r == 1 else ''}"
    if arg == "bounds" and n == 0:
        return (f"Exact count, near ⟦θ0⟧ and for generic ⟦θ⟧: {plural(r, 'bracket')} with "
                f"independent values at {at} give ⟦dim Lie(W_φ)(θ0) = D = {D}⟧, so there is no "
                "conservation law near ⟦θ0⟧, nor for generic ⟦θ⟧.")
    if arg == "bounds":
        return (f"Exact count, near ⟦θ0⟧ and for generic ⟦θ⟧: {verified}, give "
                f"⟦dim Lie(W_φ)(θ) ≤ D − {n} = {D - n}⟧ wherever that rank is {n} (a dense open "
                f"set); {brackets} ⟦dim Lie(W_φ)(θ0) ≥ {r}⟧. Hence ⟦dim Lie(W_φ)(θ0) = {r}⟧ and "
                f"there {'is' if n == 1 else 'are'} exactly "
                f"{plural(n, 'independent conservation law')} near ⟦θ0⟧ and for generic ⟦θ⟧.")
    N = D - r
    if arg == "one coordinate":
        why = (f"⟦d = 1⟧ and ⟦∇φ(θ0) ≠ 0⟧, so ⟦Lie(W_φ) = span{{∇φ}}⟧ has dimension 1 wherever "
               f"⟦∇φ ≠ 0⟧, a dense open set containing {at}")
    elif arg == "closure":
        m = len(c["lie_closure"]["basis"])
        why = (f"the brackets close into a Lie algebra ⟦K = Lie(W_φ)⟧ of dimension {m} (relations "
               f"verified as polynomial identities) whose values at {at} have rank {r}, so "
               f"⟦dim Lie(W_φ) ≤ {m}⟧ everywhere and ⟦= {r}⟧ on a dense open set containing ⟦θ0⟧")
    if arg in ("one coordinate", "closure"):
        out = (f"Exact count, near ⟦θ0⟧ and for generic ⟦θ⟧: {why}; by Frobenius there "
               f"{'is' if N == 1 else 'are'} exactly {plural(N, 'independent conservation law')}"
               f" near ⟦θ0⟧ (⟦D − dim Lie(W_φ)(θ0) = {D} − {r}⟧). ")
        rest = N - n
        if n == 0:
            out += "None of them is written down"
        else:
            out += f"Explicit: {verified.replace(at, '⟦θ0⟧')}"
        if n:
            out += ("; the other one exists by Frobenius and is not written down" if rest == 1
                    else f"; the other {rest} exist by Frobenius and are not written down")
        search = _search(c)
        if search:
            out += (f": {search}, so {'it is' if rest == 1 else 'they are'} not of the "
                    "searched form (rational laws and other elementary forms are not searched)")
        return out + "."
    if c.get("lie_closure"):
        m = len(c["lie_closure"]["basis"])
        how = (f"the brackets close into a Lie algebra of dimension {m} (relations verified as "
               f"polynomial identities) whose trace at ⟦θ0⟧ has dimension {r}, so "
               f"⟦dim Lie(W_φ)(θ0) = {r}⟧ exactly; since ⟦{m} > {r}⟧, ⟦θ0⟧ is not proved generic "
               "for it and the rank may rise nearby, so the count is not proved exact")
    else:
        how = (f"{brackets} ⟦dim Lie(W_φ)(θ0) ≥ {r}⟧, so there are at most {N} independent laws "
               "near ⟦θ0⟧")
    search = _search(c)
    return (f"Bounds: at least {plural(n, 'explicit law')} ({_kinds(laws)} identities, "
            f"independent at {at}); {how}. {N - n} of the {N} are not accounted for by the "
            f"explicit laws" + (f" ({search})" if search else "") + ".")


def lie_locally_constant(D: int, d: int, rank: int, rank_dh: int,  # noqa: N803
                         closure: int | None) -> str | None:
    """Why dim Lie(W_φ) is locally constant at θ0, or None: "bounds" (the bracket rank meets
    D − rank ∂h(θ0), an upper bound near θ0), "one coordinate" (d = 1, ∇φ(θ0) ≠ 0), "closure"
    (a closed Lie algebra whose dimension ``closure`` equals its rank at θ0)."""
    if rank == D - rank_dh:
        return "bounds"
    if d == 1 and rank == 1:
        return "one coordinate"
    if closure is not None and closure == rank:
        return "closure"
    return None


def recoverability_verdict(sufficient: bool, witness: bool, intersection: bool,
                           constant: str | None) -> str:
    """Intrinsic recoverability (θ locally a function of (φ(θ), h(θ)), h all the laws), which is
    ker ∂φ(θ0) ∩ ker ∂h(θ0) = {0} [MPG25]: holds if the explicit laws already give it, or if
    dim Lie(W_φ) is locally constant (then a complete set of laws has ker ∂h(θ0) = Lie(W_φ)(θ0))
    and ker ∂φ(θ0) ∩ Lie(W_φ)(θ0) = {0}; fails if a non-zero v ∈ ker ∂φ(θ0) ∩ Lie(W_φ)(θ0) is
    known (Lie(W_φ)(θ0) ⊂ ker ∂h(θ0) for every law h); otherwise not decided."""
    if sufficient:
        return "holds"
    if witness or intersection:
        return "fails"
    if constant is not None:
        return "holds"
    return "not decided"


def metric_verdict(recoverability: str, witness: bool, covered: bool) -> str:
    """The intrinsic metric property: holds if recoverability holds or a verified closed form
    gives K there; refuted by a witness of the kernel-inclusion criterion; else not decided."""
    if witness:
        return "refuted"
    if recoverability == "holds" or covered:
        return "holds"
    return "not decided"


def dynamic_verdict(metric: str) -> str:
    """The intrinsic dynamic property is implied by the metric property; nothing here refutes
    it (a witness refutes only the metric property)."""
    return "holds" if metric == "holds" else "not decided"


def overall(values: list[str]) -> str:
    """A property over several points: the failing value if some point has it, "holds" if
    every point holds, else "not decided"."""
    for bad in ("fails", "refuted"):
        if bad in values:
            return bad
    return "holds" if values and all(v == "holds" for v in values) else "not decided"


def lie_exact_reason(p: dict, D: int, marked: bool = False) -> str | None:  # noqa: N803
    """Why Lie(W_φ)(θ0) is known exactly at an intrinsic point (None if it is not)."""
    text = _lie_exact_reason(p, D)
    return text if text is None or marked else plain(text)


def _lie_exact_reason(p: dict, D: int) -> str | None:  # noqa: N803
    r, rh = p["bracket_rank"], p["rank_dh"]
    if r == D - rh:
        return (f"the bracket rank {r} equals ⟦D − rank ∂h(θ0) = {D} − {rh}⟧, an upper bound, "
                "so ⟦Lie(W_φ)(θ0)⟧ is exactly the span of the brackets")
    if r == D:
        return f"the bracket rank is ⟦D = {D}⟧"
    if p.get("lie_closure"):
        return (f"the brackets close into a Lie algebra (verified relations), so "
                f"⟦dim Lie(W_φ)(θ0) = {r}⟧ exactly")
    return None


def point_properties(p: dict, D: int, d: int, covered: bool) -> dict:  # noqa: N803
    """The properties at one point of an intrinsic claim, from its checked data: why dim
    Lie(W_φ) is locally constant, the Frobenius property, recoverability, the metric property
    (``covered``: a verified closed form gives K there) and the dynamic property."""
    closure = len(p["lie_closure"]["basis"]) if p.get("lie_closure") else None
    lc = lie_locally_constant(D, d, p["bracket_rank"], p["rank_dh"], closure)
    witness = p["witness"] is not None
    rec = recoverability_verdict(p["sufficient_condition"], witness,
                                 bool(p["intersection_basis"]), lc)
    met = metric_verdict(rec, witness, covered)
    return {"lie_locally_constant": lc,
            "frobenius": lc is not None and p["rank_dphi"] == p["bracket_rank"],
            "recoverability": rec, "metric": met, "dynamic": dynamic_verdict(met)}


def claim_properties(points: list[dict]) -> dict:
    """The properties over all the points (each point's already checked)."""
    return {"recoverability": overall([p["recoverability"] for p in points]),
            "metric": overall([p["metric"] for p in points]),
            "dynamic": overall([p["dynamic"] for p in points]),
            "frobenius": all(p["frobenius"] for p in points)}


def where(c: dict, marked: bool = False) -> str:
    """Where an intrinsic claim was decided."""
    text = _where(c)
    return text if marked else plain(text)


def _where(c: dict) -> str:
    pts = c["points"]
    init = c["init"]
    if init == "generic":
        seeds = sorted({p["seed"] for p in pts})
        s = ", ".join(map(str, seeds))
        return (f"⟦θ0⟧ (the seeded point, seed {s})" if len(pts) == 1
                else f"each of the {len(pts)} seeded points (seeds {s})")
    if init == "level set":
        return (f"{plural(len(pts), 'exact point')} of level sets ⟦U₂ᵀU₂ − U₁U₁ᵀ = H⟧"
                if len(pts) > 1 else "an exact point of the level set ⟦U₂ᵀU₂ − U₁U₁ᵀ = H⟧")
    if init == "given point":
        return "the given point ⟦θ0⟧" if len(pts) == 1 else f"each of the {len(pts)} given points"
    seeds = ", ".join(str(p["family_seed"]) for p in pts)
    return (f"{plural(len(pts), 'exact point')} of the {init} family (family seeds {seeds})")


def covering_forms(c: dict, marked: bool = False) -> list[str]:
    """Names of the closed forms of a claim that give K and whose every check is verified."""
    table = CLOSED_FORMS_MARKED if marked else CLOSED_FORMS
    out = []
    for cf in c["closed_forms"]:
        checks = cf["identities"] + cf["pointwise"]
        if CLOSED_FORMS[cf["kind"]]["decides"] and checks and all(x["verified"] for x in checks):
            out.append(table[cf["kind"]]["name"])
    return out


def intrinsic_statement(c: dict, D: int, covered: list[bool], arch: dict,  # noqa: N803
                        marked: bool = False) -> str:
    """What the intrinsic claim proves about each of the three properties, from checked data
    (``marked``: formulas between ⟦ ⟧)."""
    text = _intrinsic_statement(c, D)
    return text if marked else plain(text)


def _intrinsic_statement(c: dict, D: int) -> str:  # noqa: N803
    pts = c["points"]
    n = len(pts)
    at = _where(c)  # the first mention of the points; later ones are short
    here = "⟦θ0⟧" if n == 1 else "these points"
    through = "⟦θ0⟧" if n == 1 else "each of these points"
    on = (f"on the level set of ⟦h⟧ through {through} (in the {c['init']} family)"
          if c["init"] in ("balanced", "relaxed-balanced") else f"near {here}")
    names = "; ".join(covering_forms(c, marked=True))
    pointwise = any(cf["pointwise"] for cf in c["closed_forms"])
    out = []
    rec = c["recoverability"]
    if rec == "holds":
        if all(p["sufficient_condition"] for p in pts):
            how = (f"the explicit laws give ⟦ker ∂φ(θ0) ∩ ker ∂h(θ0) = {{0}}⟧ "
                   f"(⟦rank [∂φ; ∂h](θ0) = D = {D}⟧)")
        else:
            args = sorted({ARGUMENT_TEXT[p["lie_locally_constant"]] for p in pts
                           if not p["sufficient_condition"]})
            how = ("⟦ker ∂φ(θ0) ∩ Lie(W_φ)(θ0) = {0}⟧ with ⟦dim Lie(W_φ)⟧ locally constant at "
                   "⟦θ0⟧ (" + "; ".join(args) + "), so a complete set of laws, explicit or not "
                   "(Frobenius), has ⟦ker ∂h(θ0) = Lie(W_φ)(θ0)⟧")
            if any(p["sufficient_condition"] for p in pts):
                how = ("at each point, the explicit laws give ⟦ker ∂φ(θ0) ∩ ker ∂h(θ0) = {0}⟧, "
                       "or " + how)
        out.append(f"Intrinsic recoverability holds near {at}: {how}; so ⟦θ⟧ is locally a "
                   "function of ⟦(φ(θ), h(θ))⟧.")
    elif rec == "fails":
        bad = sum(p["recoverability"] == "fails" for p in pts)
        out.append(f"Intrinsic recoverability fails at {_some(bad, n, at)}: "
                   "a non-zero ⟦v ∈ ker ∂φ(θ0) ∩ Lie(W_φ)(θ0) ⊂ ker ∂h(θ0)⟧ is exhibited, so "
                   "⟦(φ, h)⟧ is not an immersion there.")
    else:
        some = "" if n == 1 else "at some point "
        out.append(f"Intrinsic recoverability is not decided at {at}: {some}the explicit laws "
                   "leave ⟦ker ∂φ(θ0) ∩ ker ∂h(θ0) ≠ {0}⟧ and ⟦dim Lie(W_φ)⟧ is not proved "
                   "locally constant.")
    met = c["metric"]
    if met == "holds":
        why = []
        if any(p["recoverability"] == "holds" for p in pts):
            why.append("implied by recoverability (⟦K = M∘Ψ⟧, ⟦Ψ⟧ the local inverse of ⟦(φ, h)⟧)")
        if names and any(p["recoverability"] != "holds" for p in pts):
            why.append(f"given by the closed form ({names}) on its stated domain, "
                       + ("a theorem of [MPG25] for this family whose equations were checked "
                          "exactly at each point" if pointwise else
                          "established by identities verified as polynomial identities"))
        out.append(f"The intrinsic metric property ⟦M(θ) = K(φ(θ), h(θ))⟧ holds {on}: "
                   + "; elsewhere ".join(why) + ".")
    elif met == "refuted":
        bad = sum(p["metric"] == "refuted" for p in pts)
        out.append(f"The intrinsic metric property is refuted near {_some(bad, n, here)}: an "
                   "exact witness ⟦v ∈ ker ∂φ(θ0) ∩ "
                   "Lie(W_φ)(θ0)⟧ with ⟦∂M(θ0)[v] ≠ 0⟧ breaks the necessary kernel-inclusion "
                   "criterion of [MPG25], so no differentiable ⟦K⟧ gives ⟦M(θ) = K(φ(θ), h(θ))⟧ "
                   "near ⟦θ0⟧.")
    elif all(_lie_exact_reason(p, D) or p["sufficient_condition"] for p in pts):
        out.append(f"The intrinsic metric property is not decided at {here}: the necessary "
                   "kernel-inclusion criterion ⟦ker ∂φ(θ0) ∩ Lie(W_φ)(θ0) ⊂ ker ∂M(θ0)⟧ holds, "
                   "with ⟦Lie(W_φ)(θ0)⟧ known exactly, but no closed form giving ⟦K⟧ was "
                   "verified.")
    else:
        some = "" if n == 1 else "at some point "
        out.append(f"The intrinsic metric property is not decided at {here}: {some}"
                   "⟦Lie(W_φ)(θ0)⟧ is only bounded below and no witness was found in its explored "
                   "part.")
    if c["dynamic"] == "holds":
        out.append("The intrinsic dynamic property holds there (implied by the metric property).")
    else:
        out.append("The intrinsic dynamic property is not decided" + (
            " (a witness refutes the metric property, not by itself the weaker dynamic property)"
            if met == "refuted" else "") + ".")
    if c["frobenius"]:
        out.append(f"The Frobenius property holds at {here}: ⟦Lie(W_φ)(θ0) = range ∂φ(θ0)ᵀ⟧, with "
                   "locally constant rank.")
    return " ".join(out)


def _some(k: int, n: int, at: str) -> str:
    """The points where something happens: all of ``at``, or '2 of' them."""
    if n == 1 or k == n:
        return at
    return f"{k} of " + at.removeprefix("each of ")


ARGUMENT_TEXT = {
    "bounds": "the bracket rank meets ⟦D − rank ∂h(θ0)⟧",
    "one coordinate": "⟦d = 1⟧ and ⟦∇φ(θ0) ≠ 0⟧",
    "closure": "a closed Lie algebra of dimension its rank at ⟦θ0⟧",
}
