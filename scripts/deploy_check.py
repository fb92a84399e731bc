"""Deploy thidua exactly as docs/deploy.md says, in a scratch folder, then use it over HTTP.

The doc's shell blocks run top to bottom in one bash session, with three differences, all
printed as they happen:

* places: the doc's absolute paths (/srv/thidua, /etc/thidua, /var/lib/thidua, ...) and
  ports (PostgreSQL's 5432, gunicorn's 8000) are rewritten to a scratch folder and free ports;
* `sudo`, `install -o/-g` and `systemctl` are shell functions: everything runs as this user,
  `sudo -u postgres` talks to a private PostgreSQL started here (password logins over TCP, as
  Debian's), and `systemctl` starts, stops and reloads the processes the repository's unit
  files describe (their ExecStart, EnvironmentFile, ExecStartPost), running a timer's
  service once;
* a block preceded by `<!-- deploy-check: skip (why) -->` is not run, and one preceded by
  `<!-- deploy-check: replace `A` with `B` (why) -->` runs with that change.

Then, over real HTTP through gunicorn with the proxy's headers: the login page, a login, the
home page, a hashed static file, an award-history upload imported by the worker to the end,
and /healthz. Any 500, a log line that is not JSON, or a failed step fails the run.

    .venv/bin/python scripts/deploy_check.py         # from the repository's root
    THIDUA_DEPLOY_KEEP=1 ...                         # keep the scratch folder and its logs
"""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "deploy.md"
HOST = "thidua.example.gov.vn"
PG_BIN = Path(os.environ.get("THIDUA_PG_BIN", "/usr/lib/postgresql/15/bin"))
ADMIN = ("quantri", "Mật-khẩu-thử-triển-khai-2026")
DIRECTIVE = re.compile(r"<!--\s*deploy-check:\s*(.*?)\s*-->", re.S)
REPLACE = re.compile(r"replace `(.*?)` with (?:`(.*?)`|nothing)")


def say(text: str) -> None:
    print(f"deploy-check: {text}", flush=True)


class Failed(Exception):
    """A step of the deployment or of the checks did not go as the doc promises."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the doc --------------------------------------------------------------------------------


@dataclass
class Block:
    heading: str
    code: str
    skip: str = ""


def doc_blocks(text: str) -> list[Block]:
    """The doc's `sh` blocks in order, with the directive written just above each, if any."""
    blocks: list[Block] = []
    heading, directive = "", ""
    lines = iter(text.splitlines())
    for line in lines:
        if line.startswith("#"):
            heading = line.lstrip("# ").strip()
        found = DIRECTIVE.search(line)
        if found:
            directive = found.group(1)
            continue
        if line.startswith("```"):
            info = line[3:].strip()
            body = []
            for inner in lines:
                if inner.startswith("```"):
                    break
                body.append(inner)
            if info == "sh":
                blocks.append(_with_directive(Block(heading, "\n".join(body)), directive))
            directive = ""
        elif line.strip():
            directive = "" if not found else directive
    return blocks


def _with_directive(block: Block, directive: str) -> Block:
    if directive.startswith("skip"):
        block.skip = directive
    elif directive.startswith("replace"):
        found = REPLACE.match(directive)
        if not found or found.group(1) not in block.code:
            raise Failed(f"the directive {directive!r} does not match its block")
        block.code = block.code.replace(found.group(1), found.group(2) or ": replaced")
        say(f"in '{block.heading}': {directive}")
    elif directive and not directive.startswith("run"):
        raise Failed(f"unknown deploy-check directive {directive!r}")
    return block


# --- places ---------------------------------------------------------------------------------


@dataclass
class Places:
    work: Path
    pg_port: int = field(default_factory=free_port)
    web_port: int = field(default_factory=free_port)

    def __post_init__(self) -> None:
        self.rewrites = {
            "/srv/thidua": self.work / "srv",
            "/etc/thidua": self.work / "etc" / "thidua",
            "/etc/systemd/system": self.work / "etc" / "systemd",
            "/var/lib/thidua": self.work / "var",
            "/var/backups/thidua": self.work / "backups",
            "/usr/local/bin": self.work / "bin",
            "127.0.0.1:5432": f"127.0.0.1:{self.pg_port}",
            "127.0.0.1:8000": f"127.0.0.1:{self.web_port}",
        }
        for place in ("srv", "etc/systemd", "bin", "run", "logs"):
            (self.work / place).mkdir(parents=True, exist_ok=True)

    def rewrite(self, text: str) -> str:
        for old, new in self.rewrites.items():
            text = text.replace(old, str(new))
        return text

    @property
    def pg_dir(self) -> Path:
        return self.work / "pg"

    @property
    def env_file(self) -> Path:
        return self.work / "etc" / "thidua" / "thidua.env"

    @property
    def venv(self) -> Path:
        return self.work / "srv" / "venv"


