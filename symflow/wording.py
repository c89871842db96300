"""The fixed wording of closed-form intrinsic metrics: one table that the engine, the
certificate model, the checker and the LaTeX renderer all read (no flint, no SymPy).

A closed form is identified by its ``kind``; its name, formula, domain of validity and the text
of each check it rests on are functions of the kind (and, for the linear family, of the number
of layers and of the sample points), never free text.
"""

from __future__ import annotations

from .texmath import plain

#: the initialisations of `symflow intrinsic` / `certify`
INITS = ("generic", "balanced", "relaxed-balanced")


def plural(n: int, word: str) -> str:
    """``3 laws``, ``1 law``."""
    return f"{n} {word}{'' if n == 1 else 's'}"


# closed forms are built (engine) and re-verified symbolically (checker) up to this many
# coordinates d; beyond it the verdict rests on the criterion and the sufficient condition alone
MAX_CLOSED_FORM_COORDS = 100
MAX_CLOSED_FORM_PARAMS = 200  # and this many parameters D
MAX_CLOSED_FORM_DEGREE = 12  # and this total degree of φ


def closed_forms_apply(D: int, d: int, degree: int) -> bool:  # noqa: N803 - the paper's D
    """Whether closed forms are built and re-verified for a lifting of this size."""
    return (d <= MAX_CLOSED_FORM_COORDS and D <= MAX_CLOSED_FORM_PARAMS
            and degree <= MAX_CLOSED_FORM_DEGREE)

#: the texts with their formulas marked (⟦ ⟧) for LaTeX; CLOSED_FORMS below is the plain text
CLOSED_FORMS_MARKED: dict[str, dict] = {
    "uv": {
        "name": "⟦φ(u, v) = c·u·v⟧",
        "formula": "M = sqrt(c⁴ h² + 4 c² z²),  h = u² − v²",
        "conditions": "every ⟦θ⟧ (⟦M = c²(u² + v²) ≥ 0⟧ is a sum of squares)",
        "identities": ["⟦M ≡ c²(u² + v²)⟧", "⟦M² ≡ c⁴h² + 4c²z²⟧"],
        "decides": True,
    },
    "two-layer-relu": {
        "name": "two-layer ReLU (rank-one factors ⟦z_j = u_j v_jᵀ⟧)",
        "formula": "M = ⊕_j K_j(z_j, h_j),  K_j = 2/(s_j + h_j) z_j z_jᵀ ⊗ I + 2/(s_j − h_j) "
                   "I ⊗ z_jᵀ z_j,  s_j = sqrt(h_j² + 4‖z_j‖²),  h_j = ‖v_j‖² − ‖u_j‖²",
        "conditions": "⟦u_j ≠ 0⟧ and ⟦v_j ≠ 0⟧ for every hidden neuron ⟦j⟧ (a dense open set of "
                      "⟦θ⟧)",
        "identities": [
            "⟦M_pq ≡ 0⟧ for paths through different neurons (block diagonal)",
            "for every neuron: ⟦s² ≡ h² + 4‖z‖²⟧ with ⟦s = ‖u‖² + ‖v‖² ≥ 0⟧, and ⟦‖u‖²‖v‖² M_j ≡ "
            "‖u‖² zzᵀ⊗I + ‖v‖² I⊗zᵀz⟧ (so ⟦‖v‖² = (s+h)/2⟧, ⟦‖u‖² = (s−h)/2⟧)",
        ],
        "decides": True,
    },
    "path-metric": {
        "name": "path-lifting metric",
        "formula": "M_pq = Σ_{e∈p∩q} ∏_{e'∈p∖{e}} θ_{e'} ∏_{e'∈q∖{e}} θ_{e'}",
        "conditions": "every ⟦θ⟧ for the identity; it describes ⟦M⟧ and does not by itself "
                      "give ⟦K⟧",
        "identities": ["⟦M_pq ≡ Σ_{e∈p∩q} ∏_{e'∈p∖{e}} θ_{e'} ∏_{e'∈q∖{e}} θ_{e'}⟧"],
        "decides": False,
    },
    "linear-family": {
        "name": "relaxed-balanced linear network",
        "formula": "M(G) = Σ_j ∏_{k>j}(S + c_k I) G ∏_{k<j}(S' + c_k I),  c_k = λ_1 + … + "
                   "λ_{k−1},  S (resp. S') the unique solution of ∏_k(S + c_k I) = zzᵀ (resp. "
                   "zᵀz) with S + c_k I ⪰ 0; balanced: M(G) = Σ_j (zzᵀ)^{(L−j)/L} G "
                   "(zᵀz)^{(j−1)/L}",
        "conditions": "⟦U_{k+1}ᵀU_{k+1} − U_kU_kᵀ = λ_k I⟧ for every hidden layer ⟦k⟧, with "
                      "either ⟦λ = 0⟧ (balanced, any widths) or all widths equal and every ⟦U_k⟧ "
                      "invertible (in a non-square net some ⟦U_k⟧ cannot have full column rank, "
                      "and relaxed balance alone does not fix ⟦M⟧, e.g. linear:2-1-2 with "
                      "⟦U₁ = 0⟧, ⟦U₂ = e₁⟧ or ⟦e₂⟧)",
        "identities": ["⟦P² − zzᵀ ≡ U₂ H U₂ᵀ⟧ and ⟦Q² − zᵀz ≡ −U₁ᵀ H U₁⟧ (⟦P = U₂U₂ᵀ⟧, "
                       "⟦Q = U₁ᵀU₁⟧): on ⟦H = λI⟧, ⟦P² − λP = zzᵀ⟧ and ⟦Q² + λQ = zᵀz⟧"],
        "decides": True,
    },
}


