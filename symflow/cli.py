"""The ``symflow`` command line. Commands only format the result objects of the analyses."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import click

from . import __version__
from .errors import SymflowError
from .laws import LawsResult, conservation_laws, plural
from .lifting import DEFAULT_MAX_PARAMS, DEFAULT_MAX_PATHS, Lifting
from .spec import load_lifting

SPEC_HELP = (
    "SPEC is a shorthand (relu:3-2-1, relu:3-2-1+bias, linear:2-3-2) or a YAML/JSON file "
    "describing a DAG (inputs, hidden, outputs, edges, biases) or a polynomial lifting "
    "(parameters, phi).")


def _limits(f: Callable) -> Callable:
    f = click.option("--max-paths", type=int, default=DEFAULT_MAX_PATHS, show_default=True,
                     help="Refuse liftings with more coordinates (paths) than this.")(f)
    f = click.option("--max-params", type=int, default=DEFAULT_MAX_PARAMS, show_default=True,
                     help="Refuse networks with more parameters than this.")(f)
    return f


def _progress(enabled: bool) -> Callable[[str], None] | None:
    if not enabled or not sys.stderr.isatty():
        return None

    def show(msg: str) -> None:
        sys.stderr.write(f"\r\033[K… {msg}")
        sys.stderr.flush()

    return show


def _end_progress(progress: Callable | None) -> None:
    if progress:
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


class UserError(click.ClickException):
    """A SymflowError shown as one line on stderr, exit code 2."""

    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ARG002 - click's signature
        click.echo(f"symflow: error: {self.message}", err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SymflowError as exc:
            raise UserError(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="symflow")
def cli() -> None:
    """symflow: exact verification of conservation laws and intrinsic dynamics of gradient
    flows θ' = −∇(ℓ∘φ)(θ) of neural networks, for a concrete small architecture."""


@cli.command()
@click.argument("spec")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the random rational point θ0 (recorded in the output).")
@click.option("--degree", type=click.IntRange(min=0), default=None,
              help="Search all polynomial laws up to this degree (default: search up to "
                   "degree 4 only when the known laws do not explain the count; 0: never).")
@click.option("--max-depth", type=click.IntRange(min=1), default=8, show_default=True,
              help="Deepest level of iterated brackets explored.")
@click.option("-v", "--verbose", is_flag=True, help="List the spanning brackets too.")
@_limits
def laws(spec: str, as_json: bool, seed: int, degree: int | None, max_depth: int,
         verbose: bool, max_params: int, max_paths: int) -> None:
    """Count the independent conservation laws of SPEC and give them explicitly.

    The count D − dim Lie(W_φ)(θ0) is proved by two bounds: laws verified as polynomial
    identities (upper bound on dim Lie) and brackets independent at θ0 (lower bound).

    \b
    Examples:
      symflow laws relu:3-2-1
      symflow laws relu:2-3-3-1+bias
      symflow laws linear:2-3-2 --json
      symflow laws examples/skip.yaml
      symflow laws examples/uvw.yaml --degree 2
    """
    lifting = load_lifting(spec, max_params=max_params, max_paths=max_paths)
    progress = _progress(not as_json)
    result = conservation_laws(lifting, seed=seed, max_degree=degree, max_depth=max_depth,
                               progress=progress)
    _end_progress(progress)
    if as_json:
        click.echo(json.dumps(laws_json(spec, result), indent=2))
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
            "dim_at_theta0_lower_bound": r.lie.dim,
            "exact": r.lie.exact,
            "status": r.lie.status,
            "depth": r.lie.depth,
            "brackets_computed": r.lie.explored,
            "spanning_brackets": [b.word for b in r.lie.spanning],
        },
        "laws": [
            {"expression": lf.ring.format(law.poly), "source": law.source,
             "verified_identity": law.verified}
            for law in r.laws
        ],
        "count": {"lower": r.lower, "upper": r.upper, "exact": r.exact, "value": r.count},
        "proof": {
            "kind": "generic (bounds meet)" if r.exact else "bounds",
            "statement": r.statement(),
        },
        "law_search_degrees": r.searched_degrees,
        "notes": r.notes,
    }


def _describe(lf: Lifting) -> str:
    return {"path": "path-lifting", "product": "product of weight matrices",
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
    lines.append(f"  Lie algebra  dim Lie(W_φ)(θ0) {rel} {r.lie.dim}   "
                 f"(spanned by {plural(r.lie.dim, 'bracket')}: {by_depth or 'none'})")
    if verbose:
        lines.append("               brackets: " + ", ".join(b.word for b in r.lie.spanning))
    if r.exact:
        lines.append(f"  laws         {plural(r.lower, 'independent conservation law')} (exact)")
    else:
        lines.append(f"  laws         at least {r.lower} explicit laws, D − dim Lie = "
                     f"{r.upper}{' (upper bound)' if not r.lie.exact else ''}: "
                     f"{r.upper - r.lower} unexplained")
    for i, law in enumerate(r.laws, 1):
        lines.append(f"    h{i} = {lf.ring.format(law.poly)}")
        lines.append(f"         [{law.source}; identity ⟨∇h, ∇φ_i⟩ ≡ 0 verified]")
    if r.searched_degrees:
        lines.append(f"  search       all polynomial laws of degree "
                     f"{', '.join(map(str, r.searched_degrees))} computed exactly")
    for note in r.notes:
        lines.append(f"  note         {note}")
    lines.append("  proof        " + r.statement())
    return "\n".join(lines)


@cli.command()
@click.argument("spec")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object and nothing else.")
@_limits
def show(spec: str, as_json: bool, max_params: int, max_paths: int) -> None:
    """Show the parameters θ and the lifting φ(θ) of SPEC."""
    lf = load_lifting(spec, max_params=max_params, max_paths=max_paths)
    coords = [{"label": lab, "phi": lf.ring.format(p)} for lab, p in zip(lf.labels, lf.phi,
                                                                          strict=True)]
    if as_json:
        click.echo(json.dumps({"name": lf.name, "kind": lf.kind, "D": lf.D, "d": lf.d,
                               "parameters": lf.params, "coordinates": coords}, indent=2))
        return
    click.echo(f"{lf.name}  ({_describe(lf)}): D = {lf.D} parameters, d = {lf.d} coordinates")
    click.echo("  θ = (" + ", ".join(lf.params) + ")")
    for i, c in enumerate(coords[:200], 1):
        click.echo(f"  φ{i} = {c['phi']}    [{c['label']}]")
    if lf.d > 200:
        click.echo(f"  … {lf.d - 200} more (use --json for all)")


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``symflow``)."""
    cli.main(args=argv, prog_name="symflow")
