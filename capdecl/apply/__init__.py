"""capdecl.apply."""
