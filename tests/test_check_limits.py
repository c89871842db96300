"""Every limit of `symflow check` is a refusal: exit 2 and status "refused", named by its step,
through the API and the CLI alike; INVALID (exit 1) is kept for false or unsupported
conclusions. Files are checked for their type and size before they are read."""
import json
import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import symflow
from symflow.certificate.schema import content_hash
from symflow.cli import cli

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_check import diamonds  # noqa: E402

PROOFS = ROOT / "proofs"


def load(name: str) -> dict:
    return json.loads((PROOFS / name).read_text())


def forged(c: dict) -> dict:
    c["content_hash"] = content_hash(c)
    return c


def _wide(c):  # D = 11 · 100 = 1100 > 1000
    c["architecture"]["widths"] = [10, 100, 1]
    c["name"] = "relu:10-100-1"


def _points(c):
    pts = c["claims"][1]["points"]
    pts += [dict(pts[0]) for _ in range(70)]


def _deep(c):
    c["claims"][0]["brackets"][0]["word"] = "[g1," * 30 + "g2" + "]" * 30


def _digits(c):
    c["claims"][0]["point"]["theta0"][0] = "7" * 4500


def _degree(c):
    c["claims"][0]["laws"][0]["expression"] = "u^17 - v^2"


def _seed(c):  # a seed of 4001 digits (its point is never generated)
    c["claims"][0]["point"]["seed"] = 10**4000 + 7


def _long(c):
    c["phi"][0] = "u" * 100_001


def _width(c):
    c["architecture"]["widths"] = [1, 10001, 1]
    c["name"] = "relu:1-10001-1"


# (what, certificate, mutation, step, extra CLI flags, what the line names)
CASES = [
    ("D", "relu-3-2-1.json", _wide, "architecture", [], "--max-params"),
    ("d", "relu-3-2-1.json", None, "architecture", ["--max-paths", "5"], "--max-paths"),
    ("paths of a ReLU DAG", None, "relu", "architecture", [], "--max-paths"),
    ("paths of a linear DAG", None, "linear", "architecture", [], "--max-paths"),
    ("points", "relu-3-2-1.json", _points, "format", [], "64"),
    ("word depth", "relu-3-2-1.json", _deep, "brackets", [], "24"),
    ("digits", "relu-3-2-1.json", _digits, "format", [], "4000 digits"),
    ("law degree", "uv.json", _degree, "laws", [], "degree ≤ 16"),
    ("width", "relu-3-2-1.json", _width, "architecture", [], "10000"),
    ("seed digits", "uv.json", _seed, "format", [], "4000 digits"),
    ("text length", "uv.json", _long, "format", [], "100000 characters"),
    ("bytes", "relu-3-2-1.json", None, "file", ["--max-bytes", "100"], "--max-bytes"),
    ("seconds", "relu-3-3-3-bias.json", None, "closed-forms", ["--max-seconds", "0.1"],
     "--max-seconds"),
]


def _file(tmp_path: Path, name, mutate) -> Path:
    if name is None:  # a DAG with 2^40 paths, ReLU or linear neurons: a few KB
        c = diamonds(40)
        if mutate == "linear":
            c["architecture"]["hidden"] = [[v, "linear"] for v, _ in c["architecture"]["hidden"]]
    else:
        c = load(name)
        if mutate is not None:
            mutate(c)
    f = tmp_path / "cert.json"
    f.write_text(json.dumps(forged(c)))
    return f


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_limit_is_a_refusal_in_the_api_and_the_cli(tmp_path, case):
    _, name, mutate, step, flags, named = case
    f = _file(tmp_path, name, mutate)
    kw = {"max_paths": 5} if "--max-paths" in flags else {}
    kw |= {"max_bytes": 100} if "--max-bytes" in flags else {}
    kw |= {"max_seconds": 0.1} if "--max-seconds" in flags else {}
    rep = symflow.check(f, **kw)
    assert rep.status == "refused", rep
    assert rep.failed_step == step, rep
    assert named in rep.message
    res = CliRunner().invoke(cli, ["check", *flags, str(f)])
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith("REFUSED") and f"step '{step}'" in res.stderr
    assert "Traceback" not in res.output


