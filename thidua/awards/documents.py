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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from docxtpl import DocxTemplate
from pypdf import PdfReader, PdfWriter

from thidua.award_history.models import AwardRecord, AwardType, Decision
from thidua.errors import ActionRefused, Refusal
from thidua.lib import docformat, pdf
from thidua.lib.dates import long_date, place_date
from thidua.lib.text import sort_key
from thidua.orgs.rules import exists_on

# Certificates turned into PDF at a time: 500 pages take LibreOffice about 10 s here, well
# within thidua.lib.pdf's 120 s limit on a busy machine (docs/performance.md, h).
PDF_CHUNK = 500
# Up to this many certificates, the page waits for the PDF; more go to a background job.
PAGE_BATCH = 100
CERTIFICATES_JOB = "certificates"  # the kind of background job that prints a big batch
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
    # The certificate's words: "TẶNG DANH HIỆU" a title, "TẶNG" a form, and the award's name
    # without its grantor ("Bằng khen"), who stands above it on the certificate.
    title: bool = False
    short: str = ""


# The catalogue names an award of the ministry-and-province level for every grantor at once;
# a decision names its own: (the catalogue's words, a ministry's, a province's). "{issuer}" is
# the decision's issuer, "Bộ Kế hoạch và Đầu tư" or "Ủy ban nhân dân tỉnh Sơn La".
GRANTOR_WORDS = (
    (
        "của Bộ trưởng, Chủ tịch Ủy ban nhân dân tỉnh cho tập thể",
        "của Bộ trưởng {issuer}",
        "của Chủ tịch {issuer}",
    ),
    (
        "của Bộ trưởng, Chủ tịch Ủy ban nhân dân tỉnh",
        "của Bộ trưởng {issuer}",
        "của Chủ tịch {issuer}",
    ),
    ("của bộ, ngành, tỉnh", "của {issuer}", "của {issuer}"),
    ("cấp bộ, ngành, tỉnh", "cấp bộ", "cấp tỉnh"),
)


def issued_name(name: str, issuer: str) -> str:
    """The award's name as `issuer` grants it: "Bằng khen của Bộ trưởng Bộ Kế hoạch và Đầu
    tư", not the catalogue's "của Bộ trưởng, Chủ tịch Ủy ban nhân dân tỉnh"; unchanged for
    an issuer that is neither a ministry nor a province's people's committee."""
    folded = issuer.casefold()
    if folded.startswith("bộ "):
        column = 1
    elif folded.startswith(("ủy ban nhân dân", "uỷ ban nhân dân")):
        column = 2
    else:
        return name
    for words in GRANTOR_WORDS:
        if words[0] in name:
            return name.replace(words[0], words[column].format(issuer=issuer))
    return name


def _short(name: str, title: bool) -> str:
    """A form's name without its grantor ("Bằng khen"); a title keeps its level."""
    return name if title else name.split(" của ", 1)[0]


def holders(decision: Decision) -> list[Holder]:
    """Who the decision grants, by award (in the catalogue's order, each named as the issuer
    grants it), collectives first, then by unit and name in Vietnamese order."""
    records = (
        AwardRecord.objects.filter(decision=decision)
        .select_related("award_type", "person", "organization")
        .prefetch_related("person__positions__organization")
    )
    end = dt.date(decision.year.year, 12, 31)
    found = []
    for rec in records:
        position, unit = "", rec.unit_name
        if rec.person is not None:
            post = _post_at(list(rec.person.positions.all()), end)
            if post is not None:
                position, unit = post.title, post.organization.name
        award = issued_name(rec.award_type.name, decision.issuer_name)
        title = rec.award_type.category == AwardType.Category.TITLE
        holder = Holder(
            award=award,
            award_rank=rec.award_type.rank,
            collective=rec.organization is not None,
            name=str(rec.person or rec.organization),
            position=position,
            unit=unit if rec.person is not None else "",
            title=title,
            short=_short(award, title),
        )
        found.append((sort_key(rec.unit_name), sort_key(holder.name), holder))
    # The Minister's Bằng khen to collectives and to individuals is one award, one section.
    rank: dict[str, int] = {}
    for _unit, _name, holder in found:
        rank[holder.award] = min(rank.get(holder.award, holder.award_rank), holder.award_rank)
    found.sort(key=lambda f: (rank[f[2].award], f[2].award, not f[2].collective, f[0], f[1]))
    return [holder for _unit, _name, holder in found]


