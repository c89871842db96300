"""The constants of the structural engine (``structural``), importable without numpy."""

#: the largest prime below 2^26: a product of two residues is below 2^52, and a sum of 2048 such
#: products stays below 2^63, so int64 arithmetic is exact
PRIME = 67108859
#: the widest layer the engine takes (the length of its int64 dot products)
MAX_INNER = 2048
