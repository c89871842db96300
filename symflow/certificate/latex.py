"""Render a certificate (its JSON data) as a standalone LaTeX document (pdflatex, TikZ).

Long formulas are set inline in ragged-right paragraphs so that TeX can break them at + and −;
long witnesses go to an appendix or are summarised with a pointer to the JSON file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import sympy

from ..exprparse import polynomial_expr
from ..wording import CLOSED_FORMS
from . import prose

MAX_LISTED = 24  # items shown in the main text before deferring to the appendix / the JSON


def tex_name(name: str) -> str:
    """W2_1_3 → W^{(2)}_{1,3};  b1_2 → b^{(1)}_{2};  other names: subscripts after '_'."""
    m = re.fullmatch(r"([WU])(\d+)_(\d+)_(\d+)", name)
    if m:
        return f"{m[1]}^{{({m[2]})}}_{{{m[3]},{m[4]}}}"
    m = re.fullmatch(r"b(\d+)_(\d+)", name)
    if m:
        return f"b^{{({m[1]})}}_{{{m[2]}}}"
    head, _, rest = name.partition("_")
    head = head if len(head) == 1 else r"\mathrm{" + head + "}"
    if rest:
        return head + "_{" + r"\mathrm{" + rest.replace("_", r"\_") + "}}"
    return head


def tex_text(s: str) -> str:
    """Escape plain text for LaTeX."""
    for a, b in (("\\", r"\textbackslash{}"), ("_", r"\_"), ("&", r"\&"), ("%", r"\%"),
                 ("#", r"\#"), ("$", r"\$"), ("{", r"\{"), ("}", r"\}")):
        s = s.replace(a, b)
    return s


class Renderer:
    def __init__(self, cert: dict):
        self.cert = cert
        self.names = cert["parameters"]
        self.syms = {n: sympy.Symbol(n) for n in self.names}
        self.symbol_names = {s: tex_name(n) for n, s in self.syms.items()}

    def poly(self, text: str) -> str:
        expr = polynomial_expr(text, self.syms)
        return sympy.latex(expr, symbol_names=self.symbol_names, order="grlex")

    def law(self, law: dict) -> str:
        """h = P + Σ λ_i ln|f_i| in LaTeX."""
        logs = law.get("logs", [])
        parts = [] if logs and sympy.Rational(0) == polynomial_expr(
            law["expression"], self.syms) else [self.poly(law["expression"])]
        for t in logs:
            q = sympy.Rational(t["coefficient"])
            mag = "" if abs(q) == 1 else self.num(abs(q)) + r"\,"
            term = mag + r"\ln\lvert " + self.poly(t["factor"]) + r"\rvert"
            parts.append(("-" if q < 0 else "+" if parts else "") + term)
        return " ".join(parts)

    def num(self, x) -> str:
        q = sympy.Rational(x)
        if q.q == 1:
            return str(q.p)
        sign = "-" if q < 0 else ""
        return sign + r"\tfrac{" + str(abs(q.p)) + "}{" + str(q.q) + "}"

    def vector(self, v: list) -> str:
        return r"(" + r",\allowbreak ".join(self.num(x) for x in v) + r")"

    def point(self, theta: list) -> str:
        return r",\allowbreak\ ".join(f"${tex_name(n)} = {self.num(x)}$"
                                      for n, x in zip(self.names, theta, strict=True))


def _words(words: list[str]) -> str:
    return r",\allowbreak\ ".join(r"$" + w.replace(",", r",\,") + "$" for w in words)


def architecture_figure(cert: dict) -> str:
    """A TikZ drawing of the network (layered or DAG), or a sentence for custom liftings."""
    arch = cert["architecture"]
    kind = arch["kind"]
    if kind == "polynomial":
        unused = arch["unused_parameters"]
        extra = ("" if not unused else " The parameter(s) " + ", ".join(
            f"${tex_name(n)}$" for n in unused) + " do not occur in $\\phi$ (each is trivially "
            "conserved).")
        return "A polynomial lifting given explicitly (no network)." + extra
    if kind in ("layered-relu", "linear"):
        widths = arch["widths"]
        layers = [[f"x{i}" for i in range(1, widths[0] + 1)]]
        for lay in range(1, len(widths) - 1):
            layers.append([f"h{lay}_{i}" for i in range(1, widths[lay] + 1)])
        layers.append([f"y{i}" for i in range(1, widths[-1] + 1)])
        edges = [(u, v) for a, b in zip(layers, layers[1:], strict=False) for u in a for v in b]
        act = "relu" if kind == "layered-relu" else "linear"
        acts = {v: act for layer in layers[1:-1] for v in layer}
    else:
        nodes_in, outputs = arch["inputs"], arch["outputs"]
        hidden = [h for h, _ in arch["hidden"]]
        acts = dict(arch["hidden"])
        edges = [(u, v) for u, v, _ in arch["edges"]]
        level = {v: 0 for v in nodes_in}
        for _ in range(len(hidden) + len(outputs) + 1):
            for u, v in edges:
                level[v] = max(level.get(v, 0), level.get(u, 0) + 1)
        top = max(level.get(v, 0) for v in outputs)
        for v in outputs:
            level[v] = top
        layers = [[v for v in nodes_in + hidden + outputs if level.get(v, 0) == k]
                  for k in range(top + 1)]
    if sum(len(x) for x in layers) > 40:
        return (f"The network has {sum(len(x) for x in layers)} neurons in {len(layers)} layers "
                "(too many to draw); its edges are listed in the JSON certificate.")
    lines = [r"\begin{center}\begin{tikzpicture}[x=2.2cm,y=0.9cm,"
             r"n/.style={circle,draw,inner sep=1.5pt,minimum size=16pt,font=\scriptsize},"
             r"relu/.style={n,fill=black!12},"
             r"linear/.style={n,rectangle,minimum size=14pt}]"]
    ids = {}
    for k, layer in enumerate(layers):
        for i, v in enumerate(layer):
            ids[v] = f"n{k}x{i}"
            y = (len(layer) - 1) / 2 - i
            label = tex_text(v)
            style = acts.get(v, "n")
            lines.append(rf"\node[{style}] ({ids[v]}) at ({k},{y:.2f}) {{{label}}};")
    for u, v in edges:
        lines.append(rf"\draw[->] ({ids[u]}) -- ({ids[v]});")
    lines.append(r"\end{tikzpicture}\end{center}")
    kinds = sorted(set(acts.values()))
    legend = {"relu": "shaded circles are ReLU neurons", "linear": "squares are linear "
              "(identity) neurons"}
    if kinds:
        lines.append("Inputs and outputs are plain circles; " + " and ".join(
            legend[k] for k in kinds) + ".")
    return "\n".join(lines)


def render(cert: dict, json_name: str = "certificate.json") -> str:
    """The LaTeX source of the certificate."""
    r = Renderer(cert)
    arch = cert["architecture"]
    D, d = len(cert["parameters"]), len(cert["phi"])
    name = tex_text(cert["name"])
    out = [r"\documentclass[11pt]{article}",
           r"\usepackage[T1]{fontenc}",
           r"\usepackage{amsmath,amssymb,amsthm}",
           r"\usepackage[margin=2.3cm]{geometry}",
           r"\usepackage{tikz}",
           r"\newtheorem*{claim}{Claim}",
           r"\setlength{\parindent}{0pt}\setlength{\parskip}{0.5em}",
           r"\title{symflow certificate: \texttt{" + name + "}}",
           r"\author{}\date{}",
           r"\begin{document}\maketitle\raggedright",
           r"\section*{Setting}"]
    acts = sorted({a for _, a in arch.get("hidden", [])})
    one_class = (r" with its lifting $\phi$: one coordinate per class of paths with the same "
                 r"start (an input, or the constant $1$ of the biases), the same ReLU neurons "
                 r"and the same output, the sum of the weight products along them")
    dag_kind = {(): "a DAG with the path-lifting $\\phi$ (one coordinate per path)",
                ("relu",): "a ReLU DAG with the path-lifting $\\phi$ (one coordinate per path)",
                ("linear",): "a DAG of linear neurons" + one_class}.get(
        tuple(acts), "a DAG with ReLU and linear hidden neurons" + one_class)
    kind_text = {"layered-relu": "a layered ReLU network" +
                 (" with biases" if arch.get("bias") else "") + " with the path-lifting $\\phi$",
                 "linear": r"a linear network with $\phi(U_1,\dots,U_L) = U_L\cdots U_1$",
                 "dag": dag_kind,
                 "polynomial": r"a polynomial lifting $\phi$ given explicitly"}[arch["kind"]]
    widths = arch.get("widths")
    wtext = f" (widths {'-'.join(map(str, widths))})" if widths else ""
    out.append(f"The object is {kind_text}{wtext}: $D = {D}$ parameters $\\theta$ and $d = {d}$ "
               r"coordinates $z = \phi(\theta)$. Gradient flow $\theta' = -\nabla(\ell\circ\phi)"
               r"(\theta)$ moves $z$ by $z' = -M(\theta)\nabla\ell(z)$ with "
               r"$M = \partial\phi\,\partial\phi^\top$.")
    out.append(architecture_figure(cert))
    out.append(r"\section*{The lifting}")
    shown = cert["phi"][:MAX_LISTED]
    items = "".join(rf"\item $\phi_{{{i}}} = {r.poly(p)}$" + "\n" for i, p in enumerate(shown, 1))
    out.append(r"\begin{itemize}" + "\n" + items + r"\end{itemize}")
    if d > MAX_LISTED:
        out.append(f"and {d - MAX_LISTED} more coordinates, listed in \\texttt{{"
                   f"{tex_text(json_name)}}}.")
    appendix: list[str] = []
    for claim in cert["claims"]:
        if claim["type"] == "conservation-law-count":
            out += law_section(r, claim, D, appendix, json_name)
        else:
            out += intrinsic_section(r, claim, D, appendix, json_name)
    out.append(r"\section*{How to re-check}")
    out.append(r"Every number above is exact. The command \texttt{symflow check "
               + tex_text(json_name) + r"} recomputes every step from the JSON file alone "
               r"(with SymPy, independently of the engine that produced it) and trusts nothing "
               r"in it: the network, the parameter list, the name and the lifting from the "
               r"architecture, each point from its seed, each law and the label of its source "
               r"as identities, each bracket from its word, every rank over $\mathbb{Q}$, the "
               r"witnesses, the Lie closure, the closed forms, the verdicts and every sentence, "
               r"and the content hash \texttt{" + tex_text(cert["content_hash"][:23]) +
               r"\dots}.")
    if appendix:
        out.append(r"\appendix\section*{Appendix}")
        out += appendix
    out.append(r"\end{document}")
    return "\n\n".join(out) + "\n"


def law_section(r: Renderer, c: dict, D: int, appendix: list, json_name: str) -> list[str]:
    n, rk = c["law_rank_at_theta0"], c["bracket_rank_at_theta0"]
    out = [r"\section*{Conservation laws}"]
    count = c["count"]
    exact, argument, N = count["exact"], count["argument"], D - rk
    if exact:
        explicit = ("" if n == N else f", of which ${n}$ are written down explicitly below")
        out.append(r"\begin{claim}There are exactly $" + str(N) + r"$ functionally independent "
                   r"conservation laws, near $\theta_0$ and for generic $\theta$, and "
                   rf"$\dim \mathrm{{Lie}}(W_\phi)(\theta_0) = {rk} = D - {N}$" + explicit
                   + r".\end{claim}")
    else:
        out.append(r"\begin{claim}There are at least $" + str(n) + r"$ and at most $"
                   + str(N) + r"$ functionally independent conservation laws near "
                   r"$\theta_0$ (the bounds do not meet).\end{claim}")
    out.append(r"\textbf{Point.} $\theta_0$ is the integer point generated from seed "
               f"${c['point']['seed']}$ (appendix).")
    appendix.append(r"\subsection*{The point $\theta_0$ of the conservation-law claim}"
                    + "\n" + r.point(c["point"]["theta0"]) + ".")
    laws = c["laws"]
    has_logs = any(law.get("logs") for law in laws)
    kind = ("functions $h = P + \\sum_i \\lambda_i \\ln\\lvert f_i\\rvert$ (rational "
            "identities after multiplying by $\\prod_i f_i$)" if has_logs else "polynomials")
    if laws:
        out.append(r"\textbf{Explicit laws.} The following " + kind + r" satisfy "
                   r"$\langle\nabla h,\nabla\phi_i\rangle \equiv 0$ for every $i$ (verified "
                   r"exactly), hence are conserved by every gradient flow; their "
                   rf"gradients have rank ${n}$ at $\theta_0$, hence on a dense open set, where "
                   rf"$\mathrm{{Lie}}(W_\phi)(\theta) \subset \bigcap_k \ker\nabla h_k(\theta)$ "
                   rf"has dimension at most $D - {n} = {D - n}$.")
    items = "".join(rf"\item $h_{{{i}}} = {r.law(law)}$ "
                    rf"\hfill({source_tex(law['source'])})" + "\n"
                    for i, law in enumerate(laws[:MAX_LISTED], 1))
    if laws:
        out.append(r"\begin{itemize}" + "\n" + items + r"\end{itemize}")
    if len(laws) > MAX_LISTED:
        out.append(f"and {len(laws) - MAX_LISTED} more laws in \\texttt{{{tex_text(json_name)}}}.")
    words = [b["word"] for b in c["brackets"]]
    depth = max((w.count("[") + 1 for w in words), default=0)
    out.append(r"\textbf{Lower bound.} The " + str(len(words)) + r" iterated brackets of the "
               r"fields $g_i = \nabla\phi_i$ (with $[X,Y] = \partial Y\,X - \partial X\,Y$, "
               rf"depth at most ${depth}$) listed in the appendix belong to "
               r"$\mathrm{Lie}(W_\phi)$; their values at $\theta_0$ have rank "
               rf"${rk}$ over $\mathbb{{Q}}$, so $\dim\mathrm{{Lie}}(W_\phi)(\theta_0) \ge {rk}$.")
    appendix.append(r"\subsection*{Brackets spanning $\mathrm{Lie}(W_\phi)(\theta_0)$}" + "\n"
                    + _words(words) + ".")
    closure = c["lie_closure"]
    if closure is not None:
        m = len(closure["basis"])
        out.append(r"\textbf{Closure.} The brackets close: every generator $g_j$ and every "
                   r"bracket $[g_i, k]$ of a generator with a basis element $k$ is an exact "
                   r"rational combination of the " + str(m) + r" basis elements (each relation "
                   r"verified as a polynomial identity), so their span is the Lie algebra "
                   rf"$\mathrm{{Lie}}(W_\phi)$, of dimension ${m}$, and "
                   rf"$\dim\mathrm{{Lie}}(W_\phi)(\theta_0) = {rk}$ exactly.")
    frob = (r"by Frobenius, the number of independent laws near a point where "
            r"$\dim\mathrm{Lie}(W_\phi)$ is locally constant is $D - \dim\mathrm{Lie}(W_\phi)$")
    if argument == "bounds":
        out.append(rf"\textbf{{Conclusion.}} ${rk} = D - {n}$: both bounds are equalities, "
                   r"the dimension is maximal, hence locally constant, at $\theta_0$, and "
                   + frob + ".")
    elif argument == "one coordinate":
        out.append(r"\textbf{Conclusion.} $d = 1$ and $\nabla\phi(\theta_0) \ne 0$, so "
                   r"$\mathrm{Lie}(W_\phi) = \mathrm{span}\{\nabla\phi\}$ has dimension $1$ "
                   r"wherever $\nabla\phi \ne 0$, an open set containing $\theta_0$; " + frob
                   + rf", here $D - 1 = {N}$.")
    elif argument == "closure":
        out.append(r"\textbf{Conclusion.} The Lie algebra has dimension $" + str(rk) + r"$ and "
                   r"rank $" + str(rk) + r"$ at $\theta_0$, so its rank is at most $" + str(rk)
                   + r"$ everywhere and equal to it near $\theta_0$: $\dim\mathrm{Lie}(W_\phi)$ "
                   r"is locally constant at $\theta_0$ and, " + frob + rf", here ${N}$.")
    else:
        out.append(rf"\textbf{{Conclusion.}} ${n} \le \#\text{{laws}} \le {N}$ near "
                   rf"$\theta_0$: ${N - n}$ of the ${N}$ are not accounted for by the "
                   r"explicit laws.")
    if n < N and c.get("search"):
        out.append(r"\textbf{Search.} " + what_tex(prose._search(c)) + ".")
    return out


def intrinsic_section(r: Renderer, c: dict, D: int, appendix: list, json_name: str) -> list[str]:
    out = [r"\section*{The intrinsic properties}"]  # the statement below carries the scope
    at = what_tex(prose.where(c))
    names = {"holds": "holds", "fails": "fails", "refuted": "is refuted",
             "not decided": "is not decided"}
    items = (rf"\item Intrinsic recoverability {names[c['recoverability']]}." + "\n"
             + rf"\item The intrinsic metric property {names[c['metric']]}." + "\n"
             + rf"\item The intrinsic dynamic property {names[c['dynamic']]}." + "\n")
    if c["frobenius"]:
        items += r"\item The Frobenius property holds." + "\n"
    out.append(r"\begin{claim}At " + at + r":\begin{itemize}" + "\n" + items
               + r"\end{itemize}\end{claim}")
    out.append(what_tex(c["statement"]))
    out.append(r"Criterion [MPG25]: if $M = K(\phi, h)$ near $\theta_0$ with $K$ differentiable "
               r"then $\ker\partial\phi(\theta_0)\cap\mathrm{Lie}(W_\phi)(\theta_0) \subset "
               r"\ker\partial M(\theta_0)$. Sufficient condition: if $\ker\partial\phi(\theta_0)"
               r"\cap\ker\partial h(\theta_0) = \{0\}$ then $(\phi, h)$ is an immersion at "
               r"$\theta_0$, $\theta = \Psi(\phi(\theta), h(\theta))$ nearby (intrinsic "
               r"recoverability) and $K = M\circ\Psi$.")
    for i, p in enumerate(c["points"], 1):
        head = rf"\textbf{{Point {i}.}} " if len(c["points"]) > 1 else r"\textbf{Point.} "
        text = (head + rf"$\operatorname{{rank}}\partial\phi(\theta_0) = {p['rank_dphi']}$, "
                rf"$\operatorname{{rank}}\partial h(\theta_0) = {p['rank_dh']}$, "
                rf"{len(p['brackets'])} brackets of rank ${p['bracket_rank']}$")
        reason = prose.lie_exact_reason(p, D)
        if reason:
            text += ": " + what_tex(reason)
        text += ". "
        if "lambdas" in p:
            lams = ", ".join(r.num(x) for x in p["lambdas"])
            text += (rf"It lies on the {tex_text(c['init'])} family: "
                     rf"$U_{{k+1}}^\top U_{{k+1}} - U_k U_k^\top = \lambda_k I$ with "
                     rf"$\lambda = ({lams})$. ")
        if p["sufficient_condition"]:
            text += (rf"$\operatorname{{rank}}\,[\partial\phi;\partial h](\theta_0) = D = {D}$: "
                     r"the sufficient condition holds.")
        elif p["witness"] is not None:
            text += (r"A witness $v$ (appendix) satisfies $\partial\phi(\theta_0)v = 0$, "
                     r"$v \in \mathrm{Lie}(W_\phi)(\theta_0)$ and $\partial M(\theta_0)[v] \neq 0$:"
                     r" the criterion fails.")
            appendix.append(rf"\subsection*{{Witness at point {i}}}" + "\n$v = "
                            + r.vector(p["witness"]) + "$.")
        elif reason:
            k = len(p["intersection_basis"] or [])
            text += (rf"$\ker\partial\phi(\theta_0)\cap\mathrm{{Lie}}(W_\phi)(\theta_0)$ has "
                     rf"dimension ${k}$ and lies in $\ker\partial M(\theta_0)$: the criterion "
                     r"holds.")
        text += (rf" Recoverability {names[p['recoverability']]}, the metric property "
                 rf"{names[p['metric']]}, the dynamic property {names[p['dynamic']]}"
                 + (", the Frobenius property holds" if p["frobenius"] else "") + ".")
        out.append(text)
        appendix.append(rf"\subsection*{{Point {i} of the intrinsic claim}}" + "\n"
                        + r.point(p["theta0"]) + ".")
    for cf in c["closed_forms"]:
        t = CLOSED_FORMS[cf["kind"]]
        role = "" if t["decides"] else " It describes $M$ and does not by itself give $K$."
        out.append(r"\textbf{Closed form: " + what_tex(t["name"]) + ".} " + CLOSED_FORM_TEX[
            cf["kind"]] + r" Valid where: " + what_tex(t["conditions"]) + "." + role)
        checks = [(x["claim"], x["verified"], "identity") for x in cf["identities"]]
        checks += [(x["claim"], x["verified"], "exact at a point") for x in cf["pointwise"]]
        marks = {True: r"$\checkmark$", False: r"$\times$"}
        items = "".join(r"\item[" + marks[ok] + "] " + what_tex(w) + f" ({kind})\n"
                        for w, ok, kind in checks)
        out.append(r"\begin{itemize}" + "\n" + items + r"\end{itemize}")
    return out


CLOSED_FORM_TEX = {
    "uv": r"$M = \sqrt{c^4 h^2 + 4c^2 z^2}$ with $h = u^2 - v^2$, established by the "
          r"identities $M \equiv c^2(u^2+v^2)$ and $M^2 \equiv c^4h^2 + 4c^2z^2$.",
    "two-layer-relu": r"Per hidden neuron $j$, with $z_j = u_jv_j^\top$, "
                      r"$h_j = \|v_j\|^2 - \|u_j\|^2$ and $s_j = \sqrt{h_j^2 + 4\|z_j\|^2}$: "
                      r"$K_j = \frac{2}{s_j+h_j} z_jz_j^\top\otimes I + \frac{2}{s_j-h_j} "
                      r"I\otimes z_j^\top z_j$, and $M = \bigoplus_j K_j$.",
    "path-metric": r"$M_{pq} = \sum_{e\in p\cap q}\prod_{e'\in p\setminus e}\theta_{e'}"
                   r"\prod_{e'\in q\setminus e}\theta_{e'}$.",
    "linear-family": r"$M(G) = \sum_j \prod_{k>j}(S + c_kI)\,G\,\prod_{k<j}(S' + c_kI)$ with "
                     r"$c_k = \lambda_1+\dots+\lambda_{k-1}$ and $S$ ($S'$) the unique solution "
                     r"of $\prod_k(S + c_kI) = zz^\top$ ($z^\top z$) with $S + c_kI \succeq 0$.",
}

_UNICODE = {
    "θ": r"$\theta$", "φ": r"$\phi$", "λ": r"$\lambda$", "ℓ": r"$\ell$", "Σ": r"$\Sigma$",
    "Ψ": r"$\Psi$", "ᵀ": r"$^\top$", "²": r"$^2$", "⁴": r"$^4$", "≡": r"$\equiv$",
    "⊗": r"$\otimes$", "⊕": r"$\oplus$", "⪰": r"$\succeq$", "∏": r"$\prod$", "−": "-",
    "‖": r"$\|$", "≥": r"$\ge$", "≤": r"$\le$", "≠": r"$\neq$", "₀": r"$_0$", "₁": r"$_1$",
    "₂": r"$_2$", "∖": r"$\setminus$", "∈": r"$\in$", "∩": r"$\cap$", "∘": r"$\circ$",
    "∂": r"$\partial$", "∇": r"$\nabla$", "⟨": r"$\langle$", "⟩": r"$\rangle$", "…": r"\dots{}",
    "→": r"$\to$", "⊂": r"$\subset$", "·": r"$\cdot$", "∞": r"$\infty$", "∫": r"$\int$",
}


_FAMILY_SOURCE = re.compile(r"\(U(\d+)ᵀU(\d+) − U(\d+)U(\d+)ᵀ\)\[(\d+),(\d+)\]")
_NEURON_SOURCE = re.compile(r"(balance of neuron|mixing of linear neurons) (.+)")


def source_tex(source: str) -> str:
    """Where a law comes from, typeset: the entry of H_k = U_{k+1}ᵀU_{k+1} − U_kU_kᵀ in math
    mode, neuron names in typewriter type, anything else as text."""
    m = _FAMILY_SOURCE.fullmatch(source)
    if m:
        k1, _, k, _, a, b = m.groups()
        return (rf"$(U_{{{k1}}}^\top U_{{{k1}}} - U_{{{k}}} U_{{{k}}}^\top)_{{{a},{b}}}$")
    m = _NEURON_SOURCE.fullmatch(source)
    if m:
        names = ", ".join(rf"\texttt{{{tex_text(n.strip())}}}" for n in m.group(2).split(","))
        return f"{m.group(1)} {names}"
    return what_tex(source)


def what_tex(text: str) -> str:
    """A check's description (plain text with a few symbols) for LaTeX."""
    out = tex_text(text).replace("W\\_φ", r"$W_\phi$").replace("θ0", r"$\theta_0$")
    for a, b in _UNICODE.items():
        out = out.replace(a, b)
    return out.replace("$$", "")  # adjacent symbols join into one formula