def _post_at(posts: Sequence[Any], day: dt.date) -> Any:
    """The post held on `day` (the award year's last), else the latest still held."""
    for post in reversed(posts):
        if exists_on((post.valid_from, post.valid_to), day):
            return post
    held = [post for post in posts if post.valid_to is None]
    return held[-1] if held else None


def _details(holder: Holder) -> str:
    """ "Chuyên viên, Phòng Tổng hợp, Sở Kế hoạch và Đầu tư tỉnh Sơn La": post and unit."""
    return ", ".join(part for part in (holder.position, holder.unit) if part)


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


def _bases(decision: Decision) -> list[str]:
    return [
        *legal_bases(decision.date),
        f"Căn cứ chức năng, nhiệm vụ, quyền hạn của {decision.issuer_name};",
        "Xét đề nghị của Hội đồng Thi đua - Khen thưởng,",
    ]


def _articles(year: int, found: Sequence[Holder]) -> list[str]:
    awards = "; ".join(dict.fromkeys(h.award for h in found))
    return [
        f"Điều 1. Tặng danh hiệu thi đua, hình thức khen thưởng ({awards}) cho "
        f"{_count_words(found)} có tên trong danh sách kèm theo Quyết định này, đã có thành "
        f"tích xuất sắc trong phong trào thi đua năm {year}.",
        "Điều 2. Các tập thể, cá nhân có tên tại Điều 1 được nhận bằng, giấy chứng nhận và "
        "tiền thưởng theo quy định hiện hành.",
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Thủ trưởng các đơn vị có liên quan "
        "và các tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này.",
    ]


def decision_document(decision: Decision) -> bytes:
    """The Quyết định khen thưởng, then its attached list on a new page, as a .docx: through
    the user's Word template for it, if one is in use."""
    found = holders(decision)
    template = user_template(decision, DECISION)
    if template is not None:
        return render_template(template, decision_context(decision, found))
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
    for basis in _bases(decision):
        docformat.add_paragraph(document, basis, italic=True)
    docformat.add_line(document, "QUYẾT ĐỊNH:", size=docformat.BODY_PT, bold=True, before=12)
    for article in _articles(year, found):
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
                ["STT", "Họ và tên", "Chức vụ, đơn vị công tác"],
                [[str(i), h.name, _details(h)] for i, h in enumerate(individuals, 1)],
                widths_mm=[12, 55, 93],
                size=13,
            )


def certificates(decision: Decision, *, paper: Paper = PAPERS["a4"]) -> bytes:
    """Every holder's certificate, one page each, on `paper`: the award, the holder's name
    (shrunk until it fits two lines), unit, the decision's number and date, and the signer."""
    return _certificates_docx(decision, _granted(decision), paper)


def _certificates_docx(decision: Decision, found: Sequence[Holder], paper: Paper) -> bytes:
    template = user_template(decision, CERTIFICATES)
    if template is not None:
        return template_certificates(template, decision_context(decision, found), found)
    return lay_out_certificates(decision, found, paper)


def _granted(decision: Decision) -> list[Holder]:
    found = holders(decision)
    if not found:
        raise ActionRefused(
            _("The decision grants no one, so there is no certificate to print."),
            kind=Refusal.NOTHING,
        )
    return found


def holder_count(decision: Decision) -> int:
    return AwardRecord.objects.filter(decision=decision).count()


