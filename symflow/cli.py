"""The ``symflow`` command line. Commands only format the result objects of the analyses."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ._version import __version__
from .certificate.schema import MAX_CHECK_SECONDS
from .certificate.schema import MAX_COORDS as MAX_CERT_COORDS
from .certificate.schema import MAX_FILE_BYTES as MAX_CERT_BYTES
from .certificate.schema import MAX_PARAMS as MAX_CERT_PARAMS
from .errors import LimitError, SpecError, SymflowError
from .limits import DEFAULT_MAX_PARAMS, DEFAULT_MAX_PATHS, DEFAULT_MAX_TERMS
from .prose import dynamic_verdict
from .wording import INITS, plural


def load_lifting(spec: str, **limits: int) -> Lifting:
    """``spec.load_lifting``, imported when a command runs (networkx and flint are not needed
    for --help)."""
    from .spec import load_lifting as load

    return load(spec, **limits)


if TYPE_CHECKING:
    from .counting import LawsResult
    from .liftings import Lifting
    from .properties import IntrinsicResult


SPEC_HELP = (
    "SPEC is a shorthand (relu:3-2-1, relu:3-2-1+bias, linear:2-3-2, relu^2:2-2-1, x^3:1-2-1; "
    "blocks: conv1d:relu:6-k3c2-1 = input length 6, a convolution with kernel 3 and 2 channels "
    "(options sS stride, pP padding; 6x2 for 2 input channels; +bias: one per channel), a "
    "dense layer to 1 output; conv2d:relu:4x4-k2c2-1 the same in 2-D; "
    "res:relu:4[-M][+bias] = the residual block x + W2 relu(W1 x); attn:4-2[-H] = attention, "
    "model dimension 4, head dimension 2, H heads) or a YAML/JSON file "
    "describing a DAG (inputs, hidden, outputs, edges, biases; the same edge name on several "
    "edges shares the weight, {from: x, to: y, weight: 1} is a fixed edge) or a polynomial "
    "lifting (parameters, phi). See docs/architectures.md.")


def _explicit_limits(**values: int) -> dict[str, int]:
    """The limit options the user gave (the API reads an explicit max_paths / max_params as
    also lifting its own tighter defaults for the dense criterion and for families)."""
    ctx = click.get_current_context()
    return {k: v for k, v in values.items()
            if ctx.get_parameter_source(k) != click.core.ParameterSource.DEFAULT}


def _jsonable(x):  # noqa: ANN001, ANN202 - JSON's default hook
    """Exact numbers as JSON: integers stay integers, rationals become "p/q" strings."""
    import numbers

    if type(x).__name__ in ("fmpz", "fmpq"):
        return _q(x)
    if isinstance(x, numbers.Integral):
        return int(x)
    if isinstance(x, numbers.Real):
        return float(x)
    if hasattr(x, "tolist"):
        return x.tolist()
    return str(x)


def emit_json(body: dict) -> None:
    """Print one JSON object: the envelope (symflow version, command, spec, options) and the
    command's own fields. Non-finite floats (an overflowed simulation) become null: strict
    JSON has no NaN or Infinity."""
    ctx = click.get_current_context()
    params = dict(ctx.params)
    spec = params.pop("spec", None)
    params.pop("as_json", None)
    out = {"symflow": __version__, "command": ctx.info_name, "spec": spec, "options": params}
    out.update({k: v for k, v in body.items() if k not in ("symflow", "command", "spec")})
    text = json.dumps(out, indent=2, default=_jsonable)
    if "NaN" in text or "Infinity" in text:
        text = json.dumps(_finite_only(json.loads(text)), indent=2, allow_nan=False)
    click.echo(text)


def _finite_only(x):  # noqa: ANN001, ANN202 - JSON data
    import math

    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite_only(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite_only(v) for v in x]
    return x


def _limits(f: Callable) -> Callable:
    f = click.option("--max-terms", type=click.IntRange(min=1), default=DEFAULT_MAX_TERMS,
                     show_default=True,
                     help="Refuse liftings whose φ expands to more terms (one per path through "
                          "a network) than this; the time and memory grow with them.")(f)
    f = click.option("--max-paths", type=click.IntRange(min=1), default=DEFAULT_MAX_PATHS,
                     show_default=True,
                     help="Refuse liftings with more coordinates than this (one per path of a "
                          "ReLU net, per class of paths through linear neurons).")(f)
    f = click.option("--max-params", type=click.IntRange(min=1), default=DEFAULT_MAX_PARAMS,
                     show_default=True,
                     help="Refuse networks with more parameters than this.")(f)
    return f


def _progress(enabled: bool) -> Callable[[str], None] | None:
    """A one-line status on a terminal (tqdm, on stderr, cleared at the end); None otherwise."""
    if not enabled or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(total=None, bar_format="… {desc}", leave=False, file=sys.stderr)

    def show(msg: str) -> None:
        bar.set_description_str(msg)

    show.close = bar.close  # type: ignore[attr-defined]
    return show


def _end_progress(progress: Callable | None) -> None:
    if progress:
        progress.close()  # type: ignore[attr-defined]


#: set when the command line asks for --json: errors are then also one JSON object on stdout
_JSON_ERRORS = False


def _report(message: str, kind: str, code: int, prefix: str = "symflow: error: ") -> None:
    """An error in one line on stderr, and with --json also as {"error", "kind", "exit_code"}
    on stdout, so that a script reading stdout always gets one JSON object."""
    one_line = " ".join(str(message).split())
    click.echo(f"{prefix}{one_line}", err=True)
    if _JSON_ERRORS:
        click.echo(json.dumps({"symflow": __version__, "error": one_line, "kind": kind,
                               "exit_code": code}, indent=2))


def _kind(exc: BaseException) -> str:
    """The kind of a user error: "limit" (a size or time limit, with its flag), "input" (a
    malformed or invalid specification or file), "usage" (the command line), "error"."""
    if isinstance(exc, LimitError):
        return "limit"
    if isinstance(exc, SpecError):
        return "input"
    return "error"


class UserError(click.ClickException):
    """A SymflowError shown as one line on stderr, exit code 2."""

    exit_code = 2

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind

    def show(self, file=None) -> None:  # noqa: ARG002 - click's signature
        _report(self.message, self.kind, self.exit_code)


def _usage(exc: click.UsageError) -> UserError:
    where = f"symflow {exc.ctx.info_name} --help" if exc.ctx and exc.ctx.parent else \
        "symflow --help"
    return UserError(f"{exc.format_message()} (see '{where}')", "usage")


class _Group(click.Group):
    """Every user error, including click's usage errors, is one line and exit code 2."""

    def make_context(self, info_name, args, parent=None, **extra):
        global _JSON_ERRORS
        _JSON_ERRORS = "--json" in args  # errors are then JSON on stdout too
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _usage(exc) from None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SymflowError as exc:
            raise UserError(str(exc), _kind(exc)) from None
        except click.exceptions.NoArgsIsHelpError:
            raise
        except click.UsageError as exc:
            raise _usage(exc) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="symflow")
def cli() -> None:
    """symflow: exact verification of conservation laws and intrinsic dynamics of gradient
    flows θ' = −∇(ℓ∘φ)(θ) of neural networks, for a concrete small architecture.

    \b
    SPEC, the network or lifting every command takes, is one of:
      relu:3-2-1          layered ReLU net, widths input-hidden-…-output (weights W{l}_{i}_{j})
      relu:3-2-1+bias     the same with biases b{l}_{i}
      linear:2-3-2        φ = U_2 U_1, the product of the weight matrices (entries U{k}_{i}_{j})
      relu^2:2-2-1        hidden activation max(s, 0)^p (2 ≤ p ≤ 9), +bias too [KH25]
      x^3:1-2-1           hidden activation s^p (2 ≤ p ≤ 9), +bias too
      net.yaml            a DAG: inputs, hidden (ReLU, or {name: h, activation: linear},
                          "relu^2", "x^3"), outputs, edges ("u -> v"), biases
      phi.yaml            a polynomial lifting: parameters: [u, v], phi: ["u*v"]

    \b
    Start with:
      symflow laws relu:3-2-1          # 2 conservation laws, one per hidden neuron
      symflow intrinsic linear:2-2-2   # recoverability / metric / dynamic, with a witness
      symflow certify relu:3-2-1 -o cert/ && symflow check cert/
    """


@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the random rational point θ0 (recorded in the output).")
@click.option("--degree", type=click.IntRange(min=0), default=None,
              help="Search all polynomial laws up to this degree (default: search up to "
                   "degree 4 only when the known laws do not explain the count; 0: never).")
@click.option("--max-depth", type=click.IntRange(min=1), default=None,
              help="Deepest level of iterated brackets explored (default: adaptive, as deep "
                   "as --max-seconds allows for a linear network; 8 otherwise).")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True, max=86_400),
              default=60.0, show_default=True,
              help="Time budget of the bracket exploration (its levels stop before one that "
                   "is predicted to end later).")
@click.option("-v", "--verbose", is_flag=True, help="List the spanning brackets too.")
@click.option("--block", default=None,
              help="Parameter names or patterns ('W1_*,W2_*'): count the laws that depend on "
                   "these parameters only, the others arbitrary, and compare with the block "
                   "alone when it is a run of layers [MGP25b].")
