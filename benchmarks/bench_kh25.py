"""Time and peak memory of the KH25 analyses (run on demand, never in the tests).

    python benchmarks/bench_kh25.py

Figures (issue "beyond the origin"): the whole escape analysis of a 2-input, 2-hidden,
1-output relu² net on 4 data points (exact KKT set, three numerical paths, the exact saddle and
its witness, the zero pattern) must take under 60 s and 2 GB, and `ncf` on the same data too;
a non-separable N (an output bias) is refused at the --max-seconds deadline, not left running.
Each case runs in a fresh process. Measured (2 cores): ncf 4.4 s / 94 MB, escape 6.3 s / 151 MB,
escape with the certificate 10.7 s / 159 MB; relu^2:1-2-1 on two points 3.7 s; the output-bias
ncf refused at 60 s (exit 2); laws relu^2:5-5-5-1 0.9 s; certify x^3:3-3-3-1 15 s.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOUR = "x: [[1, 0], [0, 1], [1, 1], [-1, 2]]\ny: [[1], [-1], [2], [1]]\n"
TWO = "x: [[1], [-1]]\ny: [[1], [2]]\n"


def run(args: list[str]) -> tuple[float, int, int]:
    """(wall seconds, peak KB of the child, exit code) of one symflow command."""
    probe = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode, "
             "file=sys.stderr)")
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", probe, sys.executable, str(ROOT / "cli.py"),
                           *args], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t
    peak, code = proc.stderr.strip().splitlines()[-1].split()
    return wall, int(peak), int(code)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        four, two = Path(tmp) / "four.yaml", Path(tmp) / "two.yaml"
        four.write_text(FOUR)
        two.write_text(TWO)
        cases = [
            ["ncf", "relu^2:2-2-1", "--data", str(four)],
            ["escape", "relu^2:2-2-1", "--data", str(four)],
            ["escape", "relu^2:2-2-1", "--data", str(four), "--certificate", str(Path(tmp) / "c")],
            ["escape", "relu^2:1-2-1", "--data", str(two)],
            ["ncf", "relu^2:1-2-1+bias", "--data", str(two)],
            ["laws", "relu^2:5-5-5-1"],
            ["certify", "x^3:3-3-3-1", "--no-pdf", "-o", str(Path(tmp) / "c")],
        ]
        print(f"# {platform.machine()}, Python {platform.python_version()}")
        print(f"{'command':<70} {'seconds':>8} {'MB':>6} exit")
        for args in cases:
            wall, peak, code = run(args)
            shown = " ".join(a if not a.startswith(tmp) else Path(a).name for a in args)
            print(f"{shown:<70} {wall:8.1f} {peak / 1024:6.0f} {code}")


if __name__ == "__main__":
    main()
