"""Text injection: a certificate is untrusted input. Every string field that could carry TeX
(\\input, \\write18, \\openin, \\catcode, comments, unbalanced braces) or a false sentence is
rejected by `symflow check` at a named step, before anything is rendered; and the escaping of
the renderer itself reads no file even when given such text."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from symflow.certificate import latex
from symflow.certificate.schema import content_hash
from symflow.certificate.verify import check_certificate, check_path
from symflow.cli import cli
from symflow.texmath import marked_tex, tex_text

PROOFS = Path(__file__).resolve().parent.parent / "proofs"

PAYLOADS = [r"\input{/etc/hostname}", r"\write18{touch pwned}", r"\openin5=/etc/passwd",
            r"\catcode`\%=12", "% a comment", "# a comment", "}{", "x # , so there are 4 laws"]


def load(name: str) -> dict:
    return json.loads((PROOFS / name).read_text())


def _set(path: list):
    """A mutation appending the payload to the string at ``path`` in the certificate."""
    def mutate(c: dict, payload: str) -> None:
        node = c
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = f"{node[path[-1]]} {payload}"
    return mutate


# (certificate, where the payload goes, the step that must reject it)
FIELDS = {
    "phi of a polynomial lifting": ("uv.json", _set(["phi", 0]), "lifting"),
    "phi of a network": ("relu-3-2-1.json", _set(["phi", 0]), "lifting"),
    "a law": ("uv.json", _set(["claims", 0, "laws", 0, "expression"]), "laws"),
    "a logarithm's factor": ("parabola.json",
                             _set(["claims", 0, "laws", 0, "logs", 0, "factor"]), "laws"),
    "a Darboux candidate": ("cubic.json", _set(["claims", 0, "search", "darboux", 0]), "search"),
    "a law's source": ("relu-3-2-1.json", _set(["claims", 0, "laws", 0, "source"]), "laws"),
    "a family source": ("linear-2-2-2.json", _set(["claims", 0, "laws", 0, "source"]), "laws"),
    "the name": ("uv.json", _set(["name"]), "architecture"),
    "a DAG's name": ("skip.json", _set(["architecture", "name"]), "architecture"),
    "a neuron": ("skip.json", _set(["architecture", "inputs", 0]), "architecture"),
    "an activation": ("skip.json", _set(["architecture", "hidden", 0, 1]), "architecture"),
    "an edge's parameter": ("skip.json", _set(["architecture", "edges", 0, 2]), "architecture"),
    "a parameter": ("uv.json", _set(["parameters", 0]), "format"),
    "a bracket word": ("relu-3-2-1.json", _set(["claims", 0, "brackets", 0, "word"]),
                       "brackets"),
    "a closure word": ("cubic.json", _set(["claims", 0, "lie_closure", "basis", 0]),
                       "brackets"),
    "a number": ("linear-2-2-2-relaxed-balanced.json",
                 _set(["claims", 1, "points", 0, "lambdas", 0]), "format"),
    "a statement": ("uv.json", _set(["claims", 0, "statement"]), "statement"),
    "an intrinsic statement": ("uv.json", _set(["claims", 1, "statement"]), "statement"),
    "a verdict": ("uv.json", _set(["claims", 1, "metric"]), "verdict"),
    "the proof kind": ("uv.json", _set(["claims", 0, "proof"]), "claim"),
    "a closed form's name": ("uv.json", _set(["claims", 1, "closed_forms", 0, "name"]),
                             "closed-forms"),
    "a closed form's check": ("uv.json",
                              _set(["claims", 1, "closed_forms", 0, "identities", 0, "claim"]),
                              "closed-forms"),
    "an init": ("uv.json", _set(["claims", 1, "init"]), "format"),
    "a tool version": ("uv.json", _set(["generated_with", "sympy"]), "format"),
    "the hash": ("uv.json", _set(["content_hash"]), "hash"),
}


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("field", list(FIELDS))
def test_injected_text_is_rejected_at_a_named_step(field, payload):
    name, mutate, step = FIELDS[field]
    c = load(name)
    mutate(c, payload)
    if field != "the hash":
        c["content_hash"] = content_hash(c)
    rep = check_certificate(c)
    assert not rep.ok, f"{field}: the injection was accepted"
    assert rep.failed.step == step, rep.failed
    assert rep.failed.message.isprintable()


@pytest.mark.parametrize("field", ["a Darboux candidate", "a law", "a closure word", "the name"])
def test_check_tex_renders_nothing_of_a_forged_certificate(tmp_path, monkeypatch, field):
    """`check --tex` never renders (so never compiles) what it has not verified."""
    name, mutate, _ = FIELDS[field]
    c = load(name)
    mutate(c, r"\input{/etc/hostname}")
    c["content_hash"] = content_hash(c)
    f = tmp_path / name
    f.write_text(json.dumps(c))
    f.with_suffix(".tex").write_text("forged")
    calls = []
    monkeypatch.setattr(latex, "render", lambda *a: calls.append(a) or "")
    monkeypatch.setattr(latex, "render_fragment", lambda *a: calls.append(a) or "")
    assert not check_path(f, tex=True).ok
    res = CliRunner().invoke(cli, ["check", "--tex", str(f)])
    assert res.exit_code == 1 and "INVALID" in res.output
    assert r" \input" not in res.output  # quoted JSON-escaped (" \\input"), never as written
    assert not calls


def test_a_darboux_candidate_cannot_smuggle_a_sentence():
    """The review's forgery: a comment after the polynomial, which the parser ignores, carried a
    false sentence into the checked statement."""
    c = load("cubic.json")
    law = c["claims"][0]
    law["search"]["darboux"] = ["a # , so there are exactly 4 independent laws"]
    from symflow import prose

    law["statement"] = prose.law_statement(law, len(c["parameters"]), c["architecture"])
    c["content_hash"] = content_hash(c)
    rep = check_certificate(c)
    assert not rep.ok and rep.failed.step == "search"


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex not installed")
def test_the_escaping_reads_no_file_when_compiled(tmp_path):
    """Defence in depth: even text that reached the renderer unchecked would be typeset as text,
    not run. The secret file's marker never reaches the log, nor does TeX open it."""
    secret = tmp_path / "secret.tex"
    secret.write_text("SECRETMARKER\n")
    body = []
    for p in PAYLOADS + [r"\input{secret}", r"\openin1=secret \read1 to\x \x"]:
        body.append(tex_text(p) + r"\par")
        body.append(marked_tex(f"text ⟦{p}⟧ more") + r"\par")
    doc = (r"\documentclass{article}\begin{document}" + "\n" + "\n".join(body)
           + "\n" + r"\end{document}" + "\n")
    (tmp_path / "doc.tex").write_text(doc)
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-no-shell-escape",
                           "doc.tex"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert proc.returncode == 0, log[-2000:]
    assert "secret.tex" not in log and "SECRETMARKER" not in log
    assert not (tmp_path / "pwned").exists()
