"""The command line as a user meets it: output, JSON, and one-line errors with exit code 2."""
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from symflow.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_laws_text_output():
    res = run("laws", "relu:3-2-1")
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "D = 8" in out and "d = 6" in out
    assert "2 independent conservation laws (exact)" in out
    assert "h1 = W1_1_1^2 + W1_1_2^2 + W1_1_3^2 - W2_1_1^2" in out
    assert "Exact count" in out


def test_laws_json_is_one_object():
    res = run("laws", "linear:2-3-2", "--json")
    assert res.exit_code == 0
    data = json.loads(res.stdout)
    assert data["count"] == {"lower": 6, "upper": 6, "exact": True, "value": 6,
                             "argument": "bounds", "explicit": 6, "explicit_polynomial": 6,
                             "explicit_logarithmic": 0, "not_explicit": 0}
    assert data["lifting"]["D"] == 12 and data["lifting"]["d"] == 4
    assert len(data["laws"]) == 6 and all(law["verified_identity"] for law in data["laws"])
    assert data["lie"]["dim_at_theta0"] == 6 and data["lie"]["dim_exact"] is True
    assert len(data["lie"]["spanning_brackets"]) == 6
    assert data["point"]["seed"] == 0 and len(data["point"]["theta0"]) == 12


def test_the_exact_count_is_separated_from_the_explicit_laws():
    res = run("laws", "linear:1-2-2-1")
    assert res.exit_code == 0
    assert ("7 independent conservation laws (exact, d = 1): 6 explicit (polynomial); 1 more "
            "exists by Frobenius, not written down") in res.stdout
    data = json.loads(run("laws", "linear:1-2-2-1", "--json").stdout)
    assert data["count"]["value"] == 7 and data["count"]["explicit"] == 6
    assert data["count"]["not_explicit"] == 1 and data["law_search"]["polynomial_degree"] == 4


def test_seed_changes_the_point_not_the_count():
    a = json.loads(run("laws", "relu:2-2-1", "--json", "--seed", "1").stdout)
    b = json.loads(run("laws", "relu:2-2-1", "--json", "--seed", "2").stdout)
    assert a["point"]["theta0"] != b["point"]["theta0"]
    assert a["count"] == b["count"]


def test_examples_from_files(examples):
    res = run("laws", str(examples / "skip.yaml"))
    assert res.exit_code == 0 and "4 independent conservation laws (exact)" in res.stdout
    res = run("laws", str(examples / "uvw.yaml"), "--json")
    assert json.loads(res.stdout)["count"]["value"] == 2


def test_show():
    res = run("show", "linear:2-2-2")
    assert res.exit_code == 0 and "φ1 = U1_1_1*U2_1_1 + U1_2_1*U2_1_2" in res.stdout


