"""Start-up time of the command line: `symflow --help` and `symflow laws relu:3-2-1`, wall
clock, median of 7 runs.

Target (issue 12): under 0.25 s on the reference machine (2 cores). Heavy modules (SymPy,
SciPy, the intrinsic engine) are imported only by the commands that use them.

    python benchmarks/bench_startup.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def main() -> None:
    for args in (["--help"], ["laws", "relu:3-2-1"]):
        cmd = [sys.executable, "-c", "from symflow.cli import main; main()", *args]
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - t0)
        print(f"symflow {' '.join(args)}: median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f})")


if __name__ == "__main__":
    main()
