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
from collections.abc import Callable, Sequence
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
    #: the text of ``rows`` and ``answered_by`` in ``matrix --json``, when the processes that
    #: measured them encoded it (``measure_parallel``)
    texts: tuple[list[str], list[str]] | None = field(default=None, compare=False, repr=False)
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

    def json_text(self, encode: Callable[[Any], str]) -> str:
        """``encode(self.as_json())`` (the CLI's ``json.dumps(doc, indent=2)``), with the text of
        the rows taken from ``texts`` when the workers made it."""
        return "".join(self.json_pieces(encode))

    def json_pieces(self, encode: Callable[[Any], str]) -> list[str]:
        """``json_text`` in pieces, to be written one after another (no copy of the rows' text)."""
        doc = self.as_json()
        if self.texts is None:
            return [encode(doc)]
        import uuid

        marks = [f'"vnetlab-{uuid.uuid4().hex}"' for _ in range(2)]
        doc["rows"], doc["answered_by"] = (m[1:-1] for m in marks)
        tail = encode(doc)
        out: list[str] = []
        for mark, parts in zip(marks, self.texts, strict=True):
            head, sep, tail = tail.partition(mark)
            if not sep or mark in tail:  # cannot happen: a fresh random mark, once
                raise AssertionError("matrix --json: rows not placed")
            out.append(head)
            out += _join(parts)
        out.append(tail)
        return out

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


def _columns(r: Resolved, key: str) -> list[Column]:
    """``columns(r)``, once per lab in this process (1,000 nodes: 0.05 s, paid by every chunk)."""
    cols = _COLUMNS.get(key)
    if cols is None:
        _COLUMNS.clear()
        cols = _COLUMNS[key] = columns(r)
    return cols


_COLUMNS: dict[str, list[Column]] = {}


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
        with sim.measuring(_columns(r, key)):
            for src in srcs:
                ans = sim.answers(src, addrs)
                rows.append({a: ans[a] is not None for a in addrs})
                by.append({a: n for a, n in ans.items() if n is not None})
        return rows, by, sim.world.fdb_snapshot()


#: a chunk's rows as ``run_chunk`` gives them, and their text in ``matrix --json`` (``Texts``)
EncodedChunk = tuple[list[dict[str, bool]], list[dict[str, str]], "FdbSnapshot", "Texts"]


def _encoded_chunk(
    r: Resolved, key: str, start: FdbSnapshot, srcs: Sequence[str], addrs: Sequence[str]
) -> EncodedChunk:
    """``run_chunk``, and the JSON text of its rows, encoded where they were measured."""
    rows, by, end = run_chunk(r, key, start, srcs, addrs)
    return rows, by, end, _texts(srcs, rows, by)


def _pool_chunk(key: str, start: FdbSnapshot, srcs: Sequence[str], addrs: Sequence[str]) -> EncodedChunk:
    # (the rows go back as dicts: pickle's memo makes them faster to load than any flat code
    # rebuilt into dicts here, measured)
    sim = _SIMS[key]
    return _encoded_chunk(sim.r, key, start, srcs, addrs)


def _pool_init(r: Resolved, key: str) -> None:
    _sim(r, key)


# The JSON text of rows, made by the processes that measured them ----------------------
#
# ``matrix --json`` is ``json.dumps(doc, indent=2)`` (cli/render.json_text, the same
# text); a million cells are ~60 MB of it, a tenth of the serial run's time. Each
# process encodes the rows it measured, as ``json.dumps`` would indent them inside
# ``doc["rows"]`` and ``doc["answered_by"]`` (a dict of str -> scalar two levels
# down: one item per line, six spaces in), and the caller only joins the texts.

#: the items of ``doc["rows"]`` and ``doc["answered_by"]`` for some sources, each joined by
#: ``_ITEM`` and without the braces around them ("" for no source)
Texts = tuple[str, str]

_ITEM = ",\n    "


def _flat(d: dict[str, Any]) -> str:
    """A dict of str -> str, bool, as ``json.dumps(indent=2)`` writes it three levels deep."""
    import json

    if not d:
        return "{}"
    return "{\n      " + json.dumps(d, separators=(",\n      ", ": "))[1:-1] + "\n    }"


def _texts(srcs: Sequence[str], rows: Sequence[dict[str, bool]], by: Sequence[dict[str, str]]) -> Texts:
    from json.encoder import encode_basestring_ascii as enc

    keys = [enc(s) + ": " for s in srcs]
    return (
        _ITEM.join([k + _flat(row) for k, row in zip(keys, rows, strict=True)]),
        _ITEM.join([k + _flat(b) for k, b in zip(keys, by, strict=True)]),
    )


def _join(parts: Sequence[str]) -> list[str]:
    """Items of several chunks as the whole dict's text at ``doc[...]``'s depth, in pieces."""
    items = [p for p in parts if p]
    if not items:
        return ["{}"]
    out = ["{\n    "]
    for i, p in enumerate(items):
        out += [_ITEM, p] if i else [p]
    return [*out, "\n  }"]


