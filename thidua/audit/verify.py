"""Checking the audit trail's hash chain, entry by entry, in id order, and the sealed data
row by row against its seals (`thidua.audit.seals`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections

from thidua.lib.batch import Forked, can_fork, collector_paused

from . import seals
from .models import AuditEntry, ChainHead, SealState
from .record import GENESIS, entry_digest, hashed_fields


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    entry_id: int | None
    reason: str


def first_break(batch_size: int = 2000) -> Break | None:
    """The first broken link of the chain, or None when every entry is as it was written."""
    previous = GENESIS
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.previous_hash != previous:
                return Break(entry.pk, "previous_hash does not match the entry before it")
            if entry.entry_hash != entry_digest(previous, hashed_fields(entry)):
                return Break(entry.pk, "the entry's content does not match its hash")
            previous = entry.entry_hash
            last_id = entry.pk
    head = ChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != previous:
        return Break(None, "entries were removed from the end of the chain")
    return None


@dataclass(frozen=True)
class Finding:
    """A row, or a whole table, that is not as thidua left it."""

    table: str
    key: str | None  # the row's primary key; None for the table as a whole
    what: str

    def __str__(self) -> str:
        where = f"{self.table} id {self.key}" if self.key is not None else self.table
        return f"{where}: {self.what}"


CHANGED = "changed outside thidua"
ADDED = "added outside thidua"
REMOVED = "removed outside thidua"


@dataclass
class DataCheck:
    """Every sealed row compared with its seal."""

    findings: list[Finding]
    tables: int
    rows: int
    since: str | None  # when the oldest table's seals were started
    unsealed: int  # rows with random keys not sealed yet (an open poll's ballots)


@dataclass
class _Part:
    findings: list[Finding]
    rows: int
    unsealed: int
    stored_rows: int
    stored_blocks: int
    stored_xor: int


def check_data(using: str = "default") -> DataCheck:
    """Compare every row of every sealed table with its block's seal, and the seals with the
    signed state; in two processes when the data is large and no transaction is open."""
    connection = connections[using]
    if connection.in_atomic_block and seals.pending(connection):
        seals.settle_locked(connection)  # thidua's own writes in this transaction, as its commit
    state_row = SealState.objects.using(using).filter(pk=1).first()
    if state_row is None:
        return DataCheck(
            [Finding("audit_sealstate", None, "the data was never sealed")], 0, 0, None, 0
        )
    findings: list[Finding] = []
    head = ChainHead.objects.using(using).filter(pk=1).first()
    last_hash, mac = (head.last_hash, head.seals_mac) if head else (GENESIS, "")
    if mac != seals.state_mac(state_row.tables, last_hash):
        findings.append(Finding("audit_sealstate", None, "the seal state does not match its code"))
    state = state_row.tables
    work: list[tuple[seals.Table, Part]] = []
    sizes: list[int] = []
    for name, table in seals.tables().items():
        if name not in state:
            findings.append(Finding(name, None, "not sealed"))
            continue
        if state[name].get("columns") != table.signature:
            findings.append(Finding(name, None, "its columns changed since it was sealed"))
            continue
        pieces = _parts(connection, table, int(state[name]["rows"]))
        work.extend((table, piece) for piece in pieces)
        sizes.extend([int(state[name]["rows"]) // len(pieces) + 1] * len(pieces))
    parts = _run(work, sizes, using)
    rows = unsealed = 0
    summed: dict[str, list[int]] = {}
    for (table, _range), part in zip(work, parts, strict=True):
        findings.extend(part.findings)
        rows += part.rows
        unsealed += part.unsealed
        total = summed.setdefault(table.name, [0, 0, 0])
        total[0] += part.stored_rows
        total[1] += part.stored_blocks
        total[2] ^= part.stored_xor
    for name, (stored_rows, stored_blocks, stored_xor) in summed.items():
        totals = seals.Totals.of(state[name])
        if (stored_rows, stored_blocks, stored_xor) != (totals.rows, totals.blocks, totals.xor):
            findings.append(Finding(name, None, "seals were removed or changed outside thidua"))
    since = min((str(v["since"]) for v in state.values()), default=None)
    return DataCheck(findings, len(summed), rows, since, unsealed)


PART_ROWS = 500_000
FORK_FROM_ROWS = 200_000


# Blocks from the first to the last, either end open (None); the whole table is (None, None).
Part = tuple[int | None, int | None]
WHOLE: Part = (None, None)


def _parts(connection: Any, table: seals.Table, rows: int) -> list[Part]:
    """Block ranges of about `PART_ROWS` rows each, for a large table of whole-number keys."""
    if not table.ordered or rows <= PART_ROWS:
        return [WHOLE]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT MIN({quote(table.key)}), MAX({quote(table.key)}) FROM {quote(table.name)}"
        )
        low, high = cursor.fetchone()
    if low is None:
        return [WHOLE]
    first, last = low // seals.BLOCK, high // seals.BLOCK
    pieces = max(1, -(-rows // PART_ROWS))
    step = max(1, -(-(last - first + 1) // pieces))
    bounds: list[Part] = [
        (start, min(start + step - 1, last)) for start in range(first, last + 1, step)
    ]
    # Seals of rows gone from either end of the table: the first and last parts reach out.
    bounds[0] = (None, bounds[0][1])
    bounds[-1] = (bounds[-1][0], None)
    return bounds


def _run(work: list[tuple[seals.Table, Part]], sizes: list[int], using: str) -> list[_Part]:
    """Check each part, in a forked child for about half of them when it is worth it."""
    connection = connections[using]
    if sum(sizes) < FORK_FROM_ROWS or connection.in_atomic_block or not can_fork() or len(work) < 2:
        return [_check(table, part, using) for table, part in work]
    mine: list[int] = []
    theirs: list[int] = []
    load = [0, 0]
    for index in sorted(range(len(work)), key=lambda i: -sizes[i]):
        side = 0 if load[0] <= load[1] else 1
        (mine if side == 0 else theirs).append(index)
        load[side] += sizes[index]
    child = Forked(lambda: [_check(*work[i], using) for i in theirs])
    here = [_check(*work[i], using) for i in mine]
    there = child.result()
    done = dict(zip(mine, here, strict=True)) | dict(zip(theirs, there, strict=True))
    return [done[i] for i in range(len(work))]


def _check(table: seals.Table, part: Part, using: str) -> _Part:
    connection = connections[using]
    quote = connection.ops.quote_name
    where = f"{quote('table')} = %s"
    params: list[Any] = [table.name]
    if part[0] is not None:
        where += " AND block >= %s"
        params.append(part[0])
    if part[1] is not None:
        where += " AND block <= %s"
        params.append(part[1])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT block, rows, mac FROM audit_blockseal WHERE {where}", params)
        stored = {block: (count, mac) for block, count, mac in cursor.fetchall()}
    result = _Part([], 0, 0, 0, len(stored), 0)
    for count, mac in stored.values():
        result.stored_rows += count
        result.stored_xor ^= int(mac, 16)
    live = (
        seals.live_blocks(connection, table)
        if part == WHOLE
        else _live_range(connection, table, part)
    )
    with collector_paused():
        for block, rows in live:
            result.rows += len(rows)
            sealed = stored.pop(block, None)
            if sealed is not None and seals.block_code(table, block, rows) == sealed[1]:
                continue
            _name_rows(connection, table, block, rows, sealed is not None, result)
        for block in stored:
            _name_rows(connection, table, block, [], True, result)
    return result


def _live_range(connection: Any, table: seals.Table, part: Part) -> Any:
    key = connection.ops.quote_name(table.key)
    where: list[str] = []
    params: list[int] = []
    if part[0] is not None:
        where.append(f"{key} >= %s")
        params.append(part[0] * seals.BLOCK)
    if part[1] is not None:
        where.append(f"{key} < %s")
        params.append((part[1] + 1) * seals.BLOCK)
    sql = f"{seals.select_sql(connection, table)} WHERE {' AND '.join(where)} ORDER BY {key}"
    return seals.grouped_rows(connection, table, sql, params)


def _name_rows(
    connection: Any,
    table: seals.Table,
    block: int,
    rows: list[tuple[Any, ...]],
    has_seal: bool,
    result: _Part,
) -> None:
    """The rows of a block that does not match its seal, each named."""
    tags: dict[str, str] = {}
    if has_seal:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tags FROM audit_blockseal "
                f"WHERE {connection.ops.quote_name('table')} = %s AND block = %s",
                [table.name, block],
            )
            text = cursor.fetchone()[0]
        tags = dict(item.split(":", 1) for item in text.split(",") if item)
    live = seals.seal_rows(table, block, rows)
    now = dict(item.split(":", 1) for item in live.tags.split(",") if item)
    for key, tag in now.items():
        if key not in tags:
            if table.ordered:
                result.findings.append(Finding(table.name, _key(table, block, key), ADDED))
            else:
                result.unsealed += 1
        elif tags[key] != tag:
            result.findings.append(Finding(table.name, _key(table, block, key), CHANGED))
    for key in tags.keys() - now.keys():
        result.findings.append(Finding(table.name, _key(table, block, key), REMOVED))


def _key(table: seals.Table, block: int, key: str) -> str:
    return str(block * seals.BLOCK + int(key)) if table.ordered else key
