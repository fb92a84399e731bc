"""The dossier's own documents (.docx, signed as PDF): the catalogue of the package's files
(Danh mục hồ sơ) and the supervisor's letter returning a dossier (Phiếu trả lại hồ sơ)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

from thidua.lib import docformat
from thidua.lib.numbers import format_number

from .rules import Entry

ROLE_WORDS = {
    "proposal": "Tờ trình đề nghị khen thưởng",
    "minutes": "Biên bản kiểm phiếu",
    "list": "Danh sách đề nghị khen thưởng",
    "achievement": "Báo cáo thành tích",
    "evidence": "Tài liệu minh chứng",
}


def _save(document: docformat.DocumentObject) -> bytes:
    buffer = io.BytesIO()
    docformat.save(document, buffer)
    return buffer.getvalue()


def catalogue(
    *,
    sender: str,
    receiver: str,
    cluster: str,
    year: int,
    dossier_id: str,
    leader: str,
    entries: Sequence[Entry],
    manifest_sha256: str,
    place: str,
    date: dt.date,
) -> bytes:
    """The Danh mục hồ sơ: every file of the package with its size and SHA-256."""
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(authority=sender, number="", place=place, date=date, symbol="DM"),
    )
    docformat.add_title(document, "DANH MỤC HỒ SƠ", f"đề nghị khen thưởng năm {year} của {cluster}")
    docformat.add_paragraph(
        document,
        f"Kính gửi: {receiver}. Hồ sơ số {dossier_id} gồm các tệp dưới đây; mỗi tệp được nhận "
        "diện bằng mã băm SHA-256 của nó. Tệp manifest.json kèm theo hồ sơ (cũng được đính "
        "trong tệp này) có mã băm SHA-256:",
    )
    docformat.add_paragraph(document, manifest_sha256)
    rows = [
        [
            str(index),
            entry.path,
            ROLE_WORDS.get(entry.role, entry.role),
            format_number(entry.size),
            entry.sha256,
        ]
        for index, entry in enumerate(entries, start=1)
    ]
    docformat.add_table(
        document,
        ["STT", "Tệp", "Loại", "Dung lượng (byte)", "SHA-256"],
        rows,
        widths_mm=(11, 38, 30, 22, 59),
    )
    docformat.add_closing(document, docformat.SignatureBlock(position="CỤM TRƯỞNG", name=leader))
    return _save(document)


def return_letter(
    *,
    supervisor: str,
    sender: str,
    cluster: str,
    year: int,
    dossier_id: str,
    manifest_sha256: str,
    reason: str,
    nominations: Sequence[tuple[str, str]],
    signer: str,
    date: dt.date,
) -> bytes:
    """The Phiếu trả lại hồ sơ: why the supervisor returns the dossier, nominee by nominee."""
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(authority=supervisor, number="", place="Hà Nội", date=date),
    )
    docformat.add_title(document, "PHIẾU TRẢ LẠI HỒ SƠ", f"đề nghị khen thưởng năm {year}")
    docformat.add_paragraph(
        document,
        f"Kính gửi: {sender}, cơ quan thường trực {cluster}. {supervisor} trả lại hồ sơ số "
        f"{dossier_id} (manifest.json có mã băm SHA-256 {manifest_sha256}) vì lý do sau:",
    )
    docformat.add_paragraph(document, reason)
    if nominations:
        docformat.add_table(
            document,
            ["STT", "Đối tượng đề nghị", "Lý do trả lại"],
            [[str(i), name, why] for i, (name, why) in enumerate(nominations, start=1)],
        )
    docformat.add_closing(document, docformat.SignatureBlock(position="THỦ TRƯỞNG", name=signer))
    return _save(document)
