"""Settings shared by every environment; the environment modules override what differs."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
# A clone of the repository (make demo, make test), as opposed to an installed package.
SOURCE_CHECKOUT = (BASE_DIR.parent / "pyproject.toml").is_file()


def _var_dir() -> Path:
    """The data folder: uploaded files, collected static files, the SQLite database.

    In a clone it defaults to var/ beside the package. An installed package has no such place
    (it would be inside site-packages), so there it must be named.
    """
    configured = os.environ.get("THIDUA_VAR_DIR", "")
    if configured:
        return Path(configured)
    if SOURCE_CHECKOUT:
        return BASE_DIR.parent / "var"
    raise ImproperlyConfigured(
        "Set THIDUA_VAR_DIR to the folder where thidua keeps its data (for example "
        "/var/lib/thidua), and DJANGO_SETTINGS_MODULE=thidua.settings.production for a "
        "shared deployment: see docs/deploy.md."
    )


VAR_DIR = _var_dir()

SECRET_KEY = os.environ.get("THIDUA_SECRET_KEY", "")
# Former keys, still accepted (sessions, and an open poll's sealed ballots): comma-separated.
SECRET_KEY_FALLBACKS = [
    key.strip()
    for key in os.environ.get("THIDUA_SECRET_KEY_FALLBACKS", "").split(",")
    if key.strip()
]
DEBUG = False
# The demo's accounts share a published password: `load_demo` runs only where a setting for
# one machine (dev, test, bench) allows it.
THIDUA_DEMO_ALLOWED = False
ALLOWED_HOSTS = [h for h in os.environ.get("THIDUA_ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "rules",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "thidua.orgs",
    "thidua.cycle",
    "thidua.audit",
    "thidua.indicators",
    "thidua.scoring",
    "thidua.voting",
    "thidua.award_history",
    "thidua.awards",
    "thidua.conference",
    "thidua.maintenance",
    "thidua.api",
    "thidua.demo",
    "thidua.jobs",
    "thidua.notifications",
    "thidua.signing",
    "thidua.dossier",
]

# Long work (imports, the national report, a batch eligibility check) runs as a task, stored
# in the database and run by `thidua worker` (thidua.jobs.worker: django-tasks-db's worker with
# a heartbeat, which fails the jobs of a worker that died).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# LibreOffice's soffice, which makes the PDF copies: unset, looked up on PATH; empty, off.
THIDUA_SOFFICE = os.environ.get("THIDUA_SOFFICE")
# The resident PDF converter (unoserver), started on demand and shared by every process;
# LibreOffice listens on the port below. Empty: each PDF starts LibreOffice afresh.
THIDUA_PDF_SERVER = os.environ.get("THIDUA_PDF_SERVER", "127.0.0.1:2003")
# A worker renews its heartbeat this often; its jobs are failed once it misses its lease.
THIDUA_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("THIDUA_WORKER_HEARTBEAT_SECONDS", "5"))
THIDUA_WORKER_LEASE_SECONDS = float(os.environ.get("THIDUA_WORKER_LEASE_SECONDS", "30"))
# /healthz fails its worker check when no worker has recorded a heartbeat for this long.
THIDUA_WORKER_STALE_AFTER = int(os.environ.get("THIDUA_WORKER_STALE_AFTER", "60"))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "thidua.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "thidua.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "thidua.urls"
WSGI_APPLICATION = "thidua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "thidua.menu.main_menu",
                "thidua.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'thidua.sqlite3'}",
        conn_max_age=int(os.environ.get("THIDUA_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while one writer writes; IMMEDIATE transactions take the write
    # lock up front, so a second writer waits (up to the timeout) instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "orgs.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "thidua.access.AdministrationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Login throttling: five failures lock the username (from that address) for a quarter hour.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25
# Lock a username from one address: colleagues behind one office NAT are not locked out together.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_VERBOSE = False
AXES_RESET_ON_SUCCESS = True
# The client's address as seen through the trusted proxies (THIDUA_TRUSTED_PROXIES below), not
# the proxy's own: behind nginx every client would otherwise share 127.0.0.1.
AXES_CLIENT_IP_CALLABLE = "thidua.lib.client_address.of_request"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("THIDUA_STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("THIDUA_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("THIDUA_LOG_LEVEL", "INFO")},
    # fontTools (the signature boxes' embedded font) warns of every table it leaves out.
    "loggers": {
        "axes": {"level": "WARNING"},
        "fontTools": {"level": "ERROR"},
        # pyHanko logs, with a traceback, each certificate it cannot chain to a trusted root:
        # thidua reports that itself, in the user's words ("not trusted").
        "pyhanko": {"level": "ERROR"},
        "pyhanko_certvalidator": {"level": "ERROR"},
    },
}

# A batch of this many nominations or more (a national eligibility run) reads its history on
# several connections at once; smaller ones (a page's year) read it on the request's own.
THIDUA_PARALLEL_READS_FROM = int(os.environ.get("THIDUA_PARALLEL_READS_FROM", "5000"))
# Processes that judge a batch that large (each over a share of its cluster-years); 1: one.
THIDUA_JUDGE_PROCESSES = int(os.environ.get("THIDUA_JUDGE_PROCESSES", "2"))

# --- Uploads and the client's address (behind a proxy) ---
import ipaddress  # noqa: E402  (kept inside the block it serves)


def _megabytes(name: str, default: str) -> int:
    """An upload limit from the environment, in MB (decimals allowed), as bytes."""
    return round(float(os.environ.get(name, default)) * 1024 * 1024)


def _networks(name: str) -> list[str]:
    """Addresses or networks (CIDRs) from the environment, comma-separated; none by default."""
    entries = os.environ.get(name, "").split(",")
    return [str(ipaddress.ip_network(e.strip(), strict=False)) for e in entries if e.strip()]


def _ports(name: str) -> list[int]:
    """Ports from the environment, comma-separated; the web's own (80, 443) by default."""
    return [int(port) for port in os.environ.get(name, "80,443").split(",") if port.strip()]


