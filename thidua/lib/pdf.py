"""PDF copies of the documents, made by LibreOffice.

LibreOffice takes seconds to start, so thidua keeps one running: a resident converter
(unoserver, which drives LibreOffice over UNO and answers XML-RPC on a loopback port). The
first process that needs a PDF (a web worker, the background worker, a command) starts it in
the background and makes that PDF with a one-shot `soffice --convert-to pdf`; every PDF after
it, from any process, goes to the resident converter, until the process that started it
ends and stops it (the next PDF starts another). unoserver needs LibreOffice's Python
module `uno`, which Debian's python3-uno gives the system Python (/usr/bin/python3) and not
thidua's virtualenv: the converter runs under that Python, and thidua talks to it over XML-RPC.
Where no Python has `uno`, or the converter fails, each PDF is made one-shot.

Settings: THIDUA_SOFFICE names LibreOffice's `soffice` (unset: looked up on PATH; empty: no PDF
copies); THIDUA_PDF_SERVER is the converter's address, "127.0.0.1:2003" (LibreOffice itself
listens on the port below it); empty, every PDF is made one-shot.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import http.client
import importlib.util
import logging
import os
import shutil
import subprocess
import tempfile
import xmlrpc.client
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from thidua.errors import ActionRefused

TIMEOUT_SECONDS = 120
UNO_PYTHONS = (
    "/usr/bin/python3",
    "/usr/lib/libreoffice/program/python",
    "/opt/libreoffice/program/python",
)
logger = logging.getLogger(__name__)
_started: subprocess.Popen[bytes] | None = None


def converter() -> str | None:
    """The path of LibreOffice's `soffice`, or None where it is not installed or turned off.

    THIDUA_SOFFICE names it; unset, it is looked up on PATH; empty, PDF copies are off.
    """
    configured = settings.THIDUA_SOFFICE
    if configured is None:
        return shutil.which("soffice")
    return configured or None


def to_pdf(docx: bytes, *, suffix: str = ".docx") -> bytes | None:
    """The document (a .docx, or an .xlsx with `suffix`) as PDF; None where no converter is
    installed. Raises if conversion fails."""
    soffice = converter()
    if soffice is None:
        return None
    address = _address()
    if address is not None:
        if _answers(address):
            try:
                return _convert_on(address, docx)
            except (OSError, http.client.HTTPException, xmlrpc.client.Error) as failure:
                logger.warning("the resident PDF converter failed: %s", failure)
        else:
            _start(soffice, address)
    return _one_shot(soffice, docx, suffix)


def pdf_of(docx: bytes, *, suffix: str = ".docx") -> bytes:
    """The document as PDF, or refused with a message the user can act on."""
    try:
        data = to_pdf(docx, suffix=suffix)
    except (OSError, subprocess.SubprocessError) as failure:
        logger.warning("LibreOffice failed to make a PDF: %s", failure)
        raise ActionRefused(
            _("LibreOffice could not make the PDF copy. Download the Word file (.docx) instead.")
        ) from None
    if data is None:
        raise ActionRefused(
            _(
                "This server has no LibreOffice, so it makes no PDF copies: download the Word"
                " file (.docx), or ask the administrator to install LibreOffice."
            )
        )
    return data


def response(data: bytes, name: str) -> HttpResponse:
    """The PDF as a download named `name`."""
    answer = HttpResponse(data, content_type="application/pdf")
    answer["Content-Disposition"] = f'attachment; filename="{name}"'
    return answer


def _one_shot(soffice: str, docx: bytes, suffix: str) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"document{suffix}"
        source.write_bytes(docx)
        # A private profile: two conversions at once must not share LibreOffice's lock.
        profile = (Path(folder) / "profile").as_uri()
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                folder,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
        )
        return (Path(folder) / "document.pdf").read_bytes()


# --- the resident converter ------------------------------------------------------------------


def _address() -> tuple[str, int] | None:
    configured = settings.THIDUA_PDF_SERVER
    if not configured:
        return None
    host, _colon, port = configured.rpartition(":")
    return host, int(port)


class _Transport(xmlrpc.client.Transport):
    """XML-RPC over HTTP that gives up after `timeout` seconds instead of waiting forever."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def make_connection(self, host: object) -> http.client.HTTPConnection:
        connection = super().make_connection(host)  # type: ignore[arg-type]
        connection.timeout = self.timeout
        return connection


