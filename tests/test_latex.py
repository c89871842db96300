"""Every certificate of proofs/ compiles, and a fragment compiles inside a paper."""

import shutil
import subprocess
from pathlib import Path

import pytest

from symflow.certificate.latex import FRAGMENT_PACKAGES, compile_pdf

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
