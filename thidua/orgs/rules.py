"""Lineage of organisations through renames and mergers, as pure functions over edges."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


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
