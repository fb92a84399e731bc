"""An attacker with the whole database tries every link from a ballot to its voter.

Seven units vote, one after the other in a known order, each for a different candidate, so
every ballot tells its voter apart. The attacker knows who voted when (the register and the
audit trail say so) and tries to line the ballots up with them: by the order the database
returns them in, by their keys, by the physical order of their rows, by the transaction that
wrote them, by where their keys and receipt hashes lie in the database files and the
write-ahead log, where the sealed rows the close deleted are left too. Each attack's guess
is scored by how many voters it pairs with their own ballot: chance pairs one on average,
and the test fails when an attack does clearly better than chance over several polls.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from thidua.api.actions import do_create_token
from thidua.audit.models import AuditEntry
from thidua.cycle.models import Membership
from thidua.orgs import actions as org_actions
from thidua.orgs.models import Organization, User
from thidua.testing.personas import World, make_user
from thidua.voting import actions
from thidua.voting.models import Ballot, BallotChoice, Candidate, Poll, SealedBallot, VoterRegister

from .conftest import open_poll

RUNS = 4
PROVINCES = ["Điện Biên", "Hà Giang", "Lào Cai", "Lạng Sơn"]

Voters = list[tuple[User, Organization]]


def seven_voters(world: World) -> Voters:
    """The world's three members and four more, each with its leader, in a fixed cast order."""
    voters: Voters = [
        (world.son_la_leader, world.orgs["son_la"]),
        (world.cao_bang_leader, world.orgs["cao_bang"]),
        (world.lai_chau_leader, world.orgs["lai_chau"]),
    ]
    for number, province in enumerate(PROVINCES):
        unit = org_actions.do_create_organization(
            name=f"Sở Kế hoạch và Đầu tư tỉnh {province}",
            short_name=f"Sở KH&ĐT {province}",
            kind=Organization.Kind.PROVINCIAL_DEPARTMENT,
            province=province,
            acting_user=world.admin,
        )
        Membership.objects.create(year=world.year, organization=unit)
        voters.append((make_user(f"leader-{number}", unit, leader=True), unit))
    return voters


def play(world: World, voters: Voters, run: int) -> tuple[Poll, list[str]]:
    """A poll among the seven units; voter i chooses the (i + run)-th candidate.

    Returns the poll, closed, and the choice of each voter in cast order: what the attacker
    wants to learn.
    """
    units = [unit for _leader, unit in voters]
    poll = open_poll(
        world,
        title=f"Bỏ phiếu lần {run}",
        purpose=Poll.Purpose.OTHER,
        units=units,
        allow_self_vote=True,
        seats=None,
    )
    by_unit = {c.organization_id: c.pk for c in Candidate.objects.filter(poll=poll)}
    truth = []
    for index, (leader, _unit) in enumerate(voters):
        choice = by_unit[units[(index + run) % len(units)].pk]
        actions.do_cast_ballot(poll, choices=[choice], acting_user=leader)
        truth.append(str(choice))
    return actions.do_close_poll(poll, acting_user=world.son_la_officer), truth


