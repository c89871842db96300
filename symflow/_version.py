"""The version of symflow: the same number as pyproject.toml's (a test compares them)."""

__version__ = "0.1.0"
