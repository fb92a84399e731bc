"""Models of the scoring area."""
