"""Render a certificate (its JSON data) as LaTeX typeset like a paper's appendix (pdflatex,
amsmath, amsthm, TikZ): numbered claims with their proofs, every formula in math mode, laws
grouped by the matrix or neuron identity they come from, φ summarised by its structure with the
full list in an appendix table, each point written once, in matrix form where the parameters are
matrices.

Every sentence comes from the certificate's checked data: the statements are the JSON's, with
their formulas marked (``prose`` with ``marked=True``, ``texmath.marked_tex``).
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from functools import cached_property
from pathlib import Path

import sympy

from .. import prose
from ..exprparse import degree_and_terms, polynomial_expr
from ..sources import parse as parse_source
from ..texmath import marked_tex, math_tex, tex_text
from ..wording import CLOSED_FORMS_MARKED, marked, plural
from .drawing import LAYERED_NEURON, Layout, figure, layout, neuron_math, neuron_tex

MAX_LISTED = 24  # laws shown in the main text before deferring to the JSON
MAX_TABLE = 400  # coordinates of φ in the appendix table before deferring to the JSON
TERMS_PER_LINE = 5  # terms of a displayed law per line
MAX_MATRIX = 10  # rows and columns of a parameter matrix written as one (amsmath's default)
ROWS = 24  # rows of one table of the coordinates of φ
LINE_CHARS = 64  # characters of matrices on one displayed line
NAME_DASH = "  % chktex 8 (a hyphen inside a name such as linear:2-2-2, not a range)"


def _dash(line: str) -> str:
    """The suppression of chktex's warning 8 on a line with a name such as linear:2-2-2."""
    return NAME_DASH if re.search(r"\d-\d", line) else ""


def tex_name(name: str) -> str:
    """W2_1_3 → W^{(2)}_{1,3};  b1_2 → b^{(1)}_{2};  other names: subscripts after '_'."""
    m = re.fullmatch(r"([WU])(\d+)_(\d+)_(\d+)", name)
    if m:
        return f"{m[1]}^{{({m[2]})}}_{{{m[3]},{m[4]}}}"
    m = re.fullmatch(r"b(\d+)_(\d+)", name)
    if m:
        return f"b^{{({m[1]})}}_{{{m[2]}}}"
    m = re.fullmatch(r"([A-Za-z])(\d+)", name)
    if m:
        return f"{m[1]}_{{{m[2]}}}"
    head, _, rest = name.partition("_")
    head = head if len(head) == 1 else r"\mathrm{" + head + "}"
    if rest:
        return head + "_{" + r"\mathrm{" + rest.replace("_", r"\_") + "}}"
    return head


def _name(cert: dict) -> str:
    return r"\texttt{" + tex_text(cert["name"]) + "}"


def _terms(latex: str) -> list[str]:
    """A SymPy LaTeX sum split into its terms at top-level + and − (signs kept)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(latex):
        depth += ch in "{(" or latex.startswith(r"\left", i)
        depth -= ch in "})" or latex.startswith(r"\right", i)
        if depth == 0 and i > start and latex[i - 1:i + 2] in (" + ", " - "):
            out.append(latex[start:i - 1])
            start = i
    out.append(latex[start:])
    return [t.strip() for t in out if t.strip()]


def _path_order(arch: dict, names: list[str], lay: Layout | None) -> dict[str, float]:
    """Where each parameter of a network sits along a path: its layer (a bias just before
    it), or the column of the edge's start in the drawing; {} for a polynomial lifting."""
    if arch["kind"] in ("layered-relu", "layered-power"):
        found = (re.fullmatch(r"([Wb])(\d+)_.*", n) for n in names)
        return {m[0]: int(m[2]) - (0.5 if m[1] == "b" else 0) for m in found}
    if arch["kind"] != "dag" or lay is None:
        return {}
    col = {v: x for v, (x, _) in lay.pos.items()}
    order = {w: col[u] for u, _, w in arch["edges"]}
    order.update({b: col[v] - 0.5 for v, b in arch.get("biases", [])})
    return order


