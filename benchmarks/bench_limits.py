"""The frontier of the default limits: time and peak memory of each command on inputs at or
near the limits (D ≤ 2000, d ≤ 10^6, φ ≤ 100 000 terms; a dense intrinsic Jacobian d ≤ 2000;
certificates D ≤ 1000; laws and the generic ReLU intrinsic D ≤ 12 000), run as a user
would (a fresh process each). Every run must finish within 60 s and 2 GB, or be refused up front
in one line. Run on demand:

    python benchmarks/bench_limits.py
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

TMP = Path("/tmp/symflow-bench")


def dense_dag(n: int, linear: bool = False) -> Path:
    """A DAG of n hidden neurons in a chain, every neuron feeding every later one and the output
    (2^n paths from the input): the --max-terms frontier of a DAG. ``linear``: every other
    neuron is linear (classes of paths, mixing laws)."""
    hidden = [f"h{i}" for i in range(n)]
    edges = [f"x1 -> {h}" for h in hidden] + [f"{h} -> y" for h in hidden]
    edges += [f"{a} -> {b}" for i, a in enumerate(hidden) for b in hidden[i + 1:]]
    kinds = [f"{{name: {h}, activation: linear}}" if linear and i % 2 == 0 else h
             for i, h in enumerate(hidden)]
    lines = [f"name: dense{n}{'-mixed' if linear else ''}", "inputs: [x1]",
             f"hidden: [{', '.join(kinds)}]", "outputs: [y]"]
    lines += ["edges:"] + [f"  - {e}" for e in edges]
    path = TMP / f"dense{n}{'-mixed' if linear else ''}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def big_polynomial(n_vars: int, n_terms: int, degree: int) -> Path:
    """A polynomial lifting with two coordinates of ``n_terms`` random monomials each."""
    rng = random.Random(0)
    names = [f"t{i}" for i in range(n_vars)]

    def poly() -> str:
        return " + ".join("*".join(rng.choice(names) for _ in range(degree))
                          for _ in range(n_terms))

    path = TMP / f"poly{n_terms}.yaml"
    path.write_text(f"name: poly{n_terms}\nparameters: [{', '.join(names)}]\n"
                    f"phi:\n  - {poly()}\n  - {poly()}\n")
    return path

CASES = [
    ["laws", "relu:30-30-30"],
    ["laws", "relu:10-10-10-10-10"],  # 10^5 paths: the --max-terms frontier
    ["laws", "linear:5-5-5-5-5-5-5-5"],  # target < 2 s (φ would have 390 625 terms)
    ["laws", "linear:10-10-10-10-10-10-10-10-10-10-10"],  # target < 10 s, 1 GB
    ["laws", "linear:30-30-30"],
    ["laws", "linear:2-6-6-6-2"],  # brackets of depth 4
    ["laws", "linear:1-10-10-10-10-10-1"],  # d = 1, 10^5 terms
    ["sweep", "linear", "--depth", "10", "--width", "10", "--count", "1"],
    ["homogeneity", "relu:30-30-30"],  # target < 5 s
    ["intrinsic", "relu:30-30-30"],  # target < 30 s
    ["intrinsic", "relu:12-12-12"],
    ["intrinsic", "linear:8-8-8"],
    ["intrinsic", "relu:30-30-30", "--at", "/dev/null"],  # refused: dense Jacobian, d > 2000
    ["certify", "relu:8-8-8", "-o", "/tmp/symflow-bench", "--no-pdf"],
    ["certify", "linear:10-10-10-10-10-10-10-10-10-10-10", "-o", "/tmp/symflow-bench"],
    ["simulate", "relu:2-3-1", "--seed", "2"],
    ["simulate", "examples/skip.yaml"],
    ["simulate", "relu:3-4-1"],
    ["show", "relu:100-100-100"],  # refused: D > 2000
    # issue 21: D ≈ 10^4 exactly, and the rows of its table
    ["laws", "relu:100-100-1"],  # D = 10 100, 100 blocks
    ["laws", "relu:50-50-50-1"],  # D = 5 050, 125 000 paths
    ["laws", "linear:40-40-40-40"],  # D = 4 800
    ["intrinsic", "relu:40-40-40"],  # D = 3 200, 64 000 paths
    ["laws", "linear:40-20-40"],  # was a FLINT abort under ulimit -v 4000000
    ["laws", "linear:2-10-10-2"],  # exact by adaptive depth (was 110..114)
    ["laws", "linear:10-12-11-11-12-10-11-11-11-12-12-10-12"],
    ["laws", "linear:2-30-30-2", "--max-depth", "40"],  # stops at the budget, says why
    ["sweep", "linear", "--depth", "10-12", "--width", "10-12", "--count", "3"],
    ["intrinsic", "linear:20-20-20"],  # refused: predicted kernel cost
    ["intrinsic", "linear:30-30-30"],  # refused
    ["intrinsic", "linear:2-40-40-2"],  # refused
    ["intrinsic", "linear:10-10-10", "--init", "balanced", "--samples", "10"],  # refused
    ["certify", "relu:30-30-1", "-o", "/tmp/symflow-bench", "--no-pdf"],
    ["certify", "relu:12-12-12", "-o", "/tmp/symflow-bench", "--no-pdf"],
]


WRAPPER = ("import resource, sys\nfrom symflow.cli import main\ntry:\n    main()\nfinally:\n"
           "    print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
           "file=sys.stderr)")


def run(args: list[str]) -> tuple[float, float, int, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", WRAPPER, *args], capture_output=True, text=True)
    secs = time.perf_counter() - t0
    lines = proc.stderr.strip().splitlines()
    peak = next((int(x.split()[1]) for x in reversed(lines) if x.startswith("PEAK")), 0)
    errs = [x for x in lines if not x.startswith("PEAK")]
    return secs, peak / 1024, proc.returncode, (errs[-1][:90] if proc.returncode and errs
                                                 else "")


def main() -> None:
    TMP.mkdir(exist_ok=True)
    generated = [
        ["laws", str(dense_dag(15))],  # 2^15 paths
        ["intrinsic", str(dense_dag(10))],
        ["laws", str(dense_dag(12, linear=True))],
        ["certify", str(dense_dag(8)), "-o", str(TMP), "--no-pdf"],
        ["laws", str(big_polynomial(40, 5000, 3))],
        ["intrinsic", str(big_polynomial(40, 5000, 3))],
        ["homogeneity", str(dense_dag(15))],
    ]
    print(f"{'command':58} {'seconds':>8} {'peak MB':>8}  exit")
    for args in CASES + generated:
        secs, mb, code, msg = run(args)
        print(f"{' '.join(args)[:58]:58} {secs:8.2f} {mb:8.0f}  {code} {msg}")


if __name__ == "__main__":
    main()