def require_holders(decision: Decision) -> int:
    """How many certificates the decision prints; refused when it grants no one."""
    count = holder_count(decision)
    if count == 0:
        _granted(decision)
    return count


def certificates_pdf(
    decision: Decision,
    *,
    paper: Paper = PAPERS["a4"],
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """Every holder's certificate as one PDF for the print shop, one page each.

    LibreOffice lays out some 50 pages a second here: a batch of thousands is turned into PDF
    `PDF_CHUNK` certificates at a time (each well within the converter's time limit), and the
    parts are joined into one file (pypdf). `progress(done, total)` counts the certificates.
    Refused, with nothing kept, if a certificate did not come out as exactly one page.
    """
    return holders_pdf(decision, _granted(decision), paper=paper, progress=progress)


def holders_pdf(
    decision: Decision,
    found: Sequence[Holder],
    *,
    paper: Paper = PAPERS["a4"],
    progress: Callable[[int, int], None] | None = None,
    template: bytes | None = None,
) -> bytes:
    """The certificates of `found` as one PDF (see certificates_pdf); through `template`,
    else the decision's own Word template if its cluster uses one, else thidua's layout."""
    template = template or user_template(decision, CERTIFICATES)
    total = len(found)
    writer = PdfWriter()
    if progress is not None:
        progress(0, total)
    for start in range(0, total, PDF_CHUNK):
        part = found[start : start + PDF_CHUNK]
        data = pdf.pdf_of(
            template_certificates(template, decision_context(decision, part), part)
            if template is not None
            else lay_out_certificates(decision, part, paper)
        )
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) != len(part):
            raise ActionRefused(
                _(
                    "%(pages)s pages came out for %(count)s certificates: a certificate no"
                    " longer fits one page. Check the template's sizes."
                )
                % {"pages": len(reader.pages), "count": len(part)},
                kind=Refusal.INVALID,
            )
        writer.append(reader)
        if progress is not None:
            progress(start + len(part), total)
    writer.add_metadata({"/Title": certificates_filename(decision).removesuffix(".pdf")})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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
        verb := docformat.add_line(document, "TẶNG", size=16, bold=True, before=12),
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
    fields = [lines.index(verb), lines.index(award), lines.index(name), lines.index(unit)]
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
            ("TẶNG DANH HIỆU" if holder.title else "TẶNG", 16, 16),
            ((holder.short or holder.award).upper(), 28, 14),
            (holder.name, 26, 10),
            (_details(holder), 16, 10),
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


# --- the users' own Word templates -----------------------------------------------------------

DECISION = "decision"
CERTIFICATES = "certificates"
# Where a decision's Word template comes from: the areas that keep templates plug in a
# function (decision, kind) -> the template's bytes or None (the conference's, per cluster).
template_sources: list[Callable[[Decision, str], bytes | None]] = []

# The placeholders a template may use, and those it must: without them the decision would
# not say its number, date, signer or whom it grants; a certificate, whom, what and by which
# decision.
DECISION_PLACEHOLDERS = frozenset(
    {
        "authority", "authority_line", "number", "place_date", "date", "year", "summary",
        "bases", "articles", "signer_title", "signer_name", "recipients", "count", "awards",
    }
)  # fmt: skip
# `details`: the position and the unit, joined by a comma where both are there.
HOLDER_PLACEHOLDERS = frozenset({"award", "name", "position", "unit", "details", "collective"})
CERTIFICATE_PLACEHOLDERS = DECISION_PLACEHOLDERS | HOLDER_PLACEHOLDERS
REQUIRED = {
    DECISION: frozenset({"number", "place_date", "signer_name", "awards"}),
    CERTIFICATES: frozenset({"award", "name", "number", "signer_name"}),
}
ALLOWED = {DECISION: DECISION_PLACEHOLDERS, CERTIFICATES: CERTIFICATE_PLACEHOLDERS}
# What a holder's placeholders become while a certificate template is filled in once; each
# page then gets its holder's words in their place. A stand-in is in mixed case, so that the
# filters `upper` and `lower` show in it ("@@NAME@@") and are applied to the holder's words.
_SENTINELS = {field: f"@@{field.title()}@@" for field in HOLDER_PLACEHOLDERS - {"collective"}}
_CASES: tuple[tuple[Callable[[str], str], Callable[[str], str]], ...] = (
    (str, str),
    (str.upper, str.upper),
    (str.lower, str.lower),
)


