"""capdecl.client."""