# The largest file each kind of upload accepts; a larger one is refused before it is stored
# (thidua.lib.uploads). The web server's own limit must let the largest through.
THIDUA_UPLOAD_LIMITS = {
    "history": _megabytes("THIDUA_UPLOAD_MAX_HISTORY_MB", "20"),
    "workbook": _megabytes("THIDUA_UPLOAD_MAX_WORKBOOK_MB", "1"),
    "template": _megabytes("THIDUA_UPLOAD_MAX_TEMPLATE_MB", "5"),
    "scoring_evidence": _megabytes("THIDUA_UPLOAD_MAX_SCORING_EVIDENCE_MB", "10"),
    "nomination_evidence": _megabytes("THIDUA_UPLOAD_MAX_NOMINATION_EVIDENCE_MB", "20"),
    "signed_pdf": _megabytes("THIDUA_UPLOAD_MAX_SIGNED_PDF_MB", "20"),
    "signing_identity": _megabytes("THIDUA_UPLOAD_MAX_SIGNING_IDENTITY_MB", "1"),
    "dossier": _megabytes("THIDUA_UPLOAD_MAX_DOSSIER_MB", "100"),
}
# Small files stay in memory; larger ones are spooled to disk only up to the largest limit.
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "thidua.lib.uploads.LimitedTemporaryFileUploadHandler",
]
# Every form takes one file; a few more leave room without inviting hundreds in one request.
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# A file a full disk cut short is removed instead of left under MEDIA_ROOT.
STORAGES = {**STORAGES, "default": {"BACKEND": "thidua.lib.uploads.FileSystemStorage"}}

# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated);
# empty: none, the client is REMOTE_ADDR. Read by thidua.lib.client_address, axes included.
THIDUA_TRUSTED_PROXIES = _networks("THIDUA_TRUSTED_PROXIES")