def user_template(decision: Decision, kind: str) -> bytes | None:
    for source in template_sources:
        found = source(decision, kind)
        if found is not None:
            return found
    return None


def decision_context(decision: Decision, found: Sequence[Holder]) -> dict[str, Any]:
    """What a user's template of the decision or its certificates is filled in with."""
    year = decision.year.year
    groups = []
    for award in dict.fromkeys(h.award for h in found):
        of_award = [h for h in found if h.award == award]
        groups.append(
            {
                "name": award,
                "collectives": [
                    {"number": i, "name": h.name}
                    for i, h in enumerate((h for h in of_award if h.collective), 1)
                ],
                "individuals": [
                    {"number": i, "name": h.name, "position": h.position, "unit": h.unit}
                    for i, h in enumerate((h for h in of_award if not h.collective), 1)
                ],
            }
        )
    return {
        "authority": decision.issuer_name,
        "authority_line": _authority_line(decision),
        "number": decision.number,
        "place_date": place_date(decision.place or "……", decision.date, official=True),
        "date": long_date(decision.date, official=True),
        "year": year,
        "summary": f"Về việc khen thưởng năm {year}",
        "bases": _bases(decision),
        "articles": _articles(year, found),
        "signer_title": _signer_title(decision),
        "signer_name": decision.signer_name,
        "recipients": ["Như Điều 3", "Lưu: VT, TĐKT"],
        "count": _count_words(found),
        "awards": groups,
    }


def sample_context(kind: str) -> dict[str, Any]:
    """Made-up values of every placeholder, to try an uploaded template on."""
    holder = Holder("Bằng khen", 1, False, "Nguyễn Văn An", "Chuyên viên", "Sở Tài chính")
    context: dict[str, Any] = {
        "authority": "Bộ Tài chính",
        "authority_line": "BỘ TRƯỞNG BỘ TÀI CHÍNH",
        "number": "01/QĐ-BTC",
        "place_date": "Hà Nội, ngày 10 tháng 4 năm 2017",
        "date": "ngày 10 tháng 4 năm 2017",
        "year": 2016,
        "summary": "Về việc khen thưởng năm 2016",
        "bases": legal_bases(dt.date(2017, 4, 10)),
        "articles": _articles(2016, [holder]),
        "signer_title": "Bộ trưởng",
        "signer_name": "Nguyễn Văn Bình",
        "recipients": ["Như Điều 3", "Lưu: VT, TĐKT"],
        "count": "1 cá nhân",
        "awards": [
            {
                "name": "Bằng khen",
                "collectives": [{"number": 1, "name": "Phòng Tổng hợp"}],
                "individuals": [
                    {"number": 1, "name": holder.name, "position": holder.position,
                     "unit": holder.unit}
                ],
            }
        ],
    }  # fmt: skip
    if kind == CERTIFICATES:
        context.update(holder_context(holder))
    return context


def holder_context(holder: Holder) -> dict[str, Any]:
    return {
        "award": holder.award,
        "name": holder.name,
        "position": holder.position,
        "unit": holder.unit,
        "details": _details(holder),
        "collective": holder.collective,
    }