@_limits
def laws(spec: str, as_json: bool, seed: int, degree: int | None, max_depth: int | None,
         max_seconds: float, verbose: bool, block: str | None, max_params: int, max_paths: int,
         max_terms: int) -> None:
    """Count the independent conservation laws of SPEC and give the ones that can be written.

    The count is D − dim Lie(W_φ)(θ0): brackets independent at θ0 bound dim Lie below, laws
    verified as identities bound it above. It is exact (Frobenius) when dim Lie(W_φ) is proved
    locally constant at θ0: the bounds meet, or d = 1, or the brackets close into a Lie algebra
    of dimension equal to its rank. Laws: known families, all polynomial laws up to a degree,
    and logarithmic laws P + Σ λ_i ln|f_i| over Darboux polynomials f_i (docs/counting.md).

    \b
    Examples:
      symflow laws relu:3-2-1
      symflow laws relu:2-3-3-1+bias
      symflow laws linear:2-3-2 --json
      symflow laws examples/skip.yaml
      symflow laws examples/uvw.yaml --degree 2
      symflow laws linear:1-2-2-1              # 7 laws (d = 1), 6 written down
      symflow laws examples/parabola.yaml      # x2 − ½ ln|x1|
    """
    from . import api

    progress = _progress(not as_json)
    try:
        result = api.laws(spec, seed=seed, degree=degree, max_depth=max_depth,
                          progress=progress, max_seconds=max_seconds, max_paths=max_paths,
                          block=block,
                          **_explicit_limits(max_params=max_params, max_terms=max_terms)).result
    finally:
        _end_progress(progress)
    if as_json:
        emit_json(laws_json(spec, result))
    else:
        click.echo(laws_text(spec, result, verbose))


def laws_json(spec: str, r: LawsResult) -> dict:
    """The result as plain JSON data."""
    lf = r.lifting
    return {
        "symflow": __version__,
        "command": "laws",
        "spec": spec,
        "lifting": {
            "name": lf.name, "kind": lf.kind, "D": lf.D, "d": lf.d,
            "parameters": lf.params,
        },
        "point": {"seed": r.seed, "theta0": dict(zip(lf.params, r.point, strict=True))},
        "lie": {
            "dim_at_theta0": r.lie.dim,
            "dim_exact": r.exact or r.lie.exact,
            "dim_proved_by": ("the bounds meet" if r.argument == "bounds" else "d = 1"
                              if r.argument == "one coordinate" else "the brackets close"
                              if r.lie.exact else "lower bound only"),
            "locally_constant": r.exact,
            "status": r.lie.status,
            "depth": r.lie.depth,
            "brackets_computed": r.lie.explored,
            "spanning_brackets": [b.word for b in r.lie.spanning],
            "engine": ("polynomial" if r.lie.modulus is None else "paths"
                       if r.lie.combinations else "structural"),
            "spanned_by": r.lie.combinations,
            "stopped_by": r.lie.stopped_by,
            "values_modulo": r.lie.modulus,
        },
        "laws": [
            {"expression": law.text(lf.ring), "polynomial_part": law.expression(lf.ring),
             "logs": [{"coefficient": _q(lam), "factor": lf.ring.format(f)}
                      for f, lam in law.logs],
             "source": law.source, "verified_identity": law.verified}
            for law in r.laws
        ],
        "count": {"value": r.count, "exact": r.exact, "argument": r.argument,
                  "lower": r.lower, "upper": r.upper, "explicit": r.lower,
                  "explicit_polynomial": r.lower - r.n_logarithmic,
                  "explicit_logarithmic": r.n_logarithmic,
                  "not_explicit": None if r.count is None else r.count - r.lower},
        "proof": {
            "kind": _count_proof(r.argument),
            "statement": _statement(r),
        },
        "law_search": {
            "polynomial_degree": r.search_degree,
            "logarithmic": None if r.darboux is None else {
                "degree": r.log_degree, "darboux": [lf.ring.format(f) for f in r.darboux]},
        },
        "law_search_degrees": r.searched_degrees,
        "notes": r.notes,
    }


def _count_proof(argument: str | None) -> str:
    from .prose import count_proof

    return count_proof(argument)


def count_line(r: LawsResult) -> str:
    """'7 independent conservation laws (exact, d = 1): 6 explicit (polynomial); 1 more …'."""
    n = r.lower
    kinds = ("polynomial" if not r.n_logarithmic else "logarithmic" if r.n_logarithmic == n
             else f"{n - r.n_logarithmic} polynomial, {r.n_logarithmic} logarithmic")
    if r.exact:
        why = {"bounds": "exact", "one coordinate": "exact, d = 1",
               "closure": "exact, closed Lie algebra"}[r.argument]
        head = f"{plural(r.count, 'independent conservation law')} ({why})"
        if n == r.count:
            return head + (f", all explicit ({kinds})" if n else "")
        more = r.count - n
        return (head + f": {n} explicit" + (f" ({kinds})" if n else "") + f"; {more} more "
                f"exist{'s' if more == 1 else ''} by Frobenius, not written down")
    return (f"between {n} and {r.upper} (bounds): {n} explicit" + (f" ({kinds})" if n else "")
            + f"; {r.upper - n} not accounted for"
            + ("" if r.lie.exact else " (the upper bound may not be sharp)"))


def _describe(lf: Lifting) -> str:
    if lf.architecture is not None and lf.architecture.shared:
        return ("network lifting with shared or fixed weights: per class of paths, the sum of "
                "its weight products")
    return {"path": "path-lifting", "product": "product of weight matrices",
            "network": "network lifting: sums of paths through linear neurons",
            "power": "power lifting: the x-coefficients of the output on each activation pattern",
            "custom": "polynomial lifting"}[lf.kind]


def laws_text(spec: str, r: LawsResult, verbose: bool = False) -> str:
    lf = r.lifting
    lines = [
        f"symflow laws {spec}",
        f"  lifting      {lf.name}  ({_describe(lf)})",
        f"  parameters   D = {lf.D}",
        f"  coordinates  d = {lf.d}",
    ]
    shown = ", ".join(f"{n}={v}" for n, v in list(zip(lf.params, r.point, strict=True))[:6])
    more = ", …" if lf.D > 6 else ""
    lines.append(f"  point θ0     seed {r.seed}: {shown}{more}")
    depths: dict[int, int] = {}
    for b in r.lie.spanning:
        depths[b.depth] = depths.get(b.depth, 0) + 1
    by_depth = ", ".join(f"{n} of depth {k}" for k, n in sorted(depths.items()))
    rel = "=" if r.exact or r.lie.exact else "≥"
    spanned = (f"spanned by {r.lie.combinations}" if r.lie.combinations else
               f"spanned by {plural(r.lie.dim, 'bracket')}: {by_depth or 'none'}")
    lines.append(f"  Lie algebra  dim Lie(W_φ)(θ0) {rel} {r.lie.dim}   ({spanned})")
    if r.lie.modulus is not None:
        lines.append(f"               values from the matrices, ranked mod p = {r.lie.modulus} "
                     f"(a lower bound over ℚ)")
    if verbose:
        lines.append("               brackets: " + ", ".join(b.word for b in r.lie.spanning))
    lines.append("  laws         " + count_line(r))
    for i, law in enumerate(r.laws, 1):
        lines.append(f"    h{i} = {law.text(lf.ring)}")
        lines.append(f"         [{law.source}; identity ⟨∇h, ∇φ_i⟩ ≡ 0 verified]")
    if r.searched_degrees:
        lines.append(f"  search       all polynomial laws of degree "
                     f"{', '.join(map(str, r.searched_degrees))} computed exactly")
        from .certificate.model import search_record

        cited = search_record(r)
        if cited is not None and cited["degree"] < r.search_degree:
            lines.append(f"               (the proof below cites degree ≤ {cited['degree']}: "
                         f"what a certificate's checker redoes within its limits)")
    if r.darboux is not None:
        fs = ", ".join(lf.ring.format(f) for f in r.darboux)
        none = ("none: no candidate (factors of φ and ∂φ, eigen-forms of quadratic factors) "
                "is a Darboux polynomial non-zero at θ0")
        lines.append("               logarithmic laws P + Σ λ_i ln|f_i|, deg P ≤ "
                     f"{r.log_degree}, " + (f"f_i among the Darboux polynomials {fs}" if fs
                                          else none))
    for note in r.notes:
        lines.append(f"  note         {note}")
    lines.append("  proof        " + _statement(r))
    return "\n".join(lines)


def _finite(**values: float) -> None:
    """NaN passes click's range checks (every comparison is false): refuse it here."""
    import math

    for name, x in values.items():
        if not math.isfinite(x):
            raise SymflowError(f"--{name.replace('_', '-')} must be a finite number, got {x}")


def _check_writable(path: str, suffix: str) -> None:
    """A one-line error now, rather than a traceback after the work, for an output path."""
    import os

    p = Path(path)
    if p.suffix.lower() != suffix:
        raise SymflowError(f"{path}: the file name must end in {suffix}")
    if not p.parent.is_dir():
        raise SymflowError(f"{path}: the directory {p.parent} does not exist")
    existed = p.exists()
    try:
        with open(p, "a"):
            pass
    except OSError as exc:
        raise SymflowError(f"{path}: not writable ({exc.strerror or exc})") from None
    if not existed:
        os.remove(p)


@cli.command("neural-ode")
@click.option("--width", type=click.IntRange(1, 6), default=2, show_default=True,
              help="Width n of the square layers of linear:n-n-…-n.")
@click.option("--depths", default="2,4,8,16", show_default=True,
              help="Comma-separated depths L (2 ≤ L ≤ 64).")
@click.option("--time", "t_end", type=click.FloatRange(min=0, min_open=True, max=100),
              default=2.0, show_default=True, help="End of the (rescaled) time interval.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Write the gap as a function of L to this PNG file (needs matplotlib).")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True, max=86400),
              default=40.0, show_default=True,
              help="Refuse, in one line, to integrate longer than this (all depths together).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
