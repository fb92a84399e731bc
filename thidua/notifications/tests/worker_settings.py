"""The test settings, for a worker the test starts: its e-mail goes to the test's SMTP server."""

import os

from thidua.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ["THIDUA_TEST_SMTP_PORT"])
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = "thidua@example.gov.vn"
THIDUA_SITE_URL = "https://thidua.example.gov.vn"