def render_template(template: bytes, context: dict[str, Any]) -> bytes:
    """The user's template (docxtpl) filled in with `context`, in thidua's sandbox."""
    doc = DocxTemplate(io.BytesIO(template))
    doc.render(context, jinja_env=docformat.template_sandbox())
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def template_certificates(
    template: bytes, context: dict[str, Any], found: Sequence[Holder]
) -> bytes:
    """Every holder's certificate through the user's one-page template: filled in once with
    the decision's words and stand-ins for the holder's, then copied page by page with each
    holder's award, name, position and unit in place of the stand-ins. A name or an award
    longer than its line shrinks, from the template's size, until it fits two lines."""
    filled = render_template(template, {**context, **_SENTINELS, "collective": False})
    document = Document(io.BytesIO(filled))
    section = document.sections[0]
    sizes = (section.page_width, section.left_margin, section.right_margin)
    paper_emu, left, right = (int(size or 0) for size in sizes)
    width = (paper_emu - left - right) / 36000  # EMU to mm
    body = document.element.body
    tail = body[-1] if body[-1].tag == qn("w:sectPr") else None
    model = [child for child in body if child is not tail]
    for child in model:
        body.remove(child)
    if tail is not None:
        body.remove(tail)
    fields = {
        case(sentinel): (field, change)
        for field, sentinel in _SENTINELS.items()
        for case, change in _CASES
    }
    shrinking = {"name": 10.0, "award": 12.0}

    @functools.cache
    def fit(text: str, largest: float, smallest: float) -> float:
        if docformat.bold_width_mm(text, largest) <= width:
            return largest
        return docformat.fitting_size(text, width, largest=largest, smallest=smallest, lines=2)

    for index, holder in enumerate(found):
        page = [copy.deepcopy(child) for child in model]
        words = holder_context(holder)
        for element in page:
            for text in element.iter(qn("w:t")):
                if text.text and "@@" in text.text:
                    _fill(text, fields, words, shrinking, fit)
        if index > 0:
            _break_before(page)
        body.extend(page)
    if tail is not None:
        body.append(tail)
    out = io.BytesIO()
    docformat.save(document, out)
    return out.getvalue()


def _fill(
    text: Any,
    fields: dict[str, tuple[str, Callable[[str], str]]],
    words: dict[str, Any],
    shrinking: dict[str, float],
    fit: Callable[[str, float, float], float],
) -> None:
    """Put the holder's words in place of the stand-ins of one w:t; shrink a long one."""
    value = text.text
    for sentinel, (field, change) in fields.items():
        if sentinel in value:
            words_in = change(str(words[field]))
            value = value.replace(sentinel, words_in)
            if field in shrinking:
                run = text.getparent()
                size = run.find(f"{qn('w:rPr')}/{qn('w:sz')}")
                largest = int(size.get(qn("w:val"))) / 2 if size is not None else 14.0
                wanted = fit(words_in, largest, min(largest, shrinking[field]))
                if wanted < largest:
                    Run(run, None).font.size = Pt(wanted)  # type: ignore[arg-type]
    text.text = value


def _break_before(page: list[Any]) -> None:
    """Start a copy of the certificate on a new page."""
    first = page[0]
    if first.tag != qn("w:p"):
        first = OxmlElement("w:p")
        page.insert(0, first)
    Paragraph(first, None).paragraph_format.page_break_before = True  # type: ignore[arg-type]


# --- the starter templates offered for download ----------------------------------------------

# Stand-ins the layout keeps intact (capitals survive its upper-casing), each replaced by its
# Jinja placeholder once the layout is done.
_STARTER = {
    "@@AUTHORITY@@": "{{ authority|upper }}",
    "Số: @@NUMBER@@": "Số: {{ number }}",
    "@@PLACE@@, ngày      tháng      năm": "{{ place_date }}",
    "@@PLACE_DATE@@": "{{ place_date }}",
    "@@SUMMARY@@": "{{ summary }}",
    "@@AUTHORITY_LINE@@": "{{ authority_line }}",
    "@@SIGNER_TITLE@@": "{{ signer_title|upper }}",
    "@@SIGNER@@": "{{ signer_name }}",
    "@@AWARD@@": "{{ award|upper }}",
    "@@NAME@@": "{{ name }}",
    "@@UNIT@@": "{{ details }}",
    "@@NUMBER_DATE@@": "Quyết định số {{ number }}, {{ date }}",
    "@@YEAR_LINE@@": "Đã có thành tích xuất sắc trong phong trào thi đua năm {{ year }}",
}


