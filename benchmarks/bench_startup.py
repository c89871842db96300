"""Start-up time of the command line: `symflow --help` and `symflow laws relu:3-2-1`, wall
clock, median of 7 runs.

Target (issue 12): under 0.25 s on the reference machine (2 cores). Heavy modules (SymPy,
SciPy, the intrinsic engine) are imported only by the commands that use them.

    python benchmarks/bench_startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time


def main() -> None:
    # as installed for a user: bytecode cached (a first, untimed run writes it)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for args in (["--help"], ["laws", "relu:3-2-1"]):
        cmd = [sys.executable, "-c", "from symflow.cli import main; main()", *args]
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - t0)
        print(f"symflow {' '.join(args)}: median {statistics.median(times):.3f} s "
              f"(min {min(times):.3f}, max {max(times):.3f})")


if __name__ == "__main__":
    main()