def neural_ode(width: int, depths: str, t_end: float, seed: int, plot_path: str | None,
               max_seconds: float, as_json: bool) -> None:
    """Balanced deep linear nets converge to the linear neural ODE, numerically (floats).

    The balanced depth-L metric Σ_j (zzᵀ)^{(L−j)/L} G (zᵀz)^{(j−1)/L} grows like L; with time
    rescaled by 1/L it is a Riemann sum of ∫_0^1 (zzᵀ)^{1−s} G (zᵀz)^s ds. For each L the
    θ-flow from the same z0 (ℓ(z) = ½‖z − Y‖², random Y) is compared with the ODE limit,
    integrated with the integral in closed form on the SVD of z (logarithmic means of the
    squared singular values); DOP853, rtol = atol = 1e-12.

    \b
    Examples:
      symflow neural-ode
      symflow neural-ode --width 3 --depths 2,4,8,16,32 --plot ode.png
    """
    from . import api
    from .flow import SCALING, plot_neural_ode

    _finite(time=t_end, max_seconds=max_seconds)
    if plot_path is not None:
        _check_writable(plot_path, ".png")
    out = api.neural_ode(width=width, depths=depths, time=t_end, seed=seed,
                         max_seconds=max_seconds)
    res, inaccurate, one_over_l = out.result, out.inaccurate_depths, out.gap_like_1_over_L
    if plot_path is not None:
        plot_neural_ode(res, plot_path)
    if as_json:
        emit_json(out.to_json())
        return
    click.echo(f"symflow neural-ode  (linear:{width}-…-{width}, balanced, t ∈ [0, {t_end:g}], "
               f"seed {seed})")
    click.echo("  scaling      " + SCALING)
    click.echo("  L      max_t ‖z_L − z_∞‖/‖z0‖   × L      θ-flow vs finite-L formula")
    for L, g, f in zip(res.depths, res.gaps, res.formula_gaps, strict=True):
        click.echo(f"  {L:<6} {g:<24.3e} {g * L:<8.3f} {f:.1e}")
    if inaccurate:
        click.echo(f"  WARNING      at L = {', '.join(map(str, inaccurate))} the θ-flow and the "
                   "finite-L formula differ by more than 1e-6: the integration is not accurate "
                   "there (shorten --time); no conclusion is drawn")
    elif one_over_l:
        click.echo("  The gap decreases roughly like 1/L (the column × L stays within a factor "
                   "1.5): the balanced nets approach the neural ODE. Floats: a numerical "
                   "illustration, not a proof.")
    else:
        click.echo("  With these depths the gaps do not show a 1/L decrease (one depth, a gap "
                   "that does not decrease, or × L varying by more than a factor 1.5).")
    if plot_path is not None:
        click.echo(f"  plot         {plot_path}")


@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--init", type=click.Choice(INITS), default="generic", show_default=True,
              help="Where to decide: a seeded generic point, or exact sample points of the "
                   "balanced / relaxed-balanced family of a linear network.")
@click.option("--at", "at_file", type=click.Path(dir_okay=False), default=None,
              help="Decide at this point instead: a JSON/YAML file {name: value} or [values], "
                   "values integers or 'p/q' strings.")
@click.option("--samples", type=click.IntRange(min=1, max=64), default=3, show_default=True,
              help="Number of sample points on an initialisation family or a level set.")
@click.option("--level", "level_arg", default=None, metavar="FILE|random",
              help="Two-layer linear nets linear:n-r-m (r ≤ min(n, m)): decide at exact points "
                   "of the level set U₂ᵀU₂ − U₁U₁ᵀ = H, H given in FILE as a matrix [[...]] "
                   "(integers or 'p/q'), or of --samples random non-scalar level sets.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the sample points.")
@click.option("--max-depth", type=click.IntRange(min=1), default=8, show_default=True,
              help="Deepest level of iterated brackets explored.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True, max=86_400),
              default=60.0, show_default=True,
              help="Budget: a criterion predicted to take longer is refused before any work.")
@_limits
def intrinsic(spec: str, init: str, at_file: str | None, samples: int, level_arg: str | None,
              as_json: bool, seed: int, max_depth: int, max_seconds: float, max_params: int,
              max_paths: int, max_terms: int) -> None:
    """Decide the three intrinsic properties of [MPG25] for SPEC, exactly, at rational points.

    Recoverability (θ locally a function of (φ(θ), h(θ))): holds when ker ∂φ ∩ ker ∂h = {0},
    also without every law written down when dim Lie(W_φ) is locally constant (then decided by
    ker ∂φ ∩ Lie(W_φ) = {0}); fails with a vector of ker ∂φ ∩ Lie(W_φ). Metric property
    (M = K(φ, h) on the level set): implied by recoverability or by a closed form verified
    exactly; refuted by a witness of the kernel-inclusion criterion ker ∂φ ∩ Lie(W_φ) ⊂ ker ∂M.
    Dynamic property (z' = −K(z)∇ℓ along the flow): implied by the metric property.
    The analysis uses dense d × D and d × d matrices: it refuses d > 2000 coordinates unless
    --max-paths is given.

    \b
    Examples:
      symflow intrinsic relu:3-2-1
      symflow intrinsic linear:2-2-2                    # fails: prints the witness
      symflow intrinsic linear:2-2-2 --init balanced
      symflow intrinsic linear:2-2-2 --init relaxed-balanced --json
      symflow intrinsic examples/uv.yaml --at examples/uv-point.json
      symflow intrinsic linear:1-2-2-1                  # recoverable without the 7th law
      symflow intrinsic linear:2-2-2 --level random     # non-scalar level sets: refuted
    """
    from . import api

    explicit = _explicit_limits(max_params=max_params, max_paths=max_paths)
    samples_given = click.get_current_context().get_parameter_source("samples") != \
        click.core.ParameterSource.DEFAULT
    progress = _progress(not as_json)
    try:
        result = api.intrinsic(spec, init=init, at=at_file, seed=seed,
                               samples=samples if samples_given else None, level=level_arg,
                               max_depth=max_depth, max_seconds=max_seconds,
                               max_terms=max_terms, progress=progress, **explicit).result
    finally:
        _end_progress(progress)
    if as_json:
        emit_json(intrinsic_json(spec, result))
    else:
        click.echo(intrinsic_text(spec, result))


def _q(x) -> str | int:
    """An exact number for JSON: an int, or a 'p/q' string."""
    from .certificate.model import num

    return num(x)


def _vec(v) -> str:
    return "(" + ", ".join(str(_q(x)) for x in v) + ")"


def intrinsic_json(spec: str, r: IntrinsicResult) -> dict:
    lf = r.lifting
    checks = []
    for c in r.checks:
        checks.append({
            "theta0": {n: _q(x) for n, x in zip(lf.params, c.point, strict=True)},
            "rank_dphi": c.rank_dphi,
            "dim_ker_dphi": lf.D - c.rank_dphi,
            "rank_dh": c.rank_dh,
            "dim_lie": c.lie.dim,
            "lie_exact": c.lie_exact,
            "spanning_brackets": [b.word for b in c.lie.spanning],
            "intersection_basis": c.intersection,
            "sufficient_condition": c.sufficient,
            "inclusion": c.inclusion,
            "witness": c.witness,
            "witness_dM": None if c.witness_dm is None else [[_q(x) for x in row]
                                                             for row in c.witness_dm],
            "lie_locally_constant": c.locally_constant,
            "frobenius": c.frobenius,
            "recoverability": c.recoverability,
            "metric": r.metric_at(len(checks) + 1),
            "dynamic": dynamic_verdict(r.metric_at(len(checks) + 1)),
        })
    return {
        "symflow": __version__,
        "command": "intrinsic",
        "spec": spec,
        "lifting": {"name": lf.name, "kind": lf.kind, "D": lf.D, "d": lf.d,
                    "parameters": lf.params},
        "init": r.init,
        "seed": r.seed,
        "family": r.family,
        "laws": {"count": r.laws.count, "exact": r.laws.exact, "argument": r.laws.argument,
                 "lower": r.laws.lower, "upper": r.laws.upper,
                 "expressions": [law.text(lf.ring) for law in r.laws.laws]},
        "checks": checks,
        "closed_forms": [{"name": cf.name, "formula": cf.formula, "conditions": cf.conditions,
                          "identities": [{"claim": w, "verified": ok} for w, ok in cf.identities],
                          "pointwise": [{"claim": w, "verified": ok} for w, ok in cf.pointwise],
                          "holds": cf.holds} for cf in r.closed_forms],
        "recoverability": r.recoverability,
        "metric": r.metric,
        "dynamic": r.dynamic,
        "frobenius": r.frobenius,
        "statement": _statement(r),
        "notes": r.notes,
    }


