"""Settings for one person on one machine: the demo and development."""

from .base import *  # noqa: F403
from .base import (
    STATIC_ROOT,
    STORAGES,
    THIDUA_SIGNING_KEY_FILE,
    THIDUA_SIGNING_TRUST_ROOTS,
    VAR_DIR,
)

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
# The demo's signing (thidua/signing/demo.py): `load_demo` makes a certificate authority at load
# time and keeps its root, with the key-encryption key, under var/demo-signing/ (never in the
# repository). Settings from the environment win.
_DEMO_SIGNING = VAR_DIR / "demo-signing"
THIDUA_SIGNING_KEY_FILE = THIDUA_SIGNING_KEY_FILE or str(_DEMO_SIGNING / "signing.key")
if not THIDUA_SIGNING_TRUST_ROOTS and (_DEMO_SIGNING / "root.pem").exists():
    THIDUA_SIGNING_TRUST_ROOTS = [str(_DEMO_SIGNING / "root.pem")]