FRAGMENT_PACKAGES = ("amsmath", "amssymb", "amsthm", "tikz")


def render_fragment(cert: dict, json_name: str = "certificate.json") -> str:
    r"""The certificate as a section to ``\input`` into a paper: no preamble, its sections one
    level down, its claim environment namespaced (``symflowclaim``, defined only if absent).
    The paper must load the packages of FRAGMENT_PACKAGES."""
    full = render(cert, json_name)
    start = full.index(r"\begin{document}\maketitle\raggedright") + len(
        r"\begin{document}\maketitle\raggedright")
    body = full[start:full.index(r"\end{document}")]
    body = body.replace(r"\subsection*{", r"\subsubsection*{").replace(
        r"\section*{", r"\subsection*{").replace(r"\appendix\subsection*{Appendix}",
                                                r"\subsection*{Appendix}")
    body = body.replace(r"\begin{claim}", r"\begin{symflowclaim}").replace(
        r"\end{claim}", r"\end{symflowclaim}")
    name = tex_text(cert["name"])
    head = [f"% symflow certificate of {name}, to \\input into a document that loads "
            + ", ".join(FRAGMENT_PACKAGES) + f"; evidence: {tex_text(json_name)}",
            r"\makeatletter\@ifundefined{symflowclaim}{\newtheorem*{symflowclaim}{Claim}}{}"
            r"\makeatother",
            r"\section*{symflow certificate: \texttt{" + name + "}}",
            r"\begingroup\raggedright"]
    return "\n".join(head) + body + "\\endgroup\n"


def compile_pdf(tex_path: Path) -> tuple[bool, str]:
    """Run pdflatex (twice not needed: no references); return (ok, log text)."""
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
