#!/usr/bin/env python
"""Django's command-line utility for thidua (the installed `thidua` command is the same)."""

from thidua.__main__ import main

if __name__ == "__main__":
    main()
