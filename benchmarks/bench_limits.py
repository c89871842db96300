"""The frontier of the default limits: time and peak memory of each command on inputs at or
near the limits (D ≤ 2000, d ≤ 10^6, φ ≤ 100 000 terms; a dense intrinsic Jacobian d ≤ 2000;
certificates D ≤ 1000), run as a user
would (a fresh process each). Every run must finish within 60 s and 2 GB, or be refused up front
in one line. Run on demand:

    python benchmarks/bench_limits.py
"""

from __future__ import annotations

import subprocess
import sys
import time

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
    print(f"{'command':58} {'seconds':>8} {'peak MB':>8}  exit")
    for args in CASES:
        secs, mb, code, msg = run(args)
        print(f"{' '.join(args)[:58]:58} {secs:8.2f} {mb:8.0f}  {code} {msg}")


if __name__ == "__main__":
    main()