def copy_source(places: Places) -> None:
    """A fresh copy of the repository: its files, none of a developer's .venv or var/."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    target = places.work / "srv" / "src"
    for name in filter(None, listed):
        source = ROOT / name.decode()
        if source.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name.decode())
    say(f"copied {len(listed) - 1} files of the repository to {target}")


# --- a private PostgreSQL, as Debian's asks passwords over TCP ----------------------------------


def as_postgres(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, cwd="/", text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]


def pg_start(places: Places) -> None:
    places.pg_dir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(places.pg_dir, "postgres", "postgres")
    data = places.pg_dir / "data"
    done = as_postgres(
        [
            str(PG_BIN / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-N",
        ]
    )
    if done.returncode:
        raise Failed(f"initdb failed: {done.stdout}{done.stderr}")
    options = f"-h 127.0.0.1 -p {places.pg_port} -k {places.pg_dir} -c fsync=off"
    done = as_postgres(
        [
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(places.pg_dir / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ]
    )
    if done.returncode:
        raise Failed(f"PostgreSQL did not start: {done.stdout}{done.stderr}")
    say(f"private PostgreSQL on 127.0.0.1:{places.pg_port} (scram-sha-256 over TCP)")


def pg_stop(places: Places) -> None:
    if (places.pg_dir / "data" / "postmaster.pid").exists():
        as_postgres(
            [str(PG_BIN / "pg_ctl"), "-D", str(places.pg_dir / "data"), "-m", "fast", "-w", "stop"]
        )


# --- systemd, played from the unit files --------------------------------------------------------


def unit_file(places: Places, name: str) -> dict[str, list[str]]:
    path = places.work / "etc" / "systemd" / name
    if not path.is_file():
        raise Failed(f"systemctl: no unit {name} in /etc/systemd/system (did the doc copy it?)")
    found: dict[str, list[str]] = {}
    for line in path.read_text("utf-8").splitlines():
        if "=" in line and not line.lstrip().startswith(("#", "[")):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def unit_environment(places: Places, unit: dict[str, list[str]]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("THIDUA_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    for name in unit.get("EnvironmentFile", []):
        path = Path(places.rewrite(name.lstrip("-")))
        for line in path.read_text("utf-8").splitlines():
            if "=" in line and not line.startswith("#"):
                key, value = line.split("=", 1)
                env[key.strip()] = value.strip()
    return env


def unit_command(places: Places, line: str) -> list[str]:
    return shlex.split(places.rewrite(line.replace("%%", "%")))


def systemctl(places: Places, args: list[str]) -> None:
    verb = args[0]
    names = [a for a in args[1:] if not a.startswith("-")]
    if verb == "daemon-reload":
        return
    for name in names:
        name = name if "." in name else f"{name}.service"
        if name.endswith(".timer"):
            if verb in ("enable", "start", "restart"):
                run_oneshot(places, name.removesuffix(".timer") + ".service")
            continue
        if verb in ("start", "enable") and (verb == "start" or "--now" in args):
            start_service(places, name)
        elif verb == "stop":
            stop_service(places, name)
        elif verb == "restart":
            stop_service(places, name)
            start_service(places, name)
        elif verb == "reload":
            os.kill(service_pid(places, name), signal.SIGHUP)
            say(f"systemctl: reloaded {name}")


def run_oneshot(places: Places, name: str) -> None:
    unit = unit_file(places, name)
    env = unit_environment(places, unit)
    for key in ("ExecStart", "ExecStartPost"):
        for line in unit.get(key, []):
            command = unit_command(places, line)
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
            log = places.work / "logs" / f"{name}.log"
            with log.open("a") as out:
                out.write(done.stdout + done.stderr)
            if done.returncode:
                raise Failed(
                    f"{name}: {' '.join(command)} exited {done.returncode}: {done.stderr[-2000:]}"
                )
    say(f"systemctl: ran {name} once (its timer's job)")


def start_service(places: Places, name: str) -> None:
    unit = unit_file(places, name)
    command = unit_command(places, unit["ExecStart"][0])
    log = (places.work / "logs" / f"{name}.log").open("a")
    workdir = places.rewrite(unit.get("WorkingDirectory", ["/"])[0])
    process = subprocess.Popen(
        command,
        env=unit_environment(places, unit),
        stdout=log,
        stderr=log,
        cwd=workdir,
        start_new_session=True,
    )
    (places.work / "run" / f"{name}.pid").write_text(str(process.pid))
    time.sleep(1)
    if process.poll() is not None:
        raise Failed(f"{name} stopped at once; its log:\n{tail(places, name)}")
    say(f"systemctl: started {name} (pid {process.pid}): {' '.join(command)}")


def service_pid(places: Places, name: str) -> int:
    return int((places.work / "run" / f"{name}.pid").read_text())


def stop_service(places: Places, name: str, wait: float = 130) -> None:
    pidfile = places.work / "run" / f"{name}.pid"
    if not pidfile.exists():
        return
    pid = int(pidfile.read_text())
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if not alive(pid):
            break
        time.sleep(0.2)
    else:
        os.killpg(pid, signal.SIGKILL)
        raise Failed(f"{name} did not stop within {wait:.0f} s of SIGTERM")
    pidfile.unlink()
    say(f"systemctl: stopped {name}")


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie, ended but not yet reaped, does not)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reaps it when it is our own child
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def tail(places: Places, name: str, lines: int = 40) -> str:
    path = places.work / "logs" / f"{name}.log"
    return (
        "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:]) if path.exists() else ""
    )


# --- the doc, run -------------------------------------------------------------------------------

SHIMS = r"""
set -eu
sudo() {
    local user=root
    while [[ "${1:-}" == -* ]]; do
        case "$1" in -u) user="$2"; shift 2 ;; *) shift ;; esac
    done
    if [[ "$user" == postgres ]]; then
        PGHOST="$DEPLOY_PG_SOCKET" PGPORT="$DEPLOY_PG_PORT" PGUSER=postgres "$@"
    else
        "$@"
    fi
}
install() {
    local args=()
    while (($#)); do
        case "$1" in -o|-g) shift 2 ;; *) args+=("$1"); shift ;; esac
    done
    command install "${args[@]}"
}
systemctl() { "$DEPLOY_PYTHON" "$DEPLOY_SCRIPT" --systemctl "$@"; }
"""


def run_doc(places: Places) -> None:
    script = [SHIMS]
    for number, block in enumerate(doc_blocks(DOC.read_text("utf-8")), 1):
        if block.skip:
            say(f"block {number} ({block.heading}): not run: {block.skip}")
            continue
        script.append(f"echo 'deploy-check: block {number} ({block.heading})'")
        script.append(places.rewrite(block.code))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("THIDUA_", "DJANGO_"))},
        "PATH": f"{places.work / 'bin'}:{os.environ['PATH']}",
        "THIDUA_ENV_FILE": str(places.env_file),
        "THIDUA_VENV": str(places.venv),
        "DEPLOY_PG_SOCKET": str(places.pg_dir),
        "DEPLOY_PG_PORT": str(places.pg_port),
        "DEPLOY_PYTHON": sys.executable,
        "DEPLOY_SCRIPT": str(Path(__file__).resolve()),
        "DEPLOY_WORK": str(places.work),
        "DJANGO_SUPERUSER_USERNAME": ADMIN[0],
        "DJANGO_SUPERUSER_PASSWORD": ADMIN[1],
        "DJANGO_SUPERUSER_EMAIL": "quantri@example.gov.vn",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    env.pop("DATABASE_URL", None)
    env.pop("VIRTUAL_ENV", None)
    (places.work / "deploy.sh").write_text("\n".join(script), "utf-8")
    done = subprocess.run(["bash", str(places.work / "deploy.sh")], env=env, cwd=places.work)
    if done.returncode:
        raise Failed(f"the doc's commands failed (exit {done.returncode}); see above")


def manage(places: Places, *args: str, env: dict[str, str] | None = None) -> str:
    environment = {
        **os.environ,
        "THIDUA_ENV_FILE": str(places.env_file),
        "THIDUA_VENV": str(places.venv),
        **(env or {}),
    }
    done = subprocess.run(
        [str(places.work / "bin" / "thidua-manage"), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode:
        raise Failed(f"thidua-manage {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout


# --- over HTTP ----------------------------------------------------------------------------------


class Browser:
    """Requests as nginx passes them on: the site's host, HTTPS said by X-Forwarded-Proto."""

    def __init__(self, port: int, client: str = "203.0.113.10") -> None:
        self.port = port
        self.client = client
        self.cookies: dict[str, str] = {}
        self.seen: list[tuple[str, int]] = []

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        sent = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.client,
            "User-Agent": "thidua-deploy-check",
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            sent.setdefault("Origin", f"https://{HOST}")
            sent.setdefault("Referer", f"https://{HOST}{path}")
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        self.seen.append((f"{method} {path}", response.status))
        if response.status >= 500:
            raise Failed(f"{method} {path} answered {response.status}")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def get(self, path: str) -> tuple[int, dict[str, str], bytes]:
        return self.request("GET", path)

    def post_form(
        self, path: str, fields: dict[str, str], files: dict[str, tuple[str, bytes]] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        boundary = uuid.uuid4().hex
        out = io.BytesIO()
        for name, value in fields.items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, content) in (files or {}).items():
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
            )
            out.write(content + b"\r\n")
        out.write(f"--{boundary}--\r\n".encode())
        return self.request(
            "POST",
            path,
            out.getvalue(),
            {"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )


def csrf_token(page: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not found:
        raise Failed("no CSRF token in the form")
    return found.group(1).decode()


def history_workbook(rows: int) -> bytes:
    """An award-history file large enough to go to the worker (over 256 KB)."""
    from openpyxl import Workbook

    # The columns the import reads, from the clone's own code (it imports without settings).
    from thidua.award_history.importing import COLUMNS

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(COLUMNS))
    import datetime as dt

    family = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"]
    given = ["Văn An", "Thị Bình", "Hữu Cường", "Thị Dung", "Minh Đức", "Thu Hà", "Quốc Huy"]
    for n in range(rows):
        year = 2010 + n % 6
        sheet.append(
            [
                f"{family[n % 8]} {given[n % 7]} {n}",
                1960 + n % 30,
                "Nam",
                "Sở Kế hoạch và Đầu tư tỉnh Thử Nghiệm",
                "Lao động tiên tiến",
                year,
                f"{n % 90 + 1}/QĐ-SKHĐT",
                dt.date(year + 1, 1, 10),
                "Sở Kế hoạch và Đầu tư tỉnh Thử Nghiệm",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def check_over_http(places: Places) -> None:
    browser = Browser(places.web_port)

    status, _headers, page = browser.get("/accounts/login/")
    if status != 200:
        raise Failed(f"the login page answered {status}")
    say("the login page: 200")

    found = re.search(rb'href="(/static/vendor/pico/pico\.min\.[0-9a-f]{12}\.css)"', page)
    if not found:
        raise Failed("the login page does not name the hashed static file")
    status, headers, _ = browser.get(found.group(1).decode())
    if status != 200 or "immutable" not in headers.get("cache-control", ""):
        raise Failed(f"the hashed static file answered {status}, {headers.get('cache-control')}")
    say(f"a hashed static file: 200, Cache-Control {headers['cache-control']}")

    # Five bad passwords from one client lock the account for that client only.
    stranger = Browser(places.web_port, client="198.51.100.66")
    for _attempt in range(5):
        _status, _headers, form = stranger.get("/accounts/login/")
        stranger.post_form(
            "/accounts/login/",
            {"csrfmiddlewaretoken": csrf_token(form), "username": ADMIN[0], "password": "sai"},
        )
    _status, _headers, form = stranger.get("/accounts/login/")
    status, _headers, _ = stranger.post_form(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(form), "username": ADMIN[0], "password": ADMIN[1]},
    )
    if status == 302:
        raise Failed("five failed logins did not lock the account for the client who made them")
    say(f"five bad logins from one client behind the proxy: that client is refused ({status})")

    status, headers, _ = browser.post_form(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(page), "username": ADMIN[0], "password": ADMIN[1]},
    )
    if status != 302 or "sessionid" not in browser.cookies:
        raise Failed(f"the login from another client answered {status} without a session")
    say("the same account from another client behind the proxy: logged in (302)")

    status, _headers, page = browser.get("/")
    if status != 200 or ADMIN[0].encode() not in page:
        raise Failed(f"the home page answered {status} or does not name the account")
    say("the home page, logged in: 200")

    crawled = crawl(browser, "/", limit=80)
    say(f"every page linked from the home page and the admin, {crawled} in all: none answered 500")

    unit = manage(
        places,
        "shell",
        "--no-imports",
        "-c",
        (
            "from thidua.orgs.actions import do_create_organization; "
            "from thidua.orgs.models import User; "
            "print(do_create_organization(name='Sở Kế hoạch và Đầu tư tỉnh Thử Nghiệm', "
            f"acting_user=User.objects.get(username='{ADMIN[0]}')).pk)"
        ),
    ).strip()
    rows = 9000
    _status, _headers, page = browser.get("/awards/history/import/")
    content = history_workbook(rows)
    status, headers, _ = browser.post_form(
        "/awards/history/import/",
        {"csrfmiddlewaretoken": csrf_token(page)},
        {"upload": ("lich-su-khen-thuong.xlsx", content)},
    )
    job_page = headers.get("location", "")
    if status != 302 or "/jobs/" not in job_page:
        raise Failed(f"the upload of {len(content)} bytes answered {status}, not a job")
    say(f"an award-history upload ({rows} rows, {len(content) // 1024} KB): a job at {job_page}")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        status, _headers, page = browser.get(job_page)
        state = manage(
            places,
            "shell",
            "--no-imports",
            "-c",
            (
                "from thidua.jobs.models import Job; "
                f"print(Job.objects.get(pk='{job_page.rstrip('/').rsplit('/', 1)[-1]}').status)"
            ),
        ).strip()
        if state in ("done", "failed"):
            break
        time.sleep(2)
    if state != "done":
        raise Failed(
            f"the import job ended {state!r}; the worker's log:\n"
            f"{tail(places, 'thidua-worker.service')}"
        )
    imported = manage(
        places,
        "shell",
        "--no-imports",
        "-c",
        ("from thidua.award_history.models import AwardRecord; print(AwardRecord.objects.count())"),
    ).strip()
    if imported != str(rows):
        raise Failed(f"the worker imported {imported} records, not {rows}")
    say(f"the worker imported the file to the end: {imported} award records; job page {status}")
    left = [p for p in (places.work / "var" / "media" / "jobs" / "in").rglob("*") if p.is_file()]
    if left:
        raise Failed(f"the job's input file was kept after it ended: {left}")

    check_restore_seen_by_running_servers(places, browser, unit)

    status, _headers, body = browser.get("/healthz")
    health = json.loads(body)
    if status != 200 or health["status"] != "ok":
        raise Failed(f"/healthz answered {status}: {health}")
    say(f"/healthz: 200 {json.dumps(health['checks'])}")


def crawl(browser: Browser, start: str, limit: int) -> int:
    """GET the site's own pages reachable from `start` and the admin (Browser fails on a 500)."""
    skip = ("/accounts/logout", "/i18n/", "/static/", "/media/", "/api/")
    seen: set[str] = set()
    queue = [start, "/admin/"]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or path.startswith(skip) or "/delete/" in path:
            continue
        seen.add(path)
        status, headers, body = browser.get(path)
        if status != 200 or "text/html" not in headers.get("content-type", ""):
            continue
        for link in re.findall(rb'href="(/[^"#?]*)', body):
            queue.append(link.decode())
    return len(seen)


def check_restore_seen_by_running_servers(places: Places, browser: Browser, unit: str) -> None:
    """Restore the doc's first backup under the running gunicorn and worker: they serve it."""
    status, _headers, _ = browser.get(f"/orgs/{unit}/")
    if status != 200:
        raise Failed(f"the new unit's page answered {status} before the restore")
    backup = places.work / "backups" / "thidua-first.tar"
    said = manage(places, "restore", str(backup))
    say(f"restored {backup.name} under the running services: {said.strip().splitlines()[-1]}")
    # The backup was taken before this account logged in: its session is gone with the rest.
    _status, _headers, page = browser.get("/accounts/login/")
    status, _headers, _ = browser.post_form(
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf_token(page), "username": ADMIN[0], "password": ADMIN[1]},
    )
    for _attempt in range(6):  # each gunicorn worker in turn
        status, _headers, _ = browser.get(f"/orgs/{unit}/")
        if status != 404:
            raise Failed(f"a running server still shows the unit made after the backup ({status})")
    counted = manage(
        places,
        "shell",
        "--no-imports",
        "-c",
        "from thidua.award_history.models import AwardRecord; print(AwardRecord.objects.count())",
    ).strip()
    if counted != "0":
        raise Failed(f"{counted} award records remain after restoring a backup that had none")
    verified = manage(places, "verify_audit").strip().splitlines()[-1]
    say(f"after the restore the running servers answer 404 for the newer unit; {verified}")


def check_logs(places: Places) -> None:
    """gunicorn's access and error logs are JSON lines, and none records a 500."""
    lines = (places.work / "logs" / "thidua-web.service.log").read_text("utf-8").splitlines()
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:
            raise Failed(f"a line of the web log is not JSON: {line[:200]}") from None
        if entry.get("status", 0) >= 500 or entry.get("status_code", 0) >= 500:
            raise Failed(f"the web log records a server error: {line[:500]}")
    accesses = sum(1 for line in lines if '"message": "access"' in line)
    if not accesses:
        raise Failed("the web log has no access lines")
    say(f"the web log: {len(lines)} JSON lines, {accesses} requests, no 500")


def check_installed_package(places: Places) -> None:
    """The installed package refuses to run without a data folder and wrote nothing into itself."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("THIDUA_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(places.venv / "bin" / "thidua"), "check"],
        env=env,
        capture_output=True,
        text=True,
        cwd=places.work,
    )
    if done.returncode == 0 or "THIDUA_VAR_DIR" not in done.stderr:
        raise Failed(f"the installed thidua ran without THIDUA_VAR_DIR: {done.stderr[-500:]}")
    package = next(places.venv.glob("lib/python3*/site-packages/thidua"))
    if (package.parent / "var").exists() or (package / "var").exists():
        raise Failed("something was written into site-packages/var")
    say("without THIDUA_VAR_DIR the installed command refuses; nothing written in site-packages")
    for redirect in ("1", "0"):
        manage(
            places,
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            env={"THIDUA_ENV_FILE": str(with_setting(places, "THIDUA_SSL_REDIRECT", redirect))},
        )
        say(f"check --deploy --fail-level WARNING with THIDUA_SSL_REDIRECT={redirect}: no warning")


def check_units(places: Places) -> None:
    """systemd's own reading of the unit files the doc installed (where systemd-analyze is)."""
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        say("systemd-analyze is not installed: the unit files were only played, not verified")
        return
    folder = places.work / "units"
    folder.mkdir()
    for unit in (places.work / "etc" / "systemd").glob("thidua-*"):
        (folder / unit.name).write_text(places.rewrite(unit.read_text("utf-8")), "utf-8")
    done = subprocess.run(
        [analyze, "verify", *sorted(map(str, folder.iterdir()))], capture_output=True, text=True
    )
    if done.returncode or done.stderr.strip():
        raise Failed(f"systemd-analyze verify: {done.stdout}{done.stderr}")
    say(f"systemd-analyze verify: {len(list(folder.iterdir()))} unit files, no finding")


def with_setting(places: Places, name: str, value: str) -> Path:
    lines = [
        line
        for line in places.env_file.read_text("utf-8").splitlines()
        if not line.startswith(f"{name}=")
    ]
    copy = places.work / "etc" / "thidua" / f"thidua-{name}-{value}.env"
    copy.write_text("\n".join([*lines, f"{name}={value}", ""]), "utf-8")
    return copy


def main() -> int:
    if sys.argv[1:2] == ["--systemctl"]:
        try:
            systemctl(_places(), sys.argv[2:])
        except Failed as failure:
            say(f"systemctl {' '.join(sys.argv[2:])}: {failure}")
            return 1
        return 0
    work = Path(tempfile.mkdtemp(prefix="thidua-deploy."))
    os.chmod(work, 0o755)
    places = Places(work)
    _save(places)
    started = time.monotonic()
    try:
        copy_source(places)
        pg_start(places)
        run_doc(places)
        check_installed_package(places)
        check_units(places)
        check_over_http(places)
        check_logs(places)
    except Failed as failure:
        say(f"FAILED: {failure}")
        for name in ("thidua-web.service", "thidua-worker.service"):
            say(f"the last lines of {name}:\n{tail(places, name)}")
        return 1
    finally:
        for pidfile in (work / "run").glob("*.pid"):
            try:
                stop_service(places, pidfile.stem, wait=150)
            except Failed as failure:
                say(str(failure))
        pg_stop(places)
        if os.environ.get("THIDUA_DEPLOY_KEEP"):
            say(f"kept {work} (THIDUA_DEPLOY_KEEP)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    say(f"the deployment of docs/deploy.md works ({time.monotonic() - started:.0f} s)")
    return 0


def _save(places: Places) -> None:
    (places.work / "run" / "places.json").write_text(
        json.dumps({"pg_port": places.pg_port, "web_port": places.web_port})
    )


def _places() -> Places:
    work = Path(os.environ["DEPLOY_WORK"])
    saved = json.loads((work / "run" / "places.json").read_text())
    return Places(work, saved["pg_port"], saved["web_port"])


if __name__ == "__main__":
    sys.exit(main())