class Renderer:
    """The certificate's numbers and formulas in LaTeX."""

    def __init__(self, cert: dict, json_name: str):
        self.cert = cert
        self.json_name = json_name
        self.names = cert["parameters"]
        self.D, self.d = len(self.names), len(cert["phi"])
        self.syms = {n: sympy.Symbol(n) for n in self.names}
        arch = cert["architecture"]
        self.tex = {n: tex_name(n) for n in self.names}
        if arch["kind"] == "dag":  # w_u_v → w_{u,v}, b_v → b_{v}, with the neurons' names
            for u, v, w in arch["edges"]:
                self.tex[w] = f"w_{{{_neuron_math(u)},{_neuron_math(v)}}}"
            for v, b in arch.get("biases", []):
                self.tex[b] = f"b_{{{_neuron_math(v)}}}"
        # two names typeset alike (x1 and x_1 both as x_1) are written as they are, in
        # typewriter type, so that no formula shows one parameter where there are two
        def looks(tex: str) -> str:  # what the reader sees: upright digits are digits
            return re.sub(r"\\mathrm\{([^{}]*)\}", r"\1", tex).replace("{", "").replace("}", "")

        alike = Counter(looks(t) for t in self.tex.values())
        for n in self.names:
            if alike[looks(self.tex[n])] > 1:
                self.tex[n] = r"\mathtt{" + n.replace("_", r"\_") + "}"
        self.symbol_names = {s: self.tex[n] for n, s in self.syms.items()}
        # the drawing's layout (None for a polynomial lifting), shared with the path order
        self.layout = (layout(arch) if arch["kind"] not in ("polynomial", "attention", "block")
                       else None)
        self.path_order = _path_order(arch, self.names, self.layout)  # place on a path
        self.points: list[tuple[tuple, list[str]]] = []  # distinct points and where each is used
        self.appendix: list[str] = []

    # -- numbers and formulas ------------------------------------------------------------
    def poly(self, text: str) -> str:
        expr = polynomial_expr(text, self.syms)
        factors = expr.args if expr.is_Mul else (expr,)
        if self.path_order and all(f.is_Symbol for f in factors):  # a path: input to output
            return " ".join(self.symbol_names[f] for f in sorted(
                factors, key=lambda f: self.path_order[str(f)]))
        out = sympy.latex(expr, symbol_names=self.symbol_names, order="grlex")
        # {(x)}^{2}: a power of a parenthesised symbol braced, as chktex asks
        return re.sub(r"(\\left\((?:[^()]|\([^()]*\))*?\\right\))\^", r"{\1}^", out)

    def law(self, law: dict) -> str:
        """h = P + Σ λ_i ln|f_i| in LaTeX."""
        logs = law.get("logs", [])
        parts = [] if logs and sympy.Rational(0) == polynomial_expr(
            law["expression"], self.syms) else [self.poly(law["expression"])]
        for t in logs:
            q = sympy.Rational(t["coefficient"])
            mag = "" if abs(q) == 1 else self.num(abs(q)) + r"\,"
            term = mag + r"\ln\lvert " + self.poly(t["factor"]) + r"\rvert"
            parts.append(("- " if q < 0 else "+ " if parts else "") + term)
        return " ".join(parts)

    def lines(self, latex: str) -> str:
        """A long sum broken into lines of TERMS_PER_LINE terms (for align*)."""
        terms = _terms(latex)
        per = len(terms) if len(terms) <= TERMS_PER_LINE + 2 else math.ceil(
            len(terms) / math.ceil(len(terms) / TERMS_PER_LINE))
        rows = [" ".join(terms[i:i + per]) for i in range(0, len(terms), per)]
        return r" \\ &\qquad ".join(rows)

    @staticmethod
    def num(x) -> str:
        q = sympy.Rational(x)
        if q.q == 1:
            return str(q.p)
        sign = "-" if q < 0 else ""
        return sign + r"\tfrac{" + str(abs(q.p)) + "}{" + str(q.q) + "}"

    @cached_property
    def blocks(self) -> list[tuple[str, list[list[int]]]] | None:
        """The parameters as matrices (U_k or W^{(k)}, b^{(k)}): (name, rows of indices into
        θ), or None when they are not matrices or a matrix is too large to write as one."""
        kind = self.cert["architecture"]["kind"]
        if kind not in ("linear", "layered-relu", "layered-power"):
            return None
        found: dict[str, dict[tuple[int, int], int]] = {}
        for idx, n in enumerate(self.names):
            m = re.fullmatch(r"([WU])(\d+)_(\d+)_(\d+)", n)
            if m:
                head = f"U_{{{m[2]}}}" if m[1] == "U" else f"W^{{({m[2]})}}"
                found.setdefault(head, {})[(int(m[3]), int(m[4]))] = idx
                continue
            m = re.fullmatch(r"b(\d+)_(\d+)", n)
            if not m:
                return None
            found.setdefault(f"b^{{({m[1]})}}", {})[(int(m[2]), 1)] = idx
        out = []
        for head, cells in found.items():
            rows = max(i for i, _ in cells)
            cols = max(j for _, j in cells)
            if rows > MAX_MATRIX or cols > MAX_MATRIX or len(cells) != rows * cols:
                return None
            out.append((head, [[cells[(i, j)] for j in range(1, cols + 1)]
                               for i in range(1, rows + 1)]))
        return out

    def vector(self, v: list, symbol: str) -> str:
        """θ or a tangent vector v: as its parameter matrices when there are any (a common
        denominator factored out), else coordinate by coordinate, each with its parameter."""
        q = [sympy.Rational(x) for x in v]
        shown = []
        for head, rows in self.blocks or []:
            den = math.lcm(*(q[i].q for row in rows for i in row))
            ints = [[int(q[i] * den) for i in row] for row in rows]
            width = sum(max(len(str(r[j])) for r in ints) + 3 for j in range(len(ints[0])))
            shown.append((head, den, ints, width + (6 if den > 1 else 0)))
        if shown and max(w for *_, w in shown) <= LINE_CHARS:
            parts, line, used = [], [], 0
            for head, den, ints, w in shown:
                name = head if symbol == r"\theta" else f"{symbol}|_{{{head}}}"
                body = r" \\ ".join(" & ".join(map(str, row)) for row in ints)
                scale = rf"\frac{{1}}{{{den}}}" if den > 1 else ""
                if line and used + w + 8 > LINE_CHARS:
                    parts.append(r",\quad ".join(line))
                    line, used = [], 0
                line.append(f"{name} = {scale}\\begin{{pmatrix}} {body} \\end{{pmatrix}}")
                used += w + 8
            parts.append(r",\quad ".join(line))
            return r"\begin{gather*}" + ", \\\\\n".join(parts) + r".\end{gather*}"
        if symbol == r"\theta":
            return " " + r",\allowbreak\ ".join(f"${self.tex[n]} = {self.num(x)}$"
                                          for n, x in zip(self.names, v, strict=True)) + "."
        return (" its coordinate on each parameter: " + r",\allowbreak\ ".join(
            f"${self.tex[n]}\\colon {{{self.num(x)}}}$" for n, x in zip(self.names, v, strict=True))
            + ".")

    # -- points, each once -----------------------------------------------------------------
    def point(self, theta: list, use: str) -> str:
        """Register a point of a claim (each point once, with all its uses); its name θ^(i)."""
        key = tuple(str(sympy.Rational(x)) for x in theta)
        for i, (k, uses) in enumerate(self.points):
            if k == key:
                uses.append(use)
                return self._point_name(i)
        self.points.append((key, [use]))
        return self._point_name(len(self.points) - 1)

    def _point_name(self, i: int) -> str:
        return rf"\theta^{{({i + 1})}}"

    def points_appendix(self) -> str:
        out = [r"\subsection*{Points}"]
        for i, (key, uses) in enumerate(self.points):
            integer = all("/" not in x for x in key)
            out.append(rf"${self._point_name(i)}$ ({'integer' if integer else 'rational'} point; "
                       + "; ".join(uses) + "):" + self.vector(list(key), r"\theta"))
        return "\n\n".join(out)


# -- the document ----------------------------------------------------------------------------
def render(cert: dict, json_name: str = "certificate.json") -> str:
    """The LaTeX source of the certificate, a standalone document."""
    body = _body(cert, json_name)
    head = [r"\documentclass[11pt]{article}",
            r"\usepackage{amsmath,amssymb,amsthm}",
            r"\usepackage[margin=2.3cm]{geometry}",
            r"\usepackage{tikz}",
            r"\allowdisplaybreaks{}",
            r"\newtheorem{claim}{Claim}",
            r"\setlength{\parindent}{0pt}",
            r"\setlength{\parskip}{0.5em}",
            r"\begin{document}",
            r"\raggedright{}",
            r"\begin{center}",
            r"{\Large symflow certificate: " + _name(cert) + "}" + _dash(cert["name"]),
            *([r"\\[0.3em] " + _init_line(cert)] if _init_line(cert) else []),
            r"\end{center}"]
    return "\n".join(head) + "\n\n" + body + "\n\n" + r"\end{document}" + "\n"


def _init_line(cert: dict) -> str:
    """The initialisation family of the intrinsic claim, if any (it tells apart two
    certificates of the same network)."""
    inits = [c["init"] for c in cert["claims"] if c["type"] == "intrinsic-property"]
    return "" if not inits or inits[0] == "generic" else f"{tex_text(inits[0])} initialisation"


def _body(cert: dict, json_name: str) -> str:
    r = Renderer(cert, json_name)
    out = [r"\section*{Setting}", setting(r), figure_or_text(r), r"\section*{The lifting}",
           lifting(r)]
    for claim in cert["claims"]:
        if claim["type"] == "conservation-law-count":
            out += law_section(r, claim)
        else:
            out += intrinsic_section(r, claim)
    out.append(r"\section*{How to re-check}")
    out.append(r"Every number above is exact. The command \texttt{symflow check "
               + tex_text(json_name) + r"} recomputes every step from the JSON file alone "
               r"(with its own SymPy code, independently of the engine that produced it) and "
               r"trusts nothing in it: the network, the parameter list, the name and the "
               r"lifting from the architecture, each point from its seed, each law and the "
               r"label of its source as identities, each bracket from its word, every rank over "
               r"$\mathbb{Q}$, the "
               r"witnesses, the Lie closure, the closed forms, the verdicts and every sentence, "
               r"and the content hash, which begins \texttt{" + tex_text(cert["content_hash"][:23])
               + r"}. This document is generated from that file; \texttt{symflow check "
               + tex_text(json_name) + r" -{}-tex} also checks that it is, word for word."
               + _dash(json_name))
    out.append(r"\section*{References}")
    out.append(REFERENCES)
    out.append(r"\appendix")
    out.append(r"\section*{Appendix}")
    out.append(r.points_appendix())
    out += r.appendix
    return _wrap("\n\n".join(out))


def _wrap(text: str, width: int = 1000) -> str:
    """Long lists broken into source lines (chktex reads lines up to 4093 bytes): a line over
    ``width`` characters gets a newline after each list separator (an interword space either
    way, so the typeset text is unchanged)."""
    sep = r",\allowbreak\ "
    return "\n".join(line.replace(sep, ",\\allowbreak{}\n") if len(line) > width else line
                     for line in text.split("\n"))


