"""Every certificate of proofs/ compiles, and a fragment compiles inside a paper."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symflow import prose
from symflow.certificate.drawing import figure, layout
from symflow.certificate.latex import FRAGMENT_PACKAGES, NAME_DASH, compile_pdf
from symflow.texmath import marked_tex, math_tex, plain

ROOT = Path(__file__).resolve().parent.parent
needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None,
                                    reason="pdflatex is not installed (.ci/run installs it)")


@needs_pdflatex
@pytest.mark.parametrize("tex", sorted((ROOT / "proofs").glob("*.tex")), ids=lambda p: p.stem)
def test_every_certificate_of_the_library_compiles(tmp_path, tex):
    copy = tmp_path / tex.name
    shutil.copy(tex, copy)
    ok, log = compile_pdf(copy)
    assert ok, log[-2000:]


@needs_pdflatex
def test_a_fragment_compiles_inside_a_paper_with_its_own_claim_environment(tmp_path):
    from click.testing import CliRunner

    from symflow.cli import cli

    res = CliRunner().invoke(cli, ["certify", "linear:2-2-2", "--init", "balanced", "-o",
                                   str(tmp_path), "--fragment", "--no-pdf"])
    assert res.exit_code == 0, res.output
    section = tmp_path / "linear-2-2-2-balanced-section.tex"
    text = section.read_text()
    assert r"\documentclass" not in text and r"\begin{document}" not in text
    assert r"\begin{symflowclaim}" in text and r"\begin{claim}" not in text
    assert r"\newtheorem{symflowclaim}{Claim}" in text  # numbered, defined only if absent
    assert text.count(r"\begin{proof}") == 2 and r"\subsubsection*{Conservation laws}" in text
    paper = tmp_path / "paper.tex"
    paper.write_text(r"\documentclass{article}" + "".join(
        rf"\usepackage{{{p}}}" for p in FRAGMENT_PACKAGES)
        + r"\newtheorem{claim}{Claim}\begin{document}\section{Our result}"
        + r"\begin{claim}A claim of the paper.\end{claim}\appendix"
        + rf"\input{{{section.name}}}\end{{document}}" + "\n")
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           paper.name], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]


# -- typesetting: chktex, the marked sentences, the drawing, the layout of the proof ----------
TEX = sorted((ROOT / "proofs").glob("*.tex"))
LIBRARY = sorted(p for p in (ROOT / "proofs").glob("*.json") if not p.stem.endswith("-kh25"))


@pytest.mark.parametrize("tex", TEX, ids=lambda p: p.stem)
def test_chktex_reports_no_warning(tex):
    if shutil.which("chktex") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chktex is required in CI (.ci/run installs it)")
        pytest.skip("chktex is not installed")
    proc = subprocess.run(["chktex", "-q", "-v0", str(tex)], capture_output=True, text=True)
    assert proc.stdout.strip() == "", proc.stdout[:2000]


def test_the_only_suppressed_chktex_warning_is_the_dash_inside_a_name():
    for tex in TEX:
        for line in tex.read_text().splitlines():
            if "chktex" in line:
                assert line.endswith(NAME_DASH), line
                assert re.search(r"(\\texttt\{[^}]*|linear:)\d+-\d", line), line


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_marked_sentences_leave_no_mathematics_in_text_mode(path):
    cert = json.loads(path.read_text())
    for c in cert["claims"]:
        if c["type"] == "conservation-law-count":
            texts = [prose.law_statement(c, len(cert["parameters"]), {}, marked=True),
                     prose.search_text(c, marked=True)]
            plain_texts = [c["statement"], prose.search_text(c)]
        else:
            texts = [prose.intrinsic_statement(c, len(cert["parameters"]), [], {}, marked=True),
                     prose.where(c, marked=True)]
            plain_texts = [c["statement"], prose.where(c)]
        for t, p in zip(texts, plain_texts, strict=True):
            assert plain(t) == p  # the JSON's sentence is the marked one without its marks
            for k, part in enumerate(re.split("⟦(.*?)⟧", t)):
                if k % 2 == 0:  # text mode: no formula symbol left outside the marks
                    assert not re.search(r"[θφ∂∇∩⊂≤≥≠−ᵀΣλ]|\bker\b|\bdim\b", part), part
            marked_tex(t).encode("ascii")


def test_closed_form_texts_have_a_marked_form_for_latex():
    from symflow.wording import CLOSED_FORMS, LINEAR_POINT_CHECKS, marked

    for t in CLOSED_FORMS.values():
        for w in [t["name"], t["conditions"], *t["identities"]]:
            assert plain(marked(w)) == w
            marked_tex(marked(w)).encode("ascii")
    for w in LINEAR_POINT_CHECKS:
        assert "⟦" in marked(f"sample 2: {w}")


@pytest.mark.parametrize("formula,latex", [
    ("ker ∂φ(θ0) ∩ ker ∂h(θ0) = {0}", r"\ker \partial\phi(\theta_{0}) \cap \ker \partial h"
                                      r"(\theta_{0}) = \{0\}"),
    ("U₂ᵀU₂ − U₁U₁ᵀ = H", r"U_{2}^\top U_{2} - U_{1}U_{1}^\top = H"),
    ("Lie(W_φ)(θ0) = range ∂φ(θ0)ᵀ", r"\mathrm{Lie}(W_{\phi})(\theta_{0}) = \operatorname{range} "
                                     r"\partial\phi{(\theta_{0})}^\top"),
    ("λ_1 + … + λ_{k−1}", r"\lambda_{1} + \cdots + \lambda_{k-1}"),
    ("M_pq ≡ Σ_{e∈p∩q} θ_e", r"M_{pq} \equiv \sum_{e\in p\cap q} \theta_{e}"),
    ("span{∇φ}", r"\operatorname{span}\{\nabla\phi\}"),
])
def test_math_tex(formula, latex):
    assert math_tex(formula) == latex


def test_a_linear_family_is_one_matrix_identity_with_its_entries():
    text = (ROOT / "proofs" / "linear-2-5-2.tex").read_text()
    assert text.count(r"H_{1} = U_{2}^\top U_{2} - U_{1}U_{1}^\top") == 1
    # 14 of the 5·6/2 entries on and above the diagonal have independent gradients (det H₁ = 0
    # since rank H₁ ≤ 4), and the text says so
    assert text.count(r"{(H_{1})}_{") == 14 + 1  # and the one not listed, named
    assert "$14$ of its $15$ entries on and above the diagonal are listed" in text
    assert ("(the other one, ${(H_{1})}_{5,5}$, is conserved too; by the count, its gradient at "
            "$\\theta_0$ is a combination of theirs)") in text
    assert r"\item" not in text.split(r"\section*{Conservation laws}")[1].split(
        r"\emph{Lower bound.}")[0]


def test_each_point_is_written_once_with_every_use():
    text = (ROOT / "proofs" / "relu-3-2-1.tex").read_text()
    appendix = text.split(r"\subsection*{Points}")[1]
    assert appendix.count("$\\theta^{(1)}$ (integer point; the point $\\theta_0$ of the "
                          "conservation-law claim, from seed $0$; the point of the "
                          "intrinsic-property claim, from seed $0$)") == 1
    assert "$\\theta^{(2)}$" not in appendix
    assert r"W^{(1)} = \begin{pmatrix}" in appendix  # the point as its weight matrices


def test_claims_are_numbered_theorems_with_proofs():
    text = (ROOT / "proofs" / "linear-2-2-2-balanced.tex").read_text()
    assert r"\newtheorem{claim}{Claim}" in text
    assert text.count(r"\begin{claim}") == 2 == text.count(r"\begin{proof}")


def _segments(lay):
    for chain, _ in lay.edges:
        yield from zip(chain, chain[1:], strict=False)


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_the_drawing_never_crosses_a_neuron(path):
    arch = json.loads(path.read_text())["architecture"]
    if arch["kind"] in ("polynomial", "attention"):  # no network to draw
        return
    lay = layout(arch)
    rx, ry = 0.5 * 19 / 72 * 2.54 / 2.2, 0.5 * 19 / 72 * 2.54 / 0.95  # node radius in units
    for a, b in _segments(lay):
        (xa, ya), (xb, yb) = lay.pos[a], lay.pos[b]
        assert xb == xa + 1  # every piece of an edge joins adjacent columns
        for s, (x, y) in lay.pos.items():
            if s in (a, b) or lay.kind[s] == "dummy" or x not in (xa, xb):
                continue
            t = (x + (rx if x == xa else -rx) - xa) / (xb - xa)  # where the segment meets the
            y_at = ya + t * (yb - ya)  # near side of that neuron's column
            assert abs(y_at - y) > ry or not 0 <= t <= 1, (path.stem, a, b, s)


def test_skip_edges_bend_and_biases_are_drawn():
    skip = layout(json.loads((ROOT / "proofs" / "skip.json").read_text())["architecture"])
    long = [c for c, _ in skip.edges if len(c) > 2]
    assert len(long) == 4  # x1→y, x2→y (two dummies each), a1→y, a2→y (one each)
    bias = layout({"kind": "layered-relu", "widths": [2, 3, 1], "bias": True})
    ones = [s for s, k in bias.kind.items() if k == "bias"]
    assert len(ones) == 2 and sum(is_bias for _, is_bias in bias.edges) == 4
    text = figure(layout({"kind": "dag", "inputs": ["x"], "hidden": [["a", "relu"],
                                                                      ["b", "linear"]],
                          "outputs": ["y"], "edges": [["x", "a", "p"], ["a", "b", "q"],
                                                       ["b", "y", "r"]], "biases": []}))
    assert "[relu]" in text and "[linear]" in text and "ReLU neurons" in text


@needs_pdflatex
def test_check_tex_rejects_an_edited_certificate_document(tmp_path):
    from symflow.certificate.verify import check_path

    for name in ("linear-2-2-2.json", "linear-2-2-2.tex"):
        shutil.copy(ROOT / "proofs" / name, tmp_path / name)
    cert = tmp_path / "linear-2-2-2.json"
    assert check_path(cert, tex=True).ok
    tex = tmp_path / "linear-2-2-2.tex"
    text = tex.read_text()
    forged = text.replace("the dynamic property is not decided", "the dynamic property holds")
    assert forged != text
    tex.write_text(forged)
    rep = check_path(cert, tex=True)
    assert not rep.ok and rep.failed.step == "tex"
    tex.unlink()
    rep = check_path(cert, tex=True)
    assert not rep.ok and "missing" in rep.failed.message
    shutil.copy(ROOT / "proofs" / "linear-2-2-2.tex", tex)
    (tmp_path / "linear-2-2-2-section.tex").write_text("% not the rendering\n")
    rep = check_path(cert, tex=True)
    assert not rep.ok and "linear-2-2-2-section.tex" in rep.failed.message


@needs_pdflatex
def test_a_larger_certificate_stays_clean(tmp_path):
    # relu:4-10-4: 160 coordinates (the appendix table), 10 laws of 14 terms (displays that
    # break across pages), D = 80 (points as 10 × 4 matrices), long bracket lists
    from click.testing import CliRunner

    from symflow.cli import cli

    res = CliRunner().invoke(cli, ["certify", "relu:4-10-4", "-o", str(tmp_path), "--no-pdf"])
    assert res.exit_code == 0, res.output
    tex = tmp_path / "relu-4-10-4.tex"
    assert max(len(line) for line in tex.read_text().splitlines()) < 4000  # chktex's limit
    if shutil.which("chktex"):
        proc = subprocess.run(["chktex", "-q", "-v0", str(tex)], capture_output=True, text=True)
        assert proc.stdout.strip() == "", proc.stdout[:2000]
    ok, log = compile_pdf(tex)
    assert ok and "Overfull" not in log, log[-2000:]


def test_parameters_typeset_alike_are_written_as_they_are():
    """x1 and x_1 would both print as x₁ (a formula x₁x₁ for two parameters): both are then
    written in typewriter type, as named."""
    import json
    from pathlib import Path

    from symflow.certificate.latex import Renderer

    c = json.loads((Path(__file__).resolve().parent.parent / "proofs" / "uv.json").read_text())
    c["parameters"], c["phi"] = ["x1", "x_1"], ["x1*x_1"]
    assert Renderer(c, "a.json").tex == {"x1": r"\mathtt{x1}", "x_1": r"\mathtt{x\_1}"}
    c["parameters"] = ["x1", "y_1"]
    assert Renderer(c, "a.json").tex == {"x1": "x_{1}", "y_1": r"y_{\mathrm{1}}"}


@needs_pdflatex
@pytest.mark.skipif(shutil.which("bibtex") is None, reason="bibtex is not installed")
def test_two_fragments_live_inside_a_paper_with_its_own_claims_and_bibliography(tmp_path):
    """Claims continue the paper's numbering, \\ref{symflow:NAME} gives each certificate its
    own number, citations go through the paper's bibliography (the shipped symflow.bib beside
    its own), and no fragment brings a References or an Appendix heading."""
    import symflow

    for spec in ("relu:2-2-1", "linear:2-2-2"):
        symflow.certify(spec, directory=tmp_path, pdf=False, fragment=True)
    a, b = (tmp_path / "relu-2-2-1-section.tex").read_text(), (
        tmp_path / "linear-2-2-2-section.tex").read_text()
    for text in (a, b):
        assert "References" not in text and "Appendix" not in text
        assert r"\symflowcite{MPG25}" in text and "[MPG25]" not in text
        assert r"\subsection*{symflow certificate~\thesymflowcertificate: " in text
    claims = a.count(r"\begin{symflowclaim}") + b.count(r"\begin{symflowclaim}")
    (tmp_path / "own.bib").write_text("@misc{Own24, author = {A. Author}, title = {Our own "
                                      "work}, year = {2024}}\n")
    paper = tmp_path / "paper.tex"
    paper.write_text(r"\documentclass{article}" + "".join(
        rf"\usepackage{{{p}}}" for p in FRAGMENT_PACKAGES)
        + r"\newtheorem{claim}{Claim}\begin{document}\section{Our result}"
        + r"\begin{claim}\label{paper:first}A claim of ours~\cite{Own24}.\end{claim}"
        + r"See certificates~\ref{symflow:relu-2-2-1} and~\ref{symflow:linear-2-2-2}."
        + r"\section{Certificates}\input{relu-2-2-1-section}\input{linear-2-2-2-section}"
        + r"\begin{claim}\label{paper:last}Another claim.\end{claim}"
        + r"\bibliographystyle{plain}\bibliography{own,symflow}\end{document}" + "\n")

    def tex(*cmd):
        proc = subprocess.run([*cmd], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stdout[-2000:]

    tex("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex")
    tex("bibtex", "paper")
    for _ in range(2):
        tex("pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex")
    aux = (tmp_path / "paper.aux").read_text()
    assert r"\newlabel{symflow:relu-2-2-1}{{1}" in aux
    assert r"\newlabel{symflow:linear-2-2-2}{{2}" in aux
    assert r"\newlabel{paper:first}{{1}" in aux
    assert rf"\newlabel{{paper:last}}{{{{{claims + 2}}}" in aux  # the paper's counter went on
    assert r"\bibcite{Own24}" in aux and r"\bibcite{MPG25}" in aux and r"\bibcite{MGP23}" in aux
    log = (tmp_path / "paper.log").read_text()
    assert "undefined" not in log.split("Output written")[0][-3000:]
