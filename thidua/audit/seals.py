"""Seals over the audited data itself, so that a row changed behind thidua's back is found.

The audit chain proves that its own entries are as written; the rows they speak of are
sealed here. Every table of thidua's areas (found in the model registry, so a new table is
covered without a line here) is cut into blocks of `BLOCK` ids; each block has a seal: a
keyed code (BLAKE2b with the audit key, which is in the settings, never in the database or
its backups) over every row of the block, and each row's key with a short keyed tag, so a
block that no longer matches names the rows that changed, appeared or went.

Seals follow thidua's own writes in the same transaction: a save or delete (signals), a
bulk insert or update (`QuerySet.bulk_create`, `.update()`, which `install` wraps), a
plain SQL INSERT through Django's connection (the execute wrapper) and PostgreSQL's COPY
mark their blocks, and
the blocks are sealed again when the action records its audit entry (`record`) and, for
anything written after it, just before the transaction commits. The seal state — each
table's rows, blocks and the XOR of its block codes — carries a keyed code made with the
audit chain's head, kept on the head's row: seals deleted with their rows, or seals and
rows put back from an older copy, no longer add up to it.

Rows whose primary key is random (a ballot's) are never sealed one by one as they are
written: a seal written beside each would record the order they came in, which the random
key is there to hide. They are sealed in bulk (`seal_tables`), as a closed poll's box is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.query import QuerySet

from thidua.lib import clock

BLOCK = 128
# Areas whose rows are not the records thidua keeps: the trail itself, background jobs.
_NOT_SEALED_APPS = frozenset({"audit", "jobs"})
# Columns written on every use, outside any action.
_NOT_SEALED_COLUMNS = frozenset({("api_apitoken", "last_used_at")})
_INSERT = re.compile(r'\s*INSERT\s+INTO\s+"?(\w+)"?', re.IGNORECASE)
_COPY_IN = re.compile(r'\s*COPY\s+"?(\w+)"?.*\bFROM\s+STDIN', re.IGNORECASE | re.DOTALL)


def audit_key() -> bytes:
    """`THIDUA_AUDIT_KEY`, or a key derived from the secret key when it is not set."""
    own = getattr(settings, "THIDUA_AUDIT_KEY", "")
    if own:
        return hashlib.sha256(own.encode()).digest()
    return hmac.digest(settings.SECRET_KEY.encode(), b"thidua.audit.seals", "sha256")


@dataclass(frozen=True)
class Table:
    """One sealed table: its columns in sealing order (the key first) and how its key runs."""

    name: str
    model: type[models.Model]
    key: str
    columns: tuple[str, ...]
    ordered: bool  # whole-number keys, sealed as they are written

    @property
    def signature(self) -> str:
        return ",".join(self.columns)

    def block_of(self, key: Any) -> int:
        return int(key) // BLOCK if self.ordered else int(_text_key(key)[:2], 16)

    def row_key(self, key: Any) -> str:
        return str(int(key) % BLOCK) if self.ordered else _text_key(key)


def _text_key(key: Any) -> str:
    return key.hex if hasattr(key, "hex") and not isinstance(key, bytes | str) else str(key)


@cache
def tables() -> dict[str, Table]:
    """Every sealed table by name, from the model registry."""
    found: dict[str, Table] = {}
    for model in apps.get_models():
        meta = model._meta
        if not model.__module__.startswith("thidua.") or meta.app_label in _NOT_SEALED_APPS:
            continue
        if meta.proxy or not meta.managed:
            continue
        key = meta.pk.column
        others = sorted(
            f.column
            for f in meta.concrete_fields
            if f.column != key and (meta.db_table, f.column) not in _NOT_SEALED_COLUMNS
        )
        ordered = meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "SmallAutoField"}
        found[meta.db_table] = Table(meta.db_table, model, key, (key, *others), ordered)
    return found


def of_model(model: type[models.Model]) -> Table | None:
    return tables().get(model._meta.db_table)


# --- sealing -----------------------------------------------------------------------------------


@dataclass
class Sealed:
    """A block as the live rows make it: how many, its code, each row's tag."""

    rows: int
    mac: str
    tags: str


