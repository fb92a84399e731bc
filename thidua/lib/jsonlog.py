"""Log records as JSON lines, one object a line, for journald and log collectors.

Used by the production settings (Django's own loggers) and by the gunicorn configuration
(thidua/gunicorn_conf.py) for its access and error logs. A gunicorn access record carries the
request's parts as a dict in `record.args`; they become fields of their own, so a collector
never parses a combined log line.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# gunicorn's access-log atoms worth keeping, under the names the JSON line gives them.
ACCESS_FIELDS = {
    "h": "remote_addr",
    "m": "method",
    "U": "path",
    "q": "query",
    "H": "protocol",
    "s": "status",
    "B": "bytes",
    "M": "duration_ms",
    "f": "referer",
    "a": "user_agent",
}
# Extras Django attaches to a request's error record that are worth a field.
EXTRA_FIELDS = ("status_code",)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, and the details."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry["message"] = "access"
            for atom, field in ACCESS_FIELDS.items():
                value = record.args.get(atom)
                if isinstance(value, str):
                    # gunicorn escapes quotes for its own text format; JSON escapes its own.
                    value = value.replace('\\"', '"')
                if value not in (None, "-", ""):
                    entry[field] = _number(value) if atom in "sBM" else value
            forwarded = record.args.get("{x-forwarded-for}i")
            if forwarded not in (None, "-", ""):
                entry["forwarded_for"] = forwarded
        else:
            entry["message"] = record.getMessage()
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if isinstance(path, str):
            entry["path"] = path
            entry["method"] = getattr(request, "method", None)
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _number(value: Any) -> Any:
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
