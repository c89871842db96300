"""Certificates: the model (JSON data), the LaTeX renderer and the independent checker."""
