"""Settings for `make demo`: the demo runs as a real installation would, on one machine.

DEBUG is off, so visitors meet thidua's own error pages, static files are collected and
served by WhiteNoise with hashed names, and e-mail goes to the console. The rest is dev's
(SQLite under var/, the demo's fixed secret key, local host names).
"""

import os

from .dev import *  # noqa: F403
from .dev import STORAGES

DEBUG = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# The links in the notification e-mails (printed on the console) lead to the demo's server.
THIDUA_SITE_URL = "http://" + os.environ.get("THIDUA_DEMO_ADDR", "127.0.0.1:8000")
