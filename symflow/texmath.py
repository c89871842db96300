"""Sentences with their mathematics marked, for plain text and for LaTeX (no flint, no SymPy).

A certificate's sentences are written once, with every formula between ``⟦`` and ``⟧``:
``plain`` drops the marks (the text stored in the JSON, printed by the CLI and compared by
``check``), ``marked_tex`` sets each marked formula in math mode and escapes the rest.
"""

from __future__ import annotations

import re

OPEN, CLOSE = "⟦", "⟧"


def plain(text: str) -> str:
    """The text without its marks."""
    return text.replace(OPEN, "").replace(CLOSE, "")


def tex_text(s: str) -> str:
    """Escape plain text for LaTeX."""
    for a, b in (("\\", "\0"), ("{", r"\{"), ("}", r"\}"), ("\0", r"\textbackslash{}"),
                 ("_", r"\_"), ("&", r"\&"), ("%", r"\%"), ("#", r"\#"), ("$", r"\$"),
                 ("^", r"\^{}"), ("~", r"\textasciitilde{}"), ("…", r"\dots{}"),
                 ("e.g. ", "e.g.\\ "), ("i.e. ", "i.e.\\ ")):
        s = s.replace(a, b)
    return s


_SYMBOLS = {
    "θ": r"\theta", "φ": r"\phi", "λ": r"\lambda", "ℓ": r"\ell", "Σ": r"\sum", "Ψ": r"\Psi",
    "ᵀ": r"^\top", "²": "^2", "⁴": "^4", "≡": r"\equiv", "⊗": r"\otimes", "⊕": r"\oplus",
    "⪰": r"\succeq", "∏": r"\prod", "−": "-", "‖": r"\|", "≥": r"\ge", "≤": r"\le",
    "≠": r"\neq", "∖": r"\setminus", "∈": r"\in", "∩": r"\cap", "∘": r"\circ",
    "∂": r"\partial", "∇": r"\nabla", "⟨": r"\langle", "⟩": r"\rangle", "…": r"\dots",
    "→": r"\to", "′": "'", "⊂": r"\subset", "·": r"\cdot", "∞": r"\infty", "×": r"\times",
}
_GREEK = {"θ", "φ", "λ", "ℓ", "Ψ"}
_SUBSCRIPTS = dict(zip("₀₁₂₃₄₅₆₇₈₉", "0123456789", strict=True))
_WORDS = {"ker": r"\ker", "dim": r"\dim", "rank": r"\operatorname{rank}",
          "Lie": r"\mathrm{Lie}", "span": r"\operatorname{span}",
          "range": r"\operatorname{range}", "ln": r"\ln", "deg": r"\deg", "and": r"\text{ and }",
          "for": r"\text{ for }"}


def math_tex(formula: str) -> str:
    """A marked formula (plain text with Unicode symbols) in LaTeX math: ``θ0`` → θ_0,
    ``U2ᵀU2`` → U_2^⊤U_2, ``ker``/``dim``/``rank``/``Lie`` as operators, ``{0}`` as a set and
    ``_{…}``/``^{…}`` as groups."""
    out: list[str] = []
    braces: list[bool] = []  # True: a group, False: a set

    def emit(piece: str) -> None:
        if piece.startswith("^") and out and out[-1].endswith(")"):
            text, depth = "".join(out), 0  # (…)^x → {(…)}^x
            for k in range(len(text) - 1, -1, -1):
                depth += {")": 1, "(": -1}.get(text[k], 0)
                if depth == 0:
                    out[:] = [text[:k] + "{" + text[k:] + "}"]
                    break
        if out and re.search(r"\\[A-Za-z]+$", out[-1]) and re.match(r"[A-Za-z0-9]", piece):
            out.append(" ")
        out.append(piece)

    i, n = 0, len(formula)
    while i < n:
        ch = formula[i]
        if ch.isascii() and ch.isalpha() or ch in _GREEK:
            if ch in _GREEK:
                word, i = _SYMBOLS[ch], i + 1
            else:
                j = i
                while j < n and formula[j].isascii() and formula[j].isalpha():
                    j += 1
                raw, i = formula[i:j], j
                word = _WORDS.get(raw, raw)  # other letters are juxtaposed variables
            emit(word)
            j = i
            while j < n and formula[j] in "0123456789":
                j += 1
            if j > i:
                emit("_{" + formula[i:j] + "}")
                i = j
            continue
        i += 1
        if ch in "_^" and i < n and formula[i] != "{":
            j = i
            while j < n and (formula[j].islower() and formula[j].isascii()
                             or formula[j] in "0123456789"):
                j += 1
            if j == i and formula[i] in _GREEK:
                j = i + 1
            if j > i:
                group = formula[i:j]
                emit(ch + "{" + "".join(_SYMBOLS.get(x, x) for x in group) + "}")
                i = j
                continue
        if ch == "…" and re.search(r"[-+=]\s*$", "".join(out[-2:])):
            emit(r"\cdots")
        elif ch in _SUBSCRIPTS:
            digits = _SUBSCRIPTS[ch]
            while i < n and formula[i] in _SUBSCRIPTS:
                digits += _SUBSCRIPTS[formula[i]]
                i += 1
            emit("_{" + digits + "}")
        elif ch == "{":
            group = bool(out) and out[-1].endswith(("_", "^"))
            braces.append(group)
            emit("{" if group else r"\{")
        elif ch == "}":
            emit("}" if (braces.pop() if braces else False) else r"\}")
        elif ch in _SYMBOLS:
            emit(_SYMBOLS[ch])
        elif ch == "%" or ch == "&" or ch == "#" or ch == "$":
            emit("\\" + ch)
        elif ch == "\\":  # never a command from the text: a formula holds no backslash
            emit(r"\backslash ")
        elif ch == "~":
            emit(r"\sim ")
        else:
            emit(ch)
    return "".join(out)


def marked_tex(text: str) -> str:
    """A marked sentence in LaTeX: marked formulas in math mode, the rest escaped."""
    parts = re.split(f"{OPEN}(.*?){CLOSE}", text)
    out = []
    for k, part in enumerate(parts):
        out.append("$" + math_tex(part) + "$" if k % 2 else tex_text(part))
    return "".join(out)
