"""The certificate library (proofs/): concrete instances of the literature's claims.

Each entry is (spec, init). Regenerate with ``symflow certify --library proofs/``.
"""

from __future__ import annotations

CATALOG: list[tuple[str, str]] = [
    # conservation-law counts, ReLU path-lifting: one law per hidden neuron [MGP23]
    ("relu:3-2-1", "generic"),
    ("relu:2-2-2", "generic"),
    ("relu:3-3-3+bias", "generic"),
    ("relu:2-3-3-1+bias", "generic"),
    ("examples/skip.yaml", "generic"),
    # linear networks: Σ n_k(n_k+1)/2 when the families are independent, 14 for 2-5-2;
    # the intrinsic criterion fails generically (witness), holds for width 1
    ("linear:2-2-2", "generic"),
    ("linear:2-3-2", "generic"),
    ("linear:2-5-2", "generic"),
    ("linear:2-2-2-2", "generic"),
    ("linear:2-1-2", "generic"),
    ("linear:1-2-2-1", "generic"),
    # balanced / relaxed-balanced initialisations [MPG25]
    ("linear:2-2-2", "balanced"),
    ("linear:2-2-2", "relaxed-balanced"),
    ("linear:2-2-2-2", "balanced"),
    ("linear:2-2-2-2", "relaxed-balanced"),
    # polynomial liftings
    ("examples/uv.yaml", "generic"),
    ("examples/uvw.yaml", "generic"),
    # exact counts with laws that are not polynomials: a logarithmic law; a closed Lie algebra
    # with one law not elementary of the searched form (linear:1-2-2-1 above: d = 1)
    ("examples/parabola.yaml", "generic"),
    ("examples/cubic.yaml", "generic"),
    # a DAG with linear and ReLU neurons: its own lifting (sums of paths through linear neurons)
    ("examples/mixed.yaml", "generic"),
    # power activations [KH25]: the rescaling laws ‖in‖² − 2‖out‖² of relu² neurons
    ("relu^2:2-2-1", "generic"),
    # modern blocks [MGP25b]: a residual block has the laws of its block without the skip (a
    # fixed edge); a convolution shares its kernel: one law per channel
    ("res:relu:2", "generic"),
    ("conv1d:relu:4-k2c2-1", "generic"),
    # an attention head: its lifting (QKᵀ, VO) brings the laws of two linear factorisations
    ("attn:2-1", "generic"),
]

#: KH25 instances (spec, data x, data y): the KKT set of the NCF, the first saddle and the
#: zero pattern, from ``symflow escape --certificate`` with deltas 1e-2, 1e-3 and horizon 30
KH25_CATALOG: list[tuple[str, list, list]] = [
    ("relu^2:2-2-1", [[1, 0], [0, 1], [1, 1], [-1, 2]], [[1], [-1], [2], [1]]),
]


def slug(spec: str, init: str = "generic", at: bool = False) -> str:
    """File stem of a certificate: relu:3-2-1+bias → relu-3-2-1-bias, relu^2:2-2-1 →
    relu2-2-2-1; a file → its stem."""
    from pathlib import Path

    if spec.lower().endswith((".yaml", ".yml", ".json")):
        base = Path(spec).stem
    else:
        base = spec.replace(":", "-").replace("+", "-").replace("^", "")
    if at:
        return base + "-at-point"
    return base if init == "generic" else f"{base}-{init}"