def intrinsic_text(spec: str, r: IntrinsicResult) -> str:
    lf = r.lifting
    lines = [f"symflow intrinsic {spec}",
             f"  lifting      {lf.name}  ({_describe(lf)}), D = {lf.D}, d = {lf.d}"]
    lines.append(f"  laws         {count_line(r.laws)} (see `symflow laws`)")
    where = {"generic": f"a generic point (seed {r.seed})",
             "given point": "the given point",
             "level set": f"{plural(len(r.checks), 'exact point')} of level sets "
                          "U₂ᵀU₂ − U₁U₁ᵀ = H"}.get(
        r.init, f"{len(r.checks)} exact sample points of the {r.init} family")
    lines.append(f"  decided at   {where}")
    if r.family.get("levels"):
        lines.append("  levels       H per sample: " + "; ".join(
            "[" + "; ".join(" ".join(row) for row in h) + "]" for h in r.family["levels"]))
    if r.family.get("lambdas"):
        lines.append("  family       λ_k (U_{k+1}ᵀU_{k+1} − U_kU_kᵀ = λ_k I) per sample: "
                     + "; ".join("(" + ", ".join(lam) + ")" for lam in r.family["lambdas"]))
    for i, c in enumerate(r.checks, 1):
        tag = f"  point {i}" if len(r.checks) > 1 else "  point"
        shown = ", ".join(f"{n}={_q(x)}" for n, x in list(zip(lf.params, c.point,
                                                                strict=True))[:5])
        lines.append(f"{tag:13}θ0: {shown}{', …' if lf.D > 5 else ''}")
        rel = "=" if c.lie_exact else "≥"
        lines.append(f"    spaces     rank ∂φ(θ0) = {c.rank_dphi}, dim Lie(W_φ)(θ0) {rel} "
                     f"{c.lie.dim}, dim ker ∂φ ∩ Lie = {len(c.intersection)}, "
                     f"rank ∂h(θ0) = {c.rank_dh}")
        lines.append(f"    sufficient ker ∂φ ∩ ker ∂h = {{0}}: {'yes' if c.sufficient else 'no'}")
        incl = {True: "yes", False: "NO", None: "undecided"}[c.inclusion]
        lines.append(f"    criterion  ker ∂φ ∩ Lie(W_φ) ⊂ ker ∂M: {incl}")
        if c.witness is not None:
            lines.append(f"    witness    v = {_vec(c.witness)}")
            nz = next((i, j) for i, row in enumerate(c.witness_dm) for j, x in enumerate(row)
                      if x != 0)
            lines.append(f"               ∂φ(θ0)v = 0, v ∈ Lie(W_φ)(θ0), ∂M(θ0)[v] ≠ 0 (entry "
                         f"({nz[0] + 1},{nz[1] + 1}) = {_q(c.witness_dm[nz[0]][nz[1]])})")
        m = r.metric_at(i)
        lines.append(f"    properties recoverability {c.recoverability}, metric {m}, dynamic "
                     f"{'holds' if m == 'holds' else 'not decided'}"
                     + (", Frobenius property holds" if c.frobenius else ""))
    for cf in r.closed_forms:
        lines.append(f"  closed form  {cf.name}: {'verified' if cf.holds else 'NOT verified'}")
        if cf.decides and cf.holds:
            out = [n for n in range(1, len(r.checks) + 1) if not r.covered(n)]
            if out:
                lines.append("               does not cover "
                             + ("θ0" if len(r.checks) == 1 else
                                "point(s) " + ", ".join(map(str, out)))
                             + " (outside its domain, below)")
        lines.append(f"               {cf.formula}")
        lines.append(f"               valid where: {cf.conditions}")
        for what, ok in cf.identities:
            lines.append(f"               [{'✓' if ok else '✗'} identity] {what}")
        for what, ok in cf.pointwise:
            lines.append(f"               [{'✓' if ok else '✗'} exact at point] {what}")
    for note in r.notes:
        lines.append(f"  note         {note}")
    lines.append(f"  RECOVERABILITY {r.recoverability.upper()}")
    lines.append(f"  METRIC         {r.metric.upper()}")
    lines.append(f"  DYNAMIC        {r.dynamic.upper()}")
    lines.append("  proof        " + _statement(r))
    return "\n".join(lines)


@cli.command(epilog=SPEC_HELP)
@click.argument("spec", required=False)
@click.option("-o", "--output", "outdir", type=click.Path(file_okay=False), default=".",
              show_default=True, help="Directory to write the certificate files into.")
@click.option("--init", type=click.Choice(INITS), default="generic", show_default=True,
              help="Initialisation family for the intrinsic claim (linear networks).")
@click.option("--at", "at_file", type=click.Path(dir_okay=False), default=None,
              help="Decide the intrinsic claim at this point (JSON/YAML file).")
@click.option("--samples", type=click.IntRange(min=1, max=64), default=3, show_default=True,
              help="Number of sample points on an initialisation family.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the points.")
@click.option("--no-pdf", is_flag=True, help="Do not run pdflatex even if it is installed.")
@click.option("--library", "library", type=click.Path(file_okay=False), default=None,
              help="Regenerate the whole certificate library into this directory (JSON and "
                   ".tex, deterministic) instead of certifying SPEC.")
@click.option("--block", default=None,
              help="Certify the laws that depend on these parameters only (names or patterns, "
                   "'W1_*,W2_*'), the others arbitrary: the block's lifting, rebuilt by the "
                   "checker from the network.")
@click.option("--fragment", is_flag=True,
              help="Also write NAME-section.tex: the certificate as a subsection to \\input "
                   "into a paper (no preamble; its claims continue the paper's claim counter; "
                   "\\ref{symflow:NAME} gives its number; it cites with symflow.bib, written "
                   "beside it; needs amsmath, amssymb, amsthm and tikz).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (the files written and each verdict) and nothing else.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True, max=86_400),
              default=60.0, show_default=True,
              help="Budget: an intrinsic claim predicted to take longer is refused before any "
                   "work.")
@_limits
def certify(spec: str | None, outdir: str, init: str, at_file: str | None, samples: int,
            seed: int, no_pdf: bool, library: str | None, block: str | None, fragment: bool,
            as_json: bool, max_seconds: float, max_params: int, max_paths: int,
            max_terms: int) -> None:
    """Write a certificate of SPEC: NAME.json (evidence), NAME.tex (and NAME.pdf if pdflatex is
    installed). Certificates are limited to D ≤ 1000 parameters unless --max-params is given.
    It certifies the count of conservation laws and the intrinsic-property verdict;
    `symflow check NAME.json` re-verifies it independently, and certify runs that check on
    every certificate before writing it (see docs/certificates.md).

    \b
    Examples:
      symflow certify relu:3-2-1 -o cert/
      symflow certify linear:2-2-2 --init balanced -o cert/
      symflow certify --library proofs/
    """
    from .catalog import CATALOG
    from .certificate.run import certify_one

    ctx = click.get_current_context()
    given = {n for n in ("init", "at_file", "samples", "seed")
             if ctx.get_parameter_source(n) != click.core.ParameterSource.DEFAULT}
    if library is not None and given - {"seed"}:
        flags = ", ".join(sorted("--" + n.replace("_file", "") for n in given - {"seed"}))
        raise SymflowError(f"--library regenerates the catalog with its own settings: {flags} "
                           "cannot be combined with it")
    if "samples" in given and init == "generic":
        raise SymflowError("--samples applies to --init balanced / relaxed-balanced (a generic "
                           "point is one seeded point: use --seed)")
    if at_file is not None and init != "generic":
        raise SymflowError(f"--at decides at the point you give: it cannot be combined with "
                           f"--init {init}")
    if library is not None:
        if spec is not None:
            raise click.UsageError("give either SPEC or --library, not both")
        root = Path(__file__).resolve().parent.parent  # the checkout holding examples/
        jobs = []
        for s, i in CATALOG:
            if s.lower().endswith((".yaml", ".json")) and not Path(s).is_file():
                if not (root / s).is_file():
                    raise SymflowError(f"the library needs {s} from a symflow checkout (not "
                                       f"found here or in {root})")
                s = str(root / s)
            jobs.append((s, i, None, Path(library)))
        no_pdf = True
    elif spec is None:
        raise click.UsageError("missing SPEC (or --library DIR)")
    else:
        jobs = [(spec, init, at_file, Path(outdir))]
    if ctx.get_parameter_source("max_params") == click.core.ParameterSource.DEFAULT:
        max_params = MAX_CERT_PARAMS  # the checker's default: certificates grow like D²
    for out_dir in {Path(j[3]) for j in jobs}:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            probe = out_dir / ".symflow-write-test"
            probe.write_text("")
            probe.unlink()
        except OSError as exc:
            raise SymflowError(f"cannot write certificates into {out_dir}: "
                               f"{exc.strerror or exc}") from None
    written = []
    for sp, ini, at_path, out in jobs:
        lifting = load_lifting(sp, max_params=max_params, max_paths=max_paths,
                               max_terms=max_terms)
        label = sp
        if block is not None:
            from .api import _block_names, _certifiable_block

            if ini != "generic" or at_path is not None or library is not None:
                raise SymflowError("--block certifies the block's laws at a generic point: it "
                                   "cannot be combined with --init, --at or --library")
            if lifting.d:
                lifting.phi[0]  # noqa: B018 - the block's coefficients need φ expanded
            lifting = _certifiable_block(lifting, _block_names(lifting, block))
            if lifting.block is None:
                raise SymflowError("--block certificates need a network (a polynomial "
                                   "lifting's block is a polynomial lifting: certify it)")
            label = f"{sp}-block"
        if library is None:
            from .api import refuse_family_size

            refuse_family_size(lifting, ini != "generic",
                               _explicit_limits(max_params=max_params).get("max_params"))
        at = None
        if at_path is not None:
            from .spec import read_data

            at = read_data(Path(at_path))
        progress = _progress(not as_json)
        try:
            c = certify_one(lifting, out, init=ini, seed=seed, samples=samples, at=at,
                            pdf=not no_pdf, label=label, max_params=max_params,
                            fragment=fragment, progress=progress, max_seconds=max_seconds)
        finally:
            _end_progress(progress)
        made = [str(c.json), str(c.tex)] + ([str(c.pdf)] if c.pdf else [])
        if fragment:
            made += [str(c.tex.with_name(c.tex.stem + "-section.tex")),
                     str(c.tex.with_name("symflow.bib"))]
        written.append({"name": lifting.name, "init": ini, "json": str(c.json),
                        "tex": str(c.tex), "pdf": str(c.pdf) if c.pdf else None,
                        "pdf_skipped": c.pdf_note, "laws": c.laws,
                        "laws_exact": c.laws is not None,
                        "recoverability": c.recoverability, "metric": c.metric,
                        "dynamic": c.dynamic, "checked": "valid"})
        if not as_json:
            skipped = f" ({c.pdf_note})" if c.pdf_note else ""
            count = c.laws if c.laws is not None else "bounds only"
            click.echo(f"{lifting.name} [{ini}]: laws {count}, recoverability "
                       f"{c.recoverability}, metric {c.metric}, dynamic {c.dynamic} "
                       f"(re-checked: valid) -> " + ", ".join(made) + skipped)
    if library is not None:
        from .catalog import KH25_CATALOG
        from .smallinit import escape as run_escape

        for sp, xs, ys in KH25_CATALOG:
            lf = load_lifting(sp)
            qx = [[sympy_rational(v) for v in row] for row in xs]
            qy = [[sympy_rational(v) for v in row] for row in ys]
            r = run_escape(lf, qx, qy, deltas=(1e-2, 1e-3), horizon=30.0)
            made = write_kh25(lf, qx, qy, r, sp, library, pdf=False)
            written.append({"name": lf.name, "kh25": [str(p) for p in made],
                            "checked": "valid"})
            if not as_json:
                click.echo(f"{lf.name} [KH25]: KKT set, saddle, zero pattern (re-checked: "
                           "valid) -> " + ", ".join(map(str, made)))
    if as_json:
        emit_json({"certificates": written})


