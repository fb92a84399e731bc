"""Models of the voting area."""
