"""capdecl.manifest."""