def sympy_rational(v: object):  # noqa: ANN201 - a SymPy Rational
    import sympy

    return sympy.Rational(str(v))


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("-q", "--quiet", is_flag=True, help="Print only failures.")
@click.option("--max-params", type=click.IntRange(min=1), default=MAX_CERT_PARAMS,
              show_default=True, help="Refuse certificates with more parameters D than this.")
@click.option("--max-paths", type=click.IntRange(min=1), default=MAX_CERT_COORDS,
              show_default=True,
              help="Refuse certificates with more coordinates d (paths) than this.")
@click.option("--max-seconds", type=click.FloatRange(min=0.01), default=MAX_CHECK_SECONDS,
              show_default=True,
              help="Refuse a certificate whose check is predicted to take longer than this (each "
                   "step's work is predicted from the file's sizes before it runs; a check that "
                   "still overruns is refused at this limit).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_CERT_BYTES,
              show_default=True, help="Refuse certificate files larger than this (checked before "
                                      "reading).")
@click.option("--tex", is_flag=True,
              help="Also check that NAME.tex (and NAME-section.tex, if present) beside each "
                   "certificate is exactly the LaTeX rendering of the verified data.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object (a status per file) and nothing else; same exit code.")
def check(paths: tuple[str, ...], quiet: bool, max_params: int, max_paths: int,
          max_seconds: float, max_bytes: int, tex: bool, as_json: bool) -> None:
    """Re-verify certificates (files, or directories of *.json) independently of the engine.

    Nothing in a certificate is trusted: φ and the parameters are rebuilt from the
    architecture, points from their seeds, every rank, law, bracket, witness and closed form is
    recomputed, and every sentence is regenerated from the verified data; with --tex, the LaTeX
    certificate beside it must be the rendering of that data, word for word (so compiling a
    .tex reported valid is safe: every text of the file must be the canonical text of what it
    parses to). Sizes are checked and each step's work is predicted before it runs. One line
    per file; the exit code is the worst status:
    0 all valid; 1 some certificate is invalid: a false or unsupported conclusion, or a
    text not in its canonical form (the failing step is named); 2 some file is missing,
    unreadable, not a certificate, of an unsupported version, or beyond a limit of the
    checker (REFUSED, not judged: --max-params, --max-paths, --max-bytes, --max-seconds, or a
    fixed limit; the step and the figure are named).

    \b
    Examples:
      symflow check proofs/
      symflow check --tex proofs/linear-2-2-2.json
      symflow check cert/relu-3-2-1.json cert/linear-2-2-2.json
    """
    from . import api
    from .certificate.check import printable

    status = 0
    results: list[dict] = []
    for arg in paths:
        progress = _progress(not as_json)
        try:
            out = api.check(Path(arg), max_params=max_params, max_paths=max_paths, tex=tex,
                            max_seconds=max_seconds, max_bytes=max_bytes, progress=progress)
        finally:
            _end_progress(progress)
        for rep in (out if isinstance(out, list) else [out]):
            results.append(rep.to_json())
            f = rep.path
            if rep.status in ("refused", "unreadable"):
                if not as_json:
                    click.echo(printable(f"{rep.status.upper():10}  {f}  {rep.message}"),
                               err=True)
                status = 2
            elif rep.valid:
                if not quiet and not as_json:
                    click.echo(f"valid    {f}  ({len(rep.steps)} steps)")
            else:
                status = max(status, 1)
                if not as_json:
                    click.echo(printable(f"INVALID  {f}  step '{rep.failed_step}': "
                                         f"{rep.message}"))
    if as_json:
        emit_json({"files": results, "status": status})
    if status:
        raise SystemExit(status)

@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@_limits
def homogeneity(spec: str, as_json: bool, max_params: int, max_paths: int,
        max_terms: int) -> None:
    """Degree L of homogeneity of the network output, H(x; cθ) = c^L H(x; θ), verified by
    Euler's identity ⟨∇H, θ⟩ = L·H on every activation region at once; per layer too.

    \b
    Examples:
      symflow homogeneity relu:3-4-1
      symflow homogeneity relu:2-3-1+bias     # biases: weighted homogeneity instead
    """
    from . import api

    res = api.homogeneity(spec, max_params=max_params, max_paths=max_paths,
                          max_terms=max_terms)
    if as_json:
        emit_json(res.to_json())
        return
    h = res.result
    click.echo(f"symflow homogeneity {spec}")
    if h.degree is not None:
        click.echo(f"  degree       H(x; cθ) = c^{h.degree} H(x; θ) for c > 0: homogeneous of "
                   f"degree {h.degree}")
        click.echo(f"  proof        Euler ⟨∇H, θ⟩ = {h.degree}·H verified as a polynomial "
                   "identity on every activation region (H = Σ_p c_p φ_p with symbolic c_p)")
    else:
        click.echo("  degree       not homogeneous in all parameters")
    for name, deg in h.groups.items():
        click.echo(f"  {name:12} " + (f"degree {deg}" if deg is not None else
                                      "not homogeneous in this group alone"))
    if h.degree is None and h.weighted:
        w = ", ".join(f"{k}: {v}" for k, v in h.weighted.items() if v != 1)
        click.echo(f"  weighted     scaling each θ_k by c^(w_k) (weights 1 except {w}) multiplies "
                   f"H by c^{h.weighted_degree}")
    for note in h.notes:
        click.echo(f"  note         {note}")


@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--pattern", "pattern", type=click.Path(dir_okay=False), required=True,
              help="YAML/JSON file: parameters: [...], neurons: [...] (all incoming, outgoing "
                   "and bias), incoming: [...], outgoing: [...].")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@_limits
def zeros(spec: str, pattern: str, as_json: bool, max_params: int, max_paths: int,
        max_terms: int) -> None:
    """Is the zero pattern {θ_S = 0} invariant under gradient flow? Two flows, two answers.

    The lifted flow θ' = −∂φᵀ∇ℓ(φ(θ)) (every loss of z = φ(θ)): invariant iff every ∂φ_i/∂θ_s
    (s ∈ S) vanishes identically on {θ_S = 0}. The network's own gradient flow, with
    relu′(0) = 0: a ReLU neuron whose incoming weights and bias are all zero is off on every
    input, receives no gradient and stays put. The first breaking parameter is named for each.

    \b
    Examples:
      symflow zeros relu:3-4-1 --pattern pattern.yaml     # pattern.yaml: incoming: [h1_2]
    """
    from . import api

    res = api.zeros(spec, Path(pattern), max_params=max_params, max_paths=max_paths,
                    max_terms=max_terms)
    if as_json:
        emit_json(res.to_json())
        return
    (r, n), zs = res.result, res.zeros
    click.echo(f"symflow zeros {spec}  ({plural(len(zs), 'parameter')} set to zero: "
               f"{', '.join(zs)})")
    if r.invariant:
        click.echo("  lifted flow    INVARIANT: every ∂φ_i/∂θ_s, s ∈ S, vanishes identically on "
                   "{θ_S = 0}, so θ' = −∂φᵀ∇ℓ(φ) keeps these parameters at zero for every loss")
    else:
        click.echo(f"  lifted flow    NOT INVARIANT: θ' for {r.breaking_parameter} involves ∂φ"
                   f"{r.breaking_coordinate + 1}/∂{r.breaking_parameter} = {r.residual} ≢ 0 on "
                   f"{{θ_S = 0}} (coordinate φ{r.breaking_coordinate + 1}: {r.breaking_label})")
    if n is None:
        click.echo("  network flow   (a polynomial lifting has no network: only the lifted flow)")
    elif n.invariant:
        arch = api.lifting(spec, max_params=max_params, max_paths=max_paths,
                           max_terms=max_terms).architecture
        acts = {arch.activation(v) for v in n.dead}
        kind = "ReLU neuron(s)" if acts == {"relu"} else "neuron(s)"
        why = "relu′(0) = 0" if acts == {"relu"} else "σ′(0) = 0: relu′(0) = 0, relu^p, x^p"
        dead = (f"; {kind} {', '.join(n.dead)} have pre-activation 0 on every input ({why})"
                if n.dead else "")
        click.echo("  network flow   INVARIANT: the network's gradient (σ′(0) = 0) vanishes "
                   f"in every parameter of S on {{θ_S = 0}}, for every data set and loss{dead}")
    else:
        click.echo(f"  network flow   NOT INVARIANT: {n.reason}")


