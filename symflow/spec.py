"""Parse what the user types into a Lifting.

Accepted forms:

* shorthand ``relu:3-2-1`` (layered ReLU network, path-lifting), ``relu:3-2-1+bias``,
  ``linear:2-3-2`` (φ = U_2 U_1, product of the weight matrices), ``relu^2:2-2-1`` and
  ``x^3:2-2-1`` (hidden activations max(s, 0)^p and s^p, with ``+bias`` too);
* a YAML or JSON file describing a DAG::

      inputs: [x1, x2]
      hidden: [h1, {name: h2, activation: linear}, {name: h3, activation: "relu^2"}]
      outputs: [y]
      edges: ["x1 -> h1", [x2, h1], {from: h1, to: y, name: a}]
      biases: [h1]            # or: true (every hidden and output neuron)

* a YAML or JSON file giving a polynomial lifting::

      parameters: [u, v, w]
      phi: ["u*v*w"]

Every malformed input raises SpecError with one line that names the problem.
"""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path
from typing import Any

from .architecture import HIDDEN, INPUT, OUTPUT, from_description, layered, parse_activation
from .errors import SpecError
from .liftings import (
    DEFAULT_MAX_PARAMS,
    DEFAULT_MAX_PATHS,
    DEFAULT_MAX_TERMS,
    Lifting,
    check_size,
    custom_lifting,
    network_lifting,
    product_lifting,
)

SHORTHAND = re.compile(r"(?P<kind>[a-z]+(?:\^[0-9]+)?):(?P<widths>[^+]*)(?P<bias>\+bias)?",
                       re.ASCII)
WIDTH = re.compile(r"[0-9]+", re.ASCII)
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
LABEL = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+\- ]{0,99}", re.ASCII)
SHORTHAND_LIKE = re.compile(r"(relu|linear)[^A-Za-z]", re.IGNORECASE)
RESERVED = {"None", "True", "False"}
DAG_KEYS = {"name", "inputs", "hidden", "outputs", "edges", "biases"}
CUSTOM_KEYS = {"name", "parameters", "phi"}


def valid_name(name: object) -> bool:
    """An ASCII identifier that is not a Python keyword (names are parsed in expressions)."""
    return (isinstance(name, str) and NAME.fullmatch(name) is not None
            and not keyword.iskeyword(name) and name not in RESERVED)
FILE_SUFFIXES = (".yaml", ".yml", ".json")


def parse_widths(text: str, spec: str) -> list[int]:
    """'3-2-1' → [3, 2, 1]: ASCII whole numbers ≥ 1 separated by '-'."""
    parts = text.split("-")
    if not text or any(not WIDTH.fullmatch(p) for p in parts):
        raise SpecError(f"{spec!r}: widths must be whole numbers ≥ 1 separated by '-' "
                        "(like 3-2-1)")
    if any(len(p) > 1 and p.startswith("0") for p in parts):
        raise SpecError(f"{spec!r}: write widths without leading zeros")
    widths = [int(p) for p in parts]
    if len(widths) < 2:
        raise SpecError(f"{spec!r}: give at least two widths (inputs and outputs)")
    if any(w < 1 for w in widths):
        raise SpecError(f"{spec!r}: every width must be at least 1")
    return widths


def load_lifting(spec: str, max_params: int = DEFAULT_MAX_PARAMS,
                 max_paths: int = DEFAULT_MAX_PATHS,
                 max_terms: int = DEFAULT_MAX_TERMS) -> Lifting:
    """Turn a shorthand or the path of a YAML/JSON file into a Lifting."""
    spec = spec.strip()
    limits = {"max_params": max_params, "max_paths": max_paths, "max_terms": max_terms}
    if len(spec) > MAX_SPEC_CHARS and not spec.lower().endswith(FILE_SUFFIXES):
        raise SpecError(f"a shorthand is at most {MAX_SPEC_CHARS} characters (got {len(spec)}); "
                        "describe a large network in a file")
    lf = _load(spec, limits)
    lf.max_terms = max_terms
    return lf


