"""Settings for benchmark runs: production-like (DEBUG off), plain static files, local only.

The database comes from DATABASE_URL, set by each bench script to its own file or database.
"""

from thidua.settings.base import *  # noqa: F403
from thidua.settings.base import STATIC_ROOT, STORAGES, VAR_DIR

THIDUA_DEMO_ALLOWED = True
DEBUG = False
SECRET_KEY = "bench-only-not-secret-thidua"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Requests are not logged one by one: the load test would measure the console.
LOGGING = {"version": 1, "disable_existing_loggers": False}
VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
ROOT_URLCONF = "bench.urls"
