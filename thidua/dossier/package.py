"""A package's bytes: the zip written and read safely, and a manifest carried inside a PDF.

Reading never trusts the zip: `thidua.lib.safe_zip` refuses a declared size over the budget
before anything is unpacked, every member name is checked before it is read (none climbing
out, none twice, no more than `rules.MAX_FILES`), and each member is read with a cap on its
size, so a member that unpacks to more than it declares is refused too.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping

from pyhanko.pdf_utils import embed
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from thidua.lib import safe_zip

from . import rules
from .rules import Finding


class PackageRefused(Exception):
    """The package is refused before anything is stored; `findings` say why."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(", ".join(f.code for f in findings))
        self.findings = findings


# The most a package may unpack to: the budget of `safe_zip`, which refuses it unread.
MAX_UNZIPPED_BYTES = safe_zip.MAX_UNZIPPED_BYTES


def write_zip(files: Mapping[str, bytes]) -> bytes:
    """The package: each file stored under its path, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, data in files.items():
            info = zipfile.ZipInfo(path, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def read_zip(content: bytes) -> dict[str, bytes]:
    """Every member of a package, refused whole if the zip is not safe to unpack."""
    try:
        safe_zip.check_archive(content)
    except safe_zip.UnsafeFile:
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise PackageRefused([Finding("not_a_zip")]) from None
        raise PackageRefused([Finding("too_big")]) from None
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            if len(infos) > rules.MAX_FILES:
                raise PackageRefused([Finding("too_many_files", detail=str(len(infos)))])
            findings = rules.check_members([info.filename for info in infos])
            findings += [
                Finding("climbs_out", info.filename)
                for info in infos
                if info.is_dir() or (info.external_attr >> 16) & 0o170000 == 0o120000
            ]
            if findings:
                raise PackageRefused(rules.unique(findings))
            files: dict[str, bytes] = {}
            total = 0
            for info in infos:
                with archive.open(info) as member:
                    data = member.read(info.file_size + 1)
                total += len(data)
                if len(data) > info.file_size or total > MAX_UNZIPPED_BYTES:
                    raise PackageRefused([Finding("too_big")])
                files[info.filename] = data
    except safe_zip.DAMAGED:
        raise PackageRefused([Finding("not_a_zip")]) from None
    return files


def embed_json(pdf: bytes, name: str, data: bytes, description: str) -> bytes:
    """The PDF with `data` attached under `name`, as an incremental update before signing."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = embed.EmbeddedFileObject.from_file_data(
        writer, data=data, mime_type="application/json"
    )
    spec = embed.FileSpec(
        file_spec_string=name, file_name=name, embedded_data=stream, description=description
    )
    embed.embed_file(writer, spec)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def embedded(pdf: bytes, name: str) -> bytes | None:
    """The file attached to the PDF under `name`, if there is one; None if not or unreadable."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        if "/Names" not in reader.root:
            return None
        names = reader.root["/Names"]
        if "/EmbeddedFiles" not in names:
            return None
        listed = names["/EmbeddedFiles"]["/Names"]
        for index in range(0, len(listed) - 1, 2):
            if str(listed[index]) == name:
                spec = listed[index + 1]
                stream = spec["/EF"]["/F"]
                return bytes(stream.data)
    except (PdfError, KeyError, TypeError, ValueError, AttributeError):
        return None
    return None


def fingerprints(pdf: bytes) -> list[str]:
    """The SHA-256 of each signature's certificate, in the order the signatures were made."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        return [sig.signer_cert.sha256.hex() for sig in reader.embedded_signatures]
    except (PdfError, KeyError, TypeError, ValueError, AttributeError):
        return []