DEFINITIONS = (
    r"Following [MPG25], let $h = (h_1,\dots,h_N)$ be a complete set of independent "
    r"conservation laws near $\theta_0$: the explicit ones and, when the count exceeds them, the "
    r"others that exist by Frobenius' theorem; then $\ker\partial h(\theta_0) \supseteq "
    r"\mathrm{Lie}(W_\phi)(\theta_0)$, with equality where $\dim\mathrm{Lie}(W_\phi)$ is "
    r"locally constant."
    "\n\\begin{itemize}\n"
    r"\item \emph{Intrinsic recoverability} near $\theta_0$: $\theta$ is locally a "
    r"differentiable function of $(\phi(\theta), h(\theta))$, equivalently "
    r"$\ker\partial\phi(\theta_0)\cap\ker\partial h(\theta_0) = \{0\}$."
    "\n"
    r"\item \emph{The intrinsic metric property}: $M(\theta) = K(\phi(\theta), h(\theta))$ for "
    r"$\theta$ near $\theta_0$, for some differentiable $K$, so that "
    r"$z' = -K(z, h(\theta_0))\nabla\ell(z)$ is a flow on $z$ alone."
    "\n"
    r"\item \emph{The intrinsic dynamic property}: there is a $K_{\theta_0}$, independent of the "
    r"loss, such that for every loss $\ell$ the flow from $\theta_0$ satisfies "
    r"$z' = -K_{\theta_0}(z)\nabla\ell(z)$."
    "\n"
    r"\item \emph{The Frobenius property}: $\dim\mathrm{Lie}(W_\phi)(\theta) = "
    r"\operatorname{rank}\partial\phi(\theta)$ is constant near $\theta_0$, so that "
    r"$\mathrm{Lie}(W_\phi)(\theta) = W_\phi(\theta)$ there ($W_\phi$ is involutive near "
    r"$\theta_0$)."
    "\n\\end{itemize}\n"
    r"Recoverability implies the metric property, which implies the dynamic property (with "
    r"$K_{\theta_0} = K(\cdot, h(\theta_0))$).")

REFERENCES = (
    r"[MGP23] S.~Marcotte, G.~Peyr\'e, R.~Gribonval. Abide by the law and follow the flow: "
    r"conservation laws for gradient flows. NeurIPS 2023, arXiv:2307.00144."
    "\n\n"
    r"[MPG25] S.~Marcotte, G.~Peyr\'e, R.~Gribonval. Intrinsic training dynamics of deep "
    r"neural networks. ICLR 2026, arXiv:2508.07370.")


