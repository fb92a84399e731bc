"""Settings for a shared deployment (PostgreSQL, gunicorn behind a web server).

Nothing here falls back to a default that only suits one machine: without the database, the
secret key, the data folder or the host names, thidua refuses to start and says which
variables are missing. See docs/deploy.md for every variable.
"""

import os
from email.utils import getaddresses
from pathlib import Path
from typing import Any, cast

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import LOGGING

REQUIRED = {
    "THIDUA_SECRET_KEY": "a long random value (python3 -c 'import secrets; "
    "print(secrets.token_urlsafe(50))')",
    "DATABASE_URL": "the database, e.g. postgres://thidua:PASSWORD@127.0.0.1:5432/thidua",
    "THIDUA_VAR_DIR": "the data folder (uploaded files, static files), e.g. /var/lib/thidua",
    "THIDUA_ALLOWED_HOSTS": "the site's host names, e.g. thidua.example.gov.vn",
}
missing = [name for name in REQUIRED if not os.environ.get(name, "").strip()]
if missing:
    raise ImproperlyConfigured(
        "thidua.settings.production needs these environment variables: "
        + "; ".join(f"{name}: {REQUIRED[name]}" for name in missing)
        + ". See docs/deploy.md."
    )
_var_dir = Path(os.environ["THIDUA_VAR_DIR"])
if not _var_dir.is_absolute() or not _var_dir.is_dir():
    raise ImproperlyConfigured(
        f"THIDUA_VAR_DIR={_var_dir} must be an absolute path to an existing folder, owned by "
        "the user that runs thidua (install -d -o thidua /var/lib/thidua)."
    )

DEBUG = False
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("THIDUA_SSL_REDIRECT", "1") == "1"
if not SECURE_SSL_REDIRECT:
    # THIDUA_SSL_REDIRECT=0 says the web server in front redirects HTTP to HTTPS itself
    # (docs/deploy.md); Django's warning that it does not would then be a false alarm.
    SILENCED_SYSTEM_CHECKS = ["security.W008"]
# The load balancer asks for the health endpoint over plain HTTP on the local address.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("THIDUA_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("THIDUA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

# Errors by e-mail to the operators, when they are named: THIDUA_ADMINS="Name <a@b.vn>, ...".
ADMINS = [
    (name, address)
    for name, address in getaddresses([os.environ.get("THIDUA_ADMINS", "")])
    if address
]
SERVER_EMAIL = os.environ.get("THIDUA_SERVER_EMAIL", "thidua@localhost")
DEFAULT_FROM_EMAIL = os.environ.get("THIDUA_FROM_EMAIL", SERVER_EMAIL)
EMAIL_HOST = os.environ.get("THIDUA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("THIDUA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("THIDUA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("THIDUA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("THIDUA_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = 10
EMAIL_SUBJECT_PREFIX = "[thidua] "

# One JSON object a line on the standard error, which systemd keeps in the journal.
LOGGING = {
    **LOGGING,
    "formatters": {"json": {"()": "thidua.lib.jsonlog.JsonFormatter"}},
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "loggers": {
        **cast(dict[str, Any], LOGGING["loggers"]),
        # Unhandled errors: of a request (the 500s) under "django", of the worker under
        # "thidua". These replace Django's default handlers for "django", so a mail goes once.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "thidua": {"handlers": ["mail_admins"]},
        # A request for a host name not ours is a scanner, not an error to mail about.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
    },
}

# The site's address in e-mailed links, e.g. https://thidua.example.gov.vn (default: https://
# and the first of THIDUA_ALLOWED_HOSTS).
THIDUA_SITE_URL = os.environ.get("THIDUA_SITE_URL", "")