@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--data", "data_file", type=click.Path(dir_okay=False), required=True,
              help="YAML/JSON file {x: [[...], ...], y: [[...], ...]} with exact numbers.")
@click.option("--max-regions", type=click.IntRange(min=1), default=256, show_default=True,
              help="Refuse when N has more activation regions (or ReLU strata) than this.")
@click.option("--max-seconds", type=click.FloatRange(min=0.01, max=86_400), default=60.0,
              show_default=True, help="Refuse when the exact computation runs longer.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@_limits
def ncf(spec: str, data_file: str, max_regions: int, max_seconds: float, as_json: bool,
        max_params: int, max_paths: int, max_terms: int) -> None:
    """Neural correlation function N(w) = Σ_i ⟨y_i, H(x_i; w)⟩ of a tiny network and the exact
    KKT points of max N(w) on the unit sphere (∇N = μw, ‖w‖ = 1), on every activation region.

    relu^p (p ≥ 2) and x^p networks: N is C¹, and the KKT points are those of each region's
    polynomial that lie in its closed region. ReLU networks (one layer of ReLU neurons): KKT in
    Clarke's sense, on every stratum cut by the hyperplanes pre-activation = 0. Coordinates are
    exact (rationals, radicals, or a root of a named polynomial); each point gets N(w*), μ,
    whether it is positive (N > 0) and the second-order condition vᵀ(∇²N − μI)v ≤ 0 on w*⊥,
    decided exactly. A continuum of KKT points is said to be one, with its dimension.

    \b
    Examples:
      symflow ncf relu:1-1-1 --data data.yaml     # data.yaml: x: [[1], [-1]]  y: [[1], [1]]
      symflow ncf relu^2:1-2-1 --data data.yaml
    """
    from . import api

    explicit = {} if max_params == DEFAULT_MAX_PARAMS else {"max_params": max_params}
    res = api.ncf(spec, data=data_file, max_regions=max_regions, max_seconds=max_seconds,
                  max_paths=max_paths, max_terms=max_terms, **explicit)
    if as_json:
        emit_json(res.to_json())
        return
    r, rows = res.result, res.kkt_points
    kind = {"C1": "N is C¹ (relu^p, p ≥ 2): KKT points of each region's polynomial in its "
                  "closed region",
            "ReLU (Clarke)": "ReLU: KKT points in Clarke's sense (μw ∈ ∂N(w)), stratum by "
                             "stratum",
            "polynomial": "N is a polynomial (no gated neuron)"}[r.smoothness]
    click.echo(f"symflow ncf {spec}")
    click.echo("  N(w)         Σ_i ⟨y_i, H(x_i; w)⟩, a polynomial on each activation region"
               + (f": {r.expression}" if r.smoothness == "polynomial" else ""))
    click.echo(f"  regions      {kind}; {r.pieces} visited, {r.empty} sign patterns empty "
               "(exact linear programmes)")
    if r.method == "blocks":
        click.echo("  method       N = Σ_v G_v(θ_v) is separable over the hidden neurons: each KKT "
                   "point with μ ≠ 0 combines unit KKT points of single neurons (exact)")
    if r.method == "blocks":
        state = ("finite" if not r.continua else "NOT FINITE (continua below)")
        click.echo(f"  KKT set      with μ ≠ 0: {state}, {len(rows)} points, exact, positive "
                   "first; with μ = 0 (N = 0): "
                   + ("a continuum, see the note" if r.finite is False else "see the note"))
    elif r.finite:
        click.echo(f"  KKT set      finite: {len(rows)} points, exact, positive first")
    else:
        click.echo("  KKT set      NOT FINITE: a continuum in the pieces below (dimensions from "
                   "Gröbner bases); the isolated points with μ ≠ 0 are listed")
    for k in r.points:
        where = ""
        if k.boundary:
            zs = ", ".join(f"{v} on x{i + 1}" for v, i in k.boundary)
            where = f"   [pre-activation 0: {zs}" + ("; Clarke" if k.clarke else "") + "]"
        sup = f"   [non-zero neurons: {', '.join(k.support)}]" if k.support else ""
        click.echo(f"    w* = ({', '.join(k.w)}){sup}")
        so = k.second_order.upper() if k.second_order != "not decided" else "not decided"
        pos = "POSITIVE" if k.positive else "not positive"
        click.echo(f"         N = {k.value}, μ = {k.mu}, {pos}, second order {so}{where}")
        if k.direction:
            click.echo("         direction v ⊥ w* with vᵀ(∇²N − μI)v > 0: ("
                       + ", ".join(k.direction) + ")")
        if k.note:
            click.echo(f"         {k.note}")
    for c in r.continua:
        click.echo(f"  continuum    {c.where}: dimension {c.dimension}; {c.note}")
    for u in r.undecided:
        click.echo(f"  undecided    {u}")
    for note in r.notes:
        click.echo(f"  note         {note}")
    click.echo(f"  time         {r.seconds:.1f} s")


@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--data", "data_file", type=click.Path(dir_okay=False), required=True,
              help="YAML/JSON file {x: [[...], ...], y: [[...], ...]} with exact numbers.")
@click.option("--deltas", default="1e-2,1e-3,1e-4", show_default=True,
              help="Initial scales δ of the paths from δ·w* (comma-separated, each in (0, 1)).")
@click.option("--horizon", type=click.FloatRange(min=0, min_open=True, max=10_000),
              default=60.0, show_default=True,
              help="Time followed after the escape (‖θ‖ = 0.1) to find the plateau.")
@click.option("--scale", type=click.FloatRange(min=0, min_open=True, max=1, max_open=True),
              default=None, help="Also start from a seeded random point of norm SCALE and say "
              "which KKT point its direction meets.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True, max=86_400),
              default=60.0, show_default=True, help="Budget of the numerical integration.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Write a PNG of the three phases (norm, alignment, loss).")