def _shared(arch: dict) -> tuple[bool, bool]:
    """(some parameter on several edges, some fixed edge) of a recorded DAG: a fixed edge
    records its weight ("1") where a parameter edge records an identifier."""
    if arch.get("kind") != "dag":
        return False, False
    names = [e[2] for e in arch["edges"]]
    fixed = [x for x in names if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", x)]
    params = [x for x in names if x not in fixed] + [b for _, b in arch.get("biases", [])]
    return len(set(params)) < len(params), bool(fixed)


def setting(r: Renderer) -> str:
    cert, arch = r.cert, r.cert["architecture"]
    acts = sorted({a for _, a in arch.get("hidden", [])})
    one_class = (r", whose lifting $\phi$ has one coordinate per class of paths with the same "
                 r"start (an input, or the constant $1$ of the biases), the same ReLU neurons "
                 r"and the same output, the sum of the weight products along them")
    dag_kind = {(): r"a DAG with the path-lifting $\phi$",
                ("relu",): r"a ReLU DAG with the path-lifting $\phi$",
                ("linear",): "a DAG of linear neurons" + one_class}.get(
        tuple(acts), "a DAG with ReLU and linear hidden neurons" + one_class)
    if any("^" in a for a in acts):
        dag_kind = ("a DAG with hidden activations " + ", ".join(_activation_tex(a) for a in acts)
                    + r" and the power lifting $\phi$")
    shared, fixed = _shared(arch)
    if shared or fixed:
        what = " and ".join(x for x, on in (("shared weights (a parameter on several edges)",
                                             shared),
                                            ("fixed edges (a weight without a parameter)",
                                             fixed)) if on)
        dag_kind = (f"a DAG with {what}" + one_class + "; a class that does not depend on "
                    r"$\theta$ (fixed edges only) is no coordinate, and classes with the same "
                    "polynomial are one")
    kind_text = {"layered-relu": "a layered ReLU network" + (" with biases" if arch.get("bias")
                                                              else "")
                 + r" with the path-lifting $\phi$",
                 "layered-power": "a layered network with hidden activation "
                 + _activation_tex(arch.get("activation", "relu"))
                 + (" and biases" if arch.get("bias") else "")
                 + r" with the power lifting $\phi$",
                 "linear": r"a linear network with $\phi(U_1,\dots,U_L) = U_L\cdots U_1$",
                 "dag": dag_kind,
                 "polynomial": r"a polynomial lifting $\phi$ given explicitly",
                 "attention": _attention_setting,
                 "block": _block_setting}[arch["kind"]]
    if callable(kind_text):  # built only for its own kind
        kind_text = kind_text(arch)
    widths = arch.get("widths")
    wtext = (f" of widths $({', '.join(map(str, widths))})$" if widths else "")
    return (_name(cert) + f" is {kind_text}{wtext}." + _dash(cert["name"]) + "\n"
            + rf"It has $D = {r.D}$ parameters $\theta$ and $d = {r.d}$ coordinates "
            r"$z = \phi(\theta)$. For a loss $\ell$, gradient flow "
            r"$\theta' = -\nabla(\ell\circ\phi)(\theta)$ moves $z$ by "
            r"$z' = -M(\theta)\nabla\ell(z)$ with $M = \partial\phi\,\partial\phi^\top$. A "
            r"conservation law is a function $h(\theta)$ constant along every such flow, for every "
            r"loss: $\langle\nabla h, \nabla\phi_i\rangle \equiv 0$ for every $i$. With "
            r"$W_\phi = \operatorname{span}\{\nabla\phi_1,\dots,\nabla\phi_d\}$, "
            r"$\mathrm{Lie}(W_\phi)$ is the Lie algebra of vector fields it generates (its "
            r"iterated brackets) and $\mathrm{Lie}(W_\phi)(\theta)$ the subspace of "
            r"$\mathbb{R}^D$ of their values at $\theta$ [MGP23].")


def _attention_setting(arch: dict) -> str:
    """An attention layer and why its lifting is (Q_mK_mᵀ, V_mO_m)_m [MGP25b]."""
    d, k, heads = arch["dim"], arch["head_dim"], arch["heads"]
    several = (rf"${heads}$ heads, $h = 1,\dots,{heads}$" if heads > 1
               else "one head ($m = 1$)")
    return (rf"an attention layer with model dimension ${d}$, head dimension ${k}$ and "
            + several + r": its output $\sum_m \operatorname{softmax}(X Q_m K_m^\top X^\top"
            rf"/\sqrt{{{k}}})\, X V_m O_m$ (with $Q_m, K_m, V_m \in "
            rf"\mathbb{{R}}^{{{d}\times {k}}}$, "
            rf"$O_m \in \mathbb{{R}}^{{{k}\times {d}}}$) depends on the parameters only through "
            r"the products $Q_m K_m^\top$ and $V_m O_m$, so the lifting $\phi$ is their "
            r"entries, head by head (the softmax and the scaling act on values of $\phi$)")


def _block_setting(arch: dict) -> str:
    """A block claim: the laws of a network that depend on some of its parameters only."""
    block = arch["block"]
    names = ", ".join(r"\texttt{" + tex_text(n) + "}" for n in block[:6]) + (
        r", \dots" if len(block) > 6 else "")
    return (rf"the block of ${len(block)}$ parameters ({names}) of a network "
            + r"(recorded in the JSON file and rebuilt by the checker): its conservation laws "
            r"that depend on these parameters only, whatever the others. Writing each "
            r"coordinate of the network's lifting as a polynomial in the other parameters, "
            r"$\phi_i = \sum_\alpha \theta_O^\alpha\, \psi_{i,\alpha}(\theta_B)$, a function "
            r"$h(\theta_B)$ is such a law if and only if it is a conservation law of the "
            r"lifting $\psi = (\psi_{i,\alpha})$, which is the $\phi$ below (constant "
            r"$\psi_{i,\alpha}$ left out, equal ones once)")


def figure_or_text(r: Renderer) -> str:
    arch = r.cert["architecture"]
    if r.layout is not None:
        return figure(r.layout)
    if arch["kind"] in ("attention", "block"):
        return ""
    unused = arch["unused_parameters"]
    return "" if not unused else ("The parameter(s) " + ", ".join(
        f"${r.tex[n]}$" for n in unused) + r" do not occur in $\phi$ (each is trivially "
        "conserved).")


def _count(n: int, word: str) -> str:
    """$3$ laws, $1$ law."""
    return f"${n}$ {word}" + ("" if n == 1 else "s")


def _range(values: list[int]) -> str:
    lo, hi = min(values), max(values)
    return f"${lo}$" if lo == hi else f"${lo}$ to ${hi}$"


def _entry_formula(L: int) -> str:  # noqa: N803 - the number of layers
    if L == 2:
        return r"$z_{i,j} = \sum_{a} U^{(2)}_{i,a}U^{(1)}_{a,j}$"
    if L == 3:
        return r"$z_{i,j} = \sum_{a,b} U^{(3)}_{i,b}U^{(2)}_{b,a}U^{(1)}_{a,j}$"
    return (rf"$z_{{i,j}} = \sum_{{k_1,\dots,k_{{{L - 1}}}}} U^{{({L})}}_{{i,k_{{{L - 1}}}}}"
            rf"\cdots U^{{(1)}}_{{k_1,j}}$")


def _dag_names(arch: dict) -> str:
    return (r" Here $w_{u,v}$ is the weight of the edge from neuron $u$ to neuron $v$"
            + (r" and $b_v$ the bias of $v$" if arch.get("biases") else "") + ".")


def _activation_tex(act: str) -> str:
    r"""relu^2 → $\sigma(s) = \max(s,0)^{2}$, x^3 → $\sigma(s) = s^{3}$ (a checked spelling)."""
    m = re.fullmatch(r"(relu|x)\^([2-9])", act)
    if m is None:
        return {"relu": r"$\sigma(s) = \max(s,0)$", "linear": r"$\sigma(s) = s$"}[act]
    return (rf"$\sigma(s) = {{\max(s,0)}}^{{{m[2]}}}$" if m[1] == "relu"
            else rf"$\sigma(s) = s^{{{m[2]}}}$")


def lifting(r: Renderer) -> str:
    """φ by its structure (the full list in an appendix table), or written out when short."""
    cert, arch = r.cert, r.cert["architecture"]
    # terms and total degree of each coordinate, term by term (no dense Poly over D generators)
    sizes = [degree_and_terms(polynomial_expr(p, r.syms)) for p in cert["phi"]]
    nterms = [n for _, n in sizes]
    degrees = [g for g, _ in sizes]
    kind = arch["kind"]
    short = r.d <= 6 and sum(nterms) <= 12
    if kind == "attention":
        text = (rf"The coordinates are the entries of $Q_m K_m^\top$ then of $V_m O_m$, row by "
                rf"row, head by head: $d = {r.d}$, each a sum of ${arch['head_dim']}$ products of "
                r"two parameters; $Q^{(m)}_{i,a}$ is the entry $(i, a)$ of $Q_m$, and likewise "
                r"for $K_m$, $V_m$, $O_m$.")
    elif kind == "linear":
        L = len(arch["widths"]) - 1
        n = arch["widths"]
        inner = math.prod(n[1:-1])
        ns = ", ".join(f"n_{{{k}}}" for k in range(L + 1)) if L <= 3 else rf"n_0,\dots,n_{{{L}}}"
        product = "".join(f"U_{{{k}}}" for k in range(L, 0, -1)) if L <= 3 else \
            rf"U_{{{L}}}\cdots U_1"
        text = (rf"With $U_k \in \mathbb{{R}}^{{n_k\times n_{{k-1}}}}$, $({ns}) = "
                rf"({', '.join(map(str, n))})$, and $U^{{(k)}}_{{i,j}}$ the entry $(i,j)$ of "
                rf"$U_k$, the lifting is the product $z = \phi(\theta) = {product} \in "
                rf"\mathbb{{R}}^{{{n[-1]}\times {n[0]}}}$: "
                + (f"$d = {r.d}$ entries, each" if r.d > 1 else "its one entry is")
                + rf" a sum of ${inner}$ products of ${L}$ weights, " + _entry_formula(L) + "."
                if L > 1 else r"The lifting is $z = \phi(\theta) = U_1$.")
        text += (r" The coordinates are the entries of $z$ row by row: $\phi_{(i-1)n_0 + j} = "
                 "z_{i,j}$.")
    elif kind == "layered-power" or (kind == "dag" and any("^" in a for _, a in arch["hidden"])):
        text = (r"Give every neuron $v$ with activation ${\max(s,0)}^{p}$ an indicator "
                r"$c_v \in \{0,1\}$ of its activation pattern, so that $\sigma_v(s) = c_v s^p$, "
                r"and expand the output $H(x;\theta)$ as a polynomial in the inputs $x$ and the "
                r"indicators ($c_v^2 = c_v$). The lifting has one coordinate per output, monomial "
                r"in $x$ and set of indicators: the coefficient, a polynomial in $\theta$; on "
                r"every activation pattern the loss depends on $\theta$ only through them. Here "
                + f"$d = {r.d}$ coordinates (" + _count(sum(nterms), "monomial")
                + rf" in all, of degree {_range(degrees)}).")
        if kind == "dag":
            text += _dag_names(arch)
    elif kind == "dag" and any(_shared(arch)):
        text = (rf"The lifting has {_count(r.d, 'coordinate')}, one per class of paths whose "
                r"sum of weight products depends on $\theta$, each that sum: a shared "
                r"parameter appears in every product through one of its edges, a fixed edge "
                r"multiplies by its weight (" + _count(sum(nterms), "monomial")
                + rf" in all, of degree {_range(degrees)}).") + _dag_names(arch)
    elif kind in ("layered-relu", "dag") and all(c == 1 for c in nterms):
        lengths = Counter(degrees)
        by = ", ".join(f"{lengths[k]} of length {k}" for k in sorted(lengths, reverse=True))
        text = (r"The path-lifting has one coordinate per path $p$ from an input (or from the "
                r"constant input $1$ of a bias) to an output, the product of the parameters "
                r"along it, $\phi_p(\theta) = \prod_{e\in p}\theta_e$: " + f"$d = {r.d}$ paths ("
                + by + ").")
        if kind == "layered-relu":
            text += (r" Here $\nu^{(k)}_i$ is hidden neuron $i$ of layer $k$ (\texttt{h}$k$"
                     r"\texttt{\_}$i$ in the JSON file), $W^{(k)}_{i,j}$ is the weight from neuron "
                     r"$j$ of layer $k-1$ to neuron $i$ of layer $k$"
                     + (r" and $b^{(k)}_i$ the bias of neuron $i$ of layer $k$" if arch.get("bias")
                        else "") + ".")
        else:
            text += _dag_names(arch)
    elif kind == "dag":
        text = (rf"The lifting has {_count(r.d, 'coordinate')}, one per class of paths, each the "
                rf"sum of the weight products along its paths (" + _count(sum(nterms), "monomial")
                + rf" in all, of degree {_range(degrees)}).") + _dag_names(arch)
    else:
        text = (rf"The lifting has {_count(r.d, 'polynomial coordinate')} ("
                + _count(sum(nterms), "monomial") + rf" in all, of degree at most "
                rf"${max(degrees)}$).")
    if short:
        rows = r" \\ ".join(rf"\phi_{{{i}}} &= {r.poly(p)}" for i, p in enumerate(cert["phi"], 1))
        return text + "\n" + r"\begin{align*}" + rows + r"\end{align*}"
    r.appendix.insert(0, phi_table(r))
    return text + r" Its coordinates are listed in the appendix (The coordinates of $\phi$)."


def phi_table(r: Renderer) -> str:
    """The coordinates of φ in tables of ROWS rows, with several (i, φ_i) pairs side by side
    when the coordinates are short."""
    phi = r.cert["phi"]
    shown = phi[:MAX_TABLE]
    longest = max(len(p) for p in shown)
    pairs = 3 if longest <= 24 else 2 if longest <= 48 else 1
    cols = (r"r@{\quad}p{0.85\linewidth}" if pairs == 1
            else r"@{\qquad}".join([r"r@{\quad}l"] * pairs))
    out = [r"\subsection*{The coordinates of $\phi$}"]
    per = ROWS * pairs
    for start in range(0, len(shown), per):
        chunk = list(enumerate(shown[start:start + per], start + 1))
        lines = []
        for row in range(0, len(chunk), pairs):
            cells = [rf"${i}$ & ${r.poly(p)}$" for i, p in chunk[row:row + pairs]]
            cells += ["&"] * (pairs - len(cells))
            lines.append(" & ".join(cells) + r" \\")
        out.append(r"{\renewcommand{\arraystretch}{1.35}\begin{tabular}{@{}" + cols + "@{}}\n"
                   + "\n".join(lines) + "\n" + r"\end{tabular}}")
    if len(phi) > MAX_TABLE:
        out.append(f"and {len(phi) - MAX_TABLE} more coordinates in \\texttt{{"
                   f"{tex_text(r.json_name)}}}." + _dash(r.json_name))
    # a coordinate that is one product of distinct weights is written along its path; a sum
    # of several path products (linear neurons in a DAG) is written in a fixed order of terms
    single = [" + " not in p and " - " not in p.lstrip("-") and "^" not in p for p in shown]
    order = ("." if not r.path_order else ", its factors in the order of the path."
             if all(single) else
             ", a product of weights in the order of its path; a sum of several paths term by "
             "term, in a fixed order of the terms that does not follow the graph.")
    out[0] += "\n" + r"Entry $i$ is $\phi_i(\theta)$" + order + r"\nopagebreak"
    return "\n\n".join(out)


# -- conservation laws -----------------------------------------------------------------------
def source_tex(source: str) -> str:
    """Where a law comes from, typeset from its parsed label (symflow.sources): the entry of
    H_k = U_{k+1}ᵀU_{k+1} − U_kU_kᵀ in math mode, neuron names as in the drawing, the search
    with its degree. A label outside the grammar is never typeset."""
    parsed = parse_source(source)
    if parsed is None:
        raise ValueError("a law source outside the grammar of symflow.sources")
    kind, *args = parsed
    if kind == "family":
        k, a, b = args
        return rf"$(U_{{{k + 1}}}^\top U_{{{k + 1}}} - U_{{{k}}} U_{{{k}}}^\top)_{{{a},{b}}}$"
    if kind == "balance":
        return f"balance of neuron {neuron_tex(args[0])}"
    if kind == "mixing":
        return f"mixing of linear neurons {neuron_tex(args[0])}, {neuron_tex(args[1])}"
    if kind == "search":
        return f"degree-{args[0]} search"
    return rf"logarithmic search, degree $\le {args[0]}$"


def _neuron_math(name: str) -> str:
    """A neuron's name inside a formula."""
    return neuron_math(name) or r"\text{\texttt{" + tex_text(name) + "}}"


def laws_display(r: Renderer, laws: list[dict], exact: bool = False) -> list[str]:
    """The laws grouped by where they come from: the entries of each H_k, the balance (and
    mixing) of hidden neurons, then the others with their sources."""
    family: dict[int, list[tuple[tuple[int, int], dict]]] = {}  # k → ((a, b), law)
    neurons: list[tuple[str, dict]] = []
    other: list[dict] = []
    for law in laws:
        kind, *args = parse_source(law["source"]) or ("other",)
        if kind == "family":
            family.setdefault(args[0], []).append(((args[1], args[2]), law))
        elif kind in ("balance", "mixing"):
            names = args
            who = [_neuron_math(x) for x in names]
            m = LAYERED_NEURON.fullmatch(names[0]) if len(names) == 1 else None
            # a layered neuron ν^{(k)}_i has the law h^{(k)}_i; any other neuron v the law h_v
            label = (f"h^{{({m[1]})}}_{{{m[2]}}}" if m else f"h_{{{', '.join(who)}}}")
            neurons.append((label, law))
        else:
            other.append(law)
    out = []
    widths = r.cert["architecture"].get("widths") or []
    for k, entries in sorted(family.items()):
        n = widths[k] if k < len(widths) else 0
        total = n * (n + 1) // 2
        text = (rf"The symmetric matrix $H_{{{k}}} = U_{{{k + 1}}}^\top U_{{{k + 1}}} - "
                rf"U_{{{k}}}U_{{{k}}}^\top$ is conserved, $H_{{{k}}}(\theta(t)) = "
                rf"H_{{{k}}}(\theta(0))$")
        if len(entries) >= total:
            text += "; its entries on and above the diagonal are the laws:"
        else:
            listed = {ab for ab, _ in entries}
            rest = [(a, b) for a in range(1, n + 1) for b in range(a, n + 1)
                    if (a, b) not in listed]
            names = ", ".join(f"${{(H_{{{k}}})}}_{{{a},{b}}}$" for a, b in rest[:4]) + (
                r", \dots" if len(rest) > 4 else "")
            text += (rf"; ${len(entries)}$ of its ${total}$ entries on and above the diagonal "
                     r"are listed, those whose gradients are independent at $\theta_0$ (the "
                     + ("other one, " if len(rest) == 1 else f"other ${len(rest)}$, ") + names
                     + (", is" if len(rest) == 1 else ", are") + " conserved too"
                     + ("; by the count, its gradient at $\\theta_0$ is a combination of theirs"
                        if exact and len(rest) == 1 else
                        "; by the count, their gradients at $\\theta_0$ are combinations of "
                        "these" if exact else "") + "):")
        out.append(text + "\n" + _align(r, [(f"{{(H_{{{k}}})}}_{{{a},{b}}}", law)
                                               for (a, b), law in entries]))
    if neurons:
        mixing = any("," in h for h, _ in neurons)
        arch = r.cert["architecture"]
        powers = arch["kind"] == "layered-power" or any(
            "^" in a for _, a in arch.get("hidden", []))
        p_j = "p_j" if powers else ""
        out.append(r"For every hidden neuron $j$, $h_j = \sum_{i\to j}\theta_{i\to j}^2 - "
                   + p_j + r"\sum_{j\to k}\theta_{j\to k}^2$ is conserved (the sums over the "
                   r"edges into and out of $j$, the bias counting as an edge in"
                   + (r"; $p_j$ the power of $j$'s activation, $\sigma_j(cs) = c^{p_j}"
                      r"\sigma_j(s)$ for $c > 0$: rescaling $j$'s incoming weights by $c$ and its "
                      r"outgoing ones by $c^{-p_j}$ leaves the output unchanged" if powers else "")
                   + ")"
                   + (r"; for linear neurons $j \neq j'$ with the same predecessors and the same "
                      r"successors, both or neither biased, so is "
                      r"$h_{j,j'} = \sum_i\theta_{i\to j}\theta_{i\to j'} - \sum_k\theta_{j\to k}"
                      r"\theta_{j'\to k}$" if mixing else "") + ":\n" + _align(r, neurons))
    if other:
        entries = [(f"h_{{{i}}}", law) for i, law in enumerate(other, 1)]
        out.append(_align(r, entries, sources=True))
    return out


def _align(r: Renderer, entries: list[tuple[str, dict]], sources: bool = False) -> str:
    shown = entries[:MAX_LISTED]
    rows = []
    for label, law in shown:
        row = f"{label} &= {r.lines(r.law(law))}"
        if sources:
            row += r" && \text{(" + source_tex(law["source"]) + ")}"
        rows.append(row)
    text = r"\begin{align*}" + "\n" + " \\\\\n".join(rows) + "\n" + r"\end{align*}"
    if len(entries) > MAX_LISTED:
        text += (f"\nand {len(entries) - MAX_LISTED} more in \\texttt{{"
                 f"{tex_text(r.json_name)}}}." + _dash(r.json_name))
    return text


def law_section(r: Renderer, c: dict) -> list[str]:
    D = r.D
    n, rk = c["law_rank_at_theta0"], c["bracket_rank_at_theta0"]
    out = [r"\section*{Conservation laws}"]
    count = c["count"]
    exact, argument, N = count["exact"], count["argument"], D - rk
    if exact:
        explicit = ("" if n == N else f"; ${n}$ of them " + ("is" if n == 1 else "are")
                    + " written down explicitly below")
        out.append(r"\begin{claim}The maximal number of functionally independent conservation "
                   rf"laws near $\theta_0$ is ${N}$, and so it is for generic $\theta$: "
                   rf"$\dim \mathrm{{Lie}}(W_\phi)(\theta_0) = {rk} = D - {N}$" + explicit
                   + r".\end{claim}")
    else:
        out.append(r"\begin{claim}The maximal number of functionally independent conservation "
                   rf"laws near $\theta_0$ is at least ${n}$ and at most ${N}$ (the bounds do not "
                   r"meet).\end{claim}")
    seed = c["point"]["seed"]
    pname = r.point(c["point"]["theta0"], f"the point $\\theta_0$ of the conservation-law "
                                          f"claim, from seed ${seed}$")
    proof = [rf"\emph{{The point.}} $\theta_0 = {pname}$, the integer point generated from "
             rf"seed ${seed}$ (written out in the appendix, Points)."]
    laws = c["laws"]
    has_logs = any(law.get("logs") for law in laws)
    kind = (r"functions $h = P + \sum_i \lambda_i \ln\lvert f_i\rvert$ (rational identities "
            r"after multiplying by $\prod_i f_i$)" if has_logs else "polynomials")
    if laws:
        proof.append(r"\emph{Explicit laws.} The following " + kind + r" satisfy "
                     r"$\langle\nabla h,\nabla\phi_i\rangle \equiv 0$ for every $i$ (verified "
                     r"exactly), hence are conserved by every gradient flow; their gradients "
                     rf"have rank ${n}$ at $\theta_0$, hence on a dense open set, where "
                     r"$\mathrm{Lie}(W_\phi)(\theta)$, orthogonal to all of them, has dimension "
                     rf"at most $D - {n} = {D - n}$.")
        proof += laws_display(r, laws, exact)
    words = [b["word"] for b in c["brackets"]]
    depth = max((w.count("[") + 1 for w in words), default=0)
    proof.append(r"\emph{Lower bound.} The " + ("iterated bracket" if len(words) == 1 else
                                                 f"{len(words)} iterated brackets") + r" of the "
                 r"fields $g_i = \nabla\phi_i$ (with $[X,Y] = \partial Y\,X - \partial X\,Y$, "
                 + (r"the fields themselves" if depth == 1 else rf"depth at most ${depth}$")
                 + r") listed in the appendix "
                 + ("belongs" if len(words) == 1 else "belong") + r" to "
                 r"$\mathrm{Lie}(W_\phi)$; " + ("its value" if len(words) == 1 else "their values")
                 + r" at $\theta_0$ " + ("has" if len(words) == 1 else "have") + " rank "
                 rf"${rk}$ over $\mathbb{{Q}}$, so "
                 rf"$\dim\mathrm{{Lie}}(W_\phi)(\theta_0) \ge {rk}$.")
    r.appendix.append(r"\subsection*{Brackets of the conservation-law claim}" + "\n"
                      + _words(words) + ".")
    closure = c["lie_closure"]
    if closure is not None:
        m = len(closure["basis"])
        proof.append(r"\emph{Closure.} The brackets close: every generator $g_j$ and every "
                     r"bracket $[g_i, k]$ of a generator with a basis element $k$ is an exact "
                     r"rational combination of the " + _count(m, "basis element") + r" (each "
                     r"relation verified as a polynomial identity), so their span is the Lie "
                     rf"algebra $\mathrm{{Lie}}(W_\phi)$, of dimension ${m}$, and "
                     rf"$\dim\mathrm{{Lie}}(W_\phi)(\theta_0) = {rk}$ exactly.")
    frob = (r"by Frobenius, the number of independent laws near a point where "
            r"$\dim\mathrm{Lie}(W_\phi)$ is locally constant is $D - \dim\mathrm{Lie}(W_\phi)$")
    if argument == "bounds":
        proof.append(rf"\emph{{Conclusion.}} ${rk} = D - {n}$: both bounds are equalities, "
                     r"the dimension is maximal, hence locally constant, at $\theta_0$, and "
                     + frob + r". So it is for generic $\theta$: the bracket values are "
                     r"polynomial in $\theta$, so their rank is at least " + f"${rk}$" + r" "
                     r"outside a proper algebraic subset, and the gradients of the laws have rank "
                     + f"${n}$" + r" on a dense open set; on both, the dimension is " + f"${rk}$.")
    elif argument == "one coordinate":
        proof.append(r"\emph{Conclusion.} $d = 1$ and $\nabla\phi(\theta_0) \ne 0$, so "
                     r"$\mathrm{Lie}(W_\phi) = \operatorname{span}\{\nabla\phi\}$ has dimension "
                     r"$1$ wherever $\nabla\phi \ne 0$, an open set containing $\theta_0$; "
                     + frob + rf", here $D - 1 = {N}$.")
    elif argument == "closure":
        proof.append(r"\emph{Conclusion.} The Lie algebra has dimension $" + str(rk) + r"$ and "
                     r"rank $" + str(rk) + r"$ at $\theta_0$, so its rank is at most $" + str(rk)
                     + r"$ everywhere and equal to it near $\theta_0$: "
                     r"$\dim\mathrm{Lie}(W_\phi)$ is locally constant at $\theta_0$ and, " + frob
                     + rf", here ${N}$.")
    else:
        proof.append(rf"\emph{{Conclusion.}} ${n} \le \#\text{{laws}} \le {N}$ near "
                     rf"$\theta_0$: ${N - n}$ of the ${N}$ are not accounted for by the "
                     r"explicit laws.")
    if n < N and c.get("search"):
        proof.append(r"\emph{Search.} A search shows that "
                     + marked_tex(prose.search_text(c, marked=True)) + ".")
    out.append(r"\begin{proof}" + "\n" + "\n\n".join(proof) + "\n" + r"\end{proof}")
    return out


def _words(words: list[str]) -> str:
    return r",\allowbreak\ ".join("$" + math_tex(w).replace(",", r",\,") + "$" for w in words)


# -- the intrinsic properties ---------------------------------------------------------------
NAMES = {"holds": "holds", "fails": "fails", "refuted": "is refuted",
         "not decided": "is not decided"}


def intrinsic_section(r: Renderer, c: dict) -> list[str]:
    D = r.D
    out = [r"\section*{The intrinsic properties}", DEFINITIONS]
    at = marked_tex(prose.where(c, marked=True))
    family = c["init"] in ("balanced", "relaxed-balanced")
    scope = (r" on the level set of $h$ through " + ("each point" if len(c["points"]) > 1
                                                     else r"$\theta_0$")
             + f" (in the {tex_text(c['init'])} family)" if family else "")
    props = (f"intrinsic recoverability {NAMES[c['recoverability']]}; the intrinsic metric "
             f"property {NAMES[c['metric']]}"
             + (scope if c["metric"] == "holds" else "") + "; the intrinsic dynamic property "
             f"{NAMES[c['dynamic']]}" + (scope if c["dynamic"] == "holds" else "")
             + ("; the Frobenius property holds" if c["frobenius"] else ""))
    out.append(r"\begin{claim}At " + at + ": " + props + r".\end{claim}")
    proof = [marked_tex(prose.intrinsic_statement(c, D, [], {}, marked=True))]
    proof.append(r"\emph{The criterion} [MPG25]. If $M = K(\phi, h)$ near $\theta_0$ with $K$ "
                 r"differentiable, then $\ker\partial\phi(\theta_0)\cap\mathrm{Lie}(W_\phi)"
                 r"(\theta_0) \subset \ker\partial M(\theta_0)$. Sufficient condition: if "
                 r"$\ker\partial\phi(\theta_0)\cap\ker\partial h(\theta_0) = \{0\}$ then "
                 r"$(\phi, h)$ is an immersion at $\theta_0$, $\theta = \Psi(\phi(\theta), "
                 r"h(\theta))$ nearby (intrinsic recoverability) and $K = M\circ\Psi$.")
    several = len(c["points"]) > 1
    for i, p in enumerate(c["points"], 1):
        origin = ("from seed" if "seed" in p and c["init"] == "generic" else
                  "from family seed" if "family_seed" in p else "given")
        s = p.get("seed", p.get("family_seed"))
        use = (f"point {i} of the intrinsic-property claim" if several
               else "the point of the intrinsic-property claim")
        use += f", {origin} ${s}$" if s is not None else ", given"
        pname = r.point(p["theta0"], use)
        head = (rf"\emph{{Point {i}}}, $\theta_0 = {pname}$. " if several
                else rf"\emph{{The point}} $\theta_0 = {pname}$. ")
        text = (head + rf"$\operatorname{{rank}}\partial\phi(\theta_0) = {p['rank_dphi']}$, "
                rf"$\operatorname{{rank}}\partial h(\theta_0) = {p['rank_dh']}$ for the explicit "
                rf"laws, " + plural(len(p["brackets"]), "bracket") + rf" of rank "
                rf"${p['bracket_rank']}$")
        reason = prose.lie_exact_reason(p, D, marked=True)
        if reason:
            text += ": " + marked_tex(reason)
        text += ". "
        if "lambdas" in p:
            lams = [r.num(x) for x in p["lambdas"]]
            value = (rf"$\lambda_1 = {lams[0]}$" if len(lams) == 1
                     else rf"$\lambda = ({', '.join(lams)})$")
            text += (rf"It lies on the {tex_text(c['init'])} family: "
                     rf"$U_{{k+1}}^\top U_{{k+1}} - U_k U_k^\top = \lambda_k I$ with {value}. ")
        if p["sufficient_condition"]:
            text += (rf"$\operatorname{{rank}}\,[\partial\phi;\partial h](\theta_0) = D = {D}$: "
                     r"the sufficient condition holds.")
        elif p["witness"] is not None:
            v = f"v_{{{i}}}" if several else "v"
            text += (rf"The witness ${v}$ (appendix) satisfies $\partial\phi(\theta_0)"
                     rf"{v} = 0$, ${v} \in \mathrm{{Lie}}(W_\phi)(\theta_0)$ and "
                     rf"$\partial M(\theta_0)[{v}] \neq 0$: the criterion fails.")
            w = p["witness"]
            ints = all("/" not in str(x) for x in w)
            kind = ("a primitive integer vector" if ints and math.gcd(*map(int, w)) == 1
                    else "exact")
            r.appendix.append(rf"\subsection*{{The witness at point {i}}}" if several else
                              r"\subsection*{The witness}")
            r.appendix.append(rf"${v}$, {kind}:" + r.vector(w, v))
        elif reason:
            k = len(p["intersection_basis"] or [])
            text += (rf"$\ker\partial\phi(\theta_0)\cap\mathrm{{Lie}}(W_\phi)(\theta_0)$ has "
                     rf"dimension ${k}$ and lies in $\ker\partial M(\theta_0)$: the criterion "
                     r"holds.")
        text += (rf" Recoverability {NAMES[p['recoverability']]}, the metric property "
                 rf"{NAMES[p['metric']]}, the dynamic property {NAMES[p['dynamic']]}"
                 + (", the Frobenius property holds" if p["frobenius"] else "") + ".")
        proof.append(text)
    for cf in c["closed_forms"]:
        t = CLOSED_FORMS_MARKED[cf["kind"]]
        proof.append(r"\emph{Closed form: " + marked_tex(t["name"]) + ".} "
                     + CLOSED_FORM_TEX[cf["kind"]] + r" Valid where: "
                     + marked_tex(t["conditions"]) + "." + _uv_names(r, cf["kind"])
                     + _dash(t["conditions"]))
        proof.append(r"\begin{itemize}" + "\n" + _checks(cf) + r"\end{itemize}")
    out.append(r"\begin{proof}" + "\n" + "\n\n".join(proof) + "\n" + r"\end{proof}")
    return out


def _uv_names(r: Renderer, kind: str) -> str:
    """What u, v, c and z are in the closed form of φ = c·u·v."""
    if kind != "uv":
        return ""
    u, v = r.names
    c = polynomial_expr(r.cert["phi"][0], r.syms).as_coeff_Mul()[0]
    names = "" if (u, v) == ("u", "v") else rf"$u = {r.tex[u]}$, $v = {r.tex[v]}$, "
    return rf" Here {names}$c = {r.num(c)}$ and $z = \phi_1(\theta)$."


def _checks(cf: dict) -> str:
    """The checks of a closed form, each once: an identity, or a pointwise check with the
    samples where it was verified (and those where it was not)."""
    marks = {True: r"$\checkmark$", False: r"$\times$"}
    items = [r"\item[" + marks[x["verified"]] + "] " + marked_tex(marked(x["claim"]))
             + " (identity)" for x in cf["identities"]]
    at: dict[str, dict[bool, list[str]]] = {}
    for x in cf["pointwise"]:
        head, _, rest = x["claim"].partition(": ")
        sample = head.removeprefix("sample ")
        at.setdefault(rest, {True: [], False: []})[x["verified"]].append(sample)
    for w, by in at.items():
        where = []
        for ok in (True, False):
            if by[ok]:
                word = "sample" if len(by[ok]) == 1 else "samples"
                where.append(("exact at " if ok else "fails at ") + f"{word} "
                             + ", ".join(f"${s}$" for s in by[ok]))
        items.append(r"\item[" + marks[not by[False]] + "] " + marked_tex(marked(w)) + " ("
                     + "; ".join(where) + ")")
    return "\n".join(items) + "\n"


CLOSED_FORM_TEX = {
    "uv": r"$M = \sqrt{c^4 h^2 + 4c^2 z^2}$ with $h = u^2 - v^2$, established by the "
          r"identities $M \equiv c^2(u^2+v^2)$ and $M^2 \equiv c^4h^2 + 4c^2z^2$.",
    "two-layer-relu": r"For a hidden neuron $j$, let $v_{j}$ be its incoming weights (and bias) "
                      r"and $u_{j}$ its outgoing weights; the coordinates of the paths through "
                      r"$j$ are the entries of $z_{j} = u_{j}v_{j}^\top$ (entry $(a,b)$: the "
                      r"path from input $b$ to output $a$; in this block they are taken row by "
                      r"row, which need not be their order in $\phi$), and "
                      r"$h_{j} = \|v_{j}\|^2 - \|u_{j}\|^2$. With "
                      r"$s_{j} = \sqrt{h_{j}^2 + 4\|z_{j}\|_F^2}$, the block of $M$ on these "
                      r"coordinates is $K_{j} = \frac{2}{s_{j}+h_{j}} z_{j}z_{j}^\top\otimes I + "
                      r"\frac{2}{s_{j}-h_{j}} I\otimes z_{j}^\top z_{j}$; blocks of different "
                      r"neurons are zero, and the paths through no hidden neuron (the biases of "
                      r"the outputs) give an identity block.",
    "path-metric": r"$M_{pq} = \sum_{e\in p\cap q}\prod_{e'\in p\setminus\{e\}}\theta_{e'}"
                   r"\prod_{e'\in q\setminus\{e\}}\theta_{e'}$.",
    "linear-family": r"For $G \in \mathbb{R}^{n_L\times n_0}$, $M(\theta)[G] = \sum_{j=1}^{L} "
                     r"A_{j}\,G\,B_{j}$, that is $M(\theta) = \sum_{j} A_{j}\otimes B_{j}$ with "
                     r"$z$ and $G$ read row by row ($B_{j}$ is symmetric), where "
                     r"$A_{j} = \prod_{k>j}(S + c_{k}I)$, $B_{j} = \prod_{k<j}(S' + c_{k}I)$ "
                     r"and $c_{k} = \lambda_{1}+\cdots+\lambda_{k-1}$ for $k = 1,\dots,L$; here "
                     r"$S$ is the unique symmetric solution of $\prod_{k}(S + c_{k}I) = zz^\top$ "
                     r"with every $S + c_{k}I \succeq 0$, and $S'$ the one of "
                     r"$\prod_{k}(S' + c_{k}I) = z^\top z$ [MPG25, Thm 3.8].",
}

FRAGMENT_PACKAGES = ("amsmath", "amssymb", "amsthm", "tikz")


#: the works a certificate cites, by key: the entries of ``symflow.bib`` (BIBTEX below)
CITED = ("MGP23", "MPG25", "GBRG", "KH25", "KH24")


def render_fragment(cert: dict, json_name: str = "certificate.json") -> str:
    r"""The certificate as a subsection to ``\input`` into a paper, one sectioning level below
    the paper's sections: no preamble, no References and no Appendix heading of its own.

    * Its claims are numbered in ``symflowclaim``: the paper's own ``claim`` counter when the
      paper has one (the numbers continue the paper's), else a counter of its own; a paper that
      defines ``symflowclaim`` itself (``
ewtheorem{symflowclaim}[theorem]{Claim}``) decides.
    * ``
ef{symflow:NAME}`` gives the certificate's own number (a counter
      ``symflowcertificate``, 1, 2, … over the fragments of the paper).
    * Works are cited by ``\symflowcite{KEY}`` (``\cite`` unless the paper redefines it, e.g.
      to map KEY to its own keys), with the entries of the shipped ``symflow.bib``.

    The paper must load the packages of FRAGMENT_PACKAGES."""
    body = _body(cert, json_name)
    refs = "\\section*{References}\n\n" + REFERENCES + "\n\n"
    body = body.replace(refs, "").replace("\\appendix\n\n\\section*{Appendix}\n\n", "")
    body = body.replace(r"\subsection*{", r"\paragraph*{").replace(
        r"\section*{", r"\subsubsection*{")
    body = body.replace(r"\begin{claim}", r"\begin{symflowclaim}").replace(
        r"\end{claim}", r"\end{symflowclaim}")
    body = re.sub(r"\[(" + "|".join(CITED) + r")(?:, ([^\]]+))?\]",
                  lambda m: r"\symflowcite" + (f"[{m[2]}]" if m[2] else "") + f"{{{m[1]}}}",
                  body)
    label = re.sub(r"[^A-Za-z0-9]+", "-", cert["name"])
    head = [f"% symflow certificate of {tex_text(cert['name'])}, to \\input into a document "
            "that loads " + ", ".join(FRAGMENT_PACKAGES) + " and cites with symflow.bib; "
            f"evidence: {tex_text(json_name)}",
            r"\makeatletter",
            r"\@ifundefined{symflowclaim}{\@ifundefined{c@claim}{\newtheorem{symflowclaim}"
            r"{Claim}}{\newtheorem{symflowclaim}[claim]{Claim}}}{}",
            r"\@ifundefined{c@symflowcertificate}{\newcounter{symflowcertificate}}{}",
            r"\makeatother",
            r"\providecommand{\symflowcite}[2][]{\if\relax\detokenize{#1}\relax\cite{#2}"
            r"\else\cite[#1]{#2}\fi}",
            r"\refstepcounter{symflowcertificate}",
            r"\subsection*{symflow certificate~\thesymflowcertificate: " + _name(cert) + "}"
            + _dash(cert["name"]),
            r"\label{symflow:" + label + "}",
            r"\begingroup",
            r"\raggedright{}",
            r"\setlength{\parindent}{0pt}",
            r"\setlength{\parskip}{0.5em}",
            r"\allowdisplaybreaks{}"]
    return "\n".join(head) + "\n\n" + body + "\n\n" + r"\endgroup" + "\n"


#: BibTeX entries of the works certificates cite (written as symflow.bib beside a fragment)
BIBTEX = r"""@inproceedings{MGP23,
  author = {Marcotte, Sibylle and Peyr{\'e}, Gabriel and Gribonval, R{\'e}mi},
  title = {Abide by the Law and Follow the Flow: Conservation Laws for Gradient Flows},
  booktitle = {Advances in Neural Information Processing Systems (NeurIPS)},
  year = {2023},
  eprint = {2307.00144},
  archivePrefix = {arXiv}
}

@inproceedings{MPG25,
  author = {Marcotte, Sibylle and Peyr{\'e}, Gabriel and Gribonval, R{\'e}mi},
  title = {Intrinsic Training Dynamics of Deep Neural Networks},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2026},
  eprint = {2508.07370},
  archivePrefix = {arXiv}
}

@inproceedings{MGP25b,
  author = {Marcotte, Sibylle and Gribonval, R{\'e}mi and Peyr{\'e}, Gabriel},
  title = {Transformative or Conservative? {C}onservation Laws for {ResNets} and
           {Transformers}},
  booktitle = {International Conference on Machine Learning (ICML)},
  year = {2025},
  eprint = {2506.06194},
  archivePrefix = {arXiv}
}

@inproceedings{GBRG,
  author = {Gonon, Antoine and Brisebarre, Nicolas and Riccietti, Elisa and
            Gribonval, R{\'e}mi},
  title = {A Path-Norm Toolkit for Modern Networks: Consequences, Promises and Challenges},
  booktitle = {International Conference on Learning Representations (ICLR)},
  year = {2024},
  eprint = {2310.01225},
  archivePrefix = {arXiv}
}

@misc{KH25,
  author = {Kumar, Akshay and Haupt, Jarvis},
  title = {Towards Understanding Gradient Flow Dynamics of Homogeneous Neural Networks
           Beyond the Origin},
  year = {2025},
  eprint = {2502.15952},
  archivePrefix = {arXiv}
}

@misc{KH24,
  author = {Kumar, Akshay and Haupt, Jarvis},
  title = {Early Directional Convergence in Deep Homogeneous Neural Networks for Small
           Initializations},
  year = {2024},
  eprint = {2403.08121},
  archivePrefix = {arXiv}
}
"""


def compile_pdf(tex_path: Path) -> tuple[bool, str]:
    """Run pdflatex once (no cross-references to resolve); return (ok, log text)."""
    exe = shutil.which("pdflatex")
    if exe is None:
        return False, "pdflatex not found"
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [exe, "-interaction=nonstopmode", "-halt-on-error", "-output-directory", tmp,
             str(tex_path)], capture_output=True, text=True, timeout=120)
        log_path = Path(tmp) / (tex_path.stem + ".log")
        log = log_path.read_text(errors="replace") if log_path.exists() else proc.stdout
        pdf = Path(tmp) / (tex_path.stem + ".pdf")
        if proc.returncode == 0 and pdf.exists():
            shutil.copy(pdf, tex_path.with_suffix(".pdf"))
            return True, log
        return False, log
