"""Hostile input and faults: the corpus and the tests that throw it at thidua (not an app)."""
