"""Settings for `make demo`: the demo runs as a real installation would, on one machine.

DEBUG is off, so visitors meet thidua's own error pages, static files are collected and
served by WhiteNoise with hashed names, and e-mail goes to the console. The rest is dev's
(SQLite under var/, the demo's fixed secret key, local host names).
"""

from .dev import *  # noqa: F403
from .dev import STORAGES

DEBUG = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