def test_a_predicted_overrun_is_refused_up_front_with_its_figure(tmp_path):
    """The plan is made from the file's sizes before any polynomial is parsed."""
    f = _file(tmp_path, "relu-3-3-3-bias.json", None)
    rep = symflow.check(f, max_seconds=0.1)
    assert rep.status == "refused" and rep.failed_step == "closed-forms"
    assert "predicted" in rep.message and "--max-seconds" in rep.message
    assert symflow.check(f).valid


def test_a_check_that_overruns_its_prediction_is_stopped_at_the_budget(monkeypatch):
    """The safety net: with every prediction set to zero, a check still ends in a refusal at
    the budget, never in a hang."""
    import time

    from symflow.certificate import check as chk
    from symflow.certificate import check_intrinsic, check_laws, cost, verify

    monkeypatch.setattr(cost, "plan", lambda *a: [cost.Work("lifting", 0.0, "")])
    monkeypatch.setattr(verify, "plan", lambda *a: [cost.Work("lifting", 0.0, "")])
    real = chk.rank

    def slow(rows):
        time.sleep(0.3)
        return real(rows)

    for module in (chk, check_laws, check_intrinsic):
        if hasattr(module, "rank"):
            monkeypatch.setattr(module, "rank", slow)
    t = time.monotonic()
    with pytest.raises(chk.Refused, match="ran past its budget"):
        verify.check_certificate(load("relu-3-3-3-bias.json"),
                                 limits=chk.Limits(max_seconds=1.0))
    assert time.monotonic() - t < 3


def test_a_huge_file_is_refused_before_it_is_read(tmp_path):
    f = tmp_path / "huge.json"
    with open(f, "wb") as fh:  # a sparse file: 3 GB that occupy no disk
        fh.truncate(3_000_000_000)
    rep = symflow.check(f)
    assert rep.status == "refused" and rep.failed_step == "file"
    assert "3000000000 bytes" in rep.message


@pytest.mark.parametrize("kind", ["fifo", "directory", "dangling"])
def test_a_tex_that_is_not_a_regular_file_is_rejected_without_reading(tmp_path, kind):
    f = tmp_path / "relu-3-2-1.json"
    f.write_text((PROOFS / "relu-3-2-1.json").read_text())
    tex = tmp_path / "relu-3-2-1.tex"
    if kind == "fifo":
        os.mkfifo(tex)  # reading it would block forever
    elif kind == "directory":
        tex.mkdir()
    else:
        tex.symlink_to(tmp_path / "nowhere.tex")
    rep = symflow.check(f, tex=True)
    assert rep.status == "invalid" and rep.failed_step == "tex"
    assert "not a regular file" in rep.message


def test_a_certificate_that_is_a_fifo_or_a_directory_is_unreadable(tmp_path):
    fifo = tmp_path / "c.json"
    os.mkfifo(fifo)
    assert symflow.check(fifo).status == "unreadable"
    d = tmp_path / "d.json"
    d.mkdir()
    res = CliRunner().invoke(cli, ["check", str(fifo)])
    assert res.exit_code == 2 and "not a regular file" in res.stderr


def test_a_longer_tex_is_rejected_by_its_size(tmp_path):
    f = tmp_path / "uv.json"
    f.write_text((PROOFS / "uv.json").read_text())
    f.with_suffix(".tex").write_text((PROOFS / "uv.tex").read_text() + "%" * 10_000)
    rep = symflow.check(f, tex=True)
    assert rep.status == "invalid" and "bytes" in rep.message


@pytest.mark.parametrize("bad", [{"max_seconds": 0}, {"max_seconds": float("nan")},
                                 {"max_bytes": -1}, {"max_params": True}])
def test_the_api_refuses_bad_limits(bad):
    from symflow.errors import SymflowError

    with pytest.raises(SymflowError, match="must be"):
        symflow.check(PROOFS / "uv.json", **bad)
