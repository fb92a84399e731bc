"""gunicorn's settings for thidua: `gunicorn -c python:thidua.gunicorn_conf thidua.wsgi`.

The address and the number of workers come from the command line or the environment
(GUNICORN_CMD_ARGS); what is here is what every deployment wants: access and error logs as
JSON lines on the standard streams (systemd keeps them in the journal), and workers that are
replaced now and then so that a slow leak never grows.
"""

import os

wsgi_app = "thidua.wsgi:application"
bind = os.environ.get("THIDUA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("THIDUA_WEB_WORKERS", "3"))
# Longer than the slowest page (a national report is a background job, not a request).
timeout = 60
graceful_timeout = 30
max_requests = 2000
max_requests_jitter = 200
# Only the reverse proxies thidua trusts (docs/deploy.md) may say which scheme a request came
# with; unset, gunicorn's own default: the local host.
# gunicorn's runtime control socket would live in the service account's home, which systemd
# keeps read-only; thidua is managed through systemctl instead.
control_socket_disable = True
forwarded_allow_ips = os.environ.get("THIDUA_TRUSTED_PROXIES", "127.0.0.1,::1")

logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "thidua.lib.jsonlog.JsonFormatter"}},
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        },
        "error": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
    },
}
