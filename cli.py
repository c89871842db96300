"""Run symflow from a checkout: ``python cli.py laws relu:3-2-1``."""
from symflow.cli import main

main()
