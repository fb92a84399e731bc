"""Fixtures shared by every app's tests: the personas and the browser."""

pytest_plugins = [
    "thidua.testing.personas",
    "thidua.testing.browser",
    "thidua.testing.stamps",
    "thidua.testing.demo",
    "thidua.signing.testing",
]