# API tokens: the days a new token lives unless its owner chooses fewer, and the most an owner
# may choose (thidua.api).
THIDUA_API_TOKEN_DAYS = int(os.environ.get("THIDUA_API_TOKEN_DAYS", "90"))
THIDUA_API_TOKEN_MAX_DAYS = int(os.environ.get("THIDUA_API_TOKEN_MAX_DAYS", "365"))
# The API's batches (thidua.api.bulk, docs/api-sync.md): the largest body (413 over it, refused
# before it is read) and the most items one batch holds.
THIDUA_API_BULK_MAX_MB = int(os.environ.get("THIDUA_API_BULK_MAX_MB", "20"))
THIDUA_API_BULK_MAX_ITEMS = int(os.environ.get("THIDUA_API_BULK_MAX_ITEMS", "10000"))
# How long the worker waits for a webhook's receiver (to connect, then for its answer).
THIDUA_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("THIDUA_WEBHOOK_TIMEOUT_SECONDS", "10"))
# Webhooks go only to public addresses, on these ports; the networks (CIDRs, comma-separated,
# none by default) of an internal receiver the administrator lets them reach.
THIDUA_WEBHOOK_ALLOWED_NETWORKS = _networks("THIDUA_WEBHOOK_ALLOWED_NETWORKS")
THIDUA_WEBHOOK_ALLOWED_PORTS = _ports("THIDUA_WEBHOOK_ALLOWED_PORTS")
# How long the API keeps the answer to a write sent with an Idempotency-Key, to replay it.
THIDUA_API_IDEMPOTENCY_HOURS = int(os.environ.get("THIDUA_API_IDEMPOTENCY_HOURS", "24"))

# The key that seals the audited data (thidua.audit.seals). Keep it out of the database and
# its backups; when empty it is derived from THIDUA_SECRET_KEY (docs/security.md).
THIDUA_AUDIT_KEY = os.environ.get("THIDUA_AUDIT_KEY", "")

# Digital signatures (thidua.signing, docs/signing.md). The key-encryption key: a file holding
# 32 random bytes (base64) that encrypts the uploaded PKCS#12 keys at rest; keep it out of the
# database and of its backups. Trusted roots and CRLs: PEM or DER files, separated by ":".
# The PKCS#11 module: the shared library of the token's driver (SoftHSM2 in the tests).
THIDUA_SIGNING_KEY_FILE = os.environ.get("THIDUA_SIGNING_KEY_FILE", "")
THIDUA_SIGNING_TRUST_ROOTS = [
    p for p in os.environ.get("THIDUA_SIGNING_TRUST_ROOTS", "").split(":") if p
]
THIDUA_SIGNING_CRLS = [p for p in os.environ.get("THIDUA_SIGNING_CRLS", "").split(":") if p]
THIDUA_SIGNING_PKCS11_MODULE = os.environ.get(
    "THIDUA_SIGNING_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so"
)
# Revocation lists fetched from the addresses trusted certificates name (docs/signing.md): on
# unless set to 0; only public addresses on these ports, or the networks (CIDRs,
# comma-separated) of an internal authority; a timeout, a size limit, kept at most this long.
THIDUA_SIGNING_FETCH_CRLS = os.environ.get("THIDUA_SIGNING_FETCH_CRLS", "1") != "0"
THIDUA_SIGNING_CRL_ALLOWED_NETWORKS = _networks("THIDUA_SIGNING_CRL_ALLOWED_NETWORKS")
THIDUA_SIGNING_CRL_ALLOWED_PORTS = _ports("THIDUA_SIGNING_CRL_ALLOWED_PORTS")
THIDUA_SIGNING_CRL_TIMEOUT_SECONDS = float(
    os.environ.get("THIDUA_SIGNING_CRL_TIMEOUT_SECONDS", "10")
)
THIDUA_SIGNING_CRL_MAX_MB = float(os.environ.get("THIDUA_SIGNING_CRL_MAX_MB", "10"))
THIDUA_SIGNING_CRL_MAX_AGE_HOURS = float(os.environ.get("THIDUA_SIGNING_CRL_MAX_AGE_HOURS", "24"))
