"""Time and peak memory of `symflow check` (run on demand, never in the tests).

    python benchmarks/bench_check.py            # the cases below, each in a fresh process
    python benchmarks/bench_check.py --plan F…  # predicted and measured seconds per step

Figures (issue "nothing unverified reaches a certificate's text"): every case finishes or is
refused within 60 s and 2 GB. A DAG certificate with 2^40 paths (ReLU or linear neurons) is
refused at once; one with 2^17 paths is rebuilt as canonical texts in seconds (it took 82 s
through SymPy); relu:30-30-1 is checked with --tex in about 8 s (115 s when the LaTeX summary
expanded a dense Poly); a sparse 3 GB file is refused before it is read; 64 points at D = 1000
are refused up front with their predicted cost; certificates at the size limits (d = 2000
coordinates, D = 1000 parameters) are checked within the budget. ``--plan`` prints, for each
certificate, the predicted seconds of each step of ``symflow.certificate.cost.plan`` beside the
measured ones (the calibration of its constants).
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(args: list[str]) -> tuple[float, int, str]:
    """(wall seconds, peak KB of the child, last output line) of one symflow command, in a
    fresh process (the peak is measured by a wrapper process of its own)."""
    probe = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", probe, sys.executable, str(ROOT / "cli.py"),
                           *args], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    err = proc.stderr.strip().splitlines()
    peak = int(err[-1]) if err and err[-1].isdigit() else 0
    out = (proc.stdout.strip() or "\n".join(err[:-1])).splitlines()
    return wall, peak, (out[-1] if out else "")[:110]


def diamonds(n: int) -> dict:
    """A certificate whose DAG has 2^n paths (n diamonds in a row): a few KB of JSON."""
    cert = json.loads((ROOT / "proofs" / "skip.json").read_text())
    edges, hidden, prev = [], [], ["x"]
    for k in range(n):
        layer = [f"a{k}", f"b{k}"]
        hidden += [[v, "relu"] for v in layer]
        edges += [[u, v, f"w_{u}_{v}"] for u in prev for v in layer]
        prev = layer
    edges += [[u, "y", f"w_{u}_y"] for u in prev]
    cert["architecture"] = {"kind": "dag", "name": "diamonds", "inputs": ["x"],
                            "hidden": hidden, "outputs": ["y"], "edges": edges, "biases": []}
    cert["name"] = "diamonds"
    cert["parameters"] = [e[2] for e in edges]
    return cert


def points_certificate(path: Path, n: int = 64, D: int = 1000) -> None:  # noqa: N803
    """The certificate of φ = θ_1 + … + θ_D with its intrinsic claim at n seeded points (a true
    certificate: each point decided by the engine, the claim's sentences regenerated)."""
    sys.path.insert(0, str(ROOT))
    import sympy

    from symflow import prose
    from symflow.certificate.model import build, dumps, intrinsic_claim
    from symflow.certificate.schema import content_hash
    from symflow.counting import conservation_laws
    from symflow.liftings import custom_lifting
    from symflow.properties import intrinsic

    names = [f"x{i}" for i in range(1, D + 1)]
    lf = custom_lifting(f"sum{D}", names, [sympy.Add(*sympy.symbols(names))])
    laws = conservation_laws(lf, seed=0, engine="polynomial")
    cert = build(laws, intrinsic(lf, seed=0, laws=laws, engine="polynomial"))
    claim, arch = cert["claims"][1], cert["architecture"]
    for s in range(1, n):
        r = intrinsic(lf, seed=s, laws=conservation_laws(lf, seed=s, engine="polynomial"),
                      engine="polynomial")
        claim["points"].append(intrinsic_claim(r, arch)["points"][0])
    claim.update(prose.claim_properties(claim["points"]))
    claim["statement"] = prose.intrinsic_statement(claim, D, [False] * n, arch)
    cert["content_hash"] = content_hash(cert)
    path.write_text(dumps(cert))


def dense_lifting(path: Path, D: int = 60, d: int = 6, terms: int = 150) -> None:  # noqa: N803
    """A polynomial lifting of d random coordinates with ``terms`` monomials of degree 2-3 in D
    variables: its brackets of depth 3 span Lie(W_φ); expanded symbolically they would need
    gigabytes, the checker evaluates them from Taylor polynomials at θ0."""
    import random

    rnd = random.Random(5)
    names = [f"t{i}" for i in range(1, D + 1)]
    polys = []
    for _ in range(d):
        monos: set[str] = set()
        while len(monos) < terms:
            monos.add("*".join(sorted(rnd.sample(names, rnd.randint(2, 3)))))
        polys.append(" + ".join(f"{rnd.randint(1, 9)}*{m}" for m in sorted(monos)))
    path.write_text(f"parameters: [{', '.join(names)}]\nphi:\n"
                    + "".join(f"  - '{p}'\n" for p in polys))


def plan_table(files: list[str]) -> None:
    """Predicted against measured seconds, step by step."""
    sys.path.insert(0, str(ROOT))
    from symflow.certificate.check import Limits, Refused
    from symflow.certificate.verify import check_path

    for f in files:
        t = time.perf_counter()
        try:
            rep = check_path(Path(f), Limits(max_seconds=1e6), tex=True)
        except Refused as exc:
            print(f"{Path(f).name:36} refused: {exc}")
            continue
        steps = " ".join(f"{s} {p:.2f}/{m:.2f}" for s, p, m in (rep.budget.log if rep.budget
                                                                 else []))
        print(f"{Path(f).name:36} {time.perf_counter() - t:6.2f}s  {steps}")


def main() -> None:
    if sys.argv[1:2] == ["--plan"]:
        plan_table(sys.argv[2:])
        return
    print(f"# {platform.machine()}, python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "diamonds.json"
        big.write_text(json.dumps(diamonds(40)))
        lin = diamonds(40)
        lin["architecture"]["hidden"] = [[v, "linear"] for v, _ in lin["architecture"]["hidden"]]
        biglin = Path(tmp) / "diamonds-linear.json"
        biglin.write_text(json.dumps(lin))
        d17 = diamonds(17)
        d17["architecture"]["hidden"] = [[v, "linear"] for v, _ in d17["architecture"]["hidden"]]
        mid = Path(tmp) / "diamonds17.json"
        mid.write_text(json.dumps(d17))
        sparse = Path(tmp) / "sparse.json"
        with open(sparse, "wb") as fh:
            fh.truncate(3_000_000_000)
        pts = Path(tmp) / "points64.json"
        points_certificate(pts)
        dense = Path(tmp) / "dense.yaml"
        dense_lifting(dense)
        names = [f"x{i}" for i in range(1, 1001)]
        longsum = Path(tmp) / "longsum.json"
        longsum.write_text(json.dumps({"name": "longsum", "parameters": names,
                                       "phi": [" + ".join(names)]}))
        cases = [
            (f"check 2^40-path DAG ({big.stat().st_size // 1024} KB)", ["check", str(big)]),
            ("check 2^40-path DAG, linear neurons", ["check", str(biglin)]),
            ("check 2^17-path DAG, linear (φ rebuilt)", ["check", str(mid)]),
            ("check a sparse 3 GB file", ["check", str(sparse)]),
            (f"check 64 points at D = 1000 ({pts.stat().st_size // 1024} KB)",
             ["check", str(pts)]),
            ("certify+check a dense polynomial lifting", ["certify", str(dense), "-o", tmp,
                                                            "--no-pdf"]),
            ("certify+check --tex relu:30-30-1", ["certify", "relu:30-30-1", "-o", tmp,
                                                  "--no-pdf"]),
            ("check --tex relu:30-30-1", ["check", "--tex", str(Path(tmp) /
                                                                "relu-30-30-1.json")]),
            (f"check proofs/ ({len(list((ROOT / 'proofs').glob('*.json')))} certificates)",
             ["check", "-q", "proofs"]),
            ("certify+check relu:4-8-8-4 (d = 1024)", ["certify", "relu:4-8-8-4", "-o", tmp,
                                                      "--no-pdf"]),
            ("certify+check relu:10-20-10 (d = 2000)", ["certify", "relu:10-20-10", "-o", tmp,
                                                       "--no-pdf"]),
            ("certify+check sum of 1000 parameters", ["certify", str(longsum.with_suffix(
                ".json")), "-o", tmp, "--no-pdf"]),
        ]
        print(f"{'case':48} {'wall':>8} {'peak MB':>8}  last line")
        for label, args in cases:
            wall, peak, last = run(args)
            print(f"{label:48} {wall:7.2f}s {peak / 1024:8.0f}  {last}")


if __name__ == "__main__":
    main()
