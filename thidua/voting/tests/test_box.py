"""The published ballot box: downloaded from the results page, recounted by `thidua recount`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django import Settings

from thidua.audit.models import AuditEntry
from thidua.orgs.models import User
from thidua.testing.personas import World
from thidua.voting import actions, box, reads
from thidua.voting.models import PublishedBox

from .conftest import cast, open_poll
from .test_views import url


def closed_poll(world: Any, **overrides: Any) -> Any:
    poll = open_poll(
        world, purpose="certificate", max_choices=2, seats=None, allow_self_vote=True, **overrides
    )
    receipts = [
        cast(world, poll, "son_la", "son_la", "cao_bang"),
        cast(world, poll, "cao_bang", "cao_bang"),
        cast(world, poll, "lai_chau"),
    ]
    return actions.do_close_poll(poll, acting_user=world.son_la_officer), receipts


def downloaded(as_user: Any, world: Any, poll: Any, tmp_path: Path) -> Path:
    response = as_user(world.lai_chau_officer).get(url(world, poll, "box.json"))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.json"')
    path = tmp_path / "hom-phieu.json"
    path.write_bytes(response.content)
    return path


def recount(path: Path, *extra: str) -> str:
    out = []

    class Collect:
        def write(self, text: str) -> None:
            out.append(text)

        def flush(self) -> None:
            pass

    call_command("recount", str(path), *extra, stdout=Collect())
    return "".join(out)


def test_the_box_lists_each_ballot_by_receipt_hash_and_recounts_to_the_published_result(
    as_user: Callable[[User], Client], voting_world: World, tmp_path: Path
) -> None:
    poll, receipts = closed_poll(voting_world)
    published = reads.published_box(poll)
    assert published is not None
    page = as_user(voting_world.lai_chau_officer).get(url(voting_world, poll, "results/"))
    assert published.digest in page.content.decode()
    path = downloaded(as_user, voting_world, poll, tmp_path)
    content = json.loads(path.read_text("utf-8"))

    hashes = [b["receipt_hash"] for b in content["ballots"]]
    assert hashes == sorted(hashes) == sorted(reads.receipt_hash(r) for r in receipts)
    assert sorted(b["choices"] for b in content["ballots"]) == [[], [1, 2], [2]]
    assert content["digest"] == published.digest == box.digest(content)
    # Nothing in the box names a unit that voted, a time or a key of the database.
    text = path.read_text("utf-8")
    assert "lanhdao" not in text and str(poll.opened_at.year) + "-" not in text

    out = recount(path, "--digest", published.digest)
    assert "Sở Kế hoạch và Đầu tư tỉnh Cao Bằng: 2 phiếu" in out
    assert "Sở Kế hoạch và Đầu tư tỉnh Sơn La: 1 phiếu" in out
    assert "khớp với kết quả đã công bố" in out
    result = reads.count(poll)
    assert result is not None and content["result"]["ballots_cast"] == result.ballots_cast == 3
    # The close's audit entry keeps the digest in the hash chain.
    close = AuditEntry.objects.get(action="poll.close", object_id=str(poll.pk))
    assert close.after is not None and close.after["box_digest"] == published.digest


def test_an_edited_box_is_detected(
    as_user: Callable[[User], Client], voting_world: World, tmp_path: Path
) -> None:
    poll, _receipts = closed_poll(voting_world)
    path = downloaded(as_user, voting_world, poll, tmp_path)
    content = json.loads(path.read_text("utf-8"))
    published = content["digest"]

    moved = json.loads(json.dumps(content))
    blank = next(b for b in moved["ballots"] if not b["choices"])
    blank["choices"] = [1]  # a blank ballot turned into a vote for the first candidate
    path.write_text(json.dumps(moved), "utf-8")
    with pytest.raises(CommandError, match="đã bị sửa"):
        recount(path)

    # The forger also restates the result and the digest: only the published digest tells.
    recounted, _problems = box.recount(moved)
    assert recounted is not None
    moved["result"] = box.summary(recounted, {n: n for n in (1, 2, 3)})
    moved["digest"] = box.digest(moved)
    path.write_text(json.dumps(moved), "utf-8")
    recount(path)
    with pytest.raises(CommandError, match="không phải hòm phiếu đã công bố"):
        recount(path, "--digest", published)

    # A result restated without recounting is refused even with the digest put right.
    wrong = json.loads(json.dumps(content))
    wrong["result"]["ballots_cast"] = 2
    wrong["digest"] = box.digest(wrong)
    path.write_text(json.dumps(wrong), "utf-8")
    with pytest.raises(CommandError, match="khác với kết quả"):
        recount(path)

    twice = json.loads(json.dumps(content))
    twice["ballots"].append(twice["ballots"][0])
    path.write_text(json.dumps(twice), "utf-8")
    with pytest.raises(CommandError, match="nhiều hơn một phiếu"):
        recount(path)

    path.write_text("{}", "utf-8")
    with pytest.raises(CommandError, match="không phải là hòm phiếu"):
        recount(path)


def test_a_poll_that_shows_the_outcome_only_publishes_its_digest_not_its_box(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll, _receipts = closed_poll(voting_world, disclosure="outcome_only")
    client = as_user(voting_world.lai_chau_officer)
    page = client.get(url(voting_world, poll, "results/")).content.decode()
    assert PublishedBox.objects.get(poll=poll).digest in page
    assert 'data-testid="box-download"' not in page
    assert client.get(url(voting_world, poll, "box.json")).status_code == 404


def test_no_box_before_the_close_nor_for_an_outsider(
    as_user: Callable[[User], Client], voting_world: World
) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "son_la", "cao_bang")
    assert (
        as_user(voting_world.son_la_officer).get(url(voting_world, poll, "box.json")).status_code
        == 404
    )
    poll = actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    assert (
        as_user(voting_world.outsider).get(url(voting_world, poll, "box.json")).status_code == 404
    )


def test_a_receipt_of_another_poll_is_not_counted_here(voting_world: World) -> None:
    first, receipts = closed_poll(voting_world, title="Lần 1")
    second, others = closed_poll(voting_world, title="Lần 2")
    assert actions.receipt_is_counted(first, receipts[0])
    assert not actions.receipt_is_counted(second, receipts[0])
    assert actions.receipt_is_counted(second, others[0])


def test_the_key_rotated_during_the_poll_still_opens_the_box(
    voting_world: World, settings: Settings
) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "lai_chau", "son_la")
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-put-in-while-the-poll-was-open"
    cast(voting_world, poll, "cao_bang", "son_la")
    poll = actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    result = reads.count(poll)
    assert result is not None and result.ballots_cast == 2


def test_a_lost_key_refuses_the_close_and_keeps_the_ballots_sealed(
    voting_world: World, settings: Settings
) -> None:
    poll = open_poll(voting_world)
    cast(voting_world, poll, "lai_chau", "son_la")
    settings.SECRET_KEY = "a-new-key-without-the-old-one"
    with pytest.raises(actions.ActionRefused, match="khóa bí mật"):
        actions.do_close_poll(poll, acting_user=voting_world.son_la_officer)
    poll.refresh_from_db()
    assert poll.status == "open" and poll.sealed_ballots.count() == 1
