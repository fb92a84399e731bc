"""A decision's documents: the Quyết định khen thưởng with its attached list, in the Decree 30
format, and the certificates of every holder it grants, one page each, for the print shop.

The wording is Vietnamese and generic where the law's text is not verified (DOMAIN.md): the
office edits it in its own Word template.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from thidua.award_history.models import AwardRecord, Decision
from thidua.errors import ActionRefused, Refusal
from thidua.lib import docformat
from thidua.lib.dates import long_date, place_date

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
# What the decision's signer is called, by the authority that decides.
SIGNER_TITLES = {
    Decision.Authority.MINISTER: "Bộ trưởng",
    Decision.Authority.AGENCY_HEAD: "Thủ trưởng",
}


@dataclass(frozen=True)
class Paper:
    """A certificate's paper: the awarding authority sets its model and size (not verified
    here), so the size is a setting of the batch, A4 landscape unless told."""

    width_mm: float
    height_mm: float
    margin_mm: float = 20


PAPERS = {"a4": Paper(297, 210), "a3": Paper(420, 297, margin_mm=30)}


@dataclass(frozen=True)
class Holder:
    """One line of the attached list, one certificate."""

    award: str
    award_rank: int
    collective: bool
    name: str
    position: str
    unit: str


def holders(decision: Decision) -> list[Holder]:
    """Who the decision grants, by award (in the catalogue's order), collectives first, then
    by name."""
    records = (
        AwardRecord.objects.filter(decision=decision)
        .select_related("award_type", "person", "organization")
        .prefetch_related("person__positions")
    )
    found = []
    for rec in records:
        position = ""
        if rec.person is not None:
            titles = [p.title for p in rec.person.positions.all() if p.title and not p.valid_to]
            position = titles[-1] if titles else ""
        found.append(
            Holder(
                award=rec.award_type.name,
                award_rank=rec.award_type.rank,
                collective=rec.organization is not None,
                name=str(rec.person or rec.organization),
                position=position,
                unit=rec.unit_name if rec.person is not None else "",
            )
        )
    return sorted(found, key=lambda h: (h.award_rank, h.award, not h.collective, h.name))


def _signer_title(decision: Decision) -> str:
    return decision.signer_title or SIGNER_TITLES[Decision.Authority(decision.authority)]


def _authority_line(decision: Decision) -> str:
    """ "BỘ TRƯỞNG BỘ KẾ HOẠCH VÀ ĐẦU TƯ": who decides, in capitals."""
    return f"{_signer_title(decision)} {decision.issuer_name}".upper()


def legal_bases(date: dt.date) -> list[str]:
    """The "Căn cứ" lines of a decision of `date`: the law and decree in force then where
    DOMAIN.md verified them, generic wording before."""
    if date >= dt.date(2024, 1, 1):
        bases = ["Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15 tháng 6 năm 2022;"]
        if date >= dt.date(2025, 7, 1):
            bases.append(
                "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết một số điều "
                "của Luật Thi đua, khen thưởng;"
            )
        else:
            bases.append(
                "Căn cứ Nghị định số 98/2023/NĐ-CP của Chính phủ quy định chi tiết thi hành "
                "Luật Thi đua, khen thưởng;"
            )
        return bases
    return ["Căn cứ Luật Thi đua, khen thưởng và các văn bản quy định chi tiết thi hành;"]


def _count_words(found: Sequence[Holder]) -> str:
    """ "1 tập thể và 2 cá nhân": each counted once, whatever it is granted."""
    collectives = len({(h.name, h.unit) for h in found if h.collective})
    individuals = len({(h.name, h.unit) for h in found if not h.collective})
    parts = [f"{collectives} tập thể"] if collectives else []
    if individuals:
        parts.append(f"{individuals} cá nhân")
    return " và ".join(parts)


def decision_document(decision: Decision) -> bytes:
    """The Quyết định khen thưởng, then its attached list on a new page, as a .docx."""
    found = holders(decision)
    year = decision.year.year
    document = docformat.new_document()
    docformat.add_letterhead(
        document,
        docformat.Letterhead(
            authority=decision.issuer_name,
            number=decision.number,
            place=decision.place or "……",
            date=decision.date,
        ),
    )
    docformat.add_title(document, "Quyết định", f"Về việc khen thưởng năm {year}")
    docformat.add_line(document, _authority_line(decision), size=docformat.BODY_PT, bold=True)
    docformat.add_line(document, "", size=docformat.BODY_PT)
    for basis in [
        *legal_bases(decision.date),
        f"Căn cứ chức năng, nhiệm vụ, quyền hạn của {decision.issuer_name};",
        "Xét đề nghị của Hội đồng Thi đua - Khen thưởng,",
    ]:
        docformat.add_paragraph(document, basis, italic=True)
    docformat.add_line(document, "QUYẾT ĐỊNH:", size=docformat.BODY_PT, bold=True, before=12)
    awards = "; ".join(dict.fromkeys(h.award for h in found))
    articles = [
        f"Điều 1. Tặng danh hiệu thi đua, hình thức khen thưởng ({awards}) cho "
        f"{_count_words(found)} có tên trong danh sách kèm theo Quyết định này, đã có thành "
        f"tích xuất sắc trong phong trào thi đua năm {year}.",
        "Điều 2. Các tập thể, cá nhân có tên tại Điều 1 được nhận bằng, giấy chứng nhận và "
        "tiền thưởng theo quy định hiện hành.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Thủ trưởng các đơn vị có liên quan "
        "và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
    ]
    for article in articles:
        head, _dot, rest = article.partition(". ")
        paragraph = docformat.add_paragraph(document, f"{head}. ")
        paragraph.runs[0].font.bold = True
        body = paragraph.add_run(rest)
        body.font.name = docformat.FONT
        body.font.size = paragraph.runs[0].font.size
    docformat.add_closing(
        document,
        docformat.SignatureBlock(position=_signer_title(decision), name=decision.signer_name),
        docformat.Recipients(items=("Như Điều 3",), archive="Lưu: VT, TĐKT."),
    )
    _attached_list(document, decision, found)
    out = io.BytesIO()
    docformat.save(document, out)
    return out.getvalue()


def _attached_list(document: DocumentObject, decision: Decision, found: Sequence[Holder]) -> None:
    """The danh sách kèm theo: by award, its collectives then its individuals."""
    docformat.add_line(document, "DANH SÁCH", size=docformat.BODY_PT, bold=True, page_break=True)
    docformat.add_line(
        document, "Các tập thể, cá nhân được khen thưởng", size=docformat.BODY_PT, bold=True
    )
    when = long_date(decision.date, official=True)
    docformat.add_line(
        document,
        f"(Kèm theo Quyết định số {decision.number} {when} của {_signer_title(decision)} "
        f"{decision.issuer_name})",
        size=docformat.BODY_PT,
        italic=True,
    )
    awards = list(dict.fromkeys(h.award for h in found))
    for index, award in enumerate(awards):
        docformat.add_heading(
            document, f"{ROMAN[index] if index < len(ROMAN) else index + 1}. {award}"
        )
        of_award = [h for h in found if h.award == award]
        collectives = [h for h in of_award if h.collective]
        individuals = [h for h in of_award if not h.collective]
        number = 1
        if collectives:
            docformat.add_paragraph(document, f"{number}. Tập thể")
            number += 1
            docformat.add_table(
                document,
                ["STT", "Tên tập thể"],
                [[str(i), h.name] for i, h in enumerate(collectives, 1)],
                widths_mm=[12, 148],
                size=13,
            )
        if individuals:
            docformat.add_paragraph(document, f"{number}. Cá nhân")
            docformat.add_table(
                document,
                ["STT", "Họ và tên", "Chức vụ", "Đơn vị"],
                [[str(i), h.name, h.position, h.unit] for i, h in enumerate(individuals, 1)],
                widths_mm=[12, 48, 40, 60],
                size=13,
            )


def certificates(decision: Decision, *, paper: Paper = PAPERS["a4"]) -> bytes:
    """Every holder's certificate, one page each, on `paper`: the award, the holder's name
    (shrunk until it fits two lines), unit, the decision's number and date, and the signer."""
    found = holders(decision)
    if not found:
        raise ActionRefused(
            _("The decision grants no one, so there is no certificate to print."),
            kind=Refusal.NOTHING,
        )
    return lay_out_certificates(decision, found, paper)


def lay_out_certificates(decision: Decision, found: Sequence[Holder], paper: Paper) -> bytes:
    """The certificates of `found`, one page each, as a .docx.

    The first page is laid out through docformat; the others are copies of it with their own
    award, name and unit and the sizes these fit at (laying out each anew takes a second for a
    dozen pages, copying a few milliseconds).
    """
    width = paper.width_mm - 2 * paper.margin_mm
    document = docformat.page_document(paper.width_mm, paper.height_mm, paper.margin_mm)
    body = document.element.body
    lines = [
        docformat.add_line(document, docformat.NATIONAL_TITLE, size=docformat.TITLE_PT, bold=True),
        docformat.add_line(document, docformat.MOTTO, size=docformat.MOTTO_PT, bold=True),
        docformat.add_line(document, _authority_line(decision), size=16, bold=True, before=24),
        docformat.add_line(document, "TẶNG", size=16, bold=True, before=12),
        award := docformat.add_line(document, "-", size=28, bold=True, before=12),
        name := docformat.add_line(document, "-", size=26, bold=True, before=24),
        unit := docformat.add_line(document, "-", size=16),
        docformat.add_line(
            document,
            f"Đã có thành tích xuất sắc trong phong trào thi đua năm {decision.year.year}",
            size=16,
            italic=True,
            before=12,
        ),
        docformat.add_line(
            document,
            f"Quyết định số {decision.number}, {long_date(decision.date, official=True)}",
            size=13,
            before=6,
        ),
        docformat.add_line(
            document,
            place_date(decision.place or "……", decision.date, official=True),
            size=14,
            italic=True,
            before=24,
        ),
        docformat.add_line(document, _signer_title(decision).upper(), size=14, bold=True),
        docformat.add_line(document, decision.signer_name, size=14, bold=True, before=60),
    ]
    model = [line._p for line in lines]
    fields = [lines.index(award), lines.index(name), lines.index(unit)]
    for p in model:
        body.remove(p)
    section = body[-1]  # the section's properties end the body: put back after the pages
    body.remove(section)

    @functools.cache
    def fit(text: str, largest: float, smallest: float) -> float:
        if docformat.bold_width_mm(text, largest) <= width:
            return largest
        return docformat.fitting_size(text, width, largest=largest, smallest=smallest, lines=2)

    for index, holder in enumerate(found):
        page = [copy.deepcopy(p) for p in model]
        body.extend(page)
        paragraphs = [Paragraph(page[i], document._body) for i in fields]
        texts = (
            (holder.award.upper(), 28, 14),
            (holder.name, 26, 10),
            (", ".join(part for part in (holder.position, holder.unit) if part), 16, 10),
        )
        for paragraph, (text, largest, smallest) in zip(paragraphs, texts, strict=True):
            run = paragraph.runs[0]
            run._r.find(qn("w:t")).text = text
            run.font.size = Pt(fit(text, largest, smallest))
        if index > 0:
            Paragraph(page[0], document._body).paragraph_format.page_break_before = True
    body.append(section)
    out = io.BytesIO()
    docformat.save(document, out)
    return out.getvalue()


def decision_filename(decision: Decision) -> str:
    return f"quyet-dinh-khen-thuong-{decision.date.year}-{decision.sequence or decision.pk}.docx"


def certificates_filename(decision: Decision) -> str:
    return f"bang-khen-{decision.date.year}-{decision.sequence or decision.pk}.pdf"
