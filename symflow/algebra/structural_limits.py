"""The constants of the structural engine (``structural``), importable without numpy."""

#: the largest prime below 2^20: a product of two residues is below 2^40, a sum of 2048 such
#: products stays far below 2^63 (int64 arithmetic is exact), and ranks are taken by BLAS in
#: float64 (``fastrank``: sums of 8192 products below 2^53)
PRIME = 1_048_573
#: the widest layer the engine takes (the length of its int64 dot products)
MAX_INNER = 2048
