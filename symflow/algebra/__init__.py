"""Exact algebra: polynomials and vector fields (poly), linear algebra (linalg), Lie (lie)."""
