"""The report's pure rules: regeneration keeps hand edits, revisions mark edits, comparison."""

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from thidua.conference import rules

words = st.text(alphabet=st.sampled_from(list("abc đôơ \n")), max_size=40)


def test_regeneration_keeps_the_sections_rewritten_by_hand() -> None:
    previous = [
        rules.section("cluster", "I", "old data"),
        rules.section("directions", "II", "written by hand", edited=True),
    ]
    generated = [rules.section("cluster", "I", "new data"), rules.section("directions", "II", "x")]
    result = rules.carry_edits(previous, generated)
    assert [s["text"] for s in result] == ["new data", "written by hand"]


def test_regeneration_never_drops_an_edited_section_the_data_no_longer_yields() -> None:
    previous = [rules.section("note", "N", "kept", edited=True)]
    assert rules.carry_edits(previous, [rules.section("cluster", "I", "a")])[-1]["text"] == "kept"


def test_a_revision_marks_only_the_changed_sections_as_edited() -> None:
    previous = [rules.section("a", "A", "one"), rules.section("b", "B", "two")]
    result = rules.revise(previous, {"a": "one", "b": "two, more"})
    assert [s["edited"] for s in result] == [False, True]
    assert rules.changed_keys(previous, result) == ["b"]


def test_the_comparison_shows_what_was_removed_and_added_in_each_section() -> None:
    a = [rules.section("d", "D", "phối hợp thông tin")]
    b = [rules.section("d", "D", "phối hợp thông tin; cải cách hành chính")]
    (diff,) = rules.compare(a, b)
    assert diff.changed
    # Word by word: "tin" became "tin;", and the rest was added.
    assert [p.text for p in diff.right if p.change == "added"] == ["tin; cải cách hành chính"]
    assert [p.text for p in diff.left if p.change == "removed"] == ["tin"]


@given(words, words)
def test_each_side_of_a_comparison_reads_back_as_its_version(old: Any, new: Any) -> None:
    (diff,) = rules.compare([rules.section("k", "K", old)], [rules.section("k", "K", new)])
    assert "".join(p.text for p in diff.left) == old
    assert "".join(p.text for p in diff.right) == new
    assert diff.changed == (old != new)
    assert all(p.change != "added" for p in diff.left)
    assert all(p.change != "removed" for p in diff.right)


@given(words)
def test_a_version_compared_with_itself_has_no_change(text: Any) -> None:
    (diff,) = rules.compare([rules.section("k", "K", text)], [rules.section("k", "K", text)])
    assert not diff.changed
    assert {p.change for p in diff.left + diff.right} <= {"same"}


def test_unknown_placeholders_are_named_in_order() -> None:
    assert rules.unknown_placeholders({"year", "zeta", "alpha"}, {"year"}) == ["alpha", "zeta"]