def starter_template(kind: str) -> bytes:
    """A docxtpl template of the decision or of one certificate, in thidua's own layout, that
    the deciding authority can open in Word, adapt and upload."""
    if kind == CERTIFICATES:
        paper = PAPERS["a4"]
        document = docformat.page_document(paper.width_mm, paper.height_mm, paper.margin_mm)
        for text, size, bold, before in (
            (docformat.NATIONAL_TITLE, docformat.TITLE_PT, True, 0),
            (docformat.MOTTO, docformat.MOTTO_PT, True, 0),
            ("@@AUTHORITY_LINE@@", 16, True, 24),
            ("TẶNG", 16, True, 12),
            ("@@AWARD@@", 28, True, 12),
            ("@@NAME@@", 26, True, 24),
            ("@@UNIT@@", 16, False, 0),
            ("@@YEAR_LINE@@", 16, False, 12),
            ("@@NUMBER_DATE@@", 13, False, 6),
            ("@@PLACE_DATE@@", 14, False, 24),
            ("@@SIGNER_TITLE@@", 14, True, 0),
            ("@@SIGNER@@", 14, True, 60),
        ):
            docformat.add_line(document, text, size=size, bold=bold, before=before)
    else:
        document = docformat.new_document()
        docformat.add_letterhead(
            document,
            docformat.Letterhead(
                authority="@@AUTHORITY@@", number="@@NUMBER@@", place="@@PLACE@@", date=None
            ),
        )
        docformat.add_title(document, "Quyết định", "@@SUMMARY@@")
        docformat.add_line(document, "@@AUTHORITY_LINE@@", size=docformat.BODY_PT, bold=True)
        for line in (
            "{%p for basis in bases %}", "{{ basis }}", "{%p endfor %}", "QUYẾT ĐỊNH:",
            "{%p for article in articles %}", "{{ article }}", "{%p endfor %}",
        ):  # fmt: skip
            docformat.add_paragraph(document, line)
        docformat.add_closing(
            document,
            docformat.SignatureBlock(position="@@SIGNER_TITLE@@", name="@@SIGNER@@"),
            docformat.Recipients(items=("Như Điều 3",), archive="Lưu: VT, TĐKT."),
        )
        docformat.add_line(
            document, "DANH SÁCH", size=docformat.BODY_PT, bold=True, page_break=True
        )
        for line in (
            "(Kèm theo Quyết định số {{ number }} {{ date }} của {{ signer_title }}"
            " {{ authority }})",
            "{%p for a in awards %}", "{{ loop.index }}. {{ a.name }}",
            "{%p for c in a.collectives %}", "{{ c.number }}. {{ c.name }}", "{%p endfor %}",
            "{%p for p in a.individuals %}",
            "{{ p.number }}. {{ p.name }}, {{ p.position }}, {{ p.unit }}",
            "{%p endfor %}", "{%p endfor %}",
        ):  # fmt: skip
            docformat.add_paragraph(document, line)
    for paragraph in _all_paragraphs(document):
        for run in paragraph.runs:
            text = run.text
            for sentinel, placeholder in _STARTER.items():
                if sentinel in text:
                    text = text.replace(sentinel, placeholder)
            run.text = text
    out = io.BytesIO()
    docformat.save(document, out)
    return out.getvalue()


def _all_paragraphs(document: DocumentObject) -> list[Paragraph]:
    found = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found.extend(cell.paragraphs)
    return found