def seal_rows(table: Table, block: int, rows: list[tuple[Any, ...]]) -> Sealed:
    """The seal of one block from its rows (each starting with its key), in key order."""
    key = audit_key()
    code = hashlib.blake2b(key=key, digest_size=16)
    code.update(f"{table.name}\x1e{block}\x1e{table.signature}\x1e".encode())
    tags = []
    for row in sorted(rows, key=_order):
        text = repr(row).encode()
        code.update(text)
        code.update(b"\x1e")
        tag = hashlib.blake2b(text, key=key, digest_size=4).hexdigest()
        tags.append(f"{table.row_key(row[0])}:{tag}")
    return Sealed(len(rows), code.hexdigest(), ",".join(tags))


def block_code(table: Table, block: int, rows: list[tuple[Any, ...]]) -> str:
    """Only the block's code: what a check computes for every block."""
    code = hashlib.blake2b(key=audit_key(), digest_size=16)
    code.update(f"{table.name}\x1e{block}\x1e{table.signature}\x1e".encode())
    for row in sorted(rows, key=_order):
        code.update(repr(row).encode())
        code.update(b"\x1e")
    return code.hexdigest()


def _order(row: tuple[Any, ...]) -> Any:
    return row[0] if isinstance(row[0], int) else _text_key(row[0])


def select_sql(connection: BaseDatabaseWrapper, table: Table) -> str:
    quote = connection.ops.quote_name
    return f"SELECT {', '.join(quote(c) for c in table.columns)} FROM {quote(table.name)}"


def _ranges(blocks: Iterable[int]) -> Iterator[tuple[int, int]]:
    """Runs of consecutive blocks as (first, last)."""
    run: list[int] = []
    for block in sorted(blocks):
        if run and block != run[-1] + 1:
            yield run[0], run[-1]
            run = []
        run.append(block)
    if run:
        yield run[0], run[-1]


def live_blocks(
    connection: BaseDatabaseWrapper, table: Table, blocks: Iterable[int] | None = None
) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    """The table's rows grouped by block, blocks in order (of `blocks` only, if given)."""
    quote = connection.ops.quote_name
    key = quote(table.key)
    queries: list[tuple[str, list[Any]]]
    if blocks is None:
        queries = [(f"{select_sql(connection, table)} ORDER BY {key}", [])]
    elif table.ordered:
        queries = [
            (
                f"{select_sql(connection, table)} WHERE {key} >= %s AND {key} < %s ORDER BY {key}",
                [first * BLOCK, (last + 1) * BLOCK],
            )
            for first, last in _ranges(blocks)
        ]
    else:  # a few hundred blocks at most: read the table, keep the blocks asked for
        wanted = set(blocks)
        kept: dict[int, list[tuple[Any, ...]]] = {}
        for block, rows in live_blocks(connection, table):
            if block in wanted:
                kept[block] = rows
        yield from sorted(kept.items())
        return
    for sql, params in queries:
        yield from grouped_rows(connection, table, sql, params)


def grouped_rows(
    connection: BaseDatabaseWrapper, table: Table, sql: str, params: list[Any]
) -> Iterator[tuple[int, list[tuple[Any, ...]]]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if table.ordered:
            current: int | None = None
            rows: list[tuple[Any, ...]] = []
            while chunk := cursor.fetchmany(5000):
                for row in chunk:
                    block = row[0] // BLOCK
                    if block != current:
                        if rows:
                            yield current, rows  # type: ignore[misc]
                        current, rows = block, []
                    rows.append(row)
            if rows:
                yield current, rows  # type: ignore[misc]
            return
        by_block: dict[int, list[tuple[Any, ...]]] = {}
        while chunk := cursor.fetchmany(5000):
            for row in chunk:
                by_block.setdefault(table.block_of(row[0]), []).append(row)
        yield from sorted(by_block.items())


@dataclass
class Totals:
    """A table's totals in the seal state."""

    rows: int
    blocks: int
    xor: int
    columns: str
    since: str

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "blocks": self.blocks,
            "xor": f"{self.xor:032x}",
            "columns": self.columns,
            "since": self.since,
        }

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Totals:
        return cls(
            int(data["rows"]),
            int(data["blocks"]),
            int(data["xor"], 16),
            str(data["columns"]),
            str(data["since"]),
        )