def _plain(value):
    """A closed form's texts without their marks."""
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


CLOSED_FORMS: dict[str, dict] = {kind: {key: _plain(v) for key, v in t.items()}
                                 for kind, t in CLOSED_FORMS_MARKED.items()}

# the exact checks of the linear closed form at one sample point, in order (marked, plain)
LINEAR_POINT_CHECKS_MARKED = [
    "⟦∏_k (S + c_k I) = z zᵀ⟧",
    "⟦∏_k (S' + c_k I) = zᵀ z⟧",
    "⟦S + c_k I ⪰ 0⟧ and ⟦S' + c_k I ⪰ 0⟧ for every ⟦k⟧",
    "⟦M(θ) = Σ_j A_j ⊗ B_j = K(z, λ)⟧",
    "⟦λ = 0⟧, or every ⟦U_k⟧ is invertible (the closed form's stratum when some ⟦λ_k ≠ 0⟧)",
]
LINEAR_POINT_CHECKS = [plain(w) for w in LINEAR_POINT_CHECKS_MARKED]


def closed_form_texts(kind: str, n_layers: int = 0, samples: list[int] | None = None) -> dict:
    """Name, formula, conditions and the texts of the identities and pointwise checks of a
    closed form of this kind; ``samples`` are the (1-based) sample points it is checked at."""
    t = CLOSED_FORMS[kind]
    identities = list(t["identities"])
    pointwise: list[str] = []
    if kind == "linear-family":
        if n_layers != 2:
            identities = []
        pointwise = [f"sample {i}: {w}" for i in samples or [] for w in LINEAR_POINT_CHECKS]
    return {"kind": kind, "name": t["name"], "formula": t["formula"],
            "conditions": t["conditions"], "identities": identities, "pointwise": pointwise}


def marked(text: str) -> str:
    """The marked form of a closed form's plain text (name, conditions, a check, or "sample i:
    " and a pointwise check); a text of no closed form comes back unchanged."""
    table = {plain(w): w for t in CLOSED_FORMS_MARKED.values()
             for w in [t["name"], t["conditions"], *t["identities"]]}
    table.update({plain(w): w for w in LINEAR_POINT_CHECKS_MARKED})
    head, sep, rest = text.partition(": ")
    if text not in table and sep and head.startswith("sample ") and rest in table:
        return head + sep + table[rest]
    return table.get(text, text)
