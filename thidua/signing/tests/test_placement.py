"""Where the signatures land: over the signer's block found in the PDF, the seal over the left
third of the leader's signature, the fixed places when the file has no block."""

from __future__ import annotations

import pytest

from thidua.audit.models import AuditEntry
from thidua.signing import actions, placement, rules
from thidua.signing.models import SignedDocument, SigningIdentity
from thidua.signing.reads import verify_pdf
from thidua.signing.testing import SigningPki, block_pdf, leader_and_seal, sample_pdf
from thidua.testing.personas import World

pytestmark = pytest.mark.django_db

# Where block_pdf prints the block: the title's last line, then the name 92 pt lower.
TITLE_BASELINE = 557.0
NAME_BASELINE = 465.0


def sign(world: World, identity: SigningIdentity, pdf: bytes, role: str) -> bytes:
    signed = actions.do_sign_pdf(
        acting_user=world.son_la_leader if role == rules.PERSON else world.son_la_officer,
        identity=identity,
        pdf=pdf,
        secret=None,
        role=role,
        kind="test",
        reference="to-trinh",
    )
    return bytes(signed.file.read())


def placed(document_role: str) -> str:
    entry = (
        AuditEntry.objects.filter(action="signing.signed", after__role=document_role)
        .order_by("-pk")
        .first()
    )
    assert entry is not None and entry.after is not None
    return str(entry.after["placed"])


def test_the_leader_signs_between_the_title_and_the_name_not_in_the_attached_list(
    world: World, signing_settings: SigningPki
) -> None:
    leader, _seal = leader_and_seal(world, signing_settings)
    # The certificate says "Nguyễn Văn Lãnh"; the letter prints the name without accents, and
    # the list after it names the same person in a table's row.
    signed = sign(world, leader, block_pdf(title="CUM TRUONG", name="Nguyen Van Lanh"), "person")
    [(name, box)] = placement.signature_boxes(signed).items()
    assert name.startswith("NguoiKy")
    assert box.page == 0  # the letter's page, not the list's
    assert NAME_BASELINE < box.y0 < box.y1 < TITLE_BASELINE
    title_middle = 376 + rules.text_width("CUM TRUONG", 14) / 2
    assert abs((box.x0 + box.x1) / 2 - title_middle) < 15
    assert placed(SignedDocument.Role.PERSON) == "block"


def test_the_seal_covers_the_left_third_of_the_leaders_signature(
    world: World, signing_settings: SigningPki
) -> None:
    leader, seal = leader_and_seal(world, signing_settings)
    first = sign(world, leader, block_pdf(title="CUM TRUONG", name="Nguyen Van Lanh"), "person")
    second = sign(world, seal, first, "agency")
    boxes = placement.signature_boxes(second)
    [person] = [b for n, b in boxes.items() if n.startswith("NguoiKy")]
    [agency] = [b for n, b in boxes.items() if n.startswith("CoQuan")]
    assert agency.page == person.page == 0
    assert agency.x1 == pytest.approx(person.x0 + person.width / 3, abs=1)
    assert agency.x0 < person.x0  # the seal's left two thirds lie outside the signature
    assert agency.width == pytest.approx(rules.SEAL_SIZE, abs=1)
    assert agency.y0 < person.y0 < person.y1 < agency.y1
    assert placed(SignedDocument.Role.AGENCY) == "signature"
    assert verify_pdf(second).ok


def test_a_block_whose_name_is_another_is_found_by_its_shape(
    world: World, signing_settings: SigningPki
) -> None:
    leader, _seal = leader_and_seal(world, signing_settings)
    signed = sign(world, leader, block_pdf(title="GIAM DOC", name="Hoang Van Khac"), "person")
    [box] = placement.signature_boxes(signed).values()
    assert (box.page, NAME_BASELINE < box.y0 < box.y1 < TITLE_BASELINE) == (0, True)
    assert placed(SignedDocument.Role.PERSON) == "shape"


def test_a_file_without_a_signature_block_gets_the_fixed_places(
    world: World, signing_settings: SigningPki
) -> None:
    leader, seal = leader_and_seal(world, signing_settings)
    second = sign(world, seal, sign(world, leader, sample_pdf(pages=2), "person"), "agency")
    boxes = placement.signature_boxes(second)
    [person] = [b for n, b in boxes.items() if n.startswith("NguoiKy")]
    fixed = rules.PERSON_BOX
    assert (person.page, person.x0, person.y0, person.x1, person.y1) == (
        1,
        fixed.x0,
        fixed.y0,
        fixed.x1,
        fixed.y1,
    )
    assert placed(SignedDocument.Role.PERSON) == "fixed"


def line(text: str, x0: float, baseline: float, size: float = 14) -> rules.Line:
    return rules.Line(0, x0, x0 + rules.text_width(text, size), baseline, size, text)


def test_a_table_row_or_a_sentence_above_the_name_is_no_signature_block() -> None:
    # The row above is a table's (one line and a bit apart), then a sentence, not a title.
    rows = [line("Ho va ten", 127, 728), line("Nguyen Van Lanh", 127, 696)]
    assert rules.find_block([rows], ["Nguyễn Văn Lãnh"]) is None
    prose = [line("Kinh gui Bo truong", 381, 600), line("Nguyen Van Lanh", 381, 465)]
    assert rules.find_block([prose], ["Nguyễn Văn Lãnh"]) is None
    block = [line("GIAM DOC", 381, 557), line("NGUYEN VAN LANH", 381, 465)]
    found = rules.find_block([block], ["Nguyễn Văn Lãnh"])
    assert found is not None and found.named and found.name.text == "NGUYEN VAN LANH"
