"""KH25 certificates: written by `symflow escape --certificate`, checked by `symflow check`;
every field that reaches a claim is verified or recomputed, and each forgery is rejected at a
named step."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from symflow.certificate.schema import content_hash
from symflow.certificate.verify import check_certificate, check_path
from symflow.cli import cli

DATA = "x: [[1, 0], [0, 1], [1, 1], [-1, 2]]\ny: [[1], [-1], [2], [1]]\n"


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("kh25")
    (d / "d.yaml").write_text(DATA)
    res = run("escape", "relu^2:2-2-1", "--data", str(d / "d.yaml"), "--deltas", "1e-2,1e-3",
              "--horizon", "30", "--certificate", str(d / "out"))
    assert res.exit_code == 0, res.stderr + res.stdout
    (path,) = (d / "out").glob("*.json")
    return path


def forge(cert: dict, edit) -> dict:  # noqa: ANN001 - a function that edits the copy
    c = json.loads(json.dumps(cert))
    edit(c)
    c["content_hash"] = content_hash(c)
    return c


def test_the_certificate_checks_and_its_document_is_the_rendering(made):
    assert check_path(made).ok
    assert check_path(made, tex=True).ok
    cert = json.loads(made.read_text())
    types = [c["type"] for c in cert["claims"]]
    assert types == ["kkt-set", "saddle", "zero-pattern"]
    assert cert["claims"][0]["count_nonzero_mu"] == 6 and len(cert["claims"][0]["points"]) == 2
    assert cert["claims"][1]["witness"]["kind"] == "descent"
    res = run("check", str(made))
    assert res.exit_code == 0 and "valid" in res.stdout


def _set(path: list, value):  # noqa: ANN001, ANN202
    def edit(c: dict) -> None:
        obj = c
        for key in path[:-1]:
            obj = obj[key]
        obj[path[-1]] = value
    return edit


FORGERIES = [
    ("count", ["claims", 0, "count_nonzero_mu"], 5, "kkt-set"),
    ("coordinate", ["claims", 0, "points", 0, "coordinates", 1], "T", "kkt-points"),
    ("support", ["claims", 0, "points", 0, "support"], ["h1_1", "h1_2"], "kkt-points"),
    ("reducible field", ["claims", 0, "points", 0, "field", "polynomial"], "T^2 - 4",
     "kkt-points"),
    ("interval", ["claims", 0, "points", 0, "field", "interval"], ["0", "1000"], "kkt-points"),
    ("dropped point", ["claims", 0, "points"], [], "second-order"),
    ("statement", ["claims", 0, "statement"], "N(w) is maximal everywhere", "statement"),
    ("saddle point", ["claims", 1, "theta", 4], "1", "saddle"),
    ("saddle loss", ["claims", 1, "loss"], "1", "saddle"),
    ("saddle pattern", ["claims", 1, "on"], [], "saddle"),
    ("witness direction", ["claims", 1, "witness", "direction"], [1, 0, 0, 0, 0, 0], "saddle"),
    ("witness kind", ["claims", 1, "witness", "kind"], "negative-curvature", "saddle"),
    ("witness neuron", ["claims", 1, "witness", "neuron"], "h1_1", "saddle"),
    ("zeros", ["claims", 2, "zeros"], ["W1_1_1"], "zero-pattern"),
    ("invariant", ["claims", 2, "invariant"], False, "zero-pattern"),
    ("data", ["data", "y", 0], [-1], "kkt-set"),
    ("data point", ["data", "y", 2], [1], "kkt-points"),
    ("data shape", ["data", "x", 0], [1], "data"),
    ("evidence text", ["evidence", "gaps"], ["\\input{/etc/passwd}"], "format"),
    ("name", ["name"], "relu^3:2-2-1", "architecture"),
    ("activation", ["architecture", "activation"], "x^2", "architecture"),
]


@pytest.mark.parametrize("what, path, value, step", FORGERIES, ids=[f[0] for f in FORGERIES])
def test_forgeries_are_rejected_at_their_step(made, what, path, value, step):
    cert = json.loads(made.read_text())
    report = check_certificate(forge(cert, _set(path, value)), "forged")
    assert not report.ok and report.failed.step == step, (what, report.failed)


def test_an_altered_evidence_number_breaks_the_hash(made):
    cert = json.loads(made.read_text())
    cert["evidence"]["plateau"] = 1.0
    report = check_certificate(cert, "forged")
    assert not report.ok and report.failed.step == "hash"


def test_an_edited_document_is_rejected(made, tmp_path):
    for f in (made, made.with_suffix(".tex")):
        shutil.copy(f, tmp_path / f.name)
    tex = tmp_path / made.with_suffix(".tex").name
    tex.write_text(tex.read_text().replace("saddle", "minimum", 1))
    report = check_path(tmp_path / made.name, tex=True)
    assert not report.ok and report.failed.step == "tex"