def _load(spec: str, limits: dict) -> Lifting:
    if spec.lower().endswith(FILE_SUFFIXES) or _is_file(spec):
        return _load_file(Path(spec), limits)
    m = SHORTHAND.fullmatch(spec)
    if not m:
        raise SpecError(
            f"cannot read {spec!r}: use relu:3-2-1, relu:3-2-1+bias, linear:2-3-2, "
            "relu^2:2-2-1, x^3:2-2-1 or a .yaml/.json file")
    kind, widths = m["kind"], parse_widths(m["widths"], spec)
    if kind not in ("relu", "linear") and not kind.startswith(("relu^", "x^")):
        raise SpecError(f"unknown network kind '{kind}' in '{spec}' (use relu, linear, relu^p "
                        "or x^p)")
    if "^" in kind:
        kind = parse_activation(kind)
    if m["kind"] == "linear" and m["bias"]:
        raise SpecError(
            f"'{spec}': the product-of-matrices lifting has no biases; describe a network "
            "with biases and linear neurons in a DAG file instead")
    n_params = sum(a * b for a, b in zip(widths, widths[1:], strict=False))
    n_params += sum(widths[1:]) if m["bias"] else 0
    # before building anything large
    check_size(n_params, 0, limits["max_params"], limits["max_paths"])
    if kind == "linear" and not m["bias"]:
        return product_lifting(widths, **limits)
    return network_lifting(layered(widths, bias=bool(m["bias"]), activation=kind), **limits)


MAX_SPEC_CHARS = 255


def _is_file(spec: str) -> bool:
    try:
        return Path(spec).is_file()
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        return False


def read_data(path: Path) -> Any:
    """Load a YAML or JSON file; a missing or malformed file is a one-line SpecError."""
    if not _is_file(str(path)):
        raise SpecError(f"no such file: {str(path)[:200]}")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read {path}: {exc}") from None
    import yaml

    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except RecursionError:
        raise SpecError(f"{path} is nested too deeply to read") from None
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        first = getattr(exc, "problem", None) or str(exc).strip().splitlines()[0]
        if mark is not None:
            first = f"{first} (line {mark.line + 1})"
        raise SpecError(f"{path} is not valid {path.suffix[1:].upper()}: {first}") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise SpecError(f"{path}: {' '.join(str(exc).split())[:120]}") from None


def _load_file(path: Path, limits: dict) -> Lifting:
    data = read_data(path)
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a mapping with 'phi' (custom lifting) or 'edges' (DAG)")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name.strip() or "\n" in name or len(name) > 200:
        raise SpecError(f"{path}: 'name' must be a one-line string of at most 200 characters")
    if not LABEL.fullmatch(name) or SHORTHAND_LIKE.match(name):
        raise SpecError(f"{path}: 'name' {name!r} must be ASCII letters, digits, spaces and "
                        "_ . + -, and may not look like a shorthand relu…/linear… (reserved "
                        "for relu:3-2-1, linear:2-2-2)")
    if "phi" in data and "edges" in data:
        raise SpecError(f"{path}: give either 'phi' (a polynomial lifting) or 'edges' (a DAG), "
                        "not both")
    allowed = CUSTOM_KEYS if "phi" in data else DAG_KEYS
    unknown = sorted(map(str, set(data) - allowed))
    if unknown and ("phi" in data or "edges" in data):
        raise SpecError(f"{path}: unknown key(s) {', '.join(map(repr, unknown))} (allowed: "
                        f"{', '.join(sorted(allowed))})")
    if "phi" in data:
        return _custom(data, name, path, limits)
    if "edges" in data:
        return network_lifting(_dag(data, name, path), **limits)
    raise SpecError(f"{path}: expected a key 'phi' (custom lifting) or 'edges' (DAG)")


def _names(value: Any, what: str, path: Path) -> list[str]:
    if not isinstance(value, list) or not value:
        raise SpecError(f"{path}: '{what}' must be a non-empty list of names")
    return value