BAD_FILES = {
    "cycle.yaml": ("inputs: [x]\nhidden: [h]\noutputs: [y]\n"
                   "edges: ['x -> h', 'h -> y', 'y -> h']\n", "cycle"),
    "disconnected.yaml": ("inputs: [x]\nhidden: [h, g]\noutputs: [y]\n"
                          "edges: ['x -> h', 'h -> y']\n", "disconnected"),
    "dupname.yaml": ("inputs: [x]\nhidden: [h, h]\noutputs: [y]\nedges: ['x -> h', 'h -> y']\n",
                     "duplicate neuron name"),
    "kind.yaml": ("inputs: [x]\nhidden: [{name: h, activation: tanh}]\noutputs: [y]\n"
                  "edges: ['x -> h', 'h -> y']\n", "unknown activation"),
    "unknown.yaml": ("inputs: [x]\nhidden: [h]\noutputs: [y]\nedges: ['x -> h', 'h -> z']\n",
                     "unknown neuron"),
    "nonpoly.yaml": ("parameters: [u, v]\nphi: ['sin(u)*v']\n", "not a polynomial"),
    "division.yaml": ("parameters: [u, v]\nphi: ['u/v']\n", "not a polynomial"),
    "symbol.yaml": ("parameters: [u, v]\nphi: ['u*w']\n", "unknown symbol w"),
    "float.yaml": ("parameters: [u, v]\nphi: ['0.5*u*v']\n", "float"),
    "syntax.yaml": ("parameters: [u, v]\nphi: ['u*(v']\n", "not a valid expression"),
    "code.yaml": ("parameters: [u]\nphi: ['__import__(\"os\").getcwd()']\n", "not allowed"),
    "dupparam.yaml": ("parameters: [u, u]\nphi: ['u']\n", "duplicate parameter"),
    "broken.yaml": ("foo: [1\n", "not valid YAML"),
    "broken.json": ('{"phi": ', "not valid JSON"),
    "empty.yaml": ("", "expected a mapping"),
    "typo.yaml": ("inputs: [x]\nhidden: [h]\noutputs: [y]\nedges: ['x -> h', 'h -> y']\n"
                  "biasses: true\n", "unknown key(s) 'biasses'"),
    "neuronkey.yaml": ("inputs: [x]\nhidden: [{name: h, activaton: linear}]\noutputs: [y]\n"
                       "edges: ['x -> h', 'h -> y']\n", "unknown key(s) 'activaton'"),
    "outact.yaml": ("inputs: [x]\nhidden: [h]\noutputs: [{name: y, activation: relu}]\n"
                    "edges: ['x -> h', 'h -> y']\n", "hidden neurons only"),
    "both.yaml": ("parameters: [u]\nphi: ['u']\nedges: ['a -> b']\n", "not both"),
    "keyword.yaml": ("parameters: [lambda, u]\nphi: ['u']\n", "not a Python keyword"),
    "newline.yaml": ('parameters: ["p\\n", u]\nphi: ["u"]\n', "not a valid identifier"),
    "badname.yaml": ("name: [1, 2]\nparameters: [u]\nphi: ['u']\n", "one-line string"),
    "tower.yaml": ("parameters: [u]\nphi: ['u^2^2^2^2^2']\n", "written as plain numbers"),
    "bigexp.yaml": ("parameters: [u]\nphi: ['u**100']\n", "above the limit of 64"),
    "exprexp.yaml": ("parameters: [u]\nphi: ['10**10**8*u']\n", "written as plain numbers"),
    "nestedpow.yaml": ("parameters: [u]\nphi: ['u*((((9**64)**64)**64)**64)']\n",
                       "coefficients may have more than"),
    "longsum.yaml": ("parameters: [u]\nphi: ['" + "-" * 300 + "u']\n", "nested more than"),
    "bigpow.yaml": ("parameters: [u, v]\nphi: ['(u+v)^100000']\n", "above the limit of 64"),
    "manyterms.yaml": ("parameters: [a, b, c, d, e, f]\nphi: ['(a+b+c+d+e+f)^40']\n",
                       "more than 20000 terms"),
    "digits.yaml": ("parameters: [u]\nphi: ['" + "9" * 80 + "*u']\n", "more than 60 digits"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_malformed_files_exit_2_with_one_line(tmp_path, name):
    text, needle = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text)
    res = run("laws", str(path))
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symflow: error:"), res.stderr
    assert needle in lines[0]
    assert "Traceback" not in res.output


@pytest.mark.parametrize("spec,needle", [
    ("relu:", "whole numbers ≥ 1"), ("relu:3", "at least two widths"),
    ("relu:3--1", "whole numbers ≥ 1"), ("relu:3-0-1", "at least 1"), ("relu:a-b", "whole numbers"),
    ("relu:-3-2", "whole numbers ≥ 1"), ("relu:3_0-1", "whole numbers ≥ 1"),
    ("relu:０3-1", "whole numbers ≥ 1"), ("relu:03-1", "leading zeros"),
    ("relu:3\n-2-1", "whole numbers ≥ 1"), ("tanh:3-2", "unknown network"),
    ("linear:2-2+bias", "no biases"), ("relu:3-2-1+bas", "cannot read"),
    ("missing.yaml", "no such file"),
    ("relu:100-100-100", "--max-params"),
])
def test_malformed_specs_exit_2_with_one_line(spec, needle):
    res = run("laws", spec)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], res.stderr


@pytest.mark.parametrize("args", [
    ["laws", "relu:3-2-1", "--degree", "-1"], ["laws", "relu:3-2-1", "--max-depth", "0"],
    ["laws", "relu:3-2-1", "--seed", "abc"], ["laws", "relu:3-2-1", "--seed", "-1"],
    ["laws"], ["laws", "relu:3-2-1", "--bogus"], ["nosuchcommand"], ["--bogus"],
])
def test_usage_errors_are_one_line(args):
    res = run(*args)
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symflow: error:"), res.stderr


def test_newlines_in_user_text_stay_on_one_line():
    res = run("laws", "foo\nbar")
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1


