"""Seeded rational evaluation points (pure Python, so the certificate checker can regenerate them).

θ0 for seed s is the first of ``sample_points(s, D, k)``: entries ±randint(1, 30) drawn from
``random.Random(s)``, sign first; the other points are used only to prune bracket exploration.
"""

from __future__ import annotations

import random

POINT_BOUND = 30


def sample_points(seed: int, nvars: int, count: int, bound: int = POINT_BOUND) -> list[list[int]]:
    """Seeded integer points with entries in ±{1..bound}; the first is θ0."""
    rng = random.Random(seed)
    return [
        [rng.choice((-1, 1)) * rng.randint(1, bound) for _ in range(nvars)] for _ in range(count)
    ]