def rows(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def choices_by_ballot(poll: Poll) -> dict[str, str]:
    """Each ballot's key (as the database spells it) and its one choice."""
    found = rows(
        "SELECT b.id, c.candidate_id FROM voting_ballot b "
        "JOIN voting_ballotchoice c ON c.ballot_id = b.id WHERE b.poll_id = %s",
        [poll.pk],
    )
    return {str(key): str(candidate) for key, candidate in found}


def ballot_order(poll: Poll, order: str) -> list[str]:
    """The poll's ballot keys in the order `order` lists them."""
    found = rows(f"SELECT id FROM voting_ballot WHERE poll_id = %s {order}", [poll.pk])
    return [str(r[0]) for r in found]


def choice_order(poll: Poll, order: str) -> list[str]:
    """The ballots in the order of their choice rows."""
    found = rows(
        "SELECT c.ballot_id FROM voting_ballotchoice c "
        f"JOIN voting_ballot b ON b.id = c.ballot_id WHERE b.poll_id = %s {order}",
        [poll.pk],
    )
    return [str(r[0]) for r in found]


def physical(table: str) -> str:
    column = "ctid" if connection.vendor == "postgresql" else "rowid"
    return f"ORDER BY {table}.{column}"


def attacks(poll: Poll) -> dict[str, Callable[[], list[str]]]:
    """Each attack: the poll's ballots in the order the attacker believes they were cast."""
    found: dict[str, Callable[[], list[str]]] = {
        "ballots as the database returns them": lambda: ballot_order(poll, ""),
        "ballots by key": lambda: ballot_order(poll, "ORDER BY id"),
        "ballots by physical row": lambda: ballot_order(poll, physical("voting_ballot")),
        "choices as the database returns them": lambda: choice_order(poll, ""),
        "choices by key": lambda: choice_order(poll, "ORDER BY c.id"),
        "choices by physical row": lambda: choice_order(poll, physical("c")),
    }
    if connection.vendor == "postgresql":
        # The transaction that wrote a row, and where: the register's and the audit's rows
        # of a vote share it with whatever else that transaction wrote.
        found["ballots by writing transaction"] = lambda: ballot_order(
            poll, "ORDER BY xmin::text::bigint, ctid"
        )
        found["choices by writing transaction"] = lambda: choice_order(
            poll, "ORDER BY c.xmin::text::bigint, c.ctid"
        )
    found["ballots by where their key lies in the database files"] = lambda: by_key_offset(poll)
    # The sealed rows the close deleted stay in free pages, dead tuples and the log: were
    # they readable, each receipt hash would first appear there, in the order of casting.
    found["ballots by where their receipt hash lies in the files"] = lambda: by_receipt_offset(poll)
    return found


def database_bytes() -> bytes:
    """The files a copy of the disk would hold: the tables' and the write-ahead log's."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")  # the rows' pages written out to the tables' files
        tables = ["voting_sealedballot", "voting_ballot", "voting_ballotchoice"]
        files = [f"pg_relation_filepath('{table}')" for table in tables]
        found = rows(
            " UNION ALL ".join(f"SELECT pg_read_binary_file({f})" for f in files)
            + " UNION ALL SELECT pg_read_binary_file('pg_wal/' || name) "
            "FROM (SELECT name FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$' "
            "ORDER BY name) AS wal",
            [],
        )
        return b"".join(bytes(r[0]) for r in found)
    path = Path(connection.settings_dict["NAME"])
    data = path.read_bytes()
    wal = path.with_name(path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def key_bytes(key: str) -> bytes:
    """A ballot key as the engine stores it: 16 bytes on PostgreSQL, 32 hex digits on SQLite."""
    value = uuid.UUID(key)
    return value.bytes if connection.vendor == "postgresql" else value.hex.encode()


def by_key_offset(poll: Poll) -> list[str]:
    """The ballots by where their key first appears in the database files."""
    data = database_bytes()
    keys = ballot_order(poll, "")
    assert all(data.find(key_bytes(key)) >= 0 for key in keys)  # the attacker finds each
    return sorted(keys, key=lambda key: data.find(key_bytes(key)))


def by_receipt_offset(poll: Poll) -> list[str]:
    """The ballots by where their receipt hash first appears in the database files."""
    data = database_bytes()
    found = rows("SELECT id, receipt_hash FROM voting_ballot WHERE poll_id = %s", [poll.pk])
    hashes = {str(key): receipt_hash.encode() for key, receipt_hash in found}
    assert all(data.find(h) >= 0 for h in hashes.values())  # the attacker finds each
    return sorted(hashes, key=lambda key: data.find(hashes[key]))


def matches(guess: list[str], cast: list[str], choices: dict[str, str]) -> int:
    """How many voters the guess pairs with their own ballot."""
    return sum(choices.get(key) == truth for key, truth in zip(guess, cast, strict=False))


@pytest.mark.django_db(transaction=True)
def test_no_attack_on_the_database_links_ballots_to_voters_better_than_chance(
    voting_world: World,
) -> None:
    voters = seven_voters(voting_world)
    scores: dict[str, list[int]] = {}
    for run in range(RUNS):
        poll, cast = play(voting_world, voters, run)
        choices = choices_by_ballot(poll)
        assert sorted(choices.values()) == sorted(cast)
        # The attacker's view of who voted when: the register's and the audit trail's order.
        register = VoterRegister.objects.filter(poll=poll).order_by("id")
        assert list(register.values_list("organization", flat=True)) == [
            unit.pk for _leader, unit in voters
        ]
        for name, attack in attacks(poll).items():
            scores.setdefault(name, []).append(matches(attack(), cast, choices))
    # A random order pairs one voter in seven on average; over four polls the total stays
    # far below 4 × 7 = 28, the score of an order that follows the casting (the chance of
    # 14 or more at random is about one in a million).
    leaks = {name: score for name, score in scores.items() if sum(score) >= 14}
    assert not leaks, f"these attacks follow the order of casting: {leaks}"


def test_the_audit_trail_names_no_ballot_and_no_vote_time_finer_than_the_poll(
    voting_world: World,
) -> None:
    voters = seven_voters(voting_world)
    poll, _cast = play(voting_world, voters, 0)
    keys = set(choices_by_ballot(poll)) | {uuid.UUID(k).hex for k in choices_by_ballot(poll)}
    hashes = set(Ballot.objects.filter(poll=poll).values_list("receipt_hash", flat=True))
    for entry in AuditEntry.objects.all():
        text = f"{entry.object_id} {entry.before} {entry.after} {entry.object_repr}"
        assert not any(key in text for key in keys | hashes)
    assert not SealedBallot.objects.filter(poll=poll).exists()
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == len(voters)


@pytest.mark.parametrize("choices", [0, 1, 3])
def test_a_sealed_ballot_shows_neither_its_choices_nor_its_receipt(
    voting_world: World, choices: int
) -> None:
    voters = seven_voters(voting_world)
    units = [unit for _leader, unit in voters]
    poll = open_poll(
        voting_world,
        title="Bình xét Bằng khen",
        purpose=Poll.Purpose.CERTIFICATE,
        units=units,
        max_choices=3,
        seats=None,
        allow_self_vote=True,
    )
    keys = list(Candidate.objects.filter(poll=poll).values_list("pk", flat=True))
    receipts = [
        actions.do_cast_ballot(poll, choices=keys[:choices], acting_user=leader)
        for leader, _unit in voters[:2]
    ]
    rows_ = SealedBallot.objects.filter(poll=poll).values_list("sealed", flat=True)
    sealed = [bytes(s) for s in rows_]
    # Every sealed ballot of a poll has one length whatever it holds, and two identical
    # ballots look nothing alike.
    assert len(sealed) == 2 and sealed[0] != sealed[1]
    assert {len(s) for s in sealed} == {actions.sealed_length(poll)}
    from thidua.voting.reads import receipt_hash

    for receipt in receipts:
        assert receipt_hash(receipt).encode() not in b"".join(sealed)
        assert bytes.fromhex(receipt_hash(receipt)) not in b"".join(sealed)
    assert not Ballot.objects.filter(poll=poll).exists()


def test_the_answer_to_a_vote_is_the_same_whatever_the_choice(voting_world: World) -> None:
    """The access log keeps each answer's length and time: the answer must not tell the choice.

    One leader votes in three polls alike, blank, for one and for two candidates: the answers,
    page and API, differ only by the receipt, the poll's number, the form's token and the
    inbox's unread count.
    """
    world = voting_world
    leader = world.lai_chau_leader
    _token, key = do_create_token(name="bỏ phiếu", acting_user=leader)
    page = Client()
    page.force_login(leader)
    answers: dict[str, set[str]] = {"page": set(), "api": set()}
    for how in answers:
        for chosen in (slice(0, 0), slice(0, 1), slice(1, 3)):
            poll = open_poll(
                world,
                title="Bình xét Bằng khen",
                purpose=Poll.Purpose.CERTIFICATE,
                max_choices=2,
                seats=None,
                allow_self_vote=True,
            )
            keys = Candidate.objects.filter(poll=poll).order_by("pk").values_list("pk", flat=True)
            choices = list(keys)[chosen]
            if how == "page":
                answer = page.post(
                    f"{world.url}voting/{poll.pk}/vote/", {"choices": [str(c) for c in choices]}
                )
                assert answer.status_code == 200
            else:
                answer = Client().post(
                    f"/api/v1/clusters/{world.cluster.slug}/years/{world.year.year}"
                    f"/polls/{poll.pk}/ballots",
                    {"choices": choices},
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {key}"},
                )
                assert answer.status_code == 201, answer.content
            text = answer.content.decode()
            text = re.sub(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", "RECEIPT", text)
            text = re.sub(r"\b[a-zA-Z0-9]{64}\b", "CSRF", text)
            # Each poll opened tells the leader in the inbox: the unread count grows.
            text = re.sub(r"\d+ chưa đọc|>\d+</span>", "UNREAD", text)
            text = text.replace(f"/{poll.pk}/", "/POLL/").replace(f'"poll_id": {poll.pk}', "POLL")
            answers[how].add(text)
    assert len(answers["page"]) == 1 and len(answers["api"]) == 1
