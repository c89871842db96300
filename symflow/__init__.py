"""symflow: exact verification of conservation laws and intrinsic dynamics of gradient flows.

The Python API (docs/api.md): one function per command of the command line, each returning a
result object (``to_json()``, a short ``repr``, and a rendering in Jupyter)::

    import symflow
    symflow.laws("linear:2-2-2")            # 3 laws, exact: (U2ᵀU2 − U1U1ᵀ)[a, b]
    symflow.intrinsic("linear:2-2-2")       # recoverability fails, metric refuted
    u, v = sympy.symbols("u v")
    symflow.laws([u * v], [u, v])           # u² − v²
"""

from ._version import __version__

#: the functions (one per command) and the result types of the API, imported on first use
_API = ("show", "lifting", "laws", "intrinsic", "certify", "check", "homogeneity", "zeros",
        "ncf", "escape", "simulate", "sweep", "neural_ode",
        "Lifting", "Laws", "Intrinsic", "Certificate", "CheckResult", "Homogeneity",
        "ZeroPattern", "NCF", "Simulation", "Discrete", "Sweep", "NeuralODE", "SymflowError")
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> object:
    """The API is imported on first use, so that ``import symflow`` (and the CLI) stay light.

    ``symflow.lifting`` is always the function: the module that builds liftings is
    ``symflow.liftings``, so importing it never shadows the function."""
    if name in _API:
        from . import api

        value = getattr(api, name)
        globals()[name] = value  # later lookups skip this hook
        return value
    raise AttributeError(f"module 'symflow' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
