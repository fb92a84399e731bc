"""Settings for one person on one machine: the demo and development."""

from .base import *  # noqa: F403
from .base import STATIC_ROOT, STORAGES, VAR_DIR

THIDUA_DEMO_ALLOWED = True
DEBUG = True
SECRET_KEY = "dev-only-not-secret-thidua"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
VAR_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
# Mail (the notifications, error reports) is printed, never sent, on one person's machine.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
