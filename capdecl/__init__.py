"""capdecl: config-as-code for SensiML / Piccolo AI capture configurations and captures."""

__version__ = "0.1.0.dev0"