def _stored(
    connection: BaseDatabaseWrapper, table: Table, blocks: list[int]
) -> dict[int, tuple[int, str]]:
    found: dict[int, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(blocks), 500):
            part = blocks[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                "SELECT block, rows, mac FROM audit_blockseal "
                f"WHERE {connection.ops.quote_name('table')} = %s AND block IN ({marks})",
                [table.name, *part],
            )
            found.update({block: (rows, mac) for block, rows, mac in cursor.fetchall()})
    return found


def reseal(
    connection: BaseDatabaseWrapper, table: Table, blocks: Iterable[int], totals: Totals
) -> None:
    """Seal `blocks` of `table` again from the live rows, and carry the change into
    `totals`."""
    blocks = sorted(set(blocks))
    if not blocks:
        return
    old = _stored(connection, table, blocks)
    new = {
        block: seal_rows(table, block, rows)
        for block, rows in live_blocks(connection, table, blocks)
    }
    for rows, mac in old.values():
        totals.xor ^= int(mac, 16)
        totals.rows -= rows
        totals.blocks -= 1
    for sealed in new.values():
        totals.xor ^= int(sealed.mac, 16)
        totals.rows += sealed.rows
        totals.blocks += 1
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for start in range(0, len(blocks), 500):
            part = blocks[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            cursor.execute(
                f"DELETE FROM audit_blockseal WHERE {quote('table')} = %s AND block IN ({marks})",
                [table.name, *part],
            )
        cursor.executemany(
            f"INSERT INTO audit_blockseal ({quote('table')}, block, rows, mac, tags) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(table.name, b, s.rows, s.mac, s.tags) for b, s in sorted(new.items())],
        )


def seal_whole(connection: BaseDatabaseWrapper, table: Table) -> Totals:
    """Seal every row of `table` afresh; its new totals."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM audit_blockseal WHERE {connection.ops.quote_name('table')} = %s",
            [table.name],
        )
    totals = Totals(0, 0, 0, table.signature, clock.now().isoformat())
    batch: list[tuple[Any, ...]] = []
    quote = connection.ops.quote_name
    insert = (
        f"INSERT INTO audit_blockseal ({quote('table')}, block, rows, mac, tags) "
        "VALUES (%s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        for block, rows in live_blocks(connection, table):
            sealed = seal_rows(table, block, rows)
            totals.xor ^= int(sealed.mac, 16)
            totals.rows += sealed.rows
            totals.blocks += 1
            batch.append((table.name, block, sealed.rows, sealed.mac, sealed.tags))
            if len(batch) >= 2000:
                cursor.executemany(insert, batch)
                batch = []
        if batch:
            cursor.executemany(insert, batch)
    return totals


# --- the seal state ----------------------------------------------------------------------------


def state_mac(tables_state: Mapping[str, Any], head: str) -> str:
    text = json.dumps({"tables": tables_state, "head": head}, sort_keys=True)
    return hmac.new(audit_key(), text.encode(), "sha256").hexdigest()


def _read_state(connection: BaseDatabaseWrapper) -> dict[str, Any] | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tables FROM audit_sealstate WHERE id = 1")
        row = cursor.fetchone()
    if row is None:
        return None
    value = row[0]
    return json.loads(value) if isinstance(value, str) else dict(value)


def _write_state(connection: BaseDatabaseWrapper, state: Mapping[str, Any], head: str) -> None:
    """Store the totals, and their code with `head` on the chain head's row."""
    text = json.dumps(state, sort_keys=True)
    mac = state_mac(state, head)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_sealstate SET tables = %s WHERE id = 1", [text])
        if cursor.rowcount == 0:
            cursor.execute("INSERT INTO audit_sealstate (id, tables) VALUES (1, %s)", [text])
        cursor.execute("UPDATE audit_chainhead SET seals_mac = %s WHERE id = 1", [mac])
        if cursor.rowcount == 0:
            cursor.execute(
                "INSERT INTO audit_chainhead (id, last_hash, seals_mac) VALUES (1, %s, %s)",
                [head, mac],
            )


def _head(connection: BaseDatabaseWrapper) -> str:
    from .record import GENESIS

    with connection.cursor() as cursor:
        cursor.execute("SELECT last_hash FROM audit_chainhead WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else GENESIS


def settle(connection: BaseDatabaseWrapper, head: str | None = None) -> None:
    """Seal again the blocks this connection's transaction wrote, and sign the state with
    the chain's head (`head`, or the one in the database). Call holding the chain's lock."""
    touched = _marks(connection).take(connection)
    state = _read_state(connection)
    if state is None:  # not sealed yet: `thidua seal_data` (or a migration) starts it
        return
    for name, blocks in touched.items():
        table = tables().get(name)
        if table is None:
            continue
        totals = (
            Totals.of(state[name])
            if name in state
            else Totals(0, 0, 0, table.signature, clock.now().isoformat())
        )
        reseal(connection, table, blocks, totals)
        state[name] = totals.as_json()
    _write_state(connection, state, head if head is not None else _head(connection))


def seal_tables(names: Iterable[str] | None = None, *, using: str = "default") -> int:
    """Seal the named tables (every table when None) afresh from their rows as they are now,
    in the caller's transaction; the number of rows sealed."""
    from django.db import transaction

    from .models import ChainHead
    from .record import GENESIS

    connection = connections[using]
    chosen = list(tables()) if names is None else list(names)
    sealed = 0
    with transaction.atomic(using=using):
        ChainHead.objects.using(using).select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        settle(connection)  # this transaction's own writes to the other tables first
        state = _read_state(connection) or {}
        for name in chosen:
            totals = seal_whole(connection, tables()[name])
            state[name] = totals.as_json()
            sealed += totals.rows
        for name in set(state) - set(tables()):
            del state[name]  # a table that no longer exists
        _write_state(connection, state, _head(connection))
    return sealed


# --- following thidua's own writes -------------------------------------------------------------


class _Marks:
    """The blocks a connection's open transaction wrote, by table."""

    def __init__(self) -> None:
        self.touched: dict[str, set[int]] = {}
        # Tables given rows by plain SQL: every key above this one is new.
        self.above: dict[str, int] = {}

    def __bool__(self) -> bool:
        return bool(self.touched or self.above)

    def take(self, connection: BaseDatabaseWrapper) -> dict[str, set[int]]:
        """The blocks written, with those of plain inserts now that their rows are in; and
        forget them."""
        touched, above = self.touched, self.above
        self.touched, self.above = {}, {}
        for name, before in above.items():
            table = tables()[name]
            with connection.cursor() as cursor:
                quote = connection.ops.quote_name
                cursor.execute(f"SELECT MAX({quote(table.key)}) FROM {quote(name)}")
                highest = cursor.fetchone()[0] or 0
            touched.setdefault(name, set()).update(range(before // BLOCK, highest // BLOCK + 1))
        return touched


_local = threading.local()


def _orm_writing() -> int:
    return getattr(_local, "orm", 0)


def _migrating() -> bool:
    return getattr(_local, "migrating", False)


def _marks(connection: BaseDatabaseWrapper) -> _Marks:
    marks = getattr(connection, "_thidua_seal_marks", None)
    if marks is None:
        marks = _Marks()
        connection._thidua_seal_marks = marks  # type: ignore[attr-defined]
        _follow(connection)
    return marks


def pending(connection: BaseDatabaseWrapper) -> bool:
    """Whether this connection wrote blocks its transaction has not sealed yet."""
    return bool(_marks(connection))


def mark(table: Table, keys: Iterable[Any], using: str) -> None:
    """Note that rows of `table` with these keys were written on `using`'s connection."""
    if not table.ordered or _migrating():
        return
    connection = connections[using]
    blocks = {int(key) // BLOCK for key in keys if key is not None}
    if not blocks:
        return
    _marks(connection).touched.setdefault(table.name, set()).update(blocks)
    if connection.get_autocommit():  # no transaction to wait for: seal now
        _settle_alone(connection)


def _settle_alone(connection: BaseDatabaseWrapper) -> None:
    from django.db import transaction

    from .models import ChainHead

    with transaction.atomic(using=connection.alias):
        ChainHead.objects.using(connection.alias).select_for_update().filter(pk=1).first()
        settle(connection)


def _follow(connection: BaseDatabaseWrapper) -> None:
    """Seal before this connection commits, forget on rollback, and follow plain INSERTs."""
    commit, rollback = connection.commit, connection.rollback

    def sealed_commit() -> None:
        if _marks(connection) and not connection.needs_rollback:
            settle_locked(connection)
        commit()

    def forgetting_rollback() -> None:
        _marks(connection).touched.clear()
        _marks(connection).above.clear()
        rollback()

    # A savepoint rolled back takes back the seals written since it, so the blocks marked
    # before it are marked again.
    kept: dict[str, tuple[dict[str, set[int]], dict[str, int]]] = {}
    savepoint, savepoint_rollback = connection.savepoint, connection.savepoint_rollback
    savepoint_commit = connection.savepoint_commit

    def marking_savepoint() -> str | None:
        sid = savepoint()
        if sid is not None:
            marks = _marks(connection)
            kept[sid] = ({k: set(v) for k, v in marks.touched.items()}, dict(marks.above))
        return sid

    def restoring_rollback(sid: str) -> None:
        savepoint_rollback(sid)
        touched, above = kept.pop(sid, ({}, {}))
        marks = _marks(connection)
        for name, blocks in touched.items():
            marks.touched.setdefault(name, set()).update(blocks)
        for name, before in above.items():
            marks.above[name] = min(marks.above.get(name, before), before)

    def forgetting_commit(sid: str) -> None:
        savepoint_commit(sid)
        kept.pop(sid, None)

    connection.commit = sealed_commit  # type: ignore[method-assign]
    connection.rollback = forgetting_rollback  # type: ignore[method-assign]
    connection.savepoint = marking_savepoint  # type: ignore[method-assign]
    connection.savepoint_rollback = restoring_rollback  # type: ignore[method-assign]
    connection.savepoint_commit = forgetting_commit  # type: ignore[method-assign]
    connection.execute_wrappers.append(_plain_inserts)


def settle_locked(connection: BaseDatabaseWrapper) -> None:
    """Take the chain's lock in the open transaction, then `settle`."""
    with connection.cursor() as cursor:
        if connection.features.has_select_for_update:
            cursor.execute("SELECT last_hash FROM audit_chainhead WHERE id = 1 FOR UPDATE")
    settle(connection)


def _plain_inserts(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Mapping[str, Any]
) -> Any:
    """An INSERT written as SQL (an import's bulk rows) marks every block from the table's
    highest key before it up: they hold every row it adds, counted when the transaction
    settles."""
    found = None if _orm_writing() or _migrating() else _INSERT.match(sql)
    table = tables().get(found.group(1)) if found else None
    if table is None or not table.ordered:
        return execute(sql, params, many, context)
    connection = context["connection"]
    cursor = context["cursor"]
    cursor.execute(f"SELECT MAX({connection.ops.quote_name(table.key)}) FROM {table.name}")
    before = cursor.fetchone()[0] or 0
    marks = _marks(connection)
    marks.above[table.name] = min(marks.above.get(table.name, before), before)
    result = execute(sql, params, many, context)
    if connection.get_autocommit() and cursor.description is None:
        _settle_alone(connection)
    return result


def _copy(original: Callable[..., Any]) -> Callable[..., Any]:
    """PostgreSQL's COPY … FROM STDIN (an import's bulk rows) marks the blocks above the
    table's highest key before it, as a plain INSERT does."""

    def copy(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
        found = None if _migrating() else _COPY_IN.match(str(statement))
        table = tables().get(found.group(1)) if found else None
        connection = next(
            (c for c in connections.all(initialized_only=True) if c.connection is self.connection),
            None,
        )
        if table is not None and table.ordered and connection is not None:
            quote = connection.ops.quote_name
            self.execute(f"SELECT MAX({quote(table.key)}) FROM {quote(table.name)}")
            before = self.fetchone()[0] or 0
            marks = _marks(connection)
            marks.above[table.name] = min(marks.above.get(table.name, before), before)
        return original(self, statement, *args, **kwargs)

    return copy


def _after_save(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    table = of_model(sender)
    if table is not None:
        mark(table, [instance.pk], using)


def _after_delete(sender: Any, instance: Any, using: str, **kwargs: Any) -> None:
    _after_save(sender, instance, using)


def _bulk_create(original: Callable[..., Any]) -> Callable[..., Any]:
    def bulk_create(self: QuerySet[Any], objs: Iterable[Any], *args: Any, **kwargs: Any) -> Any:
        _local.orm = _orm_writing() + 1
        try:
            created = original(self, objs, *args, **kwargs)
        finally:
            _local.orm -= 1
        table = of_model(self.model)
        if table is not None:
            mark(table, [obj.pk for obj in created], self.db)
        return created

    return bulk_create


def _update(original: Callable[..., Any]) -> Callable[..., Any]:
    def update(self: QuerySet[Any], **kwargs: Any) -> int:
        table = of_model(self.model)
        if table is not None and not _seals_any(table, kwargs):
            table = None  # a token's last use: nothing sealed changes
        keys = list(self.values_list("pk", flat=True)) if table and table.ordered else []
        changed = original(self, **kwargs)
        if table is not None and keys:
            mark(table, keys, self.db)
        return int(changed)

    update.follows_seals = True  # type: ignore[attr-defined]
    return update


def _seals_any(table: Table, fields: Mapping[str, Any]) -> bool:
    meta = table.model._meta
    return any(getattr(meta.get_field(name), "column", None) in table.columns for name in fields)


def _insert(original: Callable[..., Any]) -> Callable[..., Any]:
    def insert(self: QuerySet[Any], *args: Any, **kwargs: Any) -> Any:
        _local.orm = _orm_writing() + 1
        try:
            return original(self, *args, **kwargs)
        finally:
            _local.orm -= 1

    insert.queryset_only = False  # type: ignore[attr-defined]
    return insert


def _connected(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    _marks(connection)


def _pre_migrate(**kwargs: Any) -> None:
    _local.migrating = True


def _post_migrate(sender: Any, using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    """After migrations: seal the tables of every area a migration ran for (their columns or
    rows may have changed), or every table when nothing is sealed yet."""
    if sender.label != "audit":
        return
    _local.migrating = False
    connection = connections[using]
    state = _read_state(connection)
    if state is None:
        seal_tables(using=using)
        return
    ran = {migration.app_label for migration, backwards in plan or []}
    changed = [
        name
        for name, table in tables().items()
        if table.model._meta.app_label in ran
        or name not in state
        or state[name].get("columns") != table.signature
    ]
    if changed or set(state) - set(tables()):
        seal_tables(changed, using=using)


def install() -> None:
    """Follow thidua's writes: called once, from the audit app's `ready()`."""
    if getattr(QuerySet.update, "follows_seals", False):
        return
    from django.db.backends.signals import connection_created
    from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate

    connection_created.connect(_connected, dispatch_uid="thidua.audit.seals.connected")
    post_save.connect(_after_save, dispatch_uid="thidua.audit.seals.save")
    post_delete.connect(_after_delete, dispatch_uid="thidua.audit.seals.delete")
    pre_migrate.connect(_pre_migrate, dispatch_uid="thidua.audit.seals.pre_migrate")
    post_migrate.connect(_post_migrate, dispatch_uid="thidua.audit.seals.post_migrate")
    QuerySet.bulk_create = _bulk_create(QuerySet.bulk_create)  # type: ignore[method-assign]
    QuerySet.update = _update(QuerySet.update)  # type: ignore[method-assign]
    QuerySet._insert = _insert(QuerySet._insert)  # type: ignore[attr-defined]
    try:
        import psycopg
    except ImportError:  # SQLite only
        return
    psycopg.Cursor.copy = _copy(psycopg.Cursor.copy)  # type: ignore[method-assign]
