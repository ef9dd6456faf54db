"""capdecl.sandbox."""