def _custom(data: dict, name: str, path: Path, limits: dict) -> Lifting:
    params = _names(data.get("parameters"), "parameters", path)
    seen: set[str] = set()
    for p in params:
        if not valid_name(p):
            raise SpecError(f"{path}: parameter name {p!r} is not a valid identifier (ASCII "
                            "letters, digits and _, not a Python keyword)")
        if p in seen:
            raise SpecError(f"{path}: duplicate parameter name '{p}'")
        seen.add(p)
    phi = data["phi"]
    if isinstance(phi, str):
        phi = [phi]
    if not isinstance(phi, list) or not phi:
        raise SpecError(f"{path}: 'phi' must be a non-empty list of polynomial expressions")
    import sympy

    from .exprparse import polynomial_expr

    syms = {p: sympy.Symbol(p) for p in params}
    exprs = []
    for i, text in enumerate(phi, 1):
        if isinstance(text, bool) or not isinstance(text, (str, int, float)):
            raise SpecError(f"{path}: phi[{i}] must be an expression, got {type(text).__name__}")
        try:
            exprs.append(polynomial_expr(str(text), syms))
        except SpecError as exc:
            shown = text if len(text) <= 60 else text[:57] + "..."
            raise SpecError(f"{path}: phi[{i}] = '{shown}': {exc}") from None
    return custom_lifting(name, list(params), exprs, **limits)


def _dag(data: dict, name: str, path: Path):
    neurons: list[tuple[str, str, str]] = []
    for kind, key in ((INPUT, "inputs"), (HIDDEN, "hidden"), (OUTPUT, "outputs")):
        entries = data.get(key, [])
        if key != "hidden":
            entries = _names(entries, key, path)
        if not isinstance(entries, list):
            raise SpecError(f"{path}: '{key}' must be a list")
        for entry in entries:
            act = "relu" if kind == HIDDEN else "linear"
            if isinstance(entry, dict):
                bad = sorted(map(str, set(entry) - {"name", "activation"}))
                if bad:
                    raise SpecError(f"{path}: neuron entry {entry!r} has unknown key(s) "
                                    f"{', '.join(map(repr, bad))} (use name, activation)")
                if "activation" in entry and kind != HIDDEN:
                    raise SpecError(f"{path}: 'activation' applies to hidden neurons only "
                                    f"({key} entry {entry.get('name')!r})")
                n, act = entry.get("name"), entry.get("activation", act)
            else:
                n = entry
            if not valid_name(n):
                raise SpecError(f"{path}: neuron name {n!r} is not a valid identifier")
            try:
                act = parse_activation(act)
            except SpecError as exc:
                raise SpecError(f"{path}: neuron {n!r}: {exc}") from None
            neurons.append((n, kind, act))
    edges = data["edges"]
    if not isinstance(edges, list) or not edges:
        raise SpecError(f"{path}: 'edges' must be a non-empty list")
    parsed = []
    for e in edges:
        param = None
        if isinstance(e, str) and "->" in e:
            u, v = (s.strip() for s in e.split("->", 1))
        elif isinstance(e, list) and len(e) in (2, 3):
            u, v = e[0], e[1]
            param = e[2] if len(e) == 3 else None
        elif isinstance(e, dict) and "from" in e and "to" in e:
            u, v, param = e["from"], e["to"], e.get("name")
        else:
            raise SpecError(f"{path}: cannot read edge {e!r} (write 'u -> v', [u, v] or "
                            "{from: u, to: v})")
        if param is not None and not valid_name(param):
            raise SpecError(f"{path}: parameter name {param!r} is not a valid identifier")
        parsed.append((str(u), str(v), param))
    biases = data.get("biases", [])
    if biases is True:
        biases = [n for n, k, _ in neurons if k != INPUT]
    elif biases in (False, None):
        biases = []
    elif not isinstance(biases, list):
        raise SpecError(f"{path}: 'biases' must be a list of neuron names or true")
    try:
        return from_description(neurons, parsed, [str(b) for b in biases], name=name)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from None
