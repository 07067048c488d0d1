"""All-pairs reachability, measured the same way on any backend.

A ``Matrix`` has one column per IPv4 address (an address several nodes own,
legal on separate segments, is one column naming every owner), one row per
source, a bool per cell, and for every reached cell the node or guest that
answered (``answered_by``). ``measure`` assembles it from a backend's
``answers``: each row from cold caches, all of a row's probes at once. The
JSON document is the shape of cli.md's ``matrix --json``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..resolve import Resolved
from .endpoints import targets


@dataclass(frozen=True)
class Column:
    """One address and every (node or guest, interface) that owns it, in file order."""

    address: str
    owners: tuple[tuple[str, str], ...]

    @property
    def node(self) -> str:
        return self.owners[0][0]

    @property
    def interface(self) -> str:
        return self.owners[0][1]

    @property
    def nodes(self) -> list[str]:
        return [n for n, _ in self.owners]

    def as_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"node": self.node, "interface": self.interface, "address": self.address}
        if len(self.owners) > 1:
            d["owners"] = [{"node": n, "interface": i} for n, i in self.owners]
        return d


def columns(r: Resolved) -> list[Column]:
    """Every IPv4 address of the lab once, at its first owner's place in file order."""
    owners: dict[str, list[tuple[str, str]]] = {}
    for t in targets(r):
        owners.setdefault(t.address, []).append((t.node, t.interface))
    return [Column(a, tuple(o)) for a, o in owners.items()]


@dataclass
class Matrix:
    """All-pairs reachability of one lab on one backend."""

    lab: str
    backend: str
    columns: list[Column]
    #: {source: {address: reached}}
    rows: dict[str, dict[str, bool]]
    #: {source: {address: node or guest that answered}}, for reached cells only
    answered_by: dict[str, dict[str, str]] = field(default_factory=dict)
    elapsed_s: float = 0.0
    #: addresses whose cells this backend could not judge (a guest nobody serves)
    unchecked: frozenset[str] = frozenset()
    #: sources whose rows this backend could not judge
    unchecked_sources: frozenset[str] = frozenset()
    #: {source: {address: n}}: cells that answered only on the n-th cold retry (kernel)
    retried: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def targets(self) -> list[Column]:
        return self.columns

    def reached(self, src: str, address: str) -> bool:
        return self.rows[src][address]

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "lab": self.lab,
            "backend": self.backend,
            "targets": [c.as_json() for c in self.columns],
            "rows": self.rows,
            "answered_by": self.answered_by,
            "elapsed_s": self.elapsed_s,
        }
        if self.retried:
            doc["retried"] = self.retried
        if self.unchecked or self.unchecked_sources:
            doc["unchecked"] = {"sources": sorted(self.unchecked_sources), "addresses": sorted(self.unchecked)}
        return doc

    def __getitem__(self, key: str) -> Any:
        """Read access as the JSON document (``m["rows"]``), for callers of the dict it used to be."""
        return self.as_json()[key]


class RowProber(Protocol):
    """What ``measure`` needs from a backend."""

    r: Resolved
    name: str

    def sources(self) -> list[str]: ...

    def answers(self, src: str, dsts: Sequence[str]) -> dict[str, str | None]:
        """From cold caches, all at once: who answered each address (None: nobody)."""
        ...

    def measuring(self, cols: Sequence[Column]) -> AbstractContextManager[None]:
        """Held around all rows: a backend's per-matrix set-up and tear-down."""
        ...


def measure(
    b: RowProber, *, unchecked: frozenset[str] = frozenset(), unchecked_sources: frozenset[str] = frozenset()
) -> Matrix:
    t0 = time.perf_counter()
    cols = columns(b.r)
    addrs = [c.address for c in cols]
    rows: dict[str, dict[str, bool]] = {}
    by: dict[str, dict[str, str]] = {}
    with b.measuring(cols):
        for src in b.sources():
            ans = b.answers(src, addrs)
            rows[src] = {a: ans[a] is not None for a in addrs}
            by[src] = {a: n for a, n in ans.items() if n is not None}
    return Matrix(
        b.r.lab.lab,
        b.name,
        cols,
        rows,
        by,
        round(time.perf_counter() - t0, 6),
        unchecked,
        unchecked_sources,
    )


def owners_of(r: Resolved) -> dict[str, list[str]]:
    """address → every node and guest that owns it, in file order."""
    return {c.address: c.nodes for c in columns(r)}
