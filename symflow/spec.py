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
from fractions import Fraction
from pathlib import Path
from typing import Any

from .architecture import (
    HIDDEN,
    INPUT,
    OUTPUT,
    Architecture,
    from_description,
    layered,
    parse_activation,
)
from .errors import LimitError, SpecError
from .liftings import (
    DEFAULT_MAX_PARAMS,
    DEFAULT_MAX_PATHS,
    DEFAULT_MAX_TERMS,
    Lifting,
    attention_lifting,
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
    if spec.startswith("attn:"):
        m = re.fullmatch(r"attn:([1-9][0-9]*)-([1-9][0-9]*)(?:-([1-9][0-9]*))?", spec)
        if m is None:
            raise SpecError(f"{spec!r}: write attn:D-K (model dimension D, head dimension K) "
                            "or attn:D-K-H (H heads), like attn:4-2 or attn:4-2-2")
        return attention_lifting(int(m[1]), int(m[2]), int(m[3] or 1),
                                 limits["max_params"], limits["max_paths"])
    if spec.startswith(("conv1d:", "conv2d:", "res:")):
        arch = (conv1d(spec) if spec.startswith("conv1d:") else
                conv2d(spec) if spec.startswith("conv2d:") else residual(spec))
        check_size(len(arch.params), 0, limits["max_params"], limits["max_paths"])
        return network_lifting(arch, **limits)
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
            bad = set(map(str, e)) - {"from", "to", "name", "weight"}
            if bad:
                raise SpecError(f"{path}: edge {e!r} has unknown key(s) "
                                f"{', '.join(sorted(bad))} (use from, to, name, weight)")
            u, v, param = e["from"], e["to"], e.get("name")
            if "weight" in e:
                if param is not None:
                    raise SpecError(f"{path}: edge {u} -> {v}: a fixed weight carries no "
                                    "parameter (give a name or a weight, not both)")
                parsed.append((str(u), str(v), None, _fixed_weight(e["weight"], path, u, v)))
                continue
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
    else:  # a neuron, or [neuron, name] / {neuron: v, name: b}: a name shares the bias
        read = []
        for b in biases:
            if isinstance(b, dict) and set(map(str, b)) <= {"neuron", "name"} and "neuron" in b:
                b = [b["neuron"], b.get("name")]
            if isinstance(b, list) and len(b) == 2:
                if b[1] is not None and not valid_name(b[1]):
                    raise SpecError(f"{path}: bias name {b[1]!r} is not a valid identifier")
                read.append((str(b[0]), b[1]))
            elif isinstance(b, (str, int)):
                read.append(str(b))
            else:
                raise SpecError(f"{path}: cannot read bias {b!r} (a neuron, or [neuron, name])")
        biases = read
    try:
        return from_description(neurons, parsed, biases, name=name)
    except SpecError as exc:
        raise SpecError(f"{path}: {exc}") from None


def _fixed_weight(value: object, path: object, u: object, v: object) -> Fraction:
    """A fixed edge's weight: an integer or a "p/q" string, exact (a float is refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)) or (
            isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,30}(/[1-9][0-9]{0,29})?",
                                                    value.strip()) is None):
        raise SpecError(f"{path}: edge {u} -> {v}: the fixed weight {value!r} is not an integer "
                        "or a 'p/q' string")
    return Fraction(value.strip() if isinstance(value, str) else value)


# ----------------------------------------------------------------------------- modern blocks
CONV_LAYER = re.compile(r"k([1-9][0-9]*)c([1-9][0-9]*)(?:s([1-9][0-9]*))?(?:p([0-9]+))?",
                        re.ASCII)
#: the largest number of edges a block shorthand may build (a 1-D convolution's edges grow as
#: length × kernel × channels²); each is a term of φ's expansion later, so it is checked first
MAX_BLOCK_EDGES = 20_000


def _activation_of(text: str, spec: str) -> str:
    if text not in ("relu", "linear"):
        raise SpecError(f"{spec!r}: the activation is relu or linear (got {text[:20]!r})")
    return text


def _conv_layer(spec: str, text: str) -> tuple[int, int, int, int]:
    """(kernel, output channels, stride, padding) of a layer kKcC[sS][pP] of a shorthand."""
    cm = CONV_LAYER.fullmatch(text)
    if cm is None:
        raise SpecError(f"{spec!r}: cannot read the convolution {text[:20]!r} (write "
                        "kKcC with optional sS and pP, like k3c2 or k3c2s2p1)")
    return int(cm[1]), int(cm[2]), int(cm[3] or 1), int(cm[4] or 0)


def _edge_limit(spec: str, edges: list) -> None:
    if len(edges) > MAX_BLOCK_EDGES:
        raise LimitError(f"{spec!r}: more than {MAX_BLOCK_EDGES} edges (the shorthand's limit; "
                         "describe a larger network in a file)")


def _dense_outputs(spec: str, last: str, neurons: list, edges: list, biases: list,
                   hidden: list[str], bias: bool) -> None:
    """A convolution shorthand's last part: OUT outputs, dense from every neuron of the last
    layer (weights W_{i}_{neuron}), each with its own bias under +bias."""
    if not WIDTH.fullmatch(last) or int(last) < 1:
        raise SpecError(f"{spec!r}: the last part is the number of outputs (a whole number ≥ 1)")
    outs = int(last)
    neurons += [(f"y{i}", OUTPUT, "linear") for i in range(1, outs + 1)]
    edges += [(u, f"y{i}", f"W_{i}_{u}") for i in range(1, outs + 1) for u in hidden]
    _edge_limit(spec, edges)
    if bias:
        biases += [f"y{i}" for i in range(1, outs + 1)]


def conv1d(spec: str) -> Architecture:
    """``conv1d:ACT:L[xC]-kKcC'[sS][pP]-…-OUT[+bias]``: a 1-D convolutional network. The input has
    length L and C channels (1 by default); each layer kKcC' is a convolution with kernel size
    K, C' output channels, stride S (1) and zero padding P (0), activation ACT (relu or
    linear), its kernel K{l}_{c'}_{c}_{j} shared by every position; the last, a dense layer to
    OUT outputs (weights W_{i}_{neuron}). Neurons: inputs x{p}_{c}, layer l h{l}_{p}_{c}. With
    +bias, each output channel c' of layer l has one bias B{l}_{c'} shared by its positions,
    and each output its own."""
    bias = spec.endswith("+bias")
    m = re.fullmatch(r"conv1d:([a-z]+):(.+?)(?:\+bias)?", spec)
    if m is None:
        raise SpecError(f"{spec!r}: write conv1d:relu:6-k3c2-1 (input length 6, a convolution "
                        "with kernel 3 and 2 channels, a dense layer to 1 output)")
    act = _activation_of(m[1], spec)
    parts = m[2].split("-")
    if len(parts) < 3:
        raise SpecError(f"{spec!r}: an input, at least one convolution (kKcC) and an output "
                        "width, separated by '-'")
    first = re.fullmatch(r"([1-9][0-9]*)(?:x([1-9][0-9]*))?", parts[0])
    if first is None:
        raise SpecError(f"{spec!r}: the input is a length L or L x C (like 6 or 6x2)")
    length, chans = int(first[1]), int(first[2] or 1)
    neurons = [(f"x{p}_{c}" if chans > 1 else f"x{p}", INPUT, "linear")
               for p in range(1, length + 1) for c in range(1, chans + 1)]
    prev = [[(f"x{p}_{c}" if chans > 1 else f"x{p}") for c in range(1, chans + 1)]
            for p in range(1, length + 1)]
    edges: list[tuple] = []
    biases: list = []
    for layer, text in enumerate(parts[1:-1], 1):
        k, out_c, stride, pad = _conv_layer(spec, text)
        if k > len(prev) + 2 * pad:
            raise SpecError(f"{spec!r}: layer {layer}: the kernel {k} is larger than its input "
                            f"({len(prev)} positions with padding {pad})")
        positions = (len(prev) + 2 * pad - k) // stride + 1
        if (len(prev) + 2 * pad - k) % stride:
            raise SpecError(f"{spec!r}: layer {layer}: with kernel {k}, stride {stride} and "
                            f"padding {pad}, the last positions of its {len(prev)} inputs are "
                            "never read (a neuron without a path to the output): make "
                            "length + 2·padding − kernel a multiple of the stride")
        cur = [[f"h{layer}_{q}_{c}" for c in range(1, out_c + 1)]
               for q in range(1, positions + 1)]
        neurons += [(v, HIDDEN, act) for row in cur for v in row]
        if bias:  # one bias per output channel, shared by every position
            biases += [(cur[q][c], f"B{layer}_{c + 1}") for q in range(positions)
                       for c in range(out_c)]
        for q in range(positions):
            for co in range(out_c):
                for j in range(k):
                    pos = q * stride + j - pad
                    if not 0 <= pos < len(prev):
                        continue  # a zero of the padding
                    for ci, u in enumerate(prev[pos]):
                        edges.append((u, cur[q][co], f"K{layer}_{co + 1}_{ci + 1}_{j + 1}"))
        _edge_limit(spec, edges)
        prev = cur
    _dense_outputs(spec, parts[-1], neurons, edges, biases, [v for row in prev for v in row],
                   bias)
    return from_description(neurons, edges, biases, name=spec)


def residual(spec: str) -> Architecture:
    """``res:ACT:N[-M][+bias]``: the residual block y = x + W2 σ(W1 x) (+ b2, σ(W1 x + b1)
    with +bias), input and output width N, hidden width M (N by default), activation ACT; the
    identity skip x_k → y_k is a fixed edge of weight 1 and carries no parameter."""
    m = re.fullmatch(r"res:([a-z]+):([1-9][0-9]*)(?:-([1-9][0-9]*))?(\+bias)?", spec)
    if m is None:
        raise SpecError(f"{spec!r}: write res:relu:4 (width 4), res:relu:4-8 (hidden width 8), "
                        "or add +bias")
    act = _activation_of(m[1], spec)
    n, width = int(m[2]), int(m[3] or m[2])
    neurons = ([(f"x{j}", INPUT, "linear") for j in range(1, n + 1)]
               + [(f"h{i}", HIDDEN, act) for i in range(1, width + 1)]
               + [(f"y{k}", OUTPUT, "linear") for k in range(1, n + 1)])
    edges: list[tuple] = [(f"x{j}", f"h{i}", f"W1_{i}_{j}") for i in range(1, width + 1)
                          for j in range(1, n + 1)]
    edges += [(f"h{i}", f"y{k}", f"W2_{k}_{i}") for k in range(1, n + 1)
              for i in range(1, width + 1)]
    edges += [(f"x{k}", f"y{k}", None, 1) for k in range(1, n + 1)]
    _edge_limit(spec, edges)
    biases = ([f"h{i}" for i in range(1, width + 1)] + [f"y{k}" for k in range(1, n + 1)]
              if m[4] else [])
    return from_description(neurons, edges, biases, name=spec)


def conv2d(spec: str) -> Architecture:
    """``conv2d:ACT:HxW[xC]-kKcC'[sS][pP]-…-OUT[+bias]``: a 2-D convolutional network on an
    H × W input with C channels (1 by default); each layer kKcC' a K × K convolution with C'
    output channels, stride S and zero padding P on both axes, activation ACT; its kernel
    K{l}_{c'}_{c}_{i}_{j} shared by every position (with +bias, one bias B{l}_{c'} per output
    channel); then a dense layer to OUT outputs. Neurons x{r}_{s}[_{c}], h{l}_{r}_{s}_{c}."""
    bias = spec.endswith("+bias")
    m = re.fullmatch(r"conv2d:([a-z]+):(.+?)(?:\+bias)?", spec)
    if m is None:
        raise SpecError(f"{spec!r}: write conv2d:relu:4x4-k2c2-1 (a 4 × 4 input, a 2 × 2 "
                        "convolution with 2 channels, a dense layer to 1 output)")
    act = _activation_of(m[1], spec)
    parts = m[2].split("-")
    first = re.fullmatch(r"([1-9][0-9]*)x([1-9][0-9]*)(?:x([1-9][0-9]*))?", parts[0])
    if len(parts) < 3 or first is None:
        raise SpecError(f"{spec!r}: an input HxW (or HxWxC), at least one convolution (kKcC) "
                        "and an output width, separated by '-'")
    rows, cols, chans = int(first[1]), int(first[2]), int(first[3] or 1)

    def xname(r: int, s: int, c: int) -> str:
        return f"x{r}_{s}_{c}" if chans > 1 else f"x{r}_{s}"

    neurons = [(xname(r, s, c), INPUT, "linear") for r in range(1, rows + 1)
               for s in range(1, cols + 1) for c in range(1, chans + 1)]
    prev = [[[xname(r, s, c) for c in range(1, chans + 1)] for s in range(1, cols + 1)]
            for r in range(1, rows + 1)]
    edges: list[tuple] = []
    biases: list = []
    for layer, text in enumerate(parts[1:-1], 1):
        k, out_c, stride, pad = _conv_layer(spec, text)
        h, w = len(prev), len(prev[0])
        if k > min(h, w) + 2 * pad:
            raise SpecError(f"{spec!r}: layer {layer}: the kernel {k} × {k} is larger than its "
                            f"input ({h} × {w} with padding {pad})")
        if (h + 2 * pad - k) % stride or (w + 2 * pad - k) % stride:
            raise SpecError(f"{spec!r}: layer {layer}: with kernel {k}, stride {stride} and "
                            f"padding {pad}, the last rows or columns of its {h} × {w} input "
                            "are never read: make size + 2·padding − kernel a multiple of the "
                            "stride")
        oh, ow = (h + 2 * pad - k) // stride + 1, (w + 2 * pad - k) // stride + 1
        cur = [[[f"h{layer}_{r}_{s}_{c}" for c in range(1, out_c + 1)] for s in range(1, ow + 1)]
               for r in range(1, oh + 1)]
        neurons += [(v, HIDDEN, act) for row in cur for cell in row for v in cell]
        for r in range(oh):
            for s in range(ow):
                for co in range(out_c):
                    if bias:
                        biases.append((cur[r][s][co], f"B{layer}_{co + 1}"))
                    for i in range(k):
                        for j in range(k):
                            pr, ps = r * stride + i - pad, s * stride + j - pad
                            if not (0 <= pr < h and 0 <= ps < w):
                                continue
                            for ci, u in enumerate(prev[pr][ps]):
                                edges.append((u, cur[r][s][co],
                                              f"K{layer}_{co + 1}_{ci + 1}_{i + 1}_{j + 1}"))
        _edge_limit(spec, edges)
        prev = cur
    _dense_outputs(spec, parts[-1], neurons, edges, biases,
                   [v for row in prev for cell in row for v in cell], bias)
    return from_description(neurons, edges, biases, name=spec)
