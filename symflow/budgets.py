"""Predicted costs and size limits checked before any work (shared by the API and by
certify): the exact points of initialisation families, the dense criterion of a linear net."""

from __future__ import annotations

from .errors import LimitError
from .liftings import Lifting

#: exact points of initialisation families and level sets carry rationals with large numerators
#: and denominators, and the criterion's exact ranks there grow fast with D: the default limit
#: (``max_params`` given explicitly replaces it)
FAMILY_MAX_PARAMS = 250


def refuse_family_size(lf: Lifting, family: bool, max_params: int | None) -> None:
    """Refuse, up front, exact points of an initialisation family or a level set beyond
    FAMILY_MAX_PARAMS parameters, unless a ``max_params`` was given explicitly."""

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

    secs = intrinsic_seconds(lf, n_points, family)
    if secs is not None and secs > max_seconds:
        rows = _kernel_rows(lf)
        where = f"at {n_points} point{'s' if n_points > 1 else ''}"
        raise LimitError(
            f"the exact kernel of [∂φ; ∂h] ({rows} × {lf.D}, {where}) is predicted to take "
            f"{secs:.0f} s, above the budget of {max_seconds:g} s (raise it with --max-seconds)")
