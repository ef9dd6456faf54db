"""capdecl.planner."""
