"""The `capdecl` command line (filled in by capdecl.cli.main)."""

from capdecl.cli.main import main

__all__ = ["main"]
