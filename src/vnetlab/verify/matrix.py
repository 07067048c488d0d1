"""All-pairs reachability, measured the same way on any backend.

A ``Matrix`` has one column per IPv4 address (an address several nodes own,
legal on separate segments, is one column naming every owner), one row per
source, a bool per cell, and for every reached cell the node or guest that
answered (``answered_by``). ``measure`` assembles it from a backend's
``answers``: each row from cold caches, its probes sent one after another in
column order without waiting for replies, then the replies collected. The
JSON document is the shape of cli.md's ``matrix --json``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..resolve import Resolved
from .endpoints import targets

if TYPE_CHECKING:
    from ..sim.world import FdbSnapshot


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
        d: dict[str, Any] = {
            "node": self.node,
            "interface": self.interface,
            "address": self.address,
            "family": 6 if ":" in self.address else 4,
        }
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
    #: rows measured in parallel (``measure_parallel``): chunks run, and chunks run again
    parallel: dict[str, int] = field(default_factory=dict, compare=False)
    #: what was probed: icmp (echo requests), or tcp/udp to ``port`` (v1.1)
    proto: str = "icmp"
    port: int | None = None

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
        if self.proto != "icmp":
            doc["proto"] = self.proto
            doc["port"] = self.port
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

    def answers(
        self, src: str, dsts: Sequence[str], *, proto: str = "icmp", port: int | None = None
    ) -> dict[str, str | None]:
        """From cold caches, one probe per address, each sent without waiting for the
        previous one's reply: who answered each address (None: nobody)."""
        ...

    def measuring(self, cols: Sequence[Column]) -> AbstractContextManager[None]:
        """Held around all rows: a backend's per-matrix set-up and tear-down."""
        ...


def measure(
    b: RowProber,
    *,
    unchecked: frozenset[str] = frozenset(),
    unchecked_sources: frozenset[str] = frozenset(),
    proto: str = "icmp",
    port: int | None = None,
) -> Matrix:
    t0 = time.perf_counter()
    cols = columns(b.r)
    addrs = [c.address for c in cols]
    rows: dict[str, dict[str, bool]] = {}
    by: dict[str, dict[str, str]] = {}
    with b.measuring(cols):
        for src in b.sources():
            ans = b.answers(src, addrs) if proto == "icmp" else b.answers(src, addrs, proto=proto, port=port)
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
        proto=proto,
        port=port,
    )


def owners_of(r: Resolved) -> dict[str, list[str]]:
    """address → every node and guest that owns it, in file order."""
    return {c.address: c.nodes for c in columns(r)}


# Rows in parallel (simulator) ------------------------------------------------------
#
# A simulator row leaves one kind of state to the next: what bridges and VXLAN
# devices learned (``World.fdb_snapshot``; neighbour caches are flushed). Each
# row is a deterministic function of that snapshot and its source. So rows
# 1..n-1 are cut into chunks, every chunk runs from a guessed start snapshot
# (the one row 0 leaves: learning has usually converged by then), and the
# chunks are accepted in order only when the guess equals the snapshot the
# previous chunk really ended with; a chunk whose guess was wrong is run again
# from the true snapshot. The result is always the serial matrix, cell for cell.

#: the simulator of this process, per lab (a pool worker or a Dask worker keeps it between chunks)
_SIMS: dict[str, Any] = {}
#: a Dask worker may run two tasks at once in threads: they take turns with the one simulator
_LOCK = threading.Lock()


def _lab_key(r: Resolved) -> str:
    import hashlib

    return hashlib.sha256(r.lab.model_dump_json(by_alias=True).encode()).hexdigest()


def _sim(r: Resolved, key: str) -> Any:
    sim = _SIMS.get(key)
    if sim is None:
        from ..sim import Simulator

        _SIMS.clear()  # one lab at a time
        sim = _SIMS[key] = Simulator(r)
    return sim


#: rows ``{address: reached}`` and ``{address: who answered}`` (reached ones), one of each per
#: source, and the learned state after them
ChunkResult = tuple[list[dict[str, bool]], list[dict[str, str]], "FdbSnapshot"]


def run_chunk(r: Resolved, key: str, start: FdbSnapshot, srcs: Sequence[str], addrs: Sequence[str]) -> ChunkResult:
    """Rows ``srcs`` in order from the learned state ``start``: as ``measure`` records them
    (made here, in the worker: the caller only unpickles them), and the learned state after them."""
    with _LOCK:
        sim = _sim(r, key)
        sim.flush()
        sim.world.fdb_restore(start)
        rows: list[dict[str, bool]] = []
        by: list[dict[str, str]] = []
        with sim.measuring(columns(r)):
            for src in srcs:
                ans = sim.answers(src, addrs)
                rows.append({a: ans[a] is not None for a in addrs})
                by.append({a: n for a, n in ans.items() if n is not None})
        return rows, by, sim.world.fdb_snapshot()


