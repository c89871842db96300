"""symflow: exact verification of conservation laws and intrinsic dynamics of gradient flows.

The Python API (docs/api.md)::

    import symflow
    symflow.laws("linear:2-2-2")            # 3 laws, exact: (U2ᵀU2 − U1U1ᵀ)[a, b]
    symflow.intrinsic("linear:2-2-2")       # recoverability fails, metric refuted
    u, v = sympy.symbols("u v")
    symflow.laws([u * v], [u, v])           # u² − v²
"""

from typing import Any

__version__ = "0.1.0"

_API = ("lifting", "laws", "intrinsic", "certify", "check", "homogeneity", "simulate", "ncf",
        "escape",
        "Laws", "Intrinsic", "Certificate", "CheckResult")
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    """The API is imported on first use, so that ``import symflow`` (and the CLI) stay light."""
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'symflow' has no attribute {name!r}")
