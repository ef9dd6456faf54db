"""capdecl.render."""