def _pool_chunk(key: str, start: FdbSnapshot, srcs: Sequence[str], addrs: Sequence[str]) -> ChunkResult:
    sim = _SIMS[key]
    return run_chunk(sim.r, key, start, srcs, addrs)


def _pool_init(r: Resolved, key: str) -> None:
    _sim(r, key)


def _chunks(items: Sequence[str], n: int) -> list[list[str]]:
    n = max(1, min(n, len(items)))
    size, extra = divmod(len(items), n)
    out, i = [], 0
    for k in range(n):
        j = i + size + (1 if k < extra else 0)
        out.append(list(items[i:j]))
        i = j
    return [c for c in out if c]


def measure_parallel(
    r: Resolved,
    *,
    workers: int = 2,
    cluster: str | None = None,
    chunks_per_worker: int = 1,
    _guess: FdbSnapshot | None = None,
) -> Matrix:
    """The simulator's matrix with rows in ``workers`` processes, or on the Dask
    cluster at ``cluster`` (a scheduler address), equal to the serial ``measure``.

    ``.stats`` on the result: chunks run, and chunks run again because the
    learned state they started from was not the one the rows before left."""
    t0 = time.perf_counter()
    key = _lab_key(r)
    sim = _sim(r, key)
    cols = columns(r)
    addrs = [c.address for c in cols]
    srcs = sim.sources()
    out: list[dict[str, bool]] = []
    out_by: list[dict[str, str]] = []
    from ..sim.world import FdbSnapshot

    state = FdbSnapshot()
    if srcs:
        out, out_by, state = run_chunk(r, key, sim.world.fdb_snapshot(), srcs[:1], addrs)
    rest = srcs[1:]
    guess = state if _guess is None else _guess
    redone = n_chunks = 0
    if rest:
        n_workers = workers
        client = None
        if cluster is not None:
            from dask.distributed import Client

            client = Client(cluster)
            n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        parts = _chunks(rest, n_workers * chunks_per_worker)
        n_chunks = len(parts)
        results: list[Any]
        if client is not None:
            try:
                rf = client.scatter(r, broadcast=True)
                futs = [client.submit(run_chunk, rf, key, guess, p, addrs, pure=False) for p in parts]
                results = client.gather(futs)
            finally:
                client.close()
        elif n_workers <= 1:
            results = [run_chunk(r, key, guess, p, addrs) for p in parts]
        else:
            # this process is one of the workers: it runs the first chunk while n - 1 forked
            # ones run the others (no process to start, no rows to send back for that chunk)
            results = _in_processes(r, key, guess, parts, addrs, n_workers - 1, local=parts[0])
        for part, (rows, row_by, end) in zip(parts, results, strict=True):
            if guess != state:  # started from the wrong learned state: run it again from the right one
                rows, row_by, end = run_chunk(r, key, state, part, addrs)
                redone += 1
            out += rows
            out_by += row_by
            state = end
    rows_d = dict(zip(srcs, out, strict=True))
    by = dict(zip(srcs, out_by, strict=True))
    with _LOCK:
        _SIMS.pop(key, None)  # the caller keeps no simulator (workers keep theirs for the next chunks)
    m = Matrix(r.lab.lab, "sim", cols, rows_d, by, round(time.perf_counter() - t0, 6))
    m.parallel = {"chunks": n_chunks, "redone": redone}
    return m


def _in_processes(
    r: Resolved,
    key: str,
    guess: FdbSnapshot,
    parts: list[list[str]],
    addrs: list[str],
    n: int,
    local: list[str] | None = None,
) -> list[ChunkResult]:
    """The chunks ``parts`` in ``n`` processes; with ``local`` (the first of ``parts``), that one
    is run here meanwhile."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    remote = parts[1:] if local is not None else parts
    if not remote or n < 1:
        return [run_chunk(r, key, guess, p, addrs) for p in parts]
    # fork shares the simulator built here (copy on write); a process with threads spawns instead
    ctx = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    with ProcessPoolExecutor(min(n, len(remote)), mp_context=ctx, initializer=_pool_init, initargs=(r, key)) as ex:
        k = len(remote)
        futs = ex.map(_pool_chunk, [key] * k, [guess] * k, remote, [addrs] * k)
        here = [run_chunk(r, key, guess, local, addrs)] if local is not None else []
        return here + list(futs)