@click.option("--certificate", "cert_dir", type=click.Path(file_okay=False), default=None,
              help="Write a KH25 certificate (JSON, LaTeX, PDF if pdflatex) into this "
              "directory: the KKT set, the saddle, the zero pattern; re-check with symflow check.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@_limits
def escape(spec: str, data_file: str, deltas: str, horizon: float, scale: float | None,
           seed: int, max_seconds: float, plot_path: str | None, cert_dir: str | None,
           as_json: bool, max_params: int, max_paths: int, max_terms: int) -> None:
    """Escape from a small initialisation and the first saddle [KH25], on an instance.

    For each positive second-order KKT point w* of the NCF (exact, as `symflow ncf`): the
    square-loss flow from δ·w* for each δ (numerical, DOP853), time-shifted to ‖θ‖ = 0.1, with
    the gaps between successive δ (the paths converge to a limiting path); the plateau where the
    smallest-δ path stalls, and there the first saddle found exactly (∇L = 0 verified on every
    coordinate, its loss, and an exact descent direction that makes it a saddle); and the
    neurons zero in w*, a zero pattern whose invariance is decided exactly and checked along
    the path. Needs a network homogeneous of degree > 2 (relu^p, x^p with p ≥ 2).

    \b
    Examples:
      symflow escape relu^2:2-2-1 --data four.yaml --plot escape.png
      symflow escape relu^2:1-2-1 --data one.yaml --scale 1e-3
    """
    from . import api
    from .smallinit import plot

    explicit = {} if max_params == DEFAULT_MAX_PARAMS else {"max_params": max_params}
    lf = api.lifting(spec, max_params=max_params, max_paths=max_paths, max_terms=max_terms)
    r = api.escape(lf, data=data_file, deltas=deltas, horizon=horizon, scale=scale, seed=seed,
                   max_seconds=max_seconds, **explicit)
    xs, ys = api.read_exact_data(lf, data_file)
    if plot_path:
        plot(r, plot_path)
    written = write_kh25(lf, xs, ys, r, spec, cert_dir) if cert_dir else None
    if as_json:
        out = escape_json(r)
        if written:
            out["certificate"] = [str(p) for p in written]
        emit_json(out)
        return
    click.echo(f"symflow escape {spec}   (square loss ½Σ‖H(x_i) − y_i‖², {len(xs)} data points)")
    good = [k for k in r.ncf.points if k.positive and k.second_order == "holds"]
    click.echo(f"  NCF          {len(good)} positive second-order KKT point(s) (exact, as "
               "`symflow ncf`)")
    for note in r.notes:
        click.echo(f"  note         {note}")
    if r.start is not None:
        tr = r.start
        if r.alignment:
            i, c = r.alignment[0]
            k = r.ncf.points[i]
            click.echo(f"  random start ‖θ0‖ = {tr.delta:g} (seed {seed}): at ‖θ‖ = 0.1 the "
                       f"direction has cos = {c:.6f} with w* = ({', '.join(k.w)}) "
                       "(numerical)")
        else:
            click.echo(f"  random start ‖θ0‖ = {tr.delta:g}: {tr.stop or 'no escape'}")
    for n, e in enumerate(r.escapes, 1):
        click.echo(f"  w*{n}          ({', '.join(e.kkt.w)}), N = {e.kkt.value}, μ = {e.kkt.mu}")
        taus = ", ".join(f"δ = {p.delta:g}: {p.tau:.4g}" if p.tau is not None else
                         f"δ = {p.delta:g}: —" for p in e.paths)
        click.echo(f"    escape     time to ‖θ‖ = 0.1 (numerical): {taus}")
        if e.gaps:
            gaps = ", ".join(f"{g:.2e}" for g in e.gaps)
            tail = ("  (at round-off: the paths coincide once shifted)" if max(e.gaps) < 1e-9
                    else "  (decreasing: the paths converge)" if all(
                        b < a for a, b in zip(e.gaps, e.gaps[1:], strict=False)) else "")
            click.echo(f"    limit      max gap between successive δ, up to the plateau: {gaps}"
                       + tail)
        if e.plateau is not None:
            click.echo(f"    plateau    at t − τ = {e.plateau:.4g} (smallest δ, numerical)")
        s = e.saddle
        if s is not None and s.stationary and s.in_region:
            click.echo(f"    stationary θ* = ({', '.join(s.w)})")
            click.echo(f"               ∇L(θ*) = 0 verified exactly; loss {s.loss}; non-zero "
                       f"neurons {', '.join(s.support)}; {s.distance:.1e} from the plateau")
            verdict = (s.kind.replace("saddle", "A SADDLE", 1) if s.kind.startswith("saddle")
                       else "A GLOBAL MINIMUM (L = 0), not a saddle" if s.kind == "global minimum"
                       else "NOT SHOWN TO BE A SADDLE (it may be a local minimum)")
            click.echo("               " + verdict
                       + (f": direction ({', '.join(s.direction)})" if s.direction else ""))
            if s.note:
                click.echo(f"               {s.note}")
        elif s is not None:
            click.echo(f"    stationary not identified exactly: {s.note}")
        if e.zeros:
            inv = {True: "INVARIANT under the network's flow (exact)",
                   False: "NOT invariant under the network's flow",
                   None: "(no network flow)"}[e.zeros_invariant]
            along = (f"; along the path max |θ_S| = {e.zeros_max:.1e}"
                     if e.zeros_max is not None else "")
            click.echo(f"    sparsity   zero in w*: {', '.join(e.zeros)}: {inv}{along}"
                       + ("; θ* has them at 0" if s is not None and s.stationary else ""))
        for note in e.notes:
            click.echo(f"    note       {note}")
    if plot_path:
        click.echo(f"  plot         {plot_path}")
    if written:
        click.echo(f"  certificate  {', '.join(str(p) for p in written)} (re-checked: valid)")
    click.echo(f"  time         {r.seconds:.1f} s")


def write_kh25(lf, xs: list, ys: list, r, spec: str, out: str,  # noqa: ANN001
               pdf: bool = True) -> list[Path]:
    """The KH25 certificate of an escape analysis, self-checked, as JSON, LaTeX and PDF."""
    from .catalog import slug
    from .certificate.kh25 import build, render
    from .certificate.latex import compile_pdf
    from .certificate.model import dumps
    from .certificate.verify import check_certificate

    cert = build(lf, xs, ys, r)
    report = check_certificate(cert, spec)
    if not report.ok:  # pragma: no cover - the engine and the checker disagree: a bug
        raise SymflowError(f"internal error: the KH25 certificate fails its own check at step "
                           f"'{report.failed.step}': {report.failed.message}")
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    stem = slug(spec) + "-kh25"
    json_path, tex_path = d / f"{stem}.json", d / f"{stem}.tex"
    json_path.write_text(dumps(cert))
    tex_path.write_text(render(cert, json_path.name))
    paths = [json_path, tex_path]
    ok, _ = compile_pdf(tex_path) if pdf else (False, "")
    if ok:
        paths.append(tex_path.with_suffix(".pdf"))
    return paths


def escape_json(r) -> dict:  # noqa: ANN001 - an EscapeResult
    out = {"kkt_points": [{"w": k.w, "N": k.value, "mu": k.mu, "positive": k.positive,
                           "second_order": k.second_order} for k in r.ncf.points],
           "notes": r.notes, "seconds": round(r.seconds, 2), "escapes": []}
    if r.start is not None:
        out["random_start"] = {"scale": r.start.delta, "alignment": [
            {"kkt_index": i, "cos": c} for i, c in r.alignment]}
    for e in r.escapes:
        s = e.saddle
        out["escapes"].append({
            "w_star": e.kkt.w, "N": e.kkt.value, "mu": e.kkt.mu,
            "escape_times": {f"{p.delta:g}": p.tau for p in e.paths},
            "gaps": e.gaps, "plateau": e.plateau,
            "saddle": None if s is None else {
                "theta": s.w, "theta_approx": s.w_approx, "loss": s.loss,
                "stationary_exact": s.stationary, "in_region": s.in_region, "kind": s.kind,
                "direction": s.direction, "note": s.note, "support": s.support},
            "zeros": e.zeros, "zeros_invariant": e.zeros_invariant, "zeros_max": e.zeros_max,
            "notes": e.notes})
    return out




@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--init", type=click.Choice(INITS), default="generic", show_default=True,
              help="Initialisation (balanced families for linear networks).")