def test_path_limit_names_its_flag():
    res = run("laws", "relu:10-10-10-10-10", "--max-paths", "1000")
    assert res.exit_code == 2 and "--max-paths" in res.stderr


# -- issue 12: every user error is one line and exit code 2, before any work -------------------
LONG = "relu:" + "-".join(["2"] * 130)


@pytest.mark.parametrize("args,needle", [
    (["laws", LONG], "at most 255 characters"),
    (["simulate", "relu:2-2-1", "--plot", "/nonexistent-dir/a.png"], "does not exist"),
    (["simulate", "relu:2-2-1", "--plot", "flow.txt"], "must end in .png"),
    (["simulate", "relu:2-2-1", "--scale", "inf"], "--scale"),
    (["simulate", "relu:2-2-1", "--scale", "nan"], "finite"),
    (["simulate", "relu:2-2-1", "--time", "nan"], "finite"),
    (["simulate", "relu:2-2-1", "--time", "1e308"], "--time"),
    (["simulate", "relu:2-2-1", "--scale", "1e10"], "--scale"),
    (["simulate", "relu:2-2-1", "--data", "random:100000000000"], "N ≤ 100000"),
    (["sweep", "linear", "--csv", "/nonexistent-dir/a.csv"], "does not exist"),
    (["sweep", "linear", "--executor", "dask", "--scheduler", "garbage"], "address"),
    (["sweep", "linear", "--scheduler", "tcp://127.0.0.1:8786"], "--executor dask"),
    (["intrinsic", "linear:2-2-2", "--init", "balanced", "--at", "p.json"], "cannot be combined"),
    (["intrinsic", "relu:2-2-1", "--samples", "4"], "--samples applies"),
    (["neural-ode", "--depths", "2,x"], "integers"),
])
def test_bad_options_are_one_line_exit_2(args, needle):
    res = run(*args)
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symflow: error:") and needle in lines[0]
    assert "Traceback" not in res.output


def test_deeply_nested_yaml_is_one_line(tmp_path):
    f = tmp_path / "deep.yaml"
    f.write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    res = run("laws", str(f))
    assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1


