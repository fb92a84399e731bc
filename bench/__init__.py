"""Benchmarks of thidua at national scale (see README.md); not part of the application."""