def _proxy(address: tuple[str, int], timeout: float) -> xmlrpc.client.ServerProxy:
    host, port = address
    return xmlrpc.client.ServerProxy(
        f"http://{host}:{port}", transport=_Transport(timeout), allow_none=True
    )


def _answers(address: tuple[str, int]) -> bool:
    """Whether a converter of the API thidua speaks answers at `address`."""
    try:
        with _proxy(address, 2) as proxy:
            info = proxy.info()
    except (OSError, http.client.HTTPException, xmlrpc.client.Error):
        return False
    return isinstance(info, dict) and info.get("api") == "3"


def _convert_on(address: tuple[str, int], docx: bytes) -> bytes:
    with _proxy(address, TIMEOUT_SECONDS) as proxy:
        # inpath, indata, outpath, convert_to, filtername, filter_options, update_index,
        # infiltername, password: unoserver's API 3.
        result = proxy.convert(
            None, xmlrpc.client.Binary(docx), None, "pdf", None, [], False, None, None
        )
    assert isinstance(result, xmlrpc.client.Binary)
    return result.data


@functools.cache
def uno_python() -> str | None:
    """A Python that has LibreOffice's `uno` module, or None."""
    for candidate in UNO_PYTHONS:
        if not os.access(candidate, os.X_OK):
            continue
        found = subprocess.run(
            [candidate, "-c", "import uno"], capture_output=True, timeout=30, check=False
        )
        if found.returncode == 0:
            return candidate
    return None


def _start(soffice: str, address: tuple[str, int]) -> None:
    """Start the converter in the background, unless another process runs or starts one.

    The converter holds a lock on a file in VAR_DIR (shared by the web server and the worker)
    for as long as it lives, so that one starts at a time.
    """
    global _started
    python = uno_python()
    package = importlib.util.find_spec("unoserver")
    if python is None or package is None or not package.submodule_search_locations:
        return
    host, port = address
    folder = Path(settings.VAR_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"pdf-converter-{port}.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # running, or starting (unoserver takes some seconds before it answers)
        # The system Python finds unoserver where the virtualenv installed it.
        where = Path(next(iter(package.submodule_search_locations))).parent
        with (folder / f"pdf-converter-{port}.log").open("ab") as log:
            _started = subprocess.Popen(
                [
                    python,
                    "-m",
                    "unoserver.server",
                    f"--interface={host}",
                    f"--port={port}",
                    f"--uno-interface={host}",
                    f"--uno-port={port - 1}",
                    f"--executable={soffice}",
                    f"--conversion-timeout={TIMEOUT_SECONDS}",
                ],
                env={**os.environ, "PYTHONPATH": str(where)},
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                pass_fds=(lock.fileno(),),  # the lock lives as long as the converter
                start_new_session=True,
            )
    atexit.register(stop_started)
    logger.info("started the resident PDF converter (pid %s)", _started.pid)


def warm_up() -> bool:
    """Start the resident converter if it is not running; whether it answers now."""
    soffice, address = converter(), _address()
    if soffice is None or address is None:
        return False
    if not _answers(address):
        _start(soffice, address)
    return _answers(address)


def stop_started() -> None:
    """Stop the converter this process started, if it did (at exit, and in the tests)."""
    global _started
    if _started is None:
        return
    _started.terminate()
    try:
        _started.wait(30)
    except subprocess.TimeoutExpired:
        _started.kill()
        _started.wait()
    _started = None
