"""symflow: exact verification of conservation laws and intrinsic dynamics of gradient flows."""

__version__ = "0.1.0"
