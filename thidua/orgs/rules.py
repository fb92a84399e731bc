"""Lineage of organisations through renames and mergers, as pure functions over edges."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

# An organisation's period: the first and the last day it exists (None: open-ended).
Period = tuple[dt.date | None, dt.date | None]


def predecessors(org_id: int, edges: Iterable[tuple[int, int]]) -> set[int]:
    """Every organisation `org_id` continues, directly or through a chain (not itself)."""
    into: dict[int, list[int]] = defaultdict(list)
    for before, after in edges:
        into[after].append(before)
    return _walk(org_id, into)


def successors(org_id: int, edges: Iterable[tuple[int, int]]) -> set[int]:
    """Every organisation that continues `org_id`, directly or through a chain (not itself)."""
    out: dict[int, list[int]] = defaultdict(list)
    for before, after in edges:
        out[before].append(after)
    return _walk(org_id, out)


def exists_on(period: Period, day: dt.date) -> bool:
    """Whether an organisation with this period exists on `day`."""
    valid_from, valid_to = period
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


def continuers(
    org_id: int, day: dt.date, edges: Iterable[tuple[int, int]], periods: Mapping[int, Period]
) -> list[int]:
    """Who stands for `org_id` on `day`: itself while it exists, otherwise the nearest
    organisations that continue it and exist on that day (none if the line has ended).

    A successor that does not exist yet on `day` is passed through to its own successors
    only if it has ended by then; one not yet begun stands for nothing.
    """
    out: dict[int, list[int]] = defaultdict(list)
    for before, after in edges:
        out[before].append(after)
    found: list[int] = []
    seen: set[int] = set()
    queue = [org_id]
    while queue:
        node = queue.pop(0)
        if node in seen:
            continue
        seen.add(node)
        period = periods.get(node, (None, None))
        if exists_on(period, day):
            found.append(node)
        elif period[1] is not None and period[1] < day:
            queue.extend(out.get(node, ()))
    return found


def _walk(start: int, graph: dict[int, list[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(graph.get(start, ()))
    while stack:
        node = stack.pop()
        if node in seen or node == start:
            continue
        seen.add(node)
        stack.extend(graph.get(node, ()))
    return seen