def _chunks(items: Sequence[str], n: int, first: float | None = None) -> list[list[str]]:
    """``items`` cut in ``n`` runs in order, of equal sizes, or the first of them ``first``
    times the size of each other one."""
    n = max(1, min(n, len(items)))
    if first is not None and n > 1:
        k = round(len(items) * first / (first + n - 1))
        return [list(items[:k]), *_chunks(items[k:], n - 1)] if k else _chunks(items, n)
    size, extra = divmod(len(items), n)
    out, i = [], 0
    for k in range(n):
        j = i + size + (1 if k < extra else 0)
        out.append(list(items[i:j]))
        i = j
    return [c for c in out if c]


#: the share of rows this process measures beside N - 1 forked workers, against one worker's
#: (what it does after them waits for every worker anyway: measured on star 1000, equal shares)
LOCAL_SHARE = 1.0


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

    ``.parallel`` on the result: chunks run, and chunks run again because the
    learned state they started from was not the one the rows before left."""
    t0 = time.perf_counter()
    key = _lab_key(r)
    sim = _sim(r, key)
    cols = _columns(r, key)
    addrs = [c.address for c in cols]
    srcs = sim.sources()
    out: list[dict[str, bool]] = []
    out_by: list[dict[str, str]] = []
    texts: list[Texts] | None = None
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
        results: list[Any]
        if client is not None:
            parts = _chunks(rest, n_workers * chunks_per_worker)
            try:
                rf = client.scatter(r, broadcast=True)
                futs = [client.submit(run_chunk, rf, key, guess, p, addrs, pure=False) for p in parts]
                results = client.gather(futs)
            finally:
                client.close()
        elif n_workers <= 1:
            parts = _chunks(rest, chunks_per_worker)
            results = [run_chunk(r, key, guess, p, addrs) for p in parts]
        else:
            # this process is one of the workers: it runs the first chunk while n - 1 forked
            # ones run the others (no process to start, no rows to send back for that chunk),
            # and every process encodes the JSON text of the rows it measured
            first = LOCAL_SHARE if chunks_per_worker == 1 else None
            parts = _chunks(rest, n_workers * chunks_per_worker, first)
            results = _in_processes(r, key, guess, parts, addrs, n_workers - 1, local=parts[0])
            texts = [_texts(srcs[:1], out, out_by)]
        n_chunks = len(parts)
        for part, res in zip(parts, results, strict=True):
            if guess != state:  # started from the wrong learned state: run it again from the right one
                res = (
                    _encoded_chunk(r, key, state, part, addrs)
                    if texts is not None
                    else run_chunk(r, key, state, part, addrs)
                )
                redone += 1
            out += res[0]
            out_by += res[1]
            state = res[2]
            if texts is not None:
                texts.append(res[3])
    rows_d = dict(zip(srcs, out, strict=True))
    by = dict(zip(srcs, out_by, strict=True))
    with _LOCK:
        _SIMS.pop(key, None)  # the caller keeps no simulator (workers keep theirs for the next chunks)
        _COLUMNS.pop(key, None)
    m = Matrix(r.lab.lab, "sim", cols, rows_d, by, round(time.perf_counter() - t0, 6))
    m.parallel = {"chunks": n_chunks, "redone": redone}
    if texts is not None:
        m.texts = ([t[0] for t in texts], [t[1] for t in texts])
    return m


def _in_processes(
    r: Resolved,
    key: str,
    guess: FdbSnapshot,
    parts: list[list[str]],
    addrs: list[str],
    n: int,
    local: list[str] | None = None,
) -> list[EncodedChunk]:
    """The chunks ``parts`` in ``n`` processes; with ``local`` (the first of ``parts``), that one
    is run here meanwhile."""
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    remote = parts[1:] if local is not None else parts
    if not remote or n < 1:
        return [_encoded_chunk(r, key, guess, p, addrs) for p in parts]
    # fork shares the simulator built here (copy on write); a process with threads spawns instead
    ctx = multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")
    # what exists now is never collected in the workers: their collector leaves its pages unshared
    frozen = gc.get_freeze_count()
    gc.freeze()
    try:
        ex = ProcessPoolExecutor(min(n, len(remote)), mp_context=ctx, initializer=_pool_init, initargs=(r, key))
        done = False
        try:
            k = len(remote)
            futs = ex.map(_pool_chunk, [key] * k, [guess] * k, remote, [addrs] * k)
            here = [_encoded_chunk(r, key, guess, local, addrs)] if local is not None else []
            out = here + list(futs)
            done = True
            return out
        finally:
            # with every result in, the workers end (and free their copy of the world) while the
            # caller goes on: the pool's own thread joins them (at the interpreter's exit at the latest)
            ex.shutdown(wait=not done, cancel_futures=True)
    finally:
        if not frozen:  # (what a caller froze, as the CLI its imports, stays frozen)
            gc.unfreeze()
