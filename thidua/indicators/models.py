"""Models of the indicators area."""
