"""Log records become one JSON object a line, access records with their parts as fields."""

import json
import logging
import sys

from thidua.lib.jsonlog import JsonFormatter


def line(record: logging.LogRecord) -> dict:
    text = JsonFormatter().format(record)
    assert "\n" not in text
    return json.loads(text)


def test_a_message_keeps_its_vietnamese_and_its_level() -> None:
    record = logging.LogRecord(
        "thidua.jobs", logging.WARNING, __file__, 1, "Đã nhập %s", ("5",), None
    )
    found = line(record)
    assert found["message"] == "Đã nhập 5"
    assert found["level"] == "WARNING" and found["logger"] == "thidua.jobs"
    assert found["time"].endswith("+00:00")


def test_an_access_record_gives_each_part_a_field() -> None:
    atoms = {
        "h": "127.0.0.1",
        "m": "GET",
        "U": "/c/sla/2016/",
        "q": "",
        "H": "HTTP/1.1",
        "s": "200",
        "B": 5120,
        "M": 42,
        "f": "-",
        "a": 'Mozilla/5.0 (\\"quoted\\")',
        "{x-forwarded-for}i": "203.0.113.7",
    }
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(h)s", None, None)
    record.args = atoms  # as gunicorn passes them: one mapping
    found = line(record)
    assert found["status"] == 200 and found["bytes"] == 5120 and found["duration_ms"] == 42
    assert found["path"] == "/c/sla/2016/" and found["method"] == "GET"
    assert found["user_agent"] == 'Mozilla/5.0 ("quoted")'
    assert found["forwarded_for"] == "203.0.113.7"
    assert "referer" not in found and "query" not in found


def test_an_error_carries_its_traceback_in_the_same_line() -> None:
    try:
        raise ValueError("hỏng")
    except ValueError:
        record = logging.LogRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error",
            None,
            sys.exc_info(),
        )
    record.status_code = 500
    found = line(record)
    assert found["status_code"] == 500
    assert "ValueError: hỏng" in found["exception"]