def test_an_unexpected_failure_is_one_line_not_a_traceback(monkeypatch, capsys):
    from symflow import api
    from symflow import cli as cli_module

    def boom(*_a, **_k):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(api, "lifting", boom)
    monkeypatch.delenv("SYMFLOW_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exc:
        cli_module.main(["laws", "relu:2-2-1"])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error: RuntimeError: kaboom" in err


@pytest.mark.parametrize("args", [
    ["laws", "relu:2-2-1"], ["intrinsic", "relu:2-2-1"], ["homogeneity", "relu:2-2-1"],
    ["show", "relu:2-2-1"], ["zeros", "relu:3-4-1", "--pattern", "PATTERN"],
    ["ncf", "relu:1-1-1", "--data", "DATA"], ["simulate", "uv", "--time", "0.5"],
    ["sweep", "linear", "--count", "2", "--depth", "2", "--width", "2"],
    ["neural-ode", "--depths", "2,4"],
    ["certify", "relu:2-2-1", "-o", "OUT", "--no-pdf"], ["check", "CERT"],
])
def test_every_command_prints_one_json_envelope(tmp_path, args):
    pattern = tmp_path / "p.yaml"
    pattern.write_text("neurons: [h1_2]\n")
    data = tmp_path / "d.yaml"
    data.write_text("x: [[1], [2]]\ny: [[1], [-1]]\n")
    uv = Path(__file__).resolve().parent.parent / "examples" / "uv.yaml"
    cert = Path(__file__).resolve().parent.parent / "proofs" / "uv.json"
    names = {"PATTERN": str(pattern), "DATA": str(data), "uv": str(uv), "OUT": str(tmp_path),
             "CERT": str(cert)}
    args = [names.get(a, a) for a in args]
    res = run(*args, "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["symflow"] and out["command"] == args[0] and isinstance(out["options"], dict)
    assert "spec" in out


def test_the_library_regenerates_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = run("certify", "--library", str(tmp_path / "lib"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "lib" / "skip.json").is_file()


def test_a_skipped_pdf_is_said(tmp_path, monkeypatch):
    import symflow.certificate.latex as latex

    monkeypatch.setattr(latex.shutil, "which", lambda _name: None)
    res = run("certify", "relu:2-2-1", "-o", str(tmp_path))
    assert res.exit_code == 0 and "no PDF: pdflatex not found" in res.stdout


@pytest.mark.parametrize("args,needle", [
    (["show", "linear:10-10-10-10-10-10-10-10-10-10-10"], "--max-terms"),
    (["laws", "relu:10-10-10-10-10-10"], "--max-terms"),
    # the structural engine counts linear:10^11 without φ; these need φ expanded: refused first
    (["intrinsic", "linear:10-10-10-10-10-10-10-10-10-10-10"], "--max-terms"),
    (["certify", "linear:10-10-10-10-10-10-10-10-10-10-10", "-o", "OUT"], "--max-terms"),
    (["simulate", "linear:10-10-10-10-10-10-10-10-10-10-10"], "--max-terms"),
    (["intrinsic", "relu:30-30-30", "--init", "balanced"], "--max-params"),
    (["intrinsic", "linear:20-10-20", "--level", "random"], "--max-params"),
])
def test_sizes_that_drive_the_cost_are_refused_up_front(tmp_path, args, needle):
    res = run(*[str(tmp_path) if a == "OUT" else a for a in args])
    assert res.exit_code == 2 and needle in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_intrinsic_on_a_wide_relu_net_needs_no_dense_jacobian():
    """relu:30-30-30 (d = 27 000 paths): recoverability from D generator values."""
    data = json.loads(run("intrinsic", "relu:30-30-30", "--json").stdout)
    assert data["recoverability"] == "holds" and data["frobenius"] is True


def test_a_deep_linear_net_is_counted_without_expanding_phi():
    """linear:5^8 (φ would have 390 625 terms, above --max-terms): the structural engine."""
    data = json.loads(run("laws", "linear:5-5-5-5-5-5-5-5", "--json").stdout)
    assert data["count"]["value"] == 6 * 15 and data["count"]["argument"] == "bounds"


def test_a_sweep_row_beyond_the_limits_is_an_error_row_not_a_crash():
    res = run("sweep", "linear", "--depth", "2", "--width", "40", "--count", "2", "--json")
    assert res.exit_code == 1  # every row failed
    row = json.loads(res.stdout)["rows"][0]
    assert "--max-params" in row["error"]
    res = run("sweep", "linear", "--depth", "2", "--width", "5", "--count", "1",
              "--max-params", "50", "--json")
    row = json.loads(res.stdout)["rows"][0]
    assert res.exit_code == 0 and row["laws"] == 15 and row["error"] is None


def test_sweep_passes_its_limits_to_every_row():
    res = run("sweep", "relu", "--depth", "2", "--width", "3", "--count", "1",
              "--max-params", "2")
    assert res.exit_code == 1 and "above the limit of 2 (raise it with --max-params)" in res.stdout


@pytest.mark.parametrize("args,needle", [
    (["laws", "relu:3-2-1", "--max-paths", "-5"], "--max-paths"),
    (["intrinsic", "linear:2-2-2", "--level", "random", "--samples", "100000"], "--samples"),
    (["sweep", "relu", "--depth", "99999999999999999999", "--count", "1"], "at most 20"),
    (["sweep", "relu", "--count", "1000000"], "--count"),
    (["intrinsic", "linear:2-2-2", "--level", "random", "--at", "p.json"], "cannot be combined"),
    (["sweep", "relu", "--csv", "/proc/x.csv", "--count", "2"], "not writable"),
    (["certify", "relu:3-2-1", "-o", "/proc"], "cannot write"),
])
def test_review_findings_are_one_line_exit_2(args, needle):
    res = run(*args)
    assert res.exit_code == 2 and needle in res.stderr, res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_a_huge_integer_in_an_input_file_is_a_user_error(tmp_path):
    f = tmp_path / "big.json"
    f.write_text('{"u": ' + "9" * 5000 + ', "v": 1}')
    uv = Path(__file__).resolve().parent.parent / "examples" / "uv.yaml"
    res = run("intrinsic", str(uv), "--at", str(f))
    assert res.exit_code == 2 and res.stderr.startswith("symflow: error:")


def test_check_on_an_unreadable_device_is_unreadable():
    res = run("check", "/proc/self/mem")
    assert res.exit_code == 2 and "UNREADABLE" in res.stderr


def test_check_json_reports_each_file_with_the_same_exit_code(tmp_path):
    bad = tmp_path / "v.json"
    bad.write_text('{"format": "symflow-certificate", "format_version": "5"}')
    proofs = Path(__file__).resolve().parent.parent / "proofs"
    res = run("check", str(proofs / "uv.json"), str(bad), "--json")
    assert res.exit_code == 2
    files = json.loads(res.stdout)["files"]
    assert [f["status"] for f in files] == ["valid", "unreadable"]
    assert "must be the number 5, not the string '5'" in files[1]["message"]


def test_certify_json_names_the_files_and_the_verdicts(tmp_path):
    res = run("certify", "relu:2-2-1", "-o", str(tmp_path), "--no-pdf", "--json")
    assert res.exit_code == 0
    (c,) = json.loads(res.stdout)["certificates"]
    assert Path(c["json"]).is_file() and Path(c["tex"]).is_file() and c["pdf"] is None
    assert c["laws"] == 2 and c["recoverability"] == "holds" and c["checked"] == "valid"


def test_a_long_flat_sum_is_parsed_and_a_longer_one_refused_by_its_size(tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text("parameters: [x, y]\nphi: ['" + "+".join(["x*y"] * 15000) + "']\n")
    res = run("laws", str(ok))
    assert res.exit_code == 0, res.output
    big = tmp_path / "big.yaml"
    big.write_text("parameters: [x, y]\nphi: ['" + "+".join(["x*y"] * 100000) + "']\n")
    res = run("laws", str(big))
    assert res.exit_code == 2 and "more than 20000 terms written" in res.stderr
    assert len(res.stderr) < 300  # the expression is shortened in the message


def test_a_zero_pattern_must_be_a_list_of_names(tmp_path):
    pattern = tmp_path / "p.yaml"
    pattern.write_text('incoming: "h1_2"\n')
    res = run("zeros", "relu:3-4-1", "--pattern", str(pattern))
    assert res.exit_code == 2 and "'incoming' must be a list of names" in res.stderr


@pytest.mark.parametrize("args,needle", [
    (["simulate", "relu:2-2-1", "--max-seconds", "nan"], "--max-seconds must be a finite"),
    (["simulate", "relu:2-2-1", "--scale", "1e-300"], "--scale"),
    (["neural-ode", "--time", "nan"], "--time must be a finite"),
    (["neural-ode", "--depths", "2,2"], "increasing, each depth once"),
    (["neural-ode", "--depths", "2,,4"], "integers separated by commas"),
    (["certify", "--library", "LIB", "--init", "balanced"], "cannot be combined"),
    (["certify", "linear:2-2-2", "--samples", "5", "-o", "LIB"], "--samples applies"),
    (["ncf", "relu:1-1-1", "--data", "EMPTY"], "at least one data point"),
])
def test_more_bad_options_are_one_line_errors(tmp_path, args, needle):
    empty = tmp_path / "empty.yaml"
    empty.write_text("x: []\ny: []\n")
    names = {"LIB": str(tmp_path / "lib"), "EMPTY": str(empty)}
    res = run(*[names.get(a, a) for a in args])
    assert res.exit_code == 2 and needle in res.stderr, res.output
    assert len(res.stderr.strip().splitlines()) == 1


def test_neural_ode_draws_no_conclusion_from_one_depth():
    data = json.loads(run("neural-ode", "--depths", "2", "--json").stdout)
    assert data["gap_like_1_over_L"] is False and data["inaccurate_depths"] == []
    res = run("neural-ode", "--depths", "2")
    assert "do not show a 1/L decrease" in res.stdout and "decreases roughly" not in res.stdout


def test_a_simulation_stopped_early_keeps_the_time_it_reached():
    data = json.loads(run("simulate", "relu:3-3-1+bias", "--data", "random:200", "--time",
                          "1000", "--scale", "100", "--max-seconds", "2", "--json").stdout)
    assert data["time_reached"] > 0 and any("STOPPED EARLY" in n for n in data["notes"])


def test_json_has_no_nan():
    from symflow.cli import _finite_only

    assert _finite_only({"a": [1.0, float("nan")], "b": float("inf")}) == {"a": [1.0, None],
                                                                        "b": None}


def test_the_text_says_when_the_proof_cites_a_lower_search_degree():
    """linear:1-3-3-3-1 is searched to degree 4, but the certificate's wording cites only what its
    checker redoes (degree ≤ 2): the text says so instead of seeming to contradict itself."""
    out = run("laws", "linear:1-3-3-3-1").stdout
    assert "degree 1, 2, 3, 4 computed exactly" in out
    assert "the proof below cites degree ≤ 2" in out and "no polynomial law of degree ≤ 2" in out