@click.option("--data", default="random:20", show_default=True,
              help="random:N, a seeded standard-normal data set of N points.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True)
@click.option("--time", "t_end", type=click.FloatRange(min=0, min_open=True, max=1000),
              default=10.0, show_default=True, help="Integrate on [0, TIME] (TIME ≤ 1000).")
@click.option("--scale", type=click.FloatRange(min=1e-3, max=100), default=1.0,
              show_default=True, help="Multiplies the seeded θ0 (between 1e-3 and 100).")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Write a PNG with the loss, the law drifts and the z trajectories.")
@click.option("--max-steps", type=click.IntRange(min=1), default=1_000_000, show_default=True,
              help="Stop the θ-flow after this many evaluations of the vector field.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True, max=86400),
              default=20.0, show_default=True,
              help="Stop the θ-flow after this many seconds (the partial result is shown).")
@click.option("--optimizer", type=click.Choice(["gd", "sgd"]), default=None,
              help="Discrete steps instead of the flow: gradient descent, or SGD on seeded "
                   "minibatches; the drift of every law at --time for each step of --lr, and "
                   "its fitted order in η.")
@click.option("--lr", default=None,
              help="Steps η, comma-separated (default 0.1,0.05,0.025,0.0125); with --optimizer.")
@click.option("--batch", type=click.IntRange(min=1), default=None,
              help="Minibatch size of --optimizer sgd (default a quarter of the data).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@_limits
def simulate(spec: str, init: str, data: str, seed: int, t_end: float, scale: float,
             plot_path: str | None, max_steps: int, max_seconds: float, optimizer: str | None,
             lr: str | None, batch: int | None, as_json: bool, max_params: int, max_paths: int,
             max_terms: int) -> None:
    """Numerical cross-check: integrate θ' = −∇L(θ) (square loss, SciPy DOP853, tolerance 1e-12)
    and, where a closed-form intrinsic metric is known, z' = −K(z, h0)∇ℓ(z) on its own; report
    the drift of every conservation law and the gap between φ(θ(t)) and z(t). ReLU kinks are
    located as events and the flow is integrated region by region, within a budget
    (--max-steps, --max-seconds) that ends with the partial result and a note, never a hang:
    such a run says PARTIAL, measures the drift up to where it got, and exits with code 3.

    \b
    Examples:
      symflow simulate relu:2-3-1 --data random:20 --seed 0 --plot flow.png
      symflow simulate linear:2-2-2 --init balanced --plot flow.png --json
    """
    from . import api
    from .flow import plot as draw

    _finite(time=t_end, scale=scale, max_seconds=max_seconds)
    if plot_path is not None:
        _check_writable(plot_path, ".png")
    if optimizer is not None or lr is not None or batch is not None:
        _discrete_cli(spec, init, data, seed, t_end, scale, max_seconds, optimizer, lr, batch,
                      plot_path, as_json, max_params, max_paths, max_terms)
        return
    progress = _progress(not as_json)
    try:
        res = api.simulate(spec, init=init, data=data, seed=seed, time=t_end, scale=scale,
                           progress=progress, max_steps=max_steps, max_seconds=max_seconds,
                           max_params=max_params, max_paths=max_paths, max_terms=max_terms)
    finally:
        _end_progress(progress)
    sim = res.result
    if plot_path:
        draw(sim, plot_path, f"{spec} ({init}, {data}, seed {seed})")
    if as_json:
        emit_json({**res.to_json(), "plot": plot_path})
        if res.partial:
            sys.exit(3)
        return
    partial = (f"; PARTIAL: stopped at t = {res.time_reached:g}" if res.partial else "")
    click.echo(f"symflow simulate {spec}  (init {init}, data {data}, seed {seed}, t ∈ [0, "
               f"{t_end:g}], DOP853 rtol = atol = 1e-12{partial})")
    click.echo(f"  loss         {sim.loss[0]:.6g} → {sim.loss[-1]:.6g}")
    if res.max_law_drift is None:
        click.echo("  law drift    not measured: no time was integrated")
    else:
        upto = f" up to t = {res.time_reached:g}" if res.partial else ""
        click.echo(f"  law drift    max |h(θ(t)) − h(θ0)| / ‖θ0‖^deg h = "
                   f"{res.max_law_drift:.3e} over {len(sim.law_names)} laws{upto}")
    if sim.z is not None:
        click.echo(f"  z-flow       {sim.z_formula}")
        click.echo(f"  gap          max_t ‖φ(θ(t)) − z(t)‖ / max_t ‖φ(θ(t))‖ = {sim.gap:.3e}")
    for note in sim.notes:
        click.echo(f"  note         {note}")
    if plot_path:
        click.echo(f"  plot         {plot_path}")
    if res.partial:
        click.echo(f"symflow: the simulation stopped at t = {res.time_reached:g} of {t_end:g} "
                   "(partial result above; see the note)", err=True)
        sys.exit(3)


def _discrete_cli(spec: str, init: str, data: str, seed: int, t_end: float, scale: float,
                  max_seconds: float, optimizer: str | None, lr: str | None, batch: int | None,
                  plot_path: str | None, as_json: bool, max_params: int, max_paths: int,
                  max_terms: int) -> None:
    """simulate --optimizer: the drift of each law under discrete steps, per η."""
    from . import api
    from .flow import plot_discrete

    res = api.simulate(spec, init=init, data=data, seed=seed, time=t_end, scale=scale,
                       max_seconds=max_seconds, optimizer=optimizer or "gd", lr=lr,
                       batch=batch, max_params=max_params, max_paths=max_paths,
                       max_terms=max_terms)
    if plot_path:
        plot_discrete(res.result, plot_path, f"{spec}: {res.optimizer}, drift at t = {t_end:g}")
    if as_json:
        emit_json({**res.to_json(), "plot": plot_path})
        return
    how = res.optimizer + (f", minibatches of {res.batch}" if res.batch else "")
    click.echo(f"symflow simulate {spec}  (discrete steps: {how}; data {data}, seed {seed}; "
               f"every law at t = {t_end:g}, i.e. after t/η steps)")
    click.echo("  η            " + "  ".join(f"{e:<10g}" for e in res.lr) + "order in η")
    for x in res.laws:
        order = f"{x['order']:.2f}" if x["order"] is not None else "-"
        click.echo("  " + "".join(f"{v:<12.3e}" for v in x["drift"]).rjust(12) + f"{order}   "
                   + x["law"][:60])
    click.echo("  reading      per step a law changes by O(η²), so by O(η) over a fixed time: "
               "an order near 1 (the flow, η → 0, keeps it exactly); SGD adds its batches' "
               "noise. Floats: an illustration, not a proof.")
    for note in res.notes:
        click.echo(f"  note         {note}")
    if plot_path:
        click.echo(f"  plot         {plot_path}")


@cli.command()
@click.argument("family", type=click.Choice(["linear", "relu"]))
@click.option("--depth", default="2-4", show_default=True,
              help="Number of weight layers L, N or N-M.")
@click.option("--width", default="2-5", show_default=True, help="Widths n_0..n_L, N or N-M.")
@click.option("--count", type=click.IntRange(min=1, max=10_000), default=50, show_default=True,
              help="Number of random networks (at most 10000).")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the random architectures (and of each θ0).")
@click.option("--bias", type=click.Choice(["no", "yes", "random"]), default="no",
              show_default=True, help="Biases on ReLU nets: none, all, or on half at random.")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="A local process pool, or a Dask cluster.")
@click.option("--scheduler", default=None,
              help="Dask scheduler address (tcp://host:port); default: a LocalCluster.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), default=None,
              help="Also write the table as CSV.")
@click.option("--max-seconds", type=click.FloatRange(min=0, min_open=True, max=86_400),
              default=60.0, show_default=True,
              help="The whole sweep's time budget: each network gets min(60, this × jobs / "
                   "count) seconds and ends at bounds if it needs more.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@_limits
def sweep(family: str, depth: str, width: str, count: int, seed: int, bias: str, jobs: int,
          executor: str, scheduler: str | None, csv_path: str | None, max_seconds: float,
          as_json: bool, max_params: int, max_paths: int, max_terms: int) -> None:
    """Exact law counts over random layered networks, compared with the literature's formula
    (Σ n(n+1)/2 over hidden widths for linear nets; one per hidden neuron for ReLU nets).
    A network beyond the limits is an error row; the exit code is 1 when every row is one.
    The sweep keeps to --max-seconds: each network has an equal share (at most 60 s); a
    share below 0.5 s is refused up front.

    \b
    Examples:
      symflow sweep linear --depth 2-4 --width 2-5 --count 50 --seed 0 --jobs 2
      symflow sweep relu --depth 2-4 --width 2-9 --bias random --count 50 --seed 0 --jobs 2
      symflow sweep relu --executor dask --scheduler tcp://127.0.0.1:8786
    """
    from . import api

    if csv_path is not None:
        _check_writable(csv_path, ".csv")
    bar, tq = None, None
    if not as_json and sys.stderr.isatty():
        from tqdm import tqdm

        tq = tqdm(total=count, unit="net", leave=False, file=sys.stderr)

        def bar(k: int, n: int) -> None:
            tq.update(k - tq.n)
    try:
        res = api.sweep(family, depth=depth, width=width, count=count, seed=seed, bias=bias,
                        jobs=jobs, executor=executor, scheduler=scheduler,
                        max_seconds=max_seconds, progress=bar, max_params=max_params,
                        max_paths=max_paths, max_terms=max_terms)
    finally:
        if tq is not None:
            tq.close()
    rows, summary = res.rows, res.summary
    wall, share = summary["wall_seconds"], summary["seconds_per_network"]
    if csv_path:
        import csv

        with open(csv_path, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0].as_dict()))
            w.writeheader()
            for r in rows:
                w.writerow(r.as_dict())
    if as_json:
        emit_json(res.to_json())
        if summary["errors"] == len(rows):
            sys.exit(1)
        return
    click.echo(f"{'arch':26} {'D':>5} {'laws':>7} {'formula':>8} {'agrees':>7} {'seconds':>8}")
    for r in rows:
        laws = r.laws if r.laws is not None else (
            f"{r.lower}..{r.upper}" if r.lower is not None else "-")
        agrees = {True: "yes", False: "NO", None: "-"}[r.agrees]
        line = f"{r.arch:26} {r.D if r.D is not None else '-':>5} {laws!s:>7} {r.formula:>8} "
        line += f"{agrees:>7} {r.seconds:8.2f}"
        if r.error:
            line += f"   error: {r.error}"
        click.echo(line)
    click.echo(f"{summary['networks']} networks, {summary['exact']} exact counts, "
               f"{summary['agree']} agree with the formula, {summary['disagree']} do not "
               f"(the count is the proved one), {summary['errors']} errors; wall time "
               f"{wall:.1f} s with {jobs} job(s) ({executor}), up to {share:.1f} s per network")
    bounded = sum(r.laws is None and r.lower is not None for r in rows)
    if bounded:
        click.echo(f"{bounded} count(s) ended at bounds; a larger share (--max-seconds) may "
                   "decide them")
    if csv_path:
        click.echo(f"CSV written to {csv_path}")
    if summary["errors"] == len(rows):
        click.echo("symflow: error: every network of the sweep failed (see the rows)", err=True)
        sys.exit(1)


@cli.command(epilog=SPEC_HELP)
@click.argument("spec")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@_limits
def show(spec: str, as_json: bool, max_params: int, max_paths: int,
        max_terms: int) -> None:
    """Show the parameters θ and the lifting φ(θ) of SPEC.

    \b
    Examples:
      symflow show linear:2-2-2
      symflow show examples/mixed.yaml --json
    """
    from . import api

    # the text lists 200 coordinates: only those are written
    r = api.show(spec, listed=None if as_json else 200, max_params=max_params,
                 max_paths=max_paths, max_terms=max_terms)
    if as_json:
        emit_json(r.to_json())
        return
    lf = r.lifting
    click.echo(f"{lf.name}  ({_describe(lf)}): D = {lf.D} parameters, d = {lf.d} coordinates")
    click.echo("  θ = (" + ", ".join(lf.params) + ")")
    for i, c in enumerate(r.coordinates[:200], 1):
        click.echo(f"  φ{i} = {c['phi']}    [{c['label']}]")
    if lf.d > 200:
        click.echo(f"  … {lf.d - 200} more (use --json for all)")


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``symflow``): user errors are one line and exit code 2 (see
    _Group); anything unexpected is one line too, exit code 1, with the traceback only when
    SYMFLOW_DEBUG is set."""
    import os

    global _JSON_ERRORS
    args = sys.argv[1:] if argv is None else list(argv)
    _JSON_ERRORS = "--json" in args
    try:
        cli.main(args=argv, prog_name="symflow", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except UserError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        _report(exc.format_message(), "usage", exc.exit_code)
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _report("interrupted", "interrupted", 130, prefix="symflow: ")
        sys.exit(130)
    except MemoryError:
        _report("out of memory (lower the sizes or the limits --max-params / --max-paths)",
                "limit", 2)
        sys.exit(2)
    except RecursionError:
        _report("the input is nested too deeply", "input", 2)
        sys.exit(2)
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, never a traceback
        if os.environ.get("SYMFLOW_DEBUG"):
            raise
        msg = " ".join(str(exc).split())[:300]
        _report(f"{type(exc).__name__}: {msg} (this is a bug; SYMFLOW_DEBUG=1 shows the "
                "traceback)", "internal", 1, prefix="symflow: internal error: ")
        sys.exit(1)


def _statement(r: Any) -> str:
    """What a result proved (the certificate's wording, certificate/model.py)."""
    from .certificate.model import statement

    return statement(r)
