"""The `thidua` command: the project's manage.py, installed with the package."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        # Settings the operator must fix: the message says which; a traceback would hide it.
        sys.exit(f"thidua: the settings are incomplete: {error}")
    except OperationalError as error:
        sys.exit(
            "thidua: the database cannot be used: "
            f"{str(error).strip()}\nCheck DATABASE_URL and that the database server runs."
        )


if __name__ == "__main__":
    main()
