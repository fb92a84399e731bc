"""Settings for the test suite: fast hashing, plain static files, no lockout noise."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, STATIC_ROOT, STORAGES, VAR_DIR

THIDUA_DEMO_ALLOWED = True
DEBUG = False
SECRET_KEY = "test-only-not-secret-thidua"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
# The suite answers the same whether or not LibreOffice is on this machine: PDF copies are off
# unless a test turns them on (and then it asks for the installed soffice by name).
THIDUA_SOFFICE = ""
# A test that turns PDF copies on gets one-shot conversions; thidua.lib.tests.test_pages turns
# the resident converter on and stops it.
THIDUA_PDF_SERVER = ""
VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not shared-cache memory: concurrent tests then wait for locks the way a real
    # SQLite deployment does, instead of failing at once with "table is locked".
    # One file per test process, so that runs side by side never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-thidua-{os.getpid()}.sqlite3")}
